import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compileTexts, type SpecText } from '../../compiler/compile.js';
import { diffTrees } from '../../compiler/diff.js';
import { resourceChangeLines, terraformChanges, type ResourceChange } from '../../compiler/terraform-changes.js';
import { attributes, block, raw } from '../../emitters/shared/hcl.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { serviceYaml } from '../support/helpers.js';

/**
 * Issue 17: `paved diff` says what terraform plan would do to each resource,
 * destroys and replacements first, read from the typed HCL of both revisions
 * with the tfvars of each environment resolved.
 */
const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: 3f9a27c1\n';

function tree(service: string, platform = PLATFORM): GeneratedFile[] {
  const files: SpecText[] = [
    { path: 'platform.yaml', kind: 'platform', text: platform },
    { path: 'services/orders/service.yaml', kind: 'service', text: service },
  ];
  const result = compileTexts(files, emitters, undefined, true);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return [...result.files];
}

const orders = (resources: string): string => serviceYaml('orders', `resources:\n${resources}`);
const DATABASE = (version: string, size: string): string => `  databases:\n    - { name: main, engine: postgres, version: "${version}", size: ${size} }\n`;
const BUCKET = (name: string): string => `  buckets:\n    - name: ${name}\n`;
const ROOT = 'generated/orders/terraform';

const summary = (changes: readonly ResourceChange[]): string[] =>
  changes
    .filter((c) => c.environment === 'production' && c.root === ROOT)
    .map((c) => `${c.action} ${c.address}${c.attributes.length > 0 ? ` ${c.attributes.join(',')}` : ''}`);

describe('terraform changes between two revisions', () => {
  it('updates an instance class in place', () => {
    const changes = terraformChanges(tree(orders(DATABASE('16', 'small'))), tree(orders(DATABASE('16', 'medium'))));
    expect(summary(changes)).toEqual(['update aws_db_instance.main instance_class']);
    expect(changes.filter((c) => c.root === ROOT).map((c) => c.environment)).toEqual(['staging', 'production']);
  });

  it('destroys a renamed bucket, stateful, before anything else, and creates the new one', () => {
    const changes = terraformChanges(tree(orders(BUCKET('uploads'))), tree(orders(BUCKET('files'))));
    expect(changes[0]).toMatchObject({ action: 'destroy', type: 'aws_s3_bucket', address: 'aws_s3_bucket.uploads', stateful: true });
    expect(summary(changes).filter((line) => line.includes('aws_s3_bucket.'))).toEqual(['destroy aws_s3_bucket.uploads', 'create aws_s3_bucket.files']);
    expect(resourceChangeLines(changes.filter((c) => c.type === 'aws_s3_bucket'))).toEqual([
      '! destroy aws_s3_bucket.uploads (stateful: its data is lost) [staging, production]',
      '+ create aws_s3_bucket.files [staging, production]',
    ]);
  });

  it('replaces every bucket when the name suffix changes: the name comes from tfvars, and bucket forces replacement', () => {
    const service = orders(BUCKET('uploads'));
    const changes = terraformChanges(tree(service), tree(service, PLATFORM.replace('3f9a27c1', '0d5e7a31')));
    const bucket = changes.find((c) => c.address === 'aws_s3_bucket.uploads' && c.environment === 'production');
    expect(bucket).toMatchObject({ action: 'replace', attributes: ['bucket'], stateful: true });
    // Every configuration of the bucket names it by id: each is replaced with it.
    expect(summary(changes).filter((line) => line.startsWith('replace aws_s3_bucket_versioning'))).toEqual(['replace aws_s3_bucket_versioning.uploads bucket']);
    expect(resourceChangeLines([bucket!])).toEqual(['! replace aws_s3_bucket.uploads: bucket forces replacement (stateful: its data is lost) [production]']);
  });

  it('carries a replacement to what reads the replaced resource: a new major version replaces the parameter group, and the instance is updated to it', () => {
    const changes = terraformChanges(tree(orders(DATABASE('16', 'small'))), tree(orders(DATABASE('17', 'small'))));
    const lines = summary(changes);
    expect(lines).toContainEqual(expect.stringMatching(/^replace aws_db_parameter_group\.main family/));
    expect(lines).toContainEqual(expect.stringMatching(/^update aws_db_instance\.main .*engine_version/));
    expect(lines.find((l) => l.startsWith('update aws_db_instance.main'))).toContain('parameter_group_name');
    expect(lines.some((l) => l.startsWith('replace aws_db_instance'))).toBe(false);
  });

  it('replaces the instance, stateful, when the engine changes from postgres to mysql: a new, empty database', () => {
    const mysql = `  databases:\n    - { name: main, engine: mysql, version: "8.0", size: small }\n`;
    const changes = terraformChanges(tree(orders(DATABASE('16', 'small'))), tree(orders(mysql)));
    const instance = changes.find((c) => c.address === 'aws_db_instance.main' && c.environment === 'production');
    expect(instance).toMatchObject({ action: 'replace', stateful: true });
    expect(instance!.attributes).toContain('engine');
    expect(summary(changes)).toContainEqual(expect.stringMatching(/^replace aws_db_parameter_group\.main .*family/));
  });

  it('grows storage in place, and switches a database to auth: password without replacing it', () => {
    const before = tree(orders(DATABASE('16', 'small')));
    const grown = `  databases:\n    - { name: main, engine: postgres, version: "16", size: small, storageGiB: 50 }\n`;
    expect(summary(terraformChanges(before, tree(orders(grown))))).toEqual(['update aws_db_instance.main allocated_storage']);
    const password = `  databases:\n    - { name: main, engine: postgres, version: "16", size: small, auth: password }\n`;
    const lines = summary(terraformChanges(before, tree(orders(password))));
    // The connection secret names the master user now, and the role loses rds-db:connect (its only statement here); the database itself stays.
    expect(lines).toEqual(['destroy aws_iam_role_policy.service', 'replace aws_secretsmanager_secret_version.database-main secret_string']);
  });

  it("reads a platform resource type's module call: an input change updates it, and removing the entry destroys it", () => {
    const platform = `${PLATFORM}resourceTypes:
  documentdb:
    description: A document database
    module: acme/documentdb/aws
    version: "1.2.0"
    inputs: { type: object, properties: { size: { enum: [small, medium], default: small } }, additionalProperties: false }
    connection: [host]
    egressPorts: [27017]
    stateful: true
`;
    const entry = (size: string): string => `  documentdb:\n    - { name: carts, size: ${size} }\n`;
    const modules = (changes: readonly ResourceChange[]): string[] => summary(changes).filter((line) => line.includes('module.'));
    expect(modules(terraformChanges(tree(orders(entry('small')), platform), tree(orders(entry('medium')), platform)))).toEqual([
      'update module.documentdb-carts size',
    ]);
    expect(modules(terraformChanges(tree(orders(entry('small')), platform), tree(orders(BUCKET('files')), platform)))).toEqual([
      'destroy module.documentdb-carts',
    ]);
  });

  it('reads moved blocks as moves and removed blocks with destroy = false as forgetting, never as destroys', () => {
    const file = (path: string, items: GeneratedFile['value']): GeneratedFile => ({ path, contents: '', source: 'x', value: items });
    const queue = (name: string) => block('resource', ['aws_sqs_queue', name], attributes({ name: `orders-${name}` }));
    const base = [file(`${ROOT}/queues.tf`, [queue('a'), queue('b')])];
    const head = [
      file(`${ROOT}/queues.tf`, [
        block('resource', ['aws_sqs_queue', 'renamed'], attributes({ name: 'orders-a' })),
        block('moved', [], attributes({ from: raw('aws_sqs_queue.a'), to: raw('aws_sqs_queue.renamed') })),
        block('removed', [], [...attributes({ from: raw('aws_sqs_queue.b') }), block('lifecycle', [], attributes({ destroy: false }))]),
      ]),
    ];
    expect(summary(terraformChanges(base, head))).toEqual(['forget aws_sqs_queue.b', 'move aws_sqs_queue.renamed']);
    expect(resourceChangeLines(terraformChanges(base, head).filter((c) => c.environment === 'staging'))).toEqual([
      '~ forget aws_sqs_queue.b [staging]',
      '~ move aws_sqs_queue.a -> aws_sqs_queue.renamed [staging]',
    ]);
  });

  it('lists the IAM actions a change grants, read from the policies as emitted (statements and jsonencode alike)', () => {
    const base = tree(serviceYaml('orders'));
    const head = tree(orders(`${BUCKET('files')}  topics:\n    - name: done\n`));
    const terraform = diffTrees(
      base,
      head,
      { dir: 'generated', workflowsDir: '.github/workflows' },
      new Map([...base, ...head].map((f) => [f.path, { emitter: 'terraform', service: 'orders' }])),
    ).find((c) => c.service === 'orders' && c.target === 'terraform')!;
    // The role's statements (iam.tf), then the key policy, the topic policy and the bucket policy, each as its file lists them.
    expect(terraform.details.filter((d) => d.includes(' IAM '))).toEqual([
      '+ IAM kms:Decrypt',
      '+ IAM kms:GenerateDataKey',
      '+ IAM s3:DeleteObject',
      '+ IAM s3:GetObject',
      '+ IAM s3:ListBucket',
      '+ IAM s3:PutObject',
      '+ IAM sns:Publish',
      '+ IAM kms:*',
      '+ IAM sns:Publish',
      '+ IAM s3:*',
    ]);
  });

  it('puts destroys and replacements first in paved diff, and lists the changes per resource in JSON', () => {
    const base = tree(orders(`${DATABASE('16', 'small')}${BUCKET('uploads')}`));
    const head = tree(orders(`${DATABASE('16', 'medium')}${BUCKET('files')}`));
    const terraform = diffTrees(
      base,
      head,
      { dir: 'generated', workflowsDir: '.github/workflows' },
      new Map([...base, ...head].map((f) => [f.path, { emitter: 'terraform', service: 'orders' }])),
    ).find((c) => c.service === 'orders' && c.target === 'terraform')!;
    expect(terraform.details[0]).toBe('! destroy aws_s3_bucket.uploads (stateful: its data is lost) [staging, production]');
    expect(terraform.details).toContain('~ update aws_db_instance.main: instance_class [staging, production]');
    expect(terraform.details.findIndex((d) => d.startsWith('+'))).toBeGreaterThan(terraform.details.findLastIndex((d) => d.startsWith('!')));
    expect(terraform.resources.filter((r) => r.action === 'destroy' && r.stateful).map((r) => `${r.address} ${r.environment}`)).toEqual([
      'aws_s3_bucket.uploads staging',
      'aws_s3_bucket.uploads production',
      'aws_secretsmanager_secret.bucket-uploads staging',
      'aws_secretsmanager_secret.bucket-uploads production',
    ]);
  });
});
