import { join } from 'node:path';
import type { GeneratedFile } from '../../spec/emitter.js';
import { layout } from '../../spec/layout.js';
import type { OutputDirectories } from '../../spec/model.js';
import { stampOf, type BuildCache, type CacheRecord, type FileStamp } from '../cache.js';
import { prepareCacheFolder } from './cache-folder.js';
import { realDisk, removeEmptyParents, replaceFile, writeAtomic, type Disk } from './disk.js';
import { WriteError } from './errors.js';
import { assertOutputDirectories, inspectEntries, type InspectedTree } from './inspect.js';
import { withLock } from './lock.js';
import { plannedEntries, readManifest, renderEntries, renderPendingManifest, type ManifestEntry, type PlannedEntry } from './manifest.js';
import { Resolver, type UnlistedEntry } from './resolver.js';

/**
 * The only writer of the generated tree. paved owns exactly the files listed in
 * the manifest; it never modifies, deletes or prints anything else, and it
 * reaches every file without following a symbolic link (resolver.ts).
 */

export interface WriteReport {
  readonly written: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
  /** Files nobody generated, left where they are (leftover temporary files are removed instead). */
  readonly unlisted: readonly UnlistedEntry[];
}

export interface WriteOptions {
  readonly disk?: Disk;
  /** Files an incremental compile kept: on disk already, planned without their bytes. */
  readonly kept?: readonly ManifestEntry[];
  /** The record for the next incremental compile; written after the tree. */
  readonly cache?: CacheRecord;
  /** How long to wait for another compile holding the lock. */
  readonly lockTimeoutMs?: number;
  /** Told how many of the files to write are written, now and then: the CLI's progress line on a terminal. */
  readonly progress?: (done: number, total: number) => void;
}

/** Files between two progress reports: often enough to move, rarely enough to cost nothing. */
const PROGRESS_EVERY = 500;

const LOCK_WAIT_MS = 30_000;

/**
 * Brings the disk to the planned tree: changed files are written atomically
 * (temporary file + rename), unchanged files are not touched, owned files no
 * longer planned are deleted. A file paved does not own is never overwritten:
 * if one stands where a planned file goes with other contents, nothing is written.
 * Files under the output directories that nobody owns are left alone and reported.
 * Concurrent compiles of one tree are serialized by a lock file.
 */
export function writeTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[], options: WriteOptions = {}): WriteReport {
  const disk = options.disk ?? realDisk;
  const resolver = new Resolver(root);
  assertOutputDirectories(resolver, output);
  return withLock(root, output, disk, options.lockTimeoutMs ?? LOCK_WAIT_MS, () => {
    const entries = plannedEntries(files, options.kept ?? []);
    resolver.forget();
    const state = inspectEntries(resolver, output, entries);
    const unowned = state.differences.filter((d) => d.kind === 'unowned');
    if (unowned.length > 0) {
      const list = unowned.map((d) => `  ${d.path}`).join('\n');
      throw new WriteError(
        `these files are in the way and paved does not own them (they are not in ${layout.manifest(output)}):\n${list}\nmove or delete them, then compile again`,
        true,
      );
    }
    // Temporary files are paved's by name (and the lock says no other compile is writing): a killed compile left them.
    for (const leftover of state.unlisted.filter((u) => u.temporary)) disk.unlink(join(root, leftover.path));
    const unlisted = state.unlisted.filter((u) => !u.temporary);
    if (state.differences.length === 0 && state.manifestCurrent) {
      if (options.cache) recordBuildCache(root, state, entries, [], options.cache, disk);
      return { written: [], deleted: [], unchanged: state.unchanged, unlisted };
    }

    const previous = readManifest(root, output);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const orphans = state.differences.filter((d) => d.kind === 'orphaned').map((d) => d.path);
    const toWrite = state.differences.filter((d) => d.kind !== 'orphaned').map((d) => byPath.get(d.path)!);

    // Until the last step the manifest is marked pending and claims old and new
    // files with both hashes, so an interrupted compile leaves every file in its
    // old or new version, owned, and recognized as such; the next compile converges.
    // Only the manifest is flushed to disk: generated files are atomic against a killed
    // process (rename) and can always be regenerated; an fsync per file made a compile
    // of a few hundred files take seconds.
    writeAtomic(root, layout.manifest(output), renderPendingManifest(entries, previous.entries, toWrite), disk, true);
    const made = new Set<string>();
    for (const [i, file] of toWrite.entries()) {
      writeAtomic(root, file.path, file.contents!, disk, false, made);
      if (options.progress && (i + 1) % PROGRESS_EVERY === 0) options.progress(i + 1, toWrite.length);
    }
    for (const path of orphans) {
      disk.unlink(join(root, path));
      removeEmptyParents(root, path, output, disk);
    }
    writeAtomic(root, layout.manifest(output), renderEntries(entries), disk, true);
    if (options.cache) recordBuildCache(root, state, entries, toWrite, options.cache, disk);
    return { written: toWrite.map((f) => f.path), deleted: orphans, unchanged: state.unchanged, unlisted };
  });
}

/**
 * Records, for the next incremental compile, each service's key and the stamp
 * of every file as it is now (see compiler/cache.ts). Kept files keep the stamp
 * they were verified against. Not flushed: a lost record only costs a full compile.
 */
function recordBuildCache(
  root: string,
  state: InspectedTree,
  entries: readonly PlannedEntry[],
  written: readonly PlannedEntry[],
  cache: CacheRecord,
  disk: Disk,
): void {
  const kept = entries.filter((e) => e.contents === undefined).length;
  const unitFiles = Object.values(cache.units).reduce((n, unit) => n + unit.files.length, 0);
  // Every service reused as recorded: the record stands as it is.
  if (written.length === 0 && kept === unitFiles && cache.previous && sameUnits(cache.previous.units, cache.units)) return;
  const rewritten = new Set(written.map((e) => e.path));
  const stamps: Record<string, FileStamp> = {};
  for (const entry of entries) {
    const stamp =
      entry.contents === undefined ? keptStamp(cache, entry) : rewritten.has(entry.path) ? writtenStamp(root, entry) : state.verified.get(entry.path);
    if (stamp) stamps[entry.path] = stamp;
  }
  const record: BuildCache = { build: cache.build, units: cache.units, files: stamps };
  try {
    if (prepareCacheFolder(cache.location)) replaceFile(cache.location, JSON.stringify(record), disk, false);
  } catch {
    // The tree is written; a record that cannot be (a read-only .git) only makes the next compile a full one.
  }
}

/** A kept file keeps the stamp it was verified against (cache.ts `reuseFromCache`); without one, it is not vouched for. */
function keptStamp(cache: CacheRecord, entry: PlannedEntry): FileStamp | undefined {
  const old = cache.previous && Object.hasOwn(cache.previous.files, entry.path) ? cache.previous.files[entry.path] : undefined;
  return old && old.sha256 === entry.sha256 ? old : undefined;
}

/**
 * The stamp of a file just written whole (writeAll): recorded only if the file
 * there now has the byte length of what was written, so a file cut short by
 * anything is never vouched for and is emitted again next time.
 */
function writtenStamp(root: string, entry: PlannedEntry): FileStamp | undefined {
  const stamp = stampOf(root, entry.path, entry.sha256);
  return stamp && stamp.size === Buffer.byteLength(entry.contents!, 'utf8') ? stamp : undefined;
}

function sameUnits(a: BuildCache['units'], b: BuildCache['units']): boolean {
  const names = Object.keys(b);
  if (Object.keys(a).length !== names.length) return false;
  return names.every((name) => {
    const x = Object.hasOwn(a, name) ? a[name] : undefined;
    const y = b[name]!;
    return x !== undefined && x.key === y.key && x.files.length === y.files.length && x.files.every((path, i) => path === y.files[i]);
  });
}
