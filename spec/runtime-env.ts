import { defaultPlatform } from './default-platform.js';
import type { EnvironmentName } from './model.js';
import { CONNECTION_KEYS, deployedName, names, type ConnectionKind } from './naming.js';

/**
 * The runtime contract between paved and the applications it deploys: the
 * environment variables every container gets and the ports it must serve.
 * Shared by validation (a service may not declare a variable paved sets), the
 * Kubernetes emitter (which sets them) and later the scaffolding (which
 * generates config loaders from them), so the three cannot drift.
 */

/**
 * The embedded platform's metrics port (observability.metricsPort): the
 * OpenTelemetry Prometheus exporter's default, named `metrics` in every pod. A
 * platform.yaml may choose another; read the resolved value where a platform is at hand.
 */
export const METRICS_PORT: number = defaultPlatform.observability.metricsPort;
export const METRICS_PORT_NAME = 'metrics';

/** `order-created` → `ORDER_CREATED`: a DNS label as an environment variable segment. */
export function envSegment(name: string): string {
  const upper = name.toUpperCase();
  // Most names hold no `-`: a search is cheaper than a global replace that finds nothing.
  return upper.includes('-') ? upper.replace(/-/g, '_') : upper;
}

/**
 * Discovery: `front-end` in dependsOn → `FRONT_END_URL`, the dependency's in-cluster
 * URL on its Service port. Pass the name the dependency is deployed under: its
 * spec name, unless it was renamed in place (renamedFrom), when the variable
 * keeps the old name, as everything else that runs does (a rename changes
 * nothing that runs: docs/day-2.md, Renaming).
 */
export function discoveryEnvName(name: string): string {
  return `${envSegment(name)}_URL`;
}

/** A resource whose connection details reach the pods through a connection secret. */
export interface Connection {
  /** A built-in connection kind, or the name of a platform resource type. */
  readonly kind: ConnectionKind | string;
  /** The resource's name; a queue is named `<from>-<topic>` after its subscription. Its variables follow it. */
  readonly name: string;
  /** The name it was deployed under, while a rename is in place: its secrets keep being named after it. */
  readonly renamedFrom?: string;
  /** A platform resource type's connection outputs; absent for a built-in kind, whose keys are CONNECTION_KEYS. */
  readonly keys?: readonly string[];
}

/** The keys of a connection's secret: CONNECTION_KEYS of its kind, or its resource type's connection outputs. */
export function connectionKeys(connection: Connection): readonly string[] {
  return connection.keys ?? CONNECTION_KEYS[connection.kind as ConnectionKind];
}

/** The name of the queue behind a subscription. */
export function queueName(from: string, topic: string): string {
  return `${from}-${topic}`;
}

/** The shape both the raw spec and the resolved model have; every list may be absent in the spec. */
export interface ConnectionSources {
  readonly databases?: ReadonlyArray<{
    readonly name: string;
    readonly renamedFrom?: string;
    readonly engine?: 'postgres' | 'mysql';
    readonly auth?: 'iam' | 'password';
  }>;
  readonly caches?: ReadonlyArray<{ readonly name: string; readonly renamedFrom?: string }>;
  readonly topics?: ReadonlyArray<{ readonly name: string; readonly renamedFrom?: string }>;
  readonly subscriptions?: ReadonlyArray<{ readonly from: string; readonly topic: string; readonly renamedFrom?: string }>;
  readonly buckets?: ReadonlyArray<{ readonly name: string; readonly renamedFrom?: string }>;
  /** Entries of platform resource types, with their type's connection outputs. */
  readonly typed?: ReadonlyArray<{ readonly type: string; readonly name: string; readonly renamedFrom?: string; readonly connection: readonly string[] }>;
}

/** Every connection of a service, in a fixed order: databases, caches, topics, queues, buckets, then platform resource types. */
export function connectionsOf(resources: ConnectionSources): Connection[] {
  return [
    ...(resources.databases ?? []).map((d) => connection('database', d.name, d.renamedFrom)),
    ...(resources.caches ?? []).map((c) => connection('cache', c.name, c.renamedFrom)),
    ...(resources.topics ?? []).map((t) => connection('topic', t.name, t.renamedFrom)),
    ...(resources.subscriptions ?? []).map((s) =>
      connection('queue', queueName(s.from, s.topic), s.renamedFrom === undefined ? undefined : queueName(s.from, s.renamedFrom)),
    ),
    ...(resources.buckets ?? []).map((b) => connection('bucket', b.name, b.renamedFrom)),
    // Platform resource types: a connection secret only when the type names outputs the app receives.
    ...(resources.typed ?? []).filter((t) => t.connection.length > 0).map((t) => ({ ...connection(t.type, t.name, t.renamedFrom), keys: [...t.connection] })),
  ];
}

function connection(kind: ConnectionKind | string, name: string, renamedFrom: string | undefined): Connection {
  return renamedFrom === undefined ? { kind, name } : { kind, name, renamedFrom };
}

/** A Secrets Manager entry paved names for a service in a cloud environment. */
export interface ServiceSecret {
  /** `secret` for a declared secret (its value set out of band), else the connection's kind. */
  readonly kind: 'secret' | ConnectionKind | string;
  /** The spec name: the declared secret's, or the connection's. */
  readonly name: string;
  /** Its name in Secrets Manager. */
  readonly secretName: string;
}

/**
 * Every Secrets Manager entry of a service in an environment, declared secrets
 * first, then connection secrets in `connectionsOf` order: the one list the
 * service stack creates and the platform's External Secrets identity may read.
 */
export function serviceSecrets(
  service: { readonly name: string; readonly secrets: readonly string[]; readonly resources: ConnectionSources },
  env: EnvironmentName,
): ServiceSecret[] {
  return [
    ...service.secrets.map((secret) => ({ kind: 'secret' as const, name: secret, secretName: names.secret(service.name, env, secret) })),
    ...connectionsOf(service.resources).map((c) => ({
      kind: c.kind,
      name: c.name,
      secretName: names.connectionSecret(service.name, env, c.kind, deployedName(c)),
    })),
  ];
}

/**
 * `<KIND>_<NAME>_<KEY>`, e.g. `DATABASE_ORDERS_HOST`, `QUEUE_PAYMENTS_PAYMENT_COMPLETED_URL`,
 * `BUCKET_INVOICES_BUCKET`: one rule for every connection key, so a config loader
 * can be generated from the resource list alone.
 */
export function connectionEnvName(connection: Connection, key: string): string {
  return connectionEnvPrefix(connection) + envSegment(key);
}

/** What every variable of a connection starts with: `<KIND>_<NAME>_`. */
const connectionEnvPrefix = (connection: Connection): string => `${envSegment(connection.kind)}_${envSegment(connection.name)}_`;

/** The key of a database's password, beside its CONNECTION_KEYS: `DATABASE_<NAME>_PASSWORD`. */
export const PASSWORD_KEY = 'password';

/** One connection variable: its name, the connection, and the key of the Kubernetes Secret it reads. */
export interface ConnectionVariable {
  readonly name: string;
  readonly connection: Connection;
  readonly key: string;
  /** The Kubernetes Secret holding the value: the connection's, or for a password the database's password Secret. */
  readonly secret: string;
}

/**
 * Every connection variable of a service with the connection and key it reads:
 * the CONNECTION_KEYS of each connection, and after a database that has a
 * password its `<KIND>_<NAME>_PASSWORD`, from a Secret of its own
 * (names.databasePasswordSecret), since Terraform never holds the password.
 *
 * A database has a password where `auth: password` says so (absent means
 * iam), and in preview also where it is MySQL: its stand-in cannot accept IAM
 * tokens as the PostgreSQL one does (trust), so the app gets the stand-in's
 * generated password. Apps therefore connect with the password variable when
 * it is set and with an IAM token when it is not. Without an environment, the
 * list of staging and production; validation reserves the preview list, the
 * larger one.
 */
export function connectionEnv(resources: ConnectionSources, env?: EnvironmentName): ConnectionVariable[] {
  const passwords = new Set((resources.databases ?? []).filter((d) => hasPassword(d, env)).map((d) => d.name));
  const variables: ConnectionVariable[] = [];
  for (const connection of connectionsOf(resources)) {
    // The name's prefix (connectionEnvName) and the Secret are the connection's: worked out once, not per key.
    const prefix = connectionEnvPrefix(connection);
    const secret = connectionObjectName(connection);
    for (const key of connectionKeys(connection)) variables.push({ name: prefix + envSegment(key), connection, key, secret });
    if (connection.kind === 'database' && passwords.has(connection.name))
      variables.push({
        name: prefix + envSegment(PASSWORD_KEY),
        connection,
        key: PASSWORD_KEY,
        secret: names.databasePasswordSecret(deployedName(connection)),
      });
  }
  return variables;
}

/** The names of every connection variable of a service in an environment (default: staging and production), password variables included, in connectionEnv order. */
export function connectionEnvNames(resources: ConnectionSources, env?: EnvironmentName): string[] {
  return connectionEnv(resources, env).map((v) => v.name);
}

/** Whether the app gets a database's password in an environment (see connectionEnv). */
export function hasPassword(database: { readonly engine?: 'postgres' | 'mysql'; readonly auth?: 'iam' | 'password' }, env?: EnvironmentName): boolean {
  return database.auth === 'password' || (env === 'preview' && database.engine === 'mysql');
}

/**
 * Connection kinds with a key ending in `url` (queues: `QUEUE_<FROM>_<TOPIC>_URL`):
 * a variable of theirs also ends in `_URL`, so a config loader that reads every
 * `<NAME>_URL` as a dependency's URL leaves out the variables starting with these.
 */
export const URL_CONNECTION_PREFIXES: readonly string[] = (Object.keys(CONNECTION_KEYS) as ConnectionKind[])
  .filter((kind) => CONNECTION_KEYS[kind].some((key) => key === 'url' || key.endsWith('_url')))
  .map((kind) => `${envSegment(kind)}_`);

/**
 * Variables paved sets in every container of every environment: the listening
 * port (services only), the region for AWS SDKs, the environment, a JSON log
 * format, and OpenTelemetry's configuration.
 */
export const PLATFORM_ENV_NAMES: readonly string[] = [
  'AWS_REGION',
  'LOG_FORMAT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTEL_LOGS_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_EXPORTER',
  'PAVED_ENVIRONMENT',
  'PORT',
];

/** Added in preview only, where LocalStack stands in for AWS. */
export const PREVIEW_ENV_NAMES: readonly string[] = ['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_SECRET_ACCESS_KEY'];

/**
 * The Kubernetes Secret (and its ExternalSecret) holding one declared secret:
 * `STRIPE_API_KEY` → `secret-stripe-api-key`. Validation checks that the result is
 * a DNS label and unique, since `API_KEY` and `api_key` would share it.
 */
export function secretObjectName(secret: string): string {
  return `secret-${secret.toLowerCase().replace(/_/g, '-')}`;
}

/** The Kubernetes Secret holding a connection's details: `database-orders`, `queue-payments-payment-completed`; a renamed resource's keeps its deployed name. */
export function connectionObjectName(connection: Connection): string {
  return `${connection.kind}-${deployedName(connection)}`;
}
