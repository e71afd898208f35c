import { posix } from 'node:path';
import { DEV_FOLDER, layout } from '../../spec/layout.js';
import { dependencyCycles } from '../../spec/dependency-cycles.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import type { Workload } from '../shared/platform-env.js';
import { devEnvironment, usesLocalStack, type DevEnvironment } from './environment.js';
import { DEV_LOCALSTACK, DEV_LOCALSTACK_INIT, devJobName } from './names.js';
import { localStack, localStackInit, serviceStandIns, type DevStandIn } from './stand-ins.js';

/**
 * The Compose project as a plain object (compose-spec.io; also what Debian's
 * docker-compose 1.29 accepts, so no top-level `name` and no long `env_file`).
 * Compose interpolates `$` in values, so every string that reaches the
 * environment, an entrypoint or a command has `$` doubled (`$$` is a literal `$`).
 */

/** Compose interpolates `${VAR}` and `$VAR` in values; `$$` is a literal `$`. */
export function escapeInterpolation(value: string): string {
  // Most values hold no `$`: a search is cheaper than a global replace that finds nothing.
  return value.includes('$') ? value.replace(/\$/g, '$$$$') : value;
}

const escapeAll = (values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, escapeInterpolation(value)]));

/** Stand-ins are checked often at first, so dependents start as soon as they answer. */
const healthcheck = (test: readonly string[]): object => ({
  test: ['CMD', ...test.map(escapeInterpolation)],
  interval: '2s',
  timeout: '5s',
  retries: 60,
  start_period: '5s',
});

type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/**
 * The project: every service that runs (a retired one runs nowhere), its pre-deploy jobs, its stand-ins, and LocalStack when any service needs it.
 * `servers` holds each running service's server environment, which the stand-in env files read too.
 */
export function composeProject(project: ResolvedProject, servers: ReadonlyMap<ResolvedService, DevEnvironment>): Record<string, unknown> {
  const running = project.services.filter((s) => s.retired === undefined);
  const callsBack = dependencyCycles(running);
  const byName = new Map(running.map((s) => [s.name, s]));
  const services: Record<string, unknown> = {};
  const localStackUsed = running.some(usesLocalStack);
  for (const service of running) {
    const standIns = serviceStandIns(service, project);
    for (const standIn of standIns) services[standIn.name] = standInService(standIn);
    const preDeploy = service.jobs.filter((job) => job.when === 'pre-deploy');
    // Pre-deploy jobs (migrations) run before the service starts, against the same stand-ins, as the PreSync hook does before a rollout.
    for (const job of preDeploy)
      services[devJobName(job.name, service.name)] = appService(
        project,
        service,
        { kind: 'job', job: job.name },
        devEnvironment(service, project, { kind: 'job', job: job.name }),
        job.command,
        dependencies(standIns, service, byName, callsBack, []),
      );
    services[service.name] = appService(
      project,
      service,
      { kind: 'server' },
      servers.get(service)!,
      service.runtime.command,
      dependencies(
        standIns,
        service,
        byName,
        callsBack,
        preDeploy.map((job) => devJobName(job.name, service.name)),
      ),
    );
  }
  if (localStackUsed) {
    services[DEV_LOCALSTACK] = standInService(localStack(project));
    const init = localStackInit(project, running);
    services[DEV_LOCALSTACK_INIT] = {
      image: init.image,
      entrypoint: ['bash', '-c', escapeInterpolation(init.script)],
      environment: escapeAll(init.environment),
      depends_on: { [DEV_LOCALSTACK]: { condition: 'service_healthy' } },
      restart: 'no',
    };
  }
  return { services };
}

/**
 * What a service's containers wait for: its stand-ins healthy, LocalStack's
 * resources created, the services it calls started (an app image may have no
 * tool to probe itself with) and its pre-deploy jobs finished.
 */
function dependencies(
  standIns: readonly DevStandIn[],
  service: ResolvedService,
  running: ReadonlyMap<string, ResolvedService>,
  callsBack: (a: string, b: string) => boolean,
  jobs: readonly string[],
): Record<string, unknown> {
  const on: Record<string, { condition: Condition }> = {};
  for (const standIn of standIns) on[standIn.name] = { condition: standIn.healthcheck ? 'service_healthy' : 'service_started' };
  if (usesLocalStack(service)) on[DEV_LOCALSTACK_INIT] = { condition: 'service_completed_successfully' };
  // Compose refuses a cycle of depends_on; services that call each other (dependsOn both ways) start without an order between them.
  for (const name of service.dependsOn) {
    if (running.has(name) && !callsBack(name, service.name)) on[name] = { condition: 'service_started' };
  }
  for (const job of jobs) on[job] = { condition: 'service_completed_successfully' };
  return on;
}

/** A service's container (or a job's, with the job's command), built from its Dockerfile and context. */
function appService(
  project: ResolvedProject,
  service: ResolvedService,
  workload: Workload,
  environment: DevEnvironment,
  entrypoint: readonly string[] | undefined,
  dependsOn: Record<string, unknown>,
): Record<string, unknown> {
  const composeDir = posix.join(project.output.dir, DEV_FOLDER);
  const fromCompose = (path: string): string => posix.relative(composeDir, path) || '.';
  const { build, port } = service.runtime;
  // The developer's secrets, never written by paved (Compose stops with the file's path when it is missing), then what the stand-ins need.
  const envFiles = [
    ...(service.secrets.length > 0 ? [fromCompose(layout.devEnvFile(service.directory))] : []),
    ...(Object.keys(environment.standIn).length > 0 ? [fromCompose(layout.devStandInEnv(project.output, service.name))] : []),
  ];
  return {
    build: { context: fromCompose(build.context), dockerfile: posix.relative(build.context, build.dockerfile) },
    // Kubernetes' `command` replaces the image's ENTRYPOINT; so does Compose's `entrypoint`.
    ...(entrypoint ? { entrypoint: entrypoint.map(escapeInterpolation) } : {}),
    environment: escapeAll(environment.contract),
    ...(envFiles.length > 0 ? { env_file: envFiles } : {}),
    ...(service.secrets.length > 0 ? { 'x-paved-secrets': [...service.secrets] } : {}),
    ...(Object.keys(dependsOn).length > 0 ? { depends_on: dependsOn } : {}),
    // On loopback only, at a port Docker picks (`docker compose port <service> <port>` prints it): services often share a port.
    ...(workload.kind === 'server' && port !== undefined ? { ports: [`127.0.0.1::${port}`] } : {}),
    ...(workload.kind === 'server' ? {} : { restart: 'no' }),
  };
}

function standInService(standIn: DevStandIn): Record<string, unknown> {
  return {
    image: standIn.image,
    ...(standIn.command ? { command: standIn.command.map(escapeInterpolation) } : {}),
    ...(standIn.environment ? { environment: escapeAll(standIn.environment) } : {}),
    ...(standIn.healthcheck ? { healthcheck: healthcheck(standIn.healthcheck) } : {}),
  };
}
