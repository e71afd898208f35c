import type { ResolvedSubscription } from '../../spec/model.js';
import { deployedTopic, names } from '../../spec/naming.js';
import { attributes, block, quote, raw, type Block } from '../shared/hcl.js';
import { regionalArn } from './arns.js';
import { backendAttributes } from './backend.js';
import {
  entry,
  localName,
  mapOfNames,
  movedBlocks,
  namesByResource,
  resource,
  STACK_ENVIRONMENTS,
  topicRenamed,
  type CloudEnvironment,
  type StackContext,
  type Variable,
} from './context.js';
import { commonVariables } from './inputs.js';
import { deployedSubscription, subscriptionKey } from './messaging.js';
import type { StackFile } from './stack.js';
import { tfvarsItems, uniqueVariables, variableBlocks } from '../shared/terraform-variables.js';
import { providerBlock, versionsBlocks } from './versions.js';
import { SUBSCRIPTIONS_ROOT } from '../../spec/layout.js';

/**
 * `terraform/subscriptions/`: a root of its own that subscribes the service's
 * queues to the topics of other services. A subscription needs the
 * publisher's topic to exist, and two services may subscribe to each other,
 * so no main stack holds one: every main stack applies in any order. This
 * root never fails for a topic that does not exist yet: it looks the topics
 * up (the tagging API returns only resources that exist, and an empty answer
 * is no error) and subscribes only to those it finds. It is applied after the
 * service's own main stack, and again by each publisher's workflow after the
 * publisher's main stack (docs/targets/terraform.md, Ordering), so whichever applies
 * first, the second run subscribes. It reads no remote state: topic and queue
 * ARNs are computed from paved's names. Only a service with subscriptions gets it.
 */
export function subscriptionsRoot(context: StackContext): StackFile[] {
  const { service, project } = context;
  const { subscriptions } = service.resources;
  if (subscriptions.length === 0) return [];
  const { region, accounts } = project.platform.cloud;
  const variables = uniqueVariables([
    ...commonVariables(context),
    {
      name: 'subscriptions',
      description: "Per subscription (<from>-<topic>): the publisher's topic ARN and the ARN of this service's queue, derived by paved.",
      type: mapOfNames('topic_arn', 'queue_arn'),
      value: (env: CloudEnvironment) =>
        namesByResource(subscriptions, subscriptionKey, (s) => ({
          topic_arn: regionalArn('sns', region, accounts[env], names.snsTopic(s.from, env, deployedTopic(s))),
          queue_arn: regionalArn('sqs', region, accounts[env], names.sqsQueue(service.name, env, s.from, deployedTopic(s))),
        })),
    } satisfies Variable,
  ]);
  const files: StackFile[] = [
    { path: 'versions.tf', items: versionsBlocks(context) },
    { path: 'providers.tf', items: [providerBlock(context)] },
    { path: 'variables.tf', items: variableBlocks(variables) },
    {
      path: 'subscriptions.tf',
      items: [
        topicLookup(),
        ...subscriptions.flatMap((s) => {
          const subscribe = subscriptionBlock(s);
          return topicRenamed(s)
            ? [subscribe, ...movedBlocks(`subscriptions.${subscriptionKey(s)}`, [subscriptionBlock(deployedSubscription(s))], [subscribe])]
            : [subscribe];
        }),
      ],
    },
    ...STACK_ENVIRONMENTS.flatMap((env) => [
      { path: `env/${env}.tfvars`, items: tfvarsItems(variables, env) },
      { path: `env/${env}.s3.tfbackend`, items: backendAttributes(context, env, 'subscriptions') },
    ]),
  ];
  return files.map((file) => ({ path: `${SUBSCRIPTIONS_ROOT}/${file.path}`, items: file.items }));
}

/** The local name of the lookup of the publishers' topics. */
const TOPICS = 'data.aws_resourcegroupstaggingapi_resources.topics';

/**
 * Which of the topics exist now: GetResources with an ARN list answers with
 * the ARNs that exist (and carry a tag, which every paved topic does through
 * the provider's default_tags), and with none rather than an error.
 */
function topicLookup(): Block {
  return block(
    'data',
    ['aws_resourcegroupstaggingapi_resources', 'topics'],
    attributes({ resource_arn_list: raw('[for subscription in values(var.subscriptions) : subscription.topic_arn]') }),
    ["The publishers' topics that exist: a topic not created yet is left out, so this root applies in any order (docs/targets/terraform.md, Ordering)."],
  );
}

/**
 * Delivery over SQS to the service's own queue, raw (the message body as
 * published), while the topic exists. Same local name as the resource had in
 * the main stack, so an override targeting it keeps working; Terraform reads
 * an existing subscription without `count` as its instance [0].
 */
function subscriptionBlock(subscription: ResolvedSubscription): Block {
  const key = subscriptionKey(subscription);
  return resource(
    'aws_sns_topic_subscription',
    localName(key),
    attributes({
      count: raw(`contains(${TOPICS}.resource_tag_mapping_list[*].resource_arn, var.subscriptions[${quote(key)}].topic_arn) ? 1 : 0`),
      topic_arn: entry('subscriptions', key, 'topic_arn'),
      protocol: 'sqs',
      endpoint: entry('subscriptions', key, 'queue_arn'),
      raw_message_delivery: true,
    }),
  );
}
