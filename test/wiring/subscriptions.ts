import { quoteList, type ServiceEnv, type Stack, type WiringProblem } from './context.js';
import { referencedResource, resourceExpr, resourceValue, showValue } from './terraform.js';

/**
 * Topics across stacks: a subscription that names its topic by ARN (through
 * tfvars, because the topic lives in the publisher's stack) must name a topic
 * some stack of the same environment creates, in that stack's region and
 * account (`arn:<partition>:sns:<region>:<account>:<name>`).
 */

interface Topic {
  readonly arnTail: string;
  readonly where: string;
}

function topicsOf(stacks: readonly Stack[]): Topic[] {
  return stacks.flatMap((stack) =>
    stack.resources
      .filter((r) => r.type === 'aws_sns_topic')
      .flatMap((r) => {
        const name = resourceValue(r, 'name');
        const region = stack.tfvars.values.aws_region;
        const account = stack.tfvars.values.aws_account_id;
        if (typeof name !== 'string' || typeof region !== 'string' || typeof account !== 'string') return [];
        return [{ arnTail: `sns:${region}:${account}:${name}`, where: `${r.address} (${stack.root.dir}, ${stack.tfvars.path})` }];
      }),
  );
}

export function checkSubscriptions(ctx: ServiceEnv, allStacks: readonly Stack[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const topics = topicsOf(allStacks);
  for (const stack of ctx.stacks) {
    for (const subscription of stack.resources.filter((r) => r.type === 'aws_sns_topic_subscription')) {
      const expr = resourceExpr(subscription, 'topic_arn');
      if (referencedResource(expr)?.type === 'aws_sns_topic') continue; // the topic is in this root
      ctx.followed('subscription-topic');
      const arn = resourceValue(subscription, 'topic_arn');
      const match = typeof arn === 'string' ? /^arn:[^:]+:(sns:[^:]+:[^:]+:[^:]+)$/.exec(arn) : null;
      if (match && topics.some((t) => t.arnTail === match[1])) continue;
      problems.push({
        check: 'subscription-topic',
        file: subscription.file,
        object: `${subscription.address} (${stack.tfvars.path})`,
        from: `topic_arn = ${showValue(arn)}`,
        to: `SNS topics the ${ctx.env} stacks create: ${quoteList(topics.map((t) => `arn:…:${t.arnTail} from ${t.where}`))}`,
        message: 'the subscription names a topic no stack of the environment creates',
      });
    }
  }
  return problems;
}
