import type * as k8s from './kube-types.js';
import { names } from '../../spec/naming.js';
import { compareText } from '../../spec/pointer.js';
import { serviceNamed } from '../../spec/preview-dependencies.js';
import { connectionEnv, discoveryEnvName, secretObjectName } from '../../spec/runtime-env.js';
import { ownedName, type RenderContext } from './context.js';
import { LOCALSTACK, LOCALSTACK_CREDENTIALS, LOCALSTACK_PORT } from './preview-names.js';
import { platformEnv as sharedPlatformEnv, type Workload } from '../shared/platform-env.js';

/**
 * The environment of a container: the runtime contract of spec/runtime-env.ts.
 * Secret and connection values only ever arrive through `secretKeyRef`; plain
 * values are the service's `env` and paved's own settings. Sorted by name, so a
 * duplicate would sit next to its twin (validation rejects one anyway).
 */

export type { Workload };

/** Kubernetes expands `$(VAR)` in env values, command and args; `$$` is a literal `$` (security-rules.md §5 #20). */
export function escapeDollars(value: string): string {
  // Most values hold no `$`: a search is cheaper than a global replace that finds nothing.
  return value.includes('$') ? value.replace(/\$/g, '$$$$') : value;
}

export function containerEnv(ctx: RenderContext, workload: Workload): k8s.EnvVar[] {
  // A Map, not spread objects: every service's variable names would otherwise grow a new object shape.
  const plain = new Map(Object.entries(platformEnv(ctx, workload)));
  // Discovery's variables, then the service's own, each winning over what came before.
  for (const [name, value] of contextEnv(ctx)) plain.set(name, value);
  const env: k8s.EnvVar[] = [];
  for (const [name, value] of plain) env.push({ name, value: escapeDollars(value) });
  env.push(...secretEnv(ctx));
  return env.sort((a, b) => compareText(a.name, b.name));
}

/** The plain variables of every container of a context: discovery's, then the service's own `env`. */
const CONTEXT_ENV = new WeakMap<RenderContext, ReadonlyArray<readonly [string, string]>>();

function contextEnv(ctx: RenderContext): ReadonlyArray<readonly [string, string]> {
  let env = CONTEXT_ENV.get(ctx);
  if (env === undefined) {
    env = [...Object.entries(discoveryEnv(ctx)), ...Object.entries(ctx.environment.env)];
    CONTEXT_ENV.set(ctx, env);
  }
  return env;
}

/**
 * The variables read from Secrets: the same in every container of a context,
 * so worked out once per context. Containers share the entries; kubeObject
 * copies each object it builds.
 */
const SECRET_ENV = new WeakMap<RenderContext, readonly k8s.EnvVar[]>();

function secretEnv(ctx: RenderContext): readonly k8s.EnvVar[] {
  let env = SECRET_ENV.get(ctx);
  if (env === undefined) {
    env = secretVariables(ctx);
    SECRET_ENV.set(ctx, env);
  }
  return env;
}

function secretVariables(ctx: RenderContext): k8s.EnvVar[] {
  const env: k8s.EnvVar[] = [];
  const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  for (const { name, secret, key } of connectionEnv(ctx.service.resources, ctx.env)) env.push(fromSecret(name, ownedName(ctx, secret), key));
  for (const secret of ctx.service.secrets) env.push(fromSecret(secret, ownedName(ctx, secretObjectName(secret)), secret));
  if (ctx.env === 'preview') {
    // LocalStack accepts any credentials; real SDKs refuse to sign without some.
    const credentials = ownedName(ctx, LOCALSTACK_CREDENTIALS);
    env.push(fromSecret('AWS_ACCESS_KEY_ID', credentials, 'AWS_ACCESS_KEY_ID'), fromSecret('AWS_SECRET_ACCESS_KEY', credentials, 'AWS_SECRET_ACCESS_KEY'));
  }
  return env;
}

function platformEnv(ctx: RenderContext, workload: Workload): Record<string, string> {
  return sharedPlatformEnv({
    service: ctx.service,
    project: ctx.project,
    environment: ctx.env,
    version: ctx.version,
    workload,
    ...(ctx.env === 'preview' && usesLocalStack(ctx) ? { awsEndpoint: localStackUrl(ctx) } : {}),
  });
}

/**
 * `<NAME>_URL` for each dependency that has a Service, on its Service port
 * (runtime.servicePort): `http://<name>.<namespace>.svc.cluster.local:<port>`,
 * or `<host>:<port>` for gRPC, the target form gRPC clients dial. In preview the
 * short name: it resolves inside the pull request's namespace, which CI names,
 * where the dependency runs beside the service (a preview brings its
 * dependencies, transitively, and each of them gets the same short names).
 */
export function discoveryEnv(ctx: RenderContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ctx.service.dependsOn) {
    const dependency = serviceNamed(ctx.project.services, name);
    const port = dependency?.runtime.servicePort;
    if (dependency === undefined || port === undefined) continue;
    const host = ctx.env === 'preview' ? dependency.name : `${dependency.name}.${names.namespace(dependency.name)}.svc.cluster.local`;
    env[discoveryEnvName(dependency.name)] = dependency.runtime.protocol === 'grpc' ? `${host}:${port}` : `http://${host}:${port}`;
  }
  return env;
}

/** The service's LocalStack in preview: `http://localstack:4566`, or its dependency's own (ownedName). */
export function localStackUrl(ctx: RenderContext): string {
  return `http://${ownedName(ctx, LOCALSTACK)}:${LOCALSTACK_PORT}`;
}

/** Whether preview runs LocalStack: the service has topics, queues or buckets. */
export function usesLocalStack(ctx: RenderContext): boolean {
  const { topics, subscriptions, buckets } = ctx.service.resources;
  return topics.length + subscriptions.length + buckets.length > 0;
}
