import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs paved's CommonJS bundles (scripts/bundle.ts) with V8's code cache. Node
 * 20 has no module compile cache, so every run compiled each function it
 * called afresh: most of a one-service compile's CPU. `npm run build` runs the
 * bundles over representative work and keeps what V8 compiled beside each
 * bundle (scripts/code-cache.ts); a run hands that to V8, which then skips the
 * compiling.
 *
 * A cache that is missing, unreadable, made for other bytes or damaged is not
 * used, and one V8 refuses (another V8 version, other flags) it drops by itself:
 * either way the bundle runs exactly as without a cache, only compiling more.
 */

/** A bundle's code cache is kept beside it, under its name and this. */
export const CODE_CACHE_SUFFIX = '.code-cache';
export const codeCacheOf = (bundle: string): string => `${bundle}${CODE_CACHE_SUFFIX}`;

/** The cache file starts with a digest of the bundle and the cache, so a stale or damaged cache is never handed to V8, which trusts it. */
const DIGEST = 'sha1';
const DIGEST_LENGTH = 20;

const digest = (source: Buffer, cache: Uint8Array): Buffer => createHash(DIGEST).update(source).update(cache).digest();

/** The scripts this process ran, by bundle, and whether V8 took a cache for each: a build writes their caches once it has run them over its work. */
const ran = new Map<string, { readonly script: Script; readonly cached: boolean }>();

/** The function Node wraps every CommonJS module in, so the bundle sees what `require` would have given it. */
const wrap = (source: string): string => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;

/** Loads a CommonJS bundle, with its code cache where one fits: its exports, as `require` would return them. */
export function loadBundle(bundle: string): unknown {
  const source = readFileSync(bundle);
  const cachedData = readCodeCache(bundle, source);
  const script = new Script(wrap(source.toString('utf8')), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  ran.set(bundle, { script, cached: cachedData !== undefined && !script.cachedDataRejected });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

/** The bundle's cache if there is one made for exactly these bytes, intact; otherwise none. */
function readCodeCache(bundle: string, source: Buffer): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(codeCacheOf(bundle));
  } catch {
    return undefined;
  }
  if (file.length <= DIGEST_LENGTH) return undefined;
  const cache = file.subarray(DIGEST_LENGTH);
  return digest(source, cache).equals(file.subarray(0, DIGEST_LENGTH)) ? cache : undefined;
}

/** Whether this process last loaded `bundle` with its code cache; for tests of the build. */
export function ranWithCodeCache(bundle: string): boolean {
  return ran.get(bundle)?.cached ?? false;
}

/**
 * The code cache file for a bundle this process loaded, for the build to write
 * to codeCacheOf(bundle): V8 keeps in it every function compiled so far, so the
 * caller runs the bundle over the work a run does first.
 */
export function codeCacheFile(bundle: string): Buffer {
  const loaded = ran.get(bundle);
  if (loaded === undefined) throw new Error(`${bundle} was not loaded by this process`);
  const cache = loaded.script.createCachedData();
  return Buffer.concat([digest(readFileSync(bundle), cache), cache]);
}
