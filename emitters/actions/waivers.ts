import { waiverComment } from '../shared/waiver-comment.js';

/**
 * Checks of security-rules.md §3 that a workflow knowingly fails, each with its
 * reason. A waiver is printed as a comment at the top of the workflow, and the
 * secure-output audit (test/security-audit.test.ts) accepts a finding only where
 * a waiver of this table is printed.
 */
export interface Waiver {
  /** Rule ids as security-rules.md writes them, e.g. `ZZ secrets-outside-env`. */
  readonly rules: readonly string[];
  readonly reason: string;
}

export const WAIVERS = {
  registrySecretOutsideEnvironment: {
    rules: ['ZZ secrets-outside-env'],
    reason:
      'a registry other than ghcr.io takes the repository secret REGISTRY_PASSWORD in the image jobs, which run before any environment: one image is built once and promoted through staging and production; GitHub gives no secret to pull requests from forks',
  },
} as const satisfies Readonly<Record<string, Waiver>>;

/** The comment lines that record waivers in a generated workflow. */
export function waiverComments(waivers: readonly Waiver[]): string {
  return waivers.map((w) => waiverComment(w.rules, w.reason)).join('');
}
