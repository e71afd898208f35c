import { posix } from 'node:path';
import { defaultPlatform, serviceDefaults } from '../spec/index.js';
import { compareText, hasPointer } from '../spec/pointer.js';
import {
  ENVIRONMENTS,
  type DatabaseAuth,
  type DatabaseEngine,
  type EnvironmentName,
  type Origin,
  type OutputDirectories,
  type ResolvedEnvironment,
  type ResolvedKubernetesPlatform,
  type ResolvedPlatform,
  type ResolvedProject,
  type ResolvedService,
  type ResolvedTier,
  type Size,
  ResolvedResourceType,
  ResolvedTypedResource,
} from '../spec/model.js';
import type { EgressSpec, PlatformSpec, ResourceTypeSpec, ServiceSpec } from '../spec/types.js';
import { inputsWithDefaults, isLocalModule } from './validate/resource-types.js';
import { deployedName, names } from '../spec/naming.js';
import { effectiveScaling } from './scaling.js';
import type { ServiceInput } from './validate/rules.js';
import type { ValidProject } from './validate/index.js';

export const EMBEDDED_PLATFORM = '(embedded default platform)';

/**
 * The output directories, read before validation so discovery can skip them.
 * Falls back to the defaults when platform.yaml is absent or broken (validation
 * reports the breakage).
 */
export function outputDirectories(platformData: unknown, outDir: string | undefined): OutputDirectories {
  const output = (platformData as { output?: { dir?: unknown; workflowsDir?: unknown } } | undefined)?.output;
  return {
    dir: outDir ?? (typeof output?.dir === 'string' ? output.dir : defaultPlatform.output.dir),
    workflowsDir: typeof output?.workflowsDir === 'string' ? output.workflowsDir : defaultPlatform.output.workflowsDir,
  };
}

/** Who depends on whom and who subscribes to what, indexed in one pass over all services. */
interface Links {
  /** Service name → the services listing it in dependsOn, sorted. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** `<publisher>/<topic>` → the services subscribing to it, sorted. */
  readonly subscribers: ReadonlyMap<string, readonly string[]>;
  /** Spec name → deployed name. */
  readonly deployed: ReadonlyMap<string, string>;
}

/**
 * Specs refer to each other by spec name; the model, like everything deployed,
 * by deployed name (docs/day-2.md, Renaming).
 */
function deployedNames(specs: readonly ServiceSpec[]): ReadonlyMap<string, string> {
  return new Map(specs.map((spec) => [spec.name, deployedName(spec)]));
}

function linkServices(specs: readonly ServiceSpec[], deployed: ReadonlyMap<string, string>): Links {
  const dependents = new Map<string, string[]>();
  const subscribers = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, name: string): void => {
    const list = map.get(key) ?? [];
    if (!list.includes(name)) list.push(name);
    map.set(key, list);
  };
  const as = (name: string): string => deployed.get(name) ?? name;
  for (const spec of specs) {
    // A retired service runs no pods and its teardown destroys its subscriptions root: no publisher applies that root again.
    if (spec.retired) continue;
    for (const target of spec.dependsOn ?? []) add(dependents, as(target), as(spec.name));
    for (const s of spec.resources?.subscriptions ?? []) add(subscribers, `${as(s.from)}/${s.topic}`, as(spec.name));
  }
  for (const list of [...dependents.values(), ...subscribers.values()]) list.sort(compareText);
  return { dependents, subscribers, deployed };
}

/** Valid specs + merged platform → the model emitters read. Pure. */
export function resolveProject(valid: ValidProject, outDir: string | undefined): ResolvedProject {
  const platform = resolvePlatform(valid.platform);
  const specs = valid.services.map((s) => s.spec);
  const links = linkServices(specs, deployedNames(specs));
  const services = valid.services
    .map((input) => resolveService(input, links, platform, valid.platformFile?.path, valid))
    .sort((a, b) => compareText(a.name, b.name));
  return {
    platform,
    platformSource: valid.platformFile?.path ?? EMBEDDED_PLATFORM,
    output: outputDirectories(valid.platform, outDir),
    services,
  };
}

function resolvePlatform(spec: PlatformSpec): ResolvedPlatform {
  // The merged platform is complete: every key comes from platform.yaml or the embedded default.
  const p = spec as unknown as typeof defaultPlatform & {
    tiers: Record<string, { minReplicas?: Partial<Record<EnvironmentName, number>>; availability: number }>;
  };
  // Optional, so absent from the embedded default's type.
  const releaseApp = spec.ci?.releaseApp;
  const tiers: Record<string, ResolvedTier> = {};
  for (const name of Object.keys(p.tiers).sort(compareText)) {
    const tier = p.tiers[name]!;
    tiers[name] = {
      availability: tier.availability,
      minReplicas: { preview: tier.minReplicas?.preview ?? 1, staging: tier.minReplicas?.staging ?? 1, production: tier.minReplicas?.production ?? 1 },
    };
  }
  return {
    name: p.name,
    domain: p.domain,
    cloud: {
      provider: 'aws',
      region: p.cloud.region,
      accounts: { staging: p.cloud.accounts.staging, production: p.cloud.accounts.production },
      accessLogBuckets: { staging: p.cloud.accessLogBuckets.staging, production: p.cloud.accessLogBuckets.production },
      bucketNameSuffix: p.cloud.bucketNameSuffix,
    },
    network: {
      vpcId: perEnvironment(p.network.vpcId as string | Readonly<Record<string, string>>, (id) => id),
      privateSubnetIds: perEnvironment(p.network.privateSubnetIds as readonly string[] | Readonly<Record<string, readonly string[]>>, (ids) => [...ids]),
      podSecurityGroupIds: { staging: p.network.podSecurityGroupIds.staging, production: p.network.podSecurityGroupIds.production },
    },
    kubernetes: resolveKubernetesPlatform(p.kubernetes),
    registry: p.registry,
    terraform: { stateBucket: perEnvironment(p.terraform.stateBucket, (v) => v), awsProviderVersion: p.terraform.awsProviderVersion },
    gitops: {
      repoURL: p.gitops.repoURL,
      argocdNamespace: p.gitops.argocdNamespace,
      path: p.gitops.path,
      project: p.gitops.project,
      productionSync: p.gitops.productionSync,
    },
    ci: {
      roleArns: { preview: p.ci.roleArns.preview, staging: p.ci.roleArns.staging, production: p.ci.roleArns.production },
      repository: p.ci.repository,
      githubOidcProvider: p.ci.githubOidcProvider,
      releaseToken: p.ci.releaseToken,
      ...(releaseApp === undefined ? {} : { releaseApp: { clientId: releaseApp.clientId, privateKeySecret: releaseApp.privateKeySecret } }),
    },
    observability: { ...p.observability },
    tiers,
    sizes: { database: { ...p.sizes.database }, cache: { ...p.sizes.cache }, databaseStorageGiB: { ...p.sizes.databaseStorageGiB } },
    policy: { preview: { ...p.policy.preview }, staging: { ...p.policy.staging }, production: { ...p.policy.production } },
    overridePolicy: resolveOverridePolicy(p.overridePolicy),
    ...((p.scaffold as { templates?: string }).templates ? { scaffold: { templates: (p.scaffold as { templates: string }).templates } } : {}),
    resourceTypes: resolveResourceTypes(spec.resourceTypes ?? {}),
  };
}

/** The platform's resource types, sorted by name; a module is local unless a version constraint makes it a registry source. */
function resolveResourceTypes(types: Readonly<Record<string, ResourceTypeSpec>>): Record<string, ResolvedResourceType> {
  return Object.fromEntries(
    Object.keys(types)
      .sort(compareText)
      .map((name) => {
        const t = types[name]!;
        const resolved: ResolvedResourceType = {
          name,
          description: t.description,
          module: isLocalModule(t) ? { kind: 'local', path: t.module } : { kind: 'registry', source: t.module, version: t.version! },
          connection: [...(t.connection ?? [])],
          egressPorts: [...(t.egressPorts ?? [])],
          stateful: t.stateful ?? false,
          iamPolicy: t.iamPolicy ?? false,
          ...(t.standIn ? { standIn: { image: t.standIn.image, port: t.standIn.port } } : {}),
        };
        return [name, resolved];
      }),
  );
}

/**
 * A platform value given once for both cloud environments or per environment
 * (network.vpcId, network.privateSubnetIds, terraform.stateBucket), per environment. A string or a list
 * is the one value; validation made sure a map names both environments.
 */
function perEnvironment<T>(value: T | Readonly<Record<string, T>>, copy: (value: T) => T): Readonly<Record<'staging' | 'production', T>> {
  if (typeof value === 'string' || Array.isArray(value)) return { staging: copy(value as T), production: copy(value as T) };
  const map = value as Readonly<Record<string, T>>;
  return { staging: copy(map.staging!), production: copy(map.production!) };
}

function resolveOverridePolicy(o: PlatformSpec['overridePolicy']): ResolvedPlatform['overridePolicy'] {
  const k = o!.kubernetes!;
  return {
    kubernetes: { forbiddenKinds: [...(k.forbiddenKinds ?? [])], forbiddenPaths: [...(k.forbiddenPaths ?? [])], ...(k.allow ? { allow: [...k.allow] } : {}) },
    terraform: o!.terraform?.allow ? { allow: [...o!.terraform.allow] } : {},
    waivers: (o!.waivers ?? []).map((w) => ({ rule: w.rule, reason: w.reason, ...(w.services ? { services: [...w.services] } : {}) })),
  };
}

// Kubernetes emitter: the merged platform's kubernetes block, copied so nobody shares the frozen default.
function resolveKubernetesPlatform(k: typeof defaultPlatform.kubernetes): ResolvedKubernetesPlatform {
  return {
    clusters: { ...k.clusters },
    ingressClass: k.ingressClass,
    internalIngressClass: k.internalIngressClass,
    ingressController: k.ingressController,
    tls: k.tlsCertificates === 'cert-manager' ? { certificates: 'cert-manager', clusterIssuer: k.tlsClusterIssuer } : { certificates: 'controller-default' },
    ingressControllerNamespace: k.ingressControllerNamespace,
    prometheusNamespace: k.prometheusNamespace,
    monitorLabels: sortRecord({ ...(k.monitorLabels as Record<string, string>) }),
    secretStores: { ...k.secretStores },
    externalSecrets: { namespace: k.externalSecrets.namespace, serviceAccount: k.externalSecrets.serviceAccount },
    egress: {
      privateSubnetCidrs: [...k.egress.privateSubnetCidrs],
      awsApiCidrs: [...k.egress.awsApiCidrs],
      s3Endpoint: k.egress.s3Endpoint,
      ...allowedEgress((k.egress as EgressSpec).allow),
    },
    networkPolicy: { enforcement: k.networkPolicy.enforcement },
    limits: { ...k.limits },
    databaseBootstrapRepository: k.databaseBootstrapRepository,
    mysqlBootstrapRepository: k.mysqlBootstrapRepository,
    preview: { ...k.preview },
  };
}

/** The platform's egress allow-list, when it has one (the embedded default has none). */
function allowedEgress(allow: EgressSpec['allow']): { allow?: { hosts: string[]; cidrs: string[] } } {
  return allow === undefined ? {} : { allow: { hosts: [...(allow.hosts ?? [])], cidrs: [...(allow.cidrs ?? [])] } };
}

function resolveService(input: ServiceInput, links: Links, platform: ResolvedPlatform, platformPath: string | undefined, valid: ValidProject): ResolvedService {
  const { file, spec } = input;
  const name = deployedName(spec);
  const as = (service: string): string => links.deployed.get(service) ?? service;
  const origins: Record<string, Origin> = {};
  const fromSpec = (pointer: string, at = pointer): Origin => ({ kind: 'spec', file: file.path, pointer: at });
  // A platform value came from platform.yaml only if that file sets it; otherwise from the embedded default.
  const platformOrigin = (pointer: string): Origin =>
    platformPath && hasPointer(valid.platformFile?.data, pointer)
      ? { kind: 'platform', file: platformPath, pointer }
      : { kind: 'default', file: EMBEDDED_PLATFORM, pointer };
  /** Picks the first defined value and records where it came from. */
  const pick = <T>(
    resolvedPointer: string,
    candidates: ReadonlyArray<readonly [T | undefined, Origin]>,
    fallback: T,
    fallbackOrigin: Origin = { kind: 'default' },
  ): T => {
    for (const [value, origin] of candidates) {
      if (value !== undefined) {
        origins[resolvedPointer] = origin;
        return value;
      }
    }
    origins[resolvedPointer] = fallbackOrigin;
    return fallback;
  };

  const directory = posix.dirname(file.path);
  // The name everything is derived from is the deployed one: renamedFrom while a rename is in place.
  origins['/name'] = fromSpec(spec.renamedFrom === undefined ? '/name' : '/renamedFrom');
  origins['/specName'] = fromSpec('/name');
  origins['/runtime/image'] = platformOrigin('/registry');
  origins['/dependents'] = { kind: 'derived' };
  (spec.resources?.topics ?? []).forEach((_, i) => (origins[`/resources/topics/${i}/subscribers`] = { kind: 'derived' }));
  const tier = pick('/tier', [[spec.tier, fromSpec('/tier')]], serviceDefaults.tier);
  const tierSpec = platform.tiers[tier]!;
  const runtime = spec.runtime;
  const port = runtime.port;
  const ingress = spec.ingress
    ? {
        public: pick('/ingress/public', [[spec.ingress.public, fromSpec('/ingress/public')]], serviceDefaults.ingressPublic),
        host: pick('/ingress/host', [[spec.ingress.host, fromSpec('/ingress/host')]], `${name}.${platform.domain}`, platformOrigin('/domain')),
        paths: pick('/ingress/paths', [[spec.ingress.paths, fromSpec('/ingress/paths')]], serviceDefaults.ingressPaths),
      }
    : undefined;

  const environments = {} as Record<EnvironmentName, ResolvedEnvironment>;
  for (const env of ENVIRONMENTS) {
    const override = spec.environments?.[env];
    const at = (key: string): string => `/environments/${env}/${key}`;
    const scalingOrigin = (key: 'min' | 'max' | 'targetCPUUtilization'): ReadonlyArray<readonly [number | undefined, Origin]> => [
      [override?.scaling?.[key], { kind: 'environment', file: file.path, pointer: at(`scaling/${key}`) }],
      [runtime.scaling?.[key], fromSpec(`/runtime/scaling/${key}`)],
    ];
    // The tier's floor lifts the default min; an explicit value below it is a validation error.
    const floor = tierSpec.minReplicas[env];
    const explicitMin = override?.scaling?.min ?? runtime.scaling?.min;
    const explicitMax = override?.scaling?.max ?? runtime.scaling?.max;
    const bounds = effectiveScaling(explicitMin, explicitMax, floor);
    const liftedByTier = explicitMin === undefined && bounds.min === floor && floor > serviceDefaults.scaling.min;
    const min = pick(
      at('scaling/min'),
      scalingOrigin('min'),
      bounds.min,
      liftedByTier ? { ...platformOrigin(`/tiers/${tier}/minReplicas/${env}`), kind: 'tier' } : { kind: 'default' },
    );
    const max = pick(at('scaling/max'), scalingOrigin('max'), bounds.max);
    const target = pick(at('scaling/targetCPUUtilization'), scalingOrigin('targetCPUUtilization'), serviceDefaults.scaling.targetCPUUtilization);
    const cpu = pick(
      at('compute/cpu'),
      [
        [override?.resources?.cpu, { kind: 'environment', file: file.path, pointer: at('resources/cpu') }],
        [runtime.resources?.cpu, fromSpec('/runtime/resources/cpu')],
      ],
      serviceDefaults.computeResources.cpu,
    );
    const memory = pick(
      at('compute/memory'),
      [
        [override?.resources?.memory, { kind: 'environment', file: file.path, pointer: at('resources/memory') }],
        [runtime.resources?.memory, fromSpec('/runtime/resources/memory')],
      ],
      serviceDefaults.computeResources.memory,
    );
    const envVars: Record<string, string> = {};
    const merged = { ...(spec.env ?? {}), ...(override?.env ?? {}) };
    for (const key of Object.keys(merged).sort(compareText)) {
      envVars[key] = merged[key]!;
      origins[at(`env/${key}`)] =
        override?.env && Object.hasOwn(override.env, key) ? { kind: 'environment', file: file.path, pointer: at(`env/${key}`) } : fromSpec(`/env/${key}`);
    }
    const enabled =
      env === 'preview'
        ? pick(at('enabled'), [[override?.enabled, { kind: 'environment', file: file.path, pointer: at('enabled') }]], serviceDefaults.previewEnabled)
        : true;
    for (const key of ['deletionProtection', 'multiAz', 'backupRetentionDays'] as const) origins[at(`policy/${key}`)] = platformOrigin(`/policy/${env}/${key}`);
    origins[at('account')] = platformOrigin(`/cloud/accounts/${env === 'production' ? 'production' : 'staging'}`);
    origins[at('cluster')] = platformOrigin(`/kubernetes/clusters/${env}`);
    const release = env === 'preview' ? undefined : valid.releases.services?.[name]?.[env];
    if (release) origins[at('release')] = { kind: 'release', file: valid.releasesFile?.path, pointer: `/services/${name}/${env}` };
    environments[env] = {
      name: env,
      enabled,
      scaling: { min, max, targetCPUUtilization: target },
      compute: { cpu, memory },
      env: envVars,
      policy: { ...platform.policy[env] },
      account: env === 'production' ? platform.cloud.accounts.production : platform.cloud.accounts.staging,
      cluster: platform.kubernetes.clusters[env],
      ...(release ? { release: { tag: release.tag, ...(release.digest ? { digest: release.digest } : {}) } } : {}),
      ...(ingress
        ? {
            host:
              env === 'production'
                ? ingress.host
                : env === 'staging'
                  ? names.stagingHost(name, platform.domain)
                  : names.previewHost(name, platform.domain, '{{number}}'),
          }
        : {}),
    };
  }

  const resources = spec.resources ?? {};
  const latency = spec.observability?.slo?.latency;
  const metrics = spec.observability?.metrics;
  const slo =
    port === undefined
      ? undefined
      : {
          availability: pick(
            '/observability/slo/availability',
            [[spec.observability?.slo?.availability, fromSpec('/observability/slo/availability')]],
            tierSpec.availability,
            { ...platformOrigin(`/tiers/${tier}/availability`), kind: 'tier' },
          ),
          ...(latency ? { latency: { percentile: latency.percentile, thresholdMs: latency.thresholdMs } } : {}),
        };

  return {
    name,
    specName: spec.name,
    owner: spec.owner,
    description: pick('/description', [[spec.description, fromSpec('/description')]], serviceDefaults.description),
    tier,
    specPath: file.path,
    directory,
    runtime: {
      language: runtime.language,
      image: `${platform.registry}/${name}`,
      previewImage: `${platform.registry}/preview/${name}`,
      build: {
        context: posix.normalize(
          posix.join(directory, pick('/runtime/build/context', [[runtime.build?.context, fromSpec('/runtime/build/context')]], serviceDefaults.build.context)),
        ),
        dockerfile: posix.normalize(
          posix.join(
            directory,
            pick('/runtime/build/dockerfile', [[runtime.build?.dockerfile, fromSpec('/runtime/build/dockerfile')]], serviceDefaults.build.dockerfile),
          ),
        ),
      },
      ...(port !== undefined
        ? { port, servicePort: pick('/runtime/servicePort', [[runtime.servicePort, fromSpec('/runtime/servicePort')]], port, fromSpec('/runtime/port')) }
        : {}),
      protocol: pick('/runtime/protocol', [[runtime.protocol, fromSpec('/runtime/protocol')]], serviceDefaults.protocol),
      ports: (runtime.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? serviceDefaults.portProtocol })),
      ...(runtime.command ? { command: [...runtime.command] } : {}),
      health: {
        liveness: pick('/runtime/health/liveness', [[runtime.health?.liveness, fromSpec('/runtime/health/liveness')]], serviceDefaults.health.liveness),
        readiness: pick('/runtime/health/readiness', [[runtime.health?.readiness, fromSpec('/runtime/health/readiness')]], serviceDefaults.health.readiness),
      },
    },
    ...(ingress ? { ingress } : {}),
    dependsOn: (spec.dependsOn ?? []).map(as).sort(compareText),
    dependents: [...(links.dependents.get(name) ?? [])],
    secrets: [...(spec.secrets ?? [])].sort(compareText),
    resources: {
      databases: (resources.databases ?? []).map((d, i) => {
        const at = (key: string) => `/resources/databases/${i}/${key}`;
        const size: Size = d.size ?? serviceDefaults.database.size;
        const engine = pick(at('engine'), [[d.engine, fromSpec(at('engine'))]], serviceDefaults.database.engine as DatabaseEngine);
        const storage = platform.sizes.databaseStorageGiB;
        return {
          name: d.name,
          ...renamed(d),
          engine,
          // The default version is the engine's: "16" means nothing to MySQL.
          version: pick(at('version'), [[d.version, fromSpec(at('version'))]], serviceDefaults.database.versions[engine]),
          auth: pick(at('auth'), [[d.auth, fromSpec(at('auth'))]], serviceDefaults.database.auth as DatabaseAuth),
          size,
          instanceClass: platform.sizes.database[size],
          storageGiB: pick(at('storageGiB'), [[d.storageGiB, fromSpec(at('storageGiB'))]], storage.min, platformOrigin('/sizes/databaseStorageGiB/min')),
          maxStorageGiB: pick(at('maxStorageGiB'), [], storage.max, platformOrigin('/sizes/databaseStorageGiB/max')),
        };
      }),
      caches: (resources.caches ?? []).map((c) => {
        const size: Size = c.size ?? serviceDefaults.cacheSize;
        return { name: c.name, ...renamed(c), size, nodeType: platform.sizes.cache[size] };
      }),
      topics: (resources.topics ?? []).map((t) => ({ name: t.name, ...renamed(t), subscribers: [...(links.subscribers.get(`${name}/${t.name}`) ?? [])] })),
      subscriptions: (resources.subscriptions ?? []).map((s) => ({
        topic: s.topic,
        from: as(s.from),
        ...renamed(s),
        maxRetries: s.maxRetries ?? serviceDefaults.maxRetries,
      })),
      buckets: (resources.buckets ?? []).map((b) => ({
        name: b.name,
        ...renamed(b),
        public: b.public ?? serviceDefaults.bucket.public,
        versioned: b.versioned ?? serviceDefaults.bucket.versioned,
      })),
      cron: (resources.cron ?? []).map((c) => ({ name: c.name, ...renamed(c), schedule: c.schedule, command: [...c.command] })),
      typed: typedResources(spec, valid.platform, platform, origins, fromSpec, platformOrigin),
    },
    // Validation made every host lower case and every CIDR canonical (compiler/validate/egress.ts).
    egress: (spec.egress ?? []).map((e) => (e.host !== undefined ? { host: e.host, port: e.port } : { cidr: e.cidr!, port: e.port })),
    jobs: (spec.jobs ?? []).map((j) => ({ name: j.name, command: [...j.command], when: j.when })),
    environments,
    observability: {
      ...(slo ? { slo } : {}),
      alerts: {
        route: pick(
          '/observability/alerts/route',
          [[spec.observability?.alerts?.route, fromSpec('/observability/alerts/route')]],
          spec.owner,
          fromSpec('/owner'),
        ),
      },
      metrics: {
        port: pick(
          '/observability/metrics/port',
          [[metrics?.port, fromSpec('/observability/metrics/port')]],
          platform.observability.metricsPort,
          platformOrigin('/observability/metricsPort'),
        ),
        path: pick('/observability/metrics/path', [[metrics?.path, fromSpec('/observability/metrics/path')]], serviceDefaults.metrics.path),
        convention: pick(
          '/observability/metrics/convention',
          [[metrics?.convention, fromSpec('/observability/metrics/convention')]],
          serviceDefaults.metrics.convention,
        ),
        declared: metrics !== undefined,
      },
    },
    dataLoss: (spec.dataLoss ?? []).map((d, i) => ({ resource: d.resource, reason: d.reason, pointer: `/dataLoss/${i}` })),
    ...(spec.retired ? { retired: { reason: spec.retired.reason } } : {}),
    overrides: {
      kubernetes: (spec.overrides?.kubernetes ?? []).map((o, i) => ({
        target: o.target,
        environments: [...(o.environments ?? ENVIRONMENTS)],
        reason: o.reason,
        patch: o.patch.map((op) => ({ ...op })),
        pointer: `/overrides/kubernetes/${i}`,
      })),
      terraform: (spec.overrides?.terraform ?? []).map((o, i) => ({
        target: o.target,
        environments: [...(o.environments ?? ENVIRONMENTS)],
        reason: o.reason,
        patch: o.patch.map((op) => ({ ...op })),
        pointer: `/overrides/terraform/${i}`,
      })),
    },
    origins: sortRecord(origins),
  };
}

/** An entry's renamedFrom, when it has one: the model carries only renames in place. */
const renamed = (entry: { readonly renamedFrom?: string }): { renamedFrom?: string } =>
  entry.renamedFrom === undefined ? {} : { renamedFrom: entry.renamedFrom };

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compareText)) sorted[key] = record[key]!;
  return sorted;
}

/** The service a person or workflow names on the command line: by its spec name, or by the name it is deployed under. */
export function serviceNamed(project: ResolvedProject, name: string): ResolvedService | undefined {
  return project.services.find((s) => s.specName === name) ?? project.services.find((s) => s.name === name);
}

/**
 * The entries of the platform's resource types, by type name then in spec
 * order, with the type's defaults applied to their inputs; each input's origin
 * is the service.yaml or the type's schema default in platform.yaml.
 */
function typedResources(
  spec: ServiceSpec,
  platformSpec: PlatformSpec,
  platform: ResolvedPlatform,
  origins: Record<string, Origin>,
  fromSpec: (pointer: string) => Origin,
  platformOrigin: (pointer: string) => Origin,
): ResolvedTypedResource[] {
  const resources = (spec.resources ?? {}) as Readonly<Record<string, unknown>>;
  const typed: ResolvedTypedResource[] = [];
  for (const type of Object.keys(platform.resourceTypes)) {
    const entries = (resources[type] ?? []) as ReadonlyArray<Readonly<Record<string, unknown>> & { name: string; renamedFrom?: string }>;
    entries.forEach((entry, i) => {
      const inputs = inputsWithDefaults(platformSpec.resourceTypes![type]!, entry);
      const at = typed.length;
      origins[`/resources/typed/${at}/name`] = fromSpec(`/resources/${type}/${i}/name`);
      for (const key of Object.keys(inputs))
        origins[`/resources/typed/${at}/inputs/${key}`] =
          entry[key] !== undefined ? fromSpec(`/resources/${type}/${i}/${key}`) : platformOrigin(`/resourceTypes/${type}/inputs/properties/${key}/default`);
      typed.push({ type, name: entry.name, ...renamed(entry), inputs, connection: [...platform.resourceTypes[type]!.connection] });
    });
  }
  return typed;
}
