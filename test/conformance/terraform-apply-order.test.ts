import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainBody, type Plain } from '../../compiler/policy/view.js';
import type { Block } from '../../emitters/shared/hcl.js';
import { TERRAFORM_APPLY } from '../../emitters/actions/scripts.js';
import { TERRAFORM_APPLY_SAVED, TERRAFORM_SAVED_PLAN } from '../../emitters/actions/terraform-scripts.js';
import { names } from '../../spec/naming.js';
import { allStacks, PLUGIN_DIR, requireTerraform, terraform, type Stack } from '../support/terraform-helpers.js';
import { allGeneratedWorkflows } from '../support/workflows.js';

/**
 * Issue 15 item 4: every service's main stack applies in any order. A main
 * stack may name another service's resource only where the name is a string
 * that AWS does not resolve at apply time: the Condition or Resource of a policy
 * document. Anything else (a subscription's topic_arn, a principal, a data
 * source) needs the other stack applied first, and two services that subscribe
 * to each other could then never be applied at all. Subscriptions live in the
 * subscriptions root, applied after the main stacks.
 *
 * The test finds the foreign names from the output itself: an ARN in a main
 * stack's tfvars whose resource name is a name another service's tfvars give a
 * resource. It then follows each one from its variable to every argument that
 * reads it.
 */

const ENVIRONMENTS = ['staging', 'production'] as const;
const SUBSCRIPTIONS = 'subscriptions/';
/** Attributes that hold an IAM-style policy document. */
const POLICY_ATTRIBUTES = new Set(['policy', 'assume_role_policy']);
/** Where in a policy document an ARN is only compared, never looked up: IAM resolves principals when the policy is set. */
const STRING_ONLY_KEYS = new Set(['Condition', 'Resource']);

const stacks = allStacks();

/** Every string leaf of a plain value with its path. */
function leaves(value: unknown, path: readonly (string | number)[] = []): Array<{ path: readonly (string | number)[]; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  return [];
}

const mainFiles = (stack: Stack) => stack.files.filter((f) => !f.path.startsWith(SUBSCRIPTIONS));
const mainTfvars = (stack: Stack, env: string): Plain => plainBody(mainFiles(stack).find((f) => f.path === `env/${env}.tfvars`)!.items);
const isArn = (text: string): boolean => text.startsWith('arn:');
/** The resource name at the end of an ARN: after the last `:` or `/`. */
const arnName = (arn: string): string => arn.slice(Math.max(arn.lastIndexOf(':'), arn.lastIndexOf('/')) + 1);

/**
 * The references, as HCL source, to values that are another service's ARN in
 * some environment: `var.<name>["<key>"].<field>` for map(object) variables
 * (the last segment an attribute, the others map keys), with the ARN.
 */
function foreignArnReferences(stack: Stack): Map<string, string> {
  const siblings = stacks.filter((s) => s.root === stack.root && s !== stack);
  const found = new Map<string, string>();
  for (const env of ENVIRONMENTS) {
    const own = new Set(
      leaves(mainTfvars(stack, env))
        .map((l) => l.text)
        .filter((t) => !isArn(t)),
    );
    const others = new Set(
      siblings.flatMap((s) =>
        leaves(mainTfvars(s, env))
          .map((l) => l.text)
          .filter((t) => !isArn(t)),
      ),
    );
    for (const { path, text } of leaves(mainTfvars(stack, env))) {
      if (!isArn(text) || !others.has(arnName(text)) || own.has(arnName(text))) continue;
      const segments = path.slice(1).map((p, i, all) => (typeof p === 'number' ? `[${p}]` : i === all.length - 1 ? `.${p}` : `[${JSON.stringify(p)}]`));
      found.set(`var.${String(path[0])}${segments.join('')}`, text);
    }
  }
  return found;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a plain value's text reads the reference: the reference itself, or a
 * shorter path that contains it (`var.subscriptions` in a for expression,
 * `var.subscriptions["k"]` as a whole object).
 */
function readsReference(text: string, reference: string): boolean {
  const cut = [...reference.matchAll(/\[|\.(?=[A-Za-z_])/g)].map((m) => m.index).filter((i) => i > 'var.'.length);
  const prefixes = cut.map((i) => reference.slice(0, i));
  return new RegExp(`${escape(reference)}(?![A-Za-z0-9_-])`).test(text) || prefixes.some((p) => new RegExp(`${escape(p)}(?![A-Za-z0-9_.\\[-])`).test(text));
}

/** Where a main stack reads the reference in a block AWS acts on at plan or apply time, outside a policy's Condition or Resource. */
function resolvedUses(stack: Stack, reference: string): string[] {
  const uses: string[] = [];
  for (const file of mainFiles(stack)) {
    for (const item of file.items) {
      if (item.kind !== 'block' || !['resource', 'data', 'module', 'import'].includes(item.type)) continue;
      for (const leaf of leaves(plainBody(item.body))) {
        if (!readsReference(leaf.text, reference)) continue;
        const inPolicyString = POLICY_ATTRIBUTES.has(String(leaf.path[0])) && leaf.path.some((p) => STRING_ONLY_KEYS.has(String(p)));
        if (!inPolicyString) uses.push(`${file.path} ${item.type}.${item.labels.join('.')} ${leaf.path.join('.')} = ${leaf.text}`);
      }
    }
  }
  return uses;
}

describe('apply order of the Terraform roots (issue 15 item 4)', () => {
  it("finds, in every golden case and examples/shop, each subscription's topic as a foreign ARN of the subscriber's main stack", () => {
    // Without this the next test could pass by finding nothing to follow.
    let subscriptions = 0;
    for (const stack of stacks) {
      const foreign = foreignArnReferences(stack);
      // A subscription to the service's own topic (sock-shop's orders) reads an ARN of its own stack, not a foreign one.
      for (const s of stack.service.resources.subscriptions.filter((s) => s.from !== stack.service.name)) {
        subscriptions++;
        const key = `${s.from}-${s.topic}`;
        expect(foreign.get(`var.subscriptions[${JSON.stringify(key)}].topic_arn`), `${stack.id} ${key}`).toMatch(
          new RegExp(`:sns:.*:${names.snsTopic(s.from, 'production', s.topic)}$`),
        );
      }
    }
    expect(subscriptions).toBeGreaterThanOrEqual(6);
  });

  it("never lets a main stack need another service's resource to exist when it applies: foreign ARNs only in a policy's Condition or Resource", () => {
    const uses = stacks.flatMap((stack) =>
      [...foreignArnReferences(stack).keys()].flatMap((expression) => resolvedUses(stack, expression).map((use) => `${stack.id}: ${use}`)),
    );
    expect(uses).toEqual([]);
  });

  it('puts every subscription in the subscriptions root, with its own state key, and forgets it in the main stack without unsubscribing', () => {
    for (const stack of stacks) {
      const subscriptions = stack.service.resources.subscriptions;
      const paths = stack.files.map((f) => f.path);
      if (subscriptions.length === 0) {
        expect(
          paths.filter((p) => p.startsWith(SUBSCRIPTIONS)),
          stack.id,
        ).toEqual([]);
        continue;
      }
      const resources = (files: typeof stack.files) =>
        files.flatMap((f) => f.items.filter((i): i is Block => i.kind === 'block' && i.type === 'resource').map((b) => b.labels.join('.')));
      const keys = subscriptions.map((s) => `${s.from}-${s.topic}`);
      expect(
        resources(mainFiles(stack)).filter((r) => r.startsWith('aws_sns_topic_subscription.')),
        stack.id,
      ).toEqual([]);
      expect(resources(stack.files.filter((f) => f.path.startsWith(SUBSCRIPTIONS))), stack.id).toEqual(keys.map((k) => `aws_sns_topic_subscription.${k}`));
      const removed = mainFiles(stack).flatMap((f) =>
        f.items.filter((i): i is Block => i.kind === 'block' && i.type === 'removed').map((b) => plainBody(b.body)),
      );
      expect(removed, stack.id).toEqual(keys.map((k) => ({ from: `\${aws_sns_topic_subscription.${k}}`, lifecycle: [{ destroy: false }] })));
      for (const env of ENVIRONMENTS) {
        expect(stack.printed.get(`${SUBSCRIPTIONS}env/${env}.s3.tfbackend`), stack.id).toContain(
          `key          = "services/${stack.service.name}/${env}/subscriptions.tfstate"`,
        );
        expect(names.terraformState(stack.service.name, env, 'subscriptions')).toBe(`services/${stack.service.name}/${env}/subscriptions.tfstate`);
      }
    }
  });
});

/**
 * Issue 16: no apply order can fail, cycles included (examples/shop: orders
 * and payments subscribe to each other). A subscriptions root looks its
 * topics up and subscribes only to those that exist, so it applies before or
 * after the publisher; and the publisher's workflow applies its subscribers'
 * roots after its own main stack, so whichever applies second subscribes.
 */
describe('any apply order converges (issue 16)', () => {
  const subscribers = stacks.filter((s) => s.service.resources.subscriptions.length > 0);
  const work = mkdtempSync(join(tmpdir(), 'paved-subscriptions-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('covers a cycle and a root with several subscriptions', () => {
    const shop = (name: string) => subscribers.find((s) => s.id === `examples/shop:${name}`)!;
    expect(shop('orders').service.resources.subscriptions.map((s) => s.from)).toContain('payments');
    expect(shop('payments').service.resources.subscriptions.map((s) => s.from)).toContain('orders');
    expect(Math.max(...subscribers.map((s) => s.service.resources.subscriptions.length))).toBeGreaterThan(1);
  });

  it('with real Terraform (terraform test, mock provider, offline): no subscription while its topic is absent, exactly that one once it exists, gone with the topic', () => {
    requireTerraform();
    // Each root is one Terraform process with the provider (~15 s under load): the shop's cycle and the root with the most subscriptions.
    const widest = [...subscribers].sort((a, b) => b.service.resources.subscriptions.length - a.service.resources.subscriptions.length)[0]!;
    const chosen = [...subscribers.filter((s) => s.id === 'examples/shop:orders' || s.id === 'examples/shop:payments'), widest];
    for (const stack of chosen) {
      const dir = join(work, stack.id.replace(/[^A-Za-z0-9]+/g, '-'));
      for (const [path, text] of stack.printed) {
        if (!path.startsWith(SUBSCRIPTIONS)) continue;
        mkdirSync(dirname(join(dir, path.slice(SUBSCRIPTIONS.length))), { recursive: true });
        writeFileSync(join(dir, path.slice(SUBSCRIPTIONS.length)), text);
      }
      const values = plainBody(stack.files.find((f) => f.path === `${SUBSCRIPTIONS}env/staging.tfvars`)!.items).subscriptions as Record<
        string,
        { topic_arn: string; queue_arn: string }
      >;
      const keys = Object.keys(values);
      const existing = (present: readonly string[]) =>
        `  override_data {\n    target = data.aws_resourcegroupstaggingapi_resources.topics\n    values = { resource_tag_mapping_list = [${present.map((k) => `{ resource_arn = ${JSON.stringify(values[k]!.topic_arn)}, tags = {}, compliance_details = [] }`).join(', ')}] }\n  }\n`;
      const expectOnly = (present: readonly string[]) =>
        keys
          .map((k) => {
            const address = `aws_sns_topic_subscription.${k}`;
            const count = present.includes(k) ? 1 : 0;
            const exact =
              count === 1
                ? ` && ${address}[0].topic_arn == ${JSON.stringify(values[k]!.topic_arn)} && ${address}[0].endpoint == ${JSON.stringify(values[k]!.queue_arn)} && ${address}[0].protocol == "sqs"`
                : '';
            return `  assert {\n    condition     = length(${address}) == ${count}${exact}\n    error_message = ${JSON.stringify(`${k}: expected ${count}`)}\n  }\n`;
          })
          .join('');
      // Apply in sequence on one state, as the workflows would: before the publisher, with one topic, after every publisher, after a topic is deleted.
      const steps: Array<readonly [string, readonly string[]]> = [
        ['before_any_publisher', []],
        ...keys.map((k, i) => [`only_${i}`, [k]] as const),
        ['after_every_publisher', keys],
        ['topic_deleted', keys.slice(1)],
      ];
      const runs = steps.map(([name, present]) => `run "${name}" {\n  command = apply\n${existing(present)}${expectOnly(present)}}\n`).join('\n');
      mkdirSync(join(dir, 'tests'));
      writeFileSync(join(dir, 'tests', 'order.tftest.hcl'), `mock_provider "aws" {}\n\n${runs}`);
      const init = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-lockfile=readonly', '-input=false', '-no-color'], dir);
      expect(init.code, init.stderr).toBe(0);
      const test = terraform(['test', '-no-color', '-var-file=env/staging.tfvars'], dir);
      expect(test.code, `${stack.id}\n${test.stdout}${test.stderr}`).toBe(0);
      expect(test.stdout, stack.id).toContain(`Success! ${steps.length} passed, 0 failed.`);
    }
    expect(chosen.map((s) => s.service.resources.subscriptions.length)).toEqual([1, 1, 2]);
  }, 300_000);

  it('the root is the check: with the lookup removed it would subscribe to an absent topic, which terraform test reports', () => {
    requireTerraform();
    const stack = subscribers.find((s) => s.id === 'examples/shop:orders')!;
    const dir = join(work, 'mutated');
    for (const [path, text] of stack.printed) {
      if (!path.startsWith(SUBSCRIPTIONS)) continue;
      mkdirSync(dirname(join(dir, path.slice(SUBSCRIPTIONS.length))), { recursive: true });
      // The subscriptions root as issue 15 wrote it: every subscription, always.
      writeFileSync(join(dir, path.slice(SUBSCRIPTIONS.length)), text.replace(/ {2}count {16}= .*\n/g, ''));
    }
    mkdirSync(join(dir, 'tests'));
    const key = stack.service.resources.subscriptions.map((s) => `${s.from}-${s.topic}`)[0]!;
    writeFileSync(
      join(dir, 'tests', 'absent.tftest.hcl'),
      `mock_provider "aws" {}\n\nrun "absent" {\n  command = plan\n  override_data {\n    target = data.aws_resourcegroupstaggingapi_resources.topics\n    values = { resource_tag_mapping_list = [] }\n  }\n  assert {\n    condition     = length([aws_sns_topic_subscription.${key}]) == 0\n    error_message = "subscribed to an absent topic"\n  }\n}\n`,
    );
    expect(terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir).code).toBe(0);
    const test = terraform(['test', '-no-color', '-var-file=env/staging.tfvars'], dir);
    expect(test.code).toBe(1);
    expect(test.stdout + test.stderr).toContain('subscribed to an absent topic');
  }, 120_000);

  it("the publisher's workflow applies each subscriber's root after its own main stack, in staging, production's plan and production's apply; the subscriber's own workflow applies it too", () => {
    const workflows = allGeneratedWorkflows();
    type Steps = ReadonlyArray<{ name: string; run?: string; env?: Record<string, string> }>;
    const jobs = (root: string, stack: Stack, service: string) =>
      workflows.find((w) => w.name === `${root}/${stack.project.output.workflowsDir}/paved-${service}.yml`)!.doc.jobs as Record<string, { steps: Steps }>;
    const position = (steps: Steps, dir: string, scripts: readonly string[]) => steps.findIndex((s) => s.env?.STACK === dir && scripts.includes(s.run ?? ''));
    let checked = 0;
    // A retired subscriber's root is its teardown's to destroy: no publisher applies it again (test/conformance/retire.test.ts).
    const retired = subscribers.filter((stack) => stack.service.retired !== undefined);
    expect(retired.map((stack) => stack.id)).toEqual(['fixtures/cases/retired:mailer']);
    for (const stack of retired) {
      const root = `${stack.project.output.dir}/${stack.service.name}/terraform/subscriptions`;
      for (const from of stack.service.resources.subscriptions.map((s) => s.from)) {
        for (const job of ['staging-infra', 'production-plan', 'production-infra'])
          expect(jobs(stack.root, stack, from)[job]!.steps.filter((s) => s.env?.STACK === root)).toEqual([]);
      }
    }
    for (const stack of subscribers.filter((s) => s.service.retired === undefined)) {
      const out = stack.project.output.dir;
      const root = `${out}/${stack.service.name}/terraform/subscriptions`;
      for (const from of new Set(stack.service.resources.subscriptions.map((s) => s.from))) {
        for (const service of from === stack.service.name ? [from] : [from, stack.service.name]) {
          const publisherMain = `${out}/${service}/terraform`;
          for (const [job, scripts] of [
            ['staging-infra', [TERRAFORM_APPLY]],
            ['production-plan', [TERRAFORM_SAVED_PLAN]],
            ['production-infra', [TERRAFORM_APPLY_SAVED]],
          ] as const) {
            const steps = jobs(stack.root, stack, service)[job]!.steps;
            const main = position(steps, publisherMain, scripts);
            const subscription = position(steps, root, scripts);
            expect(main, `${stack.id} in ${service}'s ${job}`).toBeGreaterThanOrEqual(0);
            expect(subscription, `${stack.id} in ${service}'s ${job}`).toBeGreaterThan(main);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(30);
  });
});
