import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compile, loadSources, type LoadedSources } from '../../compiler/compile.js';
import { CASES, FIXTURES, REPO } from '../support/helpers.js';

/**
 * `paved check --base` hands the working tree's parse of a spec to the base
 * when the texts agree (compile.ts prepareTexts), so one SourceFile feeds two
 * compiles. That is sound only while nothing after parsing changes one: every
 * golden case, hostile case and example compiles with its parsed data
 * deep-frozen (a write then throws: modules are strict) exactly as without.
 */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

function frozen(loaded: LoadedSources): LoadedSources {
  for (const file of [...loaded.services, loaded.platform, loaded.releases]) {
    if (file === undefined) continue;
    deepFreeze(file.data);
    Object.freeze(file);
  }
  return loaded;
}

const folders = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name));

const roots = [...folders(CASES), ...folders(join(FIXTURES, 'invalid')), ...folders(join(REPO, 'examples'))];

describe('parsed specs are never changed after parsing', () => {
  it('has cases to compile', () => expect(roots.length).toBeGreaterThan(150));

  it.each(roots.map((root) => [root.slice(REPO.length + 1), root]))('%s compiles the same from deep-frozen specs', (_, root) => {
    const options = { root, emitters, keepValues: true };
    const live = compile(options);
    const still = compile(options, frozen(loadSources(root)));
    expect(still.diagnostics).toEqual(live.diagnostics);
    expect(still.files.map((f) => [f.path, f.contents])).toEqual(live.files.map((f) => [f.path, f.contents]));
  });
});
