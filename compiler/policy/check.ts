import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import type { ResolvedOverride, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { HIDDEN_CHARACTER, KEY_CONTROL_CHARACTER, unicodeEscape } from '../../spec/text.js';
import { groupedBy } from './facts.js';
import { checkTarget, POLICY_RULES } from './registry.js';
import { findingIds, ruleLabel, type Finding, type PolicyRule } from './types.js';
import { policyTarget } from './view.js';
import { PLATFORM_FILE } from '../source.js';

/**
 * The compile-time policy: every rule of the registry over the final output of
 * a service (every environment, after overrides). An unwaived finding fails the
 * compile at the override operation that introduced it (POLICY.VIOLATION), or,
 * when no override did, at the service spec as a bug in paved
 * (POLICY.PAVED_BUG). A finding the platform waives (overridePolicy.waivers) is
 * reported as a warning (POLICY.WAIVED) and does not fail the compile.
 */

interface Violation {
  readonly rule: PolicyRule;
  readonly finding: Finding;
}

/** Where platform.yaml sits: the repository root. */

const keyOf = (v: Violation): string => `${ruleLabel(v.rule)}\u0000${v.finding.where}\u0000${v.finding.problem}`;

/** Every unwaived finding of every rule over `files`. */
function violations(project: ResolvedProject, files: readonly GeneratedFile[]): Violation[] {
  // The rules named, not left to checkTarget's default: each result is paired with its rule by index.
  const results = checkTarget(policyTarget('', project, files), POLICY_RULES);
  const found: Violation[] = [];
  POLICY_RULES.forEach((rule, i) => {
    for (const finding of results[i]!.findings) if (finding.waiver === undefined) found.push({ rule, finding });
  });
  return found;
}

/** Re-emits a service as if its overrides were the given ones; the files, or undefined if the emitters reject them. */
export type Reemit = (service: ResolvedService) => readonly GeneratedFile[] | undefined;

/** One patch operation of a service's overrides, in the order the emitters apply them. */
interface Operation {
  readonly target: 'kubernetes' | 'terraform';
  readonly override: number;
  readonly index: number;
  readonly pointer: string;
}

function operationsOf(service: ResolvedService): Operation[] {
  return (['kubernetes', 'terraform'] as const).flatMap((target) =>
    service.overrides[target].flatMap((o, override) => o.patch.map((_, index) => ({ target, override, index, pointer: `${o.pointer}/patch/${index}` }))),
  );
}

/** The service with only the first `count` operations of its overrides (overrides left empty are dropped). */
function withOperations(service: ResolvedService, operations: readonly Operation[], count: number): ResolvedService {
  const kept = operations.slice(0, count);
  const cut = (target: 'kubernetes' | 'terraform'): ResolvedOverride[] =>
    service.overrides[target]
      .map((o, i) => ({ ...o, patch: o.patch.filter((_, j) => kept.some((op) => op.target === target && op.override === i && op.index === j)) }))
      .filter((o) => o.patch.length > 0);
  return { ...service, overrides: { kubernetes: cut('kubernetes'), terraform: cut('terraform') } };
}

/**
 * For each violation, the operation that introduced it: the one after which it
 * appears, found by emitting the service again with prefixes of its operations
 * (binary search per violation over memoized prefixes, so a long patch costs
 * about log2(n) emissions, never more than n). Undefined when the violation is
 * there with none of them. Runs only when the policy already failed.
 */
function attribute(project: ResolvedProject, service: ResolvedService, found: readonly Violation[], reemit: Reemit): Map<string, Operation | undefined> {
  const operations = operationsOf(service);
  const memo = new Map<number, ReadonlySet<string>>([[operations.length, new Set(found.map(keyOf))]]);
  const present = (count: number, key: string): boolean => {
    let keys = memo.get(count);
    if (!keys) {
      const files = reemit(withOperations(service, operations, count));
      keys = new Set(files ? violations(project, files).map(keyOf) : []);
      memo.set(count, keys);
    }
    return keys.has(key);
  };
  const blame = new Map<string, Operation | undefined>();
  for (const v of found) {
    const key = keyOf(v);
    if (blame.has(key)) continue;
    if (present(0, key)) {
      blame.set(key, undefined);
      continue;
    }
    // Absent with `low` operations, present with `high`.
    let low = 0;
    let high = operations.length;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (present(middle, key)) high = middle;
      else low = middle;
    }
    blame.set(key, operations[high - 1]);
  }
  return blame;
}

/**
 * The platform waiver that excuses a violation for `service`, with its index:
 * one that names an id the finding was raised under, so a waiver of one check
 * of a grouped rule (PO hpaMaxAvailability) does not excuse its siblings
 * (minReplicas 1 is PO hpaMinAvailability).
 */
function platformWaiver(
  project: ResolvedProject,
  v: Violation,
  service: ResolvedService | undefined,
): { index: number; reason: string; id: string } | undefined {
  const ids = findingIds(v.rule, v.finding);
  const waivers = project.platform.overridePolicy.waivers;
  for (const [index, w] of waivers.entries()) {
    if (!ids.includes(w.rule)) continue;
    if (w.services !== undefined && (service === undefined || !w.services.includes(service.specName))) continue;
    return { index, reason: w.reason, id: w.rule };
  }
  return undefined;
}

/** What no name may hold (spec/text.ts): a diagnostic is one line of visible text. */
const UNSHOWN = new RegExp(`${HIDDEN_CHARACTER.source}|${KEY_CONTROL_CHARACTER.source}`, 'gu');

/**
 * Finding text carries values an override wrote (an image, an endpoint): shown
 * with control and bidi characters escaped and cut to a readable length, so a
 * diagnostic cannot forge lines or hide text.
 */
function shown(text: string): string {
  const escaped = text.replace(UNSHOWN, unicodeEscape);
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}

const describe = (v: Violation): string => `${ruleLabel(v.rule)} (${v.rule.title}): ${place(v)}`;
const place = (v: Violation): string => `${shown(v.finding.where)}: ${shown(v.finding.problem)}`;

/** How many places one diagnostic names before it counts the rest. */
const PLACES_SHOWN = 4;

function places(group: readonly Violation[]): string {
  const shownPlaces = group.slice(0, PLACES_SHOWN).map(place).join('; ');
  return group.length > PLACES_SHOWN ? `${shownPlaces}; and ${group.length - PLACES_SHOWN} more` : shownPlaces;
}

/**
 * The ids a platform waiver would need to excuse every finding of a group: the
 * first id of each finding, once each, in order of appearance (a finding's
 * first id is the most specific one its check names).
 */
function waivable(group: readonly Violation[]): string {
  const ids = [...new Set(group.map((v) => findingIds(v.rule, v.finding)[0]!))];
  return ids.length === 1 ? ids[0]! : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/** The policy's diagnostics for one service's freshly emitted files. */
export function checkServiceOutput(project: ResolvedProject, service: ResolvedService, files: readonly GeneratedFile[], reemit: Reemit): Diagnostic[] {
  return report(project, service, violations(project, files), reemit);
}

/** The policy's diagnostics for the repository-wide files (Argo CD Applications, paved-check.yml): no override reaches them. */
export function checkProjectOutput(project: ResolvedProject, files: readonly GeneratedFile[]): Diagnostic[] {
  return report(project, undefined, violations(project, files), undefined);
}

function report(project: ResolvedProject, service: ResolvedService | undefined, found: readonly Violation[], reemit: Reemit | undefined): Diagnostic[] {
  if (found.length === 0) return [];
  const diagnostics: Diagnostic[] = [];
  const open: Violation[] = [];
  for (const v of found) {
    const waiver = platformWaiver(project, v, service);
    if (!waiver) {
      open.push(v);
      continue;
    }
    const pointer = `/overridePolicy/waivers/${waiver.index}`;
    diagnostics.push(
      specDiagnostic(
        'POLICY.WAIVED',
        PLATFORM_FILE,
        pointer,
        `waives ${describe(v)}${service ? ` (service ${JSON.stringify(service.name)})` : ''}; reason: ${shown(waiver.reason)}`,
        { hint: `the platform waives ${waiver.id}; remove the waiver to enforce the rule again`, severity: 'warning' },
      ),
    );
  }
  const blame =
    service && reemit && operationsOf(service).length > 0 && open.length > 0
      ? attribute(project, service, open, reemit)
      : new Map<string, Operation | undefined>();
  const operationOf = (v: Violation): Operation | undefined => (service ? blame.get(keyOf(v)) : undefined);
  // One diagnostic per operation and rule, naming every place it breaks (an override without `environments` breaks each
  // environment's copy), so a reader sees each mistake once.
  for (const group of groupedBy(open, (v) => `${operationOf(v)?.pointer ?? ''}\u0000${ruleLabel(v.rule)}`).values()) {
    const first = group[0]!;
    const operation = operationOf(first);
    const broken = `${ruleLabel(first.rule)} (${first.rule.title}): ${places(group)}`;
    if (operation && service) {
      diagnostics.push(
        specDiagnostic('POLICY.VIOLATION', service.specPath, operation.pointer, `this operation makes the output break ${broken}`, {
          hint: `overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive ${waivable(group)} in platform.yaml (overridePolicy.waivers)`,
        }),
      );
    } else {
      diagnostics.push({
        code: 'POLICY.PAVED_BUG',
        severity: 'error',
        message: `the generated output breaks ${broken}; no override causes this, so it is a bug in paved`,
        hint: 'please report it with this spec; the platform can waive the rule in platform.yaml (overridePolicy.waivers) until it is fixed',
        ...(service ? { file: service.specPath, pointer: '/name' } : { file: PLATFORM_FILE }),
      });
    }
  }
  return diagnostics;
}
