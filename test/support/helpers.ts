import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { emitters } from '../../cli/emitters.js';
import { main } from '../../cli/main.js';
import { type Io } from '../../cli/io.js';
import { compile, type CompileResult } from '../../compiler/compile.js';
import { parseSource } from '../../compiler/parse.js';
import type { SourceFile } from '../../compiler/source.js';
import { validateProject, type Validation } from '../../compiler/validate/index.js';
import { renderManifest } from '../../compiler/write/manifest.js';
import { layout } from '../../spec/layout.js';

export const REPO = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO, 'fixtures');
/** The golden cases: each a repository root (services, an optional platform.yaml) and `expected/`, what `paved compile` writes. */
export const CASES = join(FIXTURES, 'cases');

/** The names of the golden cases, every folder of fixtures/cases/; sorted. */
export function goldenCases(): string[] {
  return readdirSync(CASES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The repository root of a golden case. */
export const caseRoot = (name: string): string => join(CASES, name);

export function compileDir(root: string, outDir?: string): CompileResult {
  return compile({ root, outDir, emitters });
}

/** The whole planned tree, manifest included, as path → contents. */
export function plannedTree(result: CompileResult): Map<string, string> {
  const tree = new Map(result.files.map((f) => [f.path, f.contents]));
  if (result.files.length > 0) tree.set(layout.manifest(result.output), renderManifest(result.files));
  return tree;
}

/** Every file under a directory as relative POSIX path → contents, sorted. */
export function readTree(dir: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const absolute = join(current, entry.name);
      const path = relative(dir, absolute).split('\\').join('/');
      if (skip(path)) continue;
      if (entry.isDirectory()) walk(absolute);
      else tree.set(path, readFileSync(absolute, 'utf8'));
    }
  };
  walk(dir);
  return tree;
}

/** A scratch copy of a directory, removed by the returned function. */
export function scratchCopy(source?: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'paved-test-'));
  if (source) cpSync(source, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function runCli(args: readonly string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A spec parsed from text, as the loader would; throws if the text does not parse. */
export function sourceFile(path: string, text: string, kind: SourceFile['kind'] = 'service'): SourceFile {
  const parsed = parseSource(path, new TextEncoder().encode(text), kind);
  if (!parsed.file) throw new Error(`${path} does not parse: ${JSON.stringify(parsed.diagnostics)}`);
  return parsed.file;
}

/** Validates in-memory service.yaml texts (path → text) and an optional platform.yaml text. */
export function validateTexts(services: Readonly<Record<string, string>>, platform?: string): Validation {
  const files = Object.entries(services).map(([path, text]) => sourceFile(path, text));
  return validateProject(platform === undefined ? undefined : sourceFile('platform.yaml', platform, 'platform'), files, { loadFailed: false });
}

/**
 * A minimal valid service.yaml (lines 1-7, `port` on line 7) with `extra` appended
 * from line 8 on; `extra` may continue the `runtime:` block with two-space lines.
 */
export function serviceYaml(name = 'orders', extra = ''): string {
  return `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-commerce\nruntime:\n  language: node\n  port: 8080\n${extra}`;
}

/**
 * The embedded platform written out as a platform.yaml, unless the root has one:
 * the same output, and the CLI has nothing to warn about (without a file every
 * command names the example platform: test/unit/footguns.test.ts).
 */
export function writeEmbeddedPlatform(root: string): void {
  if (!existsSync(join(root, 'platform.yaml'))) writeFileSync(join(root, 'platform.yaml'), 'apiVersion: paved/v1\nkind: Platform\n');
}

/** Appended to examples/shop's orders spec: an override that breaks a policy rule (waiveOrdersFinding). */
export const ORDERS_BREAKING_OVERRIDE = `overrides:\n  kubernetes:\n    - target: HorizontalPodAutoscaler/orders\n      environments: [staging, production]\n      reason: "one replica is enough"\n      patch:\n        - { op: replace, path: /spec/minReplicas, value: 1 }\n`;
/** Appended to examples/shop's platform.yaml: the waiver of that rule. */
export const ORDERS_WAIVER = `overridePolicy:\n  waivers:\n    - rule: PO hpaMinAvailability\n      reason: "orders runs one replica (SEC-12)"\n`;
/** What each compile of orders then reports (POLICY.WAIVED, a warning). */
export const ORDERS_WAIVED =
  'overridePolicy.waivers[0]: waives §2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability (a real scale target, minReplicas at least 2, max above min): generated/orders/kubernetes/production/horizontalpodautoscaler.yaml: minReplicas 1 (service "orders"); reason: orders runs one replica (SEC-12)';

/** In a copy of examples/shop: orders' override that breaks a policy rule and the platform's waiver of it. Returns the warning. */
export function waiveOrdersFinding(root: string): string {
  appendFileSync(join(root, 'services/orders/service.yaml'), ORDERS_BREAKING_OVERRIDE);
  appendFileSync(join(root, 'platform.yaml'), ORDERS_WAIVER);
  return ORDERS_WAIVED;
}

/**
 * How many generated cases a property test runs: `full` unless
 * PAVED_PROPERTY_CASES says fewer (a quicker local run). `npm test` and CI run
 * the full counts; a count above `full` is allowed, for a longer hunt.
 */
export function propertyCases(full: number): number {
  const set = process.env.PAVED_PROPERTY_CASES;
  if (set === undefined || set === '') return full;
  const count = Number(set);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`PAVED_PROPERTY_CASES must be a positive whole number, not ${JSON.stringify(set)}`);
  return count;
}
