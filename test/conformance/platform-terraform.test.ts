import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileResult } from '../../compiler/compile.js';
import { BOOTSTRAP_OVERRIDE } from '../../emitters/platform/terraform/root.js';
import { compileDir, REPO, serviceYaml, validateTexts } from '../support/helpers.js';
import { PLUGIN_DIR, requireTerraform, terraform, TERRAFORM_ROOTS } from '../support/terraform-helpers.js';

/**
 * The platform root (`<output>/_platform/terraform/`) against the real tools,
 * like the service stacks (test/conformance/terraform-conformance.test.ts): terraform fmt,
 * validate against the real AWS provider, and an offline plan of
 * examples/shop's root in staging and production. Then what it grants, checked
 * against the service stacks' own generated files, not the function that
 * lists the secrets.
 */
const ENVIRONMENTS = ['staging', 'production'] as const;
const OFFLINE_PROVIDER = `provider "aws" {
  allowed_account_ids         = null
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-only-not-a-key', AWS_EC2_METADATA_DISABLED: 'true' };
const slug = (text: string): string => text.replace(/[^A-Za-z0-9]+/g, '_');

interface Compiled {
  readonly root: string;
  readonly result: CompileResult;
  /** Path under `_platform/terraform/` → contents. */
  readonly platform: ReadonlyMap<string, string>;
}

const compiled: Compiled[] = TERRAFORM_ROOTS.map((root) => {
  const result = compileDir(join(REPO, root));
  if (!result.project) throw new Error(`${root} does not compile: ${JSON.stringify(result.diagnostics)}`);
  const prefix = `${result.project.output.dir}/_platform/terraform/`;
  return { root, result, platform: new Map(result.files.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length), f.contents])) };
});

let work = '';
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
  work = mkdtempSync(join(tmpdir(), 'paved-platform-'));
  for (const { root, platform } of compiled) {
    for (const [path, contents] of platform) {
      const target = join(work, 'roots', slug(root), path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, contents);
    }
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A module per root and environment, with that environment's tfvars as its arguments (tfvars are attribute lists, like a module body). */
function caller(entries: ReadonlyArray<{ readonly id: string; readonly source: (env: string) => string; readonly tfvars: (env: string) => string }>): string {
  return entries
    .flatMap(({ id, source, tfvars }) => ENVIRONMENTS.map((env) => `module "${slug(`${id}_${env}`)}" {\n  source = "${source(env)}"\n${tfvars(env)}}\n`))
    .join('\n');
}

function init(dir: string, options: { backend?: boolean } = {}): void {
  const run = terraform(['init', ...(options.backend ? [] : ['-backend=false']), `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
  expect(run.code, run.stderr + run.stdout).toBe(0);
}

describe('the platform root', () => {
  it('is emitted for every fixture and example, with the files of a root module and both environments', () => {
    let withoutClusterChecks = 0;
    for (const { root, result, platform } of compiled) {
      // cluster.tf checks the VPC CNI's network policy setting through the AWS API; Cilium or Calico it cannot see.
      const vpcCni = result.project!.platform.kubernetes.networkPolicy.enforcement === 'vpc-cni';
      if (!vpcCni) withoutClusterChecks++;
      expect([...platform.keys()].sort(), root).toEqual(
        [
          '.terraform.lock.hcl',
          'ci.tf',
          ...(vpcCni ? ['cluster.tf'] : []),
          'env/production.s3.tfbackend',
          'env/production.tfvars',
          'env/staging.s3.tfbackend',
          'env/staging.tfvars',
          'eso.tf',
          'outputs.tf',
          'providers.tf',
          'state.tf',
          'variables.tf',
          'versions.tf',
        ].sort(),
      );
      expect(platform.get('versions.tf'), root).toContain('terraform init -backend-config=env/<env>.s3.tfbackend -migrate-state');
    }
    // fixtures/cases/egress-cilium: without it the branch above would be untested.
    expect(withoutClusterChecks).toBeGreaterThan(0);
  });

  it('passes terraform fmt, the .s3.tfbackend files as .tfvars copies', () => {
    ready();
    const dir = join(work, 'fmt');
    cpSync(join(work, 'roots'), dir, { recursive: true });
    for (const { root, platform } of compiled)
      for (const env of ENVIRONMENTS) writeFileSync(join(dir, slug(root), `${env}-backend.tfvars`), platform.get(`env/${env}.s3.tfbackend`)!);
    const run = terraform(['fmt', '-check', '-recursive', '-list=true', '.'], dir);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('passes terraform validate against the real AWS provider in both environments of every fixture', () => {
    ready();
    const dir = join(work, 'validate');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'main.tf'),
      caller(compiled.map(({ root, platform }) => ({ id: root, source: () => `../roots/${slug(root)}`, tfvars: (env) => platform.get(`env/${env}.tfvars`)! }))),
    );
    init(dir);
    const run = terraform(['validate', '-json', '-no-color'], dir);
    const result = JSON.parse(run.stdout) as { valid: boolean; diagnostics: Array<{ severity: string; summary: string; detail?: string }> };
    const problems = result.diagnostics
      .filter((d) => !(d.severity === 'warning' && d.summary === 'Backend configuration ignored'))
      .map((d) => `${d.severity} ${d.summary}: ${d.detail ?? ''}`);
    expect(problems).toEqual([]);
    expect(result.valid).toBe(true);
  }, 600_000);

  it("plans offline for examples/shop's staging and production and creates exactly the expected resources", () => {
    ready();
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    const dir = join(work, 'plan');
    for (const env of ENVIRONMENTS) {
      cpSync(join(work, 'roots', slug(shop.root)), join(dir, env), { recursive: true });
      writeFileSync(join(dir, env, 'zz_offline_override.tf'), OFFLINE_PROVIDER);
    }
    writeFileSync(join(dir, 'main.tf'), caller([{ id: 'shop', source: (env) => `./${env}`, tfvars: (env) => shop.platform.get(`env/${env}.tfvars`)! }]));
    init(dir);
    const plan = terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-out=tfplan'], dir, FAKE_CREDENTIALS);
    expect(plan.code, plan.stderr).toBe(0);
    const show = terraform(['show', '-json', 'tfplan'], dir);
    const changes = (
      JSON.parse(show.stdout) as {
        resource_changes: Array<{ address: string; type: string; mode: string; change: { actions: string[]; after: Record<string, unknown> } }>;
      }
    ).resource_changes.filter((c) => c.mode === 'managed');
    expect(new Set(changes.map((c) => c.change.actions.join('+')))).toEqual(new Set(['create']));
    const count = (prefix: string): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const c of changes.filter((c) => c.address.startsWith(prefix))) counts[c.type] = (counts[c.type] ?? 0) + 1;
      return counts;
    };
    const state = {
      aws_kms_key: 1,
      aws_kms_alias: 1,
      aws_s3_bucket: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_ownership_controls: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_versioning: 1,
      aws_s3_bucket_logging: 1,
      aws_s3_bucket_lifecycle_configuration: 1,
      aws_s3_bucket_policy: 1,
    };
    const eso = { aws_eks_pod_identity_association: 1 };
    // Staging's account holds the preview and staging CI roles: 2 + 6 policy attachments, the preview's inline policy and access entry.
    expect(count('module.shop_staging.')).toEqual({
      ...state,
      ...eso,
      aws_iam_openid_connect_provider: 1,
      aws_iam_role: 3,
      aws_iam_role_policy: 2,
      aws_iam_policy: 6,
      aws_iam_role_policy_attachment: 8,
      aws_eks_access_entry: 1,
    });
    // Production's holds the production CI role (6 attachments) and the production plan role (state read and plan: 2).
    expect(count('module.shop_production.')).toEqual({
      ...state,
      ...eso,
      aws_iam_openid_connect_provider: 1,
      aws_iam_role: 3,
      aws_iam_role_policy: 1,
      aws_iam_policy: 6,
      aws_iam_role_policy_attachment: 8,
    });
    const buckets = changes.filter((c) => c.type === 'aws_s3_bucket').map((c) => c.change.after.bucket);
    expect(buckets.sort()).toEqual(['shop-prd-tfstate', 'shop-stg-tfstate']);
    // IAM's limit for a managed policy is 6,144 characters; the CI policies do not grow with the number of services.
    for (const c of changes.filter((c) => c.type === 'aws_iam_policy')) expect(String(c.change.after.policy).length, c.address).toBeLessThan(6144);
  }, 600_000);

  it('bootstraps as versions.tf says: with the local-backend override file, init and plan run in the root itself', () => {
    ready();
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    const dir = join(work, 'bootstrap');
    cpSync(join(work, 'roots', slug(shop.root)), dir, { recursive: true });
    writeFileSync(join(dir, 'zz_offline_override.tf'), OFFLINE_PROVIDER);
    // The file the printed instructions create, read back from them rather than written here.
    const note = shop.platform
      .get('versions.tf')!
      .split('\n')
      .find((line) => line.includes(BOOTSTRAP_OVERRIDE) && line.includes('printf'))!;
    const printf = /printf '(.*)' > /.exec(note)![1]!.replaceAll('\\n', '\n');
    writeFileSync(join(dir, BOOTSTRAP_OVERRIDE), printf);
    init(dir, { backend: true });
    const plan = terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-var-file=env/staging.tfvars'], dir, FAKE_CREDENTIALS);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
  }, 600_000);

  it('day 2: a root whose state holds the DynamoDB lock table an earlier paved created forgets it, never destroys it', () => {
    ready();
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    const dir = join(work, 'day2');
    cpSync(join(work, 'roots', slug(shop.root)), dir, { recursive: true });
    writeFileSync(join(dir, 'zz_offline_override.tf'), OFFLINE_PROVIDER);
    writeFileSync(join(dir, BOOTSTRAP_OVERRIDE), 'terraform {\n  backend "local" {}\n}\n');
    // The table as the previous paved's state.tf created it (resource aws_dynamodb_table.lock).
    const table = {
      id: 'shop-tflock',
      name: 'shop-tflock',
      arn: 'arn:aws:dynamodb:eu-west-1:210987654321:table/shop-tflock',
      hash_key: 'LockID',
      billing_mode: 'PAY_PER_REQUEST',
      deletion_protection_enabled: true,
    };
    const state = {
      version: 4,
      terraform_version: '1.9.8',
      serial: 1,
      lineage: '00000000-0000-4000-8000-000000000001',
      outputs: {},
      resources: [
        {
          mode: 'managed',
          type: 'aws_dynamodb_table',
          name: 'lock',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ schema_version: 1, attributes: table, sensitive_attributes: [] }],
        },
      ],
      check_results: null,
    };
    writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(state));
    init(dir, { backend: true });
    const plan = terraform(
      ['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-var-file=env/staging.tfvars', '-out=tfplan'],
      dir,
      FAKE_CREDENTIALS,
    );
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('# aws_dynamodb_table.lock will no longer be managed by Terraform, but will not be destroyed');
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    const show = JSON.parse(terraform(['show', '-json', 'tfplan'], dir).stdout) as {
      resource_changes: Array<{ address: string; change: { actions: string[] } }>;
    };
    expect(show.resource_changes.filter((c) => c.address.includes('dynamodb')).map((c) => [c.address, c.change.actions])).toEqual([
      ['aws_dynamodb_table.lock', ['forget']],
    ]);
  }, 600_000);
});

/**
 * A printed tfvars file as data: every line `key = value` becomes `"key": value,`
 * and the whole a JavaScript object literal (HCL lists already end items with
 * commas). Read from the text the compile wrote, not from the emitter's values.
 */
function tfvars(text: string): Record<string, unknown> {
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => line.replace(/^(\s*)("?)([A-Za-z0-9_./-]+)\2\s*=\s*/, '$1"$3": '))
    .map((line) => (/[[{,]$/.test(line) ? line : `${line},`));
  return new Function(`return {\n${lines.join('\n')}\n};`)() as Record<string, unknown>;
}

describe("the External Secrets Operator's access", () => {
  it('lists exactly the secrets, keys and databases the service stacks create, per environment', () => {
    for (const { root, result, platform } of compiled) {
      const out = result.project!.output.dir;
      for (const env of ENVIRONMENTS) {
        const secrets: string[] = [];
        const aliases: string[] = [];
        const databases: string[] = [];
        for (const service of result.project!.services) {
          const stack = result.files.find((f) => f.path === `${out}/${service.name}/terraform/env/${env}.tfvars`);
          const tf = (name: string): string => result.files.find((f) => f.path === `${out}/${service.name}/terraform/${name}`)?.contents ?? '';
          if (!stack) continue;
          const values = tfvars(stack.contents);
          const declared = (values.secrets ?? {}) as Record<string, string>;
          secrets.push(...Object.values(declared));
          // platform_resources: the objects beside each platform resource type module (issue 20).
          for (const key of ['databases', 'caches', 'topics', 'subscriptions', 'buckets', 'platform_resources']) {
            for (const entry of Object.values((values[key] ?? {}) as Record<string, { connection_secret?: string }>))
              if (entry.connection_secret) secrets.push(entry.connection_secret);
          }
          // Every secret a stack creates is encrypted with its key (aws_kms_key.service), named by kms_alias.
          if (
            /resource "aws_secretsmanager_secret"/.test(
              tf('secrets.tf') + tf('database.tf') + tf('cache.tf') + tf('messaging.tf') + tf('storage.tf') + tf('resource-types.tf'),
            )
          )
            aliases.push(values.kms_alias as string);
          for (const db of Object.values((values.databases ?? {}) as Record<string, { identifier: string }>)) databases.push(db.identifier);
        }
        const granted = tfvars(platform.get(`env/${env}.tfvars`)!);
        expect(new Set((granted.eso_secret_names ?? []) as string[]), `${root} ${env}`).toEqual(new Set(secrets));
        expect(((granted.eso_secret_names ?? []) as string[]).length, `${root} ${env}: each once`).toBe(secrets.length);
        expect(new Set((granted.eso_kms_aliases ?? []) as string[]), `${root} ${env}`).toEqual(new Set(aliases));
        expect(new Set((granted.eso_database_identifiers ?? []) as string[]), `${root} ${env}`).toEqual(new Set(databases));
      }
    }
  });

  it('reads each secret by its ARN (name and the six random characters), decrypts only through Secrets Manager and only keys with those aliases', () => {
    const eso = compiled.find((c) => c.root === 'examples/shop')!.platform.get('eso.tf')!;
    expect(eso).toContain(
      'formatlist("arn:%s:secretsmanager:%s:%s:secret:%s-??????", data.aws_partition.current.partition, var.aws_region, var.aws_account_id, var.eso_secret_names)',
    );
    expect(eso).toContain('"kms:ViaService" = "secretsmanager.${var.aws_region}.amazonaws.com"');
    expect(eso).toContain('"kms:ResourceAliases" = var.eso_kms_aliases');
    expect(eso).toContain('"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = formatlist("arn:%s:rds:%s:%s:db:%s"');
    expect(eso).toMatch(
      /"aws:RequestTag\/eks-cluster-arn" += "arn:\$\{data\.aws_partition\.current\.partition\}:eks:\$\{var\.aws_region\}:\$\{var\.aws_account_id\}:cluster\/\$\{var\.cluster_name\}"/,
    );
  });

  it('binds to the namespace and ServiceAccount platform.yaml names (fixtures/cases/full: eso / eso-controller)', () => {
    const full = compiled.find((c) => c.root === 'fixtures/cases/full')!;
    const values = tfvars(full.platform.get('env/production.tfvars')!);
    expect([values.eso_namespace, values.eso_service_account]).toEqual(['eso', 'eso-controller']);
  });
});

describe('the CI roles', () => {
  it('trust only this repository: pull requests and main (the preview sweep) for preview, the GitHub environment for staging and production', () => {
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    expect(tfvars(shop.platform.get('env/staging.tfvars')!).ci_roles).toEqual({
      preview: {
        name: 'shop-ci-preview',
        path: '/',
        subjects: ['repo:shop-example/platform-gitops:pull_request', 'repo:shop-example/platform-gitops:ref:refs/heads/main'],
        applies: false,
        deploys_previews: true,
      },
      staging: {
        name: 'shop-ci-staging',
        path: '/',
        subjects: ['repo:shop-example/platform-gitops:environment:staging'],
        applies: true,
        deploys_previews: false,
      },
    });
    const full = compiled.find((c) => c.root === 'fixtures/cases/full')!;
    expect(tfvars(full.platform.get('env/production.tfvars')!).ci_roles).toEqual({
      production: {
        name: 'acme-ci-production',
        path: '/ci/',
        subjects: ['repo:acme-example/gitops:environment:production'],
        applies: true,
        deploys_previews: false,
      },
      // The production plan job runs before the approval, in an environment of its own, and may only read state and plan.
      'production-plan': {
        name: 'acme-ci-production-plan',
        path: '/ci/',
        subjects: ['repo:acme-example/gitops:environment:production-plan'],
        applies: false,
        deploys_previews: false,
      },
    });
    // fixtures/cases/full says the accounts already hold GitHub's provider.
    expect(full.platform.get('ci.tf')).toContain('data "aws_iam_openid_connect_provider" "github"');
    expect(shop.platform.get('ci.tf')).toContain('resource "aws_iam_openid_connect_provider" "github"');
  });

  it("reach the state of exactly the project's services in their environment", () => {
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    const services = shop.result.project!.services.map((s) => s.name);
    for (const env of ENVIRONMENTS)
      expect(tfvars(shop.platform.get(`env/${env}.tfvars`)!).ci_state_prefixes).toEqual(services.map((s) => `services/${s}/${env}/`));
  });
});

describe('state storage per account', () => {
  it("puts each environment's service stacks in that environment's bucket, locked there with a lock file, and the platform root's own state beside them", () => {
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    const backend = (path: string): string => shop.result.files.find((f) => f.path === path)!.contents;
    expect(backend('generated/orders/terraform/env/staging.s3.tfbackend')).toContain('bucket       = "shop-stg-tfstate"');
    expect(backend('generated/orders/terraform/env/production.s3.tfbackend')).toContain('bucket       = "shop-prd-tfstate"');
    expect(shop.platform.get('env/production.s3.tfbackend')).toContain('key          = "platform/terraform.tfstate"');
    expect(shop.platform.get('env/production.s3.tfbackend')).toContain('bucket       = "shop-prd-tfstate"');
    // S3 native locking (Terraform >= 1.10), no DynamoDB table, in every root of every fixture.
    for (const { root, result } of compiled) {
      const backends = result.files.filter((f) => f.path.endsWith('.s3.tfbackend'));
      expect(backends.length, root).toBeGreaterThan(2);
      for (const file of backends) {
        expect(file.contents, file.path).toContain('use_lockfile = true');
        expect(file.contents, file.path).not.toContain('dynamodb_table');
      }
    }
  });

  it('gives staging and production different state buckets by default, in the example and in every fixture with two accounts', () => {
    for (const { root, result } of compiled) {
      const project = result.project!;
      const { stateBucket } = project.platform.terraform;
      if (project.platform.cloud.accounts.staging !== project.platform.cloud.accounts.production)
        expect(stateBucket.staging, root).not.toBe(stateBucket.production);
    }
    const shop = compiled.find((c) => c.root === 'examples/shop')!;
    expect(shop.result.project!.platform.terraform.stateBucket).toEqual({ staging: 'shop-stg-tfstate', production: 'shop-prd-tfstate' });
  });
});

describe('platform.yaml checks for the platform root', () => {
  const platform = (extra: string): string =>
    `apiVersion: paved/v1\nkind: Platform\ncloud:\n  accounts: { staging: "111111111111", production: "222222222222" }\n${extra}`;

  it("rejects a CI role outside its environment's account, at the ARN", () => {
    const result = validateTexts(
      { 'services/orders/service.yaml': serviceYaml() },
      platform('ci:\n  roleArns:\n    preview: arn:aws:iam::111111111111:role/ci-preview\n    production: arn:aws:iam::111111111111:role/ci-production\n'),
    );
    expect(result.diagnostics.map((d) => [d.code, d.message, d.hint, d.range?.line, d.range?.col])).toEqual([
      [
        'SPEC.CI_ROLE_ACCOUNT',
        "ci.roleArns.production: the role is in account 111111111111, but production's account (cloud.accounts.production) is 222222222222",
        "paved's platform root for production creates this role in account 222222222222: write that account id in the ARN, or correct cloud.accounts.production",
        8,
        17,
      ],
    ]);
  });

  it("rejects preview's CI role outside the staging account", () => {
    const result = validateTexts(
      { 'services/orders/service.yaml': serviceYaml() },
      platform('ci:\n  roleArns:\n    preview: arn:aws:iam::222222222222:role/ci-preview\n'),
    );
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        'SPEC.CI_ROLE_ACCOUNT',
        "ci.roleArns.preview: the role is in account 222222222222, but preview's CI role belongs in the staging account (cloud.accounts.staging) is 111111111111",
      ],
    ]);
  });

  it('warns about one state bucket for two accounts, and accepts one per environment', () => {
    const shared = validateTexts({ 'services/orders/service.yaml': serviceYaml() }, platform('terraform:\n  stateBucket: acme-tfstate\n'));
    expect(shared.diagnostics.map((d) => [d.code, d.severity, d.range?.line])).toEqual([['SPEC.SHARED_STATE_BUCKET', 'warning', 6]]);
    expect(shared.valid).toBeDefined();
    const split = validateTexts(
      { 'services/orders/service.yaml': serviceYaml() },
      platform('terraform:\n  stateBucket: { staging: acme-stg-tfstate, production: acme-prd-tfstate }\n'),
    );
    expect(split.diagnostics).toEqual([]);
  });
});
