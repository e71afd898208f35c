import { waiverComment } from '../shared/waiver-comment.js';

/**
 * Checks of security-rules.md §2 that an object knowingly fails, each with its
 * reason. A waiver is printed as a comment at the top of the object's file, and
 * the secure-output audit (test/security-audit.test.ts) accepts a finding only
 * where a waiver of this table is printed: nothing is waived silently.
 */
export interface Waiver {
  /** Rule ids as security-rules.md writes them, e.g. `KS deployment-replicas`. */
  readonly rules: readonly string[];
  readonly reason: string;
}

export const WAIVERS = {
  previewSingleReplica: {
    rules: ['KS deployment-replicas', 'PO deploymentMissingReplicas', 'KS deployment-has-poddisruptionbudget', 'PO missingPodDisruptionBudget'],
    reason: 'a preview runs one replica and no PodDisruptionBudget: it serves one pull request, and a drained node may interrupt it',
  },
  tierSingleReplica: {
    rules: ['KS deployment-replicas', 'PO deploymentMissingReplicas'],
    reason: "the service runs one replica in this environment (scaling.min = max = 1), which its tier allows; it promises no availability a single replica cannot give",
  },
  tierAutoscalerMinimum: {
    rules: ['KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability'],
    reason: "the service's scaling.min is 1 in this environment, which its tier allows; it promises no availability a single replica cannot give",
  },
  localstackWritableRoot: {
    rules: ['KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'],
    reason: 'LocalStack writes outside its data directories while it starts; it is a preview-only stand-in holding test data (PSS restricted still holds)',
  },
} as const satisfies Readonly<Record<string, Waiver>>;

/** The comment lines that record waivers in a generated file. */
export function waiverComments(waivers: readonly Waiver[]): string {
  return waivers.map((w) => waiverComment(w.rules, w.reason)).join('');
}
