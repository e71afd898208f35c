import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { CREATE_NEW, realDisk, replaceFile, writeAll, writeAtomic } from './disk.js';
import { WriteError } from './errors.js';
import { Blocked, blockedReason, describeType, lstatOrUndefined, relativePathProblem, Resolver } from './resolver.js';
import { printable } from '../../spec/text.js';

/** The writers of files outside the generated tree: scaffolds (`paved new`, `paved init`) and releases.yaml. */

/** Replaces an input file paved was asked to edit (releases.yaml) atomically. */
export function writeFileAtomic(path: string, contents: string): void {
  replaceFile(path, contents, realDisk, true);
}

/** `path` relative to `base` as a POSIX path ('' for `base` itself), or undefined when it is not inside `base`. */
export function insideOf(base: string, path: string): string | undefined {
  const rel = relative(base, path);
  if (rel === '') return '';
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return undefined;
  return rel.split(sep).join('/');
}

/** A folder on the way to `folder` (base-relative) that is a link or not a folder: nothing is created there. */
function folderRefused(blocked: Blocked, folder: string): WriteError {
  return new WriteError(`refused: ${blockedReason(blocked)}: make ${printable(blocked.at)} a real folder, or create ${folder} somewhere else`, true);
}

/**
 * Why nothing may be created in `folder`: a folder on the way from `base` to it,
 * or `folder` itself, is a symbolic link or not a folder (Resolver.parents, one
 * lstat each, no link followed). Undefined when every one of them is a real
 * folder or missing, or when `folder` is not inside `base`. `base` itself is where
 * the person pointed paved (the repository root, the working folder) and is not checked.
 */
function folderProblem(base: string, folder: string): WriteError | undefined {
  const rel = insideOf(base, folder);
  if (rel === undefined || rel === '') return undefined;
  // `parents` of a path one below checks every folder of `rel`, `rel` itself included.
  const reached = new Resolver(base).parents(`${rel}/-`);
  return reached instanceof Blocked ? folderRefused(reached, rel) : undefined;
}

/**
 * Makes `folder` and the folders above it that are missing, one mkdir at a time
 * from `base`, each existing one checked with lstat first: a link or anything but a
 * folder on the way is refused before anything is created below it (it can only
 * stand above the first missing folder). mkdir's own errors (ENOTDIR, EEXIST for
 * a file that appeared meanwhile, EACCES, …) come back as a WriteError, never raw.
 * A `folder` outside `base` was named by the person running paved, not committed
 * to the repository: its missing folders are made as given.
 */
function makeFolders(base: string, folder: string): void {
  const rel = insideOf(base, folder);
  if (rel === undefined) {
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw mkdirFailed(error, folder);
    }
    return;
  }
  if (rel === '') return;
  const segments = rel.split('/');
  for (let i = 0; i < segments.length; i++) {
    const at = segments.slice(0, i + 1).join('/');
    const absolute = join(base, at);
    const stat = lstatOrUndefined(absolute);
    if (stat?.isDirectory()) continue;
    if (stat) throw folderRefused(new Blocked(at, stat.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory'), rel);
    try {
      mkdirSync(absolute);
    } catch (error) {
      // Made by someone else between the lstat and the mkdir: fine if it is a real folder.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && lstatOrUndefined(absolute)?.isDirectory()) continue;
      throw mkdirFailed(error, at);
    }
  }
}

function mkdirFailed(error: unknown, folder: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error instanceof Error ? error : new Error(String(error));
  const why =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? 'something that is not a folder stands in its place or on the way to it'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (error as Error).message;
  return new WriteError(`refused: cannot create the folder ${folder}: ${why} (${code}); clear the way, or create it somewhere else`, true);
}

/** A new file, created exclusively (O_EXCL|O_NOFOLLOW): EEXIST rather than overwrite or follow a link at the leaf. */
function createNew(path: string, contents: string): void {
  const fd = openSync(path, CREATE_NEW, 0o644);
  try {
    writeAll(fd, contents);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a new file (and its folders) for scaffolding (`paved init`); fails with
 * EEXIST rather than overwrite. Every folder between `base` (the folder the
 * command resolved `path` against) and the file must be a real folder or
 * missing: a link or a file on the way is refused as a WriteError, before
 * anything is created (makeFolders).
 */
export function createFile(path: string, contents: string, base: string): void {
  makeFolders(base, dirname(path));
  createNew(path, contents);
}

/**
 * Creates a set of new files under `root` for scaffolding, all or nothing as far
 * as it can be checked: every path must be relative and plain (no `..`, no
 * absolute path, no symbolic link on the way), and no file may exist unless
 * `force`. With `base` (the repository root or the working folder `root` was
 * resolved against), `root` and every folder above it up to `base` must be real
 * folders or missing too. Everything is checked before the first byte is written.
 */
export function createFiles(
  root: string,
  files: ReadonlyArray<{ readonly path: string; readonly contents: string }>,
  options: { readonly force?: boolean; readonly base?: string } = {},
): void {
  const base = options.base !== undefined && insideOf(options.base, root) !== undefined ? options.base : root;
  const problem = folderProblem(base, root);
  if (problem) throw problem;
  const seen = new Set<string>();
  const existing: string[] = [];
  const resolver = new Resolver(root);
  for (const file of files) {
    if (relativePathProblem(file.path) !== undefined) {
      throw new WriteError(`${JSON.stringify(file.path)} is not a plain relative path inside the target directory`, true);
    }
    if (seen.has(file.path)) throw new WriteError(`${printable(file.path)} would be written twice`, true);
    seen.add(file.path);
    const leaf = resolver.leaf(file.path);
    if (leaf instanceof Blocked) throw new WriteError(blockedReason(leaf), true);
    if (leaf.kind === 'other')
      throw new WriteError(`${printable(file.path)} exists and is not a regular file (${describeType(leaf.stat)}); paved will not replace it`, true);
    if (leaf.kind === 'file') existing.push(file.path);
  }
  if (existing.length > 0 && !options.force) {
    throw new WriteError(
      `these files already exist and paved never overwrites a file without --force:\n${existing.map((p) => `  ${printable(p)}`).join('\n')}`,
      true,
    );
  }
  const made = new Set<string>();
  for (const file of files) {
    const absolute = join(root, file.path);
    const folder = dirname(absolute);
    if (!made.has(folder)) makeFolders(base, folder);
    made.add(folder);
    if (options.force) writeAtomic(root, file.path, file.contents, realDisk, false, made);
    else createNew(absolute, file.contents);
  }
}
