/**
 * A seeded mutation fuzzer over valid specs. Each case mutates the data of a
 * valid repo (drop, duplicate, retype or rename keys; splice hostile strings) or
 * its text (tabs, anchors, tags, duplicated lines), then compiles it in memory.
 * Every case must end in valid output or in positioned diagnostics, never in an
 * exception. `npm run fuzz [-- cases seed]` runs it at length; a test runs a few thousand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { compileTexts as compileInMemory, type CompileResult, type SpecText } from '../compiler/compile.js';
import { pathProblem } from '../compiler/emit.js';
import { random } from '../bench/synthetic.js';
import type { Emitter } from '../spec/emitter.js';

/** Strings that have broken compilers before: injection, hidden text, YAML 1.1 traps, sizes. */
export const HOSTILE_STRINGS: readonly string[] = [
  '${{ secrets.AWS_KEY }}',
  '${{ github.event.pull_request.title }}',
  '$(curl x | sh)',
  '`id`',
  '; rm -rf /',
  'a\nb',
  '${var.x}',
  '%{ if true }x%{ endif }',
  '{{ .Labels.x }}',
  '$__interval',
  '../../.github/workflows/x',
  '/etc/passwd',
  'a/b',
  'CON',
  'p\u0430yments',
  'evil\u202Etxt',
  'zero\u200Bwidth',
  'bell\u0007',
  'nul\u0000',
  '\uFEFFbom',
  'yes',
  'no',
  'on',
  'off',
  '0755',
  '1e3',
  '0x10',
  '.inf',
  '-.nan',
  '9007199254740993',
  '',
  ' ',
  '-',
  'a'.repeat(300),
  'AKIAIOSFODNN7EXAMPLE',
  '-----BEGIN RSA PRIVATE KEY-----',
  'https://user:pass@example.com',
  'Api',
  'API',
  'xn--bucket',
  'bucket..name',
  '*',
  's3:*',
  '0.0.0.0/0',
  '💥',
  '\\',
  '"',
  "'",
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type SeedFile = SpecText;

/** The valid repos the fuzzer starts from: every file of a fixture or example root. */
export function seedRepo(root: string): SeedFile[] {
  const files: SeedFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === 'expected' || entry.name === 'generated' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const rel = relative(root, path).split('\\').join('/');
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'service.yaml') files.push({ path: rel, kind: 'service', text: readFileSync(path, 'utf8') });
      else if (rel === 'platform.yaml') files.push({ path: rel, kind: 'platform', text: readFileSync(path, 'utf8') });
      else if (rel === 'releases.yaml') files.push({ path: rel, kind: 'releases', text: readFileSync(path, 'utf8') });
    }
  };
  walk(root);
  return files;
}

/** The examples and every valid golden case: each a repo with at least one service. */
export function seedRepos(repo: string): SeedFile[][] {
  const cases = join(repo, 'fixtures', 'cases');
  const fixtures = readdirSync(cases, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(cases, e.name));
  return [join(repo, 'examples', 'shop'), join(repo, 'examples', 'minimal'), ...fixtures]
    .map(seedRepo)
    .filter((files) => files.some((f) => f.kind === 'service'));
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Every container (object or array) in a value, with a way to reach it. */
function containers(value: Json, out: Array<Json[] | { [key: string]: Json }> = []): Array<Json[] | { [key: string]: Json }> {
  if (Array.isArray(value)) {
    out.push(value);
    for (const item of value) containers(item, out);
  } else if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const item of Object.values(value)) containers(item, out);
  }
  return out;
}

function randomValue(next: () => number, depth = 0): Json {
  switch (Math.floor(next() * (depth > 2 ? 5 : 7))) {
    case 0:
      return pick(next, HOSTILE_STRINGS);
    case 1:
      return pick(next, [0, -1, 1, 2, 65536, 1e21, 0.5, Number.MAX_SAFE_INTEGER]);
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return `${pick(next, ['orders', 'payments', 'x'])}-${Math.floor(next() * 100)}`;
    case 5:
      return [randomValue(next, depth + 1)];
    default:
      return { [pick(next, ['name', 'from', 'topic', 'min', 'enabled', 'x'])]: randomValue(next, depth + 1) };
  }
}

/** One structural mutation of parsed data, in place. */
function mutateData(next: () => number, data: Json): void {
  const targets = containers(data);
  if (targets.length === 0) return;
  const target = pick(next, targets);
  const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : Object.keys(target);
  const set = (key: string, value: Json): void => {
    if (Array.isArray(target)) target[Number(key)] = value;
    else target[key] = value;
  };
  const get = (key: string): Json => (Array.isArray(target) ? target[Number(key)]! : target[key]!);
  const key = keys.length > 0 ? pick(next, keys) : undefined;
  switch (Math.floor(next() * 6)) {
    case 0: // drop
      if (key === undefined) return;
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete target[key];
      return;
    case 1: // duplicate an item or copy a value under a near key
      if (key === undefined) return;
      if (Array.isArray(target)) target.push(structuredClone(get(key)));
      else target[`${key}${pick(next, ['', 's', '_'])}`] = structuredClone(get(key));
      return;
    case 2: // retype
      if (key !== undefined) set(key, randomValue(next));
      return;
    case 3: // rename a key (a typo)
      if (key === undefined || Array.isArray(target)) return;
      {
        const value = target[key]!;
        delete target[key];
        const i = Math.floor(next() * Math.max(1, key.length - 1));
        target[key.slice(0, i) + (key[i + 1] ?? '') + (key[i] ?? '') + key.slice(i + 2)] = value;
      }
      return;
    case 4: // splice a hostile string into a string value
      if (key !== undefined && typeof get(key) === 'string') set(key, `${String(get(key))}${pick(next, HOSTILE_STRINGS)}`);
      else if (key !== undefined) set(key, pick(next, HOSTILE_STRINGS));
      return;
    default: // add a key
      if (!Array.isArray(target))
        target[pick(next, ['replicas', 'public', 'dependsOn', 'secrets', 'env', 'overrides', pick(next, HOSTILE_STRINGS)])] = randomValue(next);
  }
}

/** One mutation of the raw text, for what only YAML syntax can express. */
function mutateText(next: () => number, text: string): string {
  const lines = text.split('\n');
  const i = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 6)) {
    case 0:
      lines.splice(i, 0, lines[i] ?? '');
      break;
    case 1:
      lines[i] = `\t${lines[i] ?? ''}`;
      break;
    case 2:
      lines[i] = (lines[i] ?? '').replace(/: /, ': &a ');
      lines.push('extra: *a');
      break;
    case 3:
      lines[i] = (lines[i] ?? '').replace(/: /, ': !Ref ');
      break;
    case 4:
      lines.splice(i, 1);
      break;
    default:
      lines.splice(i, 0, '---');
  }
  return lines.join('\n');
}

/** A mutated copy of a seed repo: one to three mutations, data or text. */
export function mutateRepo(next: () => number, seed: readonly SeedFile[]): SeedFile[] {
  const files = seed.map((f) => ({ ...f }));
  const mutations = 1 + Math.floor(next() * 3);
  for (let m = 0; m < mutations; m++) {
    const index = Math.floor(next() * files.length);
    const file = files[index]!;
    const data = next() < 0.75 ? parseOrUndefined(file.text) : undefined;
    if (data !== undefined) {
      mutateData(next, data);
      files[index] = { ...file, text: stringify(data) };
    } else {
      files[index] = { ...file, text: mutateText(next, file.text) };
    }
  }
  return files;
}

/** The data of a text an earlier text mutation may have broken. */
function parseOrUndefined(text: string): Json | undefined {
  try {
    return parseYaml(text, { maxAliasCount: 0, logLevel: 'error' }) as Json;
  } catch {
    return undefined;
  }
}

export interface CaseOutcome {
  /** What went wrong; empty when the case behaved. */
  readonly problems: readonly string[];
  /** The case compiled to output (rather than to diagnostics). */
  readonly compiled: boolean;
}

/** What must hold for every case. */
export function checkCase(files: readonly SeedFile[], emitters: readonly Emitter[]): CaseOutcome {
  let result: CompileResult;
  try {
    result = compileInMemory(files, emitters);
  } catch (error) {
    return { problems: [`threw: ${(error as Error).stack ?? String(error)}`], compiled: false };
  }
  const problems: string[] = [];
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) {
      if (!d.file) continue;
      const lines = (result.sources.get(d.file) ?? '').split('\n').length;
      if (!d.range || d.range.line < 1 || d.range.line > lines || d.range.col < 1)
        problems.push(`${d.code} in ${d.file} has no valid position: ${JSON.stringify(d.range)}`);
    }
    if (result.files.length > 0) problems.push('files planned despite errors');
    return { problems, compiled: false };
  }
  if (result.files.length === 0) problems.push('no diagnostics and no files');
  const roots = [result.output.dir, result.output.workflowsDir];
  for (const file of result.files) {
    const problem = pathProblem(file.path, roots);
    if (problem) problems.push(`${file.path}: ${problem}`);
    try {
      if (file.path.endsWith('.json')) JSON.parse(file.contents);
      else if (/\.ya?ml$/.test(file.path)) {
        for (const doc of parseAllDocuments(file.contents, { uniqueKeys: true })) if (doc.errors.length > 0) throw doc.errors[0];
      }
    } catch (error) {
      problems.push(`${file.path} does not parse: ${(error as Error).message}`);
    }
  }
  const again = compileInMemory(files, emitters);
  if (JSON.stringify(again.files) !== JSON.stringify(result.files)) problems.push('a second compile differs');
  return { problems, compiled: true };
}

export interface FuzzReport {
  readonly cases: number;
  readonly valid: number;
  readonly failures: ReadonlyArray<{
    readonly seed: number;
    readonly index: number;
    readonly problems: readonly string[];
    readonly files: readonly SeedFile[];
  }>;
}

export function fuzz(seeds: readonly (readonly SeedFile[])[], emitters: readonly Emitter[], cases: number, seed: number): FuzzReport {
  const next = random(seed);
  const failures: Array<FuzzReport['failures'][number]> = [];
  let valid = 0;
  for (let index = 0; index < cases; index++) {
    const files = mutateRepo(next, pick(next, seeds));
    const outcome = checkCase(files, emitters);
    if (outcome.problems.length > 0) failures.push({ seed, index, problems: outcome.problems, files });
    else if (outcome.compiled) valid++;
  }
  return { cases, valid, failures };
}

async function main(): Promise<void> {
  const [casesArg, seedArg] = process.argv.slice(2);
  const repo = join(fileURLToPath(import.meta.url), '..', '..', '..');
  const { emitters } = await import('../cli/emitters.js');
  const seeds = seedRepos(repo);
  const cases = Number(casesArg ?? 20000);
  const seed = Number(seedArg ?? Date.now() % 100000);
  const started = Date.now();
  const report = fuzz(seeds, emitters, cases, seed);
  process.stdout.write(
    `fuzz: seed ${seed}, ${report.cases} cases (${report.valid} compiled to output), ${report.failures.length} failures, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  for (const failure of report.failures.slice(0, 5))
    process.stdout.write(`case ${failure.index}: ${failure.problems.join('; ')}\n${failure.files.map((f) => `--- ${f.path}\n${f.text}`).join('\n')}\n`);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
