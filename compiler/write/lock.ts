import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { OutputDirectories } from '../../spec/model.js';
import { CREATE_NEW, writeAll, type Disk } from './disk.js';
import { WriteError } from './errors.js';
import { lstatOrUndefined, readRegular } from './resolver.js';
import { LOCK_FILE, layout } from '../../spec/layout.js';

/** `<output.dir>/.paved-lock`: one compile writes a tree at a time. */

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

/** A lock record is one short line of JSON; a larger file at the lock's name is no lock of paved's. */
const MAX_LOCK_BYTES = 4096;

/**
 * The lock file as it is now: its text (undefined when absent) and owner, if
 * it is a regular file holding a lock record, and when it was last written.
 */
function readLock(absolute: string): { readonly exists: boolean; readonly text?: string; readonly owner?: LockOwner; readonly writtenMs?: number } {
  const stat = lstatOrUndefined(absolute);
  if (!stat) return { exists: false };
  if (!stat.isFile() || stat.size > MAX_LOCK_BYTES) return { exists: true };
  const read = readRegular(absolute, stat, MAX_LOCK_BYTES);
  return read ? { exists: true, text: read.text, owner: parseLock(read.text), writtenMs: read.stat.mtimeMs } : { exists: true };
}

/**
 * How long a lock file without a whole record counts as a compile still
 * writing it: the holder creates the file, then writes its record, and a busy
 * machine can pause it in between. Judged stale at once, such a lock was
 * removed under its holder, and two compiles wrote one tree.
 */
const RECORD_WRITE_MS = 2000;

/** A lock file created moments ago whose record is not whole yet: its creator is about to write it. */
const beingWritten = (held: ReturnType<typeof readLock>): boolean =>
  held.text !== undefined && held.owner === undefined && held.writtenMs !== undefined && Math.abs(Date.now() - held.writtenMs) < RECORD_WRITE_MS;

/** Blocks this thread for `ms`. */
const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `action` holding the output directory's lock; waits for a running holder, takes over from any other. */
export function withLock<T>(root: string, output: OutputDirectories, disk: Disk, timeoutMs: number, action: () => T): T {
  const release = acquireLock(root, output, disk, timeoutMs);
  try {
    return action();
  } finally {
    release();
  }
}

/**
 * Takes the output directory's lock (waiting for a running holder, taking over
 * from any other) and returns what releases it: a streaming compile holds it
 * from its first file to its commit or rollback (tree.ts TreeWriter).
 */
export function acquireLock(root: string, output: OutputDirectories, disk: Disk, timeoutMs: number): () => void {
  const dir = join(root, output.dir);
  disk.mkdir(dir);
  const lockPath = layout.lock(output);
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
      if (beingWritten(held)) {
        pause(10);
        continue;
      }
      if (!holderIsRunning(held.owner)) {
        if (lstatOrUndefined(lock)?.isDirectory()) throw new WriteError(`${lockPath} is a directory; remove it, then compile again`, true);
        // Unlink only what was judged stale: another compile may have just taken over.
        if (readLock(lock).text === held.text) unlinkIfPresent(lock);
        continue;
      }
      if (Date.now() > deadline) throw new WriteError(`another paved compile (pid ${held.owner!.pid}) is writing ${output.dir}; it holds ${lockPath}`, false);
      pause(100);
    }
  }
  return () => {
    if (readLock(lock).owner?.token === mine.token) unlinkIfPresent(lock);
  };
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
