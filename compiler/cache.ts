import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CACHE_FOLDER, checkRecordFile } from '../spec/layout.js';
import type { OutputDirectories, ResolvedProject, ResolvedService } from '../spec/model.js';
import type { Reuse } from './emit.js';
import { manifestByteLength, manifestPieces, type ManifestEntry } from './write/manifest.js';
import { compareText } from '../spec/pointer.js';
import { lstatOrUndefined, MAX_READ_BYTES, ownablePathProblem, readRegular, Resolver } from './write/resolver.js';
import { shipped } from '../spec/code-root.js';

/**
 * Incremental compiles. A service's files are a function of its resolved model,
 * the models of the services it depends on, the platform and paved itself: emit
 * hands its emitters nothing else (`scopedProject`), and the hash of exactly
 * that project and the build is the service's key.
 * `paved compile` records each key with the size, times and inode of every file
 * whose bytes it verified (written whole, or read and found identical: write/tree.ts
 * `recordBuildCache`), so a file cut short is never vouched for; the next
 * compile skips the emitters of a
 * service whose key is unchanged and whose files are still exactly those. The
 * record is local state of one clone, never output: it lives in the git
 * directory (like git's own index), so no commit can pick it up; outside a git
 * work tree it lives in the root's cache folder (CACHE_FOLDER), which ignores
 * itself. `paved check` emits everything, unless `--base` names a commit whose
 * own passing check left a record (CheckRecord, below).
 */

/** What a file looked like right after paved wrote it; any edit changes its ctime. */
export interface FileStamp {
  readonly sha256: string;
  readonly size: number;
  /** Milliseconds with the file system's sub-millisecond part, as lstat reports them. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface BuildCache {
  /** Identifies the paved build (code and dependency versions) that wrote it. */
  readonly build: string;
  /** Spec path -> the key of its service when last emitted, and the paths its emitters produced. */
  readonly units: Readonly<Record<string, CachedUnit>>;
  readonly files: Readonly<Record<string, FileStamp>>;
}

/** What an incremental compile hands the writer to record (CompileResult.cache). */
export interface CacheRecord {
  /** An absolute path in the git directory or the root's cache folder (buildCacheLocation). */
  readonly location: string;
  readonly build: string;
  readonly units: BuildCache['units'];
  readonly previous?: BuildCache;
}

export interface CachedUnit {
  readonly key: string;
  readonly files: readonly string[];
}

/**
 * The root's cache folder (spec/layout.ts CACHE_FOLDER), for records outside a
 * git work tree and for check records (CheckRecord). It holds a `.gitignore`
 * of `*`, so it ignores itself wherever it is, with no entry in anyone's
 * .gitignore; paved writes only files it names there and deletes nothing.
 */
export { CACHE_FOLDER };

/**
 * Where the record of compiles of `root` into `output` lives: a file in the git
 * directory of the work tree holding `root`, named after the root's place in
 * the work tree and the output directory; outside a git work tree, a file of
 * the root's cache folder named after the output directory. Undefined when the
 * root cannot be resolved.
 */
export function buildCacheLocation(root: string, output: OutputDirectories): string | undefined {
  let top: string;
  try {
    top = realpathSync(root);
  } catch {
    return undefined;
  }
  const start = top;
  const id = (place: string): string =>
    createHash('sha256')
      .update(JSON.stringify([place, output.dir, output.workflowsDir]))
      .digest('hex')
      .slice(0, 16);
  for (;;) {
    const gitDir = gitDirectory(top);
    if (gitDir) return join(gitDir, `paved-cache-${id(relative(top, start))}.json`);
    const parent = dirname(top);
    if (parent === top) return join(start, CACHE_FOLDER, `compile-${id('')}.json`);
    top = parent;
  }
}

/**
 * `.git` as a directory, or as a file pointing at one (worktrees, submodules).
 * A tree that did not come from git (an archive, a download) may hold a `.git`
 * file of anyone's making: its target is taken only when it is a real folder
 * that is a git directory (a HEAD file, and objects or, for a worktree, a
 * commondir), so the record is never written into just any folder it names.
 */
function gitDirectory(dir: string): string | undefined {
  const dotGit = join(dir, '.git');
  try {
    const stat = lstatSync(dotGit);
    if (stat.isDirectory()) return dotGit;
    if (!stat.isFile() || stat.size > MAX_GIT_POINTER_BYTES) return undefined;
    const text = readRegular(dotGit, stat, MAX_GIT_POINTER_BYTES)?.text;
    const pointer = text === undefined ? undefined : /^gitdir: (.+)$/m.exec(text)?.[1]?.trim();
    if (!pointer) return undefined;
    const target = isAbsolute(pointer) ? pointer : resolve(dir, pointer);
    const isGitDirectory =
      lstatOrUndefined(target)?.isDirectory() === true &&
      lstatOrUndefined(join(target, 'HEAD'))?.isFile() === true &&
      (lstatOrUndefined(join(target, 'objects'))?.isDirectory() === true || lstatOrUndefined(join(target, 'commondir'))?.isFile() === true);
    return isGitDirectory ? target : undefined;
  } catch {
    return undefined;
  }
}

/** git writes `gitdir: <path>` and a line break; a path is never longer than this. */
const MAX_GIT_POINTER_BYTES = 4096;

/**
 * A record's text: a regular file in a real folder, opened without following a
 * link (compiler/write/resolver.ts readRegular), and no larger than a string
 * can be. The folder holding it may be the root's cache folder, which a tree
 * can hold anything at. Undefined for anything else, which is never opened.
 */
function readRecordText(location: string): string | undefined {
  if (lstatOrUndefined(dirname(location))?.isDirectory() !== true) return undefined;
  const stat = lstatOrUndefined(location);
  if (stat === undefined || !stat.isFile() || stat.size > MAX_READ_BYTES) return undefined;
  return readRegular(location, stat)?.text;
}

/** The key of a service: the paved build and everything its emitters see (emit.ts `scopedProject`). */
export function serviceKey(build: string, scoped: ResolvedProject): string {
  return createHash('sha256')
    .update(JSON.stringify([build, scoped]))
    .digest('hex');
}

let buildIdentity: string | null | undefined;

/**
 * The identity of this paved build, written by `npm run build` (scripts/build-id.ts)
 * from the compiled code and the locked dependency versions. Without it there is
 * no incremental compile: a key must change whenever paved's output could.
 */
export function pavedBuild(): string | undefined {
  if (buildIdentity === undefined) {
    try {
      buildIdentity = readFileSync(shipped('build-id.txt'), 'utf8').trim() || null;
    } catch {
      buildIdentity = null;
    }
  }
  return buildIdentity ?? undefined;
}

/** The record of the last compile, or undefined when there is none or it cannot be trusted. */
export function readBuildCache(location: string, build: string): BuildCache | undefined {
  let parsed: unknown;
  try {
    const text = readRecordText(location);
    if (text === undefined) return undefined;
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const cache = parsed as Partial<BuildCache> | null;
  if (cache?.build !== build || typeof cache.units !== 'object' || cache.units === null || typeof cache.files !== 'object' || cache.files === null)
    return undefined;
  return cache as BuildCache;
}

export function stampOf(root: string, path: string, sha256: string): FileStamp | undefined {
  try {
    const stat = lstatSync(join(root, path));
    if (!stat.isFile()) return undefined;
    return { sha256, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
  } catch {
    return undefined;
  }
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.sha256 === b.sha256 && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

/**
 * Vouches for the files of a service whose key is the one recorded, when the
 * manifest lists them with the recorded hashes and each file on disk still
 * carries the stamp it had when paved wrote it. The caller passes no manifest
 * entries after an interrupted compile.
 */
export function reuseFromCache(
  root: string,
  cache: BuildCache,
  owned: ReadonlyMap<string, ManifestEntry>,
  keys: ReadonlyMap<ResolvedService, string>,
  sources: ReadonlyMap<ResolvedService, ReadonlySet<string>>,
): Reuse {
  return (service) => {
    // A service's files come from its spec, and a preview's dependency bases from the dependencies' specs, all in its key.
    const allowed = sources.get(service);
    const unit = Object.hasOwn(cache.units, service.specPath) ? cache.units[service.specPath] : undefined;
    if (!unit || unit.key !== keys.get(service) || !Array.isArray(unit.files) || unit.files.length === 0) return undefined;
    const files: ManifestEntry[] = [];
    for (const path of unit.files) {
      const entry = owned.get(path);
      const recorded = Object.hasOwn(cache.files, path) ? cache.files[path] : undefined;
      if (!entry || (entry.source !== service.specPath && !allowed?.has(entry.source)) || !recorded || recorded.sha256 !== entry.sha256) return undefined;
      const current = stampOf(root, path, entry.sha256);
      if (!current || !sameStamp(recorded, current)) return undefined;
      files.push(entry);
    }
    return files;
  };
}

/**
 * What a passing `paved check --record` of a clean git commit leaves for later
 * checks of changes to that commit (`paved check --base <commit>`): the paved
 * build, the output directories, and each service's key with the path and
 * hash of every file the check found exactly as this build emits it. A check
 * anchored on it trusts the commit's generated files only as far as they are
 * still byte for byte those (docs/incremental.md has the argument).
 */
export interface CheckRecord {
  readonly build: string;
  /** The full SHA of the commit the check passed on. */
  readonly commit: string;
  readonly output: OutputDirectories;
  readonly units: Readonly<Record<string, CheckedUnit>>;
  /** Every other file the check planned (repository-wide files, services not recorded): with the units', the manifest's entries. */
  readonly others: readonly ManifestEntry[];
}

export interface CheckedUnit {
  readonly key: string;
  /**
   * Each file with its sha256 and git blob id (both of the bytes this build emitted), and the spec the manifest
   * names as its source: the unit's own, or a dependency's for a preview's dependency base.
   */
  readonly files: readonly CheckedFile[];
}

export interface CheckedFile {
  readonly path: string;
  readonly sha256: string;
  readonly blob: string;
  readonly source: string;
}

/** The check record of `commit` in the root's cache folder. */
export function checkRecordLocation(root: string, commit: string): string {
  return join(root, CACHE_FOLDER, checkRecordFile(commit));
}

/** The record a check of `commit` left, when it was made by this build and is well formed; else undefined. */
export function readCheckRecord(root: string, commit: string, build: string): CheckRecord | undefined {
  const location = checkRecordLocation(root, commit);
  let parsed: unknown;
  try {
    const text = readRecordText(location);
    if (text === undefined) return undefined;
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = parsed as Partial<CheckRecord> | null;
  if (record?.build !== build || record.commit !== commit || typeof record.units !== 'object' || record.units === null) return undefined;
  if (typeof record.output?.dir !== 'string' || typeof record.output.workflowsDir !== 'string') return undefined;
  const entry = (f: Partial<CheckedFile> | null): boolean => typeof f?.path === 'string' && typeof f.sha256 === 'string' && typeof f.source === 'string';
  const wellFormed =
    Array.isArray(record.others) &&
    record.others.every(entry) &&
    Object.values(record.units).every(
      (u: Partial<CheckedUnit> | null) => typeof u?.key === 'string' && Array.isArray(u.files) && u.files.every((f) => entry(f) && typeof f.blob === 'string'),
    );
  return wellFormed ? (record as CheckRecord) : undefined;
}

/**
 * The base commit's manifest entries as the record lists them (its units' files
 * and the others), when the manifest those entries render to is, byte for byte,
 * the blob the base commit holds (`manifestBlob`, its git object name): then
 * every recorded hash and source is the base's own, and the base's manifest need
 * not be read from git. Undefined otherwise (a record that lists a path twice,
 * misses one, or was forged), and the caller reads the base's manifest. The
 * same proof as a kept file's: git's blob id of the bytes.
 */
export function recordedManifest(record: CheckRecord, manifestBlob: string | undefined): ReadonlyMap<string, ManifestEntry> | undefined {
  if (manifestBlob === undefined) return undefined;
  const entries = new Map<string, ManifestEntry>();
  const add = (file: ManifestEntry): boolean => {
    // As parseManifest reads the base's manifest: a path paved can never own makes it unreadable.
    if (entries.has(file.path) || ownablePathProblem(file.path, record.output) !== undefined) return false;
    entries.set(file.path, file);
    return true;
  };
  for (const unit of Object.values(record.units)) for (const file of unit.files) if (!add(file)) return undefined;
  for (const file of record.others) if (!add(file)) return undefined;
  const sorted = [...entries.values()].sort((a, b) => compareText(a.path, b.path));
  // Hashed piece by piece, so the text is never whole; the blob header's length is counted without rendering.
  const hash = createHash('sha1').update(`blob ${manifestByteLength(sorted)}\0`);
  for (const piece of manifestPieces(sorted, false)) hash.update(piece);
  return hash.digest('hex') === manifestBlob ? entries : undefined;
}

/**
 * Vouches for the files of a service whose key is the one the base's check
 * recorded, when every file it recorded is the very blob the base commit holds
 * at its path, as the record says, is listed by the base's manifest with the
 * recorded hash and source, and is on disk as a regular file with exactly that
 * blob's bytes. That the record left none out is checked once the compile has
 * planned everything (recordLeftOut). Git's index proves the bytes without
 * reading them (Anchor.clean); a file git cannot vouch for is read and hashed
 * (sha256 and blob id). No stamp, no manifest entry of the working tree is
 * taken on trust. Anything else is emitted again and checked in full.
 */
export function reuseFromCheckRecord(
  root: string,
  anchor: Anchor,
  keys: ReadonlyMap<ResolvedService, string>,
  sources: ReadonlyMap<ResolvedService, ReadonlySet<string>>,
): Reuse {
  const { record, baseKeys, baseBlob, baseManifest, clean } = anchor;
  const resolver = new Resolver(root);
  return (service) => {
    const unit = Object.hasOwn(record.units, service.specPath) ? record.units[service.specPath] : undefined;
    const key = keys.get(service);
    if (!unit || unit.key !== key || baseKeys.get(service.specPath) !== key || unit.files.length === 0) return undefined;
    const files: ManifestEntry[] = [];
    for (const { path, sha256: recorded, blob: recordedBlob, source } of unit.files) {
      // Only paths the base commit holds in its output folders are ever read: a record names nothing else.
      const blob = baseBlob(path);
      if (blob === undefined || recordedBlob !== blob) return undefined;
      // The source too is held to what the key covers: the service's own spec or one in its scope (a preview's dependency).
      if (source !== service.specPath && !sources.get(service)?.has(source)) return undefined;
      // The hash planned for a file comes from the base commit, which passed the check, never from the record alone.
      const listed = baseManifest.get(path);
      if (listed === undefined || listed.sha256 !== recorded || listed.source !== source) return undefined;
      if (clean?.get(path) !== blob && !provenByBytes(resolver, path, blob, recorded)) return undefined;
      files.push({ path, sha256: recorded, source });
    }
    return files;
  };
}

/**
 * The file is a regular file, reached through no link (so nothing outside the
 * repository is read), whose bytes hash to the recorded sha256 and to the
 * base's blob id.
 */
function provenByBytes(resolver: Resolver, path: string, blob: string, sha256: string): boolean {
  try {
    const bytes = resolver.bytes(path);
    return bytes !== undefined && createHash('sha256').update(bytes).digest('hex') === sha256 && gitBlobId(bytes) === blob;
  } catch {
    return false;
  }
}

/**
 * A check record as `paved check --base` uses it, held to the base commit
 * itself: a service is kept only when its key is also the one the base's own
 * specs have (`baseKeys`, computed now by this build), and each file is the
 * very blob the base commit holds at its path (`baseBlob`, git object names
 * from the base's tree). So a record, wherever it came from, vouches for
 * nothing the base commit does not hold.
 */
export interface Anchor {
  readonly record: CheckRecord;
  /** Spec path -> the key of that service in the base revision, under this build. */
  readonly baseKeys: ReadonlyMap<string, string>;
  /** The git blob id the base commit holds at a repo-root-relative path (as the manifest names it) of the output folders; undefined elsewhere. */
  readonly baseBlob: (path: string) => string | undefined;
  /**
   * The base commit's own manifest (cli/anchor.ts): every file a kept service
   * plans is listed there with the recorded hash and source, and every file it
   * lists whose source a kept service covers is planned (recordLeftOut).
   */
  readonly baseManifest: ReadonlyMap<string, ManifestEntry>;
  /**
   * Git's word on the work tree, when git can give it: each path of the output
   * folders whose bytes git vouches are its index blob, with that blob id
   * (cli/git-index.ts). A kept file git does not vouch for is read and hashed.
   */
  readonly clean?: ReadonlyMap<string, string>;
}

/**
 * A base manifest entry that no file of the compile plans although its source
 * is one a kept service covers (its own spec, or a dependency's for a preview),
 * or undefined. A key emits a fixed set of files, and the record lists them; a
 * record that leaves one out (forged, or a poisoned cache) would leave it
 * unplanned, and a change deleting it with its manifest entry would pass. The
 * caller then checks in full. A service the change emits again may drop a
 * file of a kept dependency's (it no longer lists it in `dependsOn`): that too
 * is checked in full.
 */
export function recordLeftOut(
  baseManifest: ReadonlyMap<string, ManifestEntry>,
  covered: ReadonlySet<string>,
  planned: ReadonlySet<string>,
): ManifestEntry | undefined {
  for (const entry of baseManifest.values()) if (covered.has(entry.source) && !planned.has(entry.path)) return entry;
  return undefined;
}

/** The name git gives a blob of these bytes (SHA-1 object ids, as `git hash-object` prints them). */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}
