import { ACTIONS_RULES } from './rules-actions.js';
import { KUBERNETES_RULES } from './rules-kubernetes.js';
import { OUTPUT_RULES } from './rules-output.js';
import { PLATFORM_RULES } from './rules-platform.js';
import { TERRAFORM_RULES } from './rules-terraform.js';
import { sharingFacts } from './facts.js';
import type { CheckResult, PolicyRule } from './types.js';
import type { PolicyTarget } from './view.js';

/** Every rule of the policy, in document order: §1, §2, §3, then paved's own §4. */
export const POLICY_RULES: readonly PolicyRule[] = [...TERRAFORM_RULES, ...KUBERNETES_RULES, ...ACTIONS_RULES, ...OUTPUT_RULES, ...PLATFORM_RULES];

/** Every rule id the registry knows, for platform waivers. */
export const RULE_IDS: ReadonlySet<string> = new Set(POLICY_RULES.flatMap((r) => r.ids));

export interface PolicyResult {
  readonly rule: PolicyRule;
  readonly target: string;
  readonly result: CheckResult;
}

/**
 * One rule over one target. A rule that throws on output it cannot read (an
 * override made a list a string) fails closed: the throw is a finding.
 */
export function runRule(rule: PolicyRule, target: PolicyTarget): CheckResult {
  return sharingFacts(() => {
    try {
      return rule.check(target);
    } catch (error) {
      return { checked: 1, findings: [{ where: target.name, problem: `the output is not shaped as this rule reads it (${(error as Error).message})` }] };
    }
  });
}

/** Each rule over one target, in order, sharing the facts they derive (facts.ts). */
export function checkTarget(target: PolicyTarget, rules: readonly PolicyRule[] = POLICY_RULES): CheckResult[] {
  return sharingFacts(() => rules.map((rule) => runRule(rule, target)));
}

/** Every rule over every target. */
export function runPolicy(targets: readonly PolicyTarget[], rules: readonly PolicyRule[] = POLICY_RULES): PolicyResult[] {
  const results = targets.map((target) => checkTarget(target, rules));
  return rules.flatMap((rule, i) => targets.map((target, j) => ({ rule, target: target.name, result: results[j]![i]! })));
}
