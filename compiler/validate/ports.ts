import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import { METRICS_PORT_NAME } from '../../spec/runtime-env.js';
import { serviceDefaults } from '../../spec/service-schema.js';
import type { ServiceSpec } from '../../spec/types.js';
import { showString } from './text.js';

/**
 * The container's ports (runtime.port, runtime.ports, the metrics port) and the
 * Service's (runtime.servicePort, runtime.ports, the metrics port): Kubernetes
 * needs every name and number unique within each list. A declared metrics port
 * may be one of the app's ports, which is then reused (docs/targets/kubernetes.md).
 */
export function checkPorts(
  spec: ServiceSpec,
  platformMetrics: number,
  report: (pointer: string, code: DiagnosticCode, message: string, hint: string) => void,
): void {
  const { runtime } = spec;
  const ports = runtime.ports ?? [];
  if (runtime.port === undefined) {
    if (runtime.servicePort !== undefined)
      report(
        '/runtime/servicePort',
        'SPEC.WORKER_PORTS',
        'a worker (no runtime.port) has no Service, so it has no servicePort',
        'add runtime.port for the Service to forward to, or remove servicePort',
      );
    if (ports.length > 0)
      report(
        '/runtime/ports',
        'SPEC.WORKER_PORTS',
        'a worker (no runtime.port) has no Service, so nothing could reach its runtime.ports',
        'add runtime.port, or remove runtime.ports',
      );
  }
  const mainName = runtime.protocol ?? serviceDefaults.protocol;
  const names = new Set<string>();
  for (const [index, port] of ports.entries()) {
    const pointer = `/runtime/ports/${index}/name`;
    if (port.name === METRICS_PORT_NAME || (runtime.port !== undefined && port.name === mainName))
      report(
        pointer,
        'SPEC.RESERVED_PORT_NAME',
        `${showString(port.name)} is the name of ${port.name === METRICS_PORT_NAME ? 'the metrics port' : `the main port (runtime.port, named after runtime.protocol ${mainName})`}`,
        'choose another name, e.g. "admin"',
      );
    else if (names.has(port.name))
      report(pointer, 'REF.DUPLICATE_NAME', `port ${showString(port.name)} is declared twice`, 'port names are unique; rename or remove one');
    names.add(port.name);
  }
  // The metrics port is the platform's unless declared: the app's own ports keep off it; a declared one may be an app port.
  const implicitMetrics = spec.observability?.metrics?.port === undefined;
  const containerPorts = new Map<number, string>();
  const servicePorts = new Map<number, string>();
  if (runtime.port !== undefined) {
    containerPorts.set(runtime.port, 'runtime.port');
    servicePorts.set(runtime.servicePort ?? runtime.port, runtime.servicePort === undefined ? 'runtime.port' : 'runtime.servicePort');
  }
  for (const [index, port] of ports.entries()) {
    const pointer = `/runtime/ports/${index}/port`;
    const taken = containerPorts.get(port.port) ?? servicePorts.get(port.port);
    if (taken !== undefined)
      report(pointer, 'SPEC.DUPLICATE_PORT', `port ${port.port} is also ${taken}`, 'every container and Service port has its own number; choose another');
    else if (implicitMetrics && port.port === platformMetrics)
      report(
        pointer,
        'POLICY.RESERVED_PORT',
        `port ${platformMetrics} is the metrics port every pod serves`,
        'choose another port, or declare observability.metrics.port if this port serves the metrics',
      );
    containerPorts.set(port.port, `runtime.ports[${index}]`);
    servicePorts.set(port.port, `runtime.ports[${index}]`);
  }
  // A Service port must not take the number of the metrics port the Service also lists.
  const metricsPort = spec.observability?.metrics?.port ?? platformMetrics;
  if (runtime.servicePort !== undefined && runtime.servicePort === metricsPort && !containerPorts.has(metricsPort))
    report('/runtime/servicePort', 'SPEC.DUPLICATE_PORT', `port ${metricsPort} is also the metrics port on the Service`, 'choose another servicePort, e.g. 80');
  // Prometheus scrapes over HTTP/1.1, which a gRPC server does not answer: the dashboards would stay empty.
  const declaredMetrics = spec.observability?.metrics?.port;
  const grpcIndex = ports.findIndex((p) => p.port === declaredMetrics && p.protocol === 'grpc');
  const grpcPort =
    declaredMetrics === undefined
      ? undefined
      : runtime.port === declaredMetrics && mainName === 'grpc'
        ? 'runtime.port'
        : grpcIndex >= 0
          ? `runtime.ports[${grpcIndex}]`
          : undefined;
  if (grpcPort !== undefined)
    report(
      '/observability/metrics/port',
      'SPEC.METRICS_ON_GRPC_PORT',
      `port ${declaredMetrics} is ${grpcPort}, which speaks gRPC; Prometheus scrapes metrics over HTTP/1.1`,
      'serve the metrics on an HTTP port of their own (e.g. 9464) or on an http entry of runtime.ports, and declare that port',
    );
  // Identical probes restart a pod for what should only take it out of rotation (kube-score pod-probes-identical).
  const health = runtime.health ?? {};
  const liveness = health.liveness ?? serviceDefaults.health.liveness;
  const readiness = health.readiness ?? serviceDefaults.health.readiness;
  if (runtime.port !== undefined && mainName === 'http' && liveness === readiness)
    report(
      health.readiness !== undefined ? '/runtime/health/readiness' : '/runtime/health/liveness',
      'SPEC.IDENTICAL_PROBES',
      `liveness and readiness both probe ${showString(liveness)}`,
      'give readiness its own path that also checks dependencies (e.g. /readyz), and keep liveness to the process itself (e.g. /healthz)',
    );
}
