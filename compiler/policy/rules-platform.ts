import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../../emitters/shared/waivers.js';
import { perItem, type Problems } from './findings.js';
import { list, principals, statements, type Statement } from './terraform-facts.js';
import type { CheckResult, Finding, PolicyRule } from './types.js';
import { platformTfvars, type Plain, type PlatformResource, type PolicyTarget } from './view.js';

/**
 * §4: paved's own rules over the platform root (`_platform/terraform/`), which
 * the §1 rules, written for service stacks, do not read: its IAM is broader
 * by nature (the CI roles apply every service stack) and must stay enumerated,
 * scoped and trusted only as platform.yaml says; its state bucket must meet
 * what every service bucket meets.
 */
const SECTION = '§4 paved';
const rule = (ids: readonly string[], title: string, check: (t: PolicyTarget) => CheckResult): PolicyRule => ({
  section: SECTION,
  ids,
  title,
  kind: 'terraform',
  check,
});

const where = (r: PlatformResource): string => `_platform/terraform/${r.file} ${r.type}.${r.name}`;
const ofType = (t: PolicyTarget, type: string): PlatformResource[] => (t.platform?.resources ?? []).filter((r) => r.type === type);
const each = (t: PolicyTarget, types: readonly string[], check: (r: PlatformResource) => Problems): CheckResult =>
  perItem(
    (t.platform?.resources ?? []).filter((r) => types.includes(r.type)),
    where,
    check,
  );

/**
 * Actions AWS authorizes on "*" only, each with the waiver that must be printed
 * above the policy holding it: a "*" resource is accepted for these and no other.
 */
const UNSCOPABLE: Readonly<Record<string, keyof typeof WAIVERS>> = {
  'secretsmanager:ListSecrets': 'externalSecretsListSecrets',
  'ec2:DescribeNetworkInterfaces': 'ciUnscopedReads',
  'ec2:DescribeSecurityGroupRules': 'ciUnscopedReads',
  'ec2:DescribeSecurityGroups': 'ciUnscopedReads',
  'elasticache:DescribeCacheSubnetGroups': 'ciUnscopedReads',
  'elasticache:DescribeUserGroups': 'ciUnscopedReads',
  'elasticache:DescribeUsers': 'ciUnscopedReads',
  'kms:ListAliases': 'ciUnscopedReads',
  'tag:GetResources': 'ciUnscopedReads',
  'kms:CreateKey': 'ciCreateKey',
  // Tagging the key CreateKey makes; the statement requires paved's tags on the request.
  'kms:TagResource': 'ciCreateKey',
};

/** The waiver's line among the resource's comments and printed above it in its file. */
function printed(t: PolicyTarget, r: PlatformResource, name: keyof typeof WAIVERS): boolean {
  const line = waiverText(WAIVERS[name]);
  return r.comments.includes(line) && (t.platform?.printed.get(r.file) ?? '').includes(`# ${line}\n`);
}

function statementProblems(t: PolicyTarget, r: PlatformResource, s: Statement): Array<string | Finding> {
  const actions = list(s.Action);
  const resources = list(s.Resource as string | string[] | undefined);
  const problems: Array<string | Finding> = [];
  if (s.Effect !== 'Allow') problems.push(`${s.Sid}: effect ${s.Effect}`);
  for (const action of actions) if (!/^[a-z0-9-]+:[A-Za-z]+$/.test(action)) problems.push(`${s.Sid}: action ${action} is not one enumerated action`);
  if (actions.includes('iam:PassRole') && s.Condition?.StringEquals?.['iam:PassedToService'] === undefined)
    problems.push(`${s.Sid}: iam:PassRole without an iam:PassedToService condition`);
  if (resources.includes('*')) {
    for (const action of actions) {
      const waiver = UNSCOPABLE[action];
      const problem = `${s.Sid}: resource "*" for ${action}`;
      if (waiver === undefined) problems.push(`${problem}, which AWS can scope`);
      else problems.push(printed(t, r, waiver) ? { where: where(r), problem, waiver: `terraform:${waiver}` } : `${problem} without its printed waiver`);
    }
  }
  return problems;
}

/** `repo:<owner>/<repo>:` and no wildcard: what each of a CI role's token subjects must be. */
function subjectProblems(t: PolicyTarget, env: 'staging' | 'production'): string[] {
  const roles = (platformTfvars(t.platform!, env).ci_roles ?? {}) as Record<string, Plain>;
  const repository = t.project.platform.ci.repository;
  return Object.entries(roles).flatMap(([key, role]) => {
    const subjects = Array.isArray(role.subjects) ? role.subjects.map(String) : [];
    if (subjects.length === 0) return [`${env} ${key}: trusts no token subject`];
    return subjects
      .filter((subject) => !subject.startsWith(`repo:${repository}:`) || /[*?]/.test(subject))
      .map((subject) => `${env} ${key}: token subject ${JSON.stringify(subject)} is not pinned to repo:${repository}`);
  });
}

function trustProblems(t: PolicyTarget, role: PlatformResource): string[] {
  return statements(role.body.assume_role_policy).flatMap((s) => {
    const who = s.Principal as Record<string, unknown> | string | undefined;
    const conditions = (s.Condition?.StringEquals ?? {}) as Record<string, unknown>;
    if (principals(s).includes('*')) return [`${s.Sid}: a "*" principal`];
    if (typeof who === 'object' && who.Service === 'pods.eks.amazonaws.com') {
      return ['aws:SourceAccount', 'aws:RequestTag/eks-cluster-arn']
        .filter((key) => conditions[key] === undefined)
        .map((key) => `${s.Sid}: EKS Pod Identity trusted without ${key}`);
    }
    if (typeof who === 'object' && who.Federated !== undefined) {
      return [
        conditions['token.actions.githubusercontent.com:aud'] === 'sts.amazonaws.com' ? undefined : `${s.Sid}: aud is not sts.amazonaws.com`,
        conditions['token.actions.githubusercontent.com:sub'] === '${each.value.subjects}' ? undefined : `${s.Sid}: sub is not the role's pinned subjects`,
        ...(['staging', 'production'] as const).flatMap((env) => subjectProblems(t, env)),
      ].filter((p): p is string => p !== undefined);
    }
    return [`${s.Sid}: trusts neither EKS Pod Identity nor GitHub's OIDC provider`];
  });
}

const STATE_KEY = '${aws_kms_key.state.arn}';
const partOf = (t: PolicyTarget, type: string): PlatformResource | undefined => ofType(t, type).find((r) => r.body.bucket === '${aws_s3_bucket.state.id}');
const only = (r: PlatformResource | undefined, name: string): Plain | undefined => inner(r?.body, name);
/** The first nested block `name` of a body. */
const inner = (body: Plain | undefined, name: string): Plain | undefined => ((body?.[name] as Plain[] | undefined) ?? [])[0];

function stateProblems(t: PolicyTarget): Array<string | undefined> {
  const block = partOf(t, 'aws_s3_bucket_public_access_block')?.body ?? {};
  const sse = inner(only(partOf(t, 'aws_s3_bucket_server_side_encryption_configuration'), 'rule'), 'apply_server_side_encryption_by_default');
  const policy = statements(partOf(t, 'aws_s3_bucket_policy')?.body.policy);
  return [
    ...['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].map((k) =>
      block[k] === true ? undefined : `${k} is not true`,
    ),
    sse?.sse_algorithm === 'aws:kms' && sse.kms_master_key_id === STATE_KEY ? undefined : 'not SSE-KMS with the state key',
    only(partOf(t, 'aws_s3_bucket_versioning'), 'versioning_configuration')?.status === 'Enabled' ? undefined : 'not versioned',
    only(partOf(t, 'aws_s3_bucket_ownership_controls'), 'rule')?.object_ownership === 'BucketOwnerEnforced' ? undefined : 'ACLs not disabled',
    partOf(t, 'aws_s3_bucket_logging')?.body.target_bucket === '${var.access_log_bucket}' ? undefined : 'no access logging',
    policy.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false') ? undefined : 'no TLS-only deny',
    policy.some((s) => s.Effect === 'Allow' && principals(s).includes('*')) ? 'allows a "*" principal' : undefined,
  ];
}

export const PLATFORM_RULES: readonly PolicyRule[] = [
  rule(
    ['PAVED_PLATFORM_IAM'],
    'the platform root grants enumerated actions; "*" only as a resource of actions AWS cannot scope, with the printed waiver; iam:PassRole only to named services',
    (t) => each(t, ['aws_iam_policy', 'aws_iam_role_policy'], (r) => statements(r.body.policy).flatMap((s) => statementProblems(t, r, s))),
  ),
  rule(
    ['PAVED_PLATFORM_TRUST'],
    "the platform root's roles trust EKS Pod Identity on behalf of the account's cluster (aws:SourceAccount and the eks-cluster-arn session tag) or GitHub's OIDC provider for this repository only (aud, pinned sub)",
    (t) => each(t, ['aws_iam_role'], (r) => trustProblems(t, r)),
  ),
  // The state locks are objects in the bucket (use_lockfile): no lock table to check.
  rule(
    ['PAVED_PLATFORM_STATE'],
    'the state bucket, which also holds the state locks, blocks public access, is SSE-KMS with the state key, versioned, access-logged, ACL-free and TLS-only',
    (t) => each(t, ['aws_s3_bucket'], () => stateProblems(t)),
  ),
];
