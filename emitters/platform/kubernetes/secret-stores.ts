import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../../spec/model.js';
import { ENVIRONMENTS } from '../../../spec/model.js';
import { names } from '../../../spec/naming.js';
import { compareText } from '../../../spec/pointer.js';
import { connectionsOf } from '../../../spec/runtime-env.js';
import { previewDependencies } from '../../../spec/preview-dependencies.js';
import { platformLabels } from './labels.js';
import type { ClusterSecretStore } from './resources.js';

/**
 * The ClusterSecretStores the services' ExternalSecrets name
 * (`kubernetes.secretStores`): AWS Secrets Manager in the platform's region,
 * read with External Secrets Operator's own identity. With no `auth` block the
 * provider uses the AWS SDK's default credential chain, which is how ESO's
 * documentation ("AWS Authentication: Controller's Pod Identity") takes EKS
 * Pod Identity; the platform Terraform gives the controller's ServiceAccount
 * that role. Each store admits only the namespaces whose ExternalSecrets read
 * it, so no other namespace of the cluster can read a service's secrets
 * through it.
 */

/**
 * Namespaces of an environment with an ExternalSecret: declared secrets
 * anywhere, connections in staging and production. A preview's namespace also
 * holds the declared secrets of the services it brings (spec/preview-dependencies.ts).
 */
function readers(project: ResolvedProject, env: EnvironmentName): ResolvedService[] {
  // A retired service has no ExternalSecret any more.
  const live = project.services.filter((s) => !s.retired);
  if (env === 'preview')
    return live.filter((s) => s.environments.preview.enabled && [s, ...previewDependencies(s, project.services)].some((member) => member.secrets.length > 0));
  return live.filter((s) => s.secrets.length > 0 || connectionsOf(s.resources).length > 0);
}

type Condition = ClusterSecretStore['spec']['conditions'][number];

/**
 * Staging and production namespaces are the service names; a preview's is
 * `<service>-pr-<n>`, which a list cannot name, so preview admits the
 * Namespaces paved labels as that service's preview (CI creates them from the
 * preview base, with those labels).
 */
function condition(project: ResolvedProject, env: EnvironmentName, services: readonly ResolvedService[]): Condition {
  const serviceNames = services.map((s) => s.name).sort(compareText);
  if (env !== 'preview') return { namespaces: serviceNames.map(names.namespace) };
  return {
    namespaceSelector: {
      matchExpressions: [
        { key: 'app.kubernetes.io/name', operator: 'In', values: serviceNames },
        { key: 'paved.dev/environment', operator: 'In', values: ['preview'] },
      ],
    },
  };
}

/**
 * The store each environment's cluster needs, by environment. Two
 * environments that share a cluster and a store name share one object (it is
 * placed with the first of them, admitting both's namespaces): two Argo CD
 * Applications must not manage the same object.
 */
export function secretStores(project: ResolvedProject): Map<EnvironmentName, ClusterSecretStore> {
  const { kubernetes, cloud } = project.platform;
  const placed = new Map<string, { env: EnvironmentName; conditions: Condition[] }>();
  for (const env of ENVIRONMENTS) {
    const services = readers(project, env);
    if (services.length === 0) continue;
    const key = `${kubernetes.clusters[env]}\u0000${kubernetes.secretStores[env]}`;
    const entry = placed.get(key) ?? { env, conditions: [] };
    entry.conditions.push(condition(project, env, services));
    placed.set(key, entry);
  }
  const stores = new Map<EnvironmentName, ClusterSecretStore>();
  for (const { env, conditions } of placed.values()) {
    stores.set(env, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: kubernetes.secretStores[env], labels: platformLabels(project, env) },
      spec: { conditions, provider: { aws: { service: 'SecretsManager', region: cloud.region } } },
    });
  }
  return stores;
}
