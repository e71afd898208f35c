import type { CheckResult, Finding } from './types.js';

/** What a per-item check returns: nothing, a problem, or several, each possibly waived. */
export type Problems = string | Finding | undefined | ReadonlyArray<string | Finding | undefined>;

/**
 * Runs `check` over `items` and counts each item as one thing checked; plain
 * strings become unwaived findings at `where(item)`.
 */
export function perItem<T>(items: readonly T[], where: (item: T) => string, check: (item: T) => Problems): CheckResult {
  const findings = items.flatMap((item) => {
    const result = check(item);
    const list = Array.isArray(result) ? result : [result];
    return list.flatMap((p: string | Finding | undefined) => (p === undefined ? [] : typeof p === 'string' ? [{ where: where(item), problem: p }] : [p]));
  });
  return { checked: items.length, findings };
}

/** Several partial results of one rule as one. */
export function combined(...results: readonly CheckResult[]): CheckResult {
  return { checked: results.reduce((n, r) => n + r.checked, 0), findings: results.flatMap((r) => r.findings) };
}

export const unwaived = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.waiver === undefined);
