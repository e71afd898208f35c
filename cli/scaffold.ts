import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { formatText } from './format.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import { normalizeDiagnostics } from '../compiler/diagnostics.js';
import { loadPlatform } from '../compiler/load.js';
import { validatePlatform, validateStarter } from '../compiler/validate/index.js';
import type { PlatformSpec } from '../spec/types.js';
import { createFiles, insideOf } from '../compiler/write/create.js';
import { WriteError } from '../compiler/write/errors.js';
import { Blocked, describeType, lstatOrUndefined, readRegular, relativePathProblem, Resolver } from '../compiler/write/resolver.js';
import { MAX_FILE_BYTES } from '../compiler/parse.js';
import { connectionEnv, envSegment, METRICS_PORT, PLATFORM_ENV_NAMES, PREVIEW_ENV_NAMES, URL_CONNECTION_PREFIXES } from '../spec/runtime-env.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';
import { renderStarterSpec, STARTER_RESOURCES, starterResources, type StarterLanguage, type StarterResource } from './starter.js';
import { shipped } from '../spec/code-root.js';

/**
 * `paved new`: a service.yaml (the same writer as `paved init`) plus an
 * application skeleton rendered from nunjucks templates, paved's own in
 * scaffold/templates/<language>/ or the platform's (`scaffold.templates`).
 * Everything is rendered and checked before anything is written.
 */

export const LANGUAGES: readonly StarterLanguage[] = ['node', 'python', 'go', 'java'];

/** paved's built-in templates, shipped in the package next to dist/ (found from cli/ in sources too, as under vitest). */
export const BUILTIN_TEMPLATES =
  [shipped('../scaffold/templates'), shipped('scaffold/templates')].map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ??
  fileURLToPath(shipped('../scaffold/templates'));

export interface NewOptions {
  readonly name: string;
  readonly language: string | undefined;
  readonly dir: string | undefined;
  readonly with: string | undefined;
  readonly force: boolean;
  /** Repository root, where platform.yaml is looked up. */
  readonly root: string;
}

export interface RenderedFile {
  readonly path: string;
  readonly contents: string;
}

/** A problem with the request or the templates; nothing was written. */
export class ScaffoldError extends Error {}

/** The variables every template gets: all derived from the name, the resources and spec/runtime-env.ts. */
export function templateContext(name: string, language: StarterLanguage, include: readonly StarterResource[]): Record<string, unknown> {
  const resources = starterResources(name, include);
  const env = connectionEnv(resources);
  const connections = new Map<string, { kind: string; name: string; id: string; vars: Array<{ env: string; key: string; gap: string }> }>();
  for (const v of env) {
    const id = `${v.connection.kind}_${v.connection.name}`.replace(/-/g, '_');
    const entry = connections.get(id) ?? { kind: v.connection.kind, name: v.connection.name, id, vars: [] };
    entry.vars.push({ env: v.name, key: v.key, gap: ' ' });
    connections.set(id, entry);
  }
  // gofmt aligns the values of consecutive map entries: `gap` pads each key to the longest.
  for (const entry of connections.values()) {
    const width = Math.max(...entry.vars.map((v) => v.key.length));
    for (const v of entry.vars) v.gap = ' '.repeat(width - v.key.length + 1);
  }
  const mysql = resources.databases.find((d) => d.engine === 'mysql');
  const postgres = resources.databases.find((d) => d.engine === 'postgres');
  const cache = resources.caches[0];
  const idOf = (kind: string, name: string): string => `${kind}_${name}`.replace(/-/g, '_');
  return {
    name,
    envName: envSegment(name),
    language,
    port: 8080,
    metricsPort: METRICS_PORT,
    health: { liveness: '/healthz', readiness: '/readyz' },
    uid: 10001,
    gid: 10001,
    platformEnv: PLATFORM_ENV_NAMES,
    connections: [...connections.values()],
    connectionEnv: env.map((v) => v.name),
    cron: resources.cron.map((c) => c.name),
    // The first MySQL database, which the node skeleton connects to (src/database.js); null without one.
    mysql: mysql === undefined ? null : { name: mysql.name, id: idOf('database', mysql.name) },
    // The database the node skeleton connects to: the first MySQL one, else the first PostgreSQL one; null without either.
    database:
      mysql !== undefined
        ? { name: mysql.name, id: idOf('database', mysql.name), engine: 'mysql' }
        : postgres !== undefined
          ? { name: postgres.name, id: idOf('database', postgres.name), engine: 'postgres' }
          : null,
    // The first PostgreSQL database, which the python skeleton connects to (app/database.py); null without one.
    postgres: postgres === undefined ? null : { name: postgres.name, id: idOf('database', postgres.name) },
    // The first cache, which the node and python skeletons connect to (src/cache.js, app/cache.py); null without one.
    cache: cache === undefined ? null : { name: cache.name, id: idOf('cache', cache.name) },
    // Discovery (dependsOn → <NAME>_URL): loaders read every <NAME>_URL but these, which name something else.
    discovery: {
      reserved: [...PLATFORM_ENV_NAMES, ...PREVIEW_ENV_NAMES].filter((n) => n.endsWith('_URL')).sort(),
      excludedPrefixes: URL_CONNECTION_PREFIXES,
    },
  };
}

/**
 * Reads a language's templates, path → text, in path order. Every file of a
 * platform's template folder was committed to the repository, so none of it is
 * trusted: with `repositoryRoot`, the template folder and its language folder
 * must be reached from it through real folders only (compiler/write/resolver.ts
 * Resolver); the walk follows no link and descends only real folders; anything
 * but a regular file or a folder (a link, a FIFO, a device) is refused; each
 * template is at most MAX_FILE_BYTES and is read with readRegular (O_NOFOLLOW,
 * O_NONBLOCK, fstat), never opened any other way. Without `repositoryRoot`
 * (paved's own templates, or a caller's folder) the check starts at `templatesRoot`.
 */
export function readTemplates(templatesRoot: string, language: StarterLanguage, repositoryRoot?: string): Map<string, string> {
  const base = repositoryRoot ?? templatesRoot;
  const posixRelative = (path: string): string => relative(base, path).split(sep).join('/');
  const rootFolder = posixRelative(templatesRoot);
  const folder = posixRelative(join(templatesRoot, language));
  const shown = (path: string): string => (repositoryRoot === undefined ? join(templatesRoot, path) : path || '.');
  const shownRoot = shown(rootFolder);
  if (!isDirectory(base)) throw new ScaffoldError(`template folder ${shownRoot} does not exist`);
  if (rootFolder === '..' || rootFolder.startsWith('../') || isAbsolute(rootFolder))
    throw new ScaffoldError(`template folder ${templatesRoot} is not inside the repository ${base}`);
  const resolver = new Resolver(base);
  for (const [path, missing] of [
    [rootFolder, `template folder ${shownRoot} does not exist`],
    [folder, `template folder ${shownRoot} has no ${language}/ folder`],
  ] as const) {
    if (path === '') continue;
    // `parents` of a path one below checks every folder of `path`, `path` itself included.
    const reached = resolver.parents(`${path}/-`);
    if (reached instanceof Blocked)
      throw new ScaffoldError(
        repositoryRoot === undefined
          ? `template folder ${shown(path)}: ${shown(reached.at)} ${reached.what}; paved reads templates only through real folders, never through a link: make it a real folder holding the templates`
          : `scaffold.templates: ${reached.at} ${reached.what}; paved reads templates only through real folders inside the repository, never through a link: make ${reached.at} a real folder holding the templates, or point scaffold.templates in platform.yaml at one`,
      );
    if (!reached) throw new ScaffoldError(missing);
  }
  const dir = join(base, folder);
  const texts = new Map<string, string>();
  const walk = (current: string): void => {
    // Entry types come from the listing itself (lstat where the file system gives none): nothing is followed.
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const absolute = join(current, entry.name);
      const path = relative(dir, absolute).split(sep).join('/');
      if (entry.isDirectory()) {
        walk(absolute);
        continue;
      }
      if (!entry.isFile())
        throw new ScaffoldError(
          `template ${language}/${path} is ${describeType(entry)}; templates must be regular files in real folders inside the template folder (paved follows no link and opens nothing else): replace or remove it`,
        );
      const stat = lstatOrUndefined(absolute);
      if (stat !== undefined && stat.size > MAX_FILE_BYTES)
        throw new ScaffoldError(`template ${language}/${path} is ${stat.size} bytes; the limit is ${MAX_FILE_BYTES} bytes (1 MiB): make it smaller`);
      const read = stat?.isFile() ? readRegular(absolute, stat, MAX_FILE_BYTES) : undefined;
      if (read === undefined)
        throw new ScaffoldError(`template ${language}/${path} changed while paved read it, or is no longer a regular file of at most 1 MiB; run paved again`);
      texts.set(path, read.text);
    }
  };
  try {
    walk(dir);
  } catch (error) {
    // A folder or file paved may not list or read (EACCES, …): a refusal, not an internal error.
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof ScaffoldError || code === undefined) throw error;
    throw new ScaffoldError(`cannot read the templates in ${shown(folder)}: ${(error as Error).message}`);
  }
  if (texts.size === 0) throw new ScaffoldError(`template folder ${shown(folder)} is empty`);
  return texts;
}

function isDirectory(path: string): boolean {
  try {
    // The repository root (or paved's own template folder) is where the person pointed paved: a link to it is theirs.
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A nunjucks loader over the texts paved read (readTemplates): `include`,
 * `import` and `extends` find only those, by their path in the language folder
 * ("./x" and "../x" relative to the including template), so nunjucks never
 * opens a file itself.
 */
function memoryLoader(texts: ReadonlyMap<string, string>): nunjucks.ILoader & {
  isRelative(name: string): boolean;
  resolve(from: string, to: string): string;
} {
  return {
    getSource(name: string) {
      const src = texts.get(name);
      if (src === undefined) throw new Error(`template not found: ${name} (templates include only other templates of the same language folder)`);
      return { src, path: name, noCache: true };
    },
    isRelative: (name: string) => name.startsWith('./') || name.startsWith('../'),
    resolve: (from: string, to: string) => posix.normalize(posix.join(posix.dirname(from), to)),
  };
}

/** Output path of a template: the template's path with `.njk` removed; `{{ name }}`-free, plain, relative. */
function outputPath(template: string, language: StarterLanguage): string {
  const path = template.endsWith('.njk') ? template.slice(0, -4) : template;
  if (relativePathProblem(path) !== undefined) throw new ScaffoldError(`template ${language}/${template} would be written outside the target directory`);
  if (path === 'service.yaml') throw new ScaffoldError(`template ${language}/${template} would replace service.yaml, which paved writes itself`);
  return path;
}

/**
 * Renders every template of a language; a `.njk` template that renders to nothing but
 * whitespace is not written (a file for some resources only, such as node's src/database.js),
 * while a plain file, even an empty `__init__.py`, always is. Throws ScaffoldError on any problem.
 */
export function renderSkeleton(templatesRoot: string, language: StarterLanguage, context: Record<string, unknown>, repositoryRoot?: string): RenderedFile[] {
  const texts = readTemplates(templatesRoot, language, repositoryRoot);
  // autoescape off: the output is source code, not HTML. The only user input is the
  // service name, validated as a DNS label before it gets here.
  const env = new nunjucks.Environment(memoryLoader(texts), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return [...texts.keys()]
    .map((template) => {
      const path = outputPath(template, language);
      let contents: string;
      try {
        contents = env.render(template, context);
      } catch (error) {
        throw new ScaffoldError(`template ${language}/${template}: ${(error as Error).message}`);
      }
      return { path, contents, skip: template.endsWith('.njk') && contents.trim() === '' };
    })
    .filter((file) => !file.skip)
    .map(({ path, contents }) => ({ path, contents }));
}

/**
 * The platform's template folder, if platform.yaml names one. platform.yaml is
 * read by the loader and validated as `paved compile` does (no anchors, no
 * duplicate or unknown keys, positioned errors); problems come back as diagnostics.
 */
function platformTemplates(root: string): {
  readonly templates?: string;
  readonly problems?: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
} {
  const loaded = loadPlatform(root);
  const file = loaded.files[0];
  const problems = [...loaded.diagnostics, ...(file ? validatePlatform(file) : [])].filter((d) => d.severity === 'error');
  if (problems.length > 0) return { problems: normalizeDiagnostics(problems), sources: loaded.texts };
  const templates = (file?.data as PlatformSpec | undefined)?.scaffold?.templates;
  return { templates: templates === undefined ? undefined : join(root, templates), sources: loaded.texts };
}

/**
 * Everything `paved new` would write, rendered in memory: the service.yaml (the
 * same writer as `paved init`, validated) and the skeleton. Writes nothing.
 */
export function planNew(options: {
  readonly name: string;
  readonly language: StarterLanguage;
  readonly include: readonly StarterResource[];
  readonly schemaPath: string;
  readonly templates: string;
  /** The repository holding `templates` (a platform's scaffold.templates): reached from it through real folders only. */
  readonly repositoryRoot?: string;
}): { readonly files: RenderedFile[] } | { readonly problems: Diagnostic[]; readonly spec: string } {
  const spec = renderStarterSpec({ name: options.name, schemaPath: options.schemaPath, language: options.language, with: options.include });
  const problems = validateStarter(spec);
  if (problems.length > 0) return { problems, spec };
  return {
    files: [
      { path: 'service.yaml', contents: spec },
      ...renderSkeleton(options.templates, options.language, templateContext(options.name, options.language, options.include), options.repositoryRoot),
    ],
  };
}

export function runNew(options: NewOptions, io: Io): number {
  const usage = (message: string): number => {
    io.stderr(`paved: ${message}\nRun "paved --help" for usage.\n`);
    return EXIT_USAGE;
  };
  const language = options.language;
  if (language === undefined) return usage(`new needs --language ${LANGUAGES.join('|')}`);
  if (!(LANGUAGES as readonly string[]).includes(language)) return usage(`--language must be one of ${LANGUAGES.join(', ')}, not ${JSON.stringify(language)}`);
  const include: StarterResource[] = [];
  for (const item of (options.with ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(STARTER_RESOURCES as readonly string[]).includes(item))
      return usage(`--with takes ${STARTER_RESOURCES.join(', ')}; ${JSON.stringify(item)} is not one of them`);
    if (!include.includes(item as StarterResource)) include.push(item as StarterResource);
  }
  const root = resolve(io.cwd, options.root);
  const target = resolve(io.cwd, options.dir ?? options.name);
  const lang = language as StarterLanguage;

  const schemaFile = fileURLToPath(shipped('../spec/service.schema.json'));
  const schemaPath = relative(target, schemaFile).split(sep).join('/');
  try {
    const platform = platformTemplates(root);
    if (platform.problems) {
      io.stderr(formatText(platform.problems, platform.sources));
      io.stderr('paved: platform.yaml is invalid; nothing written\n');
      return EXIT_PROBLEMS;
    }
    const templates = platform.templates ?? BUILTIN_TEMPLATES;
    const plan = planNew({
      name: options.name,
      language: lang,
      include,
      schemaPath,
      templates,
      ...(platform.templates === undefined ? {} : { repositoryRoot: root }),
    });
    if ('problems' in plan) {
      io.stderr(formatText(plan.problems, new Map([['service.yaml', plan.spec]])));
      io.stderr(`paved: cannot create a service named ${JSON.stringify(options.name)}\n`);
      return EXIT_PROBLEMS;
    }
    const files = plan.files;
    // The target and every folder above it, from the repository root (or the working folder --dir was
    // resolved against, for a target outside the repository), must be real folders: a committed link
    // named teams/ must not carry the new service outside the repository.
    const base = insideOf(root, target) !== undefined ? root : io.cwd;
    createFiles(target, files, { force: options.force, base });
    const shown = relative(io.cwd, target) || '.';
    // Templates are code: nunjucks can run anything, so say whose code ran.
    if (platform.templates !== undefined)
      io.stdout(
        `note: ran the platform's scaffold templates from ${relative(io.cwd, templates) || '.'} (scaffold.templates in platform.yaml); they are code the platform team owns and reviews\n`,
      );
    io.stdout(`${files.map((f) => `created ${shown}/${f.path}\n`).join('')}next: cd ${shown}, run its tests, then "paved compile" from the repository root\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ScaffoldError || (error instanceof WriteError && error.userError)) {
      io.stderr(`paved: ${error.message}\npaved: nothing written\n`);
      return EXIT_PROBLEMS;
    }
    throw error;
  }
}
