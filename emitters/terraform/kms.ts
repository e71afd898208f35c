import { names } from '../../spec/naming.js';
import { attributes, raw, template } from '../shared/hcl.js';
import { entry, PARTITION, resource, type Concern, type StackContext } from './context.js';
import { policy, policyExpression, type PolicyStatement } from './policy.js';

/**
 * One customer-managed key per service and environment (CKV_AWS_7: rotated
 * yearly). Every resource of the stack is encrypted with it, so revoking the
 * key's grants shuts the whole service's data at once, and no resource falls back
 * to an AWS-managed key (CKV2_AWS_73, AVD-AWS-0135/0136, CKV_AWS_149).
 */
export function kmsConcern(context: StackContext): Concern {
  const { service } = context;
  const subscriptions = service.resources.subscriptions;
  const statements: PolicyStatement[] = [
    {
      // AWS's default key statement: the account's IAM policies decide who uses the key,
      // so the role policy in iam.tf grants this service and nobody is locked out of the key.
      // In a key policy, "*" as the resource means this key.
      Sid: 'AccountIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: template('arn:', PARTITION, ':iam::', raw('var.aws_account_id'), ':root') },
      Action: ['kms:*'],
      Resource: ['*'],
    },
  ];
  if (subscriptions.length > 0) {
    // SNS encrypts what it delivers to this service's queues with this key, only for the topics subscribed to.
    statements.push({
      Sid: 'SnsDeliversToQueues',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ['*'],
      Condition: { ArnEquals: { 'aws:SourceArn': subscriptions.map((s) => entry('subscriptions', `${s.from}-${s.topic}`, 'topic_arn')) } },
    });
  }
  const description = `Encrypts the data of ${service.name}` + (service.description ? `: ${service.description}` : '');
  return {
    file: 'kms.tf',
    blocks: [
      resource(
        'aws_kms_key',
        'service',
        attributes({
          description,
          enable_key_rotation: true,
          deletion_window_in_days: 30,
          policy: policyExpression(policy(...statements)),
        }),
      ),
      resource('aws_kms_alias', 'service', attributes({ name: raw('var.kms_alias'), target_key_id: raw('aws_kms_key.service.key_id') })),
    ],
    variables: [
      {
        name: 'kms_alias',
        description: "Alias of the service's KMS key.",
        type: raw('string'),
        value: (env) => names.kmsAlias(service.name, env),
      },
    ],
    statements: [],
    outputs: [
      { name: 'kms_key_arn', description: "ARN of the service's KMS key, which encrypts all of its resources.", value: raw('aws_kms_key.service.arn') },
    ],
  };
}
