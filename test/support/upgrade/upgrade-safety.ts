import { emitters } from '../../../cli/emitters.js';
import { formatText } from '../../../cli/format.js';
import { compileTexts, type SpecText } from '../../../compiler/compile.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE } from '../../../compiler/source.js';
import { kubernetesDataLoss, type KubernetesDeletion } from '../../../compiler/kubernetes-data-loss.js';
import { terraformChanges, type ResourceChange } from '../../../compiler/terraform-changes.js';
import type { GeneratedFile } from '../../../spec/emitter.js';
import { isTerraformSource, terraformFile } from './printed-terraform.js';

/**
 * Upgrade safety (issue 17): what a new paved does to the stateful resources
 * an old paved created. The base side is a golden tree as the base revision
 * committed it (what that paved produced); the head side is the working
 * tree's, compiled by today's paved. Both are read back from their printed
 * HCL and classified by compiler/terraform-changes.ts, the code `paved diff`
 * uses, so the test and the command agree on what a destroy or replace is.
 */

/** A golden case: specs under `root`, the generated tree committed under `output` (both repo-relative). */
export interface GoldenCase {
  readonly name: string;
  readonly root: string;
  readonly output: string;
}

/** One revision of a case: its files, paths relative to the case root (specs) and to its output folder (generated). */
export interface CaseRevision {
  readonly specs: readonly SpecText[];
  readonly generated: ReadonlyMap<string, string>;
}

/** A case's files as one revision holds them; `files` are repo-relative. */
export function caseRevision(goldenCase: GoldenCase, files: ReadonlyMap<string, string>): CaseRevision {
  const specs: SpecText[] = [];
  const generated = new Map<string, string>();
  for (const [path, text] of files) {
    if (path.startsWith(`${goldenCase.output}/`)) generated.set(path.slice(goldenCase.output.length + 1), text);
    if (!path.startsWith(`${goldenCase.root}/`) || (goldenCase.output !== goldenCase.root && path.startsWith(`${goldenCase.output}/`))) continue;
    const relative = path.slice(goldenCase.root.length + 1);
    const kind =
      relative === PLATFORM_FILE
        ? 'platform'
        : relative === RELEASES_FILE
          ? 'releases'
          : relative === SERVICE_FILE || relative.endsWith(`/${SERVICE_FILE}`)
            ? 'service'
            : undefined;
    if (kind) specs.push({ path: relative, kind, text });
  }
  return { specs: specs.sort((a, b) => (a.path < b.path ? -1 : 1)), generated };
}

const sameSpecs = (a: readonly SpecText[], b: readonly SpecText[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The Terraform files of a generated tree, read back into typed HCL. */
export function terraformTree(generated: ReadonlyMap<string, string>): GeneratedFile[] {
  return [...generated].filter(([path]) => isTerraformSource(path)).map(([path, text]) => terraformFile(path, text));
}

export interface CaseComparison {
  /** The head side: the working tree's golden files, or today's compile of the base's specs when the specs changed. */
  readonly head: 'golden' | 'base specs compiled by the working tree';
  readonly changes: readonly ResourceChange[];
  /** Kubernetes objects deleted with their data (compiler/kubernetes-data-loss.ts): the same rule as a stateful resource. */
  readonly kubernetes: readonly KubernetesDeletion[];
  /** Why the case could not be compared (the base's specs no longer compile). */
  readonly problem?: string;
}

/**
 * Compares one case. An upgrade is the same specs through another paved: when
 * the case's specs themselves changed since the base, the base's specs are
 * compiled in memory by the working tree's paved, so a spec edit in a fixture
 * (a removed database, a new name) is never mistaken for what an upgrade does.
 */
export function compareCase(base: CaseRevision, head: CaseRevision): CaseComparison {
  if (sameSpecs(base.specs, head.specs)) return { head: 'golden', ...compareTrees(base.generated, head.generated) };
  const compiled = compileTexts(base.specs, emitters);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    return {
      head: 'base specs compiled by the working tree',
      changes: [],
      kubernetes: [],
      problem: `the base revision's specs no longer compile with the working tree's paved, so upgrading fails:\n${formatText(errors, compiled.sources)}`,
    };
  }
  return { head: 'base specs compiled by the working tree', ...compareTrees(base.generated, new Map(compiled.files.map((f) => [f.path, f.contents]))) };
}

function compareTrees(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): { changes: ResourceChange[]; kubernetes: KubernetesDeletion[] } {
  const files = (tree: ReadonlyMap<string, string>): GeneratedFile[] => [...tree].map(([path, contents]) => ({ path, contents, source: path }));
  return { changes: terraformChanges(terraformTree(base), terraformTree(head)), kubernetes: kubernetesDataLoss(files(base), files(head)) };
}

/** What loses data: a stateful resource destroyed or replaced. */
export const losesData = (change: ResourceChange): boolean => change.stateful && (change.action === 'destroy' || change.action === 'replace');

/**
 * One line per stateful resource destroyed or replaced, per root and
 * environment: case, root, environment, action, address, attributes, and what
 * to do about it; then one per Kubernetes object deleted with its data.
 */
export function upgradeFindingLines(caseName: string, { changes, kubernetes }: Pick<CaseComparison, 'changes' | 'kubernetes'>, baseLabel: string): string[] {
  const objects = kubernetes.map(
    (o) =>
      `${caseName}: ${o.path}${o.environment ? ` [${o.environment}]` : ''}: delete ${o.kind}/${o.name}: ${o.reason}; keep emitting it as ${baseLabel} does`,
  );
  return [...terraformLines(caseName, changes, baseLabel), ...objects];
}

function terraformLines(caseName: string, changes: readonly ResourceChange[], baseLabel: string): string[] {
  return changes.filter(losesData).map((c) => {
    const where = `${caseName}: ${c.root} [${c.environment}]`;
    if (c.action === 'replace') {
      return `${where}: replace ${c.address}: ${c.attributes.join(', ')} changed, which replaces it and loses its data; keep ${c.attributes.length === 1 ? 'that attribute' : 'those attributes'} as ${baseLabel} emits ${c.attributes.length === 1 ? 'it' : 'them'}`;
    }
    // A resource of the same type created in the same root is the likely new address.
    const created = changes.filter((o) => o.action === 'create' && o.type === c.type && o.root === c.root && o.environment === c.environment);
    const fix =
      created.length === 1
        ? `add a moved block (from = ${c.address}, to = ${created[0]!.address}), or keep the address`
        : 'keep its address, or add a moved block from it to its new address';
    return `${where}: destroy ${c.address}: it is no longer emitted at that address and no moved block says where it went; ${fix}`;
  });
}
