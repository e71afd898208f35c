import { describe, expect, it } from 'vitest';
import { codeLines, compileTree, diagnosticLines, service, yamlDocuments } from '../../support/redteam/spec-tree.js';

/**
 * Red team, class "identity is immutable": no override may change what a
 * generated object is (a Kubernetes object's kind, apiVersion, name and
 * namespace; a Terraform block's type, labels and the meta-arguments that
 * decide which objects it makes), and a patched key must be a valid identifier
 * for its target. Values the printer cannot write are positioned diagnostics,
 * never internal errors.
 */

const SPEC = 'services/api/service.yaml';

const kubernetes = (target: string, ops: readonly string[]): string =>
  service(
    'api',
    `overrides:\n  kubernetes:\n    - target: ${target}\n      environments: [production]\n      reason: "Needs this change (INC-7)"\n      patch:\n${ops.map((op) => `        - ${op}\n`).join('')}`,
  );

const terraform = (target: string, ops: readonly string[]): string =>
  service(
    'api',
    `resources:\n  databases:\n    - name: main\n  buckets:\n    - name: files\noverrides:\n  terraform:\n    - target: ${target}\n      reason: "Needs this change (INC-7)"\n      patch:\n${ops.map((op) => `        - ${op}\n`).join('')}`,
  );

const IDENTITY = (target: string, path: string, index = 0): string =>
  `${SPEC}:${14 + index}:11: error EMIT.OVERRIDE_IDENTITY overrides.kubernetes[0].patch[${index}]: ${path} would change the identity of ${target} (kind, apiVersion, metadata.name, metadata.namespace), which no override may change`;

function rejected(text: string): string[] {
  const { result, errors } = compileTree({ [SPEC]: text });
  expect(result.files).toEqual([]);
  return diagnosticLines(errors);
}

describe('Kubernetes identity', () => {
  const cases: ReadonlyArray<readonly [string, string, readonly string[], string, number?]> = [
    ['turns a Namespace into a ClusterRoleBinding', 'Namespace/api', ['{ op: replace, path: /kind, value: ClusterRoleBinding }'], '/kind'],
    ['adds a kind over the existing one', 'Deployment/api', ['{ op: add, path: /kind, value: DaemonSet }'], '/kind'],
    ['removes the kind', 'Deployment/api', ['{ op: remove, path: /kind }'], '/kind'],
    ['replaces the apiVersion', 'Deployment/api', ['{ op: replace, path: /apiVersion, value: rbac.authorization.k8s.io/v1 }'], '/apiVersion'],
    ['renames the object', 'Deployment/api', ['{ op: replace, path: /metadata/name, value: other-team }'], '/metadata/name'],
    ['moves the object to another namespace', 'ServiceAccount/api', ['{ op: add, path: /metadata/namespace, value: kube-system }'], '/metadata/namespace'],
    ['removes the namespace', 'Deployment/api', ['{ op: remove, path: /metadata/namespace }'], '/metadata/namespace'],
    ['replaces all of metadata', 'Deployment/api', ['{ op: replace, path: /metadata, value: { name: api, namespace: kube-system } }'], '/metadata'],
    ['removes metadata', 'Service/api', ['{ op: remove, path: /metadata }'], '/metadata'],
    ['replaces the whole object', 'Deployment/api', ['{ op: replace, path: "", value: { kind: ClusterRoleBinding } }'], 'the whole object ("")'],
    ['moves the name away (from of a move)', 'Deployment/api', ['{ op: move, from: /metadata/name, path: /metadata/labels/was-name }'], '/metadata/name'],
    ['moves something onto metadata', 'Deployment/api', ['{ op: move, from: /spec/template/metadata, path: /metadata }'], '/metadata'],
    ['copies over the name', 'Deployment/api', ['{ op: copy, from: /metadata/labels/app.kubernetes.io~1name, path: /metadata/name }'], '/metadata/name'],
    ['writes below the name', 'Deployment/api', ['{ op: add, path: /metadata/name/0, value: x }'], '/metadata/name/0'],
    [
      'hides the change after a harmless operation',
      'Deployment/api',
      ['{ op: add, path: /metadata/labels/team, value: core }', '{ op: replace, path: /kind, value: Pod }'],
      '/kind',
      1,
    ],
  ];

  for (const [what, target, ops, path, index] of cases) {
    it(`refuses an override that ${what}, at the operation`, () => {
      expect(rejected(kubernetes(target, ops))).toEqual([IDENTITY(target, path, index ?? 0)]);
    });
  }

  it('lets a copy read the name and a test check the kind: neither writes identity', () => {
    const { errors, tree } = compileTree({
      [SPEC]: kubernetes('Deployment/api', [
        '{ op: test, path: /kind, value: Deployment }',
        '{ op: copy, from: /metadata/name, path: /metadata/labels/copied-name }',
      ]),
    });
    expect(errors).toBe('');
    const [deployment] = yamlDocuments(tree.get('generated/api/kubernetes/production/deployment.yaml')!) as Array<{
      kind: string;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
    }>;
    expect([deployment!.kind, deployment!.metadata.name, deployment!.metadata.namespace, deployment!.metadata.labels['copied-name']]).toEqual([
      'Deployment',
      'api',
      'api',
      'api',
    ]);
  });
});

const VALUE = (message: string, index = 0): string => `${SPEC}:${18 + index}:11: error EMIT.OVERRIDE_VALUE overrides.terraform[0].patch[${index}]: ${message}`;
const NOT_IDENTIFIER = '(a letter or "_", then letters, digits, "_" or "-")';

describe('Terraform identity and identifiers', () => {
  for (const key of ['count', 'for_each', 'provider', 'depends_on', 'provisioner', 'connection']) {
    it(`refuses the meta-argument ${key}, which decides which objects a block makes`, () => {
      expect(rejected(terraform('aws_s3_bucket.files', [`{ op: add, path: /${key}, value: 0 }`]))).toEqual([
        `${SPEC}:18:11: error EMIT.OVERRIDE_IDENTITY overrides.terraform[0].patch[0]: /${key} is a Terraform meta-argument: it decides which objects aws_s3_bucket.files makes, which no override may change`,
      ]);
    });
  }

  it('refuses moving a meta-argument away, as the from of a move', () => {
    expect(
      rejected(terraform('aws_db_instance.main', ['{ op: add, path: /max_allocated_storage, value: 200 }', '{ op: move, from: /count, path: /tags }'])),
    ).toEqual([
      `${SPEC}:19:11: error EMIT.OVERRIDE_IDENTITY overrides.terraform[0].patch[1]: /count is a Terraform meta-argument: it decides which objects aws_db_instance.main makes, which no override may change`,
    ]);
  });

  const keys: ReadonlyArray<readonly [string, string]> = [
    ['an equals sign', 'a = 1'],
    ['a brace', 'a{'],
    ['quotes', '\\"q\\"'],
    ['a space', 'a b'],
    ['a dot', 'a.b'],
    ['a leading digit', '1abc'],
    ['a non-ASCII letter', 'é'],
    ['a closing brace and a block', '} resource'],
  ];
  for (const [what, key] of keys) {
    it(`refuses an attribute name with ${what}, at the operation`, () => {
      const shown = JSON.stringify(JSON.parse(`"${key}"`)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      expect(rejected(terraform('aws_db_instance.main', [`{ op: add, path: "/${key}", value: 1 }`]))).toEqual([
        VALUE(`the patched aws_db_instance.main cannot be written as HCL: the key ${shown} is not an HCL identifier ${NOT_IDENTIFIER}`),
      ]);
    });
  }

  it('refuses a non-identifier key inside a nested block, naming where', () => {
    expect(
      rejected(
        terraform('aws_s3_bucket_versioning.files', ['{ op: replace, path: /versioning_configuration, value: [{ "status = \\"Disabled\\"\\n#": 1 }] }']),
      ),
    ).toEqual([
      `${SPEC}:18:69: error SEC.HIDDEN_CHARACTER overrides.terraform[0].patch[0].value[0].status = "Disabled"\\u000a#: key contains the control character U+000A`,
    ]);
    expect(rejected(terraform('aws_s3_bucket_versioning.files', ['{ op: replace, path: /versioning_configuration, value: [{ "status = 1": 1 }] }']))).toEqual([
      VALUE(
        `the patched aws_s3_bucket_versioning.files cannot be written as HCL: at "/versioning_configuration/0", the key "status = 1" is not an HCL identifier ${NOT_IDENTIFIER}`,
      ),
    ]);
  });

  it('blames the operation that introduced the bad key, not the last one', () => {
    expect(
      rejected(
        terraform('aws_db_instance.main', [
          '{ op: add, path: /tags, value: { a: b } }',
          '{ op: move, from: /tags, path: "/x=y" }',
          '{ op: add, path: /max_allocated_storage, value: 200 }',
        ]),
      ),
    ).toEqual([VALUE(`the patched aws_db_instance.main cannot be written as HCL: the key "x=y" is not an HCL identifier ${NOT_IDENTIFIER}`, 1)]);
  });

  it('a key named resource becomes an attribute of the patched resource, never a new block', () => {
    const plain = compileTree({ [SPEC]: terraform('aws_db_instance.main', ['{ op: add, path: /max_allocated_storage, value: 200 }']) });
    const hostile = compileTree({
      [SPEC]: terraform('aws_db_instance.main', [
        '{ op: add, path: /resource, value: { aws_iam_role_policy_attachment: { admin: { policy_arn: "arn:aws:iam::123456789012:policy/team" } } } }',
      ]),
    });
    expect([plain.errors, hostile.errors]).toEqual(['', '']);
    // Naming an AWS-managed policy anywhere is the output policy's to refuse, whatever the shape.
    const admin = compileTree({
      [SPEC]: terraform('aws_db_instance.main', [
        '{ op: add, path: /resource, value: { aws_iam_role_policy_attachment: { admin: { policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" } } } }',
      ]),
    });
    expect(admin.errors).toContain(
      `${SPEC}:18:11: error POLICY.VIOLATION overrides.terraform[0].patch[0]: this operation makes the output break §4 paved PAVED_IAM_ATTACHMENT`,
    );
    const blocks = (text: string): string[] => codeLines(text).filter((line) => /^[a-z]/.test(line));
    for (const [path, text] of hostile.tree) if (path.endsWith('.tf')) expect(blocks(text), path).toEqual(blocks(plain.tree.get(path)!));
    expect(hostile.tree.get('generated/api/terraform/database.tf')).toContain('  resource = {\n    aws_iam_role_policy_attachment = {\n');
  });

  it('quotes and escapes keys inside an object value, so any key is data', () => {
    const { errors, tree } = compileTree({
      [SPEC]: terraform('aws_db_instance.main', ['{ op: add, path: /tags, value: { "a\\"b = c": "1", "${x}": "2", "é": "3", "}": "4" } }']),
    });
    expect(errors).toBe('');
    expect(tree.get('generated/api/terraform/database.tf')).toContain(
      '  tags = {\n    "a\\"b = c" = "1"\n    "$${x}"    = "2"\n    "é"        = "3"\n    "}"        = "4"\n  }\n',
    );
  });
  it("cannot forge one of paved's expression tokens to copy a reference elsewhere", () => {
    const { errors, tree } = compileTree({ [SPEC]: terraform('aws_db_instance.main', ['{ op: add, path: /tags, value: { "$hcl": 0 } }']) });
    expect(errors).toBe('');
    expect(tree.get('generated/api/terraform/database.tf')).toContain('  tags = {\n    "$hcl" = 0\n  }\n');
    expect(diagnosticLines(compileTree({ [SPEC]: terraform('aws_db_instance.main', ['{ op: add, path: /tags, value: { "\\0hcl": 0 } }']) }).errors)).toEqual([
      `${SPEC}:18:44: error SEC.HIDDEN_CHARACTER overrides.terraform[0].patch[0].value.\\u0000hcl: key contains the invisible or control character U+0000`,
    ]);
  });
});

describe('Terraform values the printer must be able to write', () => {
  it('prints decimals as written and -0 as 0', () => {
    const { errors, tree } = compileTree({
      [SPEC]: terraform('aws_db_instance.main', [
        '{ op: add, path: /max_allocated_storage, value: 0.5 }',
        '{ op: add, path: /tags, value: { a: 2.25, b: -0, c: 0.1 } }',
      ]),
    });
    expect(errors).toBe('');
    const database = tree.get('generated/api/terraform/database.tf')!;
    expect(database).toMatch(/^  max_allocated_storage += 0\.5$/m);
    expect(database).toContain('  tags = {\n    a = 2.25\n    b = 0\n    c = 0.1\n  }\n');
  });

  it('refuses null, at the operation that wrote it', () => {
    expect(
      rejected(
        terraform('aws_db_instance.main', [
          '{ op: add, path: /max_allocated_storage, value: 200 }',
          '{ op: replace, path: /max_allocated_storage, value: null }',
        ]),
      ),
    ).toEqual([
      VALUE(
        'the patched aws_db_instance.main cannot be written as HCL: at "/max_allocated_storage", null is not an HCL value paved writes; remove the attribute instead',
        1,
      ),
    ]);
  });

  it('refuses null inside a list, naming the element', () => {
    expect(rejected(terraform('aws_db_instance.main', ['{ op: add, path: /extra, value: [1, [2, null]] }']))).toEqual([
      VALUE('the patched aws_db_instance.main cannot be written as HCL: at "/extra/1/1", null is not an HCL value paved writes; remove the attribute instead'),
    ]);
  });

  it('refuses a nested block given as something other than a list of objects', () => {
    expect(rejected(terraform('aws_s3_bucket_versioning.files', ['{ op: replace, path: /versioning_configuration, value: { status: Disabled } }']))).toEqual([
      VALUE(
        'the patched aws_s3_bucket_versioning.files cannot be written as HCL: at "/versioning_configuration", versioning_configuration is a nested block: give a list of objects',
      ),
    ]);
    expect(rejected(terraform('aws_s3_bucket_versioning.files', ['{ op: replace, path: /versioning_configuration, value: [Disabled] }']))).toEqual([
      VALUE(
        'the patched aws_s3_bucket_versioning.files cannot be written as HCL: at "/versioning_configuration/0", expected an object of attributes, got string',
      ),
    ]);
  });

  for (const [what, value, column] of [
    ['an integer over 2^53', '18446744073709551616', 59],
    ['NaN', '.nan', 59],
    ['infinity', '.inf', 59],
    ['an exponent that overflows', '1e400', 59],
  ] as const) {
    it(`refuses ${what} at validation, at the value`, () => {
      const lines = rejected(terraform('aws_db_instance.main', [`{ op: add, path: /max_allocated_storage, value: ${value} }`]));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${SPEC}:18:${column}: error SPEC\\.NUMBER_FORMAT overrides\\.terraform\\[0\\]\\.patch\\[0\\]\\.value: number `));
    });
  }

  it('refuses a value nested beyond the parser limit, at the value', () => {
    expect(rejected(terraform('aws_db_instance.main', [`{ op: add, path: /tags, value: ${'['.repeat(40)}1${']'.repeat(40)} }`]))).toEqual([
      `${SPEC}:18:73: error LOAD.TOO_DEEP value nests more than 32 levels deep`,
    ]);
  });
});
