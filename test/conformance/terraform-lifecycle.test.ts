import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statements } from '../../compiler/policy/terraform-facts.js';
import { acknowledgesLoss } from '../../emitters/shared/data-loss.js';
import { STATEFUL_RESOURCE_TYPES } from '../../emitters/shared/terraform-replacement.js';
import type { FoundResource } from '../../compiler/policy/view.js';
import { deployedName, names, TERRAFORM_UNIQUE_SUFFIX_LENGTH } from '../../spec/naming.js';
import { compileDir, scratchCopy, serviceYaml } from '../support/helpers.js';
import { allStacks, requireTerraform, resourcesOf, stacksOf, terraform, tfvarsOf, type Stack } from '../support/terraform-helpers.js';

/**
 * Issue 15, the service stack: the pod role's trust (item 11) and policy
 * (items 1 and 13), and names that survive replacement and re-creation (item 14).
 */
const stacks = allStacks();
const databases = resourcesOf(stacks, 'aws_db_instance');
const rolePolicies = resourcesOf(stacks, 'aws_iam_role_policy');
/** The test's stack of a found resource: resourcesOf over allStacks() finds nothing else. */
const stackOfResource = (r: FoundResource): Stack => r.stack as Stack;

/** The stack of one service compiled from service.yaml text under the embedded platform. */
function stackOf(resources: string): Stack {
  const scratch = scratchCopy();
  try {
    mkdirSync(join(scratch.dir, 'orders'));
    writeFileSync(join(scratch.dir, 'orders', 'service.yaml'), serviceYaml('orders', resources));
    return stacksOf(compileDir(scratch.dir), 'scratch')[0]!;
  } finally {
    scratch.cleanup();
  }
}

describe("the pod role's trust policy (item 11)", () => {
  it("admits EKS Pod Identity only for the environment's own cluster, by aws:SourceAccount and the session tags Pod Identity sets (cluster ARN, namespace, ServiceAccount)", () => {
    const roles = resourcesOf(stacks, 'aws_iam_role').filter((r) => r.name === 'service');
    expect(roles.length).toBe(stacks.length);
    for (const role of roles) {
      expect(statements(role.body.assume_role_policy), role.stack.id).toEqual([
        {
          Sid: 'EksPodIdentity',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '${var.aws_account_id}',
              'aws:RequestTag/eks-cluster-arn':
                'arn:${data.aws_partition.current.partition}:eks:${var.aws_region}:${var.aws_account_id}:cluster/${var.cluster_name}',
              'aws:RequestTag/kubernetes-namespace': role.stack.service.name,
              'aws:RequestTag/kubernetes-service-account': role.stack.service.name,
            },
          },
        },
      ]);
    }
  });

  it("resolves the cluster ARN through each environment's tfvars to the platform's cluster in that environment's account", () => {
    for (const stack of stacks) {
      for (const env of ['staging', 'production'] as const) {
        const vars = tfvarsOf(stack, env);
        const { cloud, kubernetes } = stack.project.platform;
        expect([vars.aws_account_id, vars.aws_region, vars.cluster_name], `${stack.id} ${env}`).toEqual([
          cloud.accounts[env],
          cloud.region,
          kubernetes.clusters[env],
        ]);
      }
    }
  });
});

describe("the pod role's policy (items 1 and 13)", () => {
  it('grants no Secrets Manager action: External Secrets reads the secrets with its own identity', () => {
    expect(rolePolicies.length).toBeGreaterThan(5);
    for (const policy of rolePolicies) {
      for (const statement of statements(policy.body.policy)) {
        expect([statement.Sid, [statement.Action].flat().filter((a) => a.startsWith('secretsmanager:'))], policy.stack.id).toEqual([statement.Sid, []]);
        expect(statement.Sid).not.toBe('ReadOwnSecrets');
      }
    }
  });

  it('keeps the service key for what pods decrypt or encrypt themselves (queues, topics, buckets), and drops it and the role policy where they use none', () => {
    const sids = (stack: Stack): string[] => resourcesOf([stack], 'aws_iam_role_policy').flatMap((p) => statements(p.body.policy).map((s) => s.Sid));
    expect(sids(stackOf('secrets: [API_TOKEN]\n'))).toEqual([]);
    expect(sids(stackOf('secrets: [API_TOKEN]\nresources:\n  databases: [{ name: main }]\n'))).toEqual(['ConnectToDatabaseMain']);
    const withTopic = stackOf('resources:\n  topics: [{ name: events }]\n');
    expect(sids(withTopic)).toContain('UseServiceKey');
    const useKey = resourcesOf([withTopic], 'aws_iam_role_policy')
      .flatMap((p) => statements(p.body.policy))
      .find((s) => s.Sid === 'UseServiceKey')!;
    expect(useKey.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('limits every S3 grant to buckets of the environment account (s3:ResourceAccount), so a bucket name taken by another account is never written', () => {
    let checked = 0;
    for (const policy of rolePolicies) {
      for (const statement of statements(policy.body.policy).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')))) {
        expect(statement.Condition, `${policy.stack.id} ${statement.Sid}`).toEqual({ StringEquals: { 's3:ResourceAccount': '${var.aws_account_id}' } });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('keeps bucket names as they were, so no existing bucket is replaced', () => {
    const buckets = resourcesOf(stacks, 'aws_s3_bucket');
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      expect(bucket.body.bucket_prefix, bucket.stack.id).toBeUndefined();
      const stack = stackOfResource(bucket);
      const name = (tfvarsOf(stack, 'production').buckets as Record<string, { bucket: string }>)[bucket.name]!.bucket;
      // Under the name it was deployed as: a bucket renamed in the spec (renamedFrom) keeps its own.
      const entry = stack.service.resources.buckets.find((b) => b.name === bucket.name)!;
      expect(name).toBe(
        names.s3Bucket(stack.project.platform.name, stack.project.platform.cloud.bucketNameSuffix, stack.service.name, 'production', deployedName(entry)),
      );
    }
  });
});

describe('names that survive replacement and re-creation (item 14)', () => {
  it('names each final snapshot after its instance’s creation time and never updates it afterwards', () => {
    expect(databases.length).toBeGreaterThan(2);
    for (const db of databases) {
      expect(db.body.final_snapshot_identifier, db.stack.id).toBe(
        `\${var.databases["${db.name}"].final_snapshot}-\${formatdate("YYYYMMDDhhmmss", timestamp())}`,
      );
      const retiring = acknowledgesLoss(db.stack.service, `databases.${db.name}`);
      expect(db.body.lifecycle).toEqual([{ ...(retiring ? {} : { prevent_destroy: true }), ignore_changes: ['${final_snapshot_identifier}'] }]);
    }
    // inventory acknowledges losing stock-history (dataLoss:); fixtures/cases/retired's mailer, retired, everything it owns.
    expect(databases.filter((db) => acknowledgesLoss(db.stack.service, `databases.${db.name}`)).map((db) => `${db.stack.id} ${db.name}`)).toEqual([
      'fixtures/cases/retired:mailer main',
      'fixtures/cases/terraform-every-primitive:inventory stock-history',
    ]);
  });

  it('names each cache`s final snapshot after its replication group`s creation time, like a database`s', () => {
    const caches = resourcesOf(stacks, 'aws_elasticache_replication_group');
    expect(caches.length).toBeGreaterThan(2);
    for (const cache of caches) {
      expect(cache.body.final_snapshot_identifier, cache.stack.id).toBe(
        `\${var.caches["${cache.name}"].replication_group_id}-final-\${formatdate("YYYYMMDDhhmmss", timestamp())}`,
      );
      const retiring = acknowledgesLoss(cache.stack.service, `caches.${cache.name}`);
      expect(cache.body.lifecycle).toEqual([{ ...(retiring ? {} : { prevent_destroy: true }), ignore_changes: ['${final_snapshot_identifier}'] }]);
    }
    expect(caches.filter((cache) => acknowledgesLoss(cache.stack.service, `caches.${cache.name}`)).map((cache) => `${cache.stack.id} ${cache.name}`)).toEqual([
      'fixtures/cases/retired:mailer sessions',
    ]);
  });

  it('protects every stateful resource with prevent_destroy unless its service acknowledges losing it (dataLoss:) or is retired, whatever the overrides', () => {
    const stateful = stacks.flatMap((stack) => STATEFUL_RESOURCE_TYPES.flatMap((type) => resourcesOf([stack], type)));
    expect(stateful.length).toBeGreaterThan(50);
    const unprotected = stateful
      .filter((r) => !(r.body.lifecycle as Array<{ prevent_destroy?: boolean }> | undefined)?.some((l) => l.prevent_destroy === true))
      .map((r) => `${r.stack.id} ${r.type}.${r.name}`);
    expect(unprotected.sort()).toEqual([
      // Retired: everything its stacks hold, its subscriptions root's queues included.
      'fixtures/cases/retired:mailer aws_db_instance.main',
      'fixtures/cases/retired:mailer aws_elasticache_replication_group.sessions',
      'fixtures/cases/retired:mailer aws_kms_key.service',
      'fixtures/cases/retired:mailer aws_s3_bucket.outbox',
      'fixtures/cases/retired:mailer aws_secretsmanager_secret.bucket-outbox',
      'fixtures/cases/retired:mailer aws_secretsmanager_secret.cache-sessions',
      'fixtures/cases/retired:mailer aws_secretsmanager_secret.database-main',
      'fixtures/cases/retired:mailer aws_secretsmanager_secret.queue-ledger-entries',
      'fixtures/cases/retired:mailer aws_secretsmanager_secret.secret-SMTP_PASSWORD',
      'fixtures/cases/retired:mailer aws_sqs_queue.ledger-entries',
      'fixtures/cases/retired:mailer aws_sqs_queue.ledger-entries-dlq',
      'fixtures/cases/terraform-every-primitive:inventory aws_db_instance.stock-history',
      'fixtures/cases/terraform-every-primitive:inventory aws_s3_bucket.scratch-space',
      'fixtures/cases/terraform-every-primitive:inventory aws_secretsmanager_secret.bucket-scratch-space',
      'fixtures/cases/terraform-every-primitive:inventory aws_secretsmanager_secret.database-stock-history',
    ]);
  });

  it('gives parameter groups a name_prefix, so create_before_destroy never meets the old name', () => {
    const groups = resourcesOf(stacks, 'aws_db_parameter_group');
    expect(groups.length).toBe(databases.length);
    for (const group of groups) {
      expect(group.body.name, group.stack.id).toBeUndefined();
      expect(group.body.name_prefix).toBe(`\${var.databases["${group.name}"].parameter_group_prefix}`);
      expect(group.body.lifecycle).toEqual([{ create_before_destroy: true }]);
      for (const env of ['staging', 'production'] as const) {
        const prefix = (tfvarsOf(stackOfResource(group), env).databases as Record<string, { parameter_group_prefix: string }>)[group.name]!
          .parameter_group_prefix;
        // The engine family, a group name taking no dot: postgres16, mysql8-0.
        expect(prefix).toMatch(/^[a-z][a-z0-9-]*-(postgres\d+|mysql\d+-\d+)-$/);
        expect(prefix.length + TERRAFORM_UNIQUE_SUFFIX_LENGTH).toBeLessThanOrEqual(255);
      }
    }
  });

  it('deletes connection secrets at once (Terraform rewrites them) and keeps a removed declared secret restorable for 7 days', () => {
    const secrets = resourcesOf(stacks, 'aws_secretsmanager_secret');
    const declared = secrets.filter((s) => s.name.startsWith('secret-'));
    expect(declared.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(declared.length);
    for (const secret of secrets)
      expect([secret.stack.id, secret.name, secret.body.recovery_window_in_days]).toEqual([
        secret.stack.id,
        secret.name,
        secret.name.startsWith('secret-') ? 7 : 0,
      ]);
  });

  it('keeps automatic minor upgrades for a major-only engine_version and turns them off, with a printed waiver, for a pinned minor', () => {
    // A MySQL major has two parts ("8.0"): only a third pins a minor.
    const pinned = databases.filter((db) => String(db.body.engine_version).split('.').length > (db.body.engine === 'mysql' ? 2 : 1));
    expect(databases.some((db) => db.body.engine === 'mysql' && pinned.includes(db))).toBe(true);
    expect(databases.some((db) => db.body.engine === 'mysql' && !pinned.includes(db))).toBe(true);
    expect(pinned.length).toBeGreaterThan(0);
    expect(databases.length).toBeGreaterThan(pinned.length);
    for (const db of databases) {
      const isPinned = pinned.includes(db);
      expect([db.stack.id, db.name, db.body.engine_version, db.body.auto_minor_version_upgrade]).toEqual([
        db.stack.id,
        db.name,
        db.body.engine_version,
        !isPinned,
      ]);
      expect(
        db.comments.some((c) => c.includes('CKV_AWS_226')),
        `${db.stack.id} ${db.name}`,
      ).toBe(isPinned);
    }
  });
});

describe('what the lifecycle settings rely on, shown with the real terraform', () => {
  /** A root with one terraform_data (built in: no provider to install) named like a final snapshot. */
  function snapshotLike(ignoreChanges: boolean): string {
    const lifecycle = ignoreChanges ? '  lifecycle {\n    ignore_changes = [input]\n  }\n' : '';
    return `resource "terraform_data" "instance" {\n  input = "orders-stg-main-final-\${formatdate("YYYYMMDDhhmmss", timestamp())}"\n${lifecycle}}\n\noutput "name" {\n  value = terraform_data.instance.output\n}\n`;
  }

  function inRoot<T>(text: string, run: (dir: string) => T): T {
    requireTerraform();
    const dir = mkdtempSync(join(tmpdir(), 'paved-lifecycle-'));
    try {
      writeFileSync(join(dir, 'main.tf'), text);
      const init = terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
      expect(init.code, init.stderr).toBe(0);
      return run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const apply = (dir: string, ...extra: string[]): string => {
    const run = terraform(['apply', '-auto-approve', '-input=false', '-no-color', ...extra], dir);
    expect(run.code, run.stderr).toBe(0);
    const output = terraform(['output', '-raw', 'name'], dir);
    return output.stdout;
  };
  /** terraform plan -detailed-exitcode: 0 no changes, 2 changes. */
  const planCode = (dir: string): number => terraform(['plan', '-detailed-exitcode', '-input=false', '-no-color'], dir).code;

  it('takes timestamp() once at creation under ignore_changes: the next plan is empty, and a replacement gets a name of its own', () => {
    inRoot(snapshotLike(true), (dir) => {
      const first = apply(dir);
      expect(first).toMatch(/^orders-stg-main-final-\d{14}$/);
      expect(planCode(dir)).toBe(0);
      // A new second, so the replacement's creation time differs.
      const start = Date.now();
      while (Date.now() - start < 1100) {
        /* wait */
      }
      const second = apply(dir, '-replace=terraform_data.instance');
      expect(second).toMatch(/^orders-stg-main-final-\d{14}$/);
      expect(second).not.toBe(first);
      expect(planCode(dir)).toBe(0);
    });
  });

  it('would show a change on every plan without ignore_changes, which is why the stack sets it', () => {
    inRoot(snapshotLike(false), (dir) => {
      apply(dir);
      expect(planCode(dir)).toBe(2);
    });
  });
});
