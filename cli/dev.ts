import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileProject } from '../compiler/compile.js';
import { serviceNamed } from '../compiler/resolve.js';
import { layout } from '../spec/layout.js';
import type { ResolvedProject, ResolvedService } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';

/**
 * `paved dev [service...]`: starts services, their transitive dependencies and
 * their stand-ins from generated/dev/compose.yaml with whichever Compose is
 * installed, in the foreground: Compose streams the logs and stops everything
 * on Ctrl-C. `--print` prints the command instead (docs/dev.md).
 */

/** The Compose front ends paved knows, in the order it tries them: each probed with `<command> version`. */
export const COMPOSE_TOOLS: readonly (readonly string[])[] = [['docker', 'compose'], ['podman', 'compose'], ['docker-compose']];

export const INSTALL_COMPOSE =
  'paved dev needs Docker Compose and found none of "docker compose", "podman compose" or "docker-compose" on PATH. Install one: Docker Engine with its Compose plugin (https://docs.docker.com/compose/install/), Podman with podman-compose (https://podman.io/docs/installation), or on Debian and Ubuntu `apt-get install docker-compose`.';

/** The first Compose that answers `version`, or undefined. */
export function findCompose(env: NodeJS.ProcessEnv = process.env): readonly string[] | undefined {
  return COMPOSE_TOOLS.find((tool) => {
    const probe = spawnSync(tool[0]!, [...tool.slice(1), 'version'], { env, stdio: 'ignore', timeout: 15_000 });
    return probe.error === undefined && probe.status === 0;
  });
}

/** The named services and every service they depend on, transitively: the named ones in order, then the rest sorted. */
export function withDependencies(project: ResolvedProject, named: readonly ResolvedService[]): string[] {
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const seen = new Set<string>(named.map((s) => s.name));
  const pending = [...named];
  const dependencies: string[] = [];
  while (pending.length > 0) {
    for (const name of pending.pop()!.dependsOn) {
      const dependency = byName.get(name);
      if (dependency === undefined || dependency.retired !== undefined || seen.has(name)) continue;
      seen.add(name);
      dependencies.push(name);
      pending.push(dependency);
    }
  }
  return [...new Set(named.map((s) => s.name)), ...dependencies.sort(compareText)];
}

/** POSIX shell quoting, only where a word needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface DevOptions {
  readonly root: string;
  readonly services: readonly string[];
  readonly print: boolean;
}

export async function runDev(options: DevOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const root = resolve(io.cwd, options.root);
  const result = compileProject(root);
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) {
    io.stderr(formatText(result.diagnostics, result.sources));
    return EXIT_PROBLEMS;
  }
  const project = result.project;
  const named: ResolvedService[] = [];
  for (const name of options.services) {
    const service = serviceNamed(project, name);
    if (service === undefined) {
      io.stderr(`paved: no service named ${JSON.stringify(name)}; the services are ${project.services.map((s) => s.specName).join(', ')}\n`);
      return EXIT_USAGE;
    }
    if (service.retired !== undefined) {
      io.stderr(`paved: ${name} is retired (retired:) and runs nowhere, locally neither\n`);
      return EXIT_USAGE;
    }
    named.push(service);
  }
  const composeFile = join(root, layout.devCompose(project.output));
  const shown = relative(io.cwd, composeFile).split('\\').join('/') || composeFile;
  if (!existsSync(composeFile)) {
    io.stderr(`paved: ${shown} does not exist: run paved compile first (it writes the Compose project)\n`);
    return EXIT_PROBLEMS;
  }
  const services = named.length === 0 ? [] : withDependencies(project, named);
  const tool = findCompose(env);
  // Without a service, Compose starts them all; with some, their depends_on brings the stand-ins and jobs.
  const args = ['-f', shown, '-p', `${project.platform.name}-dev`, 'up', '--build', ...services];
  if (options.print) {
    io.stdout(`${[...(tool ?? COMPOSE_TOOLS[0]!), ...args].map(shellWord).join(' ')}\n`);
    return EXIT_OK;
  }
  if (tool === undefined) {
    io.stderr(`paved: ${INSTALL_COMPOSE}\n`);
    return EXIT_PROBLEMS;
  }
  const started = services.length === 0 ? project.services.filter((s) => s.retired === undefined) : services.map((name) => serviceNamed(project, name)!);
  const missing = started.filter((s) => s.secrets.length > 0 && !existsSync(join(root, layout.devEnvFile(s.directory))));
  if (missing.length > 0) {
    for (const s of missing)
      io.stderr(
        `paved: ${s.specName} declares secrets (${s.secrets.join(', ')}); write them as NAME=value lines into ${layout.devEnvFile(s.directory)}, which git must ignore (docs/dev.md)\n`,
      );
    return EXIT_PROBLEMS;
  }
  return new Promise((done) => {
    // Compose gets Ctrl-C too (the same process group) and stops the containers; paved waits for it to finish.
    const ignore = (): void => {};
    process.on('SIGINT', ignore);
    const child = spawn(tool[0]!, [...tool.slice(1), ...args], { cwd: io.cwd, env, stdio: 'inherit' });
    const finish = (code: number): void => {
      process.off('SIGINT', ignore);
      done(code);
    };
    child.once('error', (error) => {
      io.stderr(`paved: could not run ${tool.join(' ')}: ${error.message}\n`);
      finish(EXIT_PROBLEMS);
    });
    child.once('exit', (code, signal) => finish(code ?? (signal === 'SIGINT' ? EXIT_OK : EXIT_PROBLEMS)));
  });
}
