import type { CheckResult, Finding } from './types.js';

/** What a per-item check returns: nothing, a problem, or several, each possibly waived. */
export type Problems = string | Finding | undefined | ReadonlyArray<string | Finding | undefined>;

/**
 * Runs `check` over `items` and counts each item as one thing checked; plain
 * strings become findings through `toFinding`, findings stay as they are. A
 * loop, not a flatMap: it runs once per item per rule.
 */
export function checkEach<T>(items: readonly T[], check: (item: T) => Problems, toFinding: (item: T, problem: string) => Finding): CheckResult {
  const findings: Finding[] = [];
  for (const item of items) {
    const problems = check(item);
    if (!Array.isArray(problems)) {
      if (problems !== undefined) findings.push(typeof problems === 'string' ? toFinding(item, problems) : (problems as Finding));
      continue;
    }
    for (const p of problems as ReadonlyArray<string | Finding | undefined>) if (p !== undefined) findings.push(typeof p === 'string' ? toFinding(item, p) : p);
  }
  return { checked: items.length, findings };
}

/** checkEach with plain strings as unwaived findings at `where(item)`. */
export function perItem<T>(items: readonly T[], where: (item: T) => string, check: (item: T) => Problems): CheckResult {
  return checkEach(items, check, (item, problem) => ({ where: where(item), problem }));
}

/** Several partial results of one rule as one. */
export function combined(...results: readonly CheckResult[]): CheckResult {
  return { checked: results.reduce((n, r) => n + r.checked, 0), findings: results.flatMap((r) => r.findings) };
}

export const unwaived = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.waiver === undefined);
