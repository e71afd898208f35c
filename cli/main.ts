import { parseArgs } from 'node:util';
import type { OutputFormat } from './format.js';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.js';

export const HELP = `paved: compile service.yaml files into Terraform, Kubernetes, GitHub Actions and dashboards

Usage: paved <command> [options]

Commands:
  compile [root]           validate, then write the generated tree and its manifest
  check [root]             compile in memory and report stale, missing, orphaned or
                           hand-edited files, and files in the generated folders
                           paved did not generate (exit 1 when anything differs);
                           never writes
  check --base <git-ref> [root]
                           also compare with a git revision's specs: exit 1 when the
                           change would destroy or replace a database, cache, bucket,
                           topic, queue, key or secret that no dataLoss: entry
                           acknowledges, or delete a service that was not retired
  validate [root]          validate every spec and report problems; never writes
  schema service|platform  print a JSON Schema, for editors and other tools
  init <dir> --name <svc>  write a commented starter service.yaml into <dir>
  init --platform [dir]    write a commented starter platform.yaml into dir (default:
                           the current directory), to fill in before the first compile
  new <name> --language node|python|go|java [--dir D] [--with postgres,redis,...]
                           write service.yaml and an application skeleton (health
                           checks, JSON logs, OpenTelemetry, SIGTERM, config
                           loader, unit test, Dockerfile) into D (default: <name>);
                           --with postgres,redis,topic,bucket,cron; never
                           overwrites a file unless --force
  report [root]            the golden-path conformance of every service: tier, owner,
                           environments, resources, overrides with their reasons and
                           the defaults it departs from (--format text|json|markdown)
  diff --base <git-ref> [root]
                           compile a git revision and the working tree in memory and
                           summarize what changes per service and target (objects
                           and the attributes that change in them, resources, IAM
                           actions; what loses data first); text, json or markdown
  explain <svc> [--env E]  every resolved value of a service and where it came from:
                           the spec, an environment, the tier, the platform, a
                           release, a built-in default, or derived by paved
  release <svc> --env staging|production --tag <tag> [--digest sha256:<hex>]
                           record in releases.yaml the image a service runs in an
                           environment (deploy, promotion, rollback); CI runs it
  release ... --record-only
                           the same without compiling the project: for a
                           release job's retry, whose first attempt did
  release <svc> --env staging|production --show
                           print the tag and digest releases.yaml records for a
                           service in an environment, or nothing; CI runs it
  preview <svc> --pr <n> --image <image> --out <dir>
                           write the kustomize overlay of a pull request's preview
                           (namespace, image, host) over the generated preview base,
                           for kubectl apply --kustomize <dir>; CI runs it

Options:
  --root <dir>             repository root (default: the current directory)
  --out <dir>              output directory, relative to the root (default: the
                           platform's output.dir, "generated")
  --format text|json|github
                           diagnostics as text with snippets (default), as JSON, or
                           as GitHub Actions annotations; report also takes markdown
  --name <svc>             service name, for init
  --language, --dir, --with, --force
                           language, target folder, resources and overwrite, for new
  --env, --tag, --digest, --show, --record-only
                           environment and image, for release
  --pr, --image            pull request number and image, for preview
  -h, --help               show this help
  -v, --version            show the version

Exit codes: 0 ok, 1 invalid specs or drift, 2 usage or internal error.
`;

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
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
        language: { type: 'string' },
        dir: { type: 'string' },
        with: { type: 'string' },
        force: { type: 'boolean' },
        platform: { type: 'boolean' },
        show: { type: 'boolean' },
        'record-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    io.stderr(`paved: ${(error as Error).message}\nRun "paved --help" for usage.\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    const { version } = await import('./version.js');
    io.stdout(`${version}\n`);
    return EXIT_OK;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'github' && !(format === 'markdown' && (command === 'report' || command === 'diff'))) {
    io.stderr(`paved: --format must be text, json or github${command === 'report' || command === 'diff' ? ' (or markdown)' : ''}, not ${JSON.stringify(format)}\n`);
    return EXIT_USAGE;
  }
  const usage = (message: string): number => {
    io.stderr(`paved: ${message}\nRun "paved --help" for usage.\n`);
    return EXIT_USAGE;
  };

  try {
    switch (command) {
      case 'compile':
      case 'check':
      case 'validate': {
        if (rest.length > 1) return usage(`${command} takes at most one root directory`);
        if (rest.length === 1 && values.root !== undefined) return usage('give the root either as an argument or with --root, not both');
        if (values.base !== undefined && command !== 'check') return usage(`--base is for check (and diff), not ${command}`);
        const { runCompiler } = await import('./commands.js');
        return runCompiler(command, { root: rest[0] ?? values.root ?? '.', out: values.out, format: format as OutputFormat, ...(values.base === undefined ? {} : { base: values.base }) }, io);
      }
      case 'schema': {
        if (rest.length !== 1 || (rest[0] !== 'service' && rest[0] !== 'platform')) return usage('schema takes one argument: service or platform');
        const { printSchema } = await import('./commands.js');
        return printSchema(rest[0], io);
      }
      case 'init': {
        if (values.platform) {
          if (rest.length > 1 || values.name !== undefined) return usage('init --platform takes at most one directory and no --name: paved init --platform [dir]');
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
        return runNew({ name: rest[0]!, language: values.language, dir: values.dir, with: values.with, force: values.force ?? false, root: values.root ?? '.' }, io);
      }
      case 'report': {
        if (rest.length > 1) return usage('report takes at most one root directory');
        if (format === 'github') return usage('report prints text, json or markdown');
        const { runReport } = await import('./report.js');
        return runReport(rest[0] ?? values.root ?? '.', format, io);
      }
      case 'diff': {
        if (rest.length > 1) return usage('diff takes at most one root directory');
        if (values.base === undefined) return usage('diff needs --base <git-ref>, e.g. --base origin/main');
        if (format === 'github') return usage('diff prints text, json or markdown');
        const { runDiff } = await import('./diff.js');
        return runDiff(rest[0] ?? values.root ?? '.', values.base, format, io);
      }
      case 'explain': {
        if (rest.length !== 1) return usage('explain takes one service: paved explain <svc> [--env E]');
        if (format === 'github') return usage('explain prints text or json');
        const { runExplain } = await import('./explain.js');
        return runExplain(values.root ?? '.', rest[0]!, values.env, format as OutputFormat, io);
      }
      case 'preview': {
        if (rest.length !== 1) return usage('preview takes one service: paved preview <svc> --pr <n> --image <image> --out <dir>');
        if (values.pr === undefined || values.image === undefined || values.out === undefined) return usage('preview needs --pr, --image and --out');
        const { runPreview } = await import('./preview.js');
        return runPreview(values.root ?? '.', rest[0]!, values.pr, values.image, values.out, io);
      }
      case 'release': {
        if (rest.length !== 1) return usage('release takes one service: paved release <svc> --env <env> --tag <tag>');
        const { resolve } = await import('node:path');
        if (values.show) {
          if (values.env === undefined || values.tag !== undefined || values.digest !== undefined) return usage('release --show needs --env and takes no --tag or --digest');
          // Its own module: the release jobs run it often, and it needs no compiler.
          const { runReleaseShow } = await import('./release-show.js');
          return runReleaseShow(resolve(io.cwd, values.root ?? '.'), rest[0]!, values.env, io);
        }
        const { runRelease } = await import('./release.js');
        if (values.env === undefined || values.tag === undefined) return usage('release needs --env and --tag');
        return runRelease(resolve(io.cwd, values.root ?? '.'), rest[0]!, values.env, values.tag, values.digest, io, { recordOnly: values['record-only'] ?? false });
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
