import type * as k8s from './kube-types.js';
import type { Compute } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { ownedName, type RenderContext } from './context.js';
import { labels, metadata, selectorLabels, type Component } from './labels.js';
import { manifest, type Manifest } from './manifest.js';
import { dnsEgress, servicePods } from './networking.js';
import { containerSecurityContext, podSecurityContext, scratchVolumes, TMP, type ScratchMount } from './pod.js';
import { LOCALSTACK, LOCALSTACK_PORT } from './preview-names.js';
import { scaleCpu, scaleMemory } from './quantity.js';
import { KUBERNETES_WAIVERS as WAIVERS, type Waiver } from '../shared/waivers.js';
import { topologySpread } from './workloads.js';
import { kubeObject } from './kube-object.js';

/**
 * Preview's in-cluster stand-ins for cloud resources: each a Deployment, a
 * Service and a NetworkPolicy, as hardened as the service and reachable only
 * from its pods.
 */

export interface StandIn {
  readonly component: Exclude<Component, 'server' | 'cron' | 'db-bootstrap'>;
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Variables read from Secrets the preview creates (a generated database password), after `env`. */
  readonly secretEnv?: ReadonlyArray<{ readonly name: string; readonly secret: string; readonly key: string }>;
  readonly scratch: readonly ScratchMount[];
  readonly readiness: k8s.Probe;
  readonly compute: Compute;
  readonly readOnlyRootFilesystem?: boolean;
  readonly extraVolumes?: ReadonlyArray<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
  readonly waivers?: readonly Waiver[];
}

/** A stand-in's Deployment, Service and NetworkPolicy: as hardened as the service, reachable only from it. */
export function standIn(ctx: RenderContext, s: StandIn): Manifest[] {
  const selector = selectorLabels(ctx, s.component, s.name);
  const scratch = scratchVolumes(s.scratch);
  const policy = ctx.project.platform.kubernetes.limits;
  const container: k8s.Container = {
    name: s.component,
    image: s.image,
    imagePullPolicy: 'Always',
    ...(s.args ? { args: [...s.args] } : {}),
    ...(s.env || s.secretEnv
      ? {
          env: [
            ...Object.entries(s.env ?? {}).map(([name, value]) => ({ name, value })),
            ...(s.secretEnv ?? []).map(({ name, secret, key }) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } })),
          ],
        }
      : {}),
    ports: [{ name: s.component, containerPort: s.port, protocol: 'TCP' }],
    // Requests are a preview's; the data of a stand-in lives in emptyDirs, hence the larger storage limit.
    resources: {
      requests: {
        cpu: scaleCpu(s.compute.cpu, 0.1),
        memory: scaleMemory(s.compute.memory, 0.25),
        'ephemeral-storage': policy.ephemeralStorageRequest,
      },
      limits: { cpu: s.compute.cpu, memory: s.compute.memory, 'ephemeral-storage': '2Gi' },
    },
    securityContext: containerSecurityContext({ readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? true }),
    volumeMounts: [...scratch.volumeMounts, ...(s.extraVolumes ?? []).map((v) => v.mount)],
    livenessProbe: { tcpSocket: { port: s.component }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, initialDelaySeconds: 10 },
    readinessProbe: { ...s.readiness, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
  };
  const deploymentObject = kubeObject('Deployment', {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: {
      replicas: 1,
      revisionHistoryLimit: 1,
      selector: { matchLabels: selector },
      // Stop the old pod first: two instances would each hold half the test data.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: {
        metadata: { labels: labels(ctx, s.component, s.name) },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          containers: [container],
          volumes: [...scratch.volumes, ...(s.extraVolumes ?? []).map((v) => v.volume)],
          topologySpreadConstraints: topologySpread(selector, true),
        },
      },
    },
  });
  const serviceObject = kubeObject('Service', {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: { type: 'ClusterIP', selector, ports: [{ name: s.component, port: s.port, targetPort: s.component, protocol: 'TCP' }] },
  });
  const networkPolicy = kubeObject('NetworkPolicy', {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: servicePods(ctx) }], ports: [{ protocol: 'TCP', port: s.component }] }],
      egress: [dnsEgress()],
    },
  });
  return [manifest(deploymentObject, [WAIVERS.previewSingleReplica, ...(s.waivers ?? [])]), manifest(serviceObject), manifest(networkPolicy)];
}

/** LocalStack with an init hook that creates the service's topics, queues and buckets. */
export function localStack(ctx: RenderContext): Manifest[] {
  const { service, project } = ctx;
  const aws = (args: string): string => `awslocal ${args}`;
  const script = [
    '#!/bin/bash',
    'set -euo pipefail',
    ...service.resources.topics.map((t) => aws(`sns create-topic --name '${names.snsTopic(service.name, 'preview', t.name)}'`)),
    ...service.resources.subscriptions.flatMap((s) => [
      aws(`sqs create-queue --queue-name '${names.sqsDeadLetterQueue(service.name, 'preview', s.from, s.topic)}'`),
      aws(`sqs create-queue --queue-name '${names.sqsQueue(service.name, 'preview', s.from, s.topic)}'`),
    ]),
    ...service.resources.buckets.map((b) =>
      aws(`s3 mb 's3://${names.s3Bucket(project.platform.name, project.platform.cloud.bucketNameSuffix, service.name, 'preview', b.name)}'`),
    ),
    '',
  ].join('\n');
  const name = ownedName(ctx, LOCALSTACK);
  const init = ownedName(ctx, 'localstack-init');
  const configMap = kubeObject('ConfigMap', {
    metadata: metadata(ctx, init, 'localstack', name),
    data: { 'init.sh': script },
  });
  return [
    manifest(configMap),
    ...standIn(ctx, {
      component: 'localstack',
      name,
      image: project.platform.kubernetes.preview.localstackImage,
      port: LOCALSTACK_PORT,
      env: {
        SERVICES: 'sns,sqs,s3',
        // Queue URLs become http://<name>:4566/<account>/<queue>, as the connection Secrets say.
        SQS_ENDPOINT_STRATEGY: 'off',
        LOCALSTACK_HOST: `${name}:${LOCALSTACK_PORT}`,
        AWS_DEFAULT_REGION: project.platform.cloud.region,
        // No telemetry and no certificate download: the NetworkPolicy allows no egress but DNS.
        DISABLE_EVENTS: '1',
        SKIP_SSL_CERT_DOWNLOAD: '1',
      },
      scratch: [TMP, { name: 'data', path: '/var/lib/localstack' }],
      readiness: { httpGet: { path: '/_localstack/health', port: 'localstack' } },
      compute: { cpu: '1', memory: '1Gi' },
      readOnlyRootFilesystem: false,
      waivers: [WAIVERS.localstackWritableRoot],
      extraVolumes: [
        {
          // 0555: LocalStack runs the hook scripts it finds executable.
          volume: { name: 'init', configMap: { name: init, defaultMode: 0o555 } },
          mount: { name: 'init', mountPath: '/etc/localstack/init/ready.d', readOnly: true },
        },
      ],
    }),
  ];
}
