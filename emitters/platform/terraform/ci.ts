import type { EnvironmentName, ResolvedProject } from '../../../spec/model.js';
import { names } from '../../../spec/naming.js';
import { attributes, call, map, object, raw, template, type Block, type Expression } from '../../shared/hcl.js';
import { policy, policyExpression } from '../../shared/iam-policy.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../../shared/waivers.js';
import {
  arn,
  data,
  everyName,
  LIST_OF_STRINGS,
  NAME_INFIX,
  PARTITION,
  REGION,
  resource,
  STRING,
  type CloudEnvironment,
  type PlatformConcern,
} from './context.js';

const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The CI roles of each root: preview's and staging's live in the staging account (preview plans staging), production's in production's. */
const ROLES_OF: Readonly<Record<CloudEnvironment, readonly EnvironmentName[]>> = { staging: ['preview', 'staging'], production: ['production'] };

/** The production plan role's entry in ci_roles: plans only, trusted by the production plan job's environment. */
function productionPlanRole(repository: string, productionRoleArn: string) {
  const { name, path } = roleNameAndPath(names.productionPlanRole(productionRoleArn));
  return [PRODUCTION_PLAN, object({ name, path, subjects: ciSubjects(repository, PRODUCTION_PLAN), applies: false, deploys_previews: false })] as const;
}

/** `arn:aws:iam::<account>:role/<path/>name` → the role's name and path. */
export function roleNameAndPath(roleArn: string): { readonly name: string; readonly path: string } {
  const full = roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length);
  const cut = full.lastIndexOf('/');
  return cut < 0 ? { name: full, path: '/' } : { name: full.slice(cut + 1), path: `/${full.slice(0, cut + 1)}` };
}

/**
 * The token subject GitHub issues (docs.github.com, "About security hardening
 * with OpenID Connect"): a job with a GitHub environment gets
 * `repo:<owner>/<repo>:environment:<name>`, a pull request's job
 * `repo:<owner>/<repo>:pull_request`, any other job of a branch
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>`. Staging and production deploy
 * from their environments; preview from pull requests, and main's scheduled
 * sweep of closed previews (emitters/actions/preview-sweep.ts) uses the
 * preview role too.
 */
export const ciSubjects = (repository: string, env: EnvironmentName | typeof PRODUCTION_PLAN): string[] =>
  env === 'preview' ? [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/main`] : [`repo:${repository}:environment:${env}`];

/**
 * The GitHub environment of the production plan job (emitters/actions), which
 * runs before the approval: its role (names.productionPlanRole) reads state and
 * plans, and can change nothing.
 */
export const PRODUCTION_PLAN = 'production-plan';

const TAGGED_BY_PAVED = (extra: Readonly<Record<string, Expression>> = {}) => ({
  StringEquals: { 'aws:ResourceTag/managed-by': 'paved', 'aws:ResourceTag/environment': raw('var.environment'), ...extra },
});
const CREATED_BY_PAVED = { StringEquals: { 'aws:RequestTag/managed-by': 'paved', 'aws:RequestTag/environment': raw('var.environment') } };

/** `<type><anything>-<infix>-<anything>`: paved's names of a service's resources in this environment. */
const named = (service: string, scope: 'regional' | 'global', type: string): Expression => arn(service, scope, `${type}*-`, NAME_INFIX, '-*');

/**
 * The CI roles of platform.yaml ci.roleArns, assumed by the generated
 * workflows through GitHub OIDC and trusted for this repository only
 * (ci.repository), `aud` sts.amazonaws.com and `sub` pinned (security-rules.md
 * §1 row 22). Their permissions are what the workflows run
 * (emitters/actions): every role plans the service stacks (reads their state
 * without a lock and refreshes their resources); the staging and production
 * roles apply them (state writes, the state lock object, creating and changing the
 * resources), and a production plan role (`<production role>-plan`) only plans,
 * for the production plan job that runs before the approval; the preview role also deploys previews (eks:DescribeCluster
 * for `aws eks update-kubeconfig`, and an EKS access entry mapping it to a
 * Kubernetes group the platform's RBAC binds).
 *
 * Scoping. State: the objects under services/<service>/<env>/ of the
 * project's services only; this root's own state is out of reach. Resources:
 * paved's name pattern for the environment (`*-stg-*`, buckets
 * `<platform>-stg-*`, secrets `*\/staging/*`), the region and account, and
 * where the service supports it the tags every service stack sets
 * (managed-by = paved, environment); the platform root tags its own
 * resources managed-by = paved-platform, so no CI role can touch the state
 * key, the External Secrets role or itself. Not per service, so the policies'
 * size does not grow with the number of services (IAM allows 6,144
 * characters per managed policy).
 *
 * What could not be scoped, each waived where it is printed: Describe and List
 * calls that AWS authorizes on "*" only (EC2, kms:ListAliases, the
 * ElastiCache user and subnet group listings) and kms:CreateKey, which has no
 * key yet (it requires the paved tags instead). An apply role can write the
 * inline policies of the service roles it manages: a permissions boundary on
 * those roles would cap them, and is not generated yet.
 */
export function ciConcern(project: ResolvedProject): PlatformConcern {
  const { platform } = project;
  const existing = platform.ci.githubOidcProvider === 'existing';
  const provider = existing ? raw('data.aws_iam_openid_connect_provider.github.arn') : raw('aws_iam_openid_connect_provider.github.arn');
  const trust = policy({
    Sid: 'GitHubActions',
    Effect: 'Allow',
    Principal: { Federated: provider },
    Action: ['sts:AssumeRoleWithWebIdentity'],
    Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: raw('each.value.subjects') } },
  });
  const stateObjects = everyName('%s/%s*', raw('var.ci_state_prefixes'), raw('aws_s3_bucket.state.arn'));
  const stateKey = raw('aws_kms_key.state.arn');

  const stateRead = policy(
    { Sid: 'ListState', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [raw('aws_s3_bucket.state.arn')] },
    { Sid: 'ReadServiceState', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [stateObjects] },
    { Sid: 'DecryptState', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [stateKey] },
  );
  // The state lock is an object next to the state (<key>.tflock, use_lockfile), under the same prefixes: written and deleted like the state.
  const stateWrite = policy(
    { Sid: 'WriteServiceState', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:PutObject'], Resource: [stateObjects] },
    { Sid: 'EncryptState', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: [stateKey] },
  );
  const serviceKeys = arn('kms', 'regional', 'key/*');
  const serviceRoles = [arn('iam', 'global', 'role/*-', NAME_INFIX), arn('iam', 'global', 'role/*-', NAME_INFIX, '-rds-monitoring')];
  const buckets = arn('s3', 's3', raw('var.bucket_prefix'), '*');
  const secrets = arn('secretsmanager', 'regional', 'secret:*/', raw('var.environment'), '/*');
  const clusterArn = arn('eks', 'regional', 'cluster/', raw('var.cluster_name'));
  const associations = arn('eks', 'regional', 'podidentityassociation/', raw('var.cluster_name'), '/*');

  const plan = policy(
    {
      // Waived (ciUnscopedReads): AWS authorizes these calls on "*" only.
      Sid: 'DescribeUnscopable',
      Effect: 'Allow',
      // tag:GetResources: the subscriptions roots look up which topics exist.
      Action: [
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeSecurityGroups',
        'elasticache:DescribeCacheSubnetGroups',
        'elasticache:DescribeUserGroups',
        'elasticache:DescribeUsers',
        'kms:ListAliases',
        'tag:GetResources',
      ],
      Resource: ['*'],
    },
    {
      Sid: 'ReadDatabases',
      Effect: 'Allow',
      Action: ['rds:DescribeDBInstances', 'rds:DescribeDBParameterGroups', 'rds:DescribeDBParameters', 'rds:DescribeDBSubnetGroups', 'rds:ListTagsForResource'],
      Resource: [named('rds', 'regional', 'db:'), named('rds', 'regional', 'pg:'), named('rds', 'regional', 'subgrp:')],
    },
    {
      Sid: 'ReadCaches',
      Effect: 'Allow',
      Action: ['elasticache:DescribeCacheClusters', 'elasticache:DescribeReplicationGroups', 'elasticache:ListTagsForResource'],
      Resource: [
        named('elasticache', 'regional', 'replicationgroup:'),
        named('elasticache', 'regional', 'cluster:'),
        arn('elasticache', 'regional', 'user:*-', NAME_INFIX, '*'),
        named('elasticache', 'regional', 'usergroup:'),
        named('elasticache', 'regional', 'subnetgroup:'),
      ],
    },
    {
      Sid: 'ReadMessaging',
      Effect: 'Allow',
      Action: [
        'sns:GetSubscriptionAttributes',
        'sns:GetTopicAttributes',
        'sns:ListTagsForResource',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ListQueueTags',
      ],
      Resource: [named('sns', 'regional', ''), named('sqs', 'regional', '')],
    },
    {
      Sid: 'ReadBuckets',
      Effect: 'Allow',
      Action: [
        's3:GetAccelerateConfiguration',
        's3:GetBucketAcl',
        's3:GetBucketCORS',
        's3:GetBucketLogging',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketOwnershipControls',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketRequestPayment',
        's3:GetBucketTagging',
        's3:GetBucketVersioning',
        's3:GetBucketWebsite',
        's3:GetEncryptionConfiguration',
        's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration',
        's3:ListBucket',
      ],
      Resource: [buckets],
    },
    // Connection secrets hold endpoints and names, never a password; refreshing their version reads them.
    {
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue'],
      Resource: [secrets],
    },
    {
      Sid: 'ReadServiceKeys',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      Resource: [serviceKeys],
      Condition: TAGGED_BY_PAVED(),
    },
    // Reading a connection secret's value decrypts it with its service's key, through Secrets Manager only.
    {
      Sid: 'DecryptServiceSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [serviceKeys],
      Condition: TAGGED_BY_PAVED({ 'kms:ViaService': template('secretsmanager.', REGION, '.amazonaws.com') }),
    },
    {
      Sid: 'ReadServiceRoles',
      Effect: 'Allow',
      Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
      Resource: serviceRoles,
    },
    {
      Sid: 'ReadPodIdentity',
      Effect: 'Allow',
      Action: ['eks:DescribePodIdentityAssociation', 'eks:ListPodIdentityAssociations'],
      Resource: [clusterArn, associations],
    },
  );

  const applyData = policy(
    {
      Sid: 'ManageDatabases',
      Effect: 'Allow',
      Action: [
        'rds:AddTagsToResource',
        'rds:CreateDBInstance',
        'rds:CreateDBParameterGroup',
        'rds:CreateDBSnapshot',
        'rds:CreateDBSubnetGroup',
        'rds:DeleteDBInstance',
        'rds:DeleteDBParameterGroup',
        'rds:DeleteDBSubnetGroup',
        'rds:ModifyDBInstance',
        'rds:ModifyDBParameterGroup',
        'rds:ModifyDBSubnetGroup',
        'rds:RebootDBInstance',
        'rds:RemoveTagsFromResource',
      ],
      Resource: [
        named('rds', 'regional', 'db:'),
        named('rds', 'regional', 'pg:'),
        named('rds', 'regional', 'subgrp:'),
        named('rds', 'regional', 'snapshot:'),
        arn('rds', 'regional', 'og:default:*'),
        arn('rds', 'regional', 'secgrp:*'),
      ],
    },
    {
      Sid: 'ManageCaches',
      Effect: 'Allow',
      Action: [
        'elasticache:AddTagsToResource',
        'elasticache:CreateCacheSubnetGroup',
        'elasticache:CreateReplicationGroup',
        'elasticache:CreateUser',
        'elasticache:CreateUserGroup',
        'elasticache:DeleteCacheSubnetGroup',
        'elasticache:DeleteReplicationGroup',
        'elasticache:DeleteUser',
        'elasticache:DeleteUserGroup',
        'elasticache:ModifyCacheSubnetGroup',
        'elasticache:ModifyReplicationGroup',
        'elasticache:ModifyUser',
        'elasticache:ModifyUserGroup',
        'elasticache:RemoveTagsFromResource',
      ],
      Resource: [
        named('elasticache', 'regional', 'replicationgroup:'),
        named('elasticache', 'regional', 'cluster:'),
        arn('elasticache', 'regional', 'user:*-', NAME_INFIX, '*'),
        named('elasticache', 'regional', 'usergroup:'),
        named('elasticache', 'regional', 'subnetgroup:'),
        arn('elasticache', 'regional', 'parametergroup:default.redis7'),
      ],
    },
    { Sid: 'CreateSecurityGroups', Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: [arn('ec2', 'regional', 'vpc/*')] },
    {
      Sid: 'CreateTaggedSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup'],
      Resource: [arn('ec2', 'regional', 'security-group/*')],
      Condition: CREATED_BY_PAVED,
    },
    {
      Sid: 'TagNewSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [arn('ec2', 'regional', 'security-group/*')],
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    },
    {
      Sid: 'ManageSecurityGroups',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateTags',
        'ec2:DeleteSecurityGroup',
        'ec2:DeleteTags',
        'ec2:ModifySecurityGroupRules',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      ],
      Resource: [arn('ec2', 'regional', 'security-group/*')],
      Condition: TAGGED_BY_PAVED(),
    },
    // A rule has no tags of its own; every call on it also names its group, which the statement above requires to be paved's.
    {
      Sid: 'ManageSecurityGroupRules',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:ModifySecurityGroupRules',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      ],
      Resource: [arn('ec2', 'regional', 'security-group-rule/*')],
    },
  );

  const applyMessaging = policy(
    {
      Sid: 'ManageTopics',
      Effect: 'Allow',
      Action: [
        'sns:CreateTopic',
        'sns:DeleteTopic',
        'sns:SetSubscriptionAttributes',
        'sns:SetTopicAttributes',
        'sns:Subscribe',
        'sns:TagResource',
        'sns:Unsubscribe',
        'sns:UntagResource',
      ],
      Resource: [named('sns', 'regional', '')],
    },
    {
      Sid: 'ManageQueues',
      Effect: 'Allow',
      Action: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
      Resource: [named('sqs', 'regional', '')],
    },
    {
      Sid: 'ManageBuckets',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket',
        's3:DeleteBucket',
        's3:DeleteBucketPolicy',
        's3:PutBucketLogging',
        's3:PutBucketOwnershipControls',
        's3:PutBucketPolicy',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketTagging',
        's3:PutBucketVersioning',
        's3:PutEncryptionConfiguration',
        's3:PutLifecycleConfiguration',
      ],
      Resource: [buckets],
    },
    {
      Sid: 'ManageSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:RestoreSecret',
        'secretsmanager:TagResource',
        'secretsmanager:UntagResource',
        'secretsmanager:UpdateSecret',
      ],
      Resource: [secrets],
    },
    // RDS creates, tags and rotates each database's master secret with the caller's permissions.
    {
      Sid: 'ManageDatabaseMasterSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:TagResource'],
      Resource: [arn('secretsmanager', 'regional', 'secret:rds!db-*')],
    },
    {
      // RDS, ElastiCache and Secrets Manager use the service key on the caller's behalf when they create what it encrypts.
      Sid: 'UseServiceKeys',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: [serviceKeys],
      Condition: TAGGED_BY_PAVED({
        'kms:ViaService': ['elasticache', 'rds', 'secretsmanager'].map((service) => template(`${service}.`, REGION, '.amazonaws.com')),
      }),
    },
  );

  const applyIdentity = policy(
    {
      Sid: 'ManageServiceRoles',
      Effect: 'Allow',
      Action: [
        'iam:DeleteRole',
        'iam:DeleteRolePolicy',
        'iam:ListInstanceProfilesForRole',
        'iam:PutRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
      ],
      Resource: serviceRoles,
      Condition: TAGGED_BY_PAVED(),
    },
    { Sid: 'CreateServiceRoles', Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: serviceRoles, Condition: CREATED_BY_PAVED },
    {
      Sid: 'AttachMonitoringPolicy',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: [serviceRoles[1]!],
      Condition: { ArnEquals: { 'iam:PolicyARN': template('arn:', PARTITION, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole') } },
    },
    {
      Sid: 'PassServiceRoles',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: serviceRoles,
      Condition: { StringEquals: { 'iam:PassedToService': ['monitoring.rds.amazonaws.com', 'pods.eks.amazonaws.com', 'rds.amazonaws.com'] } },
    },
    {
      Sid: 'CreateServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: [arn('iam', 'global', 'role/aws-service-role/*')],
      Condition: { StringEquals: { 'iam:AWSServiceName': ['elasticache.amazonaws.com', 'rds.amazonaws.com'] } },
    },
    // Waived (ciCreateKey): a key that does not exist yet has no ARN; the request must carry paved's tags.
    { Sid: 'CreateServiceKeys', Effect: 'Allow', Action: ['kms:CreateKey', 'kms:TagResource'], Resource: ['*'], Condition: CREATED_BY_PAVED },
    {
      Sid: 'ManageServiceKeys',
      Effect: 'Allow',
      Action: [
        'kms:CreateAlias',
        'kms:DeleteAlias',
        'kms:EnableKeyRotation',
        'kms:PutKeyPolicy',
        'kms:ScheduleKeyDeletion',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:UpdateAlias',
        'kms:UpdateKeyDescription',
      ],
      Resource: [serviceKeys],
      Condition: TAGGED_BY_PAVED(),
    },
    {
      Sid: 'ManageServiceKeyAliases',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'],
      Resource: [arn('kms', 'regional', 'alias/*-', NAME_INFIX)],
    },
    {
      Sid: 'ManagePodIdentity',
      Effect: 'Allow',
      Action: [
        'eks:CreatePodIdentityAssociation',
        'eks:DeletePodIdentityAssociation',
        'eks:TagResource',
        'eks:UntagResource',
        'eks:UpdatePodIdentityAssociation',
      ],
      Resource: [clusterArn, associations],
    },
  );

  const managed = (local: string, description: string, document: ReturnType<typeof policy>, waivers: readonly string[] = []): Block =>
    resource(
      'aws_iam_policy',
      local,
      attributes({ name: template(raw('var.ci_policy_prefix'), `-${local.replaceAll('_', '-')}`), description, policy: policyExpression(document) }),
      waivers,
    );
  const attach = (local: string, forEach: Expression): Block =>
    resource(
      'aws_iam_role_policy_attachment',
      local,
      attributes({ for_each: forEach, role: raw('aws_iam_role.ci[each.key].name'), policy_arn: raw(`aws_iam_policy.${local}.arn`) }),
    );
  const everyRole = raw('var.ci_roles');
  const applyRoles = raw('{ for key, role in var.ci_roles : key => role if role.applies }');
  const previewRoles = raw('{ for key, role in var.ci_roles : key => role if role.deploys_previews }');

  const blocks: Block[] = [
    existing
      ? data('aws_iam_openid_connect_provider', 'github', attributes({ url: GITHUB_OIDC_URL }), [
          'platform.yaml ci.githubOidcProvider: existing, so the account already holds it.',
        ])
      : resource('aws_iam_openid_connect_provider', 'github', attributes({ url: GITHUB_OIDC_URL, client_id_list: ['sts.amazonaws.com'] }), [
          'One per account and URL; set ci.githubOidcProvider: existing in platform.yaml when something else created it.',
        ]),
    resource(
      'aws_iam_role',
      'ci',
      attributes({
        for_each: everyRole,
        name: raw('each.value.name'),
        path: raw('each.value.path'),
        description: template('GitHub Actions of ', raw('var.github_repository'), ' (', raw('each.key'), ')'),
        assume_role_policy: policyExpression(trust),
        max_session_duration: 3600,
      }),
    ),
    managed('ci_state_read', "Read the service stacks' Terraform state (plans run without the lock)", stateRead),
    managed('ci_state_write', "Write the service stacks' Terraform state under the lock", stateWrite),
    managed('ci_plan', 'Refresh the resources of the service stacks for terraform plan', plan, [waiverText(WAIVERS.ciUnscopedReads)]),
    managed('ci_apply_data', 'Create and change the databases, caches and security groups of the service stacks', applyData),
    managed('ci_apply_messaging', 'Create and change the topics, queues, buckets and secrets of the service stacks', applyMessaging),
    managed('ci_apply_identity', 'Create and change the roles, keys and pod identities of the service stacks', applyIdentity, [
      waiverText(WAIVERS.ciCreateKey),
    ]),
    attach('ci_state_read', everyRole),
    attach('ci_plan', everyRole),
    attach('ci_state_write', applyRoles),
    attach('ci_apply_data', applyRoles),
    attach('ci_apply_messaging', applyRoles),
    attach('ci_apply_identity', applyRoles),
    resource(
      'aws_iam_role_policy',
      'ci_preview',
      attributes({
        for_each: previewRoles,
        name: 'connect-to-the-preview-cluster',
        role: raw('aws_iam_role.ci[each.key].id'),
        policy: policyExpression(
          policy({
            Sid: 'DescribePreviewCluster',
            Effect: 'Allow',
            Action: ['eks:DescribeCluster'],
            Resource: [arn('eks', 'regional', 'cluster/', raw('var.preview_cluster_name'))],
          }),
        ),
      }),
    ),
    // Kubernetes permissions come from the group: the platform's RBAC binds it to what a preview deploy does (create its namespace, apply the overlay). Needs the cluster's API authentication mode.
    resource(
      'aws_eks_access_entry',
      'ci_preview',
      attributes({
        for_each: previewRoles,
        cluster_name: raw('var.preview_cluster_name'),
        principal_arn: raw('aws_iam_role.ci[each.key].arn'),
        kubernetes_groups: [raw('var.preview_deployer_group')],
      }),
    ),
  ];
  const stateEnv = (env: CloudEnvironment): string[] => project.services.map((s) => names.terraformStatePrefix(s.name, env));
  return {
    file: 'ci.tf',
    blocks,
    variables: [
      {
        name: 'github_repository',
        description: 'The GitHub repository (owner/name) whose workflows may assume the CI roles.',
        type: STRING,
        value: () => platform.ci.repository,
      },
      {
        name: 'ci_roles',
        description:
          'The CI roles of this account (platform.yaml ci.roleArns): name, path, the token subjects they trust, whether they apply service stacks and whether they deploy previews.',
        type: call(
          'map',
          call('object', object({ name: STRING, path: STRING, subjects: LIST_OF_STRINGS, applies: raw('bool'), deploys_previews: raw('bool') })),
        ),
        value: (env) =>
          map(
            Object.fromEntries([
              ...ROLES_OF[env].map((role) => {
                const { name, path } = roleNameAndPath(platform.ci.roleArns[role]);
                return [
                  role,
                  object({ name, path, subjects: ciSubjects(platform.ci.repository, role), applies: role !== 'preview', deploys_previews: role === 'preview' }),
                ] as const;
              }),
              ...(env === 'production' ? [productionPlanRole(platform.ci.repository, platform.ci.roleArns.production)] : []),
            ]),
          ),
      },
      {
        name: 'ci_policy_prefix',
        description: "Prefix of the names of the CI roles' managed policies.",
        type: STRING,
        value: (env) => `${platform.name}-${env}`,
      },
      {
        name: 'ci_state_prefixes',
        description: "State object prefixes of the project's service stacks in this environment (services/<service>/<env>/).",
        type: LIST_OF_STRINGS,
        value: stateEnv,
      },
      {
        name: 'bucket_prefix',
        description: "Prefix of the names of the services' S3 buckets in this environment.",
        type: STRING,
        value: (env) => names.s3BucketPrefix(platform.name, env),
      },
      {
        name: 'preview_cluster_name',
        description: 'EKS cluster of the previews, which the preview CI role deploys to.',
        type: STRING,
        value: () => platform.kubernetes.clusters.preview,
      },
      {
        name: 'preview_deployer_group',
        description: 'Kubernetes group the preview CI role is mapped to in the preview cluster.',
        type: STRING,
        value: () => names.previewDeployerGroup(platform.name),
      },
    ],
    outputs: [
      {
        name: 'ci_role_arns',
        description: 'ARN of each CI role; platform.yaml ci.roleArns names them.',
        value: raw('{ for key, role in aws_iam_role.ci : key => role.arn }'),
      },
    ],
  };
}
