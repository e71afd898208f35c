import type { Diagnostic } from '../spec/diagnostic.js';
import type { Emitter, GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories, ResolvedProject } from '../spec/model.js';
import { hasErrors, normalizeDiagnostics } from './diagnostics.js';
import { emit } from './emit.js';
import { loadPlatform, loadReleases, loadServices } from './load.js';
import { locate } from './positions.js';
import { outputDirectories, resolveProject } from './resolve.js';
import { validateProject } from './validate/index.js';

export interface CompileOptions {
  readonly root: string;
  /** Overrides the platform's `output.dir`. */
  readonly outDir?: string;
  readonly emitters: readonly Emitter[];
}

export interface CompileResult {
  /** Sorted; any error means `files` is empty. */
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly GeneratedFile[];
  readonly output: OutputDirectories;
  readonly project?: ResolvedProject;
  /** Spec texts by repo-relative path, for caret snippets. */
  readonly sources: ReadonlyMap<string, string>;
}

/** load → validate → resolve → emit. Reads specs; writes nothing. */
export function compile(options: CompileOptions): CompileResult {
  const platformLoad = loadPlatform(options.root);
  const platformFile = platformLoad.files[0];
  const output = outputDirectories(platformFile?.data, options.outDir);
  const releasesLoad = loadReleases(options.root);
  const servicesLoad = loadServices(options.root, [output.dir, output.workflowsDir]);
  const sources = new Map([...platformLoad.texts, ...releasesLoad.texts, ...servicesLoad.texts]);
  const diagnostics: Diagnostic[] = [...platformLoad.diagnostics, ...releasesLoad.diagnostics, ...servicesLoad.diagnostics];

  const validated = validateProject(platformFile, servicesLoad.files, { outDir: options.outDir, loadFailed: diagnostics.length > 0, releasesFile: releasesLoad.files[0] });
  diagnostics.push(...validated.diagnostics);
  if (hasErrors(diagnostics) || !validated.valid) return { diagnostics: normalizeDiagnostics(diagnostics), files: [], output, sources };

  const project = resolveProject(validated.valid, options.outDir);
  const emitted = emit(project, options.emitters);
  // Emitters know the spec pointer of a problem (an override that does not apply), not its line.
  const specFiles = new Map([...servicesLoad.files, ...platformLoad.files].map((f) => [f.path, f]));
  diagnostics.push(...emitted.diagnostics.map((d) => (d.range || !d.file || !d.pointer || !specFiles.has(d.file) ? d : { ...d, range: locate(specFiles.get(d.file)!, d.pointer) })));
  const failed = hasErrors(diagnostics);
  return { diagnostics: normalizeDiagnostics(diagnostics), files: failed ? [] : emitted.files, output: project.output, project, sources };
}
