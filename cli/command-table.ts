/**
 * Every command of the CLI, once: `paved --help`, `paved <command> --help` and
 * docs/cli.md are printed from this table (cli/help.ts), so none of them can
 * drift from another. main.ts still parses and dispatches; test/conformance/cli.test.ts
 * holds the formats and options here to what main.ts accepts.
 */

/** The values `--format` can take; which a command accepts is its `formats`. */
export type FormatName = 'text' | 'json' | 'github' | 'markdown';

export interface OptionEntry {
  /** The flag as typed, with its argument: `--env <env>`, `--force`. */
  readonly flag: string;
  readonly description: string;
}

export interface UsageEntry {
  /** The command line without `paved`: `check --base <git-ref> [root]`. */
  readonly synopsis: string;
  /** One line or a few for `paved --help`; plain text, no Markdown. */
  readonly summary: string;
}

export interface CommandEntry {
  readonly name: string;
  /** Each form the command is run in, the most common first. */
  readonly usages: readonly UsageEntry[];
  /** Paragraphs for `paved <command> --help` and docs/cli.md; plain text, no Markdown. */
  readonly description: readonly string[];
  readonly options: readonly OptionEntry[];
  /** The `--format` values the command accepts; absent when it prints no diagnostics or reports (it ignores --format). */
  readonly formats?: readonly FormatName[];
}

const ROOT: OptionEntry = { flag: '--root <dir>', description: 'repository root (default: the current directory)' };
const OUT: OptionEntry = {
  flag: '--out <dir>',
  description: 'output directory, relative to the root (default: the platform\'s output.dir, "generated")',
};
const DIAGNOSTIC_FORMAT: OptionEntry = {
  flag: '--format text|json|github',
  description: 'diagnostics as text with a caret snippet (default, on stderr), as JSON, or as GitHub Actions annotations',
};

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'compile',
    usages: [{ synopsis: 'compile [root]', summary: 'validate, then write the generated tree and its manifest' }],
    description: [
      'Validate every spec under the root, then write the generated tree and its manifest (generated/.paved-manifest.json). On any error in any spec nothing is written. Run it again and nothing is written: unchanged files are not touched, and a service whose inputs did not change is not emitted again (the record lives in .git, or outside a git work tree in .paved-cache/, which ignores itself: docs/incremental.md).',
      'Prints a one-line summary; --verbose lists every file written and deleted. On a terminal, a long compile shows a progress line on stderr.',
    ],
    options: [ROOT, OUT, DIAGNOSTIC_FORMAT, { flag: '--verbose', description: 'list every file written and deleted, not only the summary' }],
    formats: ['text', 'json', 'github'],
  },
  {
    name: 'check',
    usages: [
      {
        synopsis: 'check [root]',
        summary:
          'compile in memory and report stale, missing, orphaned or hand-edited files, and files in the generated folders paved did not generate (exit 1 when anything differs); never writes',
      },
      {
        synopsis: 'check --base <git-ref> [root]',
        summary:
          "also compare with a git revision's specs: exit 1 when the change would destroy or replace a database, cache, bucket, topic, queue, key or secret that no dataLoss: entry acknowledges, or delete a service that was not retired",
      },
    ],
    description: [
      'Compile in memory and report stale, missing, orphaned or hand-edited files with a unified diff, and every file in the generated folders that paved did not generate; never writes. Exit 1 when anything differs.',
      'With --base, also compile the specs of a git revision and fail when the change would destroy or replace a database, cache, bucket, topic, queue, KMS key or secret that no dataLoss: entry acknowledges, or delete a service that was not retired (docs/day-2.md).',
      "With --record, a passing check leaves its record under the commit's SHA in .paved-cache/; a later check --base naming that commit emits again only the services whose inputs or generated files changed since, and compares the others' files byte for byte with the record (docs/incremental.md).",
    ],
    options: [
      { flag: '--base <git-ref>', description: 'the git revision to compare with for data loss, e.g. origin/main' },
      { flag: '--record', description: 'when the check passes, record it for later checks of changes to this commit (.paved-cache/check-<sha>.json)' },
      ROOT,
      OUT,
      DIAGNOSTIC_FORMAT,
    ],
    formats: ['text', 'json', 'github'],
  },
  {
    name: 'validate',
    usages: [{ synopsis: 'validate [root]', summary: 'validate every spec and report problems; never writes' }],
    description: ['Validate every spec and report its problems with their positions; never writes.'],
    options: [ROOT, OUT, DIAGNOSTIC_FORMAT],
    formats: ['text', 'json', 'github'],
  },
  {
    name: 'schema',
    usages: [{ synopsis: 'schema service|platform', summary: 'print a JSON Schema, for editors and other tools' }],
    description: ['Print the JSON Schema (draft 2020-12) of service.yaml or platform.yaml, for editors and other tools.'],
    options: [],
  },
  {
    name: 'init',
    usages: [
      { synopsis: 'init <dir> --name <svc>', summary: 'write a commented starter service.yaml into <dir>' },
      {
        synopsis: 'init --platform [dir]',
        summary: 'write a commented starter platform.yaml into dir (default: the current directory), to fill in before the first compile',
      },
    ],
    description: [
      'Write a commented starter service.yaml into <dir>; it validates as is. With --platform, write a commented starter platform.yaml instead, every value only the platform knows left empty, to fill in before the first compile. Never overwrites a file.',
    ],
    options: [
      { flag: '--name <svc>', description: 'the service name, for a service.yaml' },
      { flag: '--platform', description: 'write platform.yaml instead of a service.yaml' },
    ],
  },
  {
    name: 'new',
    usages: [
      {
        synopsis: 'new <name> --language node|python|go|java [--dir D] [--with postgres,redis,...] [--force]',
        summary:
          'write service.yaml and an application skeleton (health checks, JSON logs, OpenTelemetry, SIGTERM, config loader, unit test, Dockerfile) into D (default: <name>); never overwrites a file unless --force',
      },
    ],
    description: [
      'Write service.yaml (the init starter plus the --with resources) and an application skeleton into D (default: <name>): health checks, JSON logs, OpenTelemetry, graceful SIGTERM, a config loader, a unit test and a Dockerfile (docs/scaffolding.md). Everything is rendered and checked before anything is written.',
    ],
    options: [
      { flag: '--language node|python|go|java', description: 'the language of the skeleton' },
      { flag: '--dir <dir>', description: 'the folder to write into (default: <name>)' },
      { flag: '--with <list>', description: 'resources to declare, comma-separated: postgres, mysql (with auth: password), redis, topic, bucket, cron' },
      { flag: '--force', description: 'overwrite files that exist' },
      { flag: '--root <dir>', description: 'repository root, whose platform.yaml may name its own templates (default: the current directory)' },
    ],
  },
  {
    name: 'report',
    usages: [
      {
        synopsis: 'report [root]',
        summary:
          'the golden-path conformance of every service: tier, owner, environments, resources, overrides with their reasons and the defaults it departs from (--format text|json|markdown)',
      },
    ],
    description: [
      'The golden-path conformance of every service: tier, owner, environments, resources, overrides with their reasons, and the defaults it departs from.',
    ],
    options: [ROOT, { flag: '--format text|json|markdown', description: 'the report as text (default), JSON or Markdown' }],
    formats: ['text', 'json', 'markdown'],
  },
  {
    name: 'diff',
    usages: [
      {
        synopsis: 'diff --base <git-ref> [root]',
        summary:
          'compile a git revision and the working tree in memory and summarize what changes per service and target (objects and the attributes that change in them, resources, IAM actions; what loses data first); text, json or markdown',
      },
    ],
    description: [
      "Compile a git revision and the working tree in memory and summarize what changes per service and target: what terraform plan would do to each resource per environment (destroy, replace with the attribute that forces it, update with the attributes, create, move, forget; destroys and replacements first, and stateful ones marked), Kubernetes objects added, removed or changed with each attribute path that changes (spec.replicas 2 -> 3; a Secret's keys, never its values), deletions that lose data first (!: a namespace, a volume claim, an Application that cascades), IAM actions, and files in the generated folders that paved did not generate.",
    ],
    options: [
      { flag: '--base <git-ref>', description: 'the git revision to compare with, e.g. origin/main' },
      ROOT,
      { flag: '--format text|json|markdown', description: 'the summary as text (default), JSON or Markdown' },
    ],
    formats: ['text', 'json', 'markdown'],
  },
  {
    name: 'explain',
    usages: [
      {
        synopsis: 'explain <svc> [--env E]',
        summary:
          'every resolved value of a service and where it came from: the spec, an environment, the tier, the platform, a release, a built-in default, or derived by paved',
      },
    ],
    description: [
      'Every resolved value of a service and where it came from (spec, environment, tier, platform, release, default, derived), with file:line:col. The service may be named by its spec name or the name it is deployed under.',
    ],
    options: [
      { flag: '--env <env>', description: 'the values of one environment' },
      ROOT,
      { flag: '--format text|json', description: 'as text (default) or as JSON, for tools' },
    ],
    formats: ['text', 'json'],
  },
  {
    name: 'release',
    usages: [
      {
        synopsis: 'release <svc> --env staging|production --tag <tag> [--digest sha256:<hex>]',
        summary: 'record in releases.yaml the image a service runs in an environment (deploy, promotion, rollback); CI runs it',
      },
      { synopsis: 'release ... --record-only', summary: "the same without compiling the project: for a release job's retry, whose first attempt did" },
      {
        synopsis: 'release <svc> --env staging|production --show',
        summary: 'print the tag and digest releases.yaml records for a service in an environment, or nothing; CI runs it',
      },
    ],
    description: [
      "Record the image a service runs in an environment in releases.yaml (deploy, promotion, rollback); the whole project is validated before the file is replaced, and the file keeps its comments and order. With --record-only, the same without compiling the project: a release job's retry, whose first attempt validated the record. With --show, print the tag and digest releases.yaml records for the service in the environment, or nothing. The release jobs of the generated workflows run it (docs/targets/actions.md).",
    ],
    options: [
      { flag: '--env staging|production', description: 'the environment' },
      { flag: '--tag <tag>', description: 'the image tag CI pushed: the commit SHA it was built from' },
      { flag: '--digest sha256:<hex>', description: 'the image digest; the manifests then pin it' },
      { flag: '--record-only', description: 'record without compiling the project' },
      { flag: '--show', description: 'print the recorded tag and digest instead of recording' },
      ROOT,
    ],
  },
  {
    name: 'run',
    usages: [
      {
        synopsis: 'run <svc> <job> --env staging|production --id <n> --tag <tag> [--digest sha256:<hex>] --out <file>',
        summary: "write the Job of one run of a manual job, from the CronJob the environment's release renders, for its deploy branch; CI runs it",
      },
    ],
    description: [
      "Write into <file> the Job of one run of a manual job: the job template of its CronJob as the project at the root renders it for the environment with the given release (after overrides and policy), named <service>-<job>-<id>. The run jobs of the generated workflows put it on the environment's deploy branch, where Argo CD creates it once (docs/targets/kubernetes.md, Jobs).",
    ],
    options: [
      { flag: '--env staging|production', description: 'the environment' },
      { flag: '--id <n>', description: 'the run: 1 to 10 lowercase letters or digits (the workflow passes its run number)' },
      { flag: '--tag <tag>', description: 'the image tag the environment runs' },
      { flag: '--digest sha256:<hex>', description: 'its digest, pinned in the Job' },
      { flag: '--out <file>', description: 'the file to write the Job into' },
      ROOT,
    ],
  },
  {
    name: 'preview',
    usages: [
      {
        synopsis: 'preview <svc> --pr <n> --image <image> --out <dir> [--releases <file>]',
        summary:
          "write the kustomize overlay of a pull request's preview (namespace, image, host, and the services it depends on) over the generated preview base, for kubectl apply --kustomize <dir>; CI runs it",
      },
    ],
    description: [
      "Write into <dir> the kustomize overlay of a pull request's preview (namespace, image, host) over generated/<svc>/kubernetes/preview, with the services it depends on, transitively, from generated/<svc>/kubernetes/preview/dependencies/, each at the image staging runs (a dependency with no staging release is left out, and said so); apply it with kubectl apply --kustomize <dir>. The preview jobs of the generated workflows run it.",
    ],
    options: [
      { flag: '--pr <n>', description: 'the pull request number' },
      { flag: '--image <repo>:<tag>[@sha256:<hex>]', description: 'the image the pull request built' },
      { flag: '--out <dir>', description: 'the folder to write the overlay into' },
      {
        flag: '--releases <file>',
        description: "the releases.yaml to read the dependencies' staging images from (CI: staging's deploy branch's); default: the project's",
      },
      ROOT,
    ],
  },
  {
    name: 'dev',
    usages: [
      {
        synopsis: 'dev [service...] [--print]',
        summary:
          'run services locally with their dependencies (transitively) and stand-ins, from generated/dev/compose.yaml, with docker compose, podman compose or docker-compose; logs stream, Ctrl-C stops them',
      },
    ],
    description: [
      'Start the named services (default: all), every service they depend on (dependsOn, transitively), their pre-deploy jobs and the stand-ins of their databases, caches, topics, queues and buckets, from generated/dev/compose.yaml (paved compile writes it), with the first of docker compose, podman compose and docker-compose that is installed. Compose builds the images, streams the logs and stops everything on Ctrl-C. A service that declares secrets reads them from .paved-dev.env next to its service.yaml, which git ignores (docs/dev.md). With --print, print the command instead of running it.',
    ],
    options: [{ flag: '--print', description: 'print the Compose command instead of running it' }, ROOT],
  },
  {
    name: 'help',
    usages: [{ synopsis: 'help [command]', summary: "this help, or one command's (also: paved <command> --help)" }],
    description: ["Print the list of commands, or one command's usage, options and formats. paved <command> --help prints the same."],
    options: [],
  },
];

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionEntry[] = [
  { flag: '-h, --help', description: "show this help, or with a command, that command's" },
  { flag: '-v, --version', description: 'show the version' },
];

/** Exit codes, as main.ts returns them. */
export const EXIT_CODES_TEXT = 'Exit codes: 0 ok, 1 invalid specs or drift, 2 usage or internal error.';

export function commandNamed(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
