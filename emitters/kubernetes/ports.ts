import type * as k8s from './kube-types.js';
import type { PortProtocol, ResolvedService } from '../../spec/model.js';
import { METRICS_PORT_NAME } from '../../spec/runtime-env.js';
import type { RenderContext } from './context.js';

/**
 * The ports of the app container and of its Service, named once here: the
 * Service, the Ingress, the probes, the monitor and the NetworkPolicies refer
 * to ports by these names. The main port is named after its protocol, each of
 * runtime.ports by its own name, the metrics port `metrics`, unless the
 * service declared its metrics on one of its ports, which is then reused
 * under that port's name rather than listed twice.
 */

/** A named port of the app container, and the number the Service exposes it on. */
export interface NamedPort {
  readonly name: string;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly protocol: PortProtocol;
}

/** The app container's port name: Service, Ingress and probes refer to it, not to the number. */
export function portName(ctx: RenderContext): string | undefined {
  return ctx.service.runtime.port === undefined ? undefined : ctx.service.runtime.protocol;
}

/** The main port and runtime.ports, without the metrics port: what callers reach. */
export function appPorts(service: ResolvedService): NamedPort[] {
  const { runtime } = service;
  if (runtime.port === undefined) return [];
  return [
    { name: runtime.protocol, containerPort: runtime.port, servicePort: runtime.servicePort ?? runtime.port, protocol: runtime.protocol },
    ...runtime.ports.map((p) => ({ name: p.name, containerPort: p.port, servicePort: p.port, protocol: p.protocol })),
  ];
}

/** The name of the port serving metrics: an app port it shares, or its own `metrics`. */
export function metricsPortName(service: ResolvedService): string {
  return appPorts(service).find((p) => p.containerPort === service.observability.metrics.port)?.name ?? METRICS_PORT_NAME;
}

/** Every port of the app container: the app's, then the metrics port unless it is one of them. */
export function containerPorts(service: ResolvedService): NamedPort[] {
  const ports = appPorts(service);
  const { port } = service.observability.metrics;
  const shared = ports.some((p) => p.containerPort === port);
  return shared ? ports : [...ports, { name: METRICS_PORT_NAME, containerPort: port, servicePort: port, protocol: 'http' }];
}

/** Kubernetes' appProtocol of a port: gRPC is HTTP/2 without TLS inside the cluster; plain TCP says nothing. */
function appProtocol(protocol: PortProtocol): { appProtocol?: string } {
  return protocol === 'grpc' ? { appProtocol: 'kubernetes.io/h2c' } : protocol === 'http' ? { appProtocol: 'http' } : {};
}

export function containerPortSpecs(service: ResolvedService): k8s.ContainerPort[] {
  return containerPorts(service).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' }));
}

/** The Service's ports, each forwarding to the container port of its name. */
export function servicePortSpecs(service: ResolvedService): k8s.ServicePort[] {
  return containerPorts(service).map((p) => ({
    name: p.name,
    port: p.servicePort,
    targetPort: p.name,
    protocol: 'TCP',
    ...appProtocol(p.protocol),
  }));
}
