import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { emitters } from '../../cli/emitters.js';
import { compileTexts } from '../../compiler/compile.js';
import { mutateRepo, pick, seedRepo, type SeedFile } from '../../scripts/fuzz.js';
import { ORDERS_BREAKING_OVERRIDE, ORDERS_WAIVER, REPO } from './helpers.js';

/**
 * Seeded walks of changes to examples/shop's specs, for the property tests of
 * incremental compiles and anchored checks: services changed by the mutation
 * fuzzer (scripts/fuzz.ts), validly or not, and put back.
 */
export const SHOP = seedRepo(join(REPO, 'examples/shop'));

/**
 * A service spec changed by the fuzzer. `valid`: from its text in `original`,
 * the first of a few tries that compiles, or no change when none does.
 */
export function changeService(next: () => number, files: readonly SeedFile[], valid: boolean, original: readonly SeedFile[]): SeedFile[] {
  const service = pick(
    next,
    files.filter((f) => f.kind === 'service'),
  );
  const from = valid ? original.find((f) => f.path === service.path)! : service;
  for (let attempt = 0; attempt < (valid ? 60 : 1); attempt++) {
    const changed = mutateRepo(next, [from])[0]!;
    const candidate = files.map((f) => (f.path === changed.path ? changed : f));
    if (!valid || !compileTexts(candidate, emitters).diagnostics.some((d) => d.severity === 'error')) return candidate;
  }
  return [...files];
}

/** One spec that differs from `original` put back as it was there. */
export function putBack(next: () => number, files: readonly SeedFile[], original: readonly SeedFile[]): SeedFile[] {
  const changed = original.filter((seed) => files.find((f) => f.path === seed.path)!.text !== seed.text);
  const restored = pick(next, changed.length > 0 ? changed : original);
  return files.map((f) => (f.path === restored.path ? restored : f));
}

export function writeSpecs(root: string, files: readonly SeedFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.text);
  }
}

/**
 * The specs with orders' waived policy finding (helpers.ts waiveOrdersFinding):
 * each compile of orders reports a warning, which a compile or check that
 * reuses files must report all the same.
 */
export function withWaivedFinding(files: readonly SeedFile[]): SeedFile[] {
  const added = new Map([
    ['services/orders/service.yaml', ORDERS_BREAKING_OVERRIDE],
    ['platform.yaml', ORDERS_WAIVER],
  ]);
  return files.map((f) => (added.has(f.path) && !f.text.includes(added.get(f.path)!) ? { ...f, text: f.text + added.get(f.path)! } : f));
}
