import type { k8s } from 'cdk8s-plus-32';
import type { Construct } from 'constructs';
import type { Compute } from '../../spec/model.js';
import { CONNECTION_KEYS, names } from '../../spec/naming.js';
import { connectionObjectName, connectionsOf, queueName, type Connection } from '../../spec/runtime-env.js';
import { kube } from './cdk8s.js';
import type { RenderContext } from './context.js';
import { usesLocalStack } from './env-vars.js';
import { namespace, serviceAccount } from './identity.js';
import { metadata } from './labels.js';
import { manifest, optional, type Manifest } from './manifest.js';
import { manualJob, preDeployJob } from './jobs.js';
import { monitor } from './monitoring.js';
import { defaultDeny, egressNotes, fqdnPolicy, ingress, service, serviceNetworkPolicy } from './networking.js';
import { TMP } from './pod.js';
import {
  LOCALSTACK,
  LOCALSTACK_ACCOUNT,
  LOCALSTACK_CREDENTIALS,
  LOCALSTACK_PORT,
  POSTGRES_PORT,
  postgresName,
  REDIS_PORT,
  redisName,
} from './preview-names.js';
import { scaleCpu, scaleMemory } from './quantity.js';
import { declaredSecrets } from './secrets.js';
import { localStack, standIn } from './stand-ins.js';
import { KUBERNETES_WAIVERS as WAIVERS } from '../shared/waivers.js';
import { cronJob, deployment } from './workloads.js';

/**
 * A pull request's preview: the service without cloud resources. PostgreSQL,
 * Redis and LocalStack (SNS, SQS, S3) run in its namespace as ephemeral
 * stand-ins, connection Secrets point at them, requests shrink, one replica
 * runs, and cron jobs are suspended (trigger one with `kubectl create job
 * --from=cronjob/<name>`). The directory is a kustomize base; CI sets the
 * namespace, image and host (docs/targets/kubernetes.md).
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
    manifest(serviceNetworkPolicy(scope, ctx), [], egressNotes(ctx)),
    ...optional(fqdnPolicy(scope, ctx)),
    ...ctx.service.resources.cron.map((job) => manifest(cronJob(scope, ctx, job, { requests, limitsFrom: full, suspend: true }))),
    // Pre-deploy jobs run against the stand-ins on every push (the deploy step waits for them); manual ones stay templates.
    ...ctx.service.jobs.map((job) =>
      manifest(
        job.when === 'pre-deploy' ? preDeployJob(scope, ctx, job, { requests, limitsFrom: full }) : manualJob(scope, ctx, job, { requests, limitsFrom: full }),
      ),
    ),
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
        env: {
          POSTGRES_DB: sqlName(database.name),
          POSTGRES_USER: PREVIEW_DATABASE_USER,
          POSTGRES_HOST_AUTH_METHOD: 'trust',
          PGDATA: '/var/lib/postgresql/data/pgdata',
        },
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

const CONNECTION_NOTE = [
  'Connection details of a preview stand-in. No credentials: PostgreSQL trusts the pods its',
  'NetworkPolicy admits, Redis has no auth, and LocalStack accepts any keys.',
];
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
      return {
        url: queueUrl(queue),
        arn: `arn:aws:sqs:${region}:${LOCALSTACK_ACCOUNT}:${queue}`,
        dlq_url: queueUrl(names.sqsDeadLetterQueue(service.name, 'preview', subscription.from, subscription.topic)),
      };
    }
    case 'bucket':
      return { bucket: names.s3Bucket(project.platform.name, project.platform.cloud.bucketNameSuffix, service.name, 'preview', connection.name), region };
  }
}

function connectionSecret(scope: Construct, ctx: RenderContext, connection: Connection): k8s.KubeSecret {
  const values = connectionValues(ctx, connection);
  // Exactly the keys of the cloud environments' connection secrets.
  const stringData = Object.fromEntries(CONNECTION_KEYS[connection.kind].map((key) => [key, values[key]!]));
  return new (kube().KubeSecret)(scope, `connection-${connectionObjectName(connection)}`, {
    metadata: metadata(ctx, connectionObjectName(connection)),
    type: 'Opaque',
    stringData,
  });
}

function localStackCredentials(scope: Construct, ctx: RenderContext): k8s.KubeSecret {
  return new (kube().KubeSecret)(scope, 'localstack-credentials', {
    metadata: metadata(ctx, LOCALSTACK_CREDENTIALS),
    type: 'Opaque',
    stringData: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
}
