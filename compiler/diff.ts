import { parseAllDocuments } from 'yaml';
import type { FileOwner, GeneratedFile } from '../spec/emitter.js';
import type { BodyItem, Expression } from '../emitters/shared/hcl.js';
import { layout } from '../spec/layout.js';
import type { OutputDirectories } from '../spec/model.js';
import { printable } from '../spec/text.js';
import { kubernetesDataLoss, type KubernetesDeletion } from './kubernetes-data-loss.js';
import { objectChanges } from './object-changes.js';
import { resourceChangeLines, terraformChanges, type ResourceChange } from './terraform-changes.js';

/** What a change does to the generated tree, per service and target: `paved diff`. */
export interface TreeChange {
  /** A service name, or `(project)` for repo-wide files. */
  readonly service: string;
  /** The emitter folder (`kubernetes`, `terraform`, …), `workflows`, or the file name for top-level files. */
  readonly target: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** Readable facts about the change: what loses data first (`!`), then objects and their changed attributes, resources, … */
  readonly details: readonly string[];
  /** What terraform plan would do to each resource of the target's roots, per environment (terraform-changes.ts). */
  readonly resources: readonly ResourceChange[];
  /** Kubernetes objects deleted with their data (kubernetes-data-loss.ts). */
  readonly kubernetesDataLoss: readonly KubernetesDeletion[];
}

const PROJECT = '(project)';

/**
 * Which service and target a generated path belongs to: the service its
 * emitter planned it for, and the folder it sits in (`kubernetes`,
 * `terraform`, `argocd`, `workflows`, or the file name of a top-level file).
 */
function owner(path: string, output: OutputDirectories, owners: ReadonlyMap<string, FileOwner>): { service: string; target: string } {
  const service = owners.get(path)?.service ?? PROJECT;
  if (path.startsWith(`${output.workflowsDir}/`)) return { service, target: 'workflows' };
  const [first, second] = path.slice(output.dir.length + 1).split('/');
  if (service !== PROJECT && path.startsWith(`${layout.service(output, service)}/`)) return { service, target: second!.replace(/\.[a-z]+$/, '') };
  return { service, target: first ?? path };
}

/**
 * Compares the planned trees of two revisions. Pure. The files carry their
 * structured values (compile with keepValues), which the Terraform resource
 * changes are read from; `owners` says who planned each path, in either tree.
 */
export function diffTrees(
  base: readonly GeneratedFile[],
  head: readonly GeneratedFile[],
  output: OutputDirectories,
  owners: ReadonlyMap<string, FileOwner>,
): TreeChange[] {
  const before = new Map(base.map((f) => [f.path, f]));
  const after = new Map(head.map((f) => [f.path, f]));
  const groups = new Map<
    string,
    {
      service: string;
      target: string;
      added: string[];
      removed: string[];
      changed: string[];
      details: string[];
      resources: ResourceChange[];
      kubernetesDataLoss: KubernetesDeletion[];
    }
  >();
  const group = (path: string) => {
    const { service, target } = owner(path, output, owners);
    const key = `${service}\u0000${target}`;
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { service, target, added: [], removed: [], changed: [], details: [], resources: [], kubernetesDataLoss: [] }));
    return entry;
  };
  const losses = kubernetesDataLoss(base, head);
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(path);
    const now = after.get(path);
    if (old?.contents === now?.contents) continue;
    const entry = group(path);
    if (old === undefined) entry.added.push(path);
    else if (now === undefined) entry.removed.push(path);
    else entry.changed.push(path);
    // Which environment (or other sub-folder) a detail is about, when the target has several.
    const where = path.split('/').slice(3, -1).join('/');
    const lost = losses.filter((l) => l.path === path);
    entry.kubernetesDataLoss.push(...lost);
    entry.details.push(...details(path, old, now, lost).map((d) => (where === '' ? d : `${d} [${where}]`)));
  }
  for (const change of terraformChanges(base, head)) group(`${change.root}/versions.tf`).resources.push(change);
  for (const entry of groups.values()) {
    // What loses data leads, before anything else the group says; otherwise the order stays.
    const lines = [...entry.details, ...resourceChangeLines(entry.resources)];
    entry.details = [...lines.filter((l) => l.startsWith('!')), ...lines.filter((l) => !l.startsWith('!'))];
  }
  return [...groups.values()].sort((a, b) =>
    a.service === b.service ? (a.target < b.target ? -1 : 1) : a.service === PROJECT ? 1 : b.service === PROJECT ? -1 : a.service < b.service ? -1 : 1,
  );
}

/** Facts a reviewer wants first, read from the two versions of one file: YAML objects as printed, Terraform from the typed HCL it was printed from. */
function details(path: string, old: GeneratedFile | undefined, now: GeneratedFile | undefined, lost: readonly KubernetesDeletion[]): string[] {
  if (/\.ya?ml$/.test(path)) return objectDetails(objects(old?.contents), objects(now?.contents), lost);
  if (/\.tf$/.test(path)) return terraformDetails(hclItems(old), hclItems(now));
  return [];
}

/** The HCL body a .tf file was printed from (GeneratedFile.value: compile with keepValues), none for an absent file. */
function hclItems(file: GeneratedFile | undefined): readonly BodyItem[] {
  if (file === undefined) return [];
  if (!Array.isArray(file.value)) throw new Error(`paved diff: ${file.path} carries no HCL value; compile with keepValues`);
  return file.value as readonly BodyItem[];
}

type KubeObject = Record<string, unknown> & { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> };

/**
 * Objects with a kind and a name, keyed `Kind/name`; a plain Prometheus rule
 * file counts as one object of kind `rules`; other YAML (workflows) yields none.
 */
function objects(text: string | undefined): Map<string, KubeObject> {
  const found = new Map<string, KubeObject>();
  if (text === undefined) return found;
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as KubeObject | null;
    if (value && typeof value.kind === 'string' && typeof value.metadata?.name === 'string') found.set(`${value.kind}/${value.metadata.name}`, value);
    else if (value && Array.isArray((value as { groups?: unknown }).groups)) found.set('rules', { spec: value as Record<string, unknown> });
  }
  return found;
}

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr?: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
}

/** Rules by name (alert or record, with its severity), from every object that holds rule groups. */
function rulesOf(objects: readonly KubeObject[]): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  for (const object of objects) {
    const groups = (object.spec as { groups?: Array<{ rules?: Rule[] }> } | undefined)?.groups ?? [];
    for (const rule of groups.flatMap((g) => g.rules ?? [])) {
      const name = rule.alert ? `alert ${rule.alert}${rule.labels?.severity ? ` (${rule.labels.severity})` : ''}` : `record ${rule.record}`;
      rules.set(`${name} ${rules.has(name) ? rules.size : ''}`.trim(), rule);
    }
  }
  return rules;
}

function ruleDetails(before: Map<string, Rule>, after: Map<string, Rule>): string[] {
  const out: string[] = [];
  for (const key of [...after.keys()].filter((k) => !before.has(k) && k.startsWith('alert')).sort()) out.push(`+ ${key}`);
  for (const key of [...before.keys()].filter((k) => !after.has(k) && k.startsWith('alert')).sort()) out.push(`- ${key}`);
  for (const key of [...after.keys()].filter((k) => before.has(k)).sort()) {
    const old = before.get(key)!;
    const now = after.get(key)!;
    const facts = [old.expr !== now.expr ? `expr ${now.expr}` : undefined, change('for', old.for, now.for)].filter((f) => f !== undefined);
    if (facts.length > 0) out.push(`~ ${key}: ${facts.join('; ')}`);
  }
  return out;
}

function objectDetails(before: Map<string, KubeObject>, after: Map<string, KubeObject>, lost: readonly KubernetesDeletion[]): string[] {
  const out: string[] = [];
  // Alerting rules, in PrometheusRule objects and plain rule files alike; of a whole file added or removed, the file says enough.
  if (before.size > 0 && after.size > 0) out.push(...ruleDetails(rulesOf([...before.values()]), rulesOf([...after.values()])));
  for (const key of [...after.keys()].filter((k) => !before.has(k) && k !== 'rules').sort()) out.push(`+ ${key}`);
  for (const key of [...before.keys()].filter((k) => !after.has(k) && k !== 'rules').sort()) {
    const loss = lost.find((l) => `${l.kind}/${l.name}` === key);
    out.push(loss ? `! delete ${key}: ${loss.reason}` : `- ${key}`);
  }
  for (const key of [...after.keys()].filter((k) => before.has(k) && k !== 'rules').sort()) {
    const old = before.get(key)!;
    const now = after.get(key)!;
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    const paths = objectChanges(now.kind, old, now);
    out.push(`~ ${key}${paths.length > 0 ? `: ${paths.join('; ')}` : ''}`);
  }
  return out;
}

function change(what: string, old: string | undefined, now: string | undefined): string | undefined {
  return old === now ? undefined : `${what} ${old ?? 'none'} -> ${now ?? 'none'}`;
}

/** IAM actions granted or revoked; the resources themselves are terraformChanges'. */
function terraformDetails(old: readonly BodyItem[], now: readonly BodyItem[]): string[] {
  const [a0, a1] = [iamActions(old), iamActions(now)];
  return [
    ...[...a1]
      .filter((a) => !a0.has(a))
      .sort()
      .map((a) => `+ IAM ${a}`),
    ...[...a0]
      .filter((a) => !a1.has(a))
      .sort()
      .map((a) => `- IAM ${a}`),
  ];
}

const isExpressionList = (value: Expression): value is readonly Expression[] => Array.isArray(value);

/** The action names of every policy statement: `actions` of a policy document's statements, `Action`/`NotAction` inside jsonencode(). */
function iamActions(items: readonly BodyItem[]): Set<string> {
  const found = new Set<string>();
  const strings = (value: Expression): void => {
    if (typeof value === 'string') found.add(value);
    else if (isExpressionList(value)) value.forEach(strings);
  };
  const visit = (value: Expression): void => {
    if (isExpressionList(value)) value.forEach(visit);
    else if (typeof value !== 'object') return;
    else if (value.kind === 'call') value.args.forEach(visit);
    else if (value.kind === 'object') for (const [key, entry] of value.entries) (key === 'Action' || key === 'NotAction' ? strings : visit)(entry);
  };
  const walk = (body: readonly BodyItem[]): void => {
    for (const item of body) {
      if (item.kind === 'block') walk(item.body);
      else if (item.name === 'actions' || item.name === 'not_actions') strings(item.value);
      else visit(item.value);
    }
  };
  walk(items);
  return found;
}

/** Files under the output directories that no spec produces and the manifest does not list (write/inspect.ts `unlistedFiles`). */
export interface UnlistedFile {
  readonly path: string;
  /** Absent for a regular file; otherwise what it is ("a symbolic link", …). */
  readonly type?: string;
}

// A pull request names these files: one line each, in a terminal, a log and the run summary alike.
const unlistedLine = (file: UnlistedFile): string => `${printable(file.path)}${file.type === undefined ? '' : ` (${file.type})`}`;

export function diffText(changes: readonly TreeChange[], unlisted: readonly UnlistedFile[] = []): string {
  const foreign =
    unlisted.length === 0
      ? ''
      : `not generated by paved (paved check fails until they are removed):\n${unlisted.map((f) => `  ${unlistedLine(f)}\n`).join('')}`;
  if (changes.length === 0) return `no change to generated files\n${foreign}`;
  return (
    changes
      .map((c) => {
        const counts = [
          c.added.length && `${c.added.length} added`,
          c.changed.length && `${c.changed.length} changed`,
          c.removed.length && `${c.removed.length} removed`,
        ]
          .filter(Boolean)
          .join(', ');
        return [`${c.service} ${c.target}: ${counts}`, ...c.details.map((d) => `  ${d}`)].join('\n') + '\n';
      })
      .join('') + foreign
  );
}

export function diffMarkdown(changes: readonly TreeChange[], unlisted: readonly UnlistedFile[] = []): string {
  const code = (text: string): string => `\`${printable(text).replace(/`/g, "'")}\``;
  const foreign =
    unlisted.length === 0
      ? []
      : ['', '**Not generated by paved** (`paved check` fails until they are removed)', '', ...unlisted.map((f) => `- ${code(unlistedLine(f))}`)];
  if (changes.length === 0) return `${['### Generated files', '', 'No change to generated files.', ...foreign].join('\n')}\n`;
  const out = ['### Generated files', '', '| Service | Target | Added | Changed | Removed |', '| --- | --- | --- | --- | --- |'];
  for (const c of changes) out.push(`| ${c.service} | ${c.target} | ${c.added.length} | ${c.changed.length} | ${c.removed.length} |`);
  for (const c of changes.filter((c) => c.details.length > 0)) {
    out.push('', `**${c.service} ${c.target}**`, '');
    for (const d of c.details) out.push(`- ${code(d)}`);
  }
  out.push(...foreign);
  return `${out.join('\n')}\n`;
}
