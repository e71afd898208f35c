import { quoteList, type ServiceEnv, type Stack, type WiringProblem } from './context.js';
import { evaluate, isObject, referencedResource, resourceExpr, resourceValue, showValue, Unknown, type Resource, type Value } from './terraform.js';

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
      if (match && topics.some((t) => t.arnTail === match[1])) {
        problems.push(...deliveryProblems(ctx, stack, subscription, arn as string, allStacks));
        continue;
      }
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

/** The object `jsonencode({…})` of a policy attribute, with what only apply knows left Unknown. */
function policyOf(resource: Resource, attribute: string): Value {
  const expr = resourceExpr(resource, attribute);
  return expr?.kind === 'call' && expr.name === 'jsonencode' && expr.args[0] ? evaluate(expr.args[0], resource.scope) : new Unknown('');
}

const asList = (v: Value | undefined): Value[] => (Array.isArray(v) ? (v as Value[]) : v === undefined ? [] : [v]);

/** Does some Allow statement let `service` do every one of `actions`, limited (if at all) to `aws:SourceArn` = `sourceArn`? */
function serviceAllowed(policy: Value, service: string, actions: readonly string[], sourceArn: string): boolean {
  const statements = isObject(policy) ? asList(policy.Statement) : [];
  return statements.some((st) => {
    if (!isObject(st) || st.Effect !== 'Allow') return false;
    const principal = st.Principal;
    if (!isObject(principal) || !asList(principal.Service).includes(service)) return false;
    const granted = asList(st.Action).map(String);
    if (!actions.every((a) => granted.some((g) => g === a || g === '*' || (g.endsWith('*') && a.startsWith(g.slice(0, -1)))))) return false;
    const condition = st.Condition;
    if (condition === undefined) return true;
    if (!isObject(condition)) return false;
    return Object.entries(condition).every(([operator, entries]) => {
      if (!isObject(entries)) return false;
      return Object.entries(entries).every(
        ([key, values]) =>
          key !== 'aws:SourceArn' || (['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'].includes(operator) && asList(values).includes(sourceArn)),
      );
    });
  });
}

/**
 * Delivery to SQS (AWS SNS Developer Guide, "Fanout to Amazon SQS queues"): the
 * endpoint is a queue some stack of the environment creates; its queue policy lets
 * sns.amazonaws.com `sqs:SendMessage` from this topic (aws:SourceArn); and when the
 * queue is encrypted with a customer managed key, that key's policy lets
 * sns.amazonaws.com `kms:GenerateDataKey` and `kms:Decrypt`, else SNS cannot deliver.
 */
function deliveryProblems(ctx: ServiceEnv, stack: Stack, subscription: Resource, topicArn: string, allStacks: readonly Stack[]): WiringProblem[] {
  if (resourceValue(subscription, 'protocol') !== 'sqs') return [];
  ctx.followed('subscription-delivery');
  const endpoint = resourceValue(subscription, 'endpoint');
  const base = { check: 'subscription-delivery' as const, file: subscription.file, object: `${subscription.address} (${stack.tfvars.path})` };
  const queues = allStacks.flatMap((s) =>
    s.resources
      .filter((r) => r.type === 'aws_sqs_queue')
      .map((r) => ({
        stack: s,
        queue: r,
        arnTail: `sqs:${String(s.tfvars.values.aws_region)}:${String(s.tfvars.values.aws_account_id)}:${showValue(resourceValue(r, 'name')).replace(/^"|"$/g, '')}`,
      })),
  );
  const tail = typeof endpoint === 'string' ? /^arn:[^:]+:(sqs:[^:]+:[^:]+:[^:]+)$/.exec(endpoint)?.[1] : undefined;
  const target = queues.find((q) => q.arnTail === tail);
  if (!target) {
    return [
      {
        ...base,
        from: `endpoint = ${showValue(endpoint)}`,
        to: `SQS queues the ${ctx.env} stacks create: ${quoteList(queues.map((q) => `arn:…:${q.arnTail} from ${q.queue.address} (${q.stack.root.dir})`))}`,
        message: 'the subscription delivers to a queue no stack of the environment creates',
      },
    ];
  }
  const problems: WiringProblem[] = [];
  const policies = target.stack.resources.filter((r) => {
    const ref = referencedResource(resourceExpr(r, 'queue_url'));
    return r.type === 'aws_sqs_queue_policy' && ref?.type === 'aws_sqs_queue' && ref.name === target.queue.name;
  });
  if (!policies.some((p) => serviceAllowed(policyOf(p, 'policy'), 'sns.amazonaws.com', ['sqs:SendMessage'], topicArn))) {
    problems.push({
      ...base,
      from: `topic_arn = ${JSON.stringify(topicArn)} → ${target.queue.address} (${target.stack.root.dir})`,
      to: `aws_sqs_queue_policy of the queue: ${quoteList(policies.map((p) => `${p.address} (${p.file})`))}; none lets sns.amazonaws.com sqs:SendMessage with aws:SourceArn ${topicArn}`,
      message: 'the queue policy refuses the topic, so SNS cannot deliver',
    });
  }
  const keyRef = referencedResource(resourceExpr(target.queue, 'kms_master_key_id'));
  const key = keyRef?.type === 'aws_kms_key' ? target.stack.resources.find((r) => r.type === 'aws_kms_key' && r.name === keyRef.name) : undefined;
  if (key && !serviceAllowed(policyOf(key, 'policy'), 'sns.amazonaws.com', ['kms:GenerateDataKey', 'kms:Decrypt'], topicArn)) {
    problems.push({
      ...base,
      from: `topic_arn = ${JSON.stringify(topicArn)} → ${target.queue.address} encrypted with ${key.address} (${key.file})`,
      to: `${key.address} policy: no statement lets sns.amazonaws.com kms:GenerateDataKey and kms:Decrypt for aws:SourceArn ${topicArn}`,
      message: 'SNS cannot encrypt messages for the queue, so it cannot deliver',
    });
  }
  return problems;
}
