import { acknowledgesLoss } from '../../emitters/shared/data-loss.js';
import { toPlain, type Block } from '../../emitters/shared/hcl.js';
import { modulePolicyCondition } from '../../emitters/shared/iam-policy.js';
import { tfvarsOf, type FoundResource, type Plain, type PolicyTarget } from './view.js';
import { combined, perItem, type Problems } from './findings.js';
import { ENVIRONMENTS, list, ofType, only, partOf, principals, resolved, SERVICE_KEY, statements, waivable, where } from './terraform-facts.js';
import type { CheckResult, Finding, PolicyRule } from './types.js';

/**
 * security-rules.md §1 (Terraform / AWS), one rule per row or per check of a
 * row, over the typed stacks whose printed form is the generated .tf files.
 */

const rule = (section: string, ids: readonly string[], title: string, check: (t: PolicyTarget) => CheckResult): PolicyRule => ({
  section,
  ids,
  title,
  kind: 'terraform',
  check,
});

/** Runs a per-resource check over every resource of `type`. */
const each = (t: PolicyTarget, type: string, check: (r: FoundResource) => Problems): CheckResult => perItem(ofType(t, type), where, check);

/**
 * A problem of `r` raised under `ids`, for a rule that groups checks of
 * different concerns: a platform waiver of one of them excuses only its own.
 */
const under = (ids: readonly string[], r: FoundResource, problem: string | Finding | undefined): Finding | undefined =>
  problem === undefined ? undefined : typeof problem === 'string' ? { where: where(r), problem, ids } : { ...problem, ids };

const mismatch = (body: Plain, expected: Plain): string | undefined => {
  const wrong = Object.entries(expected).filter(([k, v]) => body[k] !== v);
  return wrong.length > 0 ? wrong.map(([k, v]) => `${k} is ${JSON.stringify(body[k])}, not ${JSON.stringify(v)}`).join('; ') : undefined;
};

/**
 * The problems of a parameter group's settings of `name`: there must be exactly
 * one (RDS applies duplicates in an order Terraform does not promise, so a
 * second block could undo the first) and `ok` must accept its value.
 */
function parameterProblems(group: FoundResource, name: string, ok: (value: unknown) => boolean, expected: string): string | undefined {
  const values = ((group.body.parameter ?? []) as Plain[]).filter((p) => p.name === name).map((p) => p.value);
  if (values.length === 0) return `${name} not set`;
  if (values.length > 1) return `${name} set ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}), not once`;
  return ok(values[0]) ? undefined : `${name} is ${JSON.stringify(values[0])}, not ${expected}`;
}

/** log_min_duration_statement: whole milliseconds, logging every statement slower than paved's one second at most (-1 turns it off). */
const loggedDuration = (v: unknown): boolean => typeof v === 'string' && /^\d{1,4}$/.test(v) && Number(v) <= 1000;

/** CKV2_AWS_30 on a PostgreSQL parameter group: ddl, mod or all, so at least every schema change reaches the log, and slow statements. */
const postgresLogging = (group: FoundResource): Array<Finding | undefined> => [
  under(
    ['CKV2_AWS_30'],
    group,
    parameterProblems(group, 'log_statement', (v) => ['ddl', 'mod', 'all'].includes(v as string), '"ddl", "mod" or "all"'),
  ),
  under(['CKV2_AWS_30'], group, parameterProblems(group, 'log_min_duration_statement', loggedDuration, 'a whole number of milliseconds from "0" to "1000"')),
];

/** §1 #15: each setting of a public access block, with the ids that check it. */
const PUBLIC_ACCESS_SETTINGS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['block_public_acls', ['CKV_AWS_53', 'AVD-AWS-0086']],
  ['block_public_policy', ['CKV_AWS_54', 'AVD-AWS-0087']],
  ['ignore_public_acls', ['CKV_AWS_55', 'AVD-AWS-0091']],
  ['restrict_public_buckets', ['CKV_AWS_56', 'AVD-AWS-0093']],
];

/** §1 #11: what is wrong with an ElastiCache user, if anything. */
function elasticacheUserProblem(user: FoundResource): string | undefined {
  const mode = only(user, 'authentication_mode');
  if (user.body.passwords !== undefined) return 'passwords';
  if (!mode) return 'not one authentication_mode';
  // The pods' user authenticates with IAM; the mandatory "default" user is switched off.
  if (mode.type === 'iam') return user.body.user_name === user.body.user_id ? undefined : 'IAM user name differs from its id';
  return mode.type === 'no-password-required' && user.body.user_name === 'default' && user.body.access_string === 'off -@all'
    ? undefined
    : `${String(mode.type)} user ${String(user.body.user_name)} is enabled`;
}

/**
 * §1 #9 (CKV_AWS_226): automatic minor upgrades stay on, except where engine_version
 * pins a minor ("16.4"), which they would move past; then they are off and the
 * printed waiver says why. A pinned minor with upgrades on is a finding too.
 */
function minorUpgradeProblems(db: FoundResource): Array<string | Finding> {
  // A MySQL major has two parts ("8.0"): it pins a minor with a third.
  const pinned = (db.body.engine === 'mysql' ? /^\d+\.\d+\.\d/ : /^\d+\.\d/).test(String(db.body.engine_version));
  const auto = db.body.auto_minor_version_upgrade;
  if (!pinned) return auto === true ? [] : [`auto_minor_version_upgrade is ${JSON.stringify(auto)}, not true`];
  if (auto === true) return [`engine_version ${String(db.body.engine_version)} pins a minor that automatic minor upgrades move past`];
  return auto === false
    ? [waivable(db, `no automatic minor upgrades: engine_version ${String(db.body.engine_version)} pins a minor`, 'pinnedMinorVersion')]
    : [`auto_minor_version_upgrade is ${JSON.stringify(auto)}`];
}

/** The port of what an ingress rule's group guards: its database's engine's, or Redis's. */
/**
 * The ports a group's ingress rule may open: its engine's (databases, caches), or
 * for a platform resource type's group, the type's egressPorts.
 */
function ownPorts(t: PolicyTarget, rule: FoundResource): number[] {
  const group = /^\$\{aws_security_group\.([A-Za-z0-9_-]+)\.id\}$/.exec(String(rule.body.security_group_id))?.[1];
  const typed = group === undefined ? undefined : typedEntry({ ...rule, name: group });
  if (typed) return [...(t.project.platform.resourceTypes[typed.type]?.egressPorts ?? [])];
  return [ownPort(t, rule)];
}

/** The platform resource type entry whose security group this is (its local name is `<type>-<name>`). */
function typedEntry(group: Pick<FoundResource, 'stack' | 'name'>): { readonly type: string; readonly name: string } | undefined {
  return group.stack.service.resources.typed.find((r) => `${r.type}-${r.name}` === group.name);
}

/** How many module blocks of the group's stack pass it in security_group_ids. */
function modulesUsing(group: FoundResource): number {
  const reference = `aws_security_group.${group.name}.id`;
  const modules = group.stack.files.flatMap((f) => f.items).filter((i): i is Block => i.kind === 'block' && i.type === 'module');
  return modules.filter((m) =>
    m.body.some((a) => a.kind === 'attribute' && a.name === 'security_group_ids' && JSON.stringify(toPlain(a.value)).includes(reference)),
  ).length;
}

function ownPort(t: PolicyTarget, rule: FoundResource): number {
  if (!rule.name.startsWith('database-')) return 6379;
  const group = String(rule.body.security_group_id);
  const db = ofType(t, 'aws_db_instance').find(
    (d) => d.stack === rule.stack && JSON.stringify(d.body.vpc_security_group_ids).includes(group.replace(/^\$\{|\}$/g, '')),
  );
  return db?.body.engine === 'mysql' ? 3306 : 5432;
}

const groupOf = (t: PolicyTarget, db: FoundResource): FoundResource | undefined =>
  ofType(t, 'aws_db_parameter_group').find((g) => g.stack === db.stack && g.name === db.name);

/** The service role's one trust statement: EKS Pod Identity, for the service's namespace and ServiceAccount on this account's cluster of the environment only (item 11 of issue 15). */
const podIdentityTrust = (service: string): unknown => ({
  Sid: 'EksPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: {
    StringEquals: {
      'aws:SourceAccount': '${var.aws_account_id}',
      'aws:RequestTag/eks-cluster-arn': 'arn:${data.aws_partition.current.partition}:eks:${var.aws_region}:${var.aws_account_id}:cluster/${var.cluster_name}',
      'aws:RequestTag/kubernetes-namespace': service,
      'aws:RequestTag/kubernetes-service-account': service,
    },
  },
});

/** A database its service acknowledges losing (dataLoss:) drops deletion protection so it can be removed. */
const retiring = (db: FoundResource): boolean =>
  db.body.deletion_protection === false &&
  acknowledgesLoss(db.stack.service, `databases.${/var\.databases\["([^"]+)"\]/.exec(String(db.body.identifier))?.[1] ?? ''}`);

/** S3 ARNs name no account: a statement granting S3 actions must hold them to the environment's account. */
const foreignBucketProblem = (s: { Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }): string | undefined =>
  list(s.Action).some((a) => a.startsWith('s3:')) && s.Condition?.StringEquals?.['s3:ResourceAccount'] !== '${var.aws_account_id}'
    ? 'S3 actions not limited to buckets of the own account (s3:ResourceAccount)'
    : undefined;

export const TERRAFORM_RULES: readonly PolicyRule[] = [
  // RDS
  rule('§1 #1', ['CKV_AWS_16', 'AVD-AWS-0080'], 'RDS storage is encrypted with the service key', (t) =>
    each(t, 'aws_db_instance', (db) => mismatch(db.body, { storage_encrypted: true, kms_key_id: SERVICE_KEY })),
  ),
  rule('§1 #2', ['CKV_AWS_17', 'AVD-AWS-0180'], 'RDS instances are not publicly accessible', (t) =>
    each(t, 'aws_db_instance', (db) => mismatch(db.body, { publicly_accessible: false })),
  ),
  rule(
    '§1 #3',
    ['CKV_AWS_293', 'AVD-AWS-0177'],
    'RDS deletion protection follows the platform policy, is on in production, and its waiver is printed where the policy turns it off',
    (t) =>
      each(t, 'aws_db_instance', (db) =>
        retiring(db)
          ? [waivable(db, 'deletion protection off for a database the service retires', 'retiredDatabase')]
          : [
              db.body.deletion_protection === '${var.deletion_protection}'
                ? undefined
                : `deletion_protection is ${JSON.stringify(db.body.deletion_protection)}, not the policy variable`,
              resolved(db, db.body.deletion_protection, 'production') === true ? undefined : 'deletion protection off in production',
              ...ENVIRONMENTS.map((env) =>
                resolved(db, db.body.deletion_protection, env) === db.stack.service.environments[env].policy.deletionProtection
                  ? undefined
                  : `${env}: deletion protection differs from policy.${env}`,
              ),
              waivable(db, 'deletion protection follows platform policy', 'policyDrivenDatabase').waiver
                ? undefined
                : 'no printed policy-driven-database waiver',
              ...ENVIRONMENTS.filter((env) => resolved(db, db.body.deletion_protection, env) !== true).map((env) =>
                waivable(db, `${env}: deletion protection off by policy`, 'policyDrivenDatabase'),
              ),
            ],
      ),
  ),
  rule(
    '§1 #4',
    ['CKV_AWS_161', 'AVD-AWS-0176'],
    'RDS uses IAM database authentication and RDS keeps the master password (no password in Terraform) [inf]',
    (t) =>
      each(t, 'aws_db_instance', (db) => [
        mismatch(db.body, { iam_database_authentication_enabled: true, manage_master_user_password: true, master_user_secret_kms_key_id: SERVICE_KEY }),
        db.body.password === undefined ? undefined : 'a password in Terraform',
      ]),
  ),
  rule('§1 #5', ['CKV_AWS_133', 'AVD-AWS-0077'], 'RDS keeps 7 to 35 days of backups in every cloud environment', (t) =>
    each(t, 'aws_db_instance', (db) =>
      ENVIRONMENTS.map((env) => {
        const days = resolved(db, db.body.backup_retention_period, env) as number;
        return days >= 7 && days <= 35 ? undefined : `${env}: ${days} backup days`;
      }),
    ),
  ),
  rule(
    '§1 #6',
    ['CKV2_AWS_69'],
    "RDS forces TLS through an attached parameter group of the engine's family (rds.force_ssl, MySQL's require_secure_transport)",
    (t) =>
      each(t, 'aws_db_instance', (db) => {
        const group = groupOf(t, db);
        if (!group) return 'no parameter group';
        const mysql = db.body.engine === 'mysql';
        return [
          db.body.parameter_group_name === `\${aws_db_parameter_group.${group.name}.name}` ? undefined : 'parameter group not attached',
          (mysql ? /^mysql\d+\.\d+$/ : /^postgres\d+$/).test(String(group.body.family)) ? undefined : `family ${String(group.body.family)}`,
          mysql
            ? parameterProblems(group, 'require_secure_transport', (v) => v === '1', '"1"')
            : parameterProblems(group, 'rds.force_ssl', (v) => v === '1', '"1"'),
        ];
      }),
  ),
  rule(
    '§1 #7',
    ['CKV_AWS_129', 'CKV2_AWS_30'],
    'RDS exports its logs and logs statements (PostgreSQL: log_statement, log_min_duration_statement; MySQL: the slow query log, to files)',
    (t) =>
      combined(
        each(t, 'aws_db_instance', (db) =>
          under(['CKV_AWS_129'], db, ((db.body.enabled_cloudwatch_logs_exports ?? []) as string[]).length > 0 ? undefined : 'no log exports'),
        ),
        // CKV2_AWS_30 reads PostgreSQL groups; a MySQL group logs slow statements to the exported file instead.
        each(t, 'aws_db_parameter_group', (group) =>
          String(group.body.family).startsWith('mysql')
            ? [parameterProblems(group, 'slow_query_log', (v) => v === '1', '"1"'), parameterProblems(group, 'log_output', (v) => v === 'FILE', '"FILE"')]
            : postgresLogging(group),
        ),
      ),
  ),
  rule(
    '§1 #8',
    ['CKV_AWS_353', 'CKV_AWS_354', 'AVD-AWS-0133', 'AVD-AWS-0078'],
    'RDS Performance Insights is on and encrypted with the service key wherever RDS offers it (waived for MySQL on micro and small burstable classes)',
    (t) =>
      each(t, 'aws_db_instance', (db) =>
        // Off only where RDS does not offer it, with the printed waiver.
        db.body.performance_insights_enabled === false && db.body.engine === 'mysql' && /^db\.t(2|3|4g)\.(micro|small)$/.test(String(db.body.instance_class))
          ? [waivable(db, `no Performance Insights for MySQL on ${String(db.body.instance_class)}`, 'noPerformanceInsights')]
          : [
              under(['CKV_AWS_353', 'AVD-AWS-0133'], db, mismatch(db.body, { performance_insights_enabled: true })),
              under(['CKV_AWS_354', 'AVD-AWS-0078'], db, mismatch(db.body, { performance_insights_kms_key_id: SERVICE_KEY })),
            ],
      ),
  ),
  rule(
    '§1 #9',
    ['CKV_AWS_157', 'CKV_AWS_118', 'CKV_AWS_226', 'CKV_AWS_211', 'CKV2_AWS_60'],
    'Multi-AZ from policy (waived where the policy turns it off), Enhanced Monitoring, minor upgrades, a current CA, tags copied to snapshots',
    (t) =>
      each(t, 'aws_db_instance', (db) => [
        under(
          ['CKV_AWS_157'],
          db,
          db.body.multi_az === '${var.multi_az}' ? undefined : `multi_az is ${JSON.stringify(db.body.multi_az)}, not the policy variable`,
        ),
        under(
          ['CKV_AWS_157'],
          db,
          resolved(db, db.body.multi_az, 'production') === db.stack.service.environments.production.policy.multiAz
            ? undefined
            : 'production Multi-AZ differs from policy.production',
        ),
        ...ENVIRONMENTS.filter((env) => resolved(db, db.body.multi_az, env) !== true).map((env) =>
          under(['CKV_AWS_157'], db, waivable(db, `${env}: single-AZ by policy`, 'policyDrivenDatabase')),
        ),
        under(
          ['CKV_AWS_118'],
          db,
          [1, 5, 10, 15, 30, 60].includes(db.body.monitoring_interval as number) ? undefined : `monitoring_interval ${String(db.body.monitoring_interval)}`,
        ),
        under(['CKV_AWS_118'], db, mismatch(db.body, { monitoring_role_arn: '${aws_iam_role.rds_monitoring.arn}' })),
        ...minorUpgradeProblems(db).map((problem) => under(['CKV_AWS_226'], db, problem)),
        under(['CKV2_AWS_60'], db, mismatch(db.body, { copy_tags_to_snapshot: true })),
        under(
          ['CKV_AWS_211'],
          db,
          ['rds-ca-rsa2048-g1', 'rds-ca-rsa4096-g1', 'rds-ca-ecc384-g1'].includes(db.body.ca_cert_identifier as string)
            ? undefined
            : `CA ${String(db.body.ca_cert_identifier)}`,
        ),
      ]),
  ),

  // ElastiCache
  rule('§1 #10', ['CKV_AWS_29', 'CKV_AWS_191', 'AVD-AWS-0045'], 'Redis is encrypted at rest with the service key', (t) =>
    each(t, 'aws_elasticache_replication_group', (rg) => [
      under(['CKV_AWS_29', 'AVD-AWS-0045'], rg, mismatch(rg.body, { at_rest_encryption_enabled: true })),
      under(['CKV_AWS_191'], rg, mismatch(rg.body, { kms_key_id: SERVICE_KEY })),
    ]),
  ),
  rule(
    '§1 #11',
    ['CKV_AWS_30', 'CKV_AWS_31', 'AVD-AWS-0051'],
    'Redis encrypts in transit and authenticates through a user group whose only enabled user uses IAM; no auth token or password',
    (t) =>
      combined(
        each(t, 'aws_elasticache_replication_group', (rg) => [
          // CKV_AWS_31 asks for transit encryption and authentication; CKV_AWS_30 and AVD-AWS-0051 for transit encryption only.
          under(['CKV_AWS_30', 'AVD-AWS-0051', 'CKV_AWS_31'], rg, rg.body.transit_encryption_enabled === true ? undefined : 'no transit encryption'),
          under(['CKV_AWS_31'], rg, ((rg.body.user_group_ids ?? []) as string[]).length === 1 ? undefined : 'not one user group'),
          under(['CKV_AWS_31'], rg, rg.body.auth_token === undefined ? undefined : 'an auth token'),
        ]),
        each(t, 'aws_elasticache_user', (user) => under(['CKV_AWS_31'], user, elasticacheUserProblem(user))),
      ),
  ),
  rule('§1 #12', ['CKV2_AWS_50', 'CKV_AWS_134', 'AVD-AWS-0050'], 'Redis fails over automatically across two nodes and keeps snapshots', (t) =>
    each(t, 'aws_elasticache_replication_group', (rg) => [
      under(['CKV2_AWS_50'], rg, rg.body.automatic_failover_enabled === true ? undefined : 'no automatic failover'),
      under(['CKV2_AWS_50'], rg, (rg.body.num_cache_clusters as number) >= 2 ? undefined : `${String(rg.body.num_cache_clusters)} node(s)`),
      ...ENVIRONMENTS.map((env) =>
        under(['CKV_AWS_134', 'AVD-AWS-0050'], rg, (resolved(rg, rg.body.snapshot_retention_limit, env) as number) > 0 ? undefined : `${env}: no snapshots`),
      ),
    ]),
  ),

  // SNS and SQS
  rule('§1 #13', ['CKV_AWS_26', 'AVD-AWS-0095', 'AVD-AWS-0136'], 'topics are encrypted with the service key', (t) =>
    each(t, 'aws_sns_topic', (topic) => mismatch(topic.body, { kms_master_key_id: SERVICE_KEY })),
  ),
  rule('§1 #13', ['CKV_AWS_169'], 'every topic has a policy, and it names no "*" principal', (t) =>
    combined(
      each(t, 'aws_sns_topic', (topic) =>
        ofType(t, 'aws_sns_topic_policy').some((p) => p.stack === topic.stack && p.body.arn === `\${aws_sns_topic.${topic.name}.arn}`)
          ? undefined
          : 'no topic policy',
      ),
      each(t, 'aws_sns_topic_policy', (p) => (statements(p.body.policy).some((s) => principals(s).includes('*')) ? 'a "*" principal' : undefined)),
    ),
  ),
  rule('§1 #14', ['CKV_AWS_27', 'CKV2_AWS_73', 'AVD-AWS-0096', 'AVD-AWS-0135'], 'queues are encrypted with the service key, never alias/aws/sqs', (t) =>
    each(t, 'aws_sqs_queue', (queue) => [
      mismatch(queue.body, { kms_master_key_id: SERVICE_KEY }),
      JSON.stringify(queue.body).includes('alias/aws/sqs') ? 'alias/aws/sqs' : undefined,
    ]),
  ),
  rule(
    '§1 #14',
    ['CKV_AWS_72', 'CKV_AWS_168', 'CKV_AWS_387', 'AVD-AWS-0097'],
    'queue policies name no "*" action or principal and admit only the subscribed topic',
    (t) =>
      each(t, 'aws_sqs_queue_policy', (p) =>
        statements(p.body.policy).flatMap((s) => [
          principals(s).includes('*') ? 'a "*" principal' : undefined,
          ...list(s.Action)
            .filter((a) => a.includes('*'))
            .map((a) => `action ${a}`),
          /^\$\{var\.subscriptions\[".+"\]\.topic_arn\}$/.test(String(s.Condition?.ArnEquals?.['aws:SourceArn']))
            ? undefined
            : 'not limited to the subscribed topic',
        ]),
      ),
  ),

  // S3
  rule(
    '§1 #15',
    ['CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56', 'CKV2_AWS_6', 'AVD-AWS-0086', 'AVD-AWS-0087', 'AVD-AWS-0091', 'AVD-AWS-0093', 'AVD-AWS-0094'],
    'every bucket blocks all public access',
    (t) =>
      each(t, 'aws_s3_bucket', (bucket) => {
        const block = partOf(t, 'aws_s3_bucket_public_access_block', bucket);
        if (!block) return under(['CKV2_AWS_6', 'AVD-AWS-0094'], bucket, 'no public access block');
        return PUBLIC_ACCESS_SETTINGS.map(([setting, ids]) => under(ids, bucket, mismatch(block.body, { [setting]: true })));
      }),
  ),
  rule('§1 #16', ['CKV_AWS_19', 'CKV_AWS_145', 'AVD-AWS-0088', 'AVD-AWS-0132'], 'every bucket is encrypted with SSE-KMS and the service key', (t) =>
    each(t, 'aws_s3_bucket', (bucket) => {
      const sse = partOf(t, 'aws_s3_bucket_server_side_encryption_configuration', bucket);
      const rule = sse && only(sse, 'rule');
      return JSON.stringify(rule?.apply_server_side_encryption_by_default) === JSON.stringify([{ sse_algorithm: 'aws:kms', kms_master_key_id: SERVICE_KEY }])
        ? undefined
        : 'not SSE-KMS with the service key';
    }),
  ),
  rule('§1 #17', ['CKV_AWS_21', 'AVD-AWS-0090'], 'buckets are versioned, except where the service opted out and the waiver is printed', (t) =>
    each(t, 'aws_s3_bucket', (bucket) => {
      const versioning = partOf(t, 'aws_s3_bucket_versioning', bucket);
      if (!versioning) return waivable(bucket, 'not versioned', 'unversionedBucket');
      return only(versioning, 'versioning_configuration')?.status === 'Enabled' ? undefined : 'versioning not Enabled';
    }),
  ),
  rule('§1 #17', ['CKV_AWS_18', 'AVD-AWS-0089'], "every bucket logs access to the platform's log bucket", (t) =>
    each(t, 'aws_s3_bucket', (bucket) =>
      partOf(t, 'aws_s3_bucket_logging', bucket)?.body.target_bucket === '${var.access_log_bucket}' ? undefined : 'no access logging',
    ),
  ),
  rule(
    '§1 #18',
    ['CKV2_AWS_65', 'CKV_AWS_70', 'CKV_AWS_379', 'CKV_AWS_300', 'AVD-AWS-0320'],
    'ACLs off, no "*" allowed, TLS only [inf: always], incomplete uploads cleaned up, no dots in bucket names',
    (t) =>
      each(t, 'aws_s3_bucket', (bucket) => {
        const ownership = partOf(t, 'aws_s3_bucket_ownership_controls', bucket);
        const policy = statements(partOf(t, 'aws_s3_bucket_policy', bucket)?.body.policy);
        const lifecycle = partOf(t, 'aws_s3_bucket_lifecycle_configuration', bucket);
        const rule = lifecycle && only(lifecycle, 'rule');
        const abort = (rule?.abort_incomplete_multipart_upload as Plain[] | undefined)?.[0];
        const names = ENVIRONMENTS.flatMap((env) =>
          Object.values((tfvarsOf(bucket.stack, env).buckets ?? {}) as Record<string, { bucket: string }>).map((b) => b.bucket),
        );
        return [
          under(['CKV2_AWS_65'], bucket, (ownership && only(ownership, 'rule')?.object_ownership) === 'BucketOwnerEnforced' ? undefined : 'ACLs not disabled'),
          under(['CKV_AWS_70'], bucket, policy.some((s) => s.Effect === 'Allow' && principals(s).includes('*')) ? 'allows a "*" principal' : undefined),
          under(
            ['CKV_AWS_379'],
            bucket,
            policy.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false') ? undefined : 'no TLS-only deny',
          ),
          under(
            ['CKV_AWS_300'],
            bucket,
            rule?.status === 'Enabled' && (abort?.days_after_initiation as number) > 0 ? undefined : 'incomplete uploads not aborted',
          ),
          ...names.filter((n) => n.includes('.')).map((n) => under(['AVD-AWS-0320'], bucket, `bucket name ${n} has a dot`)),
        ];
      }),
  ),

  // Secrets Manager and KMS
  rule('§1 #19', ['CKV_AWS_149', 'AVD-AWS-0098'], 'every secret is encrypted with the service key', (t) =>
    each(t, 'aws_secretsmanager_secret', (secret) => mismatch(secret.body, { kms_key_id: SERVICE_KEY })),
  ),
  rule(
    '§1 #19',
    ['CKV2_AWS_57', 'CKV_AWS_304'],
    'no secret rotates; each carries its printed waiver',
    // paved emits no rotation: every secret is a finding that only its printed waiver excuses.
    (t) => each(t, 'aws_secretsmanager_secret', (secret) => waivable(secret, 'no rotation', 'secretRotation', 'connectionSecretRotation')),
  ),
  rule('§1 #20', ['CKV_AWS_7', 'AVD-AWS-0065', 'CKV2_AWS_64'], 'the service key rotates and has a key policy', (t) =>
    each(t, 'aws_kms_key', (key) => [
      under(['CKV_AWS_7', 'AVD-AWS-0065'], key, key.body.enable_key_rotation === true ? undefined : 'no key rotation'),
      under(['CKV2_AWS_64'], key, statements(key.body.policy).length > 0 ? undefined : 'no key policy'),
    ]),
  ),

  // IAM
  rule(
    '§1 #21',
    [
      'CKV_AWS_62',
      'CKV_AWS_63',
      'CKV_AWS_355',
      'CKV_AWS_286',
      'CKV_AWS_287',
      'CKV_AWS_288',
      'CKV_AWS_289',
      'CKV_AWS_290',
      'CKV_AWS_1',
      'CKV_AWS_49',
      'CKV_AWS_356',
      'CKV_AWS_107',
      'CKV_AWS_108',
      'CKV_AWS_109',
      'CKV_AWS_110',
      'CKV_AWS_111',
      'AVD-AWS-0057',
      'AVD-AWS-0342',
    ],
    'the service role grants enumerated actions on its own resources (S3 ones in its own account), never "*" or iam:PassRole (paved emits no aws_iam_policy_document data sources)',
    (t) =>
      combined(
        each(t, 'aws_iam_role_policy', (policy) =>
          typeof policy.body.policy === 'string'
            ? [modulePolicyProblem(policy)]
            : statements(policy.body.policy).flatMap((s) => [
                s.Effect === 'Allow' ? undefined : `effect ${s.Effect}`,
                ...list(s.Action)
                  .filter((a) => !/^[a-z0-9-]+:[A-Za-z]+$/.test(a) || a === 'iam:PassRole')
                  .map((a) => `action ${a}`),
                // Only references to this stack's resources; "<bucket ARN>/*" names that bucket's objects.
                ...list(s.Resource)
                  .filter(
                    (r) =>
                      !/^(\$\{aws_[a-z0-9_]+\.[A-Za-z0-9_-]+\.arn\}(\/\*)?|arn:\$\{data\.aws_partition\.current\.partition\}:rds-db:\$\{var\.aws_region\}:\$\{var\.aws_account_id\}:dbuser:\$\{aws_db_instance\.[a-z0-9-]+\.resource_id\}\/[a-z0-9_]+)$/.test(
                        r,
                      ),
                  )
                  .map((r) => `resource ${r}`),
                foreignBucketProblem(s),
              ]),
        ),
        perItem(
          t.stacks.flatMap((stack) =>
            stack.files.flatMap((file) =>
              file.items.filter((item) => item.kind === 'block' && item.type === 'data' && item.labels[0] === 'aws_iam_policy_document').map(() => stack),
            ),
          ),
          (stack) => stack.id,
          () => 'an aws_iam_policy_document data source, which this rule does not read',
        ),
      ),
  ),
  rule(
    '§1 #22',
    ['CKV_AWS_60', 'CKV_AWS_358', 'CKV_AWS_393'],
    'trust policies name one AWS service, never "*"; the service role trusts EKS Pod Identity of its own cluster only (aws:SourceAccount and the eks-cluster-arn session tag), bound to its namespace and ServiceAccount',
    (t) =>
      combined(
        each(t, 'aws_iam_role', (role) => {
          const trust = statements(role.body.assume_role_policy);
          return [
            ...trust.flatMap((s) => [
              principals(s).includes('*') ? 'a "*" principal' : undefined,
              JSON.stringify(Object.keys((s.Principal ?? {}) as object)) === '["Service"]' ? undefined : 'trusts more than a service',
            ]),
            role.name !== 'service' || JSON.stringify(trust) === JSON.stringify([podIdentityTrust(role.stack.service.name)])
              ? undefined
              : "the service role trusts more than EKS Pod Identity of the environment's cluster",
          ];
        }),
        each(t, 'aws_eks_pod_identity_association', (a) =>
          mismatch(a.body, { namespace: a.stack.service.name, service_account: a.stack.service.name, role_arn: '${aws_iam_role.service.arn}' }),
        ),
      ),
  ),

  // Network
  rule(
    '§1 #23',
    [
      'CKV_AWS_24',
      'CKV_AWS_25',
      'CKV_AWS_260',
      'CKV_AWS_277',
      'CKV_AWS_382',
      'CKV_AWS_23',
      'CKV2_AWS_5',
      'AVD-AWS-0107',
      'AVD-AWS-0104',
      'AVD-AWS-0099',
      'AVD-AWS-0124',
    ],
    "databases and caches admit only the pods' security group on their own port; every group and rule described; no CIDR, no egress rule",
    (t) =>
      combined(
        each(t, 'aws_security_group', (group) => {
          const attached = [...ofType(t, 'aws_db_instance'), ...ofType(t, 'aws_elasticache_replication_group')].filter(
            (r) =>
              r.stack === group.stack &&
              JSON.stringify(r.body.vpc_security_group_ids ?? r.body.security_group_ids).includes(`aws_security_group.${group.name}.id`),
          );
          // A platform resource type's group goes to its module, which attaches it (emitters/terraform/resource-types.ts).
          const typedModules = typedEntry(group) ? modulesUsing(group) : 0;
          return [
            group.body.description ? undefined : 'no description',
            (group.body.ingress ?? group.body.egress) === undefined ? undefined : 'inline rules',
            attached.length + typedModules === 1 ? undefined : `attached to ${attached.length + typedModules} databases, caches or resource type modules`,
          ];
        }),
        each(t, 'aws_vpc_security_group_egress_rule', () => 'an egress rule'),
        each(t, 'aws_vpc_security_group_ingress_rule', (rule) => [
          mismatch(rule.body, { referenced_security_group_id: '${var.pod_security_group_id}', ip_protocol: 'tcp' }),
          rule.body.description ? undefined : 'no description',
          (rule.body.cidr_ipv4 ?? rule.body.cidr_ipv6) === undefined ? undefined : 'a CIDR',
          rule.body.to_port === rule.body.from_port && ownPorts(t, rule).includes(rule.body.from_port as number)
            ? undefined
            : `ports ${String(rule.body.from_port)}-${String(rule.body.to_port)}, not the engine's or the resource type's own`,
        ]),
      ),
  ),
  rule('§1 #24', ['CKV_AWS_198', 'CKV_AWS_196'], 'no classic aws_db_security_group or aws_elasticache_security_group', (t) =>
    perItem(t.resources, where, (r) =>
      r.type === 'aws_db_security_group'
        ? under(['CKV_AWS_198'], r, `classic ${r.type}`)
        : r.type === 'aws_elasticache_security_group'
          ? under(['CKV_AWS_196'], r, `classic ${r.type}`)
          : undefined,
    ),
  ),
];

/** Resource types the §1 rules read; each must appear in some target, or a rule would pass on nothing. */
/**
 * A policy paved cannot read at compile time: a platform resource type module's
 * `iam_policy_json` (and nothing else), with the precondition that refuses
 * wildcards at plan, exactly as emitted.
 */
function modulePolicyProblem(policy: FoundResource): string | undefined {
  const reference = /^\$\{(module\.[A-Za-z0-9_-]+\.iam_policy_json)\}$/.exec(String(policy.body.policy))?.[1];
  if (reference === undefined) return `policy ${String(policy.body.policy)} is neither a document paved wrote nor a resource type module's iam_policy_json`;
  const lifecycle = (policy.body.lifecycle as Plain[] | undefined)?.[0];
  const condition = (lifecycle?.precondition as Plain[] | undefined)?.[0]?.condition;
  return JSON.stringify(condition) === JSON.stringify(toPlain(modulePolicyCondition(reference)))
    ? undefined
    : `${reference} without the precondition that refuses wildcards`;
}

export const AUDITED_RESOURCE_TYPES: readonly string[] = [
  'aws_db_instance',
  'aws_db_parameter_group',
  'aws_elasticache_replication_group',
  'aws_elasticache_user',
  'aws_sns_topic',
  'aws_sns_topic_policy',
  'aws_sqs_queue',
  'aws_sqs_queue_policy',
  'aws_s3_bucket',
  'aws_secretsmanager_secret',
  'aws_kms_key',
  'aws_iam_role_policy',
  'aws_iam_role',
  'aws_eks_pod_identity_association',
  'aws_security_group',
  'aws_vpc_security_group_ingress_rule',
  'aws_sns_topic_subscription',
  'aws_iam_role_policy_attachment',
];
