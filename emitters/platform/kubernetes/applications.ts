import type { EnvironmentName, ResolvedProject } from '../../../spec/model.js';
import { deployBranch } from '../../../spec/naming.js';
import { applicationNames, argocdDirectory, clusterDirectory, repositoryPath, serviceApplicationsDirectory, serviceApplicationsInclude } from './layout.js';
import { platformLabels } from './labels.js';
import { SYNC_WAVE, type Application, type Destination, type SyncPolicy } from './resources.js';

/**
 * The platform's Argo CD Applications. One Argo CD instance deploys to every
 * environment's cluster, as the service Applications already assume (their
 * destination is a cluster registered by name), so objects for an
 * environment's cluster and Applications for Argo CD's own namespace need
 * different Applications:
 *
 *   bootstrap (applied by hand, once)  syncs _platform/argocd/:
 *     wave -2  the AppProject
 *     wave -1  <name>.<env>.platform   _platform/kubernetes/<env>/ -> the environment's cluster
 *     wave  0  <name>.<env>.services   argocd/*-<env>.yaml         -> Argo CD's namespace (the app-of-apps)
 *
 * They belong to Argo CD's built-in `default` project: the bootstrap
 * Application must name a project that exists before it, and the services'
 * project must not admit Applications, AppProjects or ClusterSecretStores.
 * None carries the resources finalizer: deleting one must never cascade to
 * the services.
 *
 * Each tracks a deploy branch, never main's head (README, Deploy, promotion and
 * rollback): an environment's Applications track its own branch, and the
 * bootstrap tracks production's, since it syncs the production Applications
 * too: a change to any of them waits for the approved production release.
 * Preview's cluster has no deploy branch (CI deploys previews) and follows main.
 */

/** What an Application syncs from: a cloud environment's deploy branch, or main's head for preview. */
const revisionOf = (env: EnvironmentName): string => (env === 'preview' ? 'HEAD' : deployBranch(env));

/** The cluster Argo CD runs in, under the address every instance knows it by. */
const ARGOCD_CLUSTER = 'https://kubernetes.default.svc';

const PLATFORM_PROJECT = 'default';

function syncPolicy(automated: { prune: boolean } | undefined): SyncPolicy {
  return {
    ...(automated ? { automated: { prune: automated.prune, selfHeal: true } } : {}),
    syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'],
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  };
}

function application(
  project: ResolvedProject,
  name: string,
  env: EnvironmentName | undefined,
  revision: string,
  wave: string | undefined,
  directory: { path: string; include?: string },
  destination: Destination,
  policy: SyncPolicy,
): Application {
  const { gitops } = project.platform;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: gitops.argocdNamespace,
      labels: platformLabels(project, env),
      ...(wave === undefined ? {} : { annotations: { [SYNC_WAVE]: wave } }),
    },
    spec: {
      project: PLATFORM_PROJECT,
      source: {
        repoURL: gitops.repoURL,
        targetRevision: revision,
        path: repositoryPath(project, directory.path),
        directory: { recurse: false, ...(directory.include === undefined ? {} : { include: directory.include }) },
      },
      destination,
      syncPolicy: policy,
      revisionHistoryLimit: 10,
    },
  };
}

/** The one Application a person applies: it syncs the rest of the platform layer. Never prunes: removing a platform object is a person's decision. */
export function bootstrapApplication(project: ResolvedProject): Application {
  return application(
    project,
    applicationNames.bootstrap(project),
    undefined,
    deployBranch('production'),
    undefined,
    { path: argocdDirectory(project) },
    { server: ARGOCD_CLUSTER, namespace: project.platform.gitops.argocdNamespace },
    syncPolicy({ prune: false }),
  );
}

/** The environment's cluster-wide objects (its ClusterSecretStore), before any service Application of the environment. Never prunes: a store removed by mistake would stop every secret. */
export function clusterApplication(project: ResolvedProject, env: EnvironmentName): Application {
  // No namespace: everything it syncs is cluster-scoped.
  return application(
    project,
    applicationNames.cluster(project, env),
    env,
    revisionOf(env),
    '-1',
    { path: clusterDirectory(project, env) },
    { name: project.platform.kubernetes.clusters[env] },
    syncPolicy({ prune: false }),
  );
}

/**
 * The environment's app-of-apps: the service Applications in `argocd/` whose
 * file names end with the environment. It prunes where the service
 * Applications do (staging always, production per `gitops.productionSync`),
 * since pruning an Application deletes the service with it.
 */
export function servicesApplication(project: ResolvedProject, env: 'staging' | 'production'): Application {
  const sync = env === 'staging' ? 'automated-prune' : project.platform.gitops.productionSync;
  const directory = { path: serviceApplicationsDirectory(project), include: serviceApplicationsInclude(env) };
  return application(
    project,
    applicationNames.services(project, env),
    env,
    deployBranch(env),
    '0',
    directory,
    { server: ARGOCD_CLUSTER, namespace: project.platform.gitops.argocdNamespace },
    syncPolicy(sync === 'manual' ? undefined : { prune: sync === 'automated-prune' }),
  );
}
