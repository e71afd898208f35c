import type { Diagnostic } from '../../spec/diagnostic.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import { showString } from './text.js';

/**
 * platform.yaml `output.dir` and `output.workflowsDir`: each a folder of its
 * own below the repository root, apart from the other. The schema already
 * keeps them relative, without "..", in portable characters; this adds what a
 * pattern says badly: no "." or empty segment (the root itself would make every
 * planned path fail), never git's own `.git` (paved would write into the
 * repository's database), and the two directories neither equal nor nested
 * (each is cleaned up as paved's alone, and discovery skips both).
 *
 * A folder holding a service is not checked: discovery skips the output
 * directories, so such a service would not be found and LOAD.NO_SERVICES or a
 * missing dependency says so; paved still writes only files it planned.
 */

const HINT = 'name a folder of its own below the repository root, e.g. output.dir: generated and output.workflowsDir: .github/workflows';

/** What is wrong with `dir` as an output directory, as a phrase after the value; undefined when nothing is. */
export function outputDirProblem(dir: string): string | undefined {
  if (dir === '' || dir === '.' || dir === './') return 'is the repository root; paved needs a folder of its own';
  if (dir.startsWith('/')) return 'is an absolute path; write it relative to the repository root';
  if (/[\\\u0000]/.test(dir)) return 'has a backslash or NUL; write a POSIX path with "/"';
  const segments = dir.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment; write each folder once, separated by one "/"';
  // Case-insensitively: on macOS and Windows ".GIT" is the same folder.
  if (segments.some((s) => s.toLowerCase() === '.git')) return "is inside .git, git's own database; paved would write into the repository's history";
  return undefined;
}

/** Whether `inner` is `outer` or a folder below it. */
const within = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

/** `platform` is the file merged over the embedded default, so both keys are there. */
export function checkOutputDirectories(file: SourceFile, platform: { readonly output: { readonly dir: string; readonly workflowsDir: string } }): Diagnostic[] {
  const { dir, workflowsDir } = platform.output;
  const written = (key: 'dir' | 'workflowsDir'): boolean => ((file.data as { output?: Record<string, unknown> } | undefined)?.output ?? {})[key] !== undefined;
  const report = (key: 'dir' | 'workflowsDir', message: string): Diagnostic => {
    const pointer = `/output/${key}`;
    return positioned(file, pointer, 'SPEC.OUTPUT_DIR', message, { hint: HINT });
  };
  const diagnostics: Diagnostic[] = [];
  for (const key of ['dir', 'workflowsDir'] as const) {
    const problem = outputDirProblem(platform.output[key]);
    if (problem) diagnostics.push(report(key, `${showString(platform.output[key])} ${problem}`));
  }
  if (diagnostics.length > 0) return diagnostics;
  // Reported at output.dir unless the file leaves it at its default and only writes workflowsDir.
  const at = written('dir') || !written('workflowsDir') ? 'dir' : 'workflowsDir';
  const shown = `output.dir ${showString(dir)} and output.workflowsDir ${showString(workflowsDir)}`;
  if (dir === workflowsDir) return [report(at, `${shown} are one folder; paved needs them apart`)];
  if (within(workflowsDir, dir)) return [report(at, `${shown}: the workflows folder is inside the output folder; paved needs them apart`)];
  if (within(dir, workflowsDir)) return [report(at, `${shown}: the output folder is inside the workflows folder; paved needs them apart`)];
  return [];
}
