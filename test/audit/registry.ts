import { ACTIONS_RULES } from './rules-actions.js';
import { KUBERNETES_RULES } from './rules-kubernetes.js';
import { TERRAFORM_RULES } from './rules-terraform.js';
import type { AuditRule, AuditTarget, CheckResult } from './types.js';

/** Every rule of the secure-output audit, in document order: §1, §2, §3. */
export const AUDIT_RULES: readonly AuditRule[] = [...TERRAFORM_RULES, ...KUBERNETES_RULES, ...ACTIONS_RULES];

export interface AuditResult {
  readonly rule: AuditRule;
  readonly target: string;
  readonly result: CheckResult;
}

/** Every rule over every target. */
export function runAudit(targets: readonly AuditTarget[]): AuditResult[] {
  return AUDIT_RULES.flatMap((rule) => targets.map((target) => ({ rule, target: target.name, result: rule.check(target) })));
}
