import type { ResolvedCache, ResolvedDatabase, ResolvedProject, ResolvedService, ResolvedTypedResource } from '../../spec/model.js';
import { names } from '../../spec/naming.js';

/**
 * Names in the local-development Compose project. A Compose service's name is
 * also its host name on the project's network. Services keep their own names;
 * everything paved adds has a dot in its name, which no service name (a DNS
 * label) can have, so the two never collide: `<stand-in>.<service>` reads like a
 * Kubernetes `<name>.<namespace>`, and the repo-wide LocalStack is `*.paved`.
 */
export const devStandInName = (standIn: string, service: string): string => `${standIn}.${service}`;
export const devJobName = (job: string, service: string): string => `job-${job}.${service}`;

export const DEV_LOCALSTACK = 'localstack.paved';
/** The one-shot container that creates every topic, queue and bucket in LocalStack before any service starts. */
export const DEV_LOCALSTACK_INIT = 'localstack-init.paved';
export const DEV_LOCALSTACK_PORT = 4566;
export const DEV_LOCALSTACK_URL = `http://${DEV_LOCALSTACK}:${DEV_LOCALSTACK_PORT}`;
/** LocalStack's fixed account id and documented test credentials (it accepts any; SDKs refuse to sign without some). */
export const DEV_LOCALSTACK_ACCOUNT = '000000000000';
export const DEV_LOCALSTACK_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

/** The role apps connect to a database stand-in as, as in preview. */
export const DEV_DATABASE_USER = 'app';
/**
 * The password of a MySQL stand-in's app user (PostgreSQL stand-ins trust every
 * connection and accept any). A stand-in on the developer's machine, reachable
 * only on the project's network, holding test data: not a secret, like
 * LocalStack's `test` keys. Declared secrets are never written (docs/dev.md).
 */
export const DEV_DATABASE_PASSWORD = 'paved-dev';

/** The environment name in PAVED_ENVIRONMENT and the OpenTelemetry resource; also service.version. */
export const DEV_ENVIRONMENT = 'dev';

/** SQL identifiers: `order-db` → `order_db`, which needs no quoting (as in preview). */
export const sqlName = (name: string): string => name.replace(/-/g, '_');

export const POSTGRES_PORT = 5432;
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;

/** `postgres-<name>`, `mysql-<name>`, `redis-<name>`, `<type>-<name>`: the stand-in's name inside its service, as in preview. */
export function standInFor(resource: ResolvedDatabase | ResolvedCache | ResolvedTypedResource): string {
  if ('engine' in resource) return `${resource.engine}-${resource.name}`;
  if ('type' in resource) return `${resource.type}-${resource.name}`;
  return `redis-${resource.name}`;
}

/** LocalStack's queue URLs with SQS_ENDPOINT_STRATEGY=off: `http://<host>:<port>/<account>/<queue>`. */
export const queueUrl = (queue: string): string => `http://${DEV_LOCALSTACK}:${DEV_LOCALSTACK_PORT}/${DEV_LOCALSTACK_ACCOUNT}/${queue}`;
export const queueArn = (region: string, queue: string): string => `arn:aws:sqs:${region}:${DEV_LOCALSTACK_ACCOUNT}:${queue}`;
export const topicArn = (region: string, topic: string): string => `arn:aws:sns:${region}:${DEV_LOCALSTACK_ACCOUNT}:${topic}`;
export const devBucket = (service: ResolvedService, project: ResolvedProject, bucket: string): string =>
  names.s3Bucket(project.platform.name, project.platform.cloud.bucketNameSuffix, service.name, 'preview', bucket);
