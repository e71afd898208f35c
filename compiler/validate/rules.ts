import { posix } from 'node:path';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { ENVIRONMENTS, type EnvironmentName } from '../../spec/model.js';
import {
  CLOUD_ENVIRONMENTS,
  deployedName,
  deployedTopic,
  FINAL_SNAPSHOT_TIME_FORMAT,
  NAME_RULES,
  names,
  parameterGroupFamily,
  TERRAFORM_UNIQUE_SUFFIX_LENGTH,
  type NameRule,
} from '../../spec/naming.js';
import {
  connectionEnv,
  discoveryEnvName,
  envSegment,
  METRICS_PORT,
  PLATFORM_ENV_NAMES,
  PREVIEW_ENV_NAMES,
  queueName,
  secretObjectName,
} from '../../spec/runtime-env.js';
import { serviceDefaults } from '../../spec/service-schema.js';
import type { PlatformSpec, ReleasesSpec, ServiceSpec } from '../../spec/types.js';
import { didYouMean } from '../diagnostics.js';
import { compareText } from '../../spec/pointer.js';
import { effectiveScaling } from '../scaling.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import { cronProblem } from './cron.js';
import { checkPlatformNetwork } from './network.js';
import { checkPorts } from './ports.js';
import { showString } from './text.js';

export interface ServiceInput {
  readonly file: SourceFile;
  readonly spec: ServiceSpec;
}

export type Report = (file: SourceFile, pointer: string, code: DiagnosticCode, message: string, hint?: string, options?: { key?: boolean }) => void;

/** A Report that collects positioned errors (compiler/positions.ts positioned). */
export function reporter(diagnostics: Diagnostic[]): Report {
  return (file, pointer, code, message, hint, options) => {
    diagnostics.push(positioned(file, pointer, code, message, { hint, key: options?.key }));
  };
}

/** The rules a schema cannot express: references, uniqueness, naming limits, policy. */
export function checkRules(services: readonly ServiceInput[], platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);

  const byName = new Map<string, ServiceInput>();
  for (const service of services) {
    const first = byName.get(service.spec.name);
    if (first)
      report(
        service.file,
        '/name',
        'REF.DUPLICATE_SERVICE',
        `service ${showString(service.spec.name)} is already declared in ${first.file.path}`,
        'service names are unique in a repository; rename one of them',
      );
    else byName.set(service.spec.name, service);
  }
  for (const service of services) checkService(service, byName, platform, report);
  checkRdsIdentifierPrefixes(services, report);
  return diagnostics;
}

/**
 * The database bootstrap finds an instance's RDS-managed master secret by its
 * `aws:rds:primaryDBInstanceArn` tag, and Secrets Manager's tag-value filter is
 * a prefix match: `a-stg-main`'s ARN also finds `a-stg-main-x`'s secret. The
 * bootstrap of a service drops the secrets of its own longer-named databases
 * (emitters/kubernetes/database-bootstrap.ts), but it cannot know another
 * service's, so no identifier may begin with another service's (same account
 * and region); reported at the database whose identifier is the longer.
 */
function checkRdsIdentifierPrefixes(services: readonly ServiceInput[], report: Report): void {
  const reported = new Set<string>();
  for (const env of CLOUD_ENVIRONMENTS) {
    // Sorted, every identifier that begins with another follows it directly: linear after the sort, whatever the number of services.
    const instances = services
      .flatMap((service) =>
        (service.spec.resources?.databases ?? []).map((d, index) => ({
          service,
          index,
          identifier: names.rdsInstance(deployedName(service.spec), env, deployedName(d)),
        })),
      )
      .sort((a, b) => compareText(a.identifier, b.identifier));
    const collisions: Array<{ shorter: (typeof instances)[number]; longer: (typeof instances)[number] }> = [];
    for (const [i, shorter] of instances.entries()) {
      for (let j = i + 1; j < instances.length && instances[j]!.identifier.startsWith(shorter.identifier); j++) {
        if (instances[j]!.service !== shorter.service) collisions.push({ shorter, longer: instances[j]! });
      }
    }
    for (const { shorter, longer } of collisions) {
      const pointer = `/resources/databases/${longer.index}/name`;
      if (reported.has(`${longer.service.file.path}#${pointer}`)) continue;
      reported.add(`${longer.service.file.path}#${pointer}`);
      const where = `${shorter.service.file.path} resources.databases[${shorter.index}]`;
      report(
        longer.service.file,
        pointer,
        'NAME.RDS_PREFIX',
        `derived RDS instance identifier ${showString(longer.identifier)} begins with ${showString(shorter.identifier)} (${where}), so the database bootstrap could not tell their master secrets apart: Secrets Manager matches tag values by prefix`,
        'rename one of the two services or databases so that neither identifier begins with the other; a database that already exists is replaced when renamed, so rename the one you are adding',
      );
    }
  }
}

/**
 * A live service may not lean on a retired one: the teardown destroys what the
 * reference reaches (its pods, its topics), so the dependent drops it first. A
 * retired service keeps its own references: its teardown removes them too.
 */
function retiredReference(from: ServiceInput, pointer: string, target: ServiceInput, what: string, report: Report): void {
  if (from.spec.retired || !target.spec.retired) return;
  report(
    from.file,
    pointer,
    'REF.RETIRED_SERVICE',
    `${what}, which is retired (${target.file.path}): its teardown destroys what this reference reaches`,
    `remove this reference and merge that before or with the retirement; or, if ${target.spec.name} should stay, remove its retired: entry`,
  );
}

/** https://learn.microsoft.com/windows/win32/fileio/naming-a-file: reserved whatever the case or extension. */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

function checkService(service: ServiceInput, byName: ReadonlyMap<string, ServiceInput>, platform: PlatformSpec, report: Report): void {
  const { file, spec } = service;
  const resources = spec.resources ?? {};
  const serviceNames = [...byName.keys()];

  // The service name is a bare folder name in the output (`generated/<name>/`); Windows reserves these in any case.
  if (WINDOWS_DEVICE_NAME.test(spec.name)) {
    report(
      file,
      '/name',
      'NAME.RESERVED',
      `${showString(spec.name)} is a device name Windows reserves (${spec.name.toUpperCase()}), so the folder paved generates for this service could not be checked out on Windows`,
      `choose another name, e.g. "${spec.name}-api"`,
    );
  }

  // Uniqueness per kind.
  const unique = (pointer: string, values: readonly string[], what: string, field = '/name'): void => {
    const seen = new Set<string>();
    values.forEach((value, index) => {
      if (seen.has(value))
        report(
          file,
          `${pointer}/${index}${field}`,
          'REF.DUPLICATE_NAME',
          `${what} ${showString(value)} is declared twice`,
          'names are unique per kind within a service; rename or remove one',
        );
      seen.add(value);
    });
  };
  unique(
    '/resources/databases',
    (resources.databases ?? []).map((d) => d.name),
    'database',
  );
  unique(
    '/resources/caches',
    (resources.caches ?? []).map((c) => c.name),
    'cache',
  );
  unique(
    '/resources/topics',
    (resources.topics ?? []).map((t) => t.name),
    'topic',
  );
  unique(
    '/resources/buckets',
    (resources.buckets ?? []).map((b) => b.name),
    'bucket',
  );
  // Each platform resource type's entries, like a built-in kind's (their names derive the same kind of cloud and Kubernetes names).
  for (const type of Object.keys(platform.resourceTypes ?? {})) {
    const entries = (resources as Readonly<Record<string, unknown>>)[type];
    if (Array.isArray(entries))
      unique(
        `/resources/${type}`,
        entries.map((e: { name: string; renamedFrom?: string }) => e.name),
        type,
      );
  }
  const acknowledged = new Set<string>();
  (spec.dataLoss ?? []).forEach(({ resource }, index) => {
    if (acknowledged.has(resource))
      report(
        file,
        `/dataLoss/${index}/resource`,
        'REF.DUPLICATE_NAME',
        `${showString(resource)} is acknowledged twice`,
        'one dataLoss entry per resource: merge the reasons into one',
      );
    acknowledged.add(resource);
  });
  unique(
    '/resources/cron',
    (resources.cron ?? []).map((c) => c.name),
    'cron job',
  );
  unique(
    '/jobs',
    (spec.jobs ?? []).map((j) => j.name),
    'job',
  );
  // A job and a cron job of one name would derive the same Kubernetes name (<service>-<name>).
  const cronNames = new Set((resources.cron ?? []).flatMap((c) => [c.name, deployedName(c)]));
  (spec.jobs ?? []).forEach((job, index) => {
    if (cronNames.has(job.name))
      report(
        file,
        `/jobs/${index}/name`,
        'REF.DUPLICATE_NAME',
        `job ${showString(job.name)} has the name of a cron job (resources.cron)`,
        'jobs and cron jobs share one Kubernetes name space (<service>-<name>); rename one of them',
      );
  });
  unique(
    '/resources/subscriptions',
    (resources.subscriptions ?? []).map((s) => `${s.from}/${s.topic}`),
    'subscription',
    '/topic',
  );
  // Queue names join publisher and topic with "-": a-b/c and a/b-c, or a/b and a/b-dlq, would share a queue.
  const queues = new Map<string, string>();
  for (const [index, s] of (resources.subscriptions ?? []).entries()) {
    const from = deployedAs(byName, s.from);
    for (const queue of [
      names.sqsQueue(deployedName(spec), 'staging', from, s.topic),
      names.sqsDeadLetterQueue(deployedName(spec), 'staging', from, s.topic),
    ]) {
      const other = queues.get(queue);
      if (other !== undefined && other !== `${s.from}/${s.topic}`) {
        report(
          file,
          `/resources/subscriptions/${index}/topic`,
          'NAME.COLLISION',
          `subscriptions ${showString(other)} and ${showString(`${s.from}/${s.topic}`)} would share the queue ${showString(queue)}`,
          'rename one of the topics',
        );
        break;
      }
      queues.set(queue, `${s.from}/${s.topic}`);
    }
  }
  unique('/secrets', spec.secrets ?? [], 'secret', '');
  unique('/dependsOn', spec.dependsOn ?? [], 'dependency', '');
  for (const [index, secret] of (spec.secrets ?? []).entries()) {
    if (spec.env && Object.hasOwn(spec.env, secret))
      report(
        file,
        `/secrets/${index}`,
        'REF.DUPLICATE_ENV',
        `${secret} is both a secret and a plain env variable`,
        `remove env.${secret}: the secret provides the variable`,
      );
    for (const env of ENVIRONMENTS) {
      const values = spec.environments?.[env]?.env;
      if (values && Object.hasOwn(values, secret))
        report(
          file,
          `/environments/${env}/env/${secret}`,
          'REF.DUPLICATE_ENV',
          `${secret} is a secret and cannot also be a plain env variable in ${env}`,
          `remove environments.${env}.env.${secret}: the secret provides the variable`,
          { key: true },
        );
    }
  }

  // References to other services.
  for (const [index, target] of (spec.dependsOn ?? []).entries()) {
    if (target === spec.name) report(file, `/dependsOn/${index}`, 'REF.SELF_DEPENDENCY', 'a service cannot depend on itself', 'remove the entry');
    else if (!byName.has(target)) unknownService(file, `/dependsOn/${index}`, target, serviceNames, report, { renamedTo: renamedTo(byName, target) });
    else retiredReference(service, `/dependsOn/${index}`, byName.get(target)!, `depends on service ${showString(target)}`, report);
  }
  for (const [index, subscription] of (resources.subscriptions ?? []).entries()) {
    const pointer = `/resources/subscriptions/${index}`;
    const publisher = byName.get(subscription.from);
    if (!publisher) {
      unknownService(file, `${pointer}/from`, subscription.from, serviceNames, report, { renamedTo: renamedTo(byName, subscription.from) });
      continue;
    }
    const topics = (publisher.spec.resources?.topics ?? []).map((t) => t.name);
    if (topics.includes(subscription.topic))
      retiredReference(
        service,
        `${pointer}/from`,
        publisher,
        `subscribes to topic ${showString(subscription.topic)} of service ${showString(subscription.from)}`,
        report,
      );
    if (!topics.includes(subscription.topic)) {
      const suggestion = didYouMean(subscription.topic, topics);
      report(
        file,
        `${pointer}/topic`,
        'REF.UNKNOWN_TOPIC',
        `service ${showString(subscription.from)} declares no topic ${showString(subscription.topic)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        topics.length > 0
          ? `${subscription.from} declares: ${topics.join(', ')}`
          : `${subscription.from} declares no topics; add it under its resources.topics first`,
      );
    }
  }

  // Tier, workers, commands, schedules.
  const tier = spec.tier ?? 'standard';
  const tiers = platform.tiers ?? {};
  if (!Object.hasOwn(tiers, tier)) {
    const suggestion = didYouMean(tier, Object.keys(tiers));
    report(
      file,
      '/tier',
      'REF.UNKNOWN_TIER',
      `tier ${showString(tier)} is not defined by the platform${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      `defined tiers: ${Object.keys(tiers).join(', ')}`,
    );
  }
  checkPorts(spec, platformMetricsPort(platform), (pointer, code, message, hint) => report(file, pointer, code, message, hint));
  if (spec.runtime.port === undefined) {
    if (spec.ingress)
      report(file, '/ingress', 'SPEC.WORKER_INGRESS', 'a worker (no runtime.port) cannot have an ingress', 'add runtime.port, or remove ingress');
    if (spec.observability?.slo)
      report(
        file,
        '/observability/slo',
        'SPEC.WORKER_SLO',
        'a worker (no runtime.port) serves no requests, so it has no request SLO',
        'remove observability.slo, or add runtime.port',
      );
  }
  for (const key of ['context', 'dockerfile'] as const) {
    const value = spec.runtime.build?.[key];
    const path = value === undefined ? undefined : posix.normalize(posix.join(posix.dirname(file.path), value));
    if (value !== undefined && (posix.isAbsolute(value) || path === '..' || path!.startsWith('../'))) {
      report(
        file,
        `/runtime/build/${key}`,
        'SPEC.PATH_OUTSIDE_REPO',
        `${showString(value)} leads outside the repository`,
        "use a path relative to this file's folder that stays inside the repository",
      );
    }
  }
  if (spec.runtime.command) checkCommand(file, '/runtime/command', spec.runtime.command, report);
  for (const [index, job] of (resources.cron ?? []).entries()) {
    const problem = cronProblem(job.schedule);
    const hint = /time zone/.test(problem ?? '')
      ? 'remove the time zone and write the time in UTC, e.g. "0 2 * * *" for 03:00 in Berlin in winter'
      : 'write five fields, e.g. "0 3 * * *" for 03:00 every day';
    if (problem) report(file, `/resources/cron/${index}/schedule`, 'CRON.INVALID', `schedule ${showString(job.schedule)} ${problem}`, hint);
    checkCommand(file, `/resources/cron/${index}/command`, job.command, report);
  }
  for (const [index, job] of (spec.jobs ?? []).entries()) checkCommand(file, `/jobs/${index}/command`, job.command, report);

  // Policy per environment and tier; a value shared by several environments is reported once.
  const tierSpec = tiers[tier];
  const reported = new Set<string>();
  const reportOnce = (pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    if (reported.has(`${pointer} ${code}`)) return;
    reported.add(`${pointer} ${code}`);
    report(file, pointer, code, message, hint);
  };
  for (const env of ENVIRONMENTS) {
    const override = spec.environments?.[env];
    const pointer = `/environments/${env}`;
    if (env !== 'preview' && override?.enabled === false) {
      report(
        file,
        `${pointer}/enabled`,
        'POLICY.ENVIRONMENT_REQUIRED',
        `${env} cannot be disabled`,
        'every service runs in staging and production; only preview may be disabled',
      );
    }
    if (env === 'preview' && override?.enabled === false) continue;
    const floor = (tierSpec?.minReplicas as Partial<Record<EnvironmentName, number>> | undefined)?.[env] ?? 1;
    const explicitMin = override?.scaling?.min ?? spec.runtime.scaling?.min;
    const explicitMax = override?.scaling?.max ?? spec.runtime.scaling?.max;
    const minPointer = override?.scaling?.min !== undefined ? `${pointer}/scaling/min` : '/runtime/scaling/min';
    const maxPointer = override?.scaling?.max !== undefined ? `${pointer}/scaling/max` : '/runtime/scaling/max';
    const { min, max } = effectiveScaling(explicitMin, explicitMax, floor);
    if (explicitMin !== undefined && explicitMin < floor) {
      reportOnce(
        minPointer,
        'POLICY.MIN_REPLICAS',
        `${env}: scaling.min ${explicitMin} is below the ${tier} tier's minimum of ${floor} replicas`,
        `set environments.${env}.scaling.min to at least ${floor}, or choose another tier`,
      );
    } else if (explicitMax !== undefined && explicitMax < floor) {
      reportOnce(
        maxPointer,
        'POLICY.MIN_REPLICAS',
        `${env}: scaling.max ${explicitMax} is below the ${tier} tier's minimum of ${floor} replicas`,
        `set environments.${env}.scaling.max to at least ${floor}, or choose another tier`,
      );
    } else if (min > max) {
      reportOnce(maxPointer, 'POLICY.SCALING', `scaling.max ${max} is below scaling.min ${min}`, 'raise max or lower min');
    }
  }
  const availability = spec.observability?.slo?.availability;
  if (availability !== undefined && tierSpec && availability < tierSpec.availability) {
    report(
      file,
      '/observability/slo/availability',
      'POLICY.SLO_BELOW_TIER',
      `${availability}% is below the ${tier} tier's ${tierSpec.availability}%`,
      `raise the objective, or move the service to a tier that promises less`,
    );
  }
  for (const [index, bucket] of (resources.buckets ?? []).entries()) {
    if (bucket.public === true)
      report(
        file,
        `/resources/buckets/${index}/public`,
        'POLICY.PUBLIC_BUCKET',
        `bucket ${showString(bucket.name)} is public`,
        'the golden path keeps buckets private (CKV_AWS_53-56); serve public files through a CDN in front of a private bucket',
      );
  }

  checkRuntimeContract(service, byName, platformMetricsPort(platform), report, platform.resourceTypes ?? {});
  checkDerivedNames(service, byName, platform, report);
}

/** Where a connection's resource entry is written: `/resources/<list>/<index>`, or the list when the entry is not found by name. */
function connectionPointer(spec: ServiceSpec, connection: { readonly kind: string; readonly name: string }): string {
  const list =
    ({ database: 'databases', cache: 'caches', topic: 'topics', queue: 'subscriptions', bucket: 'buckets' } as Record<string, string>)[connection.kind] ??
    connection.kind;
  const entries = ((spec.resources as Readonly<Record<string, unknown>> | undefined)?.[list] as ReadonlyArray<Record<string, unknown>> | undefined) ?? [];
  const index = entries.findIndex((e) => (list === 'subscriptions' ? queueName(String(e.from), String(e.topic)) : e.name) === connection.name);
  return index >= 0 ? `/resources/${list}/${index}` : `/resources/${list}`;
}

/** The platform's metrics port (observability.metricsPort), where a service that declares none serves its metrics. */
const platformMetricsPort = (platform: PlatformSpec): number => platform.observability?.metricsPort ?? METRICS_PORT;

/** The variables and port paved itself provides (spec/runtime-env.ts) are not the service's to declare. */
function checkRuntimeContract(
  service: ServiceInput,
  byName: ReadonlyMap<string, ServiceInput>,
  platformMetrics: number,
  report: Report,
  types: Readonly<Record<string, { readonly connection?: readonly string[] }>>,
): void {
  const { file, spec } = service;
  if (spec.runtime.port === platformMetrics && spec.observability?.metrics?.port === undefined) {
    report(file, '/runtime/port', 'POLICY.RESERVED_PORT', `port ${platformMetrics} is the metrics port every pod serves`, 'listen on another port, e.g. 8080');
  }
  const generated = new Map<string, string>();
  for (const name of PLATFORM_ENV_NAMES) generated.set(name, 'paved sets it in every container');
  for (const name of PREVIEW_ENV_NAMES) generated.set(name, 'paved sets it in preview, where LocalStack stands in for AWS');
  // Preview's list: it holds every variable of the cloud environments', and MySQL databases' passwords besides.
  // Platform resource types' entries carry their type's connection outputs, as resolve gives them.
  const typed = Object.keys(types).flatMap((type) =>
    (((spec.resources as Readonly<Record<string, unknown>> | undefined)?.[type] as ReadonlyArray<{ name: string }> | undefined) ?? []).map((e) => ({
      type,
      name: e.name,
      connection: types[type]!.connection ?? [],
    })),
  );
  // Two resources whose variables share names (type "cache-eu" entry "x" and cache "eu-x" both give CACHE_EU_X_HOST): one would silently win.
  const collisions = new Map<string, { connection: { kind: string; name: string }; names: string[]; taken: string }>();
  for (const { name, connection } of connectionEnv({ ...(spec.resources ?? {}), typed }, 'preview')) {
    const what = `${connection.kind} ${showString(connection.name)}`;
    const taken = generated.get(name);
    if (taken === undefined) generated.set(name, `it carries the connection details of ${what}`);
    // A duplicate entry repeats its own variables: REF.DUPLICATE_NAME says so.
    else if (!taken.endsWith(`of ${what}`)) {
      const found = collisions.get(what) ?? { connection, names: [] as string[], taken };
      found.names.push(name);
      collisions.set(what, found);
    }
  }
  for (const [what, { connection, names, taken }] of collisions)
    report(
      file,
      connectionPointer(spec, connection),
      'NAME.COLLISION',
      `the connection variable${names.length > 1 ? 's' : ''} ${names.join(', ')} of ${what} ${names.length > 1 ? 'are variables' : 'is a variable'} paved already sets: ${taken}`,
      `rename ${what}, or the resource its variables collide with`,
    );
  // Discovery: a dependency that serves a port gets <NAME>_URL; a worker has no Service to point at.
  for (const [index, target] of (spec.dependsOn ?? []).entries()) {
    const dependency = byName.get(target);
    if (dependency?.spec.runtime.port === undefined || target === spec.name) continue;
    // Named after the name it is deployed under, which a rename keeps.
    const name = discoveryEnvName(deployedName(dependency.spec));
    const taken = generated.get(name);
    if (taken !== undefined)
      report(
        file,
        `/dependsOn/${index}`,
        'NAME.COLLISION',
        `the URL variable of dependency ${showString(target)}, ${name}, is a variable paved already sets: ${taken}`,
        `rename service ${showString(target)}, or the resource its variable collides with`,
      );
    else generated.set(name, `it carries the URL of dependency ${showString(target)}`);
  }
  const reserved = (pointer: string, name: string, options?: { key?: boolean }): void => {
    const why = generated.get(name);
    if (why)
      report(
        file,
        pointer,
        'REF.RESERVED_ENV',
        `${name} is set by paved: ${why}`,
        'rename the variable; docs/targets/kubernetes.md lists the variables paved sets',
        options,
      );
  };
  for (const name of Object.keys(spec.env ?? {})) reserved(`/env/${name}`, name, { key: true });
  for (const env of ENVIRONMENTS)
    for (const name of Object.keys(spec.environments?.[env]?.env ?? {})) reserved(`/environments/${env}/env/${name}`, name, { key: true });
  const objects = new Map<string, string>();
  for (const [index, name] of (spec.secrets ?? []).entries()) {
    reserved(`/secrets/${index}`, name);
    const object = secretObjectName(name);
    const problem = NAME_RULES.kubernetesLabel.check(object);
    const first = objects.get(object);
    if (problem)
      report(
        file,
        `/secrets/${index}`,
        'NAME.DERIVED',
        `derived Kubernetes Secret name ${showString(object)} ${problem}`,
        'name secrets like environment variables: letters, digits and single underscores inside',
      );
    else if (first !== undefined && first !== name)
      report(
        file,
        `/secrets/${index}`,
        'NAME.DERIVED',
        `derived Kubernetes Secret name ${showString(object)} is also derived from ${first}`,
        'secret names may not differ only in case',
      );
    if (first === undefined) objects.set(object, name);
  }

  // `a-b`'s topic `c` and `a`'s topic `b-c` would share the queue `a-b-c`: its SQS queue, secret and QUEUE_A_B_C_* variables.
  const queues = new Map<string, string>();
  for (const [index, subscription] of (spec.resources?.subscriptions ?? []).entries()) {
    const segment = envSegment(queueName(subscription.from, subscription.topic));
    const first = queues.get(segment);
    const described = `${subscription.from}'s topic ${subscription.topic}`;
    if (first !== undefined)
      report(
        file,
        `/resources/subscriptions/${index}`,
        'NAME.QUEUE_COLLISION',
        `the subscriptions to ${first} and to ${described} would share the queue name ${showString(queueName(subscription.from, subscription.topic))} and its QUEUE_${segment}_* variables`,
        'rename one of the topics',
      );
    else queues.set(segment, described);
  }
}

/** Backups the cloud environments keep: security-rules.md §1 row 5 asks for 7 to 35 days (the schema caps 35). */
const MIN_BACKUP_RETENTION_DAYS = 7;

/** Platform policy the schema cannot express per environment. */
export function checkPlatformPolicy(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [...checkPlatformNetwork(file, platform)];
  for (const env of CLOUD_ENVIRONMENTS) {
    const days = (platform.policy as Partial<Record<EnvironmentName, { backupRetentionDays: number }>> | undefined)?.[env]?.backupRetentionDays;
    if (days === undefined || days >= MIN_BACKUP_RETENTION_DAYS) continue;
    const pointer = `/policy/${env}/backupRetentionDays`;
    diagnostics.push(
      positioned(file, pointer, 'POLICY.BACKUP_RETENTION', `${days} days of backups is too few for ${env}`, {
        hint: `keep ${MIN_BACKUP_RETENTION_DAYS} to 35 days (CKV_AWS_133, AVD-AWS-0077); only preview may keep fewer`,
      }),
    );
  }
  return diagnostics;
}

/** The account an environment's CI role lives in: preview's in staging's, where its previews and plans run. */
const CI_ROLE_ACCOUNT: Readonly<Record<EnvironmentName, 'staging' | 'production'>> = { preview: 'staging', staging: 'staging', production: 'production' };

/**
 * What paved's platform root (_platform/terraform) needs of platform.yaml
 * beyond the schema: each CI role in the account of its environment, since the
 * environment's root creates it there; and a warning when one state bucket
 * name serves two accounts, since S3 names are global and only one account's
 * root can create it.
 */
export function checkPlatformRoot(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const accounts = (platform.cloud?.accounts ?? {}) as Partial<Record<EnvironmentName, string>>;
  // The roles the file names; a platform.yaml that leaves ci.roleArns out keeps the embedded placeholders.
  const roleArns = (((file.data ?? {}) as PlatformSpec).ci?.roleArns ?? {}) as Partial<Record<EnvironmentName, string>>;
  for (const env of ENVIRONMENTS) {
    const role = roleArns[env];
    const owner = CI_ROLE_ACCOUNT[env];
    const expected = accounts[owner];
    const account = role === undefined ? undefined : /^arn:[^:]+:iam::([0-9]{12}):role\//.exec(role)?.[1];
    if (account === undefined || expected === undefined || account === expected) continue;
    const pointer = `/ci/roleArns/${env}`;
    diagnostics.push(
      positioned(
        file,
        pointer,
        'SPEC.CI_ROLE_ACCOUNT',
        `the role is in account ${account}, but ${env === 'preview' ? "preview's CI role belongs in the staging account" : `${env}'s account`} (cloud.accounts.${owner}) is ${expected}`,
        {
          hint: `paved's platform root for ${owner} creates this role in account ${expected}: write that account id in the ARN, or correct cloud.accounts.${owner}`,
        },
      ),
    );
  }
  // As the file sets it: the embedded default's one placeholder name is not the platform team's choice.
  const bucket = ((file.data ?? {}) as PlatformSpec).terraform?.stateBucket;
  if (typeof bucket === 'string' && accounts.staging !== undefined && accounts.staging !== accounts.production) {
    const pointer = '/terraform/stateBucket';
    diagnostics.push(
      positioned(
        file,
        pointer,
        'SPEC.SHARED_STATE_BUCKET',
        `one state bucket, ${showString(bucket)}, for staging and production, whose accounts differ (${accounts.staging}, ${accounts.production}); S3 names are global, so only one account's platform root can create it and the other environment's stacks would keep state across accounts`,
        { hint: 'give each environment its own: stateBucket: { staging: <name>, production: <name> }', severity: 'warning' },
      ),
    );
  }
  return diagnostics;
}

/** Every service releases.yaml names must exist: a typo would silently deploy nothing. */
export function checkReleases(file: SourceFile, releases: ReleasesSpec, services: readonly ServiceInput[]): Diagnostic[] {
  // Records are kept under the name a service is deployed under (docs/day-2.md, Renaming).
  const known = services.map((s) => deployedName(s.spec));
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  for (const name of Object.keys(releases.services ?? {})) {
    if (!known.includes(name))
      unknownService(file, `/services/${name}`, name, known, report, {
        otherwise: `remove the entry of a deleted service; a service renamed since says renamedFrom: ${showString(name)} in its service.yaml`,
        key: true,
      });
  }
  return diagnostics;
}

function unknownService(
  file: SourceFile,
  pointer: string,
  target: string,
  known: readonly string[],
  report: Report,
  options: { otherwise?: string; key?: boolean; renamedTo?: ServiceInput | undefined } = {},
): void {
  const { renamedTo } = options;
  if (renamedTo) {
    report(
      file,
      pointer,
      'REF.UNKNOWN_SERVICE',
      `no service named ${showString(target)} in this repository: ${renamedTo.file.path} renamed it to ${showString(renamedTo.spec.name)}`,
      `write "${renamedTo.spec.name}": specs refer to a service by its name in service.yaml; what is deployed keeps the old name`,
      { key: options.key },
    );
    return;
  }
  const suggestion = didYouMean(target, known);
  const hint = suggestion ? `write "${suggestion}"` : (options.otherwise ?? 'check the name in the other service.yaml');
  report(
    file,
    pointer,
    'REF.UNKNOWN_SERVICE',
    `no service named ${showString(target)} in this repository${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
    hint,
    { key: options.key },
  );
}

/** The service that was deployed as `name` and renamed since: a reference by its old name. */
const renamedTo = (byName: ReadonlyMap<string, ServiceInput>, name: string): ServiceInput | undefined =>
  [...byName.values()].find((s) => s.spec.renamedFrom === name);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'fish', 'csh', 'tcsh', 'cmd', 'cmd.exe', 'powershell', 'pwsh']);

/** Commands are argv lists run without a shell; a shell with `-c` smuggles a shell string back in. */
function checkCommand(file: SourceFile, pointer: string, command: readonly string[], report: Report): void {
  const program = command[0]?.split('/').pop() ?? '';
  if (SHELLS.has(program) && command.slice(1).some((arg) => /^-[a-zA-Z]*c$|^\/c$|^-Command$/i.test(arg))) {
    report(
      file,
      pointer,
      'SEC.SHELL_COMMAND',
      `runs a shell string through ${showString(program)}`,
      'call the program directly as a list of arguments; put pipelines in a script inside the image',
    );
    return;
  }
  for (const [index, arg] of command.entries()) {
    if (/[\n\r\0]/.test(arg))
      report(file, `${pointer}/${index}`, 'SEC.SHELL_COMMAND', 'argument contains a line break or NUL', 'one argument per list item, without line breaks');
  }
}

/** The name the service a spec refers to is deployed under; the reference itself when no spec declares it (reported elsewhere). */
function deployedAs(byName: ReadonlyMap<string, ServiceInput>, service: string): string {
  const input = byName.get(service);
  return input ? deployedName(input.spec) : service;
}

/** Every name paved will derive must fit its system's limits; none is truncated. */
function checkDerivedNames(service: ServiceInput, byName: ReadonlyMap<string, ServiceInput>, platform: PlatformSpec, report: Report): void {
  const { file, spec } = service;
  // Derived from the names deployed: the service's and its publishers' (docs/day-2.md, Renaming).
  const deployed = deployedName(spec);
  // A name too long for its system is fixed where it comes from: the renamedFrom of a renamed service or entry.
  const self = spec.renamedFrom === undefined ? '/name' : '/renamedFrom';
  const entry = (list: string, i: number, e: { readonly renamedFrom?: string }): string =>
    `/resources/${list}/${i}/${e.renamedFrom === undefined ? 'name' : 'renamedFrom'}`;
  const resources = spec.resources ?? {};
  const platformName = platform.name ?? 'paved';
  const bucketNameSuffix = platform.cloud?.bucketNameSuffix ?? '';
  const reported = new Set<string>();
  const check = (resourcePointer: string, name: string, rule: NameRule): void => {
    const problem = rule.check(name);
    if (!problem) return;
    // A "--" the service name brings is fixed there, whatever resource exposes it.
    const pointer = problem.includes('"--"') && deployed.includes('--') ? self : resourcePointer;
    // Staging and production names differ only in the environment, and one cause can break several names: one report each.
    const keys = [`${pointer} ${rule.system}`, `${pointer} ${problem.replace(/"[^"]*"/g, '')}`];
    if (keys.some((key) => reported.has(key))) return;
    for (const key of keys) reported.add(key);
    const hint = /characters;/.test(problem)
      ? rule === NAME_RULES.s3Bucket && bucketNameSuffix !== ''
        ? 'shorten the service or bucket name, or cloud.bucketNameSuffix in platform.yaml; paved never truncates names'
        : 'shorten the service or resource name; paved never truncates names'
      : problem.includes('S3 reserves') && name.startsWith(`${platformName}-`) && /^(xn--|sthree-|amzn-s3-demo-)/.test(platformName)
        ? 'rename the platform (name in platform.yaml): every bucket name starts with it'
        : 'rename the service or resource; paved never rewrites names';
    report(file, pointer, 'NAME.DERIVED', `derived ${rule.system} ${showString(name)} ${problem}`, hint);
  };
  check(self, names.namespace(deployed), NAME_RULES.kubernetesLabel);
  for (const env of CLOUD_ENVIRONMENTS) {
    check(self, names.iamRole(deployed, env), NAME_RULES.iamRole);
    for (const [i, d] of (resources.databases ?? []).entries())
      check(entry('databases', i, d), names.rdsInstance(deployed, env, deployedName(d)), NAME_RULES.rdsInstance);
    for (const [i, c] of (resources.caches ?? []).entries())
      check(entry('caches', i, c), names.cacheReplicationGroup(deployed, env, deployedName(c)), NAME_RULES.cacheReplicationGroup);
    for (const [i, t] of (resources.topics ?? []).entries()) check(entry('topics', i, t), names.snsTopic(deployed, env, deployedName(t)), NAME_RULES.snsTopic);
    for (const [i, s] of (resources.subscriptions ?? []).entries())
      check(`/resources/subscriptions/${i}/topic`, names.sqsDeadLetterQueue(deployed, env, deployedAs(byName, s.from), deployedTopic(s)), NAME_RULES.sqsQueue);
    for (const [i, b] of (resources.buckets ?? []).entries())
      check(entry('buckets', i, b), names.s3Bucket(platformName, bucketNameSuffix, deployed, env, deployedName(b)), NAME_RULES.s3Bucket);
    for (const [i, s] of (spec.secrets ?? []).entries()) check(`/secrets/${i}`, names.secret(deployed, env, s), NAME_RULES.secret);
    for (const [i, d] of (resources.databases ?? []).entries())
      check(entry('databases', i, d), names.connectionSecret(deployed, env, 'database', deployedName(d)), NAME_RULES.secret);
    // Supporting objects of the Terraform stack.
    check(self, names.kmsAlias(deployed, env), NAME_RULES.kmsAlias);
    if ((resources.databases ?? []).length > 0) check(self, names.rdsMonitoringRole(deployed, env), NAME_RULES.iamRole);
    if ((resources.caches ?? []).length > 0) check(self, names.cacheDefaultUser(deployed, env), NAME_RULES.cacheUser);
    for (const [i, d] of (resources.databases ?? []).entries()) {
      const pointer = entry('databases', i, d);
      // The longest names the stack can produce: the creation time and Terraform's unique id appended.
      check(pointer, `${names.rdsFinalSnapshot(deployed, env, deployedName(d))}-${'0'.repeat(FINAL_SNAPSHOT_TIME_FORMAT.length)}`, NAME_RULES.rdsSnapshot);
      check(
        pointer,
        `${names.rdsParameterGroupPrefix(deployed, env, deployedName(d), parameterGroupFamily(d.engine ?? serviceDefaults.database.engine, d.version ?? serviceDefaults.database.versions[d.engine ?? serviceDefaults.database.engine]))}${'0'.repeat(TERRAFORM_UNIQUE_SUFFIX_LENGTH)}`,
        NAME_RULES.rdsParameterGroup,
      );
      check(pointer, names.securityGroup(deployed, env, 'database', deployedName(d)), NAME_RULES.securityGroup);
      check(pointer, names.databaseName(deployedName(d)), NAME_RULES.postgresIdentifier);
    }
    for (const [i, c] of (resources.caches ?? []).entries()) {
      const pointer = entry('caches', i, c);
      check(pointer, names.securityGroup(deployed, env, 'cache', deployedName(c)), NAME_RULES.securityGroup);
      // The cache's IAM user and user group take the replication group's id, checked above by the same rules.
      check(pointer, names.connectionSecret(deployed, env, 'cache', deployedName(c)), NAME_RULES.secret);
    }
    for (const [i, t] of (resources.topics ?? []).entries())
      check(entry('topics', i, t), names.connectionSecret(deployed, env, 'topic', deployedName(t)), NAME_RULES.secret);
    for (const [i, s] of (resources.subscriptions ?? []).entries())
      check(
        `/resources/subscriptions/${i}/topic`,
        names.connectionSecret(deployed, env, 'queue', `${deployedAs(byName, s.from)}-${deployedTopic(s)}`),
        NAME_RULES.secret,
      );
    for (const [i, b] of (resources.buckets ?? []).entries())
      check(entry('buckets', i, b), names.connectionSecret(deployed, env, 'bucket', deployedName(b)), NAME_RULES.secret);
  }
  for (const [i, c] of (resources.cron ?? []).entries()) check(`/resources/cron/${i}/name`, names.cronJob(deployed, deployedName(c)), NAME_RULES.cronJob);
  // A manual job is a suspended CronJob (its template), a pre-deploy job a Job.
  for (const [i, j] of (spec.jobs ?? []).entries())
    check(`/jobs/${i}/name`, names.job(deployed, j.name), j.when === 'manual' ? NAME_RULES.cronJob : NAME_RULES.kubernetesLabel);
  for (const [i, d] of (resources.databases ?? []).entries())
    check(`/resources/databases/${i}/name`, names.catalogResource(deployed, 'db', d.name), NAME_RULES.catalogEntity);
  for (const [i, c] of (resources.caches ?? []).entries())
    check(`/resources/caches/${i}/name`, names.catalogResource(deployed, 'cache', c.name), NAME_RULES.catalogEntity);
  for (const [i, t] of (resources.topics ?? []).entries())
    check(`/resources/topics/${i}/name`, names.catalogResource(deployed, 'topic', t.name), NAME_RULES.catalogEntity);
  for (const [i, b] of (resources.buckets ?? []).entries())
    check(`/resources/buckets/${i}/name`, names.catalogResource(deployed, 'bucket', b.name), NAME_RULES.catalogEntity);
}
