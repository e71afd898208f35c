import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedFile } from '../../spec/emitter.js';
import { layout } from '../../spec/layout.js';
import type { OutputDirectories } from '../../spec/model.js';
import { stampOf, type BuildCache, type CacheRecord, type FileStamp } from '../cache.js';
import { prepareCacheFolder } from './cache-folder.js';
import { compareText } from '../../spec/pointer.js';
import { realDisk, removeEmptyParents, replaceFileInPieces, writeAtomic, writeAtomicInPieces, writeTemporary, type Disk } from './disk.js';
import { WriteError } from './errors.js';
import { assertOutputDirectories } from './inspect.js';
import { acquireLock } from './lock.js';
import {
  journalLines,
  manifestPieces,
  pendingManifestPieces,
  ownedFiles,
  readManifestText,
  renderJournalHead,
  sha256,
  type ManifestEntry,
  type OwnedFiles,
} from './manifest.js';
import { jsonObjectPieces, matchesPieces } from './pieces.js';
import {
  Blocked,
  blockedReason,
  describeType,
  listedReason,
  lstatOrUndefined,
  pathProblem,
  refusal,
  Resolver,
  unlistedEntries,
  type UnlistedEntry,
} from './resolver.js';
import { append } from '../../spec/append.js';

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
 * Brings the disk to the planned tree in one go: the in-memory callers' writer
 * (tests, tools). `paved compile` streams the same writer service by service.
 */
export function writeTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[], options: WriteOptions = {}): WriteReport {
  const writer = new TreeWriter(root, options).open(output);
  writer.stage(files);
  return writer.commit(options.kept ?? [], options.cache);
}

/** A planned file as the writer keeps it once its bytes are on disk: `size` is absent for a file an incremental compile kept. */
export interface StagedEntry extends ManifestEntry {
  readonly size?: number;
}

/**
 * Brings the disk to the planned tree as files arrive, all or nothing.
 *
 * `stage` takes one service's files (after its policy passed) and puts each
 * where it can be undone: a path that holds no file is created in place with an
 * exclusive create (O_EXCL), claimed first in the pending manifest's journal
 * (manifest.ts JOURNAL_HEAD); a file paved owns whose bytes change goes to a
 * temporary file beside it; unchanged files are not touched. Only paths, hashes
 * and sizes are kept. `commit` checks the whole plan (files in the way, links,
 * orphans), then writes the whole pending manifest, renames the temporaries
 * into place, deletes owned files no longer planned and writes the manifest.
 * Any problem before that, or `abort` (a compile error in a later service),
 * rolls back: created files and folders and temporaries are removed and the
 * manifest restored, so the tree is exactly as before. A kill at any moment
 * leaves every file in its old version or claimed by the pending manifest
 * (a file created in place may be cut short by it); the next compile converges.
 *
 * Problems found while staging are kept for `commit`, which reports them as
 * writeTree always has, once the compile itself has no error to report.
 * Concurrent compiles of one tree are serialized by a lock file, held from
 * `open` to the commit or the rollback.
 */
export class TreeWriter {
  private readonly disk: Disk;
  private readonly resolver: Resolver;
  private output?: OutputDirectories;
  private release?: () => void;
  private closed = false;
  /** The first error met (a disk error, a lock or manifest problem): thrown by `commit` after the rollback. */
  private failure?: { readonly error: unknown };
  private previous: OwnedFiles = { entries: new Map(), pending: false };
  /** The manifest's text before this compile, restored by a rollback; undefined when there was none. */
  private manifestText?: string;
  private journal = false;
  private readonly staged: StagedEntry[] = [];
  private readonly folded = new Set<string>();
  private readonly created: string[] = [];
  private readonly replaced: Array<{ readonly path: string; readonly temporary: string }> = [];
  /** Folders made for created files (outermost first), and those the lock's folder needed. */
  private readonly madeDirectories: string[] = [];
  private madeAbove: string[] = [];
  private readonly verified = new Map<string, FileStamp>();
  /** Entries under the output folders the previous manifest does not list, found at `open`. */
  private unlisted: readonly UnlistedEntry[] = [];
  private unchanged = 0;
  private readonly unowned: string[] = [];
  private readonly refused: Array<{ readonly path: string; readonly text: string }> = [];
  private readonly blocked = new Map<string, Blocked>();
  /** Paths no writer may take (outside the output folders, or planned twice): the compile reports them as EMIT.BAD_PATH or EMIT.COLLISION. */
  private readonly misplanned: string[] = [];

  constructor(
    readonly root: string,
    private readonly options: Omit<WriteOptions, 'kept' | 'cache'> = {},
  ) {
    this.disk = options.disk ?? realDisk;
    this.resolver = new Resolver(root);
  }

  /** Takes the lock of `output` and reads its manifest; a problem is kept for `commit`. */
  open(output: OutputDirectories): this {
    if (this.output) return this;
    this.output = output;
    this.attempt(() => {
      assertOutputDirectories(this.resolver, output);
      this.madeAbove = missingDirectories(this.root, output.dir);
      this.release = acquireLock(this.root, output, this.disk, this.options.lockTimeoutMs ?? LOCK_WAIT_MS);
      this.resolver.forget();
      this.manifestText = readManifestText(this.resolver, output);
      this.previous = ownedFiles(this.root, output, this.manifestText);
      // One walk of the tree serves the compile: under the lock, nothing but this writer changes it.
      const owned = this.previous.entries;
      this.unlisted = unlistedEntries(this.resolver, output, (path) => owned.has(path));
      // Temporary files are paved's by name (and the lock says no other compile is writing): a killed compile left them.
      for (const leftover of this.unlisted) if (leftover.temporary) this.disk.unlink(join(this.root, leftover.path));
    });
    return this;
  }

  /** Puts `files` on disk where a rollback can undo them (see the class); returns their entries, which is all that is kept of them. */
  stage(files: readonly GeneratedFile[]): StagedEntry[] {
    const entries = files.map((f) => ({ path: f.path, sha256: sha256(f.contents), source: f.source, size: Buffer.byteLength(f.contents, 'utf8') }));
    append(this.staged, entries);
    if (this.output && !this.closed) this.attempt(() => this.place(files, entries));
    return entries;
  }

  private place(files: readonly GeneratedFile[], entries: readonly StagedEntry[]): void {
    const output = this.output!;
    const creates: number[] = [];
    const replaces: number[] = [];
    for (const [i, file] of files.entries()) {
      const folded = file.path.toLowerCase();
      if (pathProblem(file.path, [output.dir, output.workflowsDir]) !== undefined || this.folded.has(folded)) {
        this.misplanned.push(file.path);
        continue;
      }
      this.folded.add(folded);
      const found = this.resolver.read(file.path);
      if (found instanceof Blocked) this.blocked.set(found.at, found);
      else if ('kind' in found) {
        if (found.kind === 'other')
          this.refused.push({
            path: file.path,
            text: `${file.path} exists and is not a regular file (${describeType(found.stat)}); paved will not replace it`,
          });
        else creates.push(i);
      } else if (found.text === file.contents) {
        this.unchanged++;
        // The stamp of the very file read (fstat before the read): any later change shows in its ctime.
        const { size, mtimeMs, ctimeMs, ino } = found.stat;
        this.verified.set(file.path, { sha256: entries[i]!.sha256, size, mtimeMs, ctimeMs, ino });
      } else if (!this.previous.entries.has(file.path)) this.unowned.push(file.path);
      else replaces.push(i);
    }
    // Once anything is in the way the compile cannot commit: look at the rest, write nothing more.
    if (this.unowned.length + this.refused.length + this.blocked.size + this.misplanned.length > 0) return;
    if (creates.length > 0) {
      const manifest = join(this.root, layout.manifest(output));
      if (!this.journal) {
        writeAtomic(this.root, layout.manifest(output), renderJournalHead(this.previous.entries.values()), this.disk, true);
        this.journal = true;
      }
      // Claimed before created: a kill between the two leaves a claim on nothing, which the next compile drops.
      this.disk.append(manifest, journalLines(creates.map((i) => entries[i]!)), false);
    }
    for (const i of creates) {
      const { path, contents } = files[i]!;
      this.makeParents(path);
      const absolute = join(this.root, path);
      try {
        this.disk.writeFile(absolute, contents);
      } catch (error) {
        // What the exclusive create made is ours; whatever stood there first (EEXIST) is not.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(absolute, { force: true });
        throw error;
      }
      this.created.push(path);
    }
    for (const i of replaces) {
      const { path, contents } = files[i]!;
      this.replaced.push({ path, temporary: writeTemporary(join(this.root, path), contents, this.disk, false) });
    }
  }

  /** Makes the missing folders above `path`, remembering them for a rollback. */
  private makeParents(path: string): void {
    const segments = path.split('/');
    let relative = '';
    for (let i = 0; i < segments.length - 1; i++) {
      relative = i === 0 ? segments[0]! : `${relative}/${segments[i]}`;
      if (this.resolver.parents(`${relative}/x`) === true) continue;
      this.disk.mkdir(join(this.root, relative));
      this.madeDirectories.push(relative);
      this.resolver.made(relative);
    }
  }

  /**
   * Checks the whole plan, staged and `kept`, against the disk; then writes it
   * (see the class) or, on any problem, rolls back and throws it.
   */
  commit(kept: readonly ManifestEntry[] = [], cache?: CacheRecord): WriteReport {
    const output = this.output;
    if (!output || this.closed) throw new Error('TreeWriter.commit: not open, or already committed or rolled back');
    let orphans: string[];
    let entries: StagedEntry[];
    let unlisted: UnlistedEntry[];
    try {
      if (this.failure) throw this.failure.error;
      ({ orphans, entries } = this.plan(output, kept));
      const planned = new Set(entries.map((e) => e.path));
      // What the walk at `open` found that nobody owns, less what this compile plans; leftover temporaries went then.
      unlisted = this.unlisted.filter((u) => !u.temporary && !planned.has(u.path));
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.closed = true;
    try {
      const manifest = layout.manifest(output);
      const finalManifest = (): Generator<string> => manifestPieces(entries, false);
      if (
        this.created.length === 0 &&
        this.replaced.length === 0 &&
        orphans.length === 0 &&
        !this.journal &&
        matchesPieces(this.manifestText, finalManifest())
      ) {
        if (cache) recordBuildCache(this.root, this.verified, entries, new Set(), cache, this.disk);
        return { written: [], deleted: [], unchanged: this.unchanged, unlisted };
      }
      const written = [...this.created, ...this.replaced.map((r) => r.path)].sort(compareText);
      const rewritten = new Set(written);
      // The point of no return. Until the last step the manifest is marked pending and claims old and new
      // files with both hashes, so an interrupted compile leaves every file in its old or new version, owned,
      // and recognized as such; the next compile converges. Only the manifest is flushed to disk: generated
      // files are atomic against a killed process (rename) or claimed before created, and can always be
      // regenerated; an fsync per file made a compile of a few hundred files take seconds.
      writeAtomicInPieces(
        this.root,
        manifest,
        pendingManifestPieces(entries, this.previous.entries, (path) => rewritten.has(path)),
        this.disk,
        true,
      );
      this.renameAll();
      for (const path of orphans) {
        this.disk.unlink(join(this.root, path));
        removeEmptyParents(this.root, path, output, this.disk);
      }
      writeAtomicInPieces(this.root, manifest, finalManifest(), this.disk, true);
      if (cache) recordBuildCache(this.root, this.verified, entries, rewritten, cache, this.disk);
      return { written, deleted: orphans, unchanged: this.unchanged, unlisted };
    } finally {
      this.release?.();
    }
  }

  /** Renames the temporaries into place in path order; on a failure the rest are removed (the pending manifest covers the tree). */
  private renameAll(): void {
    const replaced = [...this.replaced].sort((a, b) => compareText(a.path, b.path));
    let done = 0;
    try {
      for (const { path, temporary } of replaced) {
        this.disk.rename(temporary, join(this.root, path));
        done++;
        if (this.options.progress && done % PROGRESS_EVERY === 0) this.options.progress(done, replaced.length);
      }
    } finally {
      for (const { temporary } of replaced.slice(done)) rmSync(temporary, { force: true });
    }
  }

  /** Every planned entry in path order and the owned files no longer planned; throws what stands in the way. */
  private plan(output: OutputDirectories, kept: readonly ManifestEntry[]): { orphans: string[]; entries: StagedEntry[] } {
    const manifest = layout.manifest(output);
    for (const file of kept) {
      const parents = this.resolver.parents(file.path);
      if (parents instanceof Blocked) this.blocked.set(parents.at, parents);
      else this.unchanged++;
    }
    const entries: StagedEntry[] = [...this.staged, ...kept.map(({ path, sha256, source }) => ({ path, sha256, source }))].sort((a, b) =>
      compareText(a.path, b.path),
    );
    const planned = new Set(entries.map((e) => e.path));
    const refused = [...this.refused].sort((a, b) => compareText(a.path, b.path)).map((r) => r.text);
    for (const blocked of [...this.blocked.values()].sort((a, b) => compareText(a.at, b.at))) {
      refused.push(blockedReason(blocked));
    }
    const orphans: string[] = [];
    for (const path of [...this.previous.entries.keys()].sort(compareText)) {
      if (planned.has(path)) continue;
      // An entry through a link could name /elsewhere/file or /proc/self/environ: never read, never deleted.
      const found = this.resolver.leaf(path);
      if (found instanceof Blocked) refused.push(listedReason(manifest, path, found));
      else if (found.kind === 'file') orphans.push(path);
      else if (found.kind === 'other') refused.push(listedReason(manifest, path, found));
    }
    if (refused.length > 0) throw refusal(refused, manifest);
    if (this.unowned.length > 0) {
      const list = [...this.unowned]
        .sort(compareText)
        .map((path) => `  ${path}`)
        .join('\n');
      throw new WriteError(
        `these files are in the way and paved does not own them (they are not in ${manifest}):\n${list}\nmove or delete them, then compile again`,
        true,
      );
    }
    // The compile reports these (EMIT.BAD_PATH, EMIT.COLLISION) and never commits them: a caller that does is wrong.
    if (this.misplanned.length > 0) throw new Error(`TreeWriter: planned outside the output folders or twice: ${this.misplanned.join(', ')}`);
    return { orphans, entries };
  }

  /** Rolls back whatever was staged, unless committed: the compile failed (a no-op after `commit`). */
  abort(): void {
    this.rollback();
  }

  private rollback(): void {
    if (this.closed) return;
    this.closed = true;
    let clean = true;
    const quietly = (step: () => void): boolean => {
      try {
        step();
        return true;
      } catch {
        return false;
      }
    };
    for (const path of [...this.created].reverse()) clean = quietly(() => this.disk.unlink(join(this.root, path))) && clean;
    for (const { temporary } of this.replaced) quietly(() => rmSync(temporary, { force: true }));
    for (const dir of [...this.madeDirectories].reverse()) quietly(() => this.disk.rmdir(join(this.root, dir)));
    // A created file still there is claimed by the journal only: the pending manifest stays, and the next compile converges.
    if (this.journal && clean && this.output) {
      const manifest = layout.manifest(this.output);
      quietly(() =>
        this.manifestText === undefined ? this.disk.unlink(join(this.root, manifest)) : writeAtomic(this.root, manifest, this.manifestText, this.disk, true),
      );
    }
    if (this.release) quietly(this.release);
    for (const dir of [...this.madeAbove].reverse()) quietly(() => this.disk.rmdir(join(this.root, dir)));
  }

  private attempt(step: () => void): void {
    if (this.failure) return;
    try {
      step();
    } catch (error) {
      this.failure = { error };
    }
  }
}

/** The folders of `dir` (a repo-relative path) that do not exist yet, outermost first. */
function missingDirectories(root: string, dir: string): string[] {
  const missing: string[] = [];
  let relativeDir = '';
  for (const segment of dir.split('/')) {
    relativeDir = relativeDir === '' ? segment : `${relativeDir}/${segment}`;
    if (missing.length > 0 || lstatOrUndefined(join(root, relativeDir)) === undefined) missing.push(relativeDir);
  }
  return missing;
}

/**
 * Records, for the next incremental compile, each service's key and the stamp
 * of every file as it is now (see compiler/cache.ts). Kept files keep the stamp
 * they were verified against. Not flushed: a lost record only costs a full compile.
 */
function recordBuildCache(
  root: string,
  verified: ReadonlyMap<string, FileStamp>,
  entries: readonly StagedEntry[],
  rewritten: ReadonlySet<string>,
  cache: CacheRecord,
  disk: Disk,
): void {
  const kept = entries.filter((e) => e.size === undefined).length;
  const unitFiles = Object.values(cache.units).reduce((n, unit) => n + unit.files.length, 0);
  // Every service reused as recorded: the record stands as it is.
  if (rewritten.size === 0 && kept === unitFiles && cache.previous && sameUnits(cache.previous.units, cache.units)) return;
  function* stamps(): Generator<readonly [string, FileStamp]> {
    for (const entry of entries) {
      const stamp = entry.size === undefined ? keptStamp(cache, entry) : rewritten.has(entry.path) ? writtenStamp(root, entry) : verified.get(entry.path);
      if (stamp) yield [entry.path, stamp];
    }
  }
  // JSON.stringify of a BuildCache, stamped as it is written.
  function* record(): Generator<string> {
    yield `{"build":${JSON.stringify(cache.build)},"units":`;
    yield* jsonObjectPieces(Object.entries(cache.units));
    yield ',"files":';
    yield* jsonObjectPieces(stamps());
    yield '}';
  }
  try {
    if (prepareCacheFolder(cache.location)) replaceFileInPieces(cache.location, record(), disk, false);
  } catch {
    // The tree is written; a record that cannot be (a read-only .git) only makes the next compile a full one.
  }
}

/** A kept file keeps the stamp it was verified against (cache.ts `reuseFromCache`); without one, it is not vouched for. */
function keptStamp(cache: CacheRecord, entry: ManifestEntry): FileStamp | undefined {
  const old = cache.previous && Object.hasOwn(cache.previous.files, entry.path) ? cache.previous.files[entry.path] : undefined;
  return old && old.sha256 === entry.sha256 ? old : undefined;
}

/**
 * The stamp of a file just written whole (writeAll): recorded only if the file
 * there now has the byte length of what was written, so a file cut short by
 * anything is never vouched for and is emitted again next time.
 */
function writtenStamp(root: string, entry: StagedEntry): FileStamp | undefined {
  const stamp = stampOf(root, entry.path, entry.sha256);
  return stamp && stamp.size === entry.size ? stamp : undefined;
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
