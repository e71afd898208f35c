import type { Diagnostic } from '../spec/diagnostic.js';
import type { Emitter, FileOwner, GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories, ResolvedProject, ResolvedService } from '../spec/model.js';
import {
  buildCacheLocation,
  readBuildCache,
  reuseFromCache,
  recordLeftOut,
  reuseFromCheckRecord,
  serviceKey,
  type BuildCache,
  type CacheRecord,
  type CachedUnit,
  type Anchor,
} from './cache.js';
import { hasErrors, normalizeDiagnostics } from './diagnostics.js';
import { emit, emitKeepingValues, scopedProject, type EmitOutcome, type EmitServices, type FileSink, type Reuse } from './emit.js';
import { enclosingPlatformRoot, loadModules, loadPlatform, loadReleases, loadServices, nestedRoot } from './load.js';
import { localModulePaths, type ModuleFolders } from './validate/resource-types.js';
import { locate } from './positions.js';
import { outputDirectories, resolveProject } from './resolve.js';
import { parseSource, tooLarge, type Parsed } from './parse.js';
import { RELEASES_FILE, type SourceFile } from './source.js';
import { validateProject } from './validate/index.js';
import { WriteError } from './write/errors.js';
import { readManifest, type ManifestEntry } from './write/manifest.js';
import { append } from '../spec/append.js';

export interface CompileOptions {
  readonly root: string;
  /** Overrides the platform's `output.dir`. */
  readonly outDir?: string;
  readonly emitters: readonly Emitter[];
  /**
   * The identity of this paved build (cache.ts `pavedBuild`). Given, the compile
   * reuses the files of services unchanged since the last `paved compile` of
   * this root and records what the next one may reuse.
   */
  readonly build?: string;
  /** How services are emitted; one after another unless the CLI spreads them over threads (compiler/parallel.ts). */
  readonly emitServices?: EmitServices;
  /** Keep each file's structured value (GeneratedFile.value), one service after another: `paved diff` compares them. */
  readonly keepValues?: boolean;
  /**
   * `paved check --base`: the record a passing check of the base commit left,
   * made by this build (`build` must be given). Services whose key it records
   * and whose files are on disk exactly as it records them are not emitted.
   */
  readonly anchor?: Anchor;
  /**
   * `paved compile`: where each service's files go as soon as they pass its
   * policy (write/tree.ts TreeWriter), given the output folders; the result
   * then lists them in `streamed`, without their bytes. The caller commits or
   * rolls back.
   */
  readonly sink?: (output: OutputDirectories) => FileSink;
  /** `paved check`: nothing is written, so with `build` the compile only keys its services; the last compile's record is neither read nor made. */
  readonly inMemory?: boolean;
}

export interface CompileResult {
  /** Sorted; any error means `files` is empty. */
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly GeneratedFile[];
  /** With a sink: the files it took instead of `files`, without their bytes; sorted. */
  readonly streamed?: readonly ManifestEntry[];
  /** Incremental compiles: files of unchanged services, already on disk; planned like `files`, without their bytes. */
  readonly kept: readonly ManifestEntry[];
  /** Path -> the emitter and service that planned it, for every file of `files` and `kept`. */
  readonly owners: ReadonlyMap<string, FileOwner>;
  /** Incremental compiles: what to record for the next one. */
  readonly cache?: CacheRecord;
  /** With a build identity and no error: spec path -> the service's key and the paths of its files, emitted or kept; only services a later compile may reuse (emit.ts `unitFiles`). */
  readonly units?: Readonly<Record<string, CachedUnit>>;
  readonly output: OutputDirectories;
  readonly project?: ResolvedProject;
  /** Spec texts by repo-relative path, for caret snippets. */
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * load → validate → resolve → emit. Reads specs (and, when incremental, the
 * record of the last compile); writes nothing. `loaded`: the root's specs, when
 * the caller has read them already (`paved check --base` parses the base's
 * specs with their help).
 */
export function compile(options: CompileOptions, loaded = loadSources(options.root, options.outDir)): CompileResult {
  const previous =
    options.build === undefined || options.inMemory
      ? undefined
      : previousCompile(options.root, outputDirectories(loaded.platform?.data, options.outDir), options.build);
  return compileSources(loaded, { ...options, previous });
}

/** load → validate → resolve, emitting nothing: the resolved project, for commands that read it (explain, report, preview). */
export function compileProject(root: string, outDir?: string): CompileResult {
  return compileSources(loadSources(root, outDir), { outDir, emitters: [] });
}

/** The last compile of a root as far as it can be trusted; no build identity, no incremental compile. */
export interface PreviousCompile {
  readonly root: string;
  readonly build: string;
  /** Where the record lives (compiler/cache.ts). */
  readonly location: string;
  readonly cache?: BuildCache;
  /** The manifest's entries; none after an interrupted compile or when it cannot be read. */
  readonly owned: ReadonlyMap<string, ManifestEntry>;
}

function previousCompile(root: string, output: OutputDirectories, build: string): PreviousCompile | undefined {
  const location = buildCacheLocation(root, output);
  if (location === undefined) return undefined;
  let owned: ReadonlyMap<string, ManifestEntry> = new Map();
  try {
    const manifest = readManifest(root, output);
    if (!manifest.pending) owned = manifest.entries;
  } catch (error) {
    // The writer reports a broken manifest; here it only means nothing is reused.
    if (!(error instanceof WriteError)) throw error;
  }
  return { root, build, location, cache: readBuildCache(location, build), owned };
}

/** Reads and parses every spec of the repo, and looks above the root for a platform.yaml it would miss (load.ts). */
export function loadSources(root: string, outDir?: string): LoadedSources {
  const platformLoad = loadPlatform(root);
  const platformFile = platformLoad.files[0];
  const output = outputDirectories(platformFile?.data, outDir);
  const releasesLoad = loadReleases(root);
  const servicesLoad = loadServices(root, [output.dir, output.workflowsDir]);
  const sources = new Map([...platformLoad.texts, ...releasesLoad.texts, ...servicesLoad.texts]);
  const enclosing = platformFile === undefined && platformLoad.diagnostics.length === 0 ? enclosingPlatformRoot(root) : undefined;
  const loadDiagnostics = [
    ...platformLoad.diagnostics,
    ...releasesLoad.diagnostics,
    ...servicesLoad.diagnostics,
    ...(enclosing === undefined ? [] : [nestedRoot(enclosing)]),
  ];
  const modules = loadModules(root, localModulePaths(platformFile?.data));
  return { platform: platformFile, releases: releasesLoad.files[0], services: servicesLoad.files, loadDiagnostics, sources, modules };
}

export interface LoadedSources {
  readonly platform?: SourceFile;
  readonly releases?: SourceFile;
  readonly services: readonly SourceFile[];
  /** Problems found while reading and parsing; any error stops the compile after validation. */
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
  /** The local modules of the platform's resource types, as found on disk; absent for specs held in memory. */
  readonly modules?: ModuleFolders;
}

/**
 * validate → resolve → emit over parsed files. Pure, but for an incremental
 * compile, which checks the files it reuses against their recorded stamps
 * (cache.ts reuseFromCache).
 */
export function compileSources(loaded: LoadedSources, options: EmitOptions): CompileResult {
  return emitPrepared(prepareSources(loaded, options.outDir, options.previous?.build ?? options.build), options);
}

/** How a prepared compile is emitted (compileSources, emitPrepared). */
export type EmitOptions = Omit<CompileOptions, 'root'> & {
  readonly root?: string;
  readonly previous?: PreviousCompile;
  /** Services whose spec path maps to their key under `build` here are not emitted: `paved check --base` skips them in the base. */
  readonly unchanged?: ReadonlyMap<string, string>;
};

/**
 * A compile up to emission: validated, resolved and, with a build identity,
 * each service keyed. `paved check --base` keys the base's services before the
 * working tree's compile and emits what it must of the base after it, from one
 * validation.
 */
export interface PreparedCompile {
  readonly loaded: LoadedSources;
  readonly output: OutputDirectories;
  /** Load and validation problems; with an error, there is no project. */
  readonly diagnostics: readonly Diagnostic[];
  readonly project?: ResolvedProject;
  readonly scopes?: ReadonlyMap<ResolvedService, ResolvedProject>;
  readonly keys?: ReadonlyMap<ResolvedService, string>;
}

/** validate → resolve, and with `build` the key of every service (cache.ts serviceKey). */
export function prepareSources(loaded: LoadedSources, outDir: string | undefined, build: string | undefined): PreparedCompile {
  const output = outputDirectories(loaded.platform?.data, outDir);
  const diagnostics: Diagnostic[] = [...loaded.loadDiagnostics];
  const validated = validateProject(loaded.platform, loaded.services, {
    outDir,
    loadFailed: diagnostics.length > 0,
    releasesFile: loaded.releases,
    ...(loaded.modules ? { modules: loaded.modules } : {}),
  });
  append(diagnostics, validated.diagnostics);
  if (hasErrors(diagnostics) || !validated.valid) return { loaded, output, diagnostics };
  const project = resolveProject(validated.valid, outDir);
  const scopes = build === undefined ? undefined : serviceScopes(project);
  const keys = build === undefined || scopes === undefined ? undefined : serviceKeys(build, scopes);
  return { loaded, output: project.output, diagnostics, project, ...(scopes && keys ? { scopes, keys } : {}) };
}

/** Spec path -> key of every service of a prepared compile that validated and was keyed; else undefined. */
export function specKeys(prepared: PreparedCompile): Map<string, string> | undefined {
  const { project, keys } = prepared;
  return project && keys ? new Map(project.services.map((s) => [s.specPath, keys.get(s)!])) : undefined;
}

/**
 * Spec path -> key of every service keyed the same in two prepared compiles
 * (under one build): what emitPrepared's `unchanged` leaves out of both, since
 * the same key emits the same files. Empty when either was not keyed.
 */
export function sharedKeys(a: PreparedCompile, b: PreparedCompile): Map<string, string> {
  const other = specKeys(b);
  return new Map([...(specKeys(a) ?? [])].filter(([spec, key]) => other?.get(spec) === key));
}

/** emit over a prepared compile: every service, but those a previous compile, an anchor or `unchanged` vouches for. */
export function emitPrepared(prepared: PreparedCompile, options: EmitOptions): CompileResult {
  const { loaded, project, scopes, keys } = prepared;
  const diagnostics: Diagnostic[] = [...prepared.diagnostics];
  if (project === undefined)
    return { diagnostics: normalizeDiagnostics(diagnostics), files: [], kept: [], owners: new Map(), output: prepared.output, sources: loaded.sources };

  const previous = options.previous;
  const anchor = options.anchor && options.root !== undefined && sameOutput(options.anchor.record.output, project.output) ? options.anchor : undefined;
  const unchanged = options.unchanged;
  const scopeSpecs = scopes && specPaths(scopes);
  // The specs the services an anchor kept cover: their own, and their preview dependencies'.
  const covered = new Set<string>();
  const fromRecord = anchor && keys && scopeSpecs ? reuseFromCheckRecord(options.root!, anchor, keys, scopeSpecs) : undefined;
  const reuse: Reuse | undefined =
    previous?.cache && keys && scopeSpecs
      ? reuseFromCache(previous.root, previous.cache, previous.owned, keys, scopeSpecs)
      : fromRecord
        ? (service) => {
            const files = fromRecord(service);
            if (files) for (const spec of scopeSpecs!.get(service)!) covered.add(spec);
            return files;
          }
        : unchanged && keys
          ? (service) => (unchanged.get(service.specPath) === keys.get(service) ? [] : undefined)
          : undefined;
  const emitWith = (vouch: Reuse | undefined): EmitOutcome =>
    options.keepValues
      ? emit(project, options.emitters, vouch, emitKeepingValues, true)
      : emit(project, options.emitters, vouch, options.emitServices, false, options.sink?.(project.output));
  let emitted = emitWith(reuse);
  // A record that left out a file a kept service emits would leave it unplanned: then nothing is kept (cache.ts
  // recordLeftOut). An anchored compile keeps its values and streams nothing (cli/commands.ts), so emitting again is safe.
  if (anchor && covered.size > 0) {
    const planned = new Set([...emitted.files, ...emitted.streamed, ...emitted.kept].map((f) => f.path));
    if (recordLeftOut(anchor.baseManifest, covered, planned) !== undefined) emitted = emitWith(undefined);
  }
  // Emitters know the spec pointer of a problem (an override that does not apply), not its line.
  const specFiles = new Map([...loaded.services, ...(loaded.platform ? [loaded.platform] : [])].map((f) => [f.path, f]));
  diagnostics.push(
    ...emitted.diagnostics.map((d) =>
      d.range || !d.file || !d.pointer || !specFiles.has(d.file) ? d : { ...d, range: locate(specFiles.get(d.file)!, d.pointer) },
    ),
  );
  const failed = hasErrors(diagnostics);
  const units =
    keys && !failed
      ? Object.fromEntries(
          project.services.flatMap((s) => {
            const files = emitted.unitFiles.get(s.name);
            return files ? [[s.specPath, { key: keys.get(s)!, files }]] : [];
          }),
        )
      : undefined;
  const cache: CacheRecord | undefined =
    previous && units ? { location: previous.location, build: previous.build, previous: previous.cache, units } : undefined;
  return {
    diagnostics: normalizeDiagnostics(diagnostics),
    files: failed ? [] : emitted.files,
    ...(options.sink && !failed ? { streamed: emitted.streamed } : {}),
    kept: failed ? [] : emitted.kept,
    owners: failed ? new Map() : emitted.owners,
    ...(cache ? { cache } : {}),
    ...(units ? { units } : {}),
    output: project.output,
    project,
    sources: loaded.sources,
  };
}

const sameOutput = (a: OutputDirectories, b: OutputDirectories): boolean => a.dir === b.dir && a.workflowsDir === b.workflowsDir;

/** The project as each service's emitters see it (emit.ts scopedProject). */
function serviceScopes(project: ResolvedProject): Map<ResolvedService, ResolvedProject> {
  const byName = new Map(project.services.map((s) => [s.name, s]));
  return new Map(project.services.map((s) => [s, scopedProject(project, s, byName)]));
}

function serviceKeys(build: string, scopes: ReadonlyMap<ResolvedService, ResolvedProject>): Map<ResolvedService, string> {
  return new Map([...scopes].map(([s, scoped]) => [s, serviceKey(build, scoped)]));
}

/** The specs a service's files may come from: its own, and in a preview its dependencies' (emitters/kubernetes/preview-dependencies.ts). */
function specPaths(scopes: ReadonlyMap<ResolvedService, ResolvedProject>): Map<ResolvedService, ReadonlySet<string>> {
  return new Map([...scopes].map(([s, scoped]) => [s, new Set(scoped.services.map((member) => member.specPath))]));
}

/**
 * The project as loaded, compiled with `text` in place of its releases.yaml:
 * `paved release` checks the file it is about to write, `paved run` renders with
 * one release record only.
 */
export function compileWithReleases(loaded: LoadedSources, text: string, options: Omit<CompileOptions, 'root' | 'build'>): CompileResult {
  const parsed = parseSource(RELEASES_FILE, new TextEncoder().encode(text), 'releases');
  return compileSources(
    {
      ...loaded,
      releases: parsed.file,
      loadDiagnostics: [...loaded.loadDiagnostics.filter((d) => d.file !== RELEASES_FILE), ...parsed.diagnostics],
      sources: new Map([...loaded.sources, [RELEASES_FILE, text]]),
    },
    options,
  );
}

/** A spec file's text with its repo-relative path, as read from git or held in memory. */
export interface SpecText {
  readonly path: string;
  readonly kind: SourceFile['kind'];
  readonly text: string;
}

/** A spec of a git revision: its text, or for a blob over MAX_FILE_BYTES its size alone, LOAD.TOO_LARGE unread as in the work tree. */
export type RevisionSpec = SpecText | { readonly path: string; readonly kind: SourceFile['kind']; readonly size: number };

/** Compiles specs held in memory (another git revision, a fuzz case) exactly as `paved compile` would. */
export function compileTexts(files: readonly SpecText[], emitters: readonly Emitter[], outDir?: string, keepValues = false): CompileResult {
  return emitPrepared(prepareTexts(files, outDir, undefined), { emitters, outDir, keepValues });
}

/**
 * Specs held in memory, parsed, validated, resolved and with `build` keyed:
 * prepareSources over texts. A text `parsed` holds under the same path and
 * kind is not parsed again: the base of `paved check --base` shares nearly
 * every spec with the working tree, and nothing after parsing changes a
 * SourceFile (a test compiles with every one deep-frozen).
 */
export function prepareTexts(files: readonly RevisionSpec[], outDir: string | undefined, build: string | undefined, parsed?: LoadedSources): PreparedCompile {
  const known = new Map((parsed ? [...parsed.services, parsed.platform, parsed.releases] : []).flatMap((f) => (f ? [[f.path, f] as const] : [])));
  const parse = (f: RevisionSpec): Parsed => {
    if (!('text' in f)) return { diagnostics: [tooLarge(f.path, f.size)] };
    const same = known.get(f.path);
    return same && same.kind === f.kind && same.text === f.text
      ? { file: same, text: same.text, diagnostics: [] }
      : parseSource(f.path, new TextEncoder().encode(f.text), f.kind);
  };
  const parsedFiles = files.map((f) => ({ file: f, result: parse(f) }));
  const sources = new Map(parsedFiles.filter((p) => p.result.text !== undefined).map((p) => [p.file.path, p.result.text!]));
  const of = (kind: SourceFile['kind']): SourceFile[] => parsedFiles.filter((p) => p.file.kind === kind && p.result.file).map((p) => p.result.file!);
  return prepareSources(
    {
      platform: of('platform')[0],
      releases: of('releases')[0],
      services: of('service'),
      loadDiagnostics: parsedFiles.flatMap((p) => p.result.diagnostics),
      sources,
    },
    outDir,
    build,
  );
}
