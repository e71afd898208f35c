import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';
import { stampOf, type BuildCache, type FileStamp } from './cache.js';
import type { KeptFile } from './emit.js';

/**
 * The only module that writes to disk. paved owns exactly the files listed in
 * the manifest; it never modifies or deletes anything else.
 */
export const MANIFEST_FILE = '.paved-manifest.json';

export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
  readonly source: string;
}

export type DifferenceKind = 'missing' | 'stale' | 'edited' | 'orphaned' | 'unowned';

export interface Difference {
  readonly path: string;
  readonly kind: DifferenceKind;
  /** What paved would write (absent for orphans). */
  readonly expected?: string;
  /** What is on disk (absent for missing files). */
  readonly actual?: string;
}

export interface TreeState {
  readonly differences: readonly Difference[];
  /** The manifest on disk lists exactly the planned files with their hashes and sources. */
  readonly manifestCurrent: boolean;
  readonly unchanged: number;
}

export interface WriteReport {
  readonly written: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

/** A problem with the disk or with files paved does not own; nothing was written. */
export class WriteError extends Error {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}

export function sha256(contents: string): string {
  return createHash('sha256').update(contents, 'utf8').digest('hex');
}

export function manifestPath(output: OutputDirectories): string {
  return `${output.dir}/${MANIFEST_FILE}`;
}

export function renderManifest(files: readonly GeneratedFile[], kept: readonly KeptFile[] = []): string {
  return renderEntries(plannedEntries(files, kept));
}

/** A planned file with its hash computed once; `contents` is absent for a kept file. */
interface PlannedEntry extends ManifestEntry {
  readonly contents?: string;
}

function plannedEntries(files: readonly GeneratedFile[], kept: readonly KeptFile[]): PlannedEntry[] {
  const entries: PlannedEntry[] = files.map((f) => ({ path: f.path, sha256: sha256(f.contents), source: f.source, contents: f.contents }));
  if (kept.length === 0) return entries;
  return [...entries, ...kept.map((k) => ({ path: k.path, sha256: k.sha256, source: k.source }))].sort((a, b) => compareText(a.path, b.path));
}

function renderEntries(entries: readonly PlannedEntry[]): string {
  return `${JSON.stringify({ version: 1, files: entries.map(({ path, sha256, source }) => ({ path, sha256, source })) }, null, 2)}\n`;
}

/** Compares the planned tree with the disk. Reads only. */
export function inspectTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): TreeState {
  assertOutputDirectories(root, output);
  return inspectEntries(root, output, plannedEntries(files, []));
}

/** Kept files were verified against their stamps by the compile that kept them; they count as unchanged. */
function inspectEntries(root: string, output: OutputDirectories, entries: readonly PlannedEntry[]): TreeState {
  const owned = readManifest(root, output).entries;
  const differences: Difference[] = [];
  let unchanged = 0;
  const planned = new Set<string>();
  for (const file of entries) {
    planned.add(file.path);
    if (file.contents === undefined) {
      unchanged++;
      continue;
    }
    const actual = readIfFile(root, file.path);
    const entry = owned.get(file.path);
    if (actual === undefined) differences.push({ path: file.path, kind: 'missing', expected: file.contents });
    // Identical bytes are adopted: that is what a lost manifest looks like.
    else if (actual === file.contents) unchanged++;
    else if (!entry) differences.push({ path: file.path, kind: 'unowned', expected: file.contents, actual });
    // After an interrupted compile a file may still hold its previous version: stale, not edited.
    else {
      const hash = sha256(actual);
      const kind = hash !== entry.sha256 && hash !== entry.previousSha256 ? 'edited' : 'stale';
      differences.push({ path: file.path, kind, expected: file.contents, actual });
    }
  }
  for (const path of [...owned.keys()].sort()) {
    if (planned.has(path)) continue;
    const actual = readIfFile(root, path);
    if (actual !== undefined) differences.push({ path, kind: 'orphaned', actual });
  }
  const manifestText = readIfFile(root, manifestPath(output));
  return { differences, manifestCurrent: manifestText === renderEntries(entries), unchanged };
}

/**
 * The mutations writeTree performs, so tests can inject failures (a full disk,
 * a read-only directory) and crashes between any two steps.
 */
export interface Disk {
  /** Creates or truncates `path` and writes `contents`; with `durable`, flushes them to stable storage too. */
  writeFile(path: string, contents: string, durable?: boolean): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
}

export const realDisk: Disk = {
  writeFile(path, contents, durable = false) {
    const fd = openSync(path, 'w', 0o644);
    try {
      writeSync(fd, contents);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: renameSync,
  unlink: unlinkSync,
  mkdir: (path) => mkdirSync(path, { recursive: true }),
  rmdir: rmdirSync,
};

/**
 * Brings the disk to the planned tree: changed files are written atomically
 * (temporary file + rename), unchanged files are not touched, owned files no
 * longer planned are deleted. A file paved does not own is never overwritten:
 * if one stands where a planned file goes with other contents, nothing is written.
 * Concurrent compiles of one tree are serialized by a lock file.
 */
export function writeTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[], options: WriteOptions = {}): WriteReport {
  const disk = options.disk ?? realDisk;
  assertOutputDirectories(root, output);
  return withLock(root, output, disk, options.lockTimeoutMs ?? LOCK_WAIT_MS, () => {
    const entries = plannedEntries(files, options.kept ?? []);
    const state = inspectEntries(root, output, entries);
    const unowned = state.differences.filter((d) => d.kind === 'unowned');
    if (unowned.length > 0) {
      const list = unowned.map((d) => `  ${d.path}`).join('\n');
      throw new WriteError(`these files are in the way and paved does not own them (they are not in ${manifestPath(output)}):\n${list}\nmove or delete them, then compile again`, true);
    }
    const seen = new Map<string, boolean>();
    for (const file of files) assertWritable(root, file.path, seen);
    if (state.differences.length === 0 && state.manifestCurrent) {
      if (options.cache) recordBuildCache(root, entries, [], options.cache, disk);
      return { written: [], deleted: [], unchanged: state.unchanged };
    }

    const previous = readManifest(root, output);
    if (previous.pending) removeLeftoverTemporaries(root, output, disk);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const orphans = state.differences.filter((d) => d.kind === 'orphaned').map((d) => d.path);
    const toWrite = state.differences.filter((d) => d.kind !== 'orphaned').map((d) => byPath.get(d.path)!);

    // Until the last step the manifest is marked pending and claims old and new
    // files with both hashes, so an interrupted compile leaves every file in its
    // old or new version, owned, and recognized as such; the next compile converges.
    // Only the manifest is flushed to disk: generated files are atomic against a killed
    // process (rename) and can always be regenerated; an fsync per file made a compile
    // of a few hundred files take seconds.
    writeAtomic(root, manifestPath(output), renderPendingManifest(entries, previous.entries, toWrite), disk, true);
    const made = new Set<string>();
    for (const file of toWrite) writeAtomic(root, file.path, file.contents!, disk, false, made);
    for (const path of orphans) {
      disk.unlink(join(root, path));
      removeEmptyParents(root, path, output, disk);
    }
    writeAtomic(root, manifestPath(output), renderEntries(entries), disk, true);
    if (options.cache) recordBuildCache(root, entries, toWrite, options.cache, disk);
    return { written: toWrite.map((f) => f.path), deleted: orphans, unchanged: state.unchanged };
  });
}

/**
 * Records, for the next incremental compile, each service's key and the stamp
 * of every file as it is now (see compiler/cache.ts). Kept files keep the stamp
 * they were verified against. Not flushed: a lost record only costs a full compile.
 */
function recordBuildCache(root: string, entries: readonly PlannedEntry[], written: readonly PlannedEntry[], cache: CacheRecord, disk: Disk): void {
  const kept = entries.filter((e) => e.contents === undefined).length;
  const unitFiles = Object.values(cache.units).reduce((n, unit) => n + unit.files.length, 0);
  // Every service reused as recorded: the record stands as it is.
  if (written.length === 0 && kept === unitFiles && cache.previous && sameUnits(cache.previous.units, cache.units)) return;
  const rewritten = new Set(written.map((e) => e.path));
  const stamps: Record<string, FileStamp> = {};
  for (const entry of entries) {
    const old = cache.previous?.files[entry.path];
    const stamp = old && old.sha256 === entry.sha256 && !rewritten.has(entry.path) && entry.contents === undefined ? old : stampOf(root, entry.path, entry.sha256);
    if (stamp) stamps[entry.path] = stamp;
  }
  const record: BuildCache = { build: cache.build, units: cache.units, files: stamps };
  try {
    replaceFile(cache.location, JSON.stringify(record), disk, false);
  } catch {
    // The tree is written; a record that cannot be (a read-only .git) only makes the next compile a full one.
  }
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

/** What an incremental compile hands the writer to record (CompileResult.cache). */
export interface CacheRecord {
  /** An absolute path in the git directory (compiler/cache.ts). */
  readonly location: string;
  readonly build: string;
  readonly units: BuildCache['units'];
  readonly previous?: BuildCache;
}

function renderPendingManifest(files: readonly PlannedEntry[], previous: ReadonlyMap<string, ManifestEntry>, toWrite: readonly PlannedEntry[]): string {
  const changing = new Set(toWrite.map((f) => f.path));
  const entries: PendingEntry[] = files.map((f) => {
    const old = previous.get(f.path);
    const entry = { path: f.path, sha256: f.sha256, source: f.source };
    return changing.has(f.path) && old && old.sha256 !== entry.sha256 ? { ...entry, previousSha256: old.sha256 } : entry;
  });
  const planned = new Set(files.map((f) => f.path));
  for (const old of previous.values()) if (!planned.has(old.path)) entries.push({ path: old.path, sha256: old.sha256, source: old.source });
  entries.sort((a, b) => compareText(a.path, b.path));
  return `${JSON.stringify({ version: 1, pending: true, files: entries }, null, 2)}\n`;
}

interface PendingEntry extends ManifestEntry {
  /** In a pending manifest: the hash the file had before the interrupted compile. */
  readonly previousSha256?: string;
}

export interface WriteOptions {
  readonly disk?: Disk;
  /** Files an incremental compile kept: on disk already, planned without their bytes. */
  readonly kept?: readonly KeptFile[];
  /** The record for the next incremental compile; written after the tree. */
  readonly cache?: CacheRecord;
  /** How long to wait for another compile holding the lock. */
  readonly lockTimeoutMs?: number;
}

export const LOCK_FILE = '.paved-lock';
const LOCK_WAIT_MS = 30_000;

/** Runs `action` holding the output directory's lock; waits for a live holder, takes over a dead one's. */
function withLock<T>(root: string, output: OutputDirectories, disk: Disk, timeoutMs: number, action: () => T): T {
  const dir = join(root, output.dir);
  disk.mkdir(dir);
  const lock = join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readIfFile(root, `${output.dir}/${LOCK_FILE}`) ?? '', 10);
      if (!isAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new WriteError(`another paved compile (pid ${holder}) is writing ${output.dir}; it holds ${output.dir}/${LOCK_FILE}`, false);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A crashed compile can leave `.<name>.paved-<pid>.tmp` files behind; they are paved's by name. */
function removeLeftoverTemporaries(root: string, output: OutputDirectories, disk: Disk): void {
  const walk = (relative: string): void => {
    const absolute = join(root, relative);
    const stat = lstatOrUndefined(absolute);
    if (!stat?.isDirectory()) return;
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${relative}/${entry.name}`);
      else if (entry.isFile() && TEMPORARY.test(entry.name)) disk.unlink(join(absolute, entry.name));
    }
  };
  walk(output.dir);
  walk(output.workflowsDir);
}

const TEMPORARY = /^\..+\.paved-[0-9]+\.tmp$/;

export interface OwnedFiles {
  readonly entries: ReadonlyMap<string, ManifestEntry & { readonly previousSha256?: string }>;
  /** The last compile stopped before finishing. */
  readonly pending: boolean;
}

/** The last manifest parsed: a compile reads it before planning and again under the lock, usually unchanged. */
let lastManifest: { readonly key: string; readonly text: string; readonly owned: OwnedFiles } | undefined;

export function readManifest(root: string, output: OutputDirectories): OwnedFiles {
  const text = readIfFile(root, manifestPath(output));
  if (text === undefined) return { entries: new Map(), pending: false };
  const key = JSON.stringify([root, output]);
  if (lastManifest?.key === key && lastManifest.text === text) return lastManifest.owned;
  const owned = parseManifest(text, output);
  lastManifest = { key, text, owned };
  return owned;
}

function parseManifest(text: string, output: OutputDirectories): OwnedFiles {
  const owned = new Map<string, ManifestEntry & { previousSha256?: string }>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WriteError(`${manifestPath(output)} is not valid JSON; restore it from version control or delete it (paved will then refuse to overwrite files it no longer knows it owns)`, true);
  }
  const entries = (parsed as { files?: unknown }).files;
  if (!Array.isArray(entries)) throw new WriteError(`${manifestPath(output)} has no "files" list; restore it from version control or delete it`, true);
  const roots = [output.dir, output.workflowsDir];
  for (const entry of entries as ManifestEntry[]) {
    // A tampered manifest must not let paved delete files outside its output directories.
    const safe = typeof entry?.path === 'string' && typeof entry.sha256 === 'string' && isPlainPathUnder(entry.path, roots);
    if (!safe) throw new WriteError(`${manifestPath(output)} lists ${JSON.stringify(entry?.path)}, which is not a file inside ${roots.join(' or ')}; fix or delete the manifest`, true);
    const previousSha256 = (entry as PendingEntry).previousSha256;
    owned.set(entry.path, { path: entry.path, sha256: entry.sha256, source: String(entry.source ?? ''), ...(typeof previousSha256 === 'string' ? { previousSha256 } : {}) });
  }
  return { entries: owned, pending: (parsed as { pending?: unknown }).pending === true };
}

function isPlainPathUnder(path: string, roots: readonly string[]): boolean {
  const segments = path.split('/');
  if (path.includes('\\') || path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) return false;
  return roots.some((root) => path.startsWith(`${root}/`));
}

/** Output directories must be real directories inside the root, not links that lead elsewhere. */
function assertOutputDirectories(root: string, output: OutputDirectories): void {
  for (const dir of [output.dir, output.workflowsDir]) {
    if (!isPlainPathUnder(`${dir}/x`, [dir]) || dir.startsWith('/')) throw new WriteError(`output directory ${JSON.stringify(dir)} must be a relative path inside the repository`, true);
    assertNoLinks(root, `${dir}/x`);
  }
}

/**
 * Every existing component of the path below the root must be a real directory.
 * `seen` remembers, across calls, which directories are real (true) and which
 * do not exist (false). Returns whether the file's directory exists.
 */
function assertNoLinks(root: string, path: string, seen = new Map<string, boolean>()): boolean {
  const segments = path.split('/');
  let current = root;
  for (let i = 0; i < segments.length - 1; i++) {
    current = join(current, segments[i]!);
    const known = seen.get(current);
    if (known === false) return false;
    if (known) continue;
    const stat = lstatOrUndefined(current);
    seen.set(current, stat !== undefined);
    if (!stat) return false;
    if (stat.isSymbolicLink()) throw new WriteError(`${segments.slice(0, i + 1).join('/')} is a symbolic link; paved writes only into real directories inside the repository`, true);
    if (!stat.isDirectory()) throw new WriteError(`${segments.slice(0, i + 1).join('/')} is not a directory`, true);
  }
  return true;
}

function assertWritable(root: string, path: string, seen?: Map<string, boolean>): void {
  if (!assertNoLinks(root, path, seen)) return;
  const stat = lstatOrUndefined(join(root, path));
  if (stat && !stat.isFile()) throw new WriteError(`${path} exists and is not a regular file; paved will not replace it`, true);
}

function readIfFile(root: string, path: string): string | undefined {
  const absolute = join(root, path);
  const stat = lstatOrUndefined(absolute);
  if (!stat || !stat.isFile()) return undefined;
  return readFileSync(absolute, 'utf8');
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    // Without throwIfNoEntry a missing file costs an Error with a stack: a cold compile asks about every file.
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** `made`: directories this write has created already, so a large tree costs one mkdir per directory. */
function writeAtomic(root: string, path: string, contents: string, disk: Disk, durable = false, made?: Set<string>): void {
  const absolute = join(root, path);
  const dir = dirname(absolute);
  if (!made?.has(dir)) disk.mkdir(dir);
  made?.add(dir);
  replaceFile(absolute, contents, disk, durable);
}

/** Temporary file beside the target, then rename: readers see the old or the new file, never half of one. */
function replaceFile(absolute: string, contents: string, disk: Disk, durable: boolean): void {
  const temporary = join(dirname(absolute), `.${basename(absolute)}.paved-${process.pid}.tmp`);
  try {
    disk.writeFile(temporary, contents, durable);
    disk.rename(temporary, absolute);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes directories emptied by deleting an orphan, never an output root or anything above it. */
function removeEmptyParents(root: string, path: string, output: OutputDirectories, disk: Disk): void {
  let dir = dirname(path);
  while (dir !== '.' && dir !== output.dir && dir !== output.workflowsDir && (dir.startsWith(`${output.dir}/`) || dir.startsWith(`${output.workflowsDir}/`))) {
    const absolute = join(root, dir);
    if (readdirSync(absolute).length > 0) return;
    disk.rmdir(absolute);
    dir = dirname(dir);
  }
}

/** Replaces an input file paved was asked to edit (releases.yaml) atomically. */
export function writeFileAtomic(path: string, contents: string): void {
  replaceFile(path, contents, realDisk, true);
}

/** Creates a new file (and its folders) for scaffolding; fails with EEXIST rather than overwrite. */
export function createFile(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, contents);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a set of new files under `root` for scaffolding, all or nothing as far
 * as it can be checked: every path must be relative and plain (no `..`, no
 * absolute path, no symbolic link on the way), and no file may exist unless
 * `force`. Everything is checked before the first byte is written.
 */
export function createFiles(root: string, files: ReadonlyArray<{ readonly path: string; readonly contents: string }>, options: { readonly force?: boolean } = {}): void {
  const seen = new Set<string>();
  const existing: string[] = [];
  for (const file of files) {
    const segments = file.path.split('/');
    if (file.path.startsWith('/') || file.path.includes('\\') || file.path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new WriteError(`${JSON.stringify(file.path)} is not a plain relative path inside the target directory`, true);
    }
    if (seen.has(file.path)) throw new WriteError(`${file.path} would be written twice`, true);
    seen.add(file.path);
    assertNoLinks(root, file.path);
    const stat = lstatOrUndefined(join(root, file.path));
    if (stat && !stat.isFile()) throw new WriteError(`${file.path} exists and is not a regular file; paved will not replace it`, true);
    if (stat) existing.push(file.path);
  }
  if (existing.length > 0 && !options.force) {
    throw new WriteError(`these files already exist and paved never overwrites a file without --force:\n${existing.map((p) => `  ${p}`).join('\n')}`, true);
  }
  for (const file of files) {
    const absolute = join(root, file.path);
    mkdirSync(dirname(absolute), { recursive: true });
    if (options.force) writeAtomic(root, file.path, file.contents, realDisk);
    else createFile(absolute, file.contents);
  }
}
