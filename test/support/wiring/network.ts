import { quoteList, type ServiceEnv, type Stack, type WiringProblem } from './context.js';
import { allows, describe, endpointOf, podsOf, selects, showSelector, type Endpoint, type Pod } from './kube.js';
import type { Json, KubeObject } from './output.js';
import { resourceValue, showValue, type Resource } from './terraform.js';

/**
 * NetworkPolicy links, both ends: every pod resolves names (UDP 53 to kube-dns in
 * kube-system); an egress rule towards pods the output runs (another service's,
 * or a preview stand-in) must reach pods that expose the port, and those pods'
 * ingress must admit the sender; an ingress rule from pods the output runs must
 * be matched by the sender's egress. Namespaces the output does not run
 * (kube-system, the collector, Prometheus, the ingress controller) are the
 * platform's and are not followed. Databases and caches: every port a Terraform
 * security group admits from the pods must be open in the pods' egress.
 */

const KUBE_DNS: Omit<Endpoint, 'namespaceLabels'> = {
  namespace: 'kube-system',
  labels: { 'k8s-app': 'kube-dns' },
  ports: [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ],
};

const OUTSIDE: Endpoint = { namespace: '', namespaceLabels: {}, ports: [] };

function policiesSelecting(ctx: ServiceEnv, pod: Pod, direction: 'ingress' | 'egress'): KubeObject[] {
  return ctx.network.policies.filter(
    (p) => ctx.network.policyNamespace(p) === pod.namespace && Array.isArray(p.body.spec?.[direction]) && selects(p.body.spec?.podSelector ?? {}, pod.labels),
  );
}

function inPeerNamespace(ctx: ServiceEnv, peer: Json, policyNamespace: string, pod: Pod): boolean {
  return peer.namespaceSelector === undefined ? pod.namespace === policyNamespace : selects(peer.namespaceSelector, ctx.network.namespaceLabels(pod.namespace));
}

/** Pods of the environment a peer selects, and whether the peer's namespace is one the output runs at all. */
function peerPods(ctx: ServiceEnv, peer: Json, policyNamespace: string, all: readonly Pod[]): { known: boolean; pods: Pod[] } {
  if (peer.ipBlock) return { known: false, pods: [] };
  // Only peers that name a workload or a namespace are links; `namespaceSelector: {}` and the like are broad platform rules.
  const namesPods =
    peer.podSelector !== undefined && (Object.keys(peer.podSelector.matchLabels ?? {}).length > 0 || (peer.podSelector.matchExpressions ?? []).length > 0);
  const namesNamespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] !== undefined;
  if (!namesPods && !namesNamespace) return { known: false, pods: [] };
  const candidates = all.filter((p) => inPeerNamespace(ctx, peer, policyNamespace, p));
  if (candidates.length === 0) return { known: false, pods: [] };
  return { known: true, pods: candidates.filter((p) => peer.podSelector === undefined || selects(peer.podSelector, p.labels)) };
}

function showPeer(peer: Json): string {
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaceSelector ${showSelector(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`podSelector ${showSelector(peer.podSelector)}`);
  if (peer.ipBlock) parts.push(`ipBlock ${peer.ipBlock.cidr}`);
  return parts.join(', ');
}

function showPorts(pod: Pod): string {
  return quoteList(pod.ports.map((c) => `${c.name ?? ''}:${c.containerPort}/${c.protocol}`));
}

function dnsProblems(ctx: ServiceEnv, pod: Pod): WiringProblem[] {
  const dns: Endpoint = { ...KUBE_DNS, namespaceLabels: ctx.network.namespaceLabels('kube-system') };
  ctx.followed('network-dns');
  if (allows(ctx.network, 'Egress', pod, dns, 53, 'UDP') || ciliumAllowsDns(ctx, pod)) return [];
  return [
    {
      check: 'network-dns',
      file: pod.owner.file,
      object: describe(pod.owner),
      from: `pods of ${describe(pod.owner)} (namespace ${pod.namespace})`,
      to: `kube-dns (namespace kube-system, k8s-app=kube-dns) UDP 53: no NetworkPolicy egress rule admits it (${quoteList(policiesSelecting(ctx, pod, 'egress').map((p) => `${p.name} (${p.file})`))})`,
      message: 'the pods cannot resolve names',
    },
  ];
}

/** Cilium's selector of kube-dns: its endpoints carry the pod's labels and namespace with the `k8s:` source prefix. */
const CILIUM_KUBE_DNS = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' };

/** Whether a CiliumNetworkPolicy over the pod (its own namespace) lets it reach kube-dns on UDP 53. */
function ciliumAllowsDns(ctx: ServiceEnv, pod: Pod): boolean {
  return ctx.network.ciliumPolicies.some(
    (policy) =>
      ctx.network.policyNamespace(policy) === pod.namespace &&
      selects(policy.body.spec?.endpointSelector ?? {}, pod.labels) &&
      ((policy.body.spec?.egress ?? []) as Json[]).some(
        (rule) =>
          ((rule.toEndpoints ?? []) as Json[]).some((peer) => selects(peer, CILIUM_KUBE_DNS)) &&
          ((rule.toPorts ?? []) as Json[]).some((ports) =>
            ((ports.ports ?? []) as Json[]).some((p) => p.port === '53' && ['UDP', 'ANY', undefined].includes(p.protocol)),
          ),
      ),
  );
}

function egressProblems(ctx: ServiceEnv, pod: Pod, all: readonly Pod[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  for (const policy of policiesSelecting(ctx, pod, 'egress')) {
    const namespace = ctx.network.policyNamespace(policy);
    (policy.body.spec.egress as Json[]).forEach((rule, r) => {
      (rule.to ?? []).forEach((peer: Json, t: number) => {
        const { known, pods } = peerPods(ctx, peer, namespace, all);
        if (!known) return;
        ctx.followed('network-peer');
        const path = `spec.egress[${r}].to[${t}]`;
        const base = { check: 'network-peer' as const, file: policy.file, object: describe(policy) };
        if (pods.length === 0) {
          problems.push({
            ...base,
            from: `${path} = ${showPeer(peer)} (egress of ${describe(pod.owner)})`,
            to: `pods in the selected namespace: ${quoteList(all.filter((p) => inPeerNamespace(ctx, peer, namespace, p)).map((p) => `${describe(p.owner)} {${showSelector({ matchLabels: p.labels })}}`))}`,
            message: 'the egress rule names pods that no workload runs',
          });
          return;
        }
        (rule.ports ?? []).forEach((port: Json) => {
          const protocol = port.protocol ?? 'TCP';
          const from = `${path} port ${JSON.stringify(port.port)}/${protocol} (egress of ${describe(pod.owner)})`;
          // The link holds when some selected pod listens on the port and admits the sender; other pods the peer happens to select are not its target.
          const listening = pods.flatMap((target) => {
            const number = typeof port.port === 'number' ? port.port : target.ports.find((c) => c.name === port.port)?.containerPort;
            return number !== undefined && target.ports.some((c) => c.containerPort === number && c.protocol === protocol) ? [{ target, number }] : [];
          });
          if (listening.length === 0) {
            problems.push({
              ...base,
              from,
              to: pods.map((t) => `${describe(t.owner)} (${t.owner.file}) container ports: ${showPorts(t)}`).join('; '),
              message: 'the egress rule opens a port the receiving pods do not listen on',
            });
          } else if (!listening.some(({ target, number }) => allows(ctx.network, 'Ingress', target, endpointOf(pod, ctx.network), number, protocol))) {
            problems.push({
              ...base,
              from,
              to: listening
                .map(
                  ({ target, number }) =>
                    `ingress of ${describe(target.owner)} in namespace ${target.namespace}: no NetworkPolicy admits ${describe(pod.owner)} (namespace ${pod.namespace}) on ${number}/${protocol} (${quoteList(policiesSelecting(ctx, target, 'ingress').map((x) => `${x.name} (${x.file})`))})`,
                )
                .join('; '),
              message: "the sender's egress has no matching ingress on the other side",
            });
          }
        });
      });
    });
  }
  return problems;
}

function ingressProblems(ctx: ServiceEnv, pod: Pod, all: readonly Pod[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  for (const policy of policiesSelecting(ctx, pod, 'ingress')) {
    const namespace = ctx.network.policyNamespace(policy);
    (policy.body.spec.ingress as Json[]).forEach((rule, r) => {
      (rule.from ?? []).forEach((peer: Json, f: number) => {
        const { known, pods } = peerPods(ctx, peer, namespace, all);
        if (!known) return;
        ctx.followed('network-peer');
        const path = `spec.ingress[${r}].from[${f}]`;
        const base = { check: 'network-peer' as const, file: policy.file, object: describe(policy) };
        if (pods.length === 0) {
          problems.push({
            ...base,
            from: `${path} = ${showPeer(peer)} (ingress of ${describe(pod.owner)})`,
            to: `pods in the selected namespace: ${quoteList(all.filter((p) => inPeerNamespace(ctx, peer, namespace, p)).map((p) => `${describe(p.owner)} {${showSelector({ matchLabels: p.labels })}}`))}`,
            message: 'the ingress rule admits pods that no workload runs',
          });
          return;
        }
        (rule.ports ?? []).forEach((port: Json) => {
          const protocol = port.protocol ?? 'TCP';
          const number = typeof port.port === 'number' ? port.port : pod.ports.find((c) => c.name === port.port)?.containerPort;
          const from = `${path} port ${JSON.stringify(port.port)}/${protocol} (ingress of ${describe(pod.owner)})`;
          // A named port matches only pods that name it: a policy over the server and its job pods admits the server's port
          // to the server alone. It is broken only when no pod the policy selects names it.
          const named =
            typeof port.port !== 'string' ||
            all.some(
              (other) =>
                selects(policy.body.spec?.podSelector ?? {}, other.labels) &&
                other.namespace === pod.namespace &&
                other.ports.some((c) => c.name === port.port),
            );
          if (number === undefined && named) return;
          if (number === undefined) {
            problems.push({
              ...base,
              from,
              to: `${describe(pod.owner)} (${pod.owner.file}) container ports: ${showPorts(pod)}`,
              message: 'the ingress rule admits a port the pods do not name',
            });
            return;
          }
          // The link holds when some admitted pod can send; the rest of what the peer selects need not.
          if (!pods.some((source) => allows(ctx.network, 'Egress', source, endpointOf(pod, ctx.network), number, protocol))) {
            problems.push({
              ...base,
              from,
              to: pods
                .map(
                  (source) =>
                    `egress of ${describe(source.owner)} in namespace ${source.namespace}: no NetworkPolicy lets it reach ${describe(pod.owner)} (namespace ${pod.namespace}) on ${number}/${protocol} (${quoteList(policiesSelecting(ctx, source, 'egress').map((x) => `${x.name} (${x.file})`))})`,
                )
                .join('; '),
              message: "the receiver's ingress has no matching egress on the other side",
            });
          }
        });
      });
    });
  }
  return problems;
}

interface AdmittedPort {
  readonly resource: Resource;
  readonly stack: Stack;
  readonly from: number;
  readonly to: number;
  readonly source: string;
}

/** Ports Terraform security groups admit from the cluster's pods: `aws_vpc_security_group_ingress_rule` and `aws_security_group_rule` of type ingress. */
function admittedPorts(stacks: readonly Stack[]): AdmittedPort[] {
  const out: AdmittedPort[] = [];
  for (const stack of stacks) {
    for (const resource of stack.resources) {
      const rule =
        resource.type === 'aws_vpc_security_group_ingress_rule' ||
        (resource.type === 'aws_security_group_rule' && resourceValue(resource, 'type') === 'ingress');
      if (!rule) continue;
      const protocol = resourceValue(resource, resource.type === 'aws_security_group_rule' ? 'protocol' : 'ip_protocol');
      const from = resourceValue(resource, 'from_port');
      const to = resourceValue(resource, 'to_port');
      const sourceName = resource.type === 'aws_security_group_rule' ? 'source_security_group_id' : 'referenced_security_group_id';
      const source = resourceValue(resource, sourceName);
      if ((protocol !== 'tcp' && protocol !== '6') || typeof from !== 'number' || typeof to !== 'number' || source === undefined) continue;
      out.push({ resource, stack, from, to, source: `${sourceName} = ${showValue(source)}` });
    }
  }
  return out;
}

function awsPortProblems(ctx: ServiceEnv, pods: readonly Pod[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const admitted = admittedPorts(ctx.stacks);
  if (admitted.length === 0) return [];
  // The pods that use the databases and caches: those running as a ServiceAccount Pod Identity binds, else every workload.
  const bound = new Set(
    ctx.stacks.flatMap((s) =>
      s.resources
        .filter((r) => r.type === 'aws_eks_pod_identity_association')
        .map((r) => `${String(resourceValue(r, 'namespace'))}/${String(resourceValue(r, 'service_account'))}`),
    ),
  );
  const users = pods.filter((p) => bound.has(`${p.namespace}/${p.spec.serviceAccountName ?? 'default'}`));
  for (const port of admitted) {
    for (const pod of users.length > 0 ? users : pods) {
      ctx.followed('network-aws-port');
      if (allows(ctx.network, 'Egress', pod, OUTSIDE, port.from)) continue;
      problems.push({
        check: 'network-aws-port',
        file: pod.owner.file,
        object: describe(pod.owner),
        from: `egress of ${describe(pod.owner)}'s pods: no NetworkPolicy admits TCP ${port.from} to an address outside the cluster (${quoteList(policiesSelecting(ctx, pod, 'egress').map((x) => `${x.name} (${x.file})`))})`,
        to: `${port.resource.address} (${port.resource.file}, ${port.stack.tfvars.path}) admits tcp ${port.from === port.to ? port.from : `${port.from}-${port.to}`} from ${port.source}`,
        message: 'the security group admits the pods on a port their NetworkPolicy never lets them send to',
      });
    }
  }
  return problems;
}

export function checkNetwork(ctx: ServiceEnv): WiringProblem[] {
  const folder = ctx.folder;
  if (!folder) return [];
  const all = ctx.envFolders.flatMap(podsOf);
  const own = all.filter((p) => p.folder === folder);
  const problems: WiringProblem[] = [];
  for (const pod of own) problems.push(...dnsProblems(ctx, pod), ...egressProblems(ctx, pod, all), ...ingressProblems(ctx, pod, all));
  problems.push(...awsPortProblems(ctx, own));
  return problems;
}
