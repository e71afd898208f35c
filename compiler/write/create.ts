import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CREATE_NEW, realDisk, replaceFile, writeAll, writeAtomic } from './disk.js';
import { WriteError } from './errors.js';
import { Blocked, blockedReason, describeType, relativePathProblem, Resolver } from './resolver.js';

/** The writers of files outside the generated tree: scaffolds (`paved new`, `paved init`) and releases.yaml. */

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
export function createFiles(
  root: string,
  files: ReadonlyArray<{ readonly path: string; readonly contents: string }>,
  options: { readonly force?: boolean } = {},
): void {
  const seen = new Set<string>();
  const existing: string[] = [];
  const resolver = new Resolver(root);
  for (const file of files) {
    if (relativePathProblem(file.path) !== undefined) {
      throw new WriteError(`${JSON.stringify(file.path)} is not a plain relative path inside the target directory`, true);
    }
    if (seen.has(file.path)) throw new WriteError(`${file.path} would be written twice`, true);
    seen.add(file.path);
    const leaf = resolver.leaf(file.path);
    if (leaf instanceof Blocked) throw new WriteError(blockedReason(leaf), true);
    if (leaf.kind === 'other')
      throw new WriteError(`${file.path} exists and is not a regular file (${describeType(leaf.stat)}); paved will not replace it`, true);
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
