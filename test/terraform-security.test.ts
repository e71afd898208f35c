import { describe, expect, it } from 'vitest';
import { WAIVERS, waiverComments, type Waiver } from '../emitters/terraform/waivers.js';
import { allStacks, resourcesOf, tfvarsOf, type FoundResource, type Plain } from './terraform-helpers.js';

/**
 * security-rules.md §1, one test per row, named after its checkov and trivy ids,
 * over the typed stacks of every golden fixture and examples/shop (the values
 * that are printed, so a rule checked here holds in the files). Every test first
 * asserts that the resources it checks exist, so none passes on nothing.
 */
const stacks = allStacks();
const SERVICE_KEY = '${aws_kms_key.service.arn}';
const ENVIRONMENTS = ['staging', 'production'] as const;

/** The resources of a type, which must exist somewhere in the fixtures. */
function found(type: string): FoundResource[] {
  const resources = resourcesOf(stacks, type);
  expect(resources.length, `no ${type} in any fixture: the rule would pass on nothing`).toBeGreaterThan(0);
  return resources;
}

const where = (r: FoundResource): string => `${r.stack.id} ${r.file} ${r.name}`;
const only = (r: FoundResource, block: string): Plain => {
  const blocks = r.body[block] as Plain[] | undefined;
  expect(blocks?.length, `${where(r)}: one ${block} block`).toBe(1);
  return blocks![0]!;
};
const hasWaiver = (r: FoundResource, waiver: Waiver): boolean => waiverComments(waiver).every((line) => r.comments.includes(line));

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}
const statements = (document: unknown): Statement[] => (document as { Statement: Statement[] }).Statement;
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** Every principal a statement names, flattened to strings. */
const principals = (statement: Statement): string[] => {
  const p = statement.Principal;
  if (p === undefined) return [];
  if (typeof p === 'string') return [p];
  return Object.values(p as Record<string, string | string[]>).flatMap((v) => list(v));
};

/** The value a variable reference takes in an environment's tfvars, for `${var.name}` values. */
function resolved(r: FoundResource, value: unknown, env: (typeof ENVIRONMENTS)[number]): unknown {
  const match = typeof value === 'string' ? /^\$\{var\.([a-z_]+)\}$/.exec(value) : null;
  return match ? tfvarsOf(r.stack, env)[match[1]!] : value;
}

describe('security-rules.md §1: RDS', () => {
  it('CKV_AWS_16 / AVD-AWS-0080: RDS storage is encrypted with the service key', () => {
    for (const db of found('aws_db_instance')) expect(db.body, where(db)).toMatchObject({ storage_encrypted: true, kms_key_id: SERVICE_KEY });
  });

  it('CKV_AWS_17 / AVD-AWS-0180: RDS instances are not publicly accessible', () => {
    for (const db of found('aws_db_instance')) expect(db.body.publicly_accessible, where(db)).toBe(false);
  });

  it('CKV_AWS_293 / AVD-AWS-0177: RDS deletion protection follows the platform policy, is on in production, and its waiver is printed', () => {
    for (const db of found('aws_db_instance')) {
      expect(db.body.deletion_protection, where(db)).toBe('${var.deletion_protection}');
      expect(resolved(db, db.body.deletion_protection, 'production'), where(db)).toBe(true);
      for (const env of ENVIRONMENTS) expect(resolved(db, db.body.deletion_protection, env)).toBe(db.stack.service.environments[env].policy.deletionProtection);
      expect(hasWaiver(db, WAIVERS.policyDrivenDatabase), where(db)).toBe(true);
    }
  });

  it('CKV_AWS_161 / AVD-AWS-0176: RDS uses IAM database authentication, and RDS keeps the master password (no password in Terraform)', () => {
    for (const db of found('aws_db_instance')) {
      expect(db.body, where(db)).toMatchObject({ iam_database_authentication_enabled: true, manage_master_user_password: true, master_user_secret_kms_key_id: SERVICE_KEY });
      expect(db.body.password, where(db)).toBeUndefined();
    }
  });

  it('CKV_AWS_133 / AVD-AWS-0077: RDS keeps 7 to 35 days of backups in every cloud environment', () => {
    for (const db of found('aws_db_instance')) {
      for (const env of ENVIRONMENTS) {
        const days = resolved(db, db.body.backup_retention_period, env) as number;
        expect(days, `${where(db)} ${env}`).toBeGreaterThanOrEqual(7);
        expect(days, `${where(db)} ${env}`).toBeLessThanOrEqual(35);
      }
    }
  });

  it('CKV2_AWS_69: RDS PostgreSQL forces TLS through an attached postgres parameter group', () => {
    const groups = new Map(found('aws_db_parameter_group').map((g) => [`${g.stack.id} ${g.name}`, g]));
    for (const db of found('aws_db_instance')) {
      const group = groups.get(`${db.stack.id} ${db.name}`)!;
      expect(db.body.parameter_group_name, where(db)).toBe(`\${aws_db_parameter_group.${group.name}.name}`);
      expect(group.body.family as string).toMatch(/^postgres\d+$/);
      expect(group.body.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1' });
    }
  });

  it('CKV_AWS_129 / CKV2_AWS_30: RDS exports its logs and logs statements (log_statement, log_min_duration_statement)', () => {
    for (const db of found('aws_db_instance')) expect((db.body.enabled_cloudwatch_logs_exports as string[]).length, where(db)).toBeGreaterThan(0);
    for (const group of found('aws_db_parameter_group')) {
      const names = (group.body.parameter as Plain[]).map((p) => p.name);
      expect(names, where(group)).toEqual(expect.arrayContaining(['log_statement', 'log_min_duration_statement']));
    }
  });

  it('CKV_AWS_353 / CKV_AWS_354 / AVD-AWS-0133 / AVD-AWS-0078: RDS Performance Insights is on and encrypted with the service key', () => {
    for (const db of found('aws_db_instance')) expect(db.body, where(db)).toMatchObject({ performance_insights_enabled: true, performance_insights_kms_key_id: SERVICE_KEY });
  });

  it('CKV_AWS_157 / CKV_AWS_118 / CKV_AWS_226 / CKV_AWS_211 / CKV2_AWS_60: Multi-AZ from policy, Enhanced Monitoring, minor upgrades, a current CA, tags copied to snapshots', () => {
    for (const db of found('aws_db_instance')) {
      expect(db.body.multi_az, where(db)).toBe('${var.multi_az}');
      expect(resolved(db, db.body.multi_az, 'production'), where(db)).toBe(db.stack.service.environments.production.policy.multiAz);
      expect([1, 5, 10, 15, 30, 60]).toContain(db.body.monitoring_interval);
      expect(db.body.monitoring_role_arn, where(db)).toBe('${aws_iam_role.rds_monitoring.arn}');
      expect(db.body, where(db)).toMatchObject({ auto_minor_version_upgrade: true, copy_tags_to_snapshot: true });
      expect(['rds-ca-rsa2048-g1', 'rds-ca-rsa4096-g1', 'rds-ca-ecc384-g1']).toContain(db.body.ca_cert_identifier);
    }
  });
});

describe('security-rules.md §1: ElastiCache', () => {
  it('CKV_AWS_29 / CKV_AWS_191 / AVD-AWS-0045: Redis is encrypted at rest with the service key', () => {
    for (const rg of found('aws_elasticache_replication_group')) expect(rg.body, where(rg)).toMatchObject({ at_rest_encryption_enabled: true, kms_key_id: SERVICE_KEY });
  });

  it('CKV_AWS_30 / CKV_AWS_31 / AVD-AWS-0051: Redis encrypts in transit and authenticates through a user group, with no auth token', () => {
    for (const rg of found('aws_elasticache_replication_group')) {
      expect(rg.body.transit_encryption_enabled, where(rg)).toBe(true);
      expect((rg.body.user_group_ids as string[]).length, where(rg)).toBe(1);
      expect(rg.body.auth_token, where(rg)).toBeUndefined();
    }
    for (const user of found('aws_elasticache_user')) {
      expect(user.body.passwords, where(user)).toBeUndefined();
      const mode = only(user, 'authentication_mode');
      // The pods' user authenticates with IAM; the mandatory "default" user is switched off.
      if (mode.type === 'iam') expect(user.body.user_name).toBe(user.body.user_id);
      else expect({ mode: mode.type, user: user.body.user_name, access: user.body.access_string }).toEqual({ mode: 'no-password-required', user: 'default', access: 'off -@all' });
    }
  });

  it('CKV2_AWS_50 / CKV_AWS_134 / AVD-AWS-0050: Redis fails over automatically and keeps snapshots', () => {
    for (const rg of found('aws_elasticache_replication_group')) {
      expect(rg.body.automatic_failover_enabled, where(rg)).toBe(true);
      expect(rg.body.num_cache_clusters as number, where(rg)).toBeGreaterThanOrEqual(2);
      for (const env of ENVIRONMENTS) expect(resolved(rg, rg.body.snapshot_retention_limit, env) as number).toBeGreaterThan(0);
    }
  });
});

describe('security-rules.md §1: SNS and SQS', () => {
  it('CKV_AWS_26 / AVD-AWS-0095 / AVD-AWS-0136: topics are encrypted with the service key', () => {
    for (const topic of found('aws_sns_topic')) expect(topic.body.kms_master_key_id, where(topic)).toBe(SERVICE_KEY);
  });

  it('CKV_AWS_169: every topic has a policy, and it names no "*" principal', () => {
    const policies = found('aws_sns_topic_policy');
    for (const topic of found('aws_sns_topic')) expect(policies.some((p) => p.stack === topic.stack && p.body.arn === `\${aws_sns_topic.${topic.name}.arn}`), where(topic)).toBe(true);
    for (const p of policies) for (const s of statements(p.body.policy)) expect(principals(s), where(p)).not.toContain('*');
  });

  it('CKV_AWS_27 / CKV2_AWS_73 / AVD-AWS-0096 / AVD-AWS-0135: queues are encrypted with the service key, never alias/aws/sqs', () => {
    for (const queue of found('aws_sqs_queue')) {
      expect(queue.body.kms_master_key_id, where(queue)).toBe(SERVICE_KEY);
      expect(JSON.stringify(queue.body)).not.toContain('alias/aws/sqs');
    }
  });

  it('CKV_AWS_72 / CKV_AWS_168 / CKV_AWS_387 / AVD-AWS-0097: queue policies name no "*" action or principal and admit only the subscribed topic', () => {
    for (const p of found('aws_sqs_queue_policy')) {
      for (const s of statements(p.body.policy)) {
        expect(principals(s), where(p)).not.toContain('*');
        for (const action of list(s.Action)) expect(action, where(p)).not.toContain('*');
        expect(s.Condition?.ArnEquals?.['aws:SourceArn'], where(p)).toMatch(/^\$\{var\.subscriptions\[".+"\]\.topic_arn\}$/);
      }
    }
  });
});

describe('security-rules.md §1: S3', () => {
  const buckets = () => found('aws_s3_bucket');
  const partOf = (type: string, bucket: FoundResource): FoundResource | undefined => resourcesOf([bucket.stack], type).find((r) => r.body.bucket === `\${aws_s3_bucket.${bucket.name}.id}`);

  it('CKV_AWS_53 / CKV_AWS_54 / CKV_AWS_55 / CKV_AWS_56 / CKV2_AWS_6 / AVD-AWS-0086 / 0087 / 0091 / 0093 / 0094: every bucket blocks all public access', () => {
    for (const bucket of buckets()) {
      expect(partOf('aws_s3_bucket_public_access_block', bucket)?.body, where(bucket)).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
  });

  it('CKV_AWS_19 / CKV_AWS_145 / AVD-AWS-0088 / AVD-AWS-0132: every bucket is encrypted with SSE-KMS and the service key', () => {
    for (const bucket of buckets()) {
      const rule = only(partOf('aws_s3_bucket_server_side_encryption_configuration', bucket)!, 'rule');
      expect(rule.apply_server_side_encryption_by_default, where(bucket)).toEqual([{ sse_algorithm: 'aws:kms', kms_master_key_id: SERVICE_KEY }]);
    }
  });

  it('CKV_AWS_21 / AVD-AWS-0090: buckets are versioned, except where the service opted out and the waiver is printed', () => {
    let waived = 0;
    for (const bucket of buckets()) {
      const versioning = partOf('aws_s3_bucket_versioning', bucket);
      if (versioning) expect(only(versioning, 'versioning_configuration').status, where(bucket)).toBe('Enabled');
      else {
        expect(hasWaiver(bucket, WAIVERS.unversionedBucket), `${where(bucket)}: unversioned without a waiver`).toBe(true);
        waived++;
      }
    }
    expect(waived, 'the fixtures show the waiver at least once').toBeGreaterThan(0);
  });

  it("CKV_AWS_18 / AVD-AWS-0089: every bucket logs access to the platform's log bucket", () => {
    for (const bucket of buckets()) expect(partOf('aws_s3_bucket_logging', bucket)?.body.target_bucket, where(bucket)).toBe('${var.access_log_bucket}');
  });

  it('CKV2_AWS_65 / CKV_AWS_70 / CKV_AWS_379 / CKV_AWS_300 / AVD-AWS-0320: ACLs off, no "*" allowed, TLS only, incomplete uploads cleaned up, no dots in names', () => {
    for (const bucket of buckets()) {
      expect(only(partOf('aws_s3_bucket_ownership_controls', bucket)!, 'rule').object_ownership, where(bucket)).toBe('BucketOwnerEnforced');
      const policy = statements(partOf('aws_s3_bucket_policy', bucket)!.body.policy);
      for (const s of policy.filter((s) => s.Effect === 'Allow')) expect(principals(s), where(bucket)).not.toContain('*');
      expect(policy.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), where(bucket)).toBe(true);
      const rule = only(partOf('aws_s3_bucket_lifecycle_configuration', bucket)!, 'rule');
      expect(rule.status).toBe('Enabled');
      expect((rule.abort_incomplete_multipart_upload as Plain[])[0]!.days_after_initiation as number).toBeGreaterThan(0);
      for (const env of ENVIRONMENTS) {
        const names = tfvarsOf(bucket.stack, env).buckets as Record<string, { bucket: string }>;
        for (const { bucket: name } of Object.values(names)) expect(name).not.toContain('.');
      }
    }
  });
});

describe('security-rules.md §1: Secrets Manager and KMS', () => {
  it('CKV_AWS_149 / AVD-AWS-0098: every secret is encrypted with the service key', () => {
    for (const secret of found('aws_secretsmanager_secret')) expect(secret.body.kms_key_id, where(secret)).toBe(SERVICE_KEY);
  });

  it('CKV2_AWS_57 / CKV_AWS_304: no secret can rotate, and each carries its printed waiver', () => {
    for (const secret of found('aws_secretsmanager_secret')) {
      expect(hasWaiver(secret, WAIVERS.secretRotation) || hasWaiver(secret, WAIVERS.connectionSecretRotation), where(secret)).toBe(true);
    }
  });

  it('CKV_AWS_7 / AVD-AWS-0065 / CKV2_AWS_64: the service key rotates and has a key policy', () => {
    for (const key of found('aws_kms_key')) {
      expect(key.body.enable_key_rotation, where(key)).toBe(true);
      expect(statements(key.body.policy).length, where(key)).toBeGreaterThan(0);
    }
  });
});

describe('security-rules.md §1: IAM', () => {
  it('CKV_AWS_62 / CKV_AWS_63 / CKV_AWS_355 / CKV_AWS_286-290 / AVD-AWS-0057 / AVD-AWS-0342: the service role grants enumerated actions on its own resources, never "*" or iam:PassRole', () => {
    for (const policy of found('aws_iam_role_policy')) {
      for (const s of statements(policy.body.policy)) {
        expect(s.Effect, where(policy)).toBe('Allow');
        for (const action of list(s.Action)) {
          expect(action, where(policy)).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
          expect(action).not.toBe('iam:PassRole');
        }
        for (const resource of list(s.Resource)) {
          // Only references to this stack's resources; "<bucket ARN>/*" names that bucket's objects.
          expect(resource, where(policy)).toMatch(/^(\$\{aws_[a-z0-9_]+\.[A-Za-z0-9_-]+\.arn\}(\/\*)?|arn:\$\{data\.aws_partition\.current\.partition\}:rds-db:\$\{var\.aws_region\}:\$\{var\.aws_account_id\}:dbuser:\$\{aws_db_instance\.[a-z0-9-]+\.resource_id\}\/[a-z0-9_]+)$/);
        }
      }
    }
  });

  it('CKV_AWS_60 / CKV_AWS_358 / CKV_AWS_393: trust policies name one AWS service, never "*"; the service role trusts EKS Pod Identity only', () => {
    for (const role of found('aws_iam_role')) {
      for (const s of statements(role.body.assume_role_policy)) {
        expect(principals(s), where(role)).not.toContain('*');
        expect(Object.keys(s.Principal as object), where(role)).toEqual(['Service']);
      }
      if (role.name === 'service') expect(statements(role.body.assume_role_policy)).toEqual([{ Sid: 'EksPodIdentity', Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]);
    }
    for (const association of found('aws_eks_pod_identity_association')) {
      expect(association.body, where(association)).toMatchObject({ namespace: association.stack.service.name, service_account: association.stack.service.name, role_arn: '${aws_iam_role.service.arn}' });
    }
  });
});

describe('security-rules.md §1: network', () => {
  it("CKV_AWS_24 / CKV_AWS_25 / CKV_AWS_260 / CKV_AWS_277 / CKV_AWS_382 / CKV_AWS_23 / CKV2_AWS_5 / AVD-AWS-0107 / 0104 / 0099 / 0124: databases and caches admit only the pods' security group on their own port", () => {
    const rules = found('aws_vpc_security_group_ingress_rule');
    const groups = found('aws_security_group');
    for (const group of groups) {
      expect(group.body.description, where(group)).toBeTruthy();
      expect(group.body.ingress ?? group.body.egress, `${where(group)}: no inline rules`).toBeUndefined();
      const attached = [...resourcesOf([group.stack], 'aws_db_instance'), ...resourcesOf([group.stack], 'aws_elasticache_replication_group')].filter((r) =>
        JSON.stringify(r.body.vpc_security_group_ids ?? r.body.security_group_ids).includes(`aws_security_group.${group.name}.id`),
      );
      expect(attached.length, `${where(group)} is attached to one database or cache`).toBe(1);
    }
    expect(resourcesOf(stacks, 'aws_vpc_security_group_egress_rule')).toEqual([]);
    for (const rule of rules) {
      expect(rule.body, where(rule)).toMatchObject({ referenced_security_group_id: '${var.pod_security_group_id}', ip_protocol: 'tcp' });
      expect(rule.body.description, where(rule)).toBeTruthy();
      expect(rule.body.cidr_ipv4 ?? rule.body.cidr_ipv6, where(rule)).toBeUndefined();
      expect([5432, 6379]).toContain(rule.body.from_port);
      expect(rule.body.to_port).toBe(rule.body.from_port);
      expect(rule.name.startsWith('database-') ? 5432 : 6379, where(rule)).toBe(rule.body.from_port);
    }
  });

  it('CKV_AWS_198 / CKV_AWS_196: no classic aws_db_security_group or aws_elasticache_security_group', () => {
    expect(resourcesOf(stacks, 'aws_db_security_group')).toEqual([]);
    expect(resourcesOf(stacks, 'aws_elasticache_security_group')).toEqual([]);
  });
});
