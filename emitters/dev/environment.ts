import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { serviceNamed } from '../../spec/preview-dependencies.js';
import { connectionEnv, discoveryEnvName, queueName, type ConnectionVariable } from '../../spec/runtime-env.js';
import { platformEnv, type Workload } from '../shared/platform-env.js';
import {
  DEV_DATABASE_PASSWORD,
  DEV_DATABASE_USER,
  DEV_ENVIRONMENT,
  DEV_LOCALSTACK_CREDENTIALS,
  DEV_LOCALSTACK_URL,
  devBucket,
  devStandInName,
  MYSQL_PORT,
  POSTGRES_PORT,
  queueArn,
  queueUrl,
  REDIS_PORT,
  sqlName,
  standInFor,
  topicArn,
} from './names.js';

/**
 * A container's environment in the Compose project, in two parts:
 * - `contract`: exactly the names the staging Deployment sets, but the declared
 *   secrets (those come from the developer's env file, layout.devEnvFile), with
 *   values pointing at the stand-ins and at the other services on the project's network;
 * - `standIn`: what only the stand-ins need, as in preview: LocalStack's endpoint
 *   and keys, a MySQL stand-in's password where production signs in with IAM.
 *   None of it is secret; it goes in a file of its own (layout.devStandInEnv).
 * Unescaped: the Compose builder escapes `$` in every value.
 */
export function devEnvironment(service: ResolvedService, project: ResolvedProject, workload: Workload): DevEnvironment {
  const platform = platformEnv({ service, project, environment: DEV_ENVIRONMENT, version: DEV_ENVIRONMENT, workload });
  // No collector runs locally: traces and pushed metrics stay off; a server still serves its Prometheus endpoint.
  platform.OTEL_TRACES_EXPORTER = 'none';
  if (platform.OTEL_METRICS_EXPORTER === 'otlp') platform.OTEL_METRICS_EXPORTER = 'none';
  const staging = new Set(connectionEnv(service.resources, 'staging').map((v) => v.name));
  const connections: Record<string, string> = {};
  const standIn: Record<string, string> = usesLocalStack(service) ? { AWS_ENDPOINT_URL: DEV_LOCALSTACK_URL, ...DEV_LOCALSTACK_CREDENTIALS } : {};
  for (const variable of connectionEnv(service.resources, 'preview'))
    (staging.has(variable.name) ? connections : standIn)[variable.name] = connectionValue(service, project, variable);
  // Spread last rather than added one by one: V8 adds keys to a copy made by spreading slowly.
  const contract: Record<string, string> = { ...platform, ...discovery(service, project), ...service.environments.staging.env, ...connections };
  return { contract, standIn };
}

export interface DevEnvironment {
  readonly contract: Record<string, string>;
  readonly standIn: Record<string, string>;
}

/** Whether the service talks to LocalStack: it has topics, queues or buckets (as in preview). */
export function usesLocalStack(service: ResolvedService): boolean {
  const { topics, subscriptions, buckets } = service.resources;
  return topics.length + subscriptions.length + buckets.length > 0;
}

/**
 * `<NAME>_URL` of each dependency that serves a port (as in every environment),
 * on its container port: on the project's network nothing maps a Service port to it.
 */
function discovery(service: ResolvedService, project: ResolvedProject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of service.dependsOn) {
    const dependency = serviceNamed(project.services, name);
    if (dependency === undefined || dependency.retired !== undefined || dependency.runtime.port === undefined || dependency.runtime.servicePort === undefined)
      continue;
    const address = `${dependency.name}:${dependency.runtime.port}`;
    env[discoveryEnvName(dependency.name)] = dependency.runtime.protocol === 'grpc' ? address : `http://${address}`;
  }
  return env;
}

/** The value of one connection variable: what Terraform would store for the cloud resource, pointing at its stand-in. */
function connectionValue(service: ResolvedService, project: ResolvedProject, variable: ConnectionVariable): string {
  const { connection, key } = variable;
  const region = project.platform.cloud.region;
  switch (connection.kind) {
    case 'database': {
      const database = service.resources.databases.find((d) => d.name === connection.name)!;
      if (key === 'password') return DEV_DATABASE_PASSWORD;
      const values: Record<string, string> = {
        host: devStandInName(standInFor(database), service.name),
        port: String(database.engine === 'mysql' ? MYSQL_PORT : POSTGRES_PORT),
        dbname: sqlName(database.name),
        username: DEV_DATABASE_USER,
      };
      return values[key]!;
    }
    case 'cache': {
      const cache = service.resources.caches.find((c) => c.name === connection.name)!;
      const values: Record<string, string> = { host: devStandInName(standInFor(cache), service.name), port: String(REDIS_PORT), username: 'default' };
      return values[key]!;
    }
    case 'topic':
      return topicArn(region, names.snsTopic(service.name, 'preview', connection.name));
    case 'queue': {
      const subscription = service.resources.subscriptions.find((s) => queueName(s.from, s.topic) === connection.name)!;
      const queue = names.sqsQueue(service.name, 'preview', subscription.from, subscription.topic);
      const values: Record<string, string> = {
        url: queueUrl(queue),
        arn: queueArn(region, queue),
        dlq_url: queueUrl(names.sqsDeadLetterQueue(service.name, 'preview', subscription.from, subscription.topic)),
      };
      return values[key]!;
    }
    case 'bucket': {
      const values: Record<string, string> = { bucket: devBucket(service, project, connection.name), region };
      return values[key]!;
    }
    default: {
      // A platform resource type: its stand-in's host and port, as in preview; its other outputs, and everything without a stand-in, empty.
      const resource = service.resources.typed.find((r) => r.type === connection.kind && r.name === connection.name)!;
      const standIn = project.platform.resourceTypes[resource.type]?.standIn;
      if (!standIn) return '';
      return key === 'host' ? devStandInName(standInFor(resource), service.name) : key === 'port' ? String(standIn.port) : '';
    }
  }
}
