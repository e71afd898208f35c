import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';
import { stampOf, type BuildCache, type FileStamp } from './cache.js';
import type { KeptFile } from './emit.js';
import { Blocked, describeType, LOCK_FILE, lstatOrUndefined, MANIFEST_FILE, ownablePathProblem, readRegular, Resolver, unlistedEntries, type UnlistedEntry } from './tree.js';

/**
 * The only module that writes to disk. paved owns exactly the files listed in
 * the manifest; it never modifies, deletes or prints anything else, and it
 * reaches every file without following a symbolic link (compiler/tree.ts).
 */
export { LOCK_FILE, MANIFEST_FILE, type UnlistedEntry };

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
  /** What is on disk (absent for missing files); read only from a regular file paved owns or would write. */
  readonly actual?: string;
}

export interface TreeState {
  readonly differences: readonly Difference[];
  /** Files under the output directories that the manifest does not list and no spec produces. Never read. */
  readonly unlisted: readonly UnlistedEntry[];
  /** The manifest on disk lists exactly the planned files with their hashes and sources. */
  readonly manifestCurrent: boolean;
  readonly unchanged: number;
}

export interface WriteReport {
  readonly written: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
  /** Files nobody generated, left where they are (leftover temporary files are removed instead). */
  readonly unlisted: readonly UnlistedEntry[];
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

/** Compares the planned tree with the disk. Reads only: regular files reached without a link, and the folders' listings. */
export function inspectTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): TreeState {
  const resolver = new Resolver(root);
  assertOutputDirectories(resolver, output);
  const { differences, unlisted, manifestCurrent, unchanged } = inspectEntries(resolver, output, plannedEntries(files, []));
  return { differences, unlisted, manifestCurrent, unchanged };
}

/**
 * Kept files were verified against their stamps by the compile that kept them;
 * they count as unchanged once no link stands above them. Every path read or
 * later written or deleted is resolved here, and any that goes through a link,
 * or names something other than a regular file, stops the whole operation.
 */
function inspectEntries(resolver: Resolver, output: OutputDirectories, entries: readonly PlannedEntry[]): InspectedTree {
  const manifest = manifestPath(output);
  const owned = readManifest(resolver.root, output).entries;
  const differences: Difference[] = [];
  const blockedDirectories = new Map<string, Blocked>();
  const refused: string[] = [];
  const verified = new Map<string, FileStamp>();
  let unchanged = 0;
  const planned = new Set<string>();
  for (const file of entries) {
    planned.add(file.path);
    if (file.contents === undefined) {
      const parents = resolver.parents(file.path);
      if (parents instanceof Blocked) blockedDirectories.set(parents.at, parents);
      else unchanged++;
      continue;
    }
    const found = resolver.read(file.path);
    if (found instanceof Blocked) {
      blockedDirectories.set(found.at, found);
      continue;
    }
    if ('kind' in found) {
      if (found.kind === 'other') refused.push(`${file.path} exists and is not a regular file (${describeType(found.stat)}); paved will not replace it`);
      else differences.push({ path: file.path, kind: 'missing', expected: file.contents });
      continue;
    }
    const actual = found.text;
    const entry = owned.get(file.path);
    // Identical bytes are adopted: that is what a lost manifest looks like.
    if (actual === file.contents) {
      unchanged++;
      // The stamp of the very file read (fstat before the read): any later change shows in its ctime.
      verified.set(file.path, { sha256: file.sha256, size: found.stat.size, mtimeMs: found.stat.mtimeMs, ctimeMs: found.stat.ctimeMs, ino: found.stat.ino });
    } else if (!entry) differences.push({ path: file.path, kind: 'unowned', expected: file.contents, actual });
    // After an interrupted compile a file may still hold its previous version: stale, not edited.
    else {
      const hash = sha256(actual);
      const kind = hash !== entry.sha256 && hash !== entry.previousSha256 ? 'edited' : 'stale';
      differences.push({ path: file.path, kind, expected: file.contents, actual });
    }
  }
  for (const blocked of [...blockedDirectories.values()].sort((a, b) => compareText(a.at, b.at))) {
    refused.push(`${blocked.at} ${blocked.what}; paved writes only into real directories inside the repository`);
  }
  for (const path of [...owned.keys()].sort(compareText)) {
    if (planned.has(path)) continue;
    // An entry through a link could name /elsewhere/file or /proc/self/environ: never read, never deleted.
    const found = resolver.read(path);
    if (found instanceof Blocked) refused.push(`${manifest} lists ${path}, but ${found.at} ${found.what}; paved will neither read nor delete it`);
    else if (!('kind' in found)) differences.push({ path, kind: 'orphaned', actual: found.text });
    else if (found.kind === 'other') refused.push(`${manifest} lists ${path}, but it is ${describeType(found.stat)}, not a regular file; paved will neither read nor delete it`);
  }
  if (refused.length > 0) {
    throw new WriteError(`refused: paved follows no symbolic link, and reads, replaces or deletes only regular files:\n${refused.map((r) => `  ${r}`).join('\n')}\nremove what stands in the way (or the entries from ${manifest}), then run paved again`, true);
  }
  const unlisted = unlistedEntries(resolver.root, output, (path) => planned.has(path) || owned.has(path));
  const manifestText = readManifestText(resolver, output);
  return { differences, unlisted, manifestCurrent: manifestText === renderEntries(entries), unchanged, verified };
}

interface InspectedTree extends TreeState {
  /** Stamps of the planned files found on disk with exactly the planned bytes. */
  readonly verified: ReadonlyMap<string, FileStamp>;
}

/** The files under the output directories that neither the manifest nor `files` claims: for `paved diff`. */
export function unlistedFiles(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): UnlistedEntry[] {
  const resolver = new Resolver(root);
  assertOutputDirectories(resolver, output);
  const owned = readManifest(root, output).entries;
  const planned = new Set(files.map((f) => f.path));
  return unlistedEntries(root, output, (path) => planned.has(path) || owned.has(path));
}

/** Writes `contents` to `fd` whole: `write` may take fewer bytes than asked (a filling disk), so it is called until none are left. */
export type WriteChunk = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

export function writeAll(fd: number, contents: string, write: WriteChunk = writeSync): void {
  const buffer = Buffer.from(contents, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    const written = write(fd, buffer, offset, buffer.length - offset);
    if (!(written > 0)) throw Object.assign(new Error(`EIO: the disk took ${offset} of ${buffer.length} bytes and then no more`), { code: 'EIO' });
    offset += written;
  }
}

/**
 * The mutations writeTree performs, so tests can inject failures (a full disk,
 * a read-only directory, short writes) and crashes between any two steps.
 */
export interface Disk {
  /**
   * Creates `path`, which must not exist (not even as a link or FIFO: O_EXCL,
   * O_NOFOLLOW), and writes all of `contents`; with `durable`, flushes them to
   * stable storage too. Throws on any error, leaving `path` for the caller to remove.
   */
  writeFile(path: string, contents: string, durable?: boolean): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The real disk, writing through `write` (writeSync, or a test's failing or short one). */
export function diskWriting(write: WriteChunk): Disk {
  return {
    writeFile(path, contents, durable = false) {
      const fd = openSync(path, CREATE_NEW, 0o644);
      try {
        writeAll(fd, contents, write);
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
}

export const realDisk: Disk = diskWriting(writeSync);

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
      throw new WriteError(`these files are in the way and paved does not own them (they are not in ${manifestPath(output)}):\n${list}\nmove or delete them, then compile again`, true);
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
    writeAtomic(root, manifestPath(output), renderPendingManifest(entries, previous.entries, toWrite), disk, true);
    const made = new Set<string>();
    for (const file of toWrite) writeAtomic(root, file.path, file.contents!, disk, false, made);
    for (const path of orphans) {
      disk.unlink(join(root, path));
      removeEmptyParents(root, path, output, disk);
    }
    writeAtomic(root, manifestPath(output), renderEntries(entries), disk, true);
    if (options.cache) recordBuildCache(root, state, entries, toWrite, options.cache, disk);
    return { written: toWrite.map((f) => f.path), deleted: orphans, unchanged: state.unchanged, unlisted };
  });
}

/**
 * Records, for the next incremental compile, each service's key and the stamp
 * of every file as it is now (see compiler/cache.ts). Kept files keep the stamp
 * they were verified against. Not flushed: a lost record only costs a full compile.
 */
function recordBuildCache(root: string, state: InspectedTree, entries: readonly PlannedEntry[], written: readonly PlannedEntry[], cache: CacheRecord, disk: Disk): void {
  const kept = entries.filter((e) => e.contents === undefined).length;
  const unitFiles = Object.values(cache.units).reduce((n, unit) => n + unit.files.length, 0);
  // Every service reused as recorded: the record stands as it is.
  if (written.length === 0 && kept === unitFiles && cache.previous && sameUnits(cache.previous.units, cache.units)) return;
  const rewritten = new Set(written.map((e) => e.path));
  const stamps: Record<string, FileStamp> = {};
  for (const entry of entries) {
    const stamp = entry.contents === undefined ? keptStamp(cache, entry) : rewritten.has(entry.path) ? writtenStamp(root, entry) : state.verified.get(entry.path);
    if (stamp) stamps[entry.path] = stamp;
  }
  const record: BuildCache = { build: cache.build, units: cache.units, files: stamps };
  try {
    replaceFile(cache.location, JSON.stringify(record), disk, false);
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

const LOCK_WAIT_MS = 30_000;

/**
 * Who holds a lock: enough to tell, without trusting the file, whether that
 * holder is a compile running now. A lock committed to the repository, or
 * left by a compile that died, names a pid that is dead or belongs to some
 * other process (pid 1, a reused pid): it must not block.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Linux: the kernel's boot id and the process's start time (clock ticks after boot, /proc/<pid>/stat). */
  readonly boot?: string;
  readonly start?: string;
  /** Random, so a compile releases only its own lock. */
  readonly token: string;
}

/** The owner record of a running process on this machine (the compile's own, or a test's stand-in). */
export function lockOwner(pid: number, token = randomBytes(16).toString('hex')): LockOwner {
  const boot = bootId();
  const start = boot === undefined ? undefined : processStart(pid);
  return { pid, host: hostname(), ...(boot !== undefined && start !== undefined ? { boot, start } : {}), token };
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, counted after the command name, which may hold spaces and parentheses. */
function processStart(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's holder is a compile running now. On Linux the boot id and
 * start time must both match and the process must be node: a lock from another
 * machine or boot, or naming a pid that has since died or been reused, or a
 * process that is not node, is stale. Elsewhere, a live pid on
 * this host counts as the holder. A lock that is not a paved lock record is stale.
 */
function holderIsRunning(owner: LockOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return false;
  const boot = bootId();
  if (boot !== undefined) return owner.boot === boot && owner.start !== undefined && processStart(owner.pid) === owner.start && isNodeProcess(owner.pid);
  return isAlive(owner.pid);
}

/**
 * paved runs on Node: a holder whose program is not node (pid 1, a shell, a
 * daemon) is not a compile, whatever a lock written on this machine says.
 * It cannot be narrowed to `paved`: tests and tools call the writer in-process.
 */
function isNodeProcess(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    const program = basename(argv0);
    return program === basename(process.execPath) || /^node[0-9.]*$/.test(program);
  } catch {
    return false;
  }
}

function parseLock(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    if (!value || !Number.isSafeInteger(value.pid) || typeof value.host !== 'string' || typeof value.token !== 'string') return undefined;
    if ((value.boot !== undefined && typeof value.boot !== 'string') || (value.start !== undefined && typeof value.start !== 'string')) return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

/** The lock file as it is now: its text (undefined when absent) and owner, if it is a regular file holding a lock record. */
function readLock(absolute: string): { readonly exists: boolean; readonly text?: string; readonly owner?: LockOwner } {
  const stat = lstatOrUndefined(absolute);
  if (!stat) return { exists: false };
  if (!stat.isFile() || stat.size > 4096) return { exists: true };
  const read = readRegular(absolute, stat);
  return read ? { exists: true, text: read.text, owner: parseLock(read.text) } : { exists: true };
}

/** Runs `action` holding the output directory's lock; waits for a running holder, takes over from any other. */
function withLock<T>(root: string, output: OutputDirectories, disk: Disk, timeoutMs: number, action: () => T): T {
  const dir = join(root, output.dir);
  disk.mkdir(dir);
  const lockPath = `${output.dir}/${LOCK_FILE}`;
  const lock = join(dir, LOCK_FILE);
  const mine = lockOwner(process.pid);
  const record = `${JSON.stringify(mine)}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, CREATE_NEW, 0o644);
      try {
        writeAll(fd, record);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        rmSync(lock, { force: true });
        throw error;
      }
      const held = readLock(lock);
      if (!held.exists) continue;
      if (!holderIsRunning(held.owner)) {
        if (lstatOrUndefined(lock)?.isDirectory()) throw new WriteError(`${lockPath} is a directory; remove it, then compile again`, true);
        // Unlink only what was judged stale: another compile may have just taken over.
        if (readLock(lock).text === held.text) unlinkIfPresent(lock);
        continue;
      }
      if (Date.now() > deadline) throw new WriteError(`another paved compile (pid ${held.owner!.pid}) is writing ${output.dir}; it holds ${lockPath}`, false);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return action();
  } finally {
    if (readLock(lock).owner?.token === mine.token) unlinkIfPresent(lock);
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
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

export interface OwnedFiles {
  readonly entries: ReadonlyMap<string, ManifestEntry & { readonly previousSha256?: string }>;
  /** The last compile stopped before finishing. */
  readonly pending: boolean;
}

/** The last manifest parsed: a compile reads it before planning and again under the lock, usually unchanged. */
let lastManifest: { readonly key: string; readonly text: string; readonly owned: OwnedFiles } | undefined;

export function readManifest(root: string, output: OutputDirectories): OwnedFiles {
  const text = readManifestText(new Resolver(root), output);
  if (text === undefined) return { entries: new Map(), pending: false };
  const key = JSON.stringify([root, output]);
  if (lastManifest?.key === key && lastManifest.text === text) return lastManifest.owned;
  const owned = parseManifest(text, output);
  lastManifest = { key, text, owned };
  return owned;
}

/** The manifest's text, or undefined when there is none; a link or FIFO in its place is refused, never followed. */
function readManifestText(resolver: Resolver, output: OutputDirectories): string | undefined {
  const path = manifestPath(output);
  const found = resolver.read(path);
  if (found instanceof Blocked) throw new WriteError(`${found.at} ${found.what}; paved reads its manifest ${path} only from a real directory`, true);
  if (!('kind' in found)) return found.text;
  if (found.kind === 'other') throw new WriteError(`${path} is ${describeType(found.stat)}, not a regular file; paved will not read it. Restore the manifest from version control or delete it`, true);
  return undefined;
}

function parseManifest(text: string, output: OutputDirectories): OwnedFiles {
  const path = manifestPath(output);
  const owned = new Map<string, ManifestEntry & { previousSha256?: string }>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WriteError(`${path} is not valid JSON; restore it from version control or delete it (paved will then refuse to overwrite files it no longer knows it owns)`, true);
  }
  const entries = (parsed as { files?: unknown } | null)?.files;
  if (!Array.isArray(entries)) throw new WriteError(`${path} has no "files" list; restore it from version control or delete it`, true);
  const refused: string[] = [];
  for (const entry of entries as Array<Partial<PendingEntry> | null>) {
    // A tampered manifest must not let paved read or delete files outside its output directories.
    const problem =
      typeof entry?.path !== 'string' ? 'an entry without a path' : typeof entry.sha256 !== 'string' ? 'an entry without a sha256' : ownablePathProblem(entry.path, output);
    if (problem !== undefined) {
      refused.push(`  ${JSON.stringify(entry?.path)}: ${problem}`);
      continue;
    }
    const previousSha256 = entry!.previousSha256;
    owned.set(entry!.path!, { path: entry!.path!, sha256: entry!.sha256!, source: String(entry!.source ?? ''), ...(typeof previousSha256 === 'string' ? { previousSha256 } : {}) });
  }
  if (refused.length > 0) {
    throw new WriteError(`${path} lists paths paved can never own; it neither reads nor deletes them:\n${refused.join('\n')}\nremove these entries (or restore the manifest from version control), then run paved again`, true);
  }
  return { entries: owned, pending: (parsed as { pending?: unknown }).pending === true };
}

/** Output directories must be real directories inside the root, not links that lead elsewhere. */
function assertOutputDirectories(resolver: Resolver, output: OutputDirectories): void {
  for (const dir of [output.dir, output.workflowsDir]) {
    const segments = dir.split('/');
    if (dir.startsWith('/') || dir.includes('\\') || dir.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new WriteError(`output directory ${JSON.stringify(dir)} must be a relative path inside the repository`, true);
    }
    const parents = resolver.parents(`${dir}/x`);
    if (parents instanceof Blocked) throw new WriteError(`${parents.at} ${parents.what}; paved writes only into real directories inside the repository`, true);
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

/**
 * Temporary file beside the target, then rename: readers see the old or the new
 * file, never half of one. The temporary's name is unpredictable and it is
 * created new (O_EXCL|O_NOFOLLOW), so nothing planted at a temporary name is
 * followed, opened or removed. On any error, including a short write, the
 * temporary is removed and the target keeps its old bytes.
 */
function replaceFile(absolute: string, contents: string, disk: Disk, durable: boolean): void {
  for (let attempt = 1; ; attempt++) {
    const temporary = temporaryPath(absolute);
    try {
      disk.writeFile(temporary, contents, durable);
    } catch (error) {
      // Something already stands at this name: not ours, so left alone; try another name.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        if (attempt < 3) continue;
        throw error;
      }
      rmSync(temporary, { force: true });
      throw error;
    }
    try {
      disk.rename(temporary, absolute);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return;
  }
}

/** `.<name>.paved-<16 hex>.tmp` beside `absolute` (tree.ts `isTemporaryName`). */
function temporaryPath(absolute: string): string {
  return join(dirname(absolute), `.${basename(absolute)}.paved-${randomBytes(8).toString('hex')}.tmp`);
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
  const fd = openSync(path, CREATE_NEW, 0o644);
  try {
    writeAll(fd, contents);
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
  const resolver = new Resolver(root);
  for (const file of files) {
    const segments = file.path.split('/');
    if (file.path.startsWith('/') || file.path.includes('\\') || file.path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new WriteError(`${JSON.stringify(file.path)} is not a plain relative path inside the target directory`, true);
    }
    if (seen.has(file.path)) throw new WriteError(`${file.path} would be written twice`, true);
    seen.add(file.path);
    const leaf = resolver.leaf(file.path);
    if (leaf instanceof Blocked) throw new WriteError(`${leaf.at} ${leaf.what}; paved writes only into real directories inside the repository`, true);
    if (leaf.kind === 'other') throw new WriteError(`${file.path} exists and is not a regular file (${describeType(leaf.stat)}); paved will not replace it`, true);
    if (leaf.kind === 'file') existing.push(file.path);
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
