import type { Disk } from '../compiler/write/disk.js';

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
