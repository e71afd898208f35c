import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { OutputDirectories } from '../../spec/model.js';

/** The disk operations of every writer: atomic replacement, exclusive creation, and the Disk seam tests inject failures through. */

/** Writes `contents` to `fd` whole: `write` may take fewer bytes than asked (a filling disk), so it is called until none are left. */
export type WriteChunk = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

export function writeAll(fd: number, contents: string, write: WriteChunk = writeSync): void {
  if (contents.length <= ENCODE_CHUNK) {
    writeBytes(fd, Buffer.from(contents, 'utf8'), 0, contents, write);
    return;
  }
  // Each chunk is encoded into one buffer: UTF-8 takes at most 3 bytes per UTF-16 unit (4 per surrogate pair).
  const scratch = Buffer.allocUnsafe(3 * (ENCODE_CHUNK + 1));
  let taken = 0;
  for (let start = 0; start < contents.length;) {
    let end = Math.min(start + ENCODE_CHUNK, contents.length);
    // A surrogate pair is one character: encoded apart, each half would become U+FFFD.
    if (end < contents.length && isHighSurrogate(contents.charCodeAt(end - 1))) end++;
    const length = scratch.write(contents.slice(start, end), 0, 'utf8');
    taken += writeBytes(fd, scratch.subarray(0, length), taken, contents, write);
    start = end;
  }
}

/** Writes all of `bytes`, the part of `contents` after its first `before` bytes; returns their length. */
function writeBytes(fd: number, bytes: Uint8Array, before: number, contents: string, write: WriteChunk): number {
  for (let offset = 0; offset < bytes.length;) {
    const written = write(fd, bytes, offset, bytes.length - offset);
    if (!(written > 0))
      throw Object.assign(new Error(`EIO: the disk took ${before + offset} of ${Buffer.byteLength(contents, 'utf8')} bytes and then no more`), { code: 'EIO' });
    offset += written;
  }
  return bytes.length;
}

/**
 * Characters encoded at a time: a journal head or a restored manifest of 100,000
 * files is tens of megabytes, and encoding it whole held a second copy of it
 * outside the heap, beside the text.
 */
const ENCODE_CHUNK = 1 << 20;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

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
  /** Appends `text` to the existing regular file `path` (never through a link); with `durable`, flushes it. The pending manifest's journal. */
  append(path: string, text: string, durable?: boolean): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
}

export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;

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
    append(path, text, durable = false) {
      const fd = openSync(path, APPEND);
      try {
        writeAll(fd, text, write);
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

/** `made`: directories this write has created already, so a large tree costs one mkdir per directory. */
export function writeAtomic(root: string, path: string, contents: string, disk: Disk, durable = false, made?: Set<string>): void {
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
export function replaceFile(absolute: string, contents: string, disk: Disk, durable: boolean): void {
  const temporary = writeTemporary(absolute, contents, disk, durable);
  try {
    disk.rename(temporary, absolute);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * replaceFile for a text in pieces (pieces.ts): the first piece creates the
 * temporary file and the others are appended to it as they come, so the text is
 * never whole in memory; with `durable`, the complete file is flushed once.
 */
export function replaceFileInPieces(absolute: string, pieces: Iterable<string>, disk: Disk, durable: boolean): void {
  const iterator = pieces[Symbol.iterator]();
  const first = iterator.next();
  let next = first.done ? first : iterator.next();
  const temporary = writeTemporary(absolute, first.done ? '' : first.value, disk, durable && next.done === true);
  try {
    while (!next.done) {
      const piece = next.value;
      next = iterator.next();
      disk.append(temporary, piece, durable && next.done === true);
    }
    disk.rename(temporary, absolute);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** writeAtomic for a text in pieces (replaceFileInPieces). */
export function writeAtomicInPieces(root: string, path: string, pieces: Iterable<string>, disk: Disk, durable: boolean): void {
  const absolute = join(root, path);
  disk.mkdir(dirname(absolute));
  replaceFileInPieces(absolute, pieces, disk, durable);
}

/**
 * Writes `contents` to a new temporary file beside `absolute` and returns its
 * path, for the caller to rename over `absolute` (or remove). On any error the
 * temporary is removed.
 */
export function writeTemporary(absolute: string, contents: string, disk: Disk, durable: boolean): string {
  for (let attempt = 1; ; attempt++) {
    const temporary = temporaryPath(absolute);
    try {
      disk.writeFile(temporary, contents, durable);
      return temporary;
    } catch (error) {
      // Something already stands at this name: not ours, so left alone; try another name.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        if (attempt < 3) continue;
        throw error;
      }
      rmSync(temporary, { force: true });
      throw error;
    }
  }
}

/** `.<name>.paved-<16 hex>.tmp` beside `absolute` (resolver.ts `isTemporaryName`). */
function temporaryPath(absolute: string): string {
  return join(dirname(absolute), `.${basename(absolute)}.paved-${randomBytes(8).toString('hex')}.tmp`);
}

/** Removes directories emptied by deleting an orphan, never an output root or anything above it. */
export function removeEmptyParents(root: string, path: string, output: OutputDirectories, disk: Disk): void {
  let dir = dirname(path);
  while (dir !== '.' && dir !== output.dir && dir !== output.workflowsDir && (dir.startsWith(`${output.dir}/`) || dir.startsWith(`${output.workflowsDir}/`))) {
    const absolute = join(root, dir);
    if (readdirSync(absolute).length > 0) return;
    disk.rmdir(absolute);
    dir = dirname(dir);
  }
}
