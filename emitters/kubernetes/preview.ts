import type { Compute, ResolvedDatabase } from '../../spec/model.js';
import { asDeployed, deployedName, names } from '../../spec/naming.js';
import { connectionKeys, connectionObjectName, connectionsOf, PASSWORD_KEY, queueName, type Connection } from '../../spec/runtime-env.js';
import { ownedName, type RenderContext } from './context.js';
import { localStackUrl, usesLocalStack } from './env-vars.js';
import { namespace, serviceAccount } from './identity.js';
import { metadata } from './labels.js';
import { manifest, optional, type Manifest } from './manifest.js';
import { manualJob, preDeployJob } from './jobs.js';
import { monitor } from './monitoring.js';
import { defaultDeny, egressNotes, fqdnPolicy, ingress, service, serviceNetworkPolicy } from './networking.js';
import { TMP, unprobedWorker } from './pod.js';
import {
  LOCALSTACK_ACCOUNT,
  LOCALSTACK_CREDENTIALS,
  MYSQL_PORT,
  mysqlName,
  POSTGRES_PORT,
  postgresName,
  REDIS_PORT,
  redisName,
  STAND_IN_COMPONENT,
  standInName,
} from './preview-names.js';
import { scaleCpu, scaleMemory } from './quantity.js';
import { declaredSecrets } from './secrets.js';
import { localStack, standIn, type StandIn } from './stand-ins.js';
import { previewPasswordSecrets } from './database-password.js';
import { KUBERNETES_WAIVERS as WAIVERS } from '../shared/waivers.js';
import { cronJob, deployment } from './workloads.js';
import { kubeObject } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/**
 * A pull request's preview: the service without cloud resources. PostgreSQL,
 * MySQL, Redis and LocalStack (SNS, SQS, S3) run in its namespace as ephemeral
 * stand-ins, connection Secrets point at them, requests shrink, one replica
 * runs, and cron jobs are suspended (trigger one with `kubectl create job
 * --from=cronjob/<name>`). The directory is a kustomize base; CI sets the
 * namespace, image and host (docs/targets/kubernetes.md).
 */
export function previewEnvironment(ctx: RenderContext): Manifest[] {
  // A dependency joins the previewed service's namespace, whose Namespace and default deny that service's base holds.
  const own = ctx.dependencyOf === undefined;
  const full = ctx.environment.compute;
  const ratio = ctx.project.platform.kubernetes.preview.requestRatio;
  // Smaller requests pack previews densely; limits stay those of a full-size pod.
  const requests: Compute = { cpu: scaleCpu(full.cpu, ratio), memory: scaleMemory(full.memory, ratio) };
  const serviceObject = service(ctx);
  const ingressObject = ingress(ctx);
  const { databases, caches } = ctx.service.resources;
  return [
    ...(own ? [manifest(namespace(ctx))] : []),
    manifest(serviceAccount(ctx)),
    manifest(deployment(ctx, { replicas: 1, requests, limitsFrom: full }), [
      WAIVERS.previewSingleReplica,
      ...(unprobedWorker(ctx) ? [WAIVERS.workerWithoutProbes] : []),
    ]),
    ...(serviceObject ? [manifest(serviceObject)] : []),
    ...(ingressObject ? [manifest(ingressObject)] : []),
    manifest(monitor(ctx)),
    ...(own ? [manifest(defaultDeny(ctx))] : []),
    manifest(serviceNetworkPolicy(ctx), [], egressNotes(ctx)),
    ...optional(fqdnPolicy(ctx)),
    ...ctx.service.resources.cron.map((job) => manifest(cronJob(ctx, job, { requests, limitsFrom: full, suspend: true }))),
    // Pre-deploy jobs run against the stand-ins on every push (the deploy step waits for them); manual ones stay templates.
    ...ctx.service.jobs.map((job) =>
      manifest(job.when === 'pre-deploy' ? preDeployJob(ctx, job, { requests, limitsFrom: full }) : manualJob(ctx, job, { requests, limitsFrom: full })),
    ),
    ...declaredSecrets(ctx).map((object) => manifest(object)),
    ...connectionsOf(ctx.service.resources).map((connection) => manifest(connectionSecret(ctx, connection), [], connectionNote(ctx, connection))),
    manifest(localStackCredentials(ctx), [], CREDENTIALS_NOTE),
    ...previewPasswordSecrets(ctx).map((object) => manifest(object)),
    ...databases.flatMap((database) => standIn(ctx, databaseStandIn(ctx, database))),
    ...caches.flatMap((cache) =>
      standIn(ctx, {
        component: 'redis',
        name: ownedName(ctx, redisName(cache.name)),
        image: ctx.project.platform.kubernetes.preview.redisImage,
        port: REDIS_PORT,
        // A cache: nothing is saved to disk.
        args: ['--save', '', '--appendonly', 'no'],
        scratch: [TMP, { name: 'data', path: '/data' }],
        readiness: { exec: { command: ['redis-cli', 'ping'] } },
        compute: { cpu: '250m', memory: '256Mi' },
      }),
    ),
    ...(usesLocalStack(ctx) ? localStack(ctx) : []),
    ...ctx.service.resources.typed.flatMap((resource) => {
      const type = ctx.project.platform.resourceTypes[resource.type]!;
      return type.standIn
        ? standIn(ctx, {
            component: STAND_IN_COMPONENT,
            name: ownedName(ctx, standInName(resource.type, deployedName(resource))),
            image: type.standIn.image,
            port: type.standIn.port,
            scratch: [TMP],
            readiness: { tcpSocket: { port: type.standIn.port } },
            compute: { cpu: '500m', memory: '512Mi' },
          })
        : [];
    }),
  ];
}

/** What a connection Secret of the preview holds; a platform resource type's says whether a stand-in is behind it. */
function connectionNote(ctx: RenderContext, connection: Connection): readonly string[] {
  if (connection.keys === undefined) return isMysql(ctx, connection) ? MYSQL_CONNECTION_NOTE : CONNECTION_NOTE;
  const type = ctx.project.platform.resourceTypes[connection.kind]!;
  return type.standIn
    ? [
        `Connection details of the ${connection.kind} ${connection.name}: its stand-in (resourceTypes.${connection.kind}.standIn),`,
        'host and port; any other output is empty, since no module runs in a preview.',
      ]
    : [
        `No stand-in for the ${connection.kind} ${connection.name}: the platform's type names none (resourceTypes.${connection.kind}.standIn),`,
        'so the preview runs without it and every value here is empty.',
      ];
}

const CONNECTION_NOTE = [
  'Connection details of a preview stand-in. No credentials: PostgreSQL trusts the pods its',
  'NetworkPolicy admits, Redis has no auth, and LocalStack accepts any keys.',
];
const MYSQL_CONNECTION_NOTE = [
  'Connection details of a preview MySQL stand-in. No credentials: the password is generated',
  'in the cluster, into the Secret db-password-<database> (External Secrets, a Password generator).',
];

/**
 * A database's stand-in, its image tagged with the cloud database's version, so
 * previews test against the same release. PostgreSQL trusts the pods its
 * NetworkPolicy admits (any password or IAM token passes); MySQL creates the
 * app's user with the preview's generated password (database-password.ts) and
 * keeps root to the pod (localhost only, the same password).
 */
function databaseStandIn(ctx: RenderContext, database: ResolvedDatabase): StandIn {
  const { preview } = ctx.project.platform.kubernetes;
  const dbname = sqlName(database.name);
  if (database.engine === 'mysql')
    return {
      component: 'mysql',
      name: ownedName(ctx, mysqlName(database.name)),
      image: `${preview.mysqlRepository}:${database.version}`,
      port: MYSQL_PORT,
      env: { MYSQL_DATABASE: dbname, MYSQL_USER: PREVIEW_DATABASE_USER, MYSQL_ROOT_HOST: 'localhost' },
      secretEnv: ['MYSQL_PASSWORD', 'MYSQL_ROOT_PASSWORD'].map((name) => ({
        name,
        secret: ownedName(ctx, names.databasePasswordSecret(asDeployed(database).name)),
        key: PASSWORD_KEY,
      })),
      scratch: [TMP, { name: 'data', path: '/var/lib/mysql' }, { name: 'run', path: '/var/run/mysqld' }, { name: 'files', path: '/var/lib/mysql-files' }],
      // 0 whenever the server answers, even "access denied": ready once the entrypoint's own setup server is gone and the real one listens on TCP.
      readiness: { exec: { command: ['mysqladmin', 'ping', '--host=127.0.0.1', '--silent'] } },
      compute: { cpu: '500m', memory: '1Gi' },
    };
  return {
    component: 'postgres',
    name: ownedName(ctx, postgresName(database.name)),
    image: `${preview.postgresRepository}:${database.version}`,
    port: POSTGRES_PORT,
    env: {
      POSTGRES_DB: dbname,
      POSTGRES_USER: PREVIEW_DATABASE_USER,
      POSTGRES_HOST_AUTH_METHOD: 'trust',
      PGDATA: '/var/lib/postgresql/data/pgdata',
    },
    scratch: [TMP, { name: 'data', path: '/var/lib/postgresql/data' }, { name: 'run', path: '/var/run/postgresql' }],
    readiness: { exec: { command: ['pg_isready', '--host', '127.0.0.1', '--username', PREVIEW_DATABASE_USER, '--dbname', dbname] } },
    compute: { cpu: '500m', memory: '512Mi' },
  };
}
const CREDENTIALS_NOTE = ["LocalStack's documented test credentials; AWS SDKs refuse to sign requests without some."];

/** The role the app connects as in preview; the name is fixed so previews differ only where services do. */
const PREVIEW_DATABASE_USER = 'app';

/** PostgreSQL identifiers: `order-db` → `order_db`, which needs no quoting. */
const sqlName = (name: string): string => name.replace(/-/g, '_');

/** Whether a connection is a MySQL database's. */
const isMysql = (ctx: RenderContext, connection: Connection): boolean =>
  connection.kind === 'database' && ctx.service.resources.databases.find((d) => deployedName(d) === deployedName(connection))?.engine === 'mysql';

/** The values Terraform would store for a cloud resource, pointing at the stand-in instead. */
function connectionValues(ctx: RenderContext, connection: Connection): Record<string, string> {
  const { service, project } = ctx;
  const region = project.platform.cloud.region;
  const queueUrl = (queue: string): string => `${localStackUrl(ctx)}/${LOCALSTACK_ACCOUNT}/${queue}`;
  switch (connection.kind) {
    case 'database': {
      return isMysql(ctx, connection)
        ? { host: ownedName(ctx, mysqlName(connection.name)), port: String(MYSQL_PORT), dbname: sqlName(connection.name), username: PREVIEW_DATABASE_USER }
        : {
            host: ownedName(ctx, postgresName(connection.name)),
            port: String(POSTGRES_PORT),
            dbname: sqlName(connection.name),
            username: PREVIEW_DATABASE_USER,
          };
    }
    case 'cache':
      return { host: ownedName(ctx, redisName(connection.name)), port: String(REDIS_PORT), username: 'default' };
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
    default: {
      // A platform resource type: its stand-in's address where it has one, every other output empty.
      const standInOf = project.platform.resourceTypes[connection.kind]!.standIn;
      const known: Record<string, string> = standInOf
        ? { host: ownedName(ctx, standInName(connection.kind, deployedName(connection))), port: String(standInOf.port) }
        : {};
      return Object.fromEntries(connectionKeys(connection).map((key) => [key, known[key] ?? '']));
    }
  }
}

function connectionSecret(ctx: RenderContext, connection: Connection): KubeJson {
  const values = connectionValues(ctx, connection);
  // Exactly the keys of the cloud environments' connection secrets.
  const stringData = Object.fromEntries(connectionKeys(connection).map((key) => [key, values[key]!]));
  return kubeObject('Secret', {
    metadata: metadata(ctx, ownedName(ctx, connectionObjectName(connection))),
    type: 'Opaque',
    stringData,
  });
}

function localStackCredentials(ctx: RenderContext): KubeJson {
  return kubeObject('Secret', {
    metadata: metadata(ctx, ownedName(ctx, LOCALSTACK_CREDENTIALS)),
    type: 'Opaque',
    stringData: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
}
