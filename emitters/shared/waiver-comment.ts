import { commentBlock } from './comment.js';

/**
 * The note that records a waiver at the top of a generated YAML file (Kubernetes
 * manifests, workflows). The secure-output audit accepts a finding only where a
 * declared waiver's exact line is printed.
 */
export function waiverNote(rules: readonly string[], reason: string): string {
  return `paved waiver: ${rules.join(', ')}: ${reason}`;
}

/** The waiver's note as printed by the comment writer: the line the audit looks for. */
export function waiverComment(rules: readonly string[], reason: string): string {
  return commentBlock([waiverNote(rules, reason)]);
}
