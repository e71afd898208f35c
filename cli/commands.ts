import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTwoFilesPatch } from 'diff';
import { CACHE_FOLDER, pavedBuild, type Anchor } from '../compiler/cache.js';
import { compile, emitPrepared, loadSources, prepareSources, type CompileResult } from '../compiler/compile.js';
import { hasErrors } from '../compiler/diagnostics.js';
import { PLATFORM_FILE } from '../compiler/source.js';
import { validateStarter } from '../compiler/validate/index.js';
import { writeCheckRecord } from '../compiler/write/check-record.js';
import { createFile } from '../compiler/write/create.js';
import { WriteError } from '../compiler/write/errors.js';
import { TreeInspector, type InspectedEntry } from '../compiler/write/inspect.js';
import { TreeWriter } from '../compiler/write/tree.js';
import { defaultPlatform } from '../spec/default-platform.js';
import { checkRecordFile, layout, SPEC_FILES } from '../spec/layout.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { OutputDirectories } from '../spec/model.js';
import { printable } from '../spec/text.js';
import { platformSchema, serviceSchema } from '../spec/index.js';
import { EMIT_IN_THREADS } from './emit-threads.js';
import { emitters } from './emitters.js';
import { formatGithub, formatJson, formatText, printablePatch, type OutputFormat } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, treeRefusal, type Io } from './io.js';
import { checkAgainstBase } from './check-base.js';
import { anchorRecord } from './anchor.js';
import { gitCommit } from './revision.js';
import { driftDiagnostics, unlisted } from './drift.js';
import { renderStarterPlatform } from './starter-platform.js';
import { renderStarterSpec } from './starter.js';
import { shipped } from '../spec/code-root.js';

interface CompilerArguments {
  readonly root: string;
  readonly out: string | undefined;
  readonly format: OutputFormat;
  /** check only: the git revision to compare with for data loss (check-base.ts), and whose check record the check may be anchored on. */
  readonly base?: string;
  /** check only: when the check passes, leave its record for checks of changes to this commit (compiler/cache.ts CheckRecord). */
  readonly record?: boolean;
  /** compile only: list every file written and deleted, not just the summary. */
  readonly verbose?: boolean;
}

/**
 * Without a platform.yaml the embedded default serves: fine for a first look,
 * but its accounts, registry and clusters are examples, so say so every time.
 */
const EXAMPLE_PLATFORM_TEXT = (root: string): string => {
  const { accounts } = defaultPlatform.cloud;
  return `no platform.yaml, so paved used its embedded example platform: AWS accounts ${accounts.staging} (staging) and ${accounts.production} (production), registry ${defaultPlatform.registry}; this output deploys nowhere real. Write your platform's with "paved init --platform${root === '.' ? '' : ` ${JSON.stringify(root)}`}"`;
};

/** Why a file nobody generated fails `paved check`, and what to do about it. */
export function runCompiler(command: 'compile' | 'check' | 'validate', args: CompilerArguments, io: Io): number {
  const progress = args.format === 'text' && command === 'compile' ? io.progress : undefined;
  // A compile writes each service's files as soon as they pass its policy; whatever ends it before the commit rolls them back.
  const writer =
    command === 'compile'
      ? new TreeWriter(resolve(io.cwd, args.root), {
          ...(io.disk ? { disk: io.disk } : {}),
          ...(progress ? { progress: (done: number, total: number) => progress(`paved: writing files: ${done} of ${total}`) } : {}),
        })
      : undefined;
  try {
    return compileAndReport(command, args, io, writer);
  } catch (error) {
    // From the emission's comparison with the disk as much as from the commit.
    return treeRefusal(error, command === 'compile' ? 'write' : 'read', io);
  } finally {
    writer?.abort();
  }
}

function compileAndReport(command: 'compile' | 'check' | 'validate', args: CompilerArguments, io: Io, writer: TreeWriter | undefined): number {
  const root = resolve(io.cwd, args.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    io.stderr(`paved: root ${JSON.stringify(args.root)} is not a directory\n`);
    return EXIT_USAGE;
  }
  // Only compile writes, so only compile records and reuses its previous work. A check emits everything,
  // but the services the base's check record vouches for (docs/incremental.md); it keys services only to use or leave a record.
  const build = command === 'validate' ? undefined : pavedBuild();
  const progress = args.format === 'text' && command === 'compile' ? io.progress : undefined;
  progress?.(`paved: compiling ${args.root}...`);
  const loaded = loadSources(root, args.out);
  const anchored = command === 'check' && args.base !== undefined && build !== undefined ? anchorRecord(root, args.base, build, args.out, loaded) : undefined;
  const anchor = anchored?.anchor;
  // A check compared with a base keys its services: the comparison leaves out those whose key the base shares.
  const keyed = command === 'compile' || (command === 'check' && (args.base !== undefined || args.record === true));
  // A check compares each service's files with the disk as they are emitted, and keeps only what differs. Anchored
  // on a record, the few services it emits reach it after the compile, with the values the comparison with the base
  // reads (they stay in this thread); without one, that comparison emits what it reads itself (check-base.ts).
  const inspector = command === 'check' ? new TreeInspector(root, { blobs: args.record === true }) : undefined;
  const sink = writer ?? (anchor === undefined ? inspector : undefined);
  const options = {
    root,
    outDir: args.out,
    emitters,
    ...(keyed && build !== undefined ? { build } : {}),
    ...(command === 'check' ? { inMemory: true } : {}),
    ...(anchor ? { anchor } : {}),
    ...(sink ? { sink: (output: OutputDirectories) => sink.open(output) } : {}),
    ...(anchor ? { keepValues: true } : { emitServices: EMIT_IN_THREADS }),
  };
  const prepared = command === 'check' && args.base !== undefined ? prepareSources(loaded, args.out, build) : undefined;
  const result = prepared ? emitPrepared(prepared, options) : compile(options, loaded);
  const print = (text: string): void => (args.format === 'text' ? io.stderr(text) : io.stdout(text));
  if (args.format === 'text') print(formatText(result.diagnostics, result.sources));
  else if (args.format === 'github') print(formatGithub(result.diagnostics));
  // The compile read every spec there is: no platform.yaml text means the embedded platform served.
  if (!hasErrors(result.diagnostics) && !result.sources.has(PLATFORM_FILE)) {
    if (args.format === 'text') io.stderr(`paved: warning: ${EXAMPLE_PLATFORM_TEXT(args.root)}\n`);
    else if (args.format === 'github') io.stdout(`::warning title=paved::${EXAMPLE_PLATFORM_TEXT(args.root)}\n`);
  }

  if (hasErrors(result.diagnostics)) {
    if (args.format === 'json') print(formatJson(result.diagnostics));
    const count = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (args.format === 'text') io.stderr(`paved: ${count} error${count === 1 ? '' : 's'}; nothing written\n`);
    return EXIT_PROBLEMS;
  }
  const services = result.project?.services.length ?? 0;
  if (command === 'validate') {
    if (args.format === 'json') print(formatJson(result.diagnostics));
    else if (args.format === 'text') io.stdout(`paved: ${services} service${services === 1 ? '' : 's'} valid\n`);
    return EXIT_OK;
  }
  if (command === 'compile') {
    const report = writer!.commit(result.kept, result.cache);
    progress?.('');
    if (args.format === 'json') {
      io.stdout(
        `${JSON.stringify({ diagnostics: result.diagnostics, written: report.written, deleted: report.deleted, unchanged: report.unchanged, unlisted: report.unlisted }, null, 2)}\n`,
      );
    } else if (args.format === 'text') {
      // A large repository writes tens of thousands of files: the list is for --verbose, the summary is for everyone.
      if (args.verbose) {
        for (const path of report.written) io.stdout(`wrote   ${printable(path)}\n`);
        for (const path of report.deleted) io.stdout(`deleted ${printable(path)}\n`);
      }
      // Left where they are: paved deletes only what it owns. `paved check` fails until they go.
      for (const entry of report.unlisted) {
        const { message, hint } = unlisted(entry, layout.manifest(result.output));
        io.stderr(`paved: warning: ${printable(entry.path)}: ${message}; ${hint}\n`);
      }
      const reused = result.kept.length > 0 ? ` (${result.kept.length} kept from the last compile)` : '';
      io.stdout(
        `paved: ${services} service${services === 1 ? '' : 's'}, ${(result.streamed ?? result.files).length + result.kept.length} files: ${report.written.length} written, ${report.deleted.length} deleted, ${report.unchanged} unchanged${reused}\n`,
      );
    }
    return EXIT_OK;
  }
  let dataLoss: Diagnostic[] = [];
  if (args.base !== undefined) {
    const checked = checkAgainstBase(root, args.base, args.out, result, prepared!, build, anchored);
    if ('problem' in checked) {
      io.stderr(`paved: ${checked.problem}\n`);
      return EXIT_USAGE;
    }
    dataLoss = checked.diagnostics;
    if (args.format === 'text') print(formatText(dataLoss, checked.sources));
    else if (args.format === 'github') print(formatGithub(dataLoss));
  }
  const losesData = hasErrors(dataLoss);
  if (result.streamed === undefined) inspector!.open(result.output).stage(result.files);
  const state = inspector!.finish(result.kept);
  const manifest = layout.manifest(result.output);
  const drift = driftDiagnostics(state, manifest);
  if (args.format === 'json') {
    const differences = [
      ...state.differences.map(({ path, kind }) => ({ path, kind })),
      ...state.unlisted.map(({ path, type }) => ({ path, kind: 'unlisted', ...(type ? { type } : {}) })),
    ];
    io.stdout(
      `${JSON.stringify({ diagnostics: [...result.diagnostics, ...dataLoss, ...drift], differences, manifestCurrent: state.manifestCurrent }, null, 2)}\n`,
    );
  } else if (args.format === 'github') {
    io.stdout(formatGithub(drift));
  } else {
    // Each difference in a file paved owns (or would create) is shown as a patch under its diagnostic.
    const patches = new Map(
      state.differences
        .filter((d) => d.kind !== 'unowned')
        .map((d) => [
          d.path,
          printablePatch(createTwoFilesPatch(`a/${d.path}`, `b/${d.path}`, d.actual ?? '', d.expected ?? '', undefined, undefined, { context: 3 })),
        ]),
    );
    for (const d of drift) io.stdout(formatText([d], result.sources) + (patches.get(d.file!) ?? ''));
    const stale = state.differences.length > 0 || !state.manifestCurrent;
    if (stale) io.stdout(`paved: generated files are out of date; run "paved compile" and commit the result\n`);
    if (state.unlisted.length > 0)
      io.stdout(
        `paved: ${state.unlisted.length} file${state.unlisted.length === 1 ? '' : 's'} in the generated folders ${state.unlisted.length === 1 ? 'is' : 'are'} not generated by paved; remove ${state.unlisted.length === 1 ? 'it' : 'them'}\n`,
      );
    if (drift.length === 0) io.stdout(`paved: ${inspector!.emitted.length + result.kept.length} generated files up to date\n`);
    if (result.kept.length > 0) {
      const kept = new Set(result.kept.map((k) => k.source)).size;
      io.stdout(
        `paved: ${kept} of ${services} services unchanged since the check of ${args.base}: their files were compared with its record, not emitted again\n`,
      );
    }
    if (dataLoss.some((d) => d.code === 'CHECK.BASE_DOES_NOT_COMPILE'))
      // Its errors are the base's own, not changes: none of them destroys data, and what would was not found out.
      io.stdout(`paved: the specs at ${args.base} do not compile, so what this change would destroy was not checked\n`);
    else if (losesData) {
      const shrinks = dataLoss.filter((d) => d.code === 'CHECK.STORAGE_SHRINK').length;
      const count = dataLoss.filter((d) => d.severity === 'error').length - shrinks;
      if (count > 0) io.stdout(`paved: compared with ${args.base}, ${count} change${count === 1 ? '' : 's'} would destroy data nobody acknowledged\n`);
      if (shrinks > 0)
        io.stdout(`paved: compared with ${args.base}, ${shrinks} database${shrinks === 1 ? '' : 's'} would shrink its storage, which RDS never does\n`);
    }
  }
  const failed = drift.length > 0 || losesData;
  if (!failed && args.record) recordCheck(root, result, inspector!.emitted, build, anchor, io);
  return failed ? EXIT_PROBLEMS : EXIT_OK;
}

/**
 * `check --record`: leaves the record of this passing check under HEAD's commit in the root's cache folder.
 * What it records is true of this build's output whatever the work tree holds (key -> files), so a dirty tree
 * costs nothing but the lookup: a later check finds it by the commit it names.
 */
function recordCheck(
  root: string,
  result: CompileResult,
  emitted: readonly InspectedEntry[],
  build: string | undefined,
  anchor: Anchor | undefined,
  io: Io,
): void {
  const commit = gitCommit(root, 'HEAD');
  const why =
    build === undefined
      ? 'this paved has no build identity (dist/build-id.txt)'
      : commit === undefined
        ? 'the root is not in a git work tree with a commit'
        : result.units === undefined
          ? 'nothing was compiled'
          : undefined;
  // A kept file is the base commit's blob at its path: reuseFromCheckRecord keeps nothing else.
  const kept = result.kept.map((k) => ({ ...k, blob: anchor!.baseBlob(k.path)! }));
  if (why !== undefined || !writeCheckRecord(root, commit!, build!, result.output, result.units!, [...emitted, ...kept])) {
    io.stderr(
      `paved: warning: no check record written: ${why ?? `${CACHE_FOLDER}/${checkRecordFile(commit!)} cannot be written there (is something other than a folder at ${CACHE_FOLDER}, or at the record's name?)`}\n`,
    );
  }
}

export function printSchema(which: 'service' | 'platform', io: Io): number {
  io.stdout(`${JSON.stringify(which === 'service' ? serviceSchema : platformSchema, null, 2)}\n`);
  return EXIT_OK;
}

/** `paved init --platform`: the starter platform.yaml (starter-platform.ts), never over an existing file. */
export function runInitPlatform(dir: string, io: Io): number {
  // 8 hex digits: 32 random bits, chosen once; the file is the platform team's from here on.
  const contents = renderStarterPlatform({ schemaPath: schemaPathFrom(dir, 'platform', io), bucketNameSuffix: randomBytes(4).toString('hex') });
  const target = resolve(io.cwd, dir, SPEC_FILES.platform);
  const refused = createStarter(target, contents, dir, io);
  if (refused !== undefined) return refused;
  io.stdout(
    `created ${relative(io.cwd, target)}\nnext: fill in every "" (paved validate${dir === '.' ? '' : ` ${JSON.stringify(dir)}`} points at each one left), then run "paved compile"\n`,
  );
  return EXIT_OK;
}

/** The path from `dir` to one of paved's JSON Schemas, for the starter's yaml-language-server line. */
function schemaPathFrom(dir: string, kind: 'service' | 'platform', io: Io): string {
  const schemaFile = fileURLToPath(shipped(`../spec/${kind}.schema.json`));
  return relative(resolve(io.cwd, dir), schemaFile).split('\\').join('/');
}

/** Writes a starter file that must not exist yet; an exit code when it cannot be written, undefined when written. */
function createStarter(target: string, contents: string, dir: string, io: Io): number | undefined {
  try {
    createFile(target, contents, io.cwd);
    return undefined;
  } catch (error) {
    if (error instanceof WriteError && error.userError) {
      io.stderr(`paved: ${error.message}\npaved: nothing written\n`);
      return EXIT_PROBLEMS;
    }
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      io.stderr(`paved: ${relative(io.cwd, target) || target} already exists; paved init never overwrites a file\n`);
      return EXIT_PROBLEMS;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr(`paved: ${JSON.stringify(dir)} is not a directory\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

export function runInit(dir: string, name: string, io: Io): number {
  const target = resolve(io.cwd, dir, SPEC_FILES.service);
  const contents = renderStarterSpec({ name, schemaPath: schemaPathFrom(dir, 'service', io) });
  const problems = validateStarter(contents);
  if (problems.length > 0) {
    io.stderr(formatText(problems, new Map([['service.yaml', contents]])));
    io.stderr(`paved: cannot create a service named ${JSON.stringify(name)}\n`);
    return EXIT_PROBLEMS;
  }
  const refused = createStarter(target, contents, dir, io);
  if (refused !== undefined) return refused;
  io.stdout(`created ${relative(io.cwd, target)}\nnext: edit it, then run "paved compile"\n`);
  return EXIT_OK;
}
