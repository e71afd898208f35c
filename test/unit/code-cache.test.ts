import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheFile, codeCacheOf, loadBundle, ranWithCodeCache } from '../../spec/code-cache.js';

/**
 * A bundle runs through spec/code-cache.ts as `require` would run it, with its
 * code cache when one was made for exactly its bytes and is intact, and exactly
 * as without one otherwise: missing, damaged, stale or empty.
 */
describe('running a bundle with its code cache', () => {
  const SOURCE = [
    'const { sep } = require("node:path");',
    'exports.twice = (n) => n * 2;',
    'exports.where = [__filename, __dirname, sep];',
    'exports.bound = this === exports;',
    'module.exports.later = () => exports.twice(21);',
  ].join('\n');
  let dir: string;
  let bundle: string;
  const cacheFile = (): string => codeCacheOf(bundle);
  const run = (): unknown => {
    const loaded = loadBundle(bundle) as { twice: (n: number) => number; where: string[]; bound: boolean; later: () => number };
    return { twice: loaded.twice(4), where: loaded.where, bound: loaded.bound, later: loaded.later() };
  };
  const expected = (): unknown => ({ twice: 8, where: [bundle, dir, '/'], bound: true, later: 42 });
  /** Makes the cache the way the build does: run the bundle, then keep what V8 compiled. */
  const makeCache = (): Buffer => {
    run();
    writeFileSync(cacheFile(), codeCacheFile(bundle));
    return readFileSync(cacheFile());
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
    bundle = join(dir, 'bundle.cjs');
    writeFileSync(bundle, SOURCE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs without a cache, then with the one made from a run', () => {
    expect(run()).toEqual(expected());
    expect(ranWithCodeCache(bundle)).toBe(false);
    makeCache();
    expect(run()).toEqual(expected());
    expect(ranWithCodeCache(bundle)).toBe(true);
  });

  it('runs as without a cache when the cache is damaged, cut short, empty or not one', () => {
    const cache = makeCache();
    const flipped = Buffer.from(cache);
    flipped[Math.floor(cache.length / 2)]! ^= 0xff;
    for (const damaged of [flipped, cache.subarray(0, cache.length - 7), cache.subarray(0, 20), Buffer.alloc(0), Buffer.from('not a cache')]) {
      writeFileSync(cacheFile(), damaged);
      expect(run()).toEqual(expected());
      expect(ranWithCodeCache(bundle)).toBe(false);
    }
  });

  it('ignores a cache made for other bytes of the same length, which V8 alone would take', () => {
    makeCache();
    const edited = SOURCE.replace('n * 2', 'n + 2');
    expect(edited.length).toBe(SOURCE.length);
    writeFileSync(bundle, edited);
    expect((loadBundle(bundle) as { twice: (n: number) => number }).twice(4)).toBe(6);
    expect(ranWithCodeCache(bundle)).toBe(false);
  });

  it('runs as without a cache when the cache cannot be read', () => {
    makeCache();
    rmSync(cacheFile());
    expect(run()).toEqual(expected());
    expect(ranWithCodeCache(bundle)).toBe(false);
  });
});
