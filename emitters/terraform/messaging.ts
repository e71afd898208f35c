import type { ResolvedSubscription, ResolvedTopic } from '../../spec/model.js';
import { deployedName, deployedTopic, names } from '../../spec/naming.js';
import { queueName } from '../../spec/runtime-env.js';
import { attribute, attributes, block, call, map, object, raw, type Block } from '../shared/hcl.js';
import { regionalArn } from './arns.js';
import { connectionSecret } from './connection.js';
import {
  entry,
  KMS_KEY_ARN,
  localName,
  mapOfNames,
  movedBlocks,
  namesByResource,
  withMoves,
  resource,
  ROLE_ARN,
  topicRenamed,
  type CloudEnvironment,
  type Concern,
  type StackContext,
} from './context.js';
import { policy, policyExpression, type PolicyStatement } from './policy.js';

/** Messages wait up to four days in a queue and two weeks (SQS's longest) in its dead-letter queue. */
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/** How long SQS reuses a data key before asking KMS again: fewer KMS calls, same encryption. */
const DATA_KEY_REUSE_SECONDS = 300;

/** `<from>-<topic>`: a subscription's key in variables, outputs and its resources' addresses (here and in subscriptions/). */
export const subscriptionKey = (s: ResolvedSubscription): string => `${s.from}-${s.topic}`;

/** A subscription as its queues were deployed: under the topic's deployed name, which its queues and connection secret are named after. */
export const deployedSubscription = (s: ResolvedSubscription): ResolvedSubscription => ({ ...s, topic: deployedTopic(s) });

/**
 * Topics the service publishes (SNS) and the queues through which it consumes
 * other services' topics (SQS + a dead-letter queue after `maxRetries`
 * deliveries), meeting security-rules.md §1 rows 13-14: encrypted with the
 * service key, and resource policies that name exactly one principal each.
 */
export function messagingConcern(context: StackContext): Concern | undefined {
  const { service, project } = context;
  const { topics, subscriptions } = service.resources;
  if (topics.length === 0 && subscriptions.length === 0) return undefined;
  // A subscribed topic lives in another stack: its ARN is computed, and here it is only a string in policies.
  const topicArn = (s: ResolvedSubscription, env: CloudEnvironment): string =>
    regionalArn('sns', project.platform.cloud.region, project.platform.cloud.accounts[env], names.snsTopic(s.from, env, deployedTopic(s)));
  const statements: PolicyStatement[] = [];
  if (topics.length > 0)
    statements.push({
      Sid: 'PublishToTopics',
      Effect: 'Allow',
      Action: ['sns:Publish'],
      Resource: topics.map((t) => raw(`aws_sns_topic.${localName(t.name)}.arn`)),
    });
  if (subscriptions.length > 0) {
    statements.push({
      Sid: 'ConsumeQueues',
      Effect: 'Allow',
      Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      // The dead-letter queues too: inspecting and replaying poison messages is the service's own job.
      Resource: subscriptions.flatMap((s) => [
        raw(`aws_sqs_queue.${localName(subscriptionKey(s))}.arn`),
        raw(`aws_sqs_queue.${localName(subscriptionKey(s), 'dlq')}.arn`),
      ]),
    });
  }
  return {
    file: 'messaging.tf',
    blocks: [
      ...topics.flatMap((t) => withMoves(`topics.${t.name}`, t, topicBlocks)),
      ...subscriptions.flatMap((s) => {
        const blocks = subscriptionBlocks(s);
        return topicRenamed(s)
          ? [...blocks, ...movedBlocks(`subscriptions.${subscriptionKey(s)}`, subscriptionBlocks(deployedSubscription(s)), blocks)]
          : blocks;
      }),
    ],
    variables: [
      ...(topics.length > 0
        ? [
            {
              name: 'topics',
              description: 'Names of the SNS topics this service publishes to, derived by paved.',
              type: mapOfNames('name', 'connection_secret'),
              value: (env: CloudEnvironment) =>
                namesByResource(
                  topics,
                  (t) => t.name,
                  (t) => ({
                    name: names.snsTopic(service.name, env, deployedName(t)),
                    connection_secret: names.connectionSecret(service.name, env, 'topic', deployedName(t)),
                  }),
                ),
            },
          ]
        : []),
      ...(subscriptions.length > 0
        ? [
            {
              name: 'subscriptions',
              description: "Per subscription (<from>-<topic>): the publisher's topic ARN and the names of this service's queues, derived by paved.",
              type: mapOfNames('topic_arn', 'queue', 'dead_letter_queue', 'connection_secret'),
              value: (env: CloudEnvironment) =>
                namesByResource(subscriptions, subscriptionKey, (s) => ({
                  topic_arn: topicArn(s, env),
                  queue: names.sqsQueue(service.name, env, s.from, deployedTopic(s)),
                  dead_letter_queue: names.sqsDeadLetterQueue(service.name, env, s.from, deployedTopic(s)),
                  connection_secret: names.connectionSecret(service.name, env, 'queue', queueName(s.from, deployedTopic(s))),
                })),
            },
          ]
        : []),
    ],
    statements,
    outputs: [
      ...(topics.length > 0
        ? [
            {
              name: 'topic_arns',
              description: 'ARN of each topic this service publishes to.',
              value: map(Object.fromEntries(topics.map((t) => [t.name, raw(`aws_sns_topic.${localName(t.name)}.arn`)]))),
            },
          ]
        : []),
      ...(subscriptions.length > 0
        ? [
            {
              name: 'queues',
              description: 'URLs of the queue and dead-letter queue of each subscription (<from>-<topic>).',
              value: map(
                Object.fromEntries(
                  subscriptions.map((s) => [
                    subscriptionKey(s),
                    object({
                      url: raw(`aws_sqs_queue.${localName(subscriptionKey(s))}.url`),
                      dlq_url: raw(`aws_sqs_queue.${localName(subscriptionKey(s), 'dlq')}.url`),
                    }),
                  ]),
                ),
              ),
            },
          ]
        : []),
    ],
  };
}

function topicBlocks(topic: ResolvedTopic): Block[] {
  const local = localName(topic.name);
  const arn = raw(`aws_sns_topic.${local}.arn`);
  // Subscribers in other stacks subscribe with their own account's IAM permissions; only publishing needs naming here.
  const topicPolicy = policy({ Sid: 'PublishFromService', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: ['sns:Publish'], Resource: [arn] });
  return [
    resource('aws_sns_topic', local, attributes({ name: entry('topics', topic.name, 'name'), kms_master_key_id: KMS_KEY_ARN })),
    resource('aws_sns_topic_policy', local, attributes({ arn, policy: policyExpression(topicPolicy) })),
    ...connectionSecret('topic', topic.name, entry('topics', topic.name, 'connection_secret'), { arn }, deployedName(topic)),
  ];
}

function subscriptionBlocks(subscription: ResolvedSubscription): Block[] {
  const key = subscriptionKey(subscription);
  const local = localName(key);
  const dlq = localName(key, 'dlq');
  const name = (field: string) => entry('subscriptions', key, field);
  const queueArn = raw(`aws_sqs_queue.${local}.arn`);
  const deliver = policy({
    Sid: 'DeliverFromTopic',
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: ['sqs:SendMessage'],
    Resource: [queueArn],
    Condition: { ArnEquals: { 'aws:SourceArn': name('topic_arn') } },
  });
  const encryption = { kms_master_key_id: KMS_KEY_ARN, kms_data_key_reuse_period_seconds: DATA_KEY_REUSE_SECONDS };
  return [
    resource('aws_sqs_queue', dlq, attributes({ name: name('dead_letter_queue'), ...encryption, message_retention_seconds: DEAD_LETTER_RETENTION_SECONDS })),
    resource(
      'aws_sqs_queue',
      local,
      attributes({
        name: name('queue'),
        ...encryption,
        message_retention_seconds: QUEUE_RETENTION_SECONDS,
        redrive_policy: call('jsonencode', object({ deadLetterTargetArn: raw(`aws_sqs_queue.${dlq}.arn`), maxReceiveCount: subscription.maxRetries })),
      }),
    ),
    resource(
      'aws_sqs_queue_redrive_allow_policy',
      dlq,
      attributes({
        queue_url: raw(`aws_sqs_queue.${dlq}.id`),
        redrive_allow_policy: call('jsonencode', object({ redrivePermission: 'byQueue', sourceQueueArns: [queueArn] })),
      }),
    ),
    resource('aws_sqs_queue_policy', local, attributes({ queue_url: raw(`aws_sqs_queue.${local}.id`), policy: policyExpression(deliver) })),
    subscriptionRemoved(subscription),
    ...connectionSecret(
      'queue',
      key,
      name('connection_secret'),
      { url: raw(`aws_sqs_queue.${local}.url`), arn: queueArn, dlq_url: raw(`aws_sqs_queue.${dlq}.url`) },
      queueName(subscription.from, deployedTopic(subscription)),
    ),
  ];
}

/**
 * The subscription moved to the subscriptions root (subscriptions.ts), which
 * can only be applied once the publisher's topic exists. A stack applied
 * before the move holds it in its state: this forgets it there without
 * unsubscribing (Terraform >= 1.7), so delivery never stops, and the
 * subscriptions root adopts it (SNS Subscribe returns the existing
 * subscription for the same topic, endpoint and attributes). For a stack
 * without it in its state the block does nothing.
 */
function subscriptionRemoved(subscription: ResolvedSubscription): Block {
  return block(
    'removed',
    [],
    [attribute('from', raw(`aws_sns_topic_subscription.${localName(subscriptionKey(subscription))}`)), block('lifecycle', [], attributes({ destroy: false }))],
    ['The subscription lives in subscriptions/ now: forgotten here, never unsubscribed.'],
  );
}
