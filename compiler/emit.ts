import type { Diagnostic } from '../spec/diagnostic.js';
import type { Emitter, GeneratedFile } from '../spec/emitter.js';
import type { ResolvedProject } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';

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
  const planned = new Map<string, { file: GeneratedFile; emitter: string }>();
  const folded = new Map<string, string>();
  const roots = [project.output.dir, project.output.workflowsDir];

  const accept = (emitter: Emitter, file: GeneratedFile): void => {
    const problem = pathProblem(file.path, roots);
    if (problem) {
      diagnostics.push({ code: 'EMIT.BAD_PATH', severity: 'error', message: `emitter "${emitter.id}" planned ${JSON.stringify(file.path)}: ${problem}`, file: file.source });
      return;
    }
    const previous = planned.get(file.path);
    // Case-insensitive file systems (macOS, Windows) would merge paths differing only in case.
    const foldedOwner = folded.get(file.path.toLowerCase());
    if (previous || (foldedOwner !== undefined && foldedOwner !== file.path)) {
      const other = previous ? `emitter "${previous.emitter}"` : `the file ${JSON.stringify(foldedOwner)}`;
      diagnostics.push({
        code: 'EMIT.COLLISION',
        severity: 'error',
        message: `emitter "${emitter.id}" and ${other} both plan ${JSON.stringify(file.path)}`,
        hint: 'two generated files may not share a path (ignoring case); rename one of the services or resources',
        file: file.source,
      });
      return;
    }
    planned.set(file.path, { file, emitter: emitter.id });
    folded.set(file.path.toLowerCase(), file.path);
  };

  for (const service of project.services) {
    for (const emitter of emitters) {
      const result = emitter.emitService(service, project);
      diagnostics.push(...result.diagnostics);
      for (const file of result.files) accept(emitter, file);
    }
  }
  for (const emitter of emitters) {
    if (!emitter.emitProject) continue;
    const result = emitter.emitProject(project);
    diagnostics.push(...result.diagnostics);
    for (const file of result.files) accept(emitter, file);
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
