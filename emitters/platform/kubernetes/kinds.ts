/**
 * What a service Application may create, for the AppProject's whitelists: the
 * kinds the kubernetes and observability emitters write into a staging or
 * production directory (preview is applied by CI, not Argo CD). A kind paved
 * starts emitting must be added here, or Argo CD refuses to sync it;
 * test/unit/platform-kubernetes.test.ts compares this list with the generated
 * files of every golden case.
 */

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Cluster-scoped: each service's own Namespace (it carries the Pod Security labels). */
export const SERVICE_CLUSTER_KINDS: readonly GroupKind[] = [{ group: '', kind: 'Namespace' }];

/** Namespaced, sorted by group then kind. */
export const SERVICE_NAMESPACED_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'batch', kind: 'CronJob' },
  { group: 'batch', kind: 'Job' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  { group: 'monitoring.coreos.com', kind: 'PodMonitor' },
  { group: 'monitoring.coreos.com', kind: 'PrometheusRule' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
];

/** Services' egress hosts under kubernetes.networkPolicy.enforcement: cilium (emitters/kubernetes/networking.ts fqdnPolicy). */
export const CILIUM_NETWORK_POLICY: GroupKind = { group: 'cilium.io', kind: 'CiliumNetworkPolicy' };

/** The namespaced kinds of a platform: Cilium's policy only where Cilium enforces, sorted by group then kind. */
export function serviceNamespacedKinds(enforcement: string): readonly GroupKind[] {
  if (enforcement !== 'cilium') return SERVICE_NAMESPACED_KINDS;
  return [...SERVICE_NAMESPACED_KINDS, CILIUM_NETWORK_POLICY].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.kind < b.kind ? -1 : 1));
}
