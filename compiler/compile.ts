import type { Diagnostic } from '../spec/diagnostic.js';
import type { Emitter, GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories, ResolvedProject } from '../spec/model.js';
import { hasErrors, normalizeDiagnostics } from './diagnostics.js';
import { emit } from './emit.js';
import { loadPlatform, loadReleases, loadServices } from './load.js';
import { outputDirectories, resolveProject } from './resolve.js';
import { parseSource } from './parse.js';
import type { SourceFile } from './source.js';
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
  return compileSources(loadSources(options.root, options.outDir), options);
}

/** Reads and parses every spec of the repo: the only disk access of a compile. */
export function loadSources(root: string, outDir?: string): LoadedSources {
  const platformLoad = loadPlatform(root);
  const platformFile = platformLoad.files[0];
  const output = outputDirectories(platformFile?.data, outDir);
  const releasesLoad = loadReleases(root);
  const servicesLoad = loadServices(root, [output.dir, output.workflowsDir]);
  const sources = new Map([...platformLoad.texts, ...releasesLoad.texts, ...servicesLoad.texts]);
  const loadDiagnostics = [...platformLoad.diagnostics, ...releasesLoad.diagnostics, ...servicesLoad.diagnostics];
  return { platform: platformFile, releases: releasesLoad.files[0], services: servicesLoad.files, loadDiagnostics, sources };
}

export interface LoadedSources {
  readonly platform?: SourceFile;
  readonly releases?: SourceFile;
  readonly services: readonly SourceFile[];
  /** Problems found while reading and parsing; any error stops the compile after validation. */
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/** validate → resolve → emit over parsed files: the pure part of a compile. */
export function compileSources(loaded: LoadedSources, options: Omit<CompileOptions, 'root'>): CompileResult {
  const output = outputDirectories(loaded.platform?.data, options.outDir);
  const diagnostics: Diagnostic[] = [...loaded.loadDiagnostics];
  const validated = validateProject(loaded.platform, loaded.services, { outDir: options.outDir, loadFailed: diagnostics.length > 0, releasesFile: loaded.releases });
  diagnostics.push(...validated.diagnostics);
  if (hasErrors(diagnostics) || !validated.valid) return { diagnostics: normalizeDiagnostics(diagnostics), files: [], output, sources: loaded.sources };

  const project = resolveProject(validated.valid, options.outDir);
  const emitted = emit(project, options.emitters);
  diagnostics.push(...emitted.diagnostics);
  const failed = hasErrors(diagnostics);
  return { diagnostics: normalizeDiagnostics(diagnostics), files: failed ? [] : emitted.files, output: project.output, project, sources: loaded.sources };
}

/** A spec file's text with its repo-relative path, as read from git or held in memory. */
export interface SpecText {
  readonly path: string;
  readonly kind: SourceFile['kind'];
  readonly text: string;
}

/** Compiles specs held in memory (another git revision, a fuzz case) exactly as `paved compile` would. */
export function compileTexts(files: readonly SpecText[], emitters: readonly Emitter[], outDir?: string): CompileResult {
  const parsed = files.map((f) => ({ file: f, result: parseSource(f.path, new TextEncoder().encode(f.text), f.kind) }));
  const sources = new Map(parsed.filter((p) => p.result.text !== undefined).map((p) => [p.file.path, p.result.text!]));
  const of = (kind: SourceFile['kind']): SourceFile[] => parsed.filter((p) => p.file.kind === kind && p.result.file).map((p) => p.result.file!);
  return compileSources(
    { platform: of('platform')[0], releases: of('releases')[0], services: of('service'), loadDiagnostics: parsed.flatMap((p) => p.result.diagnostics), sources },
    { emitters, outDir },
  );
}
