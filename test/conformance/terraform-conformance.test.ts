import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute, attributes, block, call, map, object, printFile, raw, template } from '../../emitters/shared/hcl.js';
import { REPO } from '../support/helpers.js';
import {
  allStacks,
  PLUGIN_DIR,
  requireTerraform,
  stackFolder,
  taggingApiStandIn,
  terraform,
  writeStackRepo,
  type Stack,
} from '../support/terraform-helpers.js';

/**
 * The generated stacks against the real tools (shared/design/conformance.md):
 * terraform fmt, terraform validate with hashicorp/aws from the offline mirror,
 * and an offline plan of examples/shop. One init and one run per tool, over one
 * throwaway root module that calls every stack as a child module.
 */
const ENVIRONMENTS = ['staging', 'production'] as const;
/** Test-only provider settings: fake credentials and no calls to AWS. Never in a generated file. */
const OFFLINE_PROVIDER = `provider "aws" {
  allowed_account_ids         = null
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-only-not-a-key', AWS_EC2_METADATA_DISABLED: 'true' };

/** Real terraform over every root; on a loaded two-core machine one run takes minutes, more than vitest's default. */
const TERRAFORM_TIMEOUT = 300_000;
const slug = (text: string): string => text.replace(/[^A-Za-z0-9]+/g, '_');
const timings: string[] = [];

let work = '';
let stacks: Stack[] = [];

/** A stack's copy of its repository under the work folder: the stack at stackFolder, its platform's local modules beside it. */
const repoOf = (stack: Stack): string => join('stacks', slug(stack.id));
/** The stack's folder, relative to the work folder. */
const stackAt = (stack: Stack): string => join(repoOf(stack), stackFolder(stack));

/**
 * A Terraform root of a stack: its main stack (folder '') or its subscriptions
 * root (folder 'subscriptions/'), each applied on its own.
 */
interface Root {
  readonly id: string;
  readonly stack: Stack;
  readonly folder: '' | 'subscriptions/';
}

const SUBSCRIPTIONS = 'subscriptions/';
const rootsOf = (stack: Stack): Root[] => [
  { id: stack.id, stack, folder: '' },
  ...(stack.printed.has(`${SUBSCRIPTIONS}env/staging.tfvars`) ? [{ id: `${stack.id}/subscriptions`, stack, folder: SUBSCRIPTIONS } as const] : []),
];
const moduleName = (root: Root, env: string): string => slug(`${root.id}_${env}`);

/** A root module calling each root once per environment, with that environment's tfvars as arguments. */
function rootModule(entries: ReadonlyArray<{ readonly root: Root; readonly source: (env: string) => string }>): string {
  return entries
    .flatMap(({ root, source }) =>
      ENVIRONMENTS.map((env) => {
        // A tfvars file is a list of attributes, which is also what a module block's body holds.
        const tfvars = root.stack.printed.get(`${root.folder}env/${env}.tfvars`)!;
        return `module "${moduleName(root, env)}" {\n  source = "${source(env)}"\n${tfvars}}\n`;
      }),
    )
    .join('\n');
}

function init(dir: string): void {
  const run = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
  timings.push(`init ${dir.slice(work.length + 1)}: ${run.seconds.toFixed(1)} s`);
  expect(run.code, run.stderr + run.stdout).toBe(0);
}

/** Why the toolchain is unusable, if it is: every test then fails with this, none is skipped. */
let missing: Error | undefined;
const ready = (): void => {
  if (missing) throw missing;
};

beforeAll(() => {
  try {
    requireTerraform();
  } catch (error) {
    missing = error as Error;
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'paved-terraform-'));
  stacks = allStacks();
  for (const stack of stacks) writeStackRepo(stack, join(work, repoOf(stack)));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (timings.length > 0) console.log(`terraform timings:\n  ${timings.join('\n  ')}`);
});

describe('terraform fmt', () => {
  it('finds every generated .tf and .tfvars file already formatted', () => {
    ready();
    const run = terraform(['fmt', '-check', '-recursive', '-diff', '-no-color', 'stacks'], work);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('finds every generated .s3.tfbackend file formatted too (checked as a .tfvars copy, the same syntax)', () => {
    ready();
    const dir = join(work, 'backends');
    for (const stack of stacks) {
      for (const env of ENVIRONMENTS) {
        mkdirSync(dir, { recursive: true });
        for (const root of rootsOf(stack))
          writeFileSync(join(dir, `${moduleName(root, env)}.tfvars`), stack.printed.get(`${root.folder}env/${env}.s3.tfbackend`)!);
      }
    }
    const run = terraform(['fmt', '-check', '-diff', '-no-color', 'backends'], work);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it("finds the HCL printer's output formatted for every construct it has, beyond what the stacks use today", () => {
    ready();
    const text = printFile([
      block(
        'locals',
        [],
        [
          ...attributes({ a: 1, longer_name: 'text with ${template} and %{directive} "quotes" \\ and\nbreaks', b: true }),
          attribute('nested', map({ 'needs-quotes': object({ x: 1, yy: [1, 2] }), plain: object({}), 'a.b': call('max', 1, 2) })),
          attribute(
            'long',
            Array.from({ length: 12 }, (_, i) => `item-number-${i}`),
          ),
          attribute(
            'doc',
            call(
              'jsonencode',
              object({
                Statement: [
                  object({ 'aws:Key': template('arn:', raw('var.x'), '/*'), Action: ['a:B', 'c:D'] }),
                  object({ k: object({ deep: object({ deeper: 1 }) }) }),
                ],
              }),
            ),
          ),
          attribute('after', 2),
          attribute('ab', 3),
        ],
        ['a comment', ''],
      ),
      block(
        'resource',
        ['x', 'y'],
        [attribute('a', 1), block('inner', [], []), block('inner', [], [attribute('b', 2), block('deep', [], attributes({ c: 3, dd: 4 }))]), attribute('z', 0)],
      ),
    ]);
    mkdirSync(join(work, 'printer'), { recursive: true });
    writeFileSync(join(work, 'printer', 'all.tf'), text);
    const run = terraform(['fmt', '-check', '-diff', '-no-color', 'printer'], work);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('terraform validate', () => {
  it(
    'accepts every stack and subscriptions root of every fixture and of examples/shop, in both environments, against the real AWS provider',
    () => {
      ready();
      const dir = join(work, 'validate');
      mkdirSync(dir);
      const roots = stacks.flatMap(rootsOf);
      expect(roots.filter((r) => r.folder === SUBSCRIPTIONS).length).toBeGreaterThanOrEqual(5);
      writeFileSync(join(dir, 'main.tf'), rootModule(roots.map((root) => ({ root, source: () => `../${stackAt(root.stack)}/${root.folder}` }))));
      init(dir);
      const run = terraform(['validate', '-json', '-no-color'], dir);
      timings.push(`validate ${stacks.length} stacks x ${ENVIRONMENTS.length} environments: ${run.seconds.toFixed(1)} s`);
      const result = JSON.parse(run.stdout) as {
        valid: boolean;
        diagnostics: Array<{ severity: string; summary: string; detail?: string; range?: { filename: string; start: { line: number } } }>;
      };
      const problems = result.diagnostics
        // Child modules may not configure a backend; each stack is a root module when applied, so the warning is expected here.
        .filter((d) => !(d.severity === 'warning' && d.summary === 'Backend configuration ignored'))
        .map((d) => `${d.severity} ${d.range?.filename ?? ''}:${d.range?.start.line ?? ''} ${d.summary}: ${d.detail ?? ''}`);
      expect(problems).toEqual([]);
      expect(result.valid).toBe(true);
    },
    TERRAFORM_TIMEOUT,
  );
});

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

/** A managed resource of `terraform show -json`'s resource_changes. */
interface PlannedChange {
  readonly type: string;
  readonly name: string;
  readonly mode: string;
  readonly module_address: string;
  readonly change: { readonly actions: string[]; readonly after: Record<string, unknown>; readonly after_unknown: Record<string, unknown> };
}

/**
 * Plans the roots offline as one root module in `dir`: a copy per root and
 * environment, each with the test-only provider override (`override(root)`)
 * beside the generated files. Returns the managed resources' planned changes.
 */
function planOffline(dir: string, roots: readonly Root[], override: (root: Root) => string, label: string): PlannedChange[] {
  for (const root of roots) {
    for (const env of ENVIRONMENTS) {
      // The whole copy of the repository, so a resource type's module travels with the stack.
      const copy = join(dir, 'stacks', moduleName(root, env));
      cpSync(join(work, repoOf(root.stack)), copy, { recursive: true });
      writeFileSync(join(copy, stackFolder(root.stack), root.folder, 'zz_offline_override.tf'), override(root));
    }
  }
  writeFileSync(
    join(dir, 'main.tf'),
    rootModule(roots.map((root) => ({ root, source: (env) => `./${join('stacks', moduleName(root, env), stackFolder(root.stack), root.folder)}` }))),
  );
  init(dir);
  const plan = terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-out=tfplan'], dir, FAKE_CREDENTIALS);
  timings.push(`plan ${label}: ${plan.seconds.toFixed(1)} s`);
  expect(plan.code, plan.stderr).toBe(0);
  const show = terraform(['show', '-json', 'tfplan'], dir);
  expect(show.code, show.stderr).toBe(0);
  return (JSON.parse(show.stdout) as { resource_changes: PlannedChange[] }).resource_changes.filter((c) => c.mode === 'managed');
}

describe('terraform plan of examples/shop', () => {
  it(
    'succeeds offline for every main stack and subscriptions root and creates exactly the expected resources per type in both environments',
    async () => {
      ready();
      const shop = stacks.filter((s) => s.root === 'examples/shop');
      const roots = shop.flatMap(rootsOf);
      const dir = join(work, 'plan');
      // The subscriptions roots read the Resource Groups Tagging API: a local stand-in answers that every topic asked for exists.
      const tagging = await taggingApiStandIn();
      cleanups.push(tagging.stop);
      const changes = planOffline(
        dir,
        roots,
        (root) => {
          const endpoints = root.folder === SUBSCRIPTIONS ? `  endpoints {\n    resourcegroupstaggingapi = "${tagging.url}"\n  }\n` : '';
          return OFFLINE_PROVIDER.replace(/\}\n$/, `${endpoints}}\n`);
        },
        `examples/shop (${roots.length} roots x ${ENVIRONMENTS.length} environments)`,
      );
      expect(new Set(changes.map((c) => c.change.actions.join('+')))).toEqual(new Set(['create']));
      // Subscriptions are created by the subscriptions roots, and those create nothing else.
      const inSubscriptionsRoot = (c: { module_address: string }): boolean =>
        c.module_address.endsWith('_subscriptions_staging') || c.module_address.endsWith('_subscriptions_production');
      expect(changes.filter((c) => c.type === 'aws_sns_topic_subscription' && !inSubscriptionsRoot(c))).toEqual([]);
      expect(changes.filter((c) => inSubscriptionsRoot(c) && c.type !== 'aws_sns_topic_subscription')).toEqual([]);

      const counts: Record<string, number> = {};
      for (const change of changes) counts[change.type] = (counts[change.type] ?? 0) + 1;
      expect(counts).toEqual(expectedCounts(shop));
      // The literal total, so a change in what the shop needs is a visible diff in this file too.
      expect(changes.length).toBe(212);

      for (const change of changes.filter((c) => c.type === 'aws_db_instance')) {
        expect(change.change.after).toMatchObject({
          storage_encrypted: true,
          publicly_accessible: false,
          iam_database_authentication_enabled: true,
          manage_master_user_password: true,
        });
        expect(change.change.after.password).toBeNull();
        // Taken from timestamp() when the instance is created (issue 15 item 14).
        expect(change.change.after_unknown.final_snapshot_identifier).toBe(true);
      }
      for (const change of changes.filter((c) => c.type === 'aws_db_parameter_group')) {
        // The provider appends its unique id to name_prefix at creation (issue 15 item 14).
        expect(change.change.after.name_prefix).toMatch(/-postgres\d+-$/);
        expect(change.change.after_unknown.name).toBe(true);
      }
    },
    TERRAFORM_TIMEOUT,
  );
});

describe('terraform plan of the resource-types case (issue 20)', () => {
  it(
    "succeeds offline in both environments: each platform resource type's module is called with paved's interface and the service's inputs, behind a security group admitting only the pods on the type's ports",
    () => {
      ready();
      const roots = stacks.filter((s) => s.root === 'fixtures/cases/resource-types').flatMap(rootsOf);
      expect(roots.map((r) => r.id)).toEqual(['fixtures/cases/resource-types:carts', 'fixtures/cases/resource-types:orders']);
      const changes = planOffline(
        join(work, 'plan-resource-types'),
        roots,
        () => OFFLINE_PROVIDER,
        `fixtures/cases/resource-types (${roots.length} roots x ${ENVIRONMENTS.length} environments)`,
      );
      const carts = changes.filter((c) => c.module_address.startsWith('module.fixtures_cases_resource_types_carts_production'));
      expect(new Set(carts.map((c) => c.change.actions.join('+')))).toEqual(new Set(['create']));
      const inModule = (local: string, type: string): PlannedChange[] => carts.filter((c) => c.module_address.endsWith(`.module.${local}`) && c.type === type);
      // The module got the inputs: medium (db.r6g.large) with two instances, encrypted, TLS on, behind paved's group.
      expect(inModule('documentdb-carts', 'aws_docdb_cluster_instance').map((c) => c.change.after.instance_class)).toEqual(['db.r6g.large', 'db.r6g.large']);
      expect(inModule('documentdb-carts', 'aws_docdb_cluster')[0]!.change.after).toMatchObject({
        cluster_identifier: 'carts-prd-carts',
        storage_encrypted: true,
        deletion_protection: true,
        tags: { 'managed-by': 'paved', service: 'carts', environment: 'production', 'resource-type': 'documentdb', resource: 'carts' },
      });
      const direct = (type: string, name: string): Record<string, unknown> =>
        carts.find((c) => c.type === type && c.name === name && !c.module_address.includes('.module.'))!.change.after;
      expect(direct('aws_vpc_security_group_ingress_rule', 'documentdb-carts-27017')).toMatchObject({
        from_port: 27017,
        to_port: 27017,
        ip_protocol: 'tcp',
        referenced_security_group_id: 'sg-0123456789abcdef1',
      });
      expect(direct('aws_security_group', 'documentdb-carts')).toMatchObject({ name: 'carts-prd-documentdb-carts' });
      expect(direct('aws_secretsmanager_secret', 'documentdb-carts')).toMatchObject({ name: 'carts/production/documentdb/carts' });
      // The table's module exports its policy, which the role gets under its own name.
      expect(direct('aws_iam_role_policy', 'dynamodb-table-events')).toMatchObject({ name: 'carts-prd-dynamodb-table-events' });
      expect(inModule('dynamodb-table-events', 'aws_dynamodb_table')[0]!.change.after).toMatchObject({ name: 'carts-production-events', hash_key: 'id' });
      // The renamed entry keeps its deployed name everywhere AWS sees one.
      const orders = changes.filter((c) => c.module_address.startsWith('module.fixtures_cases_resource_types_orders_staging'));
      expect(orders.find((c) => c.type === 'aws_docdb_cluster')!.change.after).toMatchObject({ cluster_identifier: 'orders-stg-order-store' });
    },
    TERRAFORM_TIMEOUT,
  );
});

describe('the example resource type module (examples/resource-types)', () => {
  it(
    'passes terraform init and validate on its own against the real AWS provider, and is the module the resource-types golden case calls',
    () => {
      ready();
      const example = join(REPO, 'examples/resource-types/platform/modules/documentdb');
      const dir = join(work, 'example-module');
      cpSync(example, dir, { recursive: true });
      init(dir);
      const run = terraform(['validate', '-no-color'], dir);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toContain('Success! The configuration is valid.');
      const copy = join(REPO, 'fixtures/cases/resource-types/platform/modules/documentdb');
      for (const file of readdirSync(example).sort()) expect(readFileSync(join(copy, file), 'utf8'), file).toBe(readFileSync(join(example, file), 'utf8'));
      expect(readdirSync(copy).sort()).toEqual(readdirSync(example).sort());
    },
    TERRAFORM_TIMEOUT,
  );
});

describe('terraform plan of the mysql case (issue 19)', () => {
  it(
    'succeeds offline in both environments: MySQL with TLS forced, logs exported and the managed master password, storage as asked, Performance Insights where RDS offers it',
    () => {
      ready();
      const roots = stacks.filter((s) => s.root === 'fixtures/cases/mysql').flatMap(rootsOf);
      expect(roots.map((r) => r.id)).toEqual(['fixtures/cases/mysql:catalogue']);
      const changes = planOffline(
        join(work, 'plan-mysql'),
        roots,
        () => OFFLINE_PROVIDER,
        `fixtures/cases/mysql (${roots.length} root x ${ENVIRONMENTS.length} environments)`,
      ).filter((c) => c.module_address.endsWith('_staging'));
      expect(new Set(changes.map((c) => c.change.actions.join('+')))).toEqual(new Set(['create']));
      const after = (type: string, name: string): Record<string, unknown> => changes.find((c) => c.type === type && c.name === name)!.change.after;

      expect(after('aws_db_instance', 'catalogue')).toMatchObject({
        engine: 'mysql',
        engine_version: '8.0',
        allocated_storage: 50,
        max_allocated_storage: 100,
        storage_encrypted: true,
        publicly_accessible: false,
        manage_master_user_password: true,
        enabled_cloudwatch_logs_exports: ['error', 'slowquery'],
        // db.t4g.small: RDS offers no Performance Insights for MySQL there.
        performance_insights_enabled: false,
      });
      expect(after('aws_db_instance', 'catalogue').password).toBeNull();
      expect(after('aws_db_instance', 'reviews')).toMatchObject({
        engine: 'mysql',
        engine_version: '8.4.3',
        performance_insights_enabled: true,
        auto_minor_version_upgrade: false,
      });
      // At the platform's ceiling: no storage autoscaling.
      expect(after('aws_db_instance', 'ledger')).toMatchObject({ engine: 'postgres', allocated_storage: 100 });
      expect(after('aws_db_instance', 'ledger').max_allocated_storage ?? null).toBeNull();
      expect(after('aws_db_parameter_group', 'catalogue')).toMatchObject({ family: 'mysql8.0' });
      expect(after('aws_db_parameter_group', 'catalogue').name_prefix).toMatch(/-mysql8-0-$/);
      expect(after('aws_db_parameter_group', 'reviews')).toMatchObject({ family: 'mysql8.4' });
      expect(after('aws_db_parameter_group', 'catalogue').parameter).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'require_secure_transport', value: '1' })]),
      );
      expect(after('aws_vpc_security_group_ingress_rule', 'database-catalogue')).toMatchObject({ from_port: 3306, to_port: 3306 });
      expect(after('aws_vpc_security_group_ingress_rule', 'database-ledger')).toMatchObject({ from_port: 5432, to_port: 5432 });
    },
    TERRAFORM_TIMEOUT,
  );
});

describe('terraform plan of a main stack whose state still holds its subscription (day 2 of the move to subscriptions/)', () => {
  it(
    'forgets the subscription without unsubscribing it, and would unsubscribe it without the removed block',
    () => {
      ready();
      const orders = stacks.find((s) => s.id === 'examples/shop:orders')!;
      const key = 'payments-payment-completed';
      const dir = join(work, 'day2');
      cpSync(join(work, stackAt(orders)), dir, { recursive: true });
      writeFileSync(join(dir, 'zz_offline_override.tf'), OFFLINE_PROVIDER);
      // The S3 backend replaced by a local one, holding the state an apply before the move left behind.
      writeFileSync(join(dir, 'zz_backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
      writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(stateWithSubscription(orders, key)));
      const run = terraform(['init', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const plan = (): Array<{ address: string; change: { actions: string[] } }> => {
        const result = terraform(
          ['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-var-file=env/staging.tfvars', '-out=tfplan'],
          dir,
          FAKE_CREDENTIALS,
        );
        timings.push(`plan day 2 of examples/shop:orders: ${result.seconds.toFixed(1)} s`);
        expect(result.code, result.stderr).toBe(0);
        const show = terraform(['show', '-json', 'tfplan'], dir);
        expect(show.code, show.stderr).toBe(0);
        return (JSON.parse(show.stdout) as { resource_changes: Array<{ address: string; change: { actions: string[] } }> }).resource_changes;
      };
      const withRemoved = plan();
      expect(withRemoved.filter((c) => c.address === `aws_sns_topic_subscription.${key}`).map((c) => c.change.actions)).toEqual([['forget']]);
      expect(withRemoved.filter((c) => c.change.actions.includes('delete'))).toEqual([]);

      // The control: the same state planned without the removed block unsubscribes the queue.
      const messaging = join(dir, 'messaging.tf');
      writeFileSync(messaging, readFileSync(messaging, 'utf8').replace(/(#[^\n]*\n)*removed \{\n(  .*\n|\n)*?\}\n/g, ''));
      expect(readFileSync(messaging, 'utf8')).not.toContain('removed');
      const without = plan();
      expect(without.filter((c) => c.address === `aws_sns_topic_subscription.${key}`).map((c) => c.change.actions)).toEqual([['delete']]);
    },
    TERRAFORM_TIMEOUT,
  );
});

/** A Terraform state (format 4) holding only the subscription `key` as the old main stack created it in staging. */
function stateWithSubscription(stack: Stack, key: string): unknown {
  const tfvars = stack.printed.get(`${SUBSCRIPTIONS}env/staging.tfvars`)!;
  const arn = (field: string): string => new RegExp(`${field} = "([^"]+)"`).exec(tfvars)![1]!;
  const topicArn = arn('topic_arn');
  const subscriptionArn = `${topicArn}:0b5e6a3c-1d2f-4e5a-8b7c-9d0e1f2a3b4c`;
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: '5f0c1f43-2a4b-4c7d-9e8f-0a1b2c3d4e5f',
    outputs: {},
    resources: [
      {
        mode: 'managed',
        type: 'aws_sns_topic_subscription',
        name: key,
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [
          {
            schema_version: 0,
            attributes: {
              id: subscriptionArn,
              arn: subscriptionArn,
              topic_arn: topicArn,
              protocol: 'sqs',
              endpoint: arn('queue_arn'),
              raw_message_delivery: true,
              confirmation_timeout_in_minutes: 1,
              confirmation_was_authenticated: true,
              delivery_policy: '',
              endpoint_auto_confirms: false,
              filter_policy: '',
              filter_policy_scope: '',
              owner_id: /:(\d{12}):/.exec(topicArn)![1],
              pending_confirmation: false,
              redrive_policy: '',
              replay_policy: '',
              subscription_role_arn: '',
            },
            sensitive_attributes: [],
          },
        ],
      },
    ],
  };
}

/** Resources per type for the given stacks in both environments, counted from the specs rather than from the emitter. */
function expectedCounts(shop: readonly Stack[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (type: string, n: number): void => {
    if (n > 0) counts[type] = (counts[type] ?? 0) + n * ENVIRONMENTS.length;
  };
  for (const { service } of shop) {
    const { databases, caches, topics, subscriptions, buckets } = service.resources;
    const resources = databases.length + caches.length + topics.length + subscriptions.length + buckets.length;
    const versioned = buckets.filter((b) => b.versioned).length;
    add('aws_kms_key', resources + service.secrets.length > 0 ? 1 : 0);
    add('aws_kms_alias', resources + service.secrets.length > 0 ? 1 : 0);
    add('aws_iam_role', 1 + (databases.length > 0 ? 1 : 0));
    // Declared secrets alone give the pods nothing to do in AWS: External Secrets reads them.
    add('aws_iam_role_policy', resources > 0 ? 1 : 0);
    add('aws_iam_role_policy_attachment', databases.length > 0 ? 1 : 0);
    add('aws_eks_pod_identity_association', 1);
    for (const type of ['aws_db_instance', 'aws_db_parameter_group', 'aws_db_subnet_group']) add(type, databases.length);
    for (const type of ['aws_elasticache_replication_group', 'aws_elasticache_subnet_group', 'aws_elasticache_user_group']) add(type, caches.length);
    add('aws_elasticache_user', caches.length + (caches.length > 0 ? 1 : 0));
    add('aws_security_group', databases.length + caches.length);
    add('aws_vpc_security_group_ingress_rule', databases.length + caches.length);
    add('aws_sns_topic', topics.length);
    add('aws_sns_topic_policy', topics.length);
    add('aws_sqs_queue', 2 * subscriptions.length);
    for (const type of ['aws_sqs_queue_policy', 'aws_sqs_queue_redrive_allow_policy', 'aws_sns_topic_subscription']) add(type, subscriptions.length);
    for (const suffix of [
      '',
      '_public_access_block',
      '_ownership_controls',
      '_server_side_encryption_configuration',
      '_logging',
      '_lifecycle_configuration',
      '_policy',
    ])
      add(`aws_s3_bucket${suffix}`, buckets.length);
    add('aws_s3_bucket_versioning', versioned);
    add('aws_secretsmanager_secret', resources + service.secrets.length);
    add('aws_secretsmanager_secret_version', resources);
  }
  return counts;
}
