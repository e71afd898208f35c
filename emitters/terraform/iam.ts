import { names } from '../../spec/naming.js';
import { attributes, raw, template } from '../shared/hcl.js';
import { PARTITION, resource, type Concern, type StackContext } from './context.js';
import { podIdentityTrust } from '../shared/iam-policy.js';
import { policy, policyExpression, type PolicyStatement } from './policy.js';

/** The cluster the role's pods run in, as the `eks-cluster-arn` session tag of EKS Pod Identity names it. */
export const EKS_CLUSTER_ARN = template(
  'arn:',
  PARTITION,
  ':eks:',
  raw('var.aws_region'),
  ':',
  raw('var.aws_account_id'),
  ':cluster/',
  raw('var.cluster_name'),
);

/**
 * The service's own role, assumed by its pods through EKS Pod Identity: the
 * trust policy names the Pod Identity service of this environment's cluster and
 * nothing else (CKV_AWS_60), and the association binds it to one ServiceAccount
 * in one namespace. Its policy is the statements the other concerns contributed
 * plus using the service key for what the pods encrypt and decrypt themselves
 * (SNS, SQS, S3): enumerated actions on the resources the service declared,
 * never a wildcard (CKV_AWS_62/63/355, AVD-AWS-0057). Pods never read Secrets
 * Manager: External Secrets does, with the platform's own identity.
 */
export function iamConcern(context: StackContext, grants: readonly PolicyStatement[], usesKey: { readonly encrypt: boolean } | undefined): Concern {
  const { service } = context;
  const statements: PolicyStatement[] = [...grants];
  if (usesKey) {
    // Decrypt for everything the service reads; GenerateDataKey only when it writes (publishes, uploads).
    statements.push({
      Sid: 'UseServiceKey',
      Effect: 'Allow',
      Action: usesKey.encrypt ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      Resource: [raw('aws_kms_key.service.arn')],
    });
  }
  const trust = policy(
    podIdentityTrust({
      account: raw('var.aws_account_id'),
      clusterArn: EKS_CLUSTER_ARN,
      namespace: names.namespace(service.name),
      serviceAccount: names.serviceAccount(service.name),
    }),
  );
  return {
    file: 'iam.tf',
    blocks: [
      resource(
        'aws_iam_role',
        'service',
        attributes({
          name: raw('var.role_name'),
          description: `Pods of ${service.name}, through EKS Pod Identity`,
          assume_role_policy: policyExpression(trust),
        }),
      ),
      ...(statements.length > 0
        ? [
            resource(
              'aws_iam_role_policy',
              'service',
              attributes({ name: raw('var.role_name'), role: raw('aws_iam_role.service.id'), policy: policyExpression(policy(...statements)) }),
            ),
          ]
        : []),
      resource(
        'aws_eks_pod_identity_association',
        'service',
        attributes({
          cluster_name: raw('var.cluster_name'),
          namespace: names.namespace(service.name),
          service_account: names.serviceAccount(service.name),
          role_arn: raw('aws_iam_role.service.arn'),
        }),
      ),
    ],
    variables: [
      {
        name: 'role_name',
        description: "Name of the service's IAM role, derived by paved.",
        type: raw('string'),
        value: (env) => names.iamRole(service.name, env),
      },
      {
        name: 'cluster_name',
        description: 'EKS cluster the pods run in.',
        type: raw('string'),
        value: (env) => context.project.platform.kubernetes.clusters[env],
      },
    ],
    statements: [],
    outputs: [
      { name: 'role_arn', description: "ARN of the service's role, bound to its ServiceAccount by EKS Pod Identity.", value: raw('aws_iam_role.service.arn') },
    ],
  };
}
