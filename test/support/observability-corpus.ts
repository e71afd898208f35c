import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { caseRoot, compileDir, goldenCases, REPO } from './helpers.js';

/**
 * Everything the observability emitter produces for every golden case and
 * example, compiled in memory, for the conformance tests to run real tools on.
 */
export interface GeneratedCase {
  readonly name: string;
  /** Path → contents of every generated file. */
  readonly files: ReadonlyMap<string, string>;
}

export const CASES: readonly GeneratedCase[] = [
  ...goldenCases().map((name) => ({ name: `fixtures/cases/${name}`, root: caseRoot(name) })),
  ...['shop', 'minimal'].map((name) => ({ name: `examples/${name}`, root: join(REPO, 'examples', name) })),
].map(({ name, root }) => {
  const result = compileDir(root);
  if (result.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${name} does not compile`);
  return { name, files: new Map(result.files.map((f) => [f.path, f.contents])) };
});

/** Every generated file whose path ends with the suffix, across all cases, as `case: path` → contents. */
export function generated(suffix: string): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  for (const c of CASES) for (const [path, contents] of c.files) if (path.endsWith(suffix)) found.set(`${c.name}: ${path}`, contents);
  return found;
}

export interface PanelJson {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly options?: { readonly content?: string };
  readonly targets?: ReadonlyArray<{ readonly refId?: string; readonly expr?: string }>;
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly description?: string;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly name: string; readonly query?: unknown }> };
  readonly links: ReadonlyArray<{ readonly title: string; readonly url: string }>;
}

/** Every dashboard of every case, parsed. */
export function dashboards(): ReadonlyMap<string, DashboardJson> {
  const parsed = new Map<string, DashboardJson>();
  for (const suffix of ['/grafana/dashboard.json', '/grafana/overview.json'])
    for (const [where, text] of generated(suffix)) parsed.set(where, JSON.parse(text) as DashboardJson);
  return parsed;
}

/** Every PromQL query of a dashboard: panel targets, and the selector of each `label_values` variable. */
export function dashboardQueries(dashboard: DashboardJson): string[] {
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  for (const variable of dashboard.templating.list) {
    if (typeof variable.query !== 'string') continue;
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(variable.query)?.[1];
    if (selector) queries.push(selector);
  }
  return queries;
}

/** Grafana's variables replaced by values PromQL accepts, so promtool can parse a dashboard query. */
export function withoutGrafanaVariables(query: string): string {
  return query
    .replace(/\$__rate_interval/g, '5m')
    .replace(/\$env/g, 'production')
    .replace(/\$namespace/g, 'namespace');
}

export interface RuleJson {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleFileJson {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly RuleJson[] }>;
}

export const parseRuleFile = (text: string): RuleFileJson => parse(text) as RuleFileJson;

/** promtool from PROMTOOL or `bash .ci/install-promtool`; missing is a failure, never a skip. */
export const PROMTOOL = process.env.PROMTOOL || join(REPO, '.tools', 'prometheus', 'usr', 'bin', 'promtool');

export function promtool(args: readonly string[], cwd: string): { readonly code: number; readonly output: string } {
  if (!existsSync(PROMTOOL)) throw new Error(`promtool is not at ${PROMTOOL}: run \`bash .ci/install-promtool\` or set PROMTOOL`);
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
