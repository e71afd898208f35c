import type { ResolvedProject } from '../../../spec/model.js';
import { deployedName, names } from '../../../spec/naming.js';
import { serviceSecrets } from '../../../spec/runtime-env.js';
import { attributes, call, map, raw, template, type Expression } from '../../shared/hcl.js';
import { podIdentityTrust, policy, policyExpression, type PolicyStatement } from '../../shared/iam-policy.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../../shared/waivers.js';
import {
  ACCOUNT,
  arn,
  clusterNameVariable,
  everyName,
  LIST_OF_STRINGS,
  PARTITION,
  REGION,
  resource,
  STRING,
  type CloudEnvironment,
  type PlatformConcern,
} from './context.js';

/**
 * The identity of the External Secrets Operator in the environment's cluster:
 * the IAM role its ClusterSecretStore reads Secrets Manager with, bound by EKS
 * Pod Identity to ESO's ServiceAccount (platform.yaml kubernetes.externalSecrets).
 * Every service secret is encrypted with its service's own key, whose policy
 * delegates to IAM, so the role needs kms:Decrypt on each key besides the
 * secrets themselves (issue 15 item 1).
 *
 * Least privilege, AWS documentation relied on:
 * - Secrets: GetSecretValue and DescribeSecret on exactly the entries paved
 *   names for the environment (spec/runtime-env.ts serviceSecrets: declared
 *   and connection secrets). A secret's ARN ends in `-` and six random
 *   characters, matched by `-??????`.
 * - Keys: kms:Decrypt only through Secrets Manager (kms:ViaService) and only
 *   on keys that carry a service's alias (kms:ResourceAliases): an alias ARN
 *   in Resource would name the alias, not its key ("Use aliases to control
 *   access to KMS keys", AWS KMS Developer Guide).
 * - Database master secrets, which RDS creates as `rds!db-<uuid>` and tags
 *   with `aws:rds:primaryDBInstanceArn`: GetSecretValue only on those whose
 *   tag names one of the services' instances
 *   (secretsmanager:ResourceTag/<key>). ESO finds them by that tag, which
 *   calls secretsmanager:ListSecrets: an action without resource-level
 *   permissions, so its Resource is "*" (waived below). Listing returns names
 *   and tags, never a value. The same secrets serve the database bootstrap
 *   (auth: iam) and the app's password (auth: password): one instance each,
 *   so a password database widens the list by its own instance and no more.
 * - Trust: the EKS Pod Identity service, only on behalf of this account's
 *   cluster and only for ESO's namespace and ServiceAccount (aws:SourceAccount
 *   and the session tags Pod Identity sets: eks-cluster-arn,
 *   kubernetes-namespace, kubernetes-service-account; "Create IAM role with
 *   trust policy required by EKS Pod Identity").
 */
export function esoConcern(project: ResolvedProject): PlatformConcern {
  const { externalSecrets } = project.platform.kubernetes;
  const services = project.services;
  const secretNames = (env: CloudEnvironment): string[] => services.flatMap((s) => serviceSecrets(s, env).map((secret) => secret.secretName));
  const keyAliases = (env: CloudEnvironment): string[] => services.filter((s) => serviceSecrets(s, env).length > 0).map((s) => names.kmsAlias(s.name, env));
  const databases = (env: CloudEnvironment): string[] =>
    services.flatMap((s) => s.resources.databases.map((d) => names.rdsInstance(s.name, env, deployedName(d))));
  // Services and their resources are the same in both environments, so whether a statement exists is too.
  const hasSecrets = secretNames('staging').length > 0;
  const hasDatabases = databases('staging').length > 0;
  const clusterArn = arn('eks', 'regional', 'cluster/', raw('var.cluster_name'));
  const statements: PolicyStatement[] = [];
  if (hasSecrets) {
    statements.push(
      {
        Sid: 'ReadServiceSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: [everyName('arn:%s:secretsmanager:%s:%s:secret:%s-??????', raw('var.eso_secret_names'), PARTITION, REGION, ACCOUNT)],
      },
      {
        Sid: 'DecryptWithServiceKeys',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [arn('kms', 'regional', 'key/*')],
        Condition: {
          StringEquals: { 'kms:ViaService': template('secretsmanager.', REGION, '.amazonaws.com') },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': raw('var.eso_kms_aliases') },
        },
      },
    );
  }
  if (hasDatabases) {
    statements.push(
      {
        Sid: 'ReadDatabaseMasterSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: [arn('secretsmanager', 'regional', 'secret:rds!db-*')],
        Condition: {
          StringEquals: {
            'secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn': everyName(
              'arn:%s:rds:%s:%s:db:%s',
              raw('var.eso_database_identifiers'),
              PARTITION,
              REGION,
              ACCOUNT,
            ),
          },
        },
      },
      { Sid: 'FindDatabaseMasterSecretsByTag', Effect: 'Allow', Action: ['secretsmanager:ListSecrets'], Resource: ['*'] },
    );
  }
  const trust = policy(podIdentityTrust({ account: ACCOUNT, clusterArn, namespace: raw('var.eso_namespace'), serviceAccount: raw('var.eso_service_account') }));
  const variables = [
    clusterNameVariable(project),
    {
      name: 'eso_role_name',
      description: 'Name of the IAM role of the External Secrets Operator.',
      type: STRING,
      value: (env: CloudEnvironment): Expression => names.externalSecretsRole(project.platform.name, env),
    },
    { name: 'eso_namespace', description: 'Namespace of the External Secrets Operator.', type: STRING, value: (): Expression => externalSecrets.namespace },
    {
      name: 'eso_service_account',
      description: "ServiceAccount of the External Secrets Operator's controller.",
      type: STRING,
      value: (): Expression => externalSecrets.serviceAccount,
    },
    ...(hasSecrets
      ? [
          {
            name: 'eso_secret_names',
            description: 'Secrets Manager name of every secret of every service in this environment, derived by paved.',
            type: LIST_OF_STRINGS,
            value: (env: CloudEnvironment): Expression => secretNames(env),
          },
          {
            name: 'eso_kms_aliases',
            description: 'Alias of the KMS key of every service that has secrets, derived by paved.',
            type: LIST_OF_STRINGS,
            value: (env: CloudEnvironment): Expression => keyAliases(env),
          },
        ]
      : []),
    ...(hasDatabases
      ? [
          {
            name: 'eso_database_identifiers',
            description: 'RDS instance identifier of every database, whose RDS-managed master secret the database bootstrap reads.',
            type: LIST_OF_STRINGS,
            value: (env: CloudEnvironment): Expression => databases(env),
          },
        ]
      : []),
  ];
  return {
    file: 'eso.tf',
    blocks: [
      resource(
        'aws_iam_role',
        'external_secrets',
        attributes({
          name: raw('var.eso_role_name'),
          description: "External Secrets Operator, through EKS Pod Identity: reads the services' secrets",
          assume_role_policy: policyExpression(trust),
        }),
      ),
      ...(statements.length > 0
        ? [
            resource(
              'aws_iam_role_policy',
              'external_secrets',
              attributes({ name: raw('var.eso_role_name'), role: raw('aws_iam_role.external_secrets.id'), policy: policyExpression(policy(...statements)) }),
              hasDatabases ? [waiverText(WAIVERS.externalSecretsListSecrets)] : [],
            ),
          ]
        : []),
      resource(
        'aws_eks_pod_identity_association',
        'external_secrets',
        attributes({
          cluster_name: raw('var.cluster_name'),
          namespace: raw('var.eso_namespace'),
          service_account: raw('var.eso_service_account'),
          role_arn: raw('aws_iam_role.external_secrets.arn'),
        }),
      ),
    ],
    variables,
    outputs: [
      {
        name: 'external_secrets_role_arn',
        description: "ARN of the External Secrets Operator's role, bound to its ServiceAccount by EKS Pod Identity.",
        value: raw('aws_iam_role.external_secrets.arn'),
      },
      {
        name: 'secrets_to_set',
        description:
          'The declared secrets whose values the owning teams set in Secrets Manager before the first sync (Terraform creates each entry, never its value).',
        value: raw('var.declared_secret_names'),
      },
    ],
  };
}

/** The declared secrets per environment: what outputs.tf lists as the values to set before the first sync. */
export function declaredSecretsVariable(project: ResolvedProject) {
  return {
    name: 'declared_secret_names',
    description: 'Secrets Manager name of every declared secret in this environment, by owning team; their values are set out of band.',
    type: call('map', LIST_OF_STRINGS),
    value: (env: CloudEnvironment): Expression => {
      const byOwner = new Map<string, string[]>();
      for (const service of project.services) {
        const declared = serviceSecrets(service, env)
          .filter((s) => s.kind === 'secret')
          .map((s) => s.secretName);
        if (declared.length > 0) byOwner.set(service.owner, [...(byOwner.get(service.owner) ?? []), ...declared]);
      }
      return map(Object.fromEntries(byOwner));
    },
  };
}
