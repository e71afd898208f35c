import type { GeneratedFile } from '../../spec/emitter.js';
import { layout } from '../../spec/layout.js';
import type { OutputDirectories } from '../../spec/model.js';
import { type FileStamp } from '../cache.js';
import { WriteError } from './errors.js';
import { compareText } from '../../spec/pointer.js';
import { manifestPieces, plannedEntries, readManifest, readManifestText, sha256, type ManifestEntry, type PlannedEntry } from './manifest.js';
import { matchesPieces } from './pieces.js';
import { Blocked, describeType, relativePathProblem, Resolver, unlistedEntries, type UnlistedEntry } from './resolver.js';

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
 * Compares the planned tree with the disk. Reads only: regular files reached without a link, and the folders' listings.
 * `kept`: files a check anchored on a base's record found with exactly the recorded bytes (cache.ts reuseFromCheckRecord).
 */
export function inspectTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[], kept: readonly ManifestEntry[] = []): TreeState {
  const resolver = new Resolver(root);
  assertOutputDirectories(resolver, output);
  const { differences, unlisted, manifestCurrent, unchanged } = inspectEntries(resolver, output, plannedEntries(files, kept));
  return { differences, unlisted, manifestCurrent, unchanged };
}

/**
 * Kept files were verified against their stamps by the compile that kept them;
 * they count as unchanged once no link stands above them. Every path read or
 * later written or deleted is resolved here, and any that goes through a link,
 * or names something other than a regular file, stops the whole operation.
 */
export function inspectEntries(resolver: Resolver, output: OutputDirectories, entries: readonly PlannedEntry[]): InspectedTree {
  const manifest = layout.manifest(output);
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
    else if (found.kind === 'other')
      refused.push(`${manifest} lists ${path}, but it is ${describeType(found.stat)}, not a regular file; paved will neither read nor delete it`);
  }
  if (refused.length > 0) {
    throw new WriteError(
      `refused: paved follows no symbolic link, and reads, replaces or deletes only regular files:\n${refused.map((r) => `  ${r}`).join('\n')}\nremove what stands in the way (or the entries from ${manifest}), then run paved again`,
      true,
    );
  }
  const unlisted = unlistedEntries(resolver.root, output, (path) => planned.has(path) || owned.has(path));
  const manifestText = readManifestText(resolver, output);
  return { differences, unlisted, manifestCurrent: matchesPieces(manifestText, manifestPieces(entries, false)), unchanged, verified };
}

export interface InspectedTree extends TreeState {
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

/** Output directories must be real directories inside the root, not links that lead elsewhere. */
export function assertOutputDirectories(resolver: Resolver, output: OutputDirectories): void {
  for (const dir of [output.dir, output.workflowsDir]) {
    if (relativePathProblem(dir) !== undefined) {
      throw new WriteError(`output directory ${JSON.stringify(dir)} must be a relative path inside the repository`, true);
    }
    const parents = resolver.parents(`${dir}/x`);
    if (parents instanceof Blocked) throw new WriteError(`${parents.at} ${parents.what}; paved writes only into real directories inside the repository`, true);
  }
}
