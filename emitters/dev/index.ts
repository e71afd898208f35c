import type { Emitter, EmitResult } from '../../spec/emitter.js';
import type { ResolvedProject } from '../../spec/model.js';
import { DEV_ENV_FILE, layout } from '../../spec/layout.js';
import { envFile, yamlFile } from '../shared/serialize.js';
import { devEnvironment } from './environment.js';
import { composeProject } from './compose.js';

/**
 * The local-development Compose project, `<out>/dev/compose.yaml` (docs/dev.md):
 * one file for the repository, emitted once per compile from every service, so
 * no service's cached files depend on another's.
 */
export const devEmitter: Emitter = {
  id: 'dev',
  emitService(): EmitResult {
    return { files: [], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    if (project.services.every((s) => s.retired !== undefined)) return { files: [], diagnostics: [] };
    const running = project.services.filter((s) => s.retired === undefined);
    // Each server's environment once: the Compose project and its stand-in env file both read it.
    const servers = new Map(running.map((service) => [service, devEnvironment(service, project, { kind: 'server' })]));
    return {
      files: [
        yamlFile({
          path: layout.devCompose(project.output),
          source: project.platformSource,
          comments: [
            'Local development: `paved dev [service...]` starts services with their dependencies and stand-ins.',
            `Each service's declared secrets come from ${DEV_ENV_FILE} next to its service.yaml, which git ignores.`,
            ...withoutStandIn(project),
          ],
          value: composeProject(project, servers),
        }),
        ...running.flatMap((service) => {
          const { standIn } = servers.get(service)!;
          return Object.keys(standIn).length === 0
            ? []
            : [
                envFile({
                  path: layout.devStandInEnv(project.output, service.name),
                  source: project.platformSource,
                  comments: [
                    `What only the local stand-ins need in ${service.name}'s containers, besides the staging names in compose.yaml: none of it is secret`,
                    "(LocalStack takes any keys; a MySQL stand-in's password is paved's fixed local one).",
                  ],
                  values: standIn,
                }),
              ];
        }),
      ],
      diagnostics: [],
    };
  },
};

/** Platform resource type entries that run without a stand-in locally, said in the file: their variables are set, and empty. */
function withoutStandIn(project: ResolvedProject): string[] {
  return project.services
    .filter((s) => s.retired === undefined)
    .flatMap((s) =>
      s.resources.typed
        .filter((r) => project.platform.resourceTypes[r.type]?.standIn === undefined)
        .map((r) => `${s.name}: ${r.type} ${r.name} has no stand-in (resourceTypes.${r.type} names none), so its variables are empty here.`),
    );
}
