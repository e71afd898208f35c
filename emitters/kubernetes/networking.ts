import type * as k8s from './kube-types.js';
import { PUBLIC_RANGES } from '../../spec/egress.js';
import type { DatabaseEngine, ResolvedEgress, ResolvedResourceType } from '../../spec/model.js';
import { DATABASE_PORTS, names } from '../../spec/naming.js';
import { previewDependencies, serviceNamed } from '../../spec/preview-dependencies.js';
import type { RenderContext } from './context.js';
import { customResource, type CiliumNetworkPolicySpec } from './custom-resources.js';
import { usesLocalStack } from './env-vars.js';
import { LABEL, metadata, selectorLabels } from './labels.js';
import { LOCALSTACK_PORT, REDIS_PORT, STAND_IN_COMPONENT } from './preview-names.js';
import { appPorts, metricsPortName, portName, servicePortSpecs } from './ports.js';
import { kubeObject } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/** How traffic reaches the service (Service, Ingress) and what it may reach (NetworkPolicies). */

export function service(ctx: RenderContext): KubeJson | undefined {
  const { runtime } = ctx.service;
  const name = portName(ctx);
  if (runtime.port === undefined || name === undefined) return undefined;
  return kubeObject('Service', {
    metadata: metadata(ctx, ctx.service.name, 'server'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(ctx, 'server'),
      // servicePort → the main port, runtime.ports, and the metrics port unless the app serves metrics on one of those.
      ports: servicePortSpecs(ctx.service),
    },
  });
}

/** The Secret cert-manager issues the Ingress's certificate into. */
export const tlsSecretName = (service: string): string => `${service}-tls`;

/**
 * The TLS of the Ingress, as the platform chose: cert-manager's ingress-shim
 * sees the cluster-issuer annotation and issues `<service>-tls`; without
 * cert-manager the Ingress names no Secret (nothing would create it) and the
 * controller serves its default certificate for the host.
 */
function ingressTls(ctx: RenderContext, host: string, annotations: Record<string, string>): k8s.IngressTLS {
  const { tls } = ctx.project.platform.kubernetes;
  if (tls.certificates === 'controller-default') return { hosts: [host] };
  annotations['cert-manager.io/cluster-issuer'] = tls.clusterIssuer;
  return { hosts: [host], secretName: tlsSecretName(ctx.service.name) };
}

/**
 * What the controller needs to hear about the backend. ingress-nginx proxies
 * HTTP/1.1 unless told otherwise; gRPC needs `backend-protocol: GRPC` (HTTP/2
 * to the pod, which serves h2c), and clients reach it over TLS, which every
 * generated Ingress has (kubernetes.github.io/ingress-nginx/examples/grpc).
 */
function controllerAnnotations(ctx: RenderContext, annotations: Record<string, string>): void {
  switch (ctx.project.platform.kubernetes.ingressController) {
    case 'ingress-nginx':
      if (ctx.service.runtime.protocol === 'grpc') annotations['nginx.ingress.kubernetes.io/backend-protocol'] = 'GRPC';
      return;
  }
}

export function ingress(ctx: RenderContext): KubeJson | undefined {
  const spec = ctx.service.ingress;
  const name = portName(ctx);
  if (spec === undefined || ctx.host === undefined || name === undefined) return undefined;
  const { kubernetes } = ctx.project.platform;
  const meta = metadata(ctx, ctx.service.name, 'server');
  const tls = ingressTls(ctx, ctx.host, meta.annotations);
  controllerAnnotations(ctx, meta.annotations);
  return kubeObject('Ingress', {
    metadata: meta,
    spec: {
      // Only public services sit behind the internet-facing controller.
      ingressClassName: spec.public ? kubernetes.ingressClass : kubernetes.internalIngressClass,
      tls: [tls],
      rules: [
        {
          host: ctx.host,
          http: { paths: spec.paths.map((path) => ({ path, pathType: 'Prefix' as const, backend: { service: { name: ctx.service.name, port: { name } } } })) },
        },
      ],
    },
  });
}

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
const inNamespace = (namespace: string): k8s.LabelSelector => ({ matchLabels: { [NAMESPACE_LABEL]: namespace } });
const tcp = (port: number | string): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port });
const cidrs = (blocks: readonly string[]): k8s.NetworkPolicyPeer[] => blocks.map((cidr) => ({ ipBlock: { cidr } }));

/** The service's own pods (server, cron and, when it has jobs, job pods), never preview's stand-ins that share its name label. */
export function servicePods(ctx: RenderContext): {
  matchLabels: Record<string, string>;
  matchExpressions: Array<{ key: string; operator: 'In'; values: string[] }>;
} {
  const components = ctx.service.jobs.length > 0 ? ['cron', 'job', 'server'] : ['cron', 'server'];
  return { matchLabels: { [LABEL.name]: ctx.service.name }, matchExpressions: [{ key: LABEL.component, operator: 'In', values: components }] };
}

/**
 * The services of the preview the context renders into: the previewed service
 * and what it brings (spec/preview-dependencies.ts). A preview admits only
 * the dependents among them; the others never run there.
 */
function previewMembers(ctx: RenderContext): ReadonlySet<string> {
  const previewed = ctx.dependencyOf === undefined ? ctx.service : serviceNamed(ctx.project.services, ctx.dependencyOf);
  if (previewed === undefined) return new Set();
  return new Set([previewed.name, ...previewDependencies(previewed, ctx.project.services).map((s) => s.name)]);
}

/**
 * Another service's pods as a NetworkPolicy peer: in its own namespace in the
 * cloud environments; in a preview, where the previewed service and its
 * dependencies share the pull request's namespace, its pods there (server,
 * cron and job pods, never the stand-ins that share its name label).
 */
function servicePeer(ctx: RenderContext, other: string): k8s.NetworkPolicyPeer {
  if (ctx.env !== 'preview') return { namespaceSelector: inNamespace(names.namespace(other)), podSelector: { matchLabels: { [LABEL.name]: other } } };
  return {
    podSelector: { matchLabels: { [LABEL.name]: other }, matchExpressions: [{ key: LABEL.component, operator: 'In', values: ['cron', 'job', 'server'] }] },
  };
}

/** Cluster DNS: CoreDNS in kube-system, labelled k8s-app=kube-dns on EKS. */
export function dnsEgress(): k8s.NetworkPolicyEgressRule {
  return {
    to: [{ namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

/** Namespace-wide deny: a pod no other policy selects can neither receive nor send. */
export function defaultDeny(ctx: RenderContext): KubeJson {
  return kubeObject('NetworkPolicy', {
    metadata: metadata(ctx, 'default-deny'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}

/** EKS Pod Identity's agent on every node: where the AWS SDKs fetch the pod's credentials. */
const POD_IDENTITY_AGENT = '169.254.170.23/32';

/** The flows the service needs, and nothing else. */
export function serviceNetworkPolicy(ctx: RenderContext): KubeJson {
  const { service, project } = ctx;
  const { kubernetes } = project.platform;
  const name = portName(ctx);
  const ingress: k8s.NetworkPolicyIngressRule[] = [
    { from: [{ namespaceSelector: inNamespace(kubernetes.prometheusNamespace) }], ports: [tcp(metricsPortName(service))] },
  ];
  // The Ingress reaches the main port only; dependents reach every app port (runtime.ports too). Policies match pod ports, never the Service's.
  if (name !== undefined && service.ingress)
    ingress.push({ from: [{ namespaceSelector: inNamespace(kubernetes.ingressControllerNamespace) }], ports: [tcp(name)] });
  const dependents = ctx.env === 'preview' ? service.dependents.filter((d) => previewMembers(ctx).has(d)) : service.dependents;
  if (name !== undefined && dependents.length > 0) {
    ingress.push({
      from: dependents.map((dependent) => servicePeer(ctx, dependent)),
      ports: appPorts(service).map((p) => tcp(p.name)),
    });
  }

  // Under Cilium with host entries, DNS is the CiliumNetworkPolicy's: an L4-only allow here would void its L7 DNS rule.
  const egress: k8s.NetworkPolicyEgressRule[] = [...(fqdnEnforced(ctx) ? [] : [dnsEgress()]), otlpEgress(ctx)];
  for (const dependency of service.dependsOn) {
    const target = serviceNamed(project.services, dependency);
    const ports = target === undefined ? [] : appPorts(target);
    if (ports.length > 0)
      egress.push({
        to: [servicePeer(ctx, dependency)],
        ports: ports.map((p) => tcp(p.containerPort)),
      });
  }
  egress.push(...(ctx.env === 'preview' ? previewResourceEgress(ctx) : cloudResourceEgress(ctx)));
  egress.push(...declaredEgress(ctx));

  return kubeObject('NetworkPolicy', {
    metadata: metadata(ctx, service.name),
    spec: { podSelector: servicePods(ctx), policyTypes: ['Ingress', 'Egress'], ingress, egress },
  });
}

function cloudResourceEgress(ctx: RenderContext): k8s.NetworkPolicyEgressRule[] {
  const { resources } = ctx.service;
  const { egress } = ctx.project.platform.kubernetes;
  const rules: k8s.NetworkPolicyEgressRule[] = [];
  // A platform resource type whose module grants the role a policy is reached through AWS's APIs, signed with the pod's credentials.
  const typedApi = resources.typed.some((r) => ctx.project.platform.resourceTypes[r.type]!.iamPolicy);
  const aws =
    resources.databases.length + resources.caches.length + resources.topics.length + resources.subscriptions.length + resources.buckets.length > 0 || typedApi;
  // Databases and caches need credentials too: their IAM auth tokens are signed with them.
  if (aws) rules.push({ to: cidrs([POD_IDENTITY_AGENT]), ports: [tcp(80)] });
  // Each engine's own port: 5432 for PostgreSQL, 3306 for MySQL.
  if (resources.databases.length > 0) rules.push({ to: cidrs(egress.privateSubnetCidrs), ports: databasePorts(resources.databases).map(tcp) });
  if (resources.caches.length > 0) rules.push({ to: cidrs(egress.privateSubnetCidrs), ports: [tcp(REDIS_PORT)] });
  if (resources.topics.length + resources.subscriptions.length + resources.buckets.length > 0 || typedApi)
    rules.push({ to: cidrs(egress.awsApiCidrs), ports: [tcp(443)] });
  // Platform resource types live in the private subnets like databases, each admitting the pods on its type's egressPorts.
  const typedPorts = typedResourcePorts(ctx, (type) => type.egressPorts);
  if (typedPorts.length > 0) rules.push({ to: cidrs(egress.privateSubnetCidrs), ports: typedPorts.map(tcp) });
  return rules;
}

/** The ports of the service's platform resource types, each once, ascending. */
function typedResourcePorts(ctx: RenderContext, ports: (type: ResolvedResourceType) => readonly number[]): number[] {
  // Asked twice per NetworkPolicy; most services have no entries of platform resource types.
  if (ctx.service.resources.typed.length === 0) return [];
  const types = ctx.project.platform.resourceTypes;
  return [...new Set(ctx.service.resources.typed.flatMap((r) => ports(types[r.type]!)))].sort((a, b) => a - b);
}

/** The ports of a service's databases' engines, each once, in ascending order. */
export function databasePorts(databases: ReadonlyArray<{ readonly engine: DatabaseEngine }>): number[] {
  return [...new Set(databases.map((d) => DATABASE_PORTS[d.engine]))].sort((a, b) => a - b);
}

/** The engines in the order their preview egress rules follow (postgres first, as before MySQL existed). */
const DATABASE_ENGINES: readonly DatabaseEngine[] = ['postgres', 'mysql'];

function previewResourceEgress(ctx: RenderContext): k8s.NetworkPolicyEgressRule[] {
  const { resources } = ctx.service;
  const to = (component: string): k8s.NetworkPolicyPeer[] => [
    { podSelector: { matchLabels: { [LABEL.name]: ctx.service.name, [LABEL.component]: component } } },
  ];
  const rules: k8s.NetworkPolicyEgressRule[] = [];
  for (const engine of DATABASE_ENGINES)
    if (resources.databases.some((d) => d.engine === engine)) rules.push({ to: to(engine), ports: [tcp(DATABASE_PORTS[engine])] });
  if (resources.caches.length > 0) rules.push({ to: to('redis'), ports: [tcp(REDIS_PORT)] });
  if (usesLocalStack(ctx)) rules.push({ to: to('localstack'), ports: [tcp(LOCALSTACK_PORT)] });
  // The stand-ins of platform resource types that name one (types without one have nothing to reach in a preview).
  const standInPorts = typedResourcePorts(ctx, (type) => (type.standIn ? [type.standIn.port] : []));
  if (standInPorts.length > 0) rules.push({ to: to(STAND_IN_COMPONENT), ports: standInPorts.map(tcp) });
  return rules;
}

/**
 * The OpenTelemetry collector: by namespace when the endpoint is a cluster
 * Service (`<name>.<namespace>.svc`), else any address on the endpoint's port.
 */
function otlpEgress(ctx: RenderContext): k8s.NetworkPolicyEgressRule {
  const url = new URL(ctx.project.platform.observability.otlpEndpoint);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const inCluster = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
  return { to: inCluster ? [{ namespaceSelector: inNamespace(inCluster[1]!) }] : cidrs(['0.0.0.0/0']), ports: [tcp(port)] };
}

const isHost = (entry: ResolvedEgress): entry is { readonly host: string; readonly port: number } => 'host' in entry;

/** Whether host entries are enforced by name: only Cilium's FQDN policies can (platform.yaml kubernetes.networkPolicy.enforcement). */
function fqdnEnforced(ctx: RenderContext): boolean {
  return ctx.project.platform.kubernetes.networkPolicy.enforcement === 'cilium' && ctx.service.egress.some(isHost);
}

/** Ports of the host entries, each once, in spec order. */
function hostPorts(ctx: RenderContext): number[] {
  return [...new Set(ctx.service.egress.filter(isHost).map((entry) => entry.port))];
}

/**
 * The service's `egress:` entries: each CIDR entry exactly, on its port; each
 * host entry's port, when names cannot be enforced, to every public address
 * (PUBLIC_RANGES: no private, shared or special range), never to the VPC,
 * the cluster or the node.
 */
function declaredEgress(ctx: RenderContext): k8s.NetworkPolicyEgressRule[] {
  const rules: k8s.NetworkPolicyEgressRule[] = ctx.service.egress.flatMap((entry) =>
    'cidr' in entry ? [{ to: cidrs([entry.cidr]), ports: [tcp(entry.port)] }] : [],
  );
  if (fqdnEnforced(ctx)) return rules;
  const publicRanges: k8s.NetworkPolicyPeer[] = PUBLIC_RANGES.map((range) => ({ ipBlock: { cidr: range.cidr, except: [...range.except] } }));
  return [...rules, ...hostPorts(ctx).map((port) => ({ to: publicRanges, ports: [tcp(port)] }))];
}

/** What the NetworkPolicy's file says about host entries: which hosts it could not name, and what it opened instead. */
export function egressNotes(ctx: RenderContext): string[] {
  const hosts = ctx.service.egress.filter(isHost);
  if (hosts.length === 0) return [];
  const { enforcement } = ctx.project.platform.kubernetes.networkPolicy;
  const listed = hosts.map((h) => `${h.host}:${h.port}`).join(', ');
  if (enforcement === 'cilium')
    return [`egress hosts ${listed}: enforced by name in the CiliumNetworkPolicy ${ctx.service.name} (toFQDNs); DNS is allowed there.`];
  return [
    `egress hosts ${listed}: NOT enforced by name under kubernetes.networkPolicy.enforcement: ${enforcement}. A NetworkPolicy cannot name hosts,`,
    `so their ports are open to every public address (0.0.0.0/0 and ::/0 except private, shared and special ranges); see docs/security.md, Egress.`,
  ];
}

/**
 * Under Cilium, the host entries as a CiliumNetworkPolicy: toFQDNs per port
 * (matchName for a name, matchPattern for a `*.` pattern), and DNS to kube-dns
 * with an L7 rule, so Cilium's DNS proxy sees the lookups that teach it each
 * name's addresses (docs.cilium.io, DNS-based policies). Cilium ORs it with
 * the NetworkPolicy, which keeps every other flow.
 */
export function fqdnPolicy(ctx: RenderContext): KubeJson | undefined {
  if (!fqdnEnforced(ctx)) return undefined;
  const hosts = ctx.service.egress.filter(isHost);
  const selector = servicePods(ctx);
  const egress: CiliumNetworkPolicySpec['egress'] = [
    {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    },
    ...hostPorts(ctx).map((port) => ({
      toFQDNs: [...new Set(hosts.filter((h) => h.port === port).map((h) => h.host))].map((host) =>
        host.startsWith('*.') ? { matchPattern: host } : { matchName: host },
      ),
      toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' as const }] }],
    })),
  ];
  return customResource('CiliumNetworkPolicy', metadata(ctx, ctx.service.name), { endpointSelector: selector, egress });
}
