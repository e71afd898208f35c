import type * as k8s from './kube-types.js';
import type { Compute, ResolvedCronJob } from '../../spec/model.js';
import { deployedName, names } from '../../spec/naming.js';
import type { RenderContext } from './context.js';
import { containerEnv, escapeDollars, type Workload } from './env-vars.js';
import { annotations, labels, metadata, selectorLabels, type Component } from './labels.js';
import { containerSecurityContext, podSecurityContext, probes, resources, scratchVolumes, TMP } from './pod.js';
import { containerPortSpecs, portName } from './ports.js';
import { kubeObject } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/** The service's Deployment and what keeps it available: HorizontalPodAutoscaler and PodDisruptionBudget. */

/** An HPA needs room to scale; with min = max it would only fight the Deployment. */
export function hasAutoscaler(ctx: RenderContext): boolean {
  return ctx.env !== 'preview' && ctx.environment.scaling.max > ctx.environment.scaling.min;
}

/** Spread over zones, then nodes; ScheduleAnyway so a lost zone never blocks scheduling. */
export function topologySpread(selector: Record<string, string>, perRevision: boolean): k8s.TopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    // Count only the pods of the same ReplicaSet, so a rollout spreads its new pods too.
    ...(perRevision ? { matchLabelKeys: ['pod-template-hash'] } : {}),
  }));
}

/** The pod spec every workload of the service shares; only the containers differ. */
export function podSpec(ctx: RenderContext, component: Component, containers: k8s.Container[], perRevision: boolean): k8s.PodSpec {
  return {
    serviceAccountName: names.serviceAccount(ctx.service.name),
    // The API token is not needed; EKS Pod Identity mounts its own projected token regardless.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(),
    containers,
    volumes: scratchVolumes([TMP]).volumes,
    topologySpreadConstraints: topologySpread(selectorLabels(ctx, component), perRevision),
  };
}

export function serverContainer(ctx: RenderContext, requests: Compute, limitsFrom: Compute): k8s.Container {
  const { runtime } = ctx.service;
  const name = portName(ctx);
  return {
    name: 'app',
    image: ctx.image,
    imagePullPolicy: 'Always',
    ...(runtime.command ? { command: runtime.command.map(escapeDollars) } : {}),
    ports: containerPortSpecs(ctx.service),
    env: containerEnv(ctx, { kind: 'server' }),
    resources: resources(ctx, requests, limitsFrom),
    securityContext: containerSecurityContext(),
    volumeMounts: scratchVolumes([TMP]).volumeMounts,
    ...probes(ctx, name),
  };
}

export function deployment(ctx: RenderContext, options: { readonly replicas?: number; readonly requests: Compute; readonly limitsFrom: Compute }): KubeJson {
  return kubeObject('Deployment', {
    metadata: metadata(ctx, ctx.service.name, 'server'),
    spec: {
      // kube-score: a Deployment an HPA scales carries no replicas, or every sync would reset them.
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(ctx, 'server') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels(ctx, 'server'), annotations: annotations(ctx) },
        spec: podSpec(ctx, 'server', [serverContainer(ctx, options.requests, options.limitsFrom)], true),
      },
    },
  });
}

export function autoscaler(ctx: RenderContext): KubeJson {
  const { scaling } = ctx.environment;
  return kubeObject('HorizontalPodAutoscaler', {
    metadata: metadata(ctx, ctx.service.name, 'server'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.service.name },
      minReplicas: scaling.min,
      maxReplicas: scaling.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilization } } }],
    },
  });
}

export function disruptionBudget(ctx: RenderContext): KubeJson {
  return kubeObject('PodDisruptionBudget', {
    metadata: metadata(ctx, ctx.service.name, 'server'),
    spec: {
      // One at a time, whatever the replica count: never 0, which would block every node drain.
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(ctx, 'server') },
      // A pod that is not ready protects nothing; let drains evict it.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/** `suspend` keeps preview's jobs from running on their schedule; they can still be started by hand. */
/** The one container of a cron job's or a job's pod: the service's image, env contract and limits, the job's command. */
export function jobContainer(ctx: RenderContext, command: readonly string[], workload: Workload, requests: Compute, limitsFrom: Compute): k8s.Container {
  return {
    name: 'job',
    image: ctx.image,
    imagePullPolicy: 'Always',
    command: command.map(escapeDollars),
    env: containerEnv(ctx, workload),
    resources: resources(ctx, requests, limitsFrom),
    securityContext: containerSecurityContext(),
    volumeMounts: scratchVolumes([TMP]).volumeMounts,
  };
}

/** What every CronJob paved writes shares: scheduled cron jobs and manual jobs' templates (jobs.ts). */
export const CRON_JOB_POLICY = {
  // service.yaml schedules are UTC; saying so keeps the cluster's zone out of it.
  timeZone: 'Etc/UTC',
  concurrencyPolicy: 'Forbid',
  // A run missed by more than five minutes (controller down, cluster upgrade) is skipped, not run late.
  startingDeadlineSeconds: 300,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
} as const;

export function cronJob(
  ctx: RenderContext,
  job: ResolvedCronJob,
  options: { readonly requests: Compute; readonly limitsFrom: Compute; readonly suspend?: boolean },
): KubeJson {
  const container = jobContainer(ctx, job.command, { kind: 'cron', job: job.name }, options.requests, options.limitsFrom);
  return kubeObject('CronJob', {
    metadata: metadata(ctx, names.cronJob(ctx.service.name, deployedName(job)), 'cron', job.name),
    spec: {
      schedule: job.schedule,
      ...(options.suspend ? { suspend: true } : {}),
      ...CRON_JOB_POLICY,
      jobTemplate: {
        metadata: { labels: labels(ctx, 'cron', job.name), annotations: annotations(ctx) },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: labels(ctx, 'cron', job.name), annotations: annotations(ctx) },
            // Never: the Job retries in a fresh pod and the failed one stays for its logs.
            spec: { ...podSpec(ctx, 'cron', [container], false), restartPolicy: 'Never' },
          },
        },
      },
    },
  });
}
