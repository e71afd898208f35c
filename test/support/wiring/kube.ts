import type { Json, KubeObject, ManifestFolder } from './output.js';

/**
 * What the Kubernetes side of a link needs: the pods each workload runs, label
 * selectors, and the NetworkPolicy semantics of the networking.k8s.io/v1 API
 * (a pod is isolated in a direction once any policy of that type selects it;
 * then traffic passes when any such policy's rule admits both the peer and the
 * port; a named port is the destination pod's container port name).
 */

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: string;
}

export interface Pod {
  readonly folder: ManifestFolder;
  readonly owner: KubeObject;
  /** Field path of the pod template in the owner, e.g. `spec.template`. */
  readonly path: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: Json;
  readonly ports: readonly ContainerPort[];
}

/** Kinds that have no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'IngressClass',
  'ClusterIssuer',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'PersistentVolume',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The namespace an object lands in: its own, else the folder's only Namespace, else `default`. */
export function namespaceOf(object: KubeObject, folder: ManifestFolder): string {
  if (object.namespace !== undefined) return object.namespace;
  const namespaces = folder.objects.filter((o) => o.kind === 'Namespace');
  return namespaces.length === 1 ? (namespaces[0] as KubeObject).name : 'default';
}

export function describe(object: KubeObject): string {
  return object.namespace === undefined ? `${object.kind} ${object.name}` : `${object.kind} ${object.namespace}/${object.name}`;
}

const TEMPLATE_PATHS: Readonly<Record<string, string>> = {
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  ReplicaSet: 'spec.template',
  Job: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
};

export function get(body: Json, path: string): Json {
  let value = body;
  for (const key of path.split('.')) value = value?.[key];
  return value;
}

export function podsOf(folder: ManifestFolder): Pod[] {
  const pods: Pod[] = [];
  for (const owner of folder.objects) {
    const path = owner.kind === 'Pod' ? '' : TEMPLATE_PATHS[owner.kind];
    if (path === undefined) continue;
    const template = path === '' ? owner.body : get(owner.body, path);
    const spec = template?.spec;
    if (!spec) continue;
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    const ports: ContainerPort[] = containers.flatMap((c: Json) =>
      (c.ports ?? []).map((p: Json) => ({ name: p.name, containerPort: Number(p.containerPort), protocol: p.protocol ?? 'TCP' })),
    );
    pods.push({ folder, owner, path, namespace: namespaceOf(owner, folder), labels: template.metadata?.labels ?? {}, spec, ports });
  }
  return pods;
}

/** Containers and init containers of a pod, with their field paths. */
export function containersOf(pod: Pod): { container: Json; path: string }[] {
  const prefix = pod.path === '' ? 'spec' : `${pod.path}.spec`;
  return [
    ...(pod.spec.containers ?? []).map((container: Json, i: number) => ({ container, path: `${prefix}.containers[${i}]` })),
    ...(pod.spec.initContainers ?? []).map((container: Json, i: number) => ({ container, path: `${prefix}.initContainers[${i}]` })),
  ];
}

/** A LabelSelector (matchLabels + matchExpressions); an empty selector matches everything. */
export function selects(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A Service's plain `selector` map; a Service without one selects no pods. */
export function serviceSelects(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function showSelector(selector: Json): string {
  if (!selector) return '{} (everything)';
  const parts = Object.entries(selector.matchLabels ?? (selector.matchExpressions ? {} : selector)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of selector.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`);
  return parts.length === 0 ? '{} (everything)' : parts.join(', ');
}

/** The other end of a connection, as NetworkPolicy peers see it. */
export interface Endpoint {
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  /** Undefined for an address outside the cluster's pods. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The destination's container ports, to resolve named ports; empty when unknown. */
  readonly ports: readonly ContainerPort[];
}

export interface NetworkContext {
  readonly policies: readonly KubeObject[];
  /** CiliumNetworkPolicies (egress hosts under Cilium); Cilium enforces them together with the NetworkPolicies, their rules ORed. */
  readonly ciliumPolicies: readonly KubeObject[];
  /** Labels of each namespace, `kubernetes.io/metadata.name` included. */
  readonly namespaceLabels: (namespace: string) => Readonly<Record<string, string>>;
  readonly policyNamespace: (policy: KubeObject) => string;
}

export function endpointOf(pod: Pod, network: NetworkContext): Endpoint {
  return { namespace: pod.namespace, namespaceLabels: network.namespaceLabels(pod.namespace), labels: pod.labels, ports: pod.ports };
}

function policyTypes(policy: KubeObject): string[] {
  const spec = policy.body.spec ?? {};
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes;
  return spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function portMatches(rulePorts: Json, port: number, protocol: string, destination: readonly ContainerPort[]): boolean {
  if (!Array.isArray(rulePorts) || rulePorts.length === 0) return true;
  return rulePorts.some((p: Json) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
    return destination.some((c) => c.name === p.port && c.containerPort === port && c.protocol === protocol);
  });
}

function peerMatches(peers: Json, policyNamespace: string, other: Endpoint): boolean {
  if (!Array.isArray(peers) || peers.length === 0) return true;
  return peers.some((peer: Json) => {
    if (peer.ipBlock) return other.labels === undefined;
    if (other.labels === undefined) return false;
    const namespaceOk = peer.namespaceSelector === undefined ? other.namespace === policyNamespace : selects(peer.namespaceSelector, other.namespaceLabels);
    return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, other.labels));
  });
}

/**
 * Whether the policies let `pod` send to (Egress) or receive from (Ingress) `other`
 * on a port; named ports resolve on the receiving side.
 */
export function allows(network: NetworkContext, direction: 'Ingress' | 'Egress', pod: Pod, other: Endpoint, port: number, protocol = 'TCP'): boolean {
  const applying = network.policies.filter(
    (p) => network.policyNamespace(p) === pod.namespace && policyTypes(p).includes(direction) && selects(p.body.spec?.podSelector ?? {}, pod.labels),
  );
  if (applying.length === 0) return true;
  const destinationPorts = direction === 'Ingress' ? pod.ports : other.ports;
  return applying.some((policy) => {
    const rules = (direction === 'Ingress' ? policy.body.spec?.ingress : policy.body.spec?.egress) ?? [];
    return rules.some(
      (rule: Json) =>
        peerMatches(direction === 'Ingress' ? rule.from : rule.to, network.policyNamespace(policy), other) &&
        portMatches(rule.ports, port, protocol, destinationPorts),
    );
  });
}

/** A port as a policy rule or monitor names it, resolved against container ports. */
export function resolvePort(port: Json, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  return ports.find((c) => c.name === port)?.containerPort;
}
