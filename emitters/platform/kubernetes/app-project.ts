import type { ResolvedProject } from '../../../spec/model.js';
import { CLOUD_ENVIRONMENTS, names } from '../../../spec/naming.js';
import { SERVICE_CLUSTER_KINDS, serviceNamespacedKinds } from './kinds.js';
import { platformLabels } from './labels.js';
import { SYNC_WAVE, type AppProject, type Destination } from './resources.js';

/** Argo CD's built-in project: an AppProject of that name would rewrite it for every Application of the instance. */
export const ARGOCD_DEFAULT_PROJECT = 'default';

/**
 * The Argo CD project of the service Applications (`gitops.project`): this
 * repository as the only source, each service's own namespace on the staging
 * and production clusters as the only destinations (every service, released or
 * not, so a release never has to wait for the project to change), and the
 * kinds paved generates as the only ones it may create. Preview is absent: CI
 * applies it with kubectl, not Argo CD. Orphaned-resource warnings cost
 * nothing here: kinds outside the whitelist (the Secrets External Secrets and
 * cert-manager create) never count as orphaned.
 * Undefined for `default`, which paved leaves to the platform.
 */
export function appProject(project: ResolvedProject): AppProject | undefined {
  const { gitops, kubernetes } = project.platform;
  if (gitops.project === ARGOCD_DEFAULT_PROJECT) return undefined;
  const destinations: Destination[] = [];
  const seen = new Set<string>();
  for (const env of CLOUD_ENVIRONMENTS) {
    // A retired service's namespace stays admitted: Argo CD prunes its Application and objects during the teardown.
    for (const service of project.services) {
      const destination = { name: kubernetes.clusters[env], namespace: names.namespace(service.name) };
      const key = `${destination.name}\u0000${destination.namespace}`;
      if (seen.has(key)) continue;
      seen.add(key);
      destinations.push(destination);
    }
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: gitops.project,
      namespace: gitops.argocdNamespace,
      labels: platformLabels(project),
      // Before the Applications that name it, in the bootstrap Application's sync.
      annotations: { [SYNC_WAVE]: '-2' },
    },
    spec: {
      sourceRepos: [gitops.repoURL],
      destinations,
      clusterResourceWhitelist: SERVICE_CLUSTER_KINDS,
      namespaceResourceWhitelist: serviceNamespacedKinds(project.platform.kubernetes.networkPolicy.enforcement),
      orphanedResources: { warn: true },
    },
  };
}
