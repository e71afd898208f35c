import { appendFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { random } from '../../bench/synthetic.js';
import { pick } from '../../scripts/fuzz.js';
import { emitters } from '../../cli/emitters.js';
import { compile, type CompileResult } from '../../compiler/compile.js';
import { writeTree } from '../../compiler/write/tree.js';
import { plannedTree, propertyCases, readTree, scratchCopy } from '../support/helpers.js';
import { changeService, putBack, SHOP, withWaivedFinding, writeSpecs } from '../support/spec-walk.js';

/**
 * Incremental compiles (compiler/cache.ts) against full ones, over a seeded
 * walk of changes to examples/shop with a waived policy finding (a warning):
 * specs changed (kept valid, or broken and put back), generated files edited,
 * deleted or touched. After every step the incremental compile, written as
 * `paved compile` writes it, must report exactly the diagnostics of a full
 * compile and leave exactly its tree.
 */
const BUILD = 'test-build';
/** What a step does, drawn evenly: valid changes come up most. */
const ACTIONS = ['valid change', 'valid change', 'valid change', 'broken change', 'put back', 'put back', 'edit', 'edit', 'delete', 'touch'] as const;
/** examples/shop with a waived policy finding in orders: a warning on every compile of orders. */
const ORIGINAL = withWaivedFinding(SHOP);

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

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
    let files = [...ORIGINAL];
    writeSpecs(root, files);
    // Only service specs change, so the output folders stay the first compile's.
    const shop = compile({ root, emitters });
    const seen = { partial: 0, invalid: 0, restored: 0, waived: 0 };

    for (let step = 0; step < steps; step++) {
      const generated = [...outputOnDisk(root, shop).keys()].filter((p) => !p.endsWith('.paved-manifest.json'));
      const action = pick(next, ACTIONS);
      if (action === 'valid change' || action === 'broken change') files = changeService(next, files, action === 'valid change', ORIGINAL);
      else if (action === 'put back') files = putBack(next, files, ORIGINAL);
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
      if (incremental.kept.length > 0 && full.diagnostics.some((d) => d.code === 'POLICY.WAIVED')) seen.waived++;
    }
    // Otherwise the walk proved little: some steps must reuse part of the tree, some must fail, some must repair output,
    // and some must report a warning beside kept files.
    expect(seen.partial).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
    expect(seen.restored).toBeGreaterThan(0);
    expect(seen.waived).toBeGreaterThan(0);
  }, 180_000);
});
