import type { PolicyTarget } from './view.js';

/**
 * The shapes of the compile-time security policy: rules of security-rules.md
 * §1–§3 (and paved's own §4, what an override may not make of the output) run
 * over the generated output and report findings.
 */

/** One thing a rule objects to. */
export interface Finding {
  /** Target-relative place, e.g. `orders/terraform database.tf aws_db_instance.orders`. */
  readonly where: string;
  readonly problem: string;
  /**
   * The scanner ids this finding was raised under, when the rule groups
   * several checks (a platform waiver of one id excuses only findings that
   * carry it). Undefined for a rule whose ids all name one concern: then the
   * rule's ids are the finding's.
   */
  readonly ids?: readonly string[];
  /**
   * `<emitter>:<name>` of the declared waiver (emitters/shared/waivers.ts) that
   * excuses this finding; set only when that waiver is printed in the output.
   */
  readonly waiver?: string;
}

export interface CheckResult {
  /** How many things (resources, containers, objects, workflows…) the rule looked at. */
  readonly checked: number;
  readonly findings: readonly Finding[];
}

export type RuleKind = 'terraform' | 'kubernetes' | 'actions';

export interface PolicyRule {
  /** Where the rule sits in security-rules.md, e.g. `§1 #1`, `§2 PSS`, `§3`, or `§4` for paved's own output rules. */
  readonly section: string;
  /** The scanners' rule ids as security-rules.md writes them (or paved's own, `PAVED_*`). */
  readonly ids: readonly string[];
  readonly title: string;
  readonly kind: RuleKind;
  readonly check: (target: PolicyTarget) => CheckResult;
}

/** The ids a finding of `rule` was raised under: its own, or the rule's when it names none. */
export const findingIds = (rule: Pick<PolicyRule, 'ids'>, finding: Finding): readonly string[] => finding.ids ?? rule.ids;

/** The label a rule goes by in messages, test names and the table. */
export const ruleLabel = (rule: Pick<PolicyRule, 'section' | 'ids'>): string => `${rule.section} ${rule.ids.join(' / ')}`;
