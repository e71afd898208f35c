import { quoteList, type ServiceEnv, type WiringProblem } from './context.js';
import { allows, describe, namespaceOf, podsOf, serviceSelects } from './kube.js';
import type { Json, KubeObject, ManifestFolder } from './output.js';

/**
 * Ingress links (networking.k8s.io/v1, with ingress-nginx and cert-manager as the
 * platform runs them): each backend names a Service port that reaches a container
 * port the NetworkPolicy opens to the ingress controller's namespace; a gRPC
 * backend (Service `appProtocol` grpc or h2c) needs ingress-nginx's
 * `nginx.ingress.kubernetes.io/backend-protocol: GRPC` (or GRPCS), or nginx speaks
 * HTTP/1.1 to it; and each `tls[].secretName` is a Secret something creates: one in
 * the manifests, a cert-manager Certificate's `spec.secretName`, or cert-manager's
 * ingress-shim, which acts on the `cert-manager.io/cluster-issuer`/`issuer`
 * annotation.
 */

const BACKEND_PROTOCOL = 'nginx.ingress.kubernetes.io/backend-protocol';
const GRPC_APP_PROTOCOLS = new Set(['grpc', 'grpcs', 'h2c', 'kubernetes.io/h2c']);
const CONTROLLER_POD_LABELS = { 'app.kubernetes.io/name': 'ingress-nginx' };

interface Backend {
  readonly path: string;
  readonly service: string;
  readonly port: Json;
}

function backends(ingress: KubeObject): Backend[] {
  const spec = ingress.body.spec ?? {};
  const out: Backend[] = [];
  if (spec.defaultBackend?.service)
    out.push({ path: 'spec.defaultBackend', service: spec.defaultBackend.service.name, port: spec.defaultBackend.service.port ?? {} });
  (spec.rules ?? []).forEach((rule: Json, r: number) => {
    (rule.http?.paths ?? []).forEach((p: Json, i: number) => {
      if (p.backend?.service)
        out.push({ path: `spec.rules[${r}].http.paths[${i}].backend.service`, service: p.backend.service.name, port: p.backend.service.port ?? {} });
    });
  });
  return out;
}

function backendProblems(ctx: ServiceEnv, ingress: KubeObject, folder: ManifestFolder): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const namespace = namespaceOf(ingress, folder);
  const base = { check: 'ingress-backend' as const, file: ingress.file, object: describe(ingress) };
  const services = folder.objects.filter((o) => o.kind === 'Service' && namespaceOf(o, folder) === namespace);
  const pods = podsOf(folder).filter((p) => p.namespace === namespace);
  const annotations = ingress.body.metadata?.annotations ?? {};
  for (const backend of backends(ingress)) {
    ctx.followed('ingress-backend');
    const wanted = backend.port.name ?? backend.port.number;
    const from = `${backend.path} = ${backend.service}:${String(wanted)}`;
    const service = services.find((s) => s.name === backend.service);
    if (!service) {
      problems.push({
        ...base,
        from,
        to: `Services in namespace ${namespace}: ${quoteList(services.map((s) => s.name))}`,
        message: 'the Ingress routes to a Service the manifests do not create',
      });
      continue;
    }
    const ports: Json[] = service.body.spec?.ports ?? [];
    const port = ports.find((p) => (backend.port.name !== undefined ? p.name === backend.port.name : p.port === backend.port.number));
    if (!port) {
      problems.push({
        ...base,
        from,
        to: `${describe(service)} (${service.file}) ports: ${quoteList(ports.map((p) => `${p.name ?? ''}:${p.port}`))}`,
        message: 'the Ingress routes to a port the Service does not have',
      });
      continue;
    }
    if (GRPC_APP_PROTOCOLS.has(port.appProtocol) && !/^GRPCS?$/.test(annotations[BACKEND_PROTOCOL] ?? '')) {
      problems.push({
        ...base,
        from: `metadata.annotations["${BACKEND_PROTOCOL}"] = ${JSON.stringify(annotations[BACKEND_PROTOCOL] ?? '(unset: HTTP)')}`,
        to: `${describe(service)} (${service.file}) port ${port.name ?? port.port} appProtocol ${port.appProtocol}`,
        message: 'ingress-nginx speaks HTTP/1.1 to a gRPC backend unless the Ingress says GRPC',
      });
    }
    const target = port.targetPort ?? port.port;
    for (const pod of pods.filter((p) => serviceSelects(service.body.spec?.selector, p.labels))) {
      const container = pod.ports.find((c) => (typeof target === 'number' ? c.containerPort === target : c.name === target));
      if (!container) {
        problems.push({
          ...base,
          from: `${from} → ${describe(service)} targetPort ${JSON.stringify(target)}`,
          to: `${describe(pod.owner)} (${pod.owner.file}) container ports: ${quoteList(pod.ports.map((c) => `${c.name ?? ''}:${c.containerPort}`))}`,
          message: 'the Ingress reaches a port the pods do not listen on',
        });
        continue;
      }
      const controller = ctx.platform.ingressControllerNamespace;
      if (controller === undefined) continue;
      const peer = { namespace: controller, namespaceLabels: ctx.network.namespaceLabels(controller), labels: CONTROLLER_POD_LABELS, ports: [] };
      if (!allows(ctx.network, 'Ingress', pod, peer, container.containerPort)) {
        problems.push({
          ...base,
          from: `${from} → ${describe(pod.owner)} container port ${container.containerPort}`,
          to: `NetworkPolicies selecting ${describe(pod.owner)}'s pods admit no ingress from namespace ${controller} (platform kubernetes.ingressControllerNamespace) on ${container.containerPort}`,
          message: 'the ingress controller cannot reach the pods',
        });
      }
    }
  }
  return problems;
}

function tlsProblems(ctx: ServiceEnv, ingress: KubeObject, folder: ManifestFolder): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const namespace = namespaceOf(ingress, folder);
  const annotations = ingress.body.metadata?.annotations ?? {};
  const shim = annotations['cert-manager.io/cluster-issuer'] ?? annotations['cert-manager.io/issuer'];
  const created = ctx.envFolders.flatMap((f) =>
    f.objects.flatMap((o) => {
      if (namespaceOf(o, f) !== namespace) return [];
      if (o.kind === 'Secret') return [{ name: o.name, by: `${describe(o)} (${o.file})` }];
      if (o.kind === 'Certificate' && o.body.spec?.secretName) return [{ name: String(o.body.spec.secretName), by: `${describe(o)} (${o.file})` }];
      return [];
    }),
  );
  (ingress.body.spec?.tls ?? []).forEach((tls: Json, i: number) => {
    if (!tls.secretName) return;
    ctx.followed('ingress-tls');
    if (shim !== undefined || created.some((c) => c.name === tls.secretName)) return;
    problems.push({
      check: 'ingress-tls',
      file: ingress.file,
      object: describe(ingress),
      from: `spec.tls[${i}].secretName = ${JSON.stringify(tls.secretName)}`,
      to: `no cert-manager.io/cluster-issuer or issuer annotation; Secrets and Certificates in namespace ${namespace}: ${quoteList(created.map((c) => `${c.name} from ${c.by}`))}`,
      message: 'the Ingress serves a TLS secret nothing creates',
    });
  });
  return problems;
}

export function checkIngress(ctx: ServiceEnv): WiringProblem[] {
  const folder = ctx.folder;
  if (!folder) return [];
  return folder.objects
    .filter((o) => o.kind === 'Ingress')
    .flatMap((ingress) => [...backendProblems(ctx, ingress, folder), ...tlsProblems(ctx, ingress, folder)]);
}
