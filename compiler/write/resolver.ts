import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { OutputDirectories } from '../../spec/model.js';
import { compareText } from '../../spec/pointer.js';
import { printable } from '../../spec/text.js';
import { LOCK_FILE, MANIFEST_FILE } from '../../spec/layout.js';
import { WriteError } from './errors.js';

/**
 * Reading the generated tree without trusting it. Everything under the output
 * directories may have been planted by a commit: a symbolic link to `/elsewhere`
 * or `/proc/self`, a FIFO, a tampered manifest. So a path is resolved component
 * by component from the repository root with lstat and never through a link,
 * and only regular files are opened, with O_NOFOLLOW, and checked again with
 * fstat before a byte is read. Node has no openat(), so a concurrent process
 * that swaps a checked directory for a link between the lstat and the open can
 * still win that race; files committed to the repository cannot.
 */

/** `.<name>.paved-<16 hex>.tmp`: the temporary files the writer creates (disk.ts `temporaryPath`). */
const TEMPORARY = /^\..+\.paved-[0-9a-f]{16}\.tmp$/;

export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

/** Why a planned path is unsafe, or undefined when it is a plain path inside an output root. */
export function pathProblem(path: string, roots: readonly string[]): string | undefined {
  const plain = relativePathProblem(path);
  if (plain) return plain;
  if (!roots.some((root) => path.startsWith(`${root}/`))) return `not inside an output directory (${roots.join(', ')})`;
  if (path.endsWith('.paved-manifest.json')) return 'is the manifest';
  return undefined;
}

/** A segment that is empty, `.` or `..`: at the start or after a slash, up to the next slash or the end. */
const EMPTY_OR_DOT_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/** Why `path` is not a plain relative POSIX path (one that names no place twice and leaves no folder), or undefined. */
export function relativePathProblem(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return 'not a relative POSIX path';
  if (EMPTY_OR_DOT_SEGMENT.test(path)) return 'it has an empty, "." or ".." segment';
  return undefined;
}

/** Why `path` can never be a file paved owns, or undefined when it can. */
export function ownablePathProblem(path: string, output: OutputDirectories): string | undefined {
  const plain = relativePathProblem(path);
  if (plain) return plain;
  if (path === `${output.dir}/${MANIFEST_FILE}` || path === `${output.dir}/${LOCK_FILE}`) return `it is paved's own ${path.slice(output.dir.length + 1)}`;
  if (path.startsWith(`${output.dir}/`)) return undefined;
  // In the workflows directory, which holds the team's own workflows too, paved writes only paved-* files at the top.
  if (path.startsWith(`${output.workflowsDir}/`) && isPavedWorkflowName(path.slice(output.workflowsDir.length + 1))) return undefined;
  return `it is not inside ${output.dir}/ and not a paved-* workflow in ${output.workflowsDir}/`;
}

function isPavedWorkflowName(name: string): boolean {
  return name.startsWith('paved-') && !name.includes('/');
}

/**
 * The most paved reads of one file: V8's longest string. Nothing paved writes
 * comes near it; a larger file is refused unread (a committed file of
 * gigabytes made paved fail with an internal error).
 */
export const MAX_READ_BYTES = 0x1fffffe8;

/** What lstat found at a path, in words for a message. */
export function describeType(stat: Stats | Dirent): string {
  if ('size' in stat && stat.isFile() && stat.size > MAX_READ_BYTES) return `a file of ${stat.size} bytes, more than paved reads`;
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** The path's leaf as lstat sees it, once every directory above it is known to be real. */
export type Leaf =
  | { readonly kind: 'no-parent' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly stat: Stats }
  | { readonly kind: 'other'; readonly stat: Stats };

/** A directory on the way is a link or not a directory: nothing below it may be touched. */
export class Blocked {
  constructor(
    /** The repo-relative directory that blocks, e.g. `generated/zz`. */
    readonly at: string,
    readonly what: string,
  ) {}
}

/** Why nothing is read or written below `blocked`. */
export function blockedReason(blocked: Blocked): string {
  return `${printable(blocked.at)} ${blocked.what}; paved writes only into real directories inside the repository`;
}

/** Why a path the manifest lists is neither read nor deleted: a link above it, or something other than a regular file there. */
export function listedReason(manifest: string, path: string, found: Blocked | { readonly stat: Stats }): string {
  return found instanceof Blocked
    ? `${manifest} lists ${printable(path)}, but ${printable(found.at)} ${found.what}; paved will neither read nor delete it`
    : `${manifest} lists ${printable(path)}, but it is ${describeType(found.stat)}, not a regular file; paved will neither read nor delete it`;
}

/** Everything in the way of reading or writing the tree, as one error: the person clears it all at once. */
export function refusal(refused: readonly string[], manifest: string): WriteError {
  return new WriteError(
    `refused: paved follows no symbolic link, and reads, replaces or deletes only regular files:\n${refused.map((r) => `  ${r}`).join('\n')}\nremove what stands in the way (or the entries from ${manifest}), then run paved again`,
    true,
  );
}

/**
 * Resolves repo-relative paths below `root`, one lstat per directory for all
 * paths of one operation: a directory is real, missing, or blocking.
 */
export class Resolver {
  private readonly directories = new Map<string, true | false | Blocked>();

  constructor(readonly root: string) {}

  /** Every directory of `path` but the leaf: true when all exist, false when one is missing, or what blocks. */
  parents(path: string): boolean | Blocked {
    const segments = path.split('/');
    let relative = '';
    for (let i = 0; i < segments.length - 1; i++) {
      relative = i === 0 ? segments[0]! : `${relative}/${segments[i]}`;
      let state = this.directories.get(relative);
      if (state === undefined) {
        const stat = lstatOrUndefined(join(this.root, relative));
        state = !stat ? false : stat.isDirectory() ? true : new Blocked(relative, stat.isSymbolicLink() ? 'is a symbolic link' : 'is not a directory');
        this.directories.set(relative, state);
      }
      if (state !== true) return state;
    }
    return true;
  }

  leaf(path: string): Leaf | Blocked {
    const parents = this.parents(path);
    if (parents instanceof Blocked) return parents;
    if (!parents) return { kind: 'no-parent' };
    const stat = lstatOrUndefined(join(this.root, path));
    if (!stat) return { kind: 'missing' };
    return stat.isFile() && stat.size <= MAX_READ_BYTES ? { kind: 'file', stat } : { kind: 'other', stat };
  }

  /** The text of a regular file reached without a link, or why not; never opens anything else. */
  read(path: string): { readonly text: string; readonly stat: Stats } | Leaf | Blocked {
    const leaf = this.leaf(path);
    if (leaf instanceof Blocked || leaf.kind !== 'file') return leaf;
    const read = readRegular(join(this.root, path), leaf.stat);
    return read ?? { kind: 'other', stat: leaf.stat };
  }

  /** The bytes of a regular file reached without a link; undefined for anything else, which is never opened. */
  bytes(path: string): Buffer | undefined {
    const leaf = this.leaf(path);
    if (leaf instanceof Blocked || leaf.kind !== 'file') return undefined;
    return readRegularBytes(join(this.root, path), leaf.stat)?.bytes;
  }

  /** Records a directory the writer has just made, or a listing showed, so paths below it resolve without another lstat. */
  made(relative: string): void {
    this.directories.set(relative, true);
  }

  /** Forgets what it knows of directories, after the writer created or removed some. */
  forget(): void {
    this.directories.clear();
  }
}

/**
 * Reads a regular file: O_NOFOLLOW so a link at the leaf is not followed,
 * O_NONBLOCK so a FIFO swapped in after the lstat cannot hang the open, and
 * fstat to make sure the file opened is the one `expected` described, of at
 * most `maxBytes` then (a caller that checked the size on its lstat needs no
 * second look: a file that grew in between is refused here). Undefined when
 * it is not.
 */
export function readRegular(absolute: string, expected?: Stats, maxBytes = MAX_READ_BYTES): { readonly text: string; readonly stat: Stats } | undefined {
  const read = readRegularBytes(absolute, expected, maxBytes);
  return read && { text: read.bytes.toString('utf8'), stat: read.stat };
}

/** readRegular's bytes, as they are. */
export function readRegularBytes(absolute: string, expected?: Stats, maxBytes = MAX_READ_BYTES): { readonly bytes: Buffer; readonly stat: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'ENXIO') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes || (expected && (stat.ino !== expected.ino || stat.dev !== expected.dev))) return undefined;
    const buffer = Buffer.allocUnsafe(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const n = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return { bytes: buffer.subarray(0, offset), stat };
  } finally {
    closeSync(fd);
  }
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    // Without throwIfNoEntry a missing file costs an Error with a stack: a cold compile asks about every file.
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** An entry of the output tree that no manifest lists and no spec produces. */
export interface UnlistedEntry {
  readonly path: string;
  /** Absent for a regular file; otherwise what it is ("a symbolic link", "a FIFO", …). */
  readonly type?: string;
  /** A temporary file of the writer's, left by a compile that was killed. */
  readonly temporary?: boolean;
}

/**
 * Every file under the output directory, and every paved-* entry at the top of
 * the workflows directory, for which `known` is false, in path order. Links are
 * reported, never followed; directories are descended only when real. Nothing
 * is opened. Argo CD and kubectl apply whatever is in these folders and GitHub
 * runs whatever workflow is there, so a file nobody generated must show.
 * `resolver` learns every real directory the walk lists.
 */
export function unlistedEntries(resolver: Resolver, output: OutputDirectories, known: (path: string) => boolean): UnlistedEntry[] {
  const root = resolver.root;
  const found = new Map<string, UnlistedEntry>();
  // Entry types come from the directory listing itself (d_type; Node lstats when the file system gives none), never from following.
  const visit = (path: string, entry: Dirent, descend: boolean): void => {
    if (known(path)) return;
    if (entry.isDirectory()) {
      if (descend) {
        resolver.made(path);
        walk(path);
      }
      return;
    }
    const temporary = entry.isFile() && isTemporaryName(entry.name);
    found.set(path, { path, ...(entry.isFile() ? {} : { type: describeType(entry) }), ...(temporary ? { temporary } : {}) });
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (path === `${output.dir}/${MANIFEST_FILE}` || path === `${output.dir}/${LOCK_FILE}`) continue;
      visit(path, entry, true);
    }
  };
  for (const dir of [output.dir, output.workflowsDir]) {
    // The output directories themselves are checked by the writer (inspect.ts assertOutputDirectories).
    if (resolver.parents(`${dir}/x`) !== true) continue;
    if (dir === output.dir) walk(dir);
    else
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true }))
        if (isPavedWorkflowName(entry.name) || (entry.name.startsWith('.paved-') && isTemporaryName(entry.name))) visit(`${dir}/${entry.name}`, entry, false);
  }
  return [...found.values()].sort((a, b) => compareText(a.path, b.path));
}
