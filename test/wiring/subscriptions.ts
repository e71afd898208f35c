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
  readonly stack: Stack;
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
        return [{ arnTail: `sns:${region}:${account}:${name}`, where: `${r.address} (${stack.root.dir}, ${stack.tfvars.path})`, stack }];
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

/** One root needing another applied first: a subscription in `from` names a topic `to` creates. */
interface Needs {
  readonly from: Stack;
  readonly to: Stack;
  readonly subscription: string;
  readonly file: string;
  readonly topic: string;
}

/**
 * Apply order (issue 15 item 4): a root whose subscription names another root's
 * topic can only be applied after it. A cycle between roots (two services that
 * subscribe to each other's topics from their main stacks) has no order that
 * works on an empty account; each root in a cycle is reported once.
 */
export function checkApplyOrder(env: string, allStacks: readonly Stack[], followed: (check: 'apply-order') => void): WiringProblem[] {
  const topics = topicsOf(allStacks);
  const needs: Needs[] = [];
  for (const stack of allStacks) {
    for (const subscription of stack.resources.filter((r) => r.type === 'aws_sns_topic_subscription')) {
      const arn = resourceValue(subscription, 'topic_arn');
      const match = typeof arn === 'string' ? /^arn:[^:]+:(sns:[^:]+:[^:]+:[^:]+)$/.exec(arn) : null;
      const topic = match ? topics.find((t) => t.arnTail === match[1]) : undefined;
      if (!topic || topic.stack === stack) continue;
      followed('apply-order');
      needs.push({ from: stack, to: topic.stack, subscription: subscription.address, file: subscription.file, topic: topic.where });
    }
  }
  const problems: WiringProblem[] = [];
  const reported = new Set<Stack>();
  for (const first of needs) {
    if (reported.has(first.from)) continue;
    // A path back from the topic's root to the subscriber's root closes a cycle.
    const path = pathBetween(first.to, first.from, needs);
    if (!path) continue;
    const cycle = [first, ...path];
    for (const n of cycle) reported.add(n.from);
    problems.push({
      check: 'apply-order',
      file: first.file,
      object: `${first.subscription} (${first.from.tfvars.path})`,
      from: `${first.from.root.dir} needs ${first.topic} applied first`,
      to: path.map((n) => `${n.from.root.dir} needs ${n.topic} applied first (${n.subscription} in ${n.file})`).join('; '),
      message: `the ${env} roots need each other applied first, so no order applies them on an empty account`,
    });
  }
  return problems;
}

function pathBetween(start: Stack, goal: Stack, needs: readonly Needs[]): Needs[] | undefined {
  const queue: { at: Stack; path: Needs[] }[] = [{ at: start, path: [] }];
  const seen = new Set<Stack>([start]);
  while (queue.length > 0) {
    const { at, path } = queue.shift() as { at: Stack; path: Needs[] };
    for (const n of needs.filter((x) => x.from === at)) {
      if (n.to === goal) return [...path, n];
      if (!seen.has(n.to)) {
        seen.add(n.to);
        queue.push({ at: n.to, path: [...path, n] });
      }
    }
  }
  return undefined;
}
