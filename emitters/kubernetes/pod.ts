import type * as k8s from './kube-types.js';
import type { Compute } from '../../spec/model.js';
import type { RenderContext } from './context.js';
import { metricsPortName } from './ports.js';
import { scaleCpu, scaleMemory } from './quantity.js';

/**
 * The hardened pod: Pod Security Standards "restricted" plus the kube-score and
 * polaris checks of security-rules.md §2, identical for every workload so a
 * reviewer learns it once. Workload builders add only their containers' purpose.
 */

/** Above 10000, as kube-score's container-security-context-user-group-id demands. */
export const RUN_AS = 10001;

/** Pod-level security: non-root, fixed UID/GID, RuntimeDefault seccomp. */
export function podSecurityContext(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS,
    runAsGroup: RUN_AS,
    fsGroup: RUN_AS,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Repeated on the container, where kube-score and polaris look first. */
export function containerSecurityContext(options: { readonly readOnlyRootFilesystem?: boolean } = {}): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    runAsNonRoot: true,
    runAsUser: RUN_AS,
    runAsGroup: RUN_AS,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Writable scratch space under a read-only root filesystem. */
export interface ScratchMount {
  readonly name: string;
  readonly path: string;
}

export const TMP: ScratchMount = { name: 'tmp', path: '/tmp' };

export function scratchVolumes(mounts: readonly ScratchMount[]): { volumes: k8s.Volume[]; volumeMounts: k8s.VolumeMount[] } {
  return {
    volumes: mounts.map((m) => ({ name: m.name, emptyDir: {} })),
    volumeMounts: mounts.map((m) => ({ name: m.name, mountPath: m.path })),
  };
}

/**
 * Requests as given; limits by the platform's policy (CPU and memory as ratios
 * of the request, ephemeral storage fixed). `limitsFrom` lets preview shrink its
 * requests while keeping the limits a full-size pod would have.
 */
export function resources(ctx: RenderContext, requests: Compute, limitsFrom: Compute = requests): k8s.ResourceRequirements {
  const policy = ctx.project.platform.kubernetes.limits;
  return {
    requests: { cpu: requests.cpu, memory: requests.memory, 'ephemeral-storage': policy.ephemeralStorageRequest },
    limits: {
      cpu: scaleCpu(limitsFrom.cpu, policy.cpuRatio),
      memory: scaleMemory(limitsFrom.memory, policy.memoryRatio),
      'ephemeral-storage': policy.ephemeralStorageLimit,
    },
  };
}

/**
 * Liveness and readiness must differ (kube-score pod-probes-identical): a
 * dependency outage should take a pod out of rotation, not restart it.
 * - http: the service's two health paths (validation rejects identical ones).
 * - grpc: the standard gRPC health service, asked about the service names
 *   `liveness` and `readiness`, which the app registers.
 * - worker (no port) that declares observability.metrics: its metrics
 *   endpoint, the only one it says it serves. The liveness probe only
 *   connects; readiness fetches the metrics path. They prove the process is
 *   up, not that it keeps up with its queue: the queue-age alerts do that.
 * - worker without observability.metrics: no probes. paved cannot know that it
 *   serves anything, and a probe on a port it does not serve restarts it
 *   forever; the Deployment carries the `workerWithoutProbes` waiver.
 */
export function probes(ctx: RenderContext, portName: string | undefined): { livenessProbe?: k8s.Probe; readinessProbe?: k8s.Probe } {
  const { runtime, observability } = ctx.service;
  const timing = {
    liveness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, initialDelaySeconds: 10 },
    readiness: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
  };
  if (runtime.port === undefined || portName === undefined) {
    if (!observability.metrics.declared) return {};
    const metrics = metricsPortName(ctx.service);
    return {
      livenessProbe: { tcpSocket: { port: metrics }, ...timing.liveness },
      readinessProbe: { httpGet: { path: observability.metrics.path, port: metrics }, ...timing.readiness },
    };
  }
  if (runtime.protocol === 'grpc') {
    return {
      livenessProbe: { grpc: { port: runtime.port, service: 'liveness' }, ...timing.liveness },
      readinessProbe: { grpc: { port: runtime.port, service: 'readiness' }, ...timing.readiness },
    };
  }
  return {
    livenessProbe: { httpGet: { path: runtime.health.liveness, port: portName }, ...timing.liveness },
    readinessProbe: { httpGet: { path: runtime.health.readiness, port: portName }, ...timing.readiness },
  };
}

/** A worker paved does not probe: it declares no metrics endpoint (see probes). */
export function unprobedWorker(ctx: RenderContext): boolean {
  return ctx.service.runtime.port === undefined && !ctx.service.observability.metrics.declared;
}
