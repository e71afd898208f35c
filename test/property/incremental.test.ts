import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { random } from '../../bench/synthetic.js';
import { emitters } from '../../cli/emitters.js';
import { compile, compileTexts, type CompileResult } from '../../compiler/compile.js';
import { writeTree } from '../../compiler/write/tree.js';
import { mutateRepo, seedRepo, type SeedFile } from '../../scripts/fuzz.js';
import { plannedTree, propertyCases, readTree, REPO, scratchCopy } from '../support/helpers.js';

/**
 * Incremental compiles (compiler/cache.ts) against full ones, over a seeded
 * walk of changes to examples/shop: specs changed (kept valid, or broken and
 * put back), generated files edited, deleted or touched. After every step the
 * incremental compile, written as `paved compile` writes it, must report
 * exactly the diagnostics of a full compile and leave exactly its tree.
 */
const BUILD = 'test-build';
const SEED = seedRepo(join(REPO, 'examples/shop'));

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

/**
 * A service spec changed by the fuzzer. `valid`: from its original text, the
 * first of a few tries that compiles, or no change when none does.
 */
function changeService(next: () => number, files: readonly SeedFile[], valid: boolean): SeedFile[] {
  const service = pick(
    next,
    files.filter((f) => f.kind === 'service'),
  );
  const from = valid ? SEED.find((f) => f.path === service.path)! : service;
  for (let attempt = 0; attempt < (valid ? 60 : 1); attempt++) {
    const changed = mutateRepo(next, [from])[0]!;
    const candidate = files.map((f) => (f.path === changed.path ? changed : f));
    if (!valid || !compileTexts(candidate, emitters).diagnostics.some((d) => d.severity === 'error')) return candidate;
  }
  return [...files];
}

/** One file that differs from examples/shop put back as it was. */
function putBack(next: () => number, files: readonly SeedFile[]): SeedFile[] {
  const changed = SEED.filter((seed) => files.find((f) => f.path === seed.path)!.text !== seed.text);
  const original = pick(next, changed.length > 0 ? changed : SEED);
  return files.map((f) => (f.path === original.path ? original : f));
}

function writeSpecs(root: string, files: readonly SeedFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.text);
  }
}

/** The generated files on disk under the output folders a compile planned. */
function outputOnDisk(root: string, result: CompileResult): Map<string, string> {
  const { dir, workflowsDir } = result.output;
  const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`) || folder.startsWith(`${path}/`);
  return readTree(root, (path) => !under(path, dir) && !under(path, workflowsDir));
}

describe('incremental compiles over a seeded walk of changes', () => {
  const steps = propertyCases(40);
  it(`report what a full compile reports and write its tree, after each of ${steps} steps`, () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = scratch.dir;
    const next = random(20261205);
    let files = SEED.map((f) => ({ ...f }));
    writeSpecs(root, files);
    // Only service specs change, so the output folders stay those of examples/shop.
    const shop = compile({ root, emitters });
    const seen = { partial: 0, invalid: 0, restored: 0 };

    for (let step = 0; step < steps; step++) {
      const generated = [...outputOnDisk(root, shop).keys()].filter((p) => !p.endsWith('.paved-manifest.json'));
      const roll = next();
      const action =
        roll < 0.35 ? 'valid change' : roll < 0.45 ? 'broken change' : roll < 0.6 ? 'put back' : roll < 0.75 ? 'edit' : roll < 0.87 ? 'delete' : 'touch';
      if (action === 'valid change' || action === 'broken change') files = changeService(next, files, action === 'valid change');
      else if (action === 'put back') files = putBack(next, files);
      else if (generated.length > 0) {
        const target = join(root, pick(next, generated));
        if (action === 'edit') appendFileSync(target, '# edited by hand\n');
        else if (action === 'delete') rmSync(target);
        else utimesSync(target, new Date(2001, 0, 1), new Date(2001, 0, 1));
      }
      writeSpecs(root, files);

      const incremental = compile({ root, emitters, build: BUILD });
      const full = compile({ root, emitters });
      const context = `step ${step} (${action})`;
      expect(incremental.diagnostics, context).toEqual(full.diagnostics);
      if (full.diagnostics.some((d) => d.severity === 'error')) {
        seen.invalid++;
        continue;
      }
      writeTree(root, incremental.output, incremental.files, { kept: incremental.kept, cache: incremental.cache });
      expect(outputOnDisk(root, full), context).toEqual(plannedTree(full));
      if (incremental.kept.length > 0 && incremental.files.some((f) => f.source.startsWith('services/'))) seen.partial++;
      if (action === 'edit' || action === 'delete') seen.restored++;
    }
    // Otherwise the walk proved little: some steps must reuse part of the tree, some must fail, some must repair output.
    expect(seen.partial).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
    expect(seen.restored).toBeGreaterThan(0);
  }, 180_000);
});
