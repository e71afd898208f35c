import type { Diagnostic } from '../spec/diagnostic.js';
import { DIAGNOSTIC_CODES } from '../spec/diagnostic-codes.js';
import type { Emitter, EmitResult, FileOwner, GeneratedFile } from '../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';
import { hasErrors } from './diagnostics.js';
import { checkProjectOutput, checkServiceOutput } from './policy/check.js';
import { previewDependencies } from '../spec/preview-dependencies.js';
import { pathProblem } from './write/resolver.js';

export { pathProblem };
import type { ManifestEntry } from './write/manifest.js';
import { append } from '../spec/append.js';

/** Who planned a file: an emitter (or a previous compile), for one service or for the whole repository. */
interface Planner {
  readonly file: GeneratedFile | ManifestEntry;
  readonly emitter: string;
  readonly service?: ResolvedService;
}

function describePlanner(planner: Planner): string {
  return planner.service
    ? `service ${JSON.stringify(planner.service.name)} (emitter "${planner.emitter}")`
    : `the repository-wide files (emitter "${planner.emitter}")`;
}

export interface EmitOutcome {
  /** Sorted by path with plain code-unit order; empty when streamed to a sink. */
  readonly files: readonly GeneratedFile[];
  /** With a sink: every file it took, without its bytes; sorted by path. */
  readonly streamed: readonly ManifestEntry[];
  /** Files of services not emitted again because `reuse` vouched for them; sorted by path. */
  readonly kept: readonly ManifestEntry[];
  /**
   * Service name -> the paths of its files, emitted or kept, sorted: for each
   * service a later compile may reuse. One whose emission reported anything (a
   * waived policy finding, a warning) is left out, so every compile reports it
   * again: reusing its files would drop the report.
   */
  readonly unitFiles: ReadonlyMap<string, readonly string[]>;
  /** Path -> who planned it, for every file emitted or kept: `paved diff` groups by it. */
  readonly owners: ReadonlyMap<string, FileOwner>;
  readonly diagnostics: readonly Diagnostic[];
}

/** The files a previous compile produced for this service, when it would produce them again; else undefined. */
export type Reuse = (service: ResolvedService) => readonly ManifestEntry[] | undefined;

/** What every emitter produced for one service, in emitter order. */
export type ServiceEmission = ReadonlyArray<{ readonly emitter: string; readonly result: EmitResult }>;

/**
 * Emits many services: one after another by default, or spread over threads
 * (compiler/parallel.ts). Each service's emission goes to `deliver` with its
 * index as soon as it is made, in whatever order the threads finish.
 */
export type EmitServices = (
  project: ResolvedProject,
  services: readonly ResolvedService[],
  emitters: readonly Emitter[],
  deliver: (index: number, emission: ServiceEmission) => void,
) => void;

export const emitSequentially: EmitServices = (project, services, emitters, deliver) => {
  const byName = new Map(project.services.map((s) => [s.name, s]));
  services.forEach((service, i) => deliver(i, emitService(project, service, emitters, byName)));
};

/** One after another, and the files keep their structured values: for `paved diff`, which compares what the files were serialized from. */
export const emitKeepingValues: EmitServices = (project, services, emitters, deliver) => {
  const byName = new Map(project.services.map((s) => [s.name, s]));
  services.forEach((service, i) => deliver(i, emitService(project, service, emitters, byName, true)));
};

/**
 * Where `paved compile` streams files (write/tree.ts TreeWriter): each
 * service's files once its emission and policy passed, the repository-wide
 * files once everything did. It returns what is kept of them: their entries.
 */
export interface FileSink {
  stage(files: readonly GeneratedFile[]): readonly ManifestEntry[];
}

/**
 * Every emitter over one service, which sees only the part of the project its
 * key covers, then the security policy over what they made (compiler/policy),
 * on the thread that emitted it. The policy's diagnostics come last, as the
 * `policy` entry; the files leave without the structured values the policy
 * read, so those never cross a thread or outlive the service.
 */
export function emitService(
  project: ResolvedProject,
  service: ResolvedService,
  emitters: readonly Emitter[],
  byName: ReadonlyMap<string, ResolvedService>,
  keepValues = false,
): ServiceEmission {
  const run = (variant: ResolvedService): ServiceEmission => {
    const scoped = scopedProject(project, variant, byName);
    return emitters.map((emitter) => ({ emitter: emitter.id, result: emitter.emitService(variant, scoped) }));
  };
  const emission = run(service);
  const failed = (e: ServiceEmission): boolean => e.some(({ result }) => hasErrors(result.diagnostics));
  const policy = failed(emission)
    ? []
    : checkServiceOutput(scopedProject(project, service, byName), service, filesOf(emission), (variant) => {
        const again = run(variant);
        return failed(again) ? undefined : filesOf(again);
      });
  return [
    ...emission.map(({ emitter, result }) => ({
      emitter,
      result: { files: keepValues ? result.files : result.files.map(forWriter), diagnostics: result.diagnostics },
    })),
    { emitter: 'policy', result: { files: [], diagnostics: policy } },
  ];
}

/** Every emitter's files of one service, in emitter order (a loop: flatMap took four times as long, 13 ms in a 300-service compile). */
function filesOf(emission: ServiceEmission): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const { result } of emission) for (const file of result.files) files.push(file);
  return files;
}

/** A file as the writer needs it: without the structured value and waivers the policy read. */
function forWriter(file: GeneratedFile): GeneratedFile {
  if (file.value === undefined && file.waivers === undefined) return file;
  const { value: _value, waivers: _waivers, ...rest } = file;
  return rest;
}

/**
 * Runs every emitter over every service, then once over the project. Rejects
 * paths outside the output directories and two files planned at one path.
 * With `reuse`, a service whose files are vouched for is not emitted again;
 * its paths still take part in the collision checks. With a `sink`, files go
 * to it as they are emitted (see FileSink) and only their entries are kept;
 * after the first error nothing more goes to it, since the compile will fail.
 */
export function emit(
  project: ResolvedProject,
  emitters: readonly Emitter[],
  reuse?: Reuse,
  emitServices: EmitServices = emitSequentially,
  keepValues = false,
  sink?: FileSink,
): EmitOutcome {
  const diagnostics: Diagnostic[] = [];
  const planned = new Map<string, Planner>();
  const folded = new Map<string, string>();
  const roots = [project.output.dir, project.output.workflowsDir];

  const accept = (planner: Planner): void => {
    const { file, emitter } = planner;
    const problem = pathProblem(file.path, roots);
    if (problem) {
      diagnostics.push({
        code: 'EMIT.BAD_PATH',
        severity: 'error',
        message: `emitter "${emitter}" planned ${JSON.stringify(file.path)}: ${problem}`,
        hint: DIAGNOSTIC_CODES['EMIT.BAD_PATH'].hint,
        file: file.source,
      });
      return;
    }
    // Case-insensitive file systems (macOS, Windows) would merge paths differing only in case.
    const foldedPath = file.path.toLowerCase();
    const foldedOwner = folded.get(foldedPath);
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
    folded.set(foldedPath, file.path);
  };

  const reused = new Map(project.services.map((s) => [s, reuse?.(s)]));
  const toEmit = project.services.filter((s) => reused.get(s) === undefined);
  const emissions = new Map<ResolvedService, Emitted>();
  const streamed = new Set<GeneratedFile | ManifestEntry>();
  let failed = false;
  emitServices(project, toEmit, emitters, (i, emission) => {
    if (sink) failed ||= emission.some(({ result }) => hasErrors(result.diagnostics));
    emissions.set(toEmit[i]!, sink ? streamTo(failed ? undefined : sink, emission, streamed) : emission);
  });
  const unitFiles = new Map<string, string[]>();
  // In service order, whoever emitted what, so collisions are reported the same way every time.
  for (const service of project.services) {
    const paths: string[] = [];
    for (const file of reused.get(service) ?? []) {
      accept({ file, emitter: 'previous compile', service });
      paths.push(file.path);
    }
    let reported = false;
    for (const { emitter, result } of emissions.get(service) ?? []) {
      append(diagnostics, result.diagnostics);
      reported ||= result.diagnostics.length > 0;
      for (const file of result.files) accept({ file, emitter, service });
      paths.push(...result.files.map((f) => f.path));
    }
    if (!reported) unitFiles.set(service.name, paths.sort(compareText));
  }
  const projectFiles: GeneratedFile[] = [];
  for (const emitter of emitters) {
    if (!emitter.emitProject) continue;
    const result = emitter.emitProject(project);
    append(diagnostics, result.diagnostics);
    for (const file of result.files) accept({ file: keepValues ? file : forWriter(file), emitter: emitter.id });
    append(projectFiles, result.files);
  }
  if (!hasErrors(diagnostics)) append(diagnostics, checkProjectOutput(project, projectFiles));

  const all = [...planned.values()].map((p) => p.file).sort((a, b) => compareText(a.path, b.path));
  let files = all.filter((f): f is GeneratedFile => 'contents' in f);
  const kept = all.filter((f): f is ManifestEntry => !('contents' in f) && !streamed.has(f));
  // What is left with bytes are the repository-wide files: they follow once the whole compile passed.
  let projectEntries: readonly ManifestEntry[] = [];
  if (sink && !hasErrors(diagnostics)) {
    projectEntries = sink.stage(files);
    files = [];
  }
  const owners = fileOwners(planned);
  const streamedEntries = [...all.filter((f): f is ManifestEntry => streamed.has(f)), ...projectEntries].sort((a, b) => compareText(a.path, b.path));
  // The closures of this call can outlive it (V8's call feedback keeps `deliver`), and with them everything they see: a file each.
  planned.clear();
  folded.clear();
  streamed.clear();
  emissions.clear();
  return { files, streamed: streamedEntries, kept, unitFiles, owners, diagnostics };
}

/** Path -> who planned it; one owner object per service and emitter, shared by all their files. */
function fileOwners(planned: ReadonlyMap<string, Planner>): Map<string, FileOwner> {
  const shared = new Map<ResolvedService | undefined, Map<string, FileOwner>>();
  const owners = new Map<string, FileOwner>();
  for (const [path, { emitter, service }] of planned) {
    let byEmitter = shared.get(service);
    if (!byEmitter) shared.set(service, (byEmitter = new Map()));
    let owner = byEmitter.get(emitter);
    if (!owner) byEmitter.set(emitter, (owner = { emitter, ...(service ? { service: service.name } : {}) }));
    owners.set(path, owner);
  }
  return owners;
}

/** A service's emission once streamed: each emitter's files replaced by their entries. */
type Emitted = ReadonlyArray<{
  readonly emitter: string;
  readonly result: { readonly diagnostics: readonly Diagnostic[]; readonly files: ReadonlyArray<GeneratedFile | ManifestEntry> };
}>;

/**
 * One service's emission with its files handed to `sink` (all at once, so the
 * writer journals them in one step) and replaced by their entries; without a
 * sink (the compile is failing) by their paths alone.
 */
function streamTo(sink: FileSink | undefined, emission: ServiceEmission, streamed: Set<GeneratedFile | ManifestEntry>): Emitted {
  const files = filesOf(emission);
  const entries = sink ? sink.stage(files) : files.map(({ path, source }) => ({ path, source, sha256: '' }));
  for (const entry of entries) streamed.add(entry);
  let next = 0;
  return emission.map(({ emitter, result }) => ({
    emitter,
    result: { diagnostics: result.diagnostics, files: entries.slice(next, (next += result.files.length)) },
  }));
}

/**
 * The project as one service's emitters see it: every service it depends on,
 * and no other; with previews, transitively, since its preview brings them all
 * (spec/preview-dependencies.ts). A service's files are thus a function of its
 * resolved model, the models it references and the platform: exactly what its
 * cache key covers.
 */
export function scopedProject(project: ResolvedProject, service: ResolvedService, byName: ReadonlyMap<string, ResolvedService>): ResolvedProject {
  const direct = service.dependsOn.map((name) => byName.get(name)).filter((s): s is ResolvedService => s !== undefined);
  const referenced = [service, ...(service.environments.preview.enabled && !service.retired ? previewDependencies(service, byName) : direct)];
  return { ...project, services: [...new Set(referenced)].sort((a, b) => compareText(a.name, b.name)) };
}
