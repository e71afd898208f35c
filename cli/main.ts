import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandNamed } from './command-table.js';
import type { OutputFormat } from './format.js';
import { renderCommandHelp, renderHelp } from './help.js';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.js';

/** `paved --help`, printed from the command table (command-table.ts, help.ts). */
export const HELP = renderHelp();

/** Every option main() parses; each is documented in the command table (test/conformance/cli.test.ts holds the two together). */
export const PARSE_OPTIONS = {
  root: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  name: { type: 'string' },
  env: { type: 'string' },
  tag: { type: 'string' },
  digest: { type: 'string' },
  base: { type: 'string' },
  pr: { type: 'string' },
  image: { type: 'string' },
  id: { type: 'string' },
  releases: { type: 'string' },
  language: { type: 'string' },
  dir: { type: 'string' },
  with: { type: 'string' },
  force: { type: 'boolean' },
  platform: { type: 'boolean' },
  show: { type: 'boolean' },
  'record-only': { type: 'boolean' },
  print: { type: 'boolean' },
  record: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  // Carriage return and erase-to-end-of-line: the line is rewritten in place, and cleared at the end.
  ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`\r${text}\x1b[K`) } : {}),
};

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: PARSE_OPTIONS,
    });
  } catch (error) {
    io.stderr(`paved: ${(error as Error).message}\nRun "paved --help" for usage.\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    // `paved help compile` and `paved compile --help` print one command's help; a bare one, the list.
    const topic = command === 'help' ? (rest[0] ?? (values.help ? 'help' : undefined)) : command;
    if (topic === undefined) {
      io.stdout(HELP);
      return EXIT_OK;
    }
    const entry = commandNamed(topic);
    if (entry === undefined || (command === 'help' && rest.length > 1)) {
      io.stderr(
        `paved: ${entry === undefined ? `unknown command ${JSON.stringify(topic)}` : 'help takes at most one command'}\nRun "paved --help" for usage.\n`,
      );
      return EXIT_USAGE;
    }
    io.stdout(renderCommandHelp(entry));
    return EXIT_OK;
  }
  if (values.version) {
    const { version } = await import('./version.js');
    io.stdout(`${version}\n`);
    return EXIT_OK;
  }
  const usage = (message: string): number => {
    io.stderr(`paved: ${message}\nRun "paved --help" for usage.\n`);
    return EXIT_USAGE;
  };
  // What each command prints is declared once, in its table entry (command-table.ts).
  const entry = command === undefined ? undefined : commandNamed(command);
  const formats: readonly string[] = entry?.formats ?? [];
  const format = values.format ?? 'text';
  if (entry !== undefined && values.format !== undefined && !formats.includes(format)) {
    return usage(
      formats.length === 0
        ? `${command} prints text only; it takes no --format`
        : `${command} prints ${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}, not ${JSON.stringify(format)} (--format)`,
    );
  }

  try {
    switch (command) {
      case 'compile':
      case 'check':
      case 'validate': {
        if (rest.length > 1) return usage(`${command} takes at most one root directory`);
        if (rest.length === 1 && values.root !== undefined) return usage('give the root either as an argument or with --root, not both');
        if (values.base !== undefined && command !== 'check') return usage(`--base is for check (and diff), not ${command}`);
        if (values.record && command !== 'check') return usage(`--record is for check, not ${command}`);
        if (values.verbose && command !== 'compile') return usage(`--verbose is for compile, not ${command}`);
        const { runCompiler } = await import('./commands.js');
        return runCompiler(
          command,
          {
            root: rest[0] ?? values.root ?? '.',
            out: values.out,
            format: format as OutputFormat,
            ...(values.base === undefined ? {} : { base: values.base }),
            ...(values.record ? { record: true } : {}),
            ...(values.verbose ? { verbose: true } : {}),
          },
          io,
        );
      }
      case 'schema': {
        if (rest.length !== 1 || (rest[0] !== 'service' && rest[0] !== 'platform')) return usage('schema takes one argument: service or platform');
        const { printSchema } = await import('./commands.js');
        return printSchema(rest[0], io);
      }
      case 'init': {
        if (values.platform) {
          if (rest.length > 1 || values.name !== undefined)
            return usage('init --platform takes at most one directory and no --name: paved init --platform [dir]');
          const { runInitPlatform } = await import('./commands.js');
          return runInitPlatform(rest[0] ?? '.', io);
        }
        if (rest.length !== 1) return usage('init takes one directory: paved init <dir> --name <svc>');
        if (values.name === undefined) return usage('init needs --name <svc>');
        const { runInit } = await import('./commands.js');
        return runInit(rest[0]!, values.name, io);
      }
      case 'new': {
        if (rest.length !== 1) return usage('new takes one service name: paved new <name> --language node|python|go|java');
        const { runNew } = await import('./scaffold.js');
        return runNew(
          { name: rest[0]!, language: values.language, dir: values.dir, with: values.with, force: values.force ?? false, root: values.root ?? '.' },
          io,
        );
      }
      case 'report': {
        if (rest.length > 1) return usage('report takes at most one root directory');
        const { runReport } = await import('./report.js');
        return runReport(rest[0] ?? values.root ?? '.', format as 'text' | 'json' | 'markdown', io);
      }
      case 'diff': {
        if (rest.length > 1) return usage('diff takes at most one root directory');
        if (values.base === undefined) return usage('diff needs --base <git-ref>, e.g. --base origin/main');
        const { runDiff } = await import('./diff.js');
        return runDiff(rest[0] ?? values.root ?? '.', values.base, format as 'text' | 'json' | 'markdown', io);
      }
      case 'explain': {
        if (rest.length !== 1) return usage('explain takes one service: paved explain <svc> [--env E]');
        const { runExplain } = await import('./explain.js');
        return runExplain(values.root ?? '.', rest[0]!, values.env, format as OutputFormat, io);
      }
      case 'preview': {
        if (rest.length !== 1) return usage('preview takes one service: paved preview <svc> --pr <n> --image <image> --out <dir>');
        if (values.pr === undefined || values.image === undefined || values.out === undefined) return usage('preview needs --pr, --image and --out');
        const { runPreview } = await import('./preview.js');
        return runPreview(values.root ?? '.', rest[0]!, values.pr, values.image, values.out, io, values.releases);
      }
      case 'run': {
        if (rest.length !== 2) return usage('run takes a service and a job: paved run <svc> <job> --env <env> --id <n> --tag <tag> --out <file>');
        const { env, id, tag, digest, out } = values;
        if (env === undefined || id === undefined || tag === undefined || out === undefined) return usage('run needs --env, --id, --tag and --out');
        const { resolve } = await import('node:path');
        const { runManualJob } = await import('./run.js');
        return runManualJob(
          resolve(io.cwd, values.root ?? '.'),
          { service: rest[0]!, job: rest[1]!, env, id, tag, ...(digest === undefined ? {} : { digest }), out },
          io,
        );
      }
      case 'dev': {
        const { runDev } = await import('./dev.js');
        return runDev({ root: values.root ?? '.', services: rest, print: values.print ?? false }, io);
      }
      case 'release': {
        if (rest.length !== 1) return usage('release takes one service: paved release <svc> --env <env> --tag <tag>');
        const { resolve } = await import('node:path');
        if (values.show) {
          if (values.env === undefined || values.tag !== undefined || values.digest !== undefined)
            return usage('release --show needs --env and takes no --tag or --digest');
          // Its own module: the release jobs run it often, and it needs no compiler.
          const { runReleaseShow } = await import('./release-show.js');
          return runReleaseShow(resolve(io.cwd, values.root ?? '.'), rest[0]!, values.env, io);
        }
        const { runRelease } = await import('./release.js');
        if (values.env === undefined || values.tag === undefined) return usage('release needs --env and --tag');
        return runRelease(resolve(io.cwd, values.root ?? '.'), rest[0]!, values.env, values.tag, values.digest, io, {
          recordOnly: values['record-only'] ?? false,
        });
      }
      case undefined:
        io.stdout(HELP);
        return EXIT_USAGE;
      default:
        return usage(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    io.stderr(`paved: internal error: ${(error as Error).stack ?? String(error)}\nPlease report this with the input that caused it.\n`);
    return EXIT_USAGE;
  }
}
