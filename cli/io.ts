import type { Disk } from '../compiler/write/disk.js';
import { WriteError } from '../compiler/write/errors.js';

/** Exit codes: 0 ok, 1 problems in the user's input or drift, 2 usage or internal errors. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** What a command reads and writes beyond its arguments: streams, the working directory, and the disk compile writes through. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** The disk `paved compile` writes through: the real one, or a test's that fails, fills up or writes short. */
  readonly disk?: Disk;
  /**
   * Replaces the one progress line of a long compile; '' clears it. Only given
   * when stderr is a terminal, so no log or captured output ever holds one.
   */
  readonly progress?: (text: string) => void;
}

/**
 * What a command says when the generated tree refuses it (a WriteError) or the
 * disk does (a file or folder paved may not read or write, a read-only or full
 * disk), and its exit code; anything else is a bug of paved's, thrown again.
 */
export function treeRefusal(error: unknown, verb: 'read' | 'write', io: Io): number {
  if (error instanceof WriteError) {
    io.stderr(`paved: ${error.message}\n`);
    return error.userError ? EXIT_PROBLEMS : EXIT_USAGE;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !DISK_REFUSALS.has(code)) throw error;
  io.stderr(`paved: cannot ${verb} the generated tree: ${(error as Error).message}\n`);
  return EXIT_USAGE;
}

const DISK_REFUSALS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO', 'EEXIST', 'ENAMETOOLONG']);
