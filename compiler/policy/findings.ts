import type { CheckResult, Finding } from './types.js';

/** What a per-item check returns: nothing, a problem, or several, each possibly waived. */
export type Problems = string | Finding | undefined | ReadonlyArray<string | Finding | undefined>;

/**
 * Appends `problems` of `item` to `findings`: plain strings through `toFinding`,
 * findings as they are. A loop, not a flatMap: it runs once per item per rule.
 */
export function addProblems<T>(findings: Finding[], problems: Problems, item: T, toFinding: (item: T, problem: string) => Finding): void {
  if (!Array.isArray(problems)) {
    if (problems !== undefined) findings.push(typeof problems === 'string' ? toFinding(item, problems) : (problems as Finding));
    return;
  }
  for (const p of problems as ReadonlyArray<string | Finding | undefined>) {
    if (p !== undefined) findings.push(typeof p === 'string' ? toFinding(item, p) : p);
  }
}

/**
 * Runs `check` over `items` and counts each item as one thing checked; plain
 * strings become unwaived findings at `where(item)`.
 */
export function perItem<T>(items: readonly T[], where: (item: T) => string, check: (item: T) => Problems): CheckResult {
  const findings: Finding[] = [];
  const toFinding = (item: T, problem: string): Finding => ({ where: where(item), problem });
  for (const item of items) addProblems(findings, check(item), item, toFinding);
  return { checked: items.length, findings };
}

/** Several partial results of one rule as one. */
export function combined(...results: readonly CheckResult[]): CheckResult {
  return { checked: results.reduce((n, r) => n + r.checked, 0), findings: results.flatMap((r) => r.findings) };
}

export const unwaived = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.waiver === undefined);
