import type { GeneratedFile } from '../../spec/emitter.js';
import { layout } from '../../spec/layout.js';
import type { OutputDirectories } from '../../spec/model.js';
import { gitBlobId } from '../cache.js';
import { WriteError } from './errors.js';
import { compareText } from '../../spec/pointer.js';
import { manifestPieces, ownedFiles, readManifest, readManifestText, sha256, type ManifestEntry, type OwnedFiles } from './manifest.js';
import { matchesPieces } from './pieces.js';
import { Blocked, blockedReason, describeType, listedReason, refusal, relativePathProblem, Resolver, unlistedEntries, type UnlistedEntry } from './resolver.js';
import { append } from '../../spec/append.js';

/** How the tree on disk differs from the planned one: what `paved check` reports and the writer acts on. Reads only. */

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

/**
 * Compares the planned tree with the disk in one go: the in-memory callers' inspection (tests, tools);
 * `paved check` streams the same TreeInspector. Reads only: regular files reached without a link, and the
 * folders' listings. `kept`: files a check anchored on a base's record found with exactly the recorded bytes
 * (cache.ts reuseFromCheckRecord).
 */
export function inspectTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[], kept: readonly ManifestEntry[] = []): TreeState {
  const inspector = new TreeInspector(root).open(output);
  inspector.stage(files);
  return inspector.finish(kept);
}

/** A planned file as the inspector keeps it: with its git blob id when a check record is to be written. */
export interface InspectedEntry extends ManifestEntry {
  readonly blob?: string;
}

/**
 * inspectTree as the files arrive: `paved check` streams each service's files
 * here (a FileSink, compiler/emit.ts) once its policy passed, and only their
 * entries and the differences are kept, not every text until the end.
 *
 * Every path read is resolved without following a link; one that goes through a
 * link, or names something other than a regular file, stops the whole check
 * (at `finish`, as do problems with the output folders found at `open`). Kept
 * files were verified against their stamps by the compile that kept them; they
 * count as unchanged once no link stands above them.
 */
export class TreeInspector {
  private readonly resolver: Resolver;
  private output?: OutputDirectories;
  private failure?: { readonly error: unknown };
  private manifestText?: string;
  /** The manifest's entries, parsed when first needed: never, when the manifest is byte for byte the planned one. */
  private ownedEntries?: OwnedFiles['entries'];
  private readonly staged: InspectedEntry[] = [];
  private readonly differences: Difference[] = [];
  private readonly blocked = new Map<string, Blocked>();
  /** Planned paths that are not regular files, with the reason. */
  private readonly notFiles: Array<{ readonly path: string; readonly text: string }> = [];
  private unchanged = 0;

  /** `blobs`: keep each file's git blob id, for `check --record` (check-record.ts). */
  constructor(
    root: string,
    private readonly options: { readonly blobs?: boolean } = {},
  ) {
    this.resolver = new Resolver(root);
  }

  /** Checks the output folders and reads the manifest; a problem is kept for `finish`. */
  open(output: OutputDirectories): this {
    if (this.output) return this;
    this.output = output;
    try {
      assertOutputDirectories(this.resolver, output);
      // Read once: \`finish\` compares the planned manifest with the same text.
      this.manifestText = readManifestText(this.resolver, output);
    } catch (error) {
      this.failure = { error };
    }
    return this;
  }

  /** Compares `files` with the disk; returns their entries, which is all that is kept of a file on disk as planned. */
  stage(files: readonly GeneratedFile[]): InspectedEntry[] {
    const entries = files.map((f) => {
      const entry = { path: f.path, sha256: sha256(f.contents), source: f.source };
      return this.options.blobs ? { ...entry, blob: gitBlobId(Buffer.from(f.contents, 'utf8')) } : entry;
    });
    append(this.staged, entries);
    for (const file of files) {
      if (!this.output || this.failure) break;
      this.compare(file);
    }
    return entries;
  }

  private compare(file: GeneratedFile): void {
    const found = this.resolver.read(file.path);
    if (found instanceof Blocked) {
      this.blocked.set(found.at, found);
      return;
    }
    if ('kind' in found) {
      if (found.kind === 'other')
        this.notFiles.push({ path: file.path, text: `${file.path} exists and is not a regular file (${describeType(found.stat)}); paved will not replace it` });
      else this.differences.push({ path: file.path, kind: 'missing', expected: file.contents });
      return;
    }
    const actual = found.text;
    // Identical bytes are adopted: that is what a lost manifest looks like.
    if (actual === file.contents) {
      this.unchanged++;
      return;
    }
    let owned: OwnedFiles['entries'];
    try {
      owned = this.owned();
    } catch (error) {
      // A manifest paved refuses: `finish` throws why.
      this.failure = { error };
      return;
    }
    const entry = owned.get(file.path);
    if (!entry) this.differences.push({ path: file.path, kind: 'unowned', expected: file.contents, actual });
    // After an interrupted compile a file may still hold its previous version: stale, not edited.
    else {
      const hash = sha256(actual);
      const kind = hash !== entry.sha256 && hash !== entry.previousSha256 ? 'edited' : 'stale';
      this.differences.push({ path: file.path, kind, expected: file.contents, actual });
    }
  }

  /** The manifest's entries; throws when paved refuses the manifest (manifest.ts parseManifest). */
  private owned(): OwnedFiles['entries'] {
    this.ownedEntries ??= ownedFiles(this.resolver.root, this.output!, this.manifestText).entries;
    return this.ownedEntries;
  }

  /** The entries of every file staged. */
  get emitted(): readonly InspectedEntry[] {
    return this.staged;
  }

  /** The tree's state, with the files `kept` planned too; throws what stands in the way. */
  finish(kept: readonly ManifestEntry[] = []): TreeState {
    const output = this.output;
    if (!output) throw new Error('TreeInspector.finish: not open');
    if (this.failure) throw this.failure.error;
    const manifest = layout.manifest(output);
    const entries = [...this.staged, ...kept].sort((a, b) => compareText(a.path, b.path));
    const planned = new Set(entries.map((e) => e.path));
    const manifestCurrent = matchesPieces(this.manifestText, manifestPieces(entries, false));
    // The planned manifest lists only planned files, so it need not be parsed.
    const owned = manifestCurrent ? new Map<string, ManifestEntry>() : this.owned();
    // Walked first: the directories it finds real are known to the resolver, which then need no lstat for the kept files below.
    const unlisted = unlistedEntries(this.resolver, output, (path) => planned.has(path) || owned.has(path));
    for (const file of kept) {
      const parents = this.resolver.parents(file.path);
      if (parents instanceof Blocked) this.blocked.set(parents.at, parents);
      else this.unchanged++;
    }
    // Files arrive as services finish: reported in path order, as a compile plans them.
    const differences = [...this.differences].sort((a, b) => compareText(a.path, b.path));
    const refused = [...this.notFiles].sort((a, b) => compareText(a.path, b.path)).map((r) => r.text);
    for (const blocked of [...this.blocked.values()].sort((a, b) => compareText(a.at, b.at))) {
      refused.push(blockedReason(blocked));
    }
    for (const path of [...owned.keys()].sort(compareText)) {
      if (planned.has(path)) continue;
      // An entry through a link could name /elsewhere/file or /proc/self/environ: never read, never deleted.
      const found = this.resolver.read(path);
      if (found instanceof Blocked) refused.push(listedReason(manifest, path, found));
      else if (!('kind' in found)) differences.push({ path, kind: 'orphaned', actual: found.text });
      else if (found.kind === 'other') refused.push(listedReason(manifest, path, found));
    }
    if (refused.length > 0) throw refusal(refused, manifest);
    return { differences, unlisted, manifestCurrent, unchanged: this.unchanged };
  }
}

/** The files under the output directories that neither the manifest nor `files` claims: for `paved diff`. */
export function unlistedFiles(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): UnlistedEntry[] {
  const resolver = new Resolver(root);
  assertOutputDirectories(resolver, output);
  const owned = readManifest(root, output).entries;
  const planned = new Set(files.map((f) => f.path));
  return unlistedEntries(resolver, output, (path) => planned.has(path) || owned.has(path));
}

/** Output directories must be real directories inside the root, not links that lead elsewhere. */
export function assertOutputDirectories(resolver: Resolver, output: OutputDirectories): void {
  for (const dir of [output.dir, output.workflowsDir]) {
    if (relativePathProblem(dir) !== undefined) {
      throw new WriteError(`output directory ${JSON.stringify(dir)} must be a relative path inside the repository`, true);
    }
    const parents = resolver.parents(`${dir}/x`);
    if (parents instanceof Blocked) throw new WriteError(blockedReason(parents), true);
  }
}
