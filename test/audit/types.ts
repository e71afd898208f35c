import type { GeneratedObject } from '../kubernetes-helpers.js';
import type { FoundResource, Stack } from '../terraform-helpers.js';
import type { GeneratedWorkflow } from '../workflows.js';

/**
 * The shapes of the secure-output audit: rules of security-rules.md §1–§3 run
 * over targets (one compiled fixture or example each) and report findings.
 */

/** One thing a rule objects to. */
export interface Finding {
  /** Target-relative place, e.g. `orders/terraform database.tf aws_db_instance.orders`. */
  readonly where: string;
  readonly problem: string;
  /**
   * `<emitter>:<name>` of the waiver in emitters/<emitter>/waivers.ts that excuses
   * this finding; set only when that declared waiver is printed in the output.
   */
  readonly waiver?: string;
}

export interface CheckResult {
  /** How many things (resources, containers, objects, workflows…) the rule looked at. */
  readonly checked: number;
  readonly findings: readonly Finding[];
}

/** One compiled root: everything the three rule families read. */
export interface AuditTarget {
  /** `fixtures/<case>` or `examples/<name>`. */
  readonly name: string;
  readonly stacks: readonly Stack[];
  /** Every Terraform resource of every stack. */
  readonly resources: readonly FoundResource[];
  readonly objects: readonly GeneratedObject[];
  readonly workflows: readonly GeneratedWorkflow[];
}

export type RuleKind = 'terraform' | 'kubernetes' | 'actions';

/** A deliberate break of a real target that the rule must report. */
export interface Breakage {
  /** What is broken, as a sentence fragment for the test name. */
  readonly what: string;
  /** The target to break; `examples/shop` unless another holds what is broken. */
  readonly sample?: string;
  readonly apply: (target: AuditTarget) => AuditTarget;
}

export interface AuditRule {
  /** Where the rule sits in security-rules.md, e.g. `§1 #1`, `§2 PSS`, `§3`. */
  readonly section: string;
  /** The scanners' rule ids as security-rules.md writes them. */
  readonly ids: readonly string[];
  readonly title: string;
  readonly kind: RuleKind;
  readonly check: (target: AuditTarget) => CheckResult;
  /** At least one; every breakage must produce an unwaived finding, so no check is vacuous. */
  readonly breaks: readonly Breakage[];
}

/** The label a rule goes by in test names and the table. */
export const ruleLabel = (rule: AuditRule): string => `${rule.section} ${rule.ids.join(' / ')}`;
