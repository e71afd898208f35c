import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTwoFilesPatch } from 'diff';
import { pavedBuild } from '../compiler/cache.js';
import { compile } from '../compiler/compile.js';
import { hasErrors } from '../compiler/diagnostics.js';
import { emitInThreads } from '../compiler/parallel.js';
import { validateStarter } from '../compiler/validate/index.js';
import { createFile, inspectTree, manifestPath, writeTree, WriteError, type Difference } from '../compiler/write.js';
import { platformSchema, serviceSchema } from '../spec/index.js';
import { emitters } from './emitters.js';
import { formatGithub, formatJson, formatText, type OutputFormat } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './main.js';
import { renderStarterSpec } from './starter.js';

interface CompilerArguments {
  readonly root: string;
  readonly out: string | undefined;
  readonly format: OutputFormat;
}

const EMIT_IN_THREADS = emitInThreads(new URL('./emit-worker.js', import.meta.url));

const DIFFERENCE_TEXT: Readonly<Record<Difference['kind'], string>> = {
  missing: 'missing: paved would create it',
  stale: 'stale: its spec or platform changed since the last compile',
  edited: 'hand-edited: it differs from what paved last wrote',
  orphaned: 'orphaned: paved owns it but no spec produces it any more',
  unowned: 'in the way: paved would write here but does not own the file',
};

export function runCompiler(command: 'compile' | 'check' | 'validate', args: CompilerArguments, io: Io): number {
  const root = resolve(io.cwd, args.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    io.stderr(`paved: root ${JSON.stringify(args.root)} is not a directory\n`);
    return EXIT_USAGE;
  }
  // Only compile writes, so only compile records and reuses its previous work; check always emits everything.
  const result = compile({ root, outDir: args.out, emitters, build: command === 'compile' ? pavedBuild() : undefined, emitServices: EMIT_IN_THREADS });
  const print = (text: string): void => (args.format === 'text' ? io.stderr(text) : io.stdout(text));
  if (args.format === 'text') print(formatText(result.diagnostics, result.sources));
  else if (args.format === 'github') print(formatGithub(result.diagnostics));

  if (hasErrors(result.diagnostics)) {
    if (args.format === 'json') print(formatJson(result.diagnostics));
    const count = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (args.format === 'text') io.stderr(`paved: ${count} error${count === 1 ? '' : 's'}; nothing written\n`);
    return EXIT_PROBLEMS;
  }
  const services = result.project?.services.length ?? 0;
  try {
    if (command === 'validate') {
      if (args.format === 'json') print(formatJson(result.diagnostics));
      else if (args.format === 'text') io.stdout(`paved: ${services} service${services === 1 ? '' : 's'} valid\n`);
      return EXIT_OK;
    }
    if (command === 'compile') {
      const report = writeTree(root, result.output, result.files, { kept: result.kept, cache: result.cache });
      if (args.format === 'json') {
        io.stdout(`${JSON.stringify({ diagnostics: result.diagnostics, written: report.written, deleted: report.deleted, unchanged: report.unchanged }, null, 2)}\n`);
      } else if (args.format === 'text') {
        for (const path of report.written) io.stdout(`wrote   ${path}\n`);
        for (const path of report.deleted) io.stdout(`deleted ${path}\n`);
        const reused = result.kept.length > 0 ? ` (${result.kept.length} kept from the last compile)` : '';
        io.stdout(`paved: ${services} service${services === 1 ? '' : 's'}, ${result.files.length + result.kept.length} files: ${report.written.length} written, ${report.deleted.length} deleted, ${report.unchanged} unchanged${reused}\n`);
      }
      return EXIT_OK;
    }
    const state = inspectTree(root, result.output, result.files);
    const drift = state.differences.length > 0 || !state.manifestCurrent;
    if (args.format === 'json') {
      io.stdout(`${JSON.stringify({ diagnostics: result.diagnostics, differences: state.differences.map(({ path, kind }) => ({ path, kind })), manifestCurrent: state.manifestCurrent }, null, 2)}\n`);
    } else if (args.format === 'github') {
      for (const d of state.differences) io.stdout(`::error file=${d.path},title=paved check::${DIFFERENCE_TEXT[d.kind]}; run paved compile and commit the result\n`);
      if (!state.manifestCurrent) io.stdout(`::error file=${manifestPath(result.output)},title=paved check::the manifest of generated files is out of date; run paved compile\n`);
    } else {
      for (const d of state.differences) {
        io.stdout(`${d.path}: ${DIFFERENCE_TEXT[d.kind]}\n`);
        if (d.kind !== 'unowned') io.stdout(createTwoFilesPatch(`a/${d.path}`, `b/${d.path}`, d.actual ?? '', d.expected ?? '', undefined, undefined, { context: 3 }));
      }
      if (!state.manifestCurrent && state.differences.length === 0) io.stdout(`${manifestPath(result.output)}: out of date\n`);
      io.stdout(drift ? `paved: generated files are out of date; run "paved compile" and commit the result\n` : `paved: ${result.files.length} generated files up to date\n`);
    }
    return drift ? EXIT_PROBLEMS : EXIT_OK;
  } catch (error) {
    if (error instanceof WriteError) {
      io.stderr(`paved: ${error.message}\n`);
      return error.userError ? EXIT_PROBLEMS : EXIT_USAGE;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO'].includes(code)) {
      io.stderr(`paved: cannot write the generated tree: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

export function printSchema(which: 'service' | 'platform', io: Io): number {
  io.stdout(`${JSON.stringify(which === 'service' ? serviceSchema : platformSchema, null, 2)}\n`);
  return EXIT_OK;
}

export function runInit(dir: string, name: string, io: Io): number {
  const target = resolve(io.cwd, dir, 'service.yaml');
  const schemaFile = fileURLToPath(new URL('../../spec/service.schema.json', import.meta.url));
  const schemaPath = relative(resolve(io.cwd, dir), schemaFile).split('\\').join('/');
  const contents = renderStarterSpec({ name, schemaPath });
  const problems = validateStarter(contents);
  if (problems.length > 0) {
    io.stderr(formatText(problems, new Map([['service.yaml', contents]])));
    io.stderr(`paved: cannot create a service named ${JSON.stringify(name)}\n`);
    return EXIT_PROBLEMS;
  }
  try {
    createFile(target, contents);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      io.stderr(`paved: ${relative(io.cwd, target) || target} already exists; paved init never overwrites a file\n`);
      return EXIT_PROBLEMS;
    }
    throw error;
  }
  io.stdout(`created ${relative(io.cwd, target)}\nnext: edit it, then run "paved compile"\n`);
  return EXIT_OK;
}
