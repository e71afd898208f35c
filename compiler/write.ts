import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories } from '../spec/model.js';

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

export function renderManifest(files: readonly GeneratedFile[]): string {
  const entries = files.map((f) => ({ path: f.path, sha256: sha256(f.contents), source: f.source }));
  return `${JSON.stringify({ version: 1, files: entries }, null, 2)}\n`;
}

/** Compares the planned tree with the disk. Reads only. */
export function inspectTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): TreeState {
  assertOutputDirectories(root, output);
  const owned = readManifest(root, output);
  const differences: Difference[] = [];
  let unchanged = 0;
  const planned = new Set<string>();
  for (const file of files) {
    planned.add(file.path);
    const actual = readIfFile(root, file.path);
    const entry = owned.get(file.path);
    if (actual === undefined) differences.push({ path: file.path, kind: 'missing', expected: file.contents });
    // Identical bytes are adopted: that is what a lost manifest looks like.
    else if (actual === file.contents) unchanged++;
    else if (!entry) differences.push({ path: file.path, kind: 'unowned', expected: file.contents, actual });
    else if (sha256(actual) !== entry.sha256) differences.push({ path: file.path, kind: 'edited', expected: file.contents, actual });
    else differences.push({ path: file.path, kind: 'stale', expected: file.contents, actual });
  }
  for (const path of [...owned.keys()].sort()) {
    if (planned.has(path)) continue;
    const actual = readIfFile(root, path);
    if (actual !== undefined) differences.push({ path, kind: 'orphaned', actual });
  }
  const manifestText = readIfFile(root, manifestPath(output));
  return { differences, manifestCurrent: manifestText === renderManifest(files), unchanged };
}

/**
 * Brings the disk to the planned tree: changed files are written atomically
 * (temporary file + rename), unchanged files are not touched, owned files no
 * longer planned are deleted. A file paved does not own is never overwritten:
 * if one stands where a planned file goes with other contents, nothing is written.
 */
export function writeTree(root: string, output: OutputDirectories, files: readonly GeneratedFile[]): WriteReport {
  const state = inspectTree(root, output, files);
  const unowned = state.differences.filter((d) => d.kind === 'unowned');
  if (unowned.length > 0) {
    const list = unowned.map((d) => `  ${d.path}`).join('\n');
    throw new WriteError(`these files are in the way and paved does not own them (they are not in ${manifestPath(output)}):\n${list}\nmove or delete them, then compile again`, true);
  }
  for (const file of files) assertWritable(root, file.path);
  if (state.differences.length === 0 && state.manifestCurrent) return { written: [], deleted: [], unchanged: state.unchanged };

  const byPath = new Map(files.map((f) => [f.path, f]));
  const orphans = state.differences.filter((d) => d.kind === 'orphaned').map((d) => d.path);
  const toWrite = state.differences.filter((d) => d.kind !== 'orphaned').map((d) => byPath.get(d.path)!);

  // Until the last step the manifest claims both old and new files, so an
  // interrupted compile leaves nothing on disk that paved forgets it owns.
  const previous = readManifest(root, output);
  const interim = [...previous.values()].filter((e) => !byPath.has(e.path)).map((e) => ({ path: e.path, contents: '', source: e.source, sha256: e.sha256 }));
  writeAtomic(root, manifestPath(output), renderInterimManifest(files, interim));
  for (const file of toWrite) writeAtomic(root, file.path, file.contents);
  for (const path of orphans) {
    unlinkSync(join(root, path));
    removeEmptyParents(root, path, output);
  }
  writeAtomic(root, manifestPath(output), renderManifest(files));
  return { written: toWrite.map((f) => f.path), deleted: orphans, unchanged: state.unchanged };
}

function renderInterimManifest(files: readonly GeneratedFile[], kept: ReadonlyArray<ManifestEntry>): string {
  const entries = [...files.map((f) => ({ path: f.path, sha256: sha256(f.contents), source: f.source })), ...kept.map(({ path, sha256, source }) => ({ path, sha256, source }))];
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `${JSON.stringify({ version: 1, files: entries }, null, 2)}\n`;
}

export function readManifest(root: string, output: OutputDirectories): Map<string, ManifestEntry> {
  const text = readIfFile(root, manifestPath(output));
  const owned = new Map<string, ManifestEntry>();
  if (text === undefined) return owned;
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
    owned.set(entry.path, { path: entry.path, sha256: entry.sha256, source: String(entry.source ?? '') });
  }
  return owned;
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

/** Every existing component of the path below the root must be a real directory. */
function assertNoLinks(root: string, path: string): void {
  const segments = path.split('/');
  let current = root;
  for (let i = 0; i < segments.length - 1; i++) {
    current = join(current, segments[i]!);
    const stat = lstatOrUndefined(current);
    if (!stat) return;
    if (stat.isSymbolicLink()) throw new WriteError(`${segments.slice(0, i + 1).join('/')} is a symbolic link; paved writes only into real directories inside the repository`, true);
    if (!stat.isDirectory()) throw new WriteError(`${segments.slice(0, i + 1).join('/')} is not a directory`, true);
  }
}

function assertWritable(root: string, path: string): void {
  assertNoLinks(root, path);
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
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function writeAtomic(root: string, path: string, contents: string): void {
  const absolute = join(root, path);
  mkdirSync(dirname(absolute), { recursive: true });
  const temporary = join(dirname(absolute), `.${path.split('/').pop()}.paved-${process.pid}.tmp`);
  const fd = openSync(temporary, 'w', 0o644);
  try {
    try {
      writeSync(fd, contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, absolute);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** Removes directories emptied by deleting an orphan, never an output root or anything above it. */
function removeEmptyParents(root: string, path: string, output: OutputDirectories): void {
  let dir = dirname(path);
  while (dir !== '.' && dir !== output.dir && dir !== output.workflowsDir && (dir.startsWith(`${output.dir}/`) || dir.startsWith(`${output.workflowsDir}/`))) {
    const absolute = join(root, dir);
    if (readdirSync(absolute).length > 0) return;
    rmdirSync(absolute);
    dir = dirname(dir);
  }
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
