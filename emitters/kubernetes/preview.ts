import type { k8s } from 'cdk8s-plus-32';
import { intOrString, kube, quantity } from './cdk8s.js';
import type { Construct } from 'constructs';
import type { Compute } from '../../spec/model.js';
import { CONNECTION_KEYS, names } from '../../spec/naming.js';
import { connectionObjectName, connectionsOf, queueName, type Connection } from '../../spec/runtime-env.js';
import type { RenderContext } from './context.js';
import { usesLocalStack } from './env-vars.js';
import { namespace, serviceAccount } from './identity.js';
import { labels, metadata, selectorLabels, type Component } from './labels.js';
import { manifest, type Manifest } from './manifest.js';
import { monitor } from './monitoring.js';
import { defaultDeny, dnsEgress, ingress, service, serviceNetworkPolicy, servicePods } from './networking.js';
import { containerSecurityContext, podSecurityContext, scratchVolumes, TMP, type ScratchMount } from './pod.js';
import { LOCALSTACK, LOCALSTACK_ACCOUNT, LOCALSTACK_CREDENTIALS, LOCALSTACK_PORT, POSTGRES_PORT, postgresName, REDIS_PORT, redisName } from './preview-names.js';
import { scaleCpu, scaleMemory } from './quantity.js';
import { declaredSecrets } from './secrets.js';
import { WAIVERS, type Waiver } from './waivers.js';
import { cronJob, deployment, topologySpread } from './workloads.js';

/**
 * A pull request's preview: the service without cloud resources. PostgreSQL,
 * Redis and LocalStack (SNS, SQS, S3) run in its namespace as ephemeral
 * stand-ins, connection Secrets point at them, requests shrink, one replica
 * runs, and cron jobs are suspended (trigger one with `kubectl create job
 * --from=cronjob/<name>`). The directory is a kustomize base; CI sets the
 * namespace, image and host (README, Kubernetes).
 */
export function previewEnvironment(scope: Construct, ctx: RenderContext): Manifest[] {
  const full = ctx.environment.compute;
  const ratio = ctx.project.platform.kubernetes.preview.requestRatio;
  // Smaller requests pack previews densely; limits stay those of a full-size pod.
  const requests: Compute = { cpu: scaleCpu(full.cpu, ratio), memory: scaleMemory(full.memory, ratio) };
  const serviceObject = service(scope, ctx);
  const ingressObject = ingress(scope, ctx);
  const { databases, caches } = ctx.service.resources;
  return [
    manifest(namespace(scope, ctx)),
    manifest(serviceAccount(scope, ctx)),
    manifest(deployment(scope, ctx, { replicas: 1, requests, limitsFrom: full }), [WAIVERS.previewSingleReplica]),
    ...(serviceObject ? [manifest(serviceObject)] : []),
    ...(ingressObject ? [manifest(ingressObject)] : []),
    manifest(monitor(scope, ctx)),
    manifest(defaultDeny(scope, ctx)),
    manifest(serviceNetworkPolicy(scope, ctx)),
    ...ctx.service.resources.cron.map((job) => manifest(cronJob(scope, ctx, job, requests, full, true))),
    ...declaredSecrets(scope, ctx).map((object) => manifest(object)),
    ...connectionsOf(ctx.service.resources).map((connection) => manifest(connectionSecret(scope, ctx, connection), [], CONNECTION_NOTE)),
    manifest(localStackCredentials(scope, ctx), [], CREDENTIALS_NOTE),
    ...databases.flatMap((database) =>
      standIn(scope, ctx, {
        component: 'postgres',
        name: postgresName(database.name),
        // The cloud database's engine version, so previews test against the same major release.
        image: `${ctx.project.platform.kubernetes.preview.postgresRepository}:${database.version}`,
        port: POSTGRES_PORT,
        env: { POSTGRES_DB: sqlName(database.name), POSTGRES_USER: PREVIEW_DATABASE_USER, POSTGRES_HOST_AUTH_METHOD: 'trust', PGDATA: '/var/lib/postgresql/data/pgdata' },
        scratch: [TMP, { name: 'data', path: '/var/lib/postgresql/data' }, { name: 'run', path: '/var/run/postgresql' }],
        readiness: { exec: { command: ['pg_isready', '--host', '127.0.0.1', '--username', PREVIEW_DATABASE_USER, '--dbname', sqlName(database.name)] } },
        compute: { cpu: '500m', memory: '512Mi' },
      }),
    ),
    ...caches.flatMap((cache) =>
      standIn(scope, ctx, {
        component: 'redis',
        name: redisName(cache.name),
        image: ctx.project.platform.kubernetes.preview.redisImage,
        port: REDIS_PORT,
        // A cache: nothing is saved to disk.
        args: ['--save', '', '--appendonly', 'no'],
        scratch: [TMP, { name: 'data', path: '/data' }],
        readiness: { exec: { command: ['redis-cli', 'ping'] } },
        compute: { cpu: '250m', memory: '256Mi' },
      }),
    ),
    ...(usesLocalStack(ctx) ? localStack(scope, ctx) : []),
  ];
}

const CONNECTION_NOTE = ['Connection details of a preview stand-in. No credentials: PostgreSQL trusts the pods its', 'NetworkPolicy admits, Redis has no auth, and LocalStack accepts any keys.'];
const CREDENTIALS_NOTE = ["LocalStack's documented test credentials; AWS SDKs refuse to sign requests without some."];

/** The role the app connects as in preview; the name is fixed so previews differ only where services do. */
const PREVIEW_DATABASE_USER = 'app';

/** PostgreSQL identifiers: `order-db` → `order_db`, which needs no quoting. */
const sqlName = (name: string): string => name.replace(/-/g, '_');

/** The values Terraform would store for a cloud resource, pointing at the stand-in instead. */
function connectionValues(ctx: RenderContext, connection: Connection): Record<string, string> {
  const { service, project } = ctx;
  const region = project.platform.cloud.region;
  const queueUrl = (queue: string): string => `http://${LOCALSTACK}:${LOCALSTACK_PORT}/${LOCALSTACK_ACCOUNT}/${queue}`;
  switch (connection.kind) {
    case 'database':
      return { host: postgresName(connection.name), port: String(POSTGRES_PORT), dbname: sqlName(connection.name), username: PREVIEW_DATABASE_USER };
    case 'cache':
      return { host: redisName(connection.name), port: String(REDIS_PORT), username: 'default' };
    case 'topic':
      return { arn: `arn:aws:sns:${region}:${LOCALSTACK_ACCOUNT}:${names.snsTopic(service.name, 'preview', connection.name)}` };
    case 'queue': {
      const subscription = service.resources.subscriptions.find((s) => queueName(s.from, s.topic) === connection.name)!;
      const queue = names.sqsQueue(service.name, 'preview', subscription.from, subscription.topic);
      return { url: queueUrl(queue), arn: `arn:aws:sqs:${region}:${LOCALSTACK_ACCOUNT}:${queue}`, dlq_url: queueUrl(names.sqsDeadLetterQueue(service.name, 'preview', subscription.from, subscription.topic)) };
    }
    case 'bucket':
      return { bucket: names.s3Bucket(project.platform.name, service.name, 'preview', connection.name), region };
  }
}

function connectionSecret(scope: Construct, ctx: RenderContext, connection: Connection): k8s.KubeSecret {
  const values = connectionValues(ctx, connection);
  // Exactly the keys of the cloud environments' connection secrets.
  const stringData = Object.fromEntries(CONNECTION_KEYS[connection.kind].map((key) => [key, values[key]!]));
  return new (kube().KubeSecret)(scope, `connection-${connectionObjectName(connection)}`, { metadata: metadata(ctx, connectionObjectName(connection)), type: 'Opaque', stringData });
}

function localStackCredentials(scope: Construct, ctx: RenderContext): k8s.KubeSecret {
  return new (kube().KubeSecret)(scope, 'localstack-credentials', {
    metadata: metadata(ctx, LOCALSTACK_CREDENTIALS),
    type: 'Opaque',
    stringData: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
}

interface StandIn {
  readonly component: Exclude<Component, 'server' | 'cron'>;
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly scratch: readonly ScratchMount[];
  readonly readiness: k8s.Probe;
  readonly compute: Compute;
  readonly readOnlyRootFilesystem?: boolean;
  readonly extraVolumes?: ReadonlyArray<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
  readonly waivers?: readonly Waiver[];
}

/** A stand-in's Deployment, Service and NetworkPolicy: as hardened as the service, reachable only from it. */
function standIn(scope: Construct, ctx: RenderContext, s: StandIn): Manifest[] {
  const selector = selectorLabels(ctx, s.component, s.name);
  const scratch = scratchVolumes(s.scratch);
  const policy = ctx.project.platform.kubernetes.limits;
  const port = intOrString(s.component);
  const container: k8s.Container = {
    name: s.component,
    image: s.image,
    imagePullPolicy: 'Always',
    ...(s.args ? { args: [...s.args] } : {}),
    ...(s.env ? { env: Object.entries(s.env).map(([name, value]) => ({ name, value })) } : {}),
    ports: [{ name: s.component, containerPort: s.port, protocol: 'TCP' }],
    // Requests are a preview's; the data of a stand-in lives in emptyDirs, hence the larger storage limit.
    resources: {
      requests: { cpu: quantity(scaleCpu(s.compute.cpu, 0.1)), memory: quantity(scaleMemory(s.compute.memory, 0.25)), 'ephemeral-storage': quantity(policy.ephemeralStorageRequest) },
      limits: { cpu: quantity(s.compute.cpu), memory: quantity(s.compute.memory), 'ephemeral-storage': quantity('2Gi') },
    },
    securityContext: containerSecurityContext({ readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? true }),
    volumeMounts: [...scratch.volumeMounts, ...(s.extraVolumes ?? []).map((v) => v.mount)],
    livenessProbe: { tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, initialDelaySeconds: 10 },
    readinessProbe: { ...s.readiness, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
  };
  const deploymentObject = new (kube().KubeDeployment)(scope, `${s.name}-deployment`, {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: {
      replicas: 1,
      revisionHistoryLimit: 1,
      selector: { matchLabels: selector },
      // Stop the old pod first: two instances would each hold half the test data.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: intOrString(0), maxUnavailable: intOrString(1) } },
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
  const serviceObject = new (kube().KubeService)(scope, `${s.name}-service`, {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: { type: 'ClusterIP', selector, ports: [{ name: s.component, port: s.port, targetPort: port, protocol: 'TCP' }] },
  });
  const networkPolicy = new (kube().KubeNetworkPolicy)(scope, `${s.name}-network-policy`, {
    metadata: metadata(ctx, s.name, s.component, s.name),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: servicePods(ctx) }], ports: [{ protocol: 'TCP', port }] }],
      egress: [dnsEgress()],
    },
  });
  return [manifest(deploymentObject, [WAIVERS.previewSingleReplica, ...(s.waivers ?? [])]), manifest(serviceObject), manifest(networkPolicy)];
}

/** LocalStack with an init hook that creates the service's topics, queues and buckets. */
function localStack(scope: Construct, ctx: RenderContext): Manifest[] {
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
    ...service.resources.buckets.map((b) => aws(`s3 mb 's3://${names.s3Bucket(project.platform.name, service.name, 'preview', b.name)}'`)),
    '',
  ].join('\n');
  const configMap = new (kube().KubeConfigMap)(scope, 'localstack-init', { metadata: metadata(ctx, 'localstack-init', 'localstack', LOCALSTACK), data: { 'init.sh': script } });
  return [
    manifest(configMap),
    ...standIn(scope, ctx, {
      component: 'localstack',
      name: LOCALSTACK,
      image: project.platform.kubernetes.preview.localstackImage,
      port: LOCALSTACK_PORT,
      env: {
        SERVICES: 'sns,sqs,s3',
        // Queue URLs become http://localstack:4566/<account>/<queue>, as the connection Secrets say.
        SQS_ENDPOINT_STRATEGY: 'off',
        LOCALSTACK_HOST: `${LOCALSTACK}:${LOCALSTACK_PORT}`,
        AWS_DEFAULT_REGION: project.platform.cloud.region,
        // No telemetry and no certificate download: the NetworkPolicy allows no egress but DNS.
        DISABLE_EVENTS: '1',
        SKIP_SSL_CERT_DOWNLOAD: '1',
      },
      scratch: [TMP, { name: 'data', path: '/var/lib/localstack' }],
      readiness: { httpGet: { path: '/_localstack/health', port: intOrString('localstack') } },
      compute: { cpu: '1', memory: '1Gi' },
      readOnlyRootFilesystem: false,
      waivers: [WAIVERS.localstackWritableRoot],
      extraVolumes: [
        {
          // 0555: LocalStack runs the hook scripts it finds executable.
          volume: { name: 'init', configMap: { name: 'localstack-init', defaultMode: 0o555 } },
          mount: { name: 'init', mountPath: '/etc/localstack/init/ready.d', readOnly: true },
        },
      ],
    }),
  ];
}
