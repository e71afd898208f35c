import type { Diagnostic } from '../spec/diagnostic.js';
import type { Emitter, GeneratedFile } from '../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';

/** Who planned a file: an emitter, for one service or for the whole repository. */
interface Planner {
  readonly file: GeneratedFile;
  readonly emitter: string;
  readonly service?: ResolvedService;
}

function describePlanner(planner: Planner): string {
  return planner.service ? `service ${JSON.stringify(planner.service.name)} (emitter "${planner.emitter}")` : `the repository-wide files (emitter "${planner.emitter}")`;
}

export interface EmitOutcome {
  /** Sorted by path with plain code-unit order. */
  readonly files: readonly GeneratedFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Runs every emitter over every service, then once over the project. Rejects
 * paths outside the output directories and two files planned at one path.
 */
export function emit(project: ResolvedProject, emitters: readonly Emitter[]): EmitOutcome {
  const diagnostics: Diagnostic[] = [];
  const planned = new Map<string, Planner>();
  const folded = new Map<string, string>();
  const roots = [project.output.dir, project.output.workflowsDir];

  const accept = (planner: Planner): void => {
    const { file, emitter } = planner;
    const problem = pathProblem(file.path, roots);
    if (problem) {
      diagnostics.push({ code: 'EMIT.BAD_PATH', severity: 'error', message: `emitter "${emitter}" planned ${JSON.stringify(file.path)}: ${problem}`, file: file.source });
      return;
    }
    // Case-insensitive file systems (macOS, Windows) would merge paths differing only in case.
    const foldedOwner = folded.get(file.path.toLowerCase());
    const previous = planned.get(file.path) ?? (foldedOwner === undefined ? undefined : planned.get(foldedOwner));
    if (previous) {
      // A service's name is what puts its files where another file already is: point at it.
      const blamed = planner.service ?? previous.service;
      const message =
        previous.file.path === file.path
          ? `${describePlanner(planner)} and ${describePlanner(previous)} would both write ${JSON.stringify(file.path)}`
          : `${describePlanner(planner)} would write ${JSON.stringify(file.path)} and ${describePlanner(previous)} ${JSON.stringify(previous.file.path)}, one path on case-insensitive file systems`;
      diagnostics.push({
        code: 'EMIT.COLLISION',
        severity: 'error',
        message,
        hint: 'two generated files may not share a path (ignoring case); rename the service or resource',
        ...(blamed ? { file: blamed.specPath, pointer: '/name' } : { file: file.source }),
      });
      return;
    }
    planned.set(file.path, planner);
    folded.set(file.path.toLowerCase(), file.path);
  };

  for (const service of project.services) {
    for (const emitter of emitters) {
      const result = emitter.emitService(service, project);
      diagnostics.push(...result.diagnostics);
      for (const file of result.files) accept({ file, emitter: emitter.id, service });
    }
  }
  for (const emitter of emitters) {
    if (!emitter.emitProject) continue;
    const result = emitter.emitProject(project);
    diagnostics.push(...result.diagnostics);
    for (const file of result.files) accept({ file, emitter: emitter.id });
  }

  const files = [...planned.values()].map((p) => p.file).sort((a, b) => compareText(a.path, b.path));
  return { files, diagnostics };
}

/** Why a planned path is unsafe, or undefined when it is a plain path inside an output root. */
export function pathProblem(path: string, roots: readonly string[]): string | undefined {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return 'not a relative POSIX path';
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'contains an empty, "." or ".." segment';
  if (!roots.some((root) => path.startsWith(`${root}/`))) return `not inside an output directory (${roots.join(', ')})`;
  if (path.endsWith('.paved-manifest.json')) return 'is the manifest';
  return undefined;
}
