import type { Diagnostic } from '../spec/diagnostic.js';
import { compareText } from '../spec/pointer.js';

/** Sorted by file, line, column, code, message; exact duplicates removed. */
export function normalizeDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = JSON.stringify([d.file, d.range?.line, d.range?.col, d.code, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') ||
      (a.range?.line ?? 0) - (b.range?.line ?? 0) ||
      (a.range?.col ?? 0) - (b.range?.col ?? 0) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Edit distance counting an adjacent swap as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate within a typo's reach, or a candidate the input abbreviates; else undefined. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const lowered = input.toLowerCase();
  const sorted = [...candidates].sort(compareText);
  let best: string | undefined;
  let bestDistance = Infinity;
  const reach = Math.max(1, Math.floor(Math.max(input.length, 3) / 3));
  for (const candidate of sorted) {
    // The distance is at least the difference in length: skip what cannot be in reach, so a huge input costs nothing.
    if (Math.abs(candidate.length - lowered.length) > reach) continue;
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= reach) return best;
  // `prod` for `production`: an abbreviation of exactly one candidate.
  const prefixed = lowered.length >= 3 ? sorted.filter((c) => c.toLowerCase().startsWith(lowered)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
