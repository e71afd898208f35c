import { serviceDefaults } from '../spec/index.js';
import { ENVIRONMENTS, type ResolvedProject, type ResolvedService } from '../spec/model.js';
import { printable } from '../spec/text.js';
import { effectiveScaling } from './scaling.js';

/** Where a service leaves the golden path's defaults, and how far. */
export interface Departure {
  /** Dotted path in the resolved model. */
  readonly path: string;
  readonly value: unknown;
  readonly default: unknown;
  /** `tier` when the default is the tier's, else `default`. */
  readonly of: 'default' | 'tier';
}

export interface ServiceReport {
  readonly name: string;
  readonly owner: string;
  readonly tier: string;
  readonly spec: string;
  readonly kind: 'http' | 'grpc' | 'worker';
  readonly environments: ReadonlyArray<{
    readonly name: string;
    readonly enabled: boolean;
    readonly replicas: string;
    readonly compute: string;
    readonly release: string;
  }>;
  /** The built-in lists, then one list per platform resource type the service uses (named after the type). */
  readonly resources: Readonly<Record<'databases' | 'caches' | 'topics' | 'subscriptions' | 'buckets' | 'cron', readonly string[]>> &
    Readonly<Record<string, readonly string[]>>;
  /** Traffic leaving the cluster (`egress:`), each with how the platform enforces it: reviewed like a deviation. */
  readonly egress: ReadonlyArray<{ readonly destination: string; readonly port: number; readonly enforced: string }>;
  /** `jobs:`, as `<name> (<when>)`. */
  readonly jobs: readonly string[];
  readonly overrides: ReadonlyArray<{
    readonly target: 'kubernetes' | 'terraform';
    readonly object: string;
    readonly environments: readonly string[];
    readonly reason: string;
  }>;
  readonly departures: readonly Departure[];
  /** Rules of the compile-time policy the platform waives for this service (platform.yaml overridePolicy.waivers). */
  readonly waivers: ReadonlyArray<{ readonly rule: string; readonly reason: string }>;
  /** `dataLoss:` acknowledgements still in place: each lifts prevent_destroy until it is removed. */
  readonly dataLoss: ReadonlyArray<{ readonly resource: string; readonly reason: string }>;
  /** Every renamedFrom in place (docs/day-2.md, Renaming): entries deployed under an old name. */
  readonly renames: readonly Rename[];
  /** `retired:`'s reason: the service is being torn down and is deleted once that has finished. */
  readonly retired?: string;
}

/** A renamedFrom in place: the entry at `path` is `name` in the spec and deployed as `renamedFrom`. */
export interface Rename {
  /** Spec path of the entry: `resources.databases[0]`, or `` for the service itself. */
  readonly path: string;
  readonly name: string;
  readonly renamedFrom: string;
}

/** The golden-path conformance of every service: what `paved report` prints. Pure. */
export function projectReport(project: ResolvedProject): ServiceReport[] {
  return project.services.map((service) => serviceReport(service, project));
}

function serviceReport(service: ResolvedService, project: ResolvedProject): ServiceReport {
  const { resources } = service;
  return {
    name: service.specName,
    owner: service.owner,
    tier: service.tier,
    spec: service.specPath,
    kind: service.runtime.port === undefined ? 'worker' : service.runtime.protocol,
    environments: ENVIRONMENTS.map((name) => {
      const env = service.environments[name];
      const release = name === 'preview' ? 'per pull request' : env.release ? env.release.tag : 'not released';
      return { name, enabled: env.enabled, replicas: `${env.scaling.min}-${env.scaling.max}`, compute: `${env.compute.cpu}/${env.compute.memory}`, release };
    }),
    resources: {
      databases: resources.databases.map((d) => `${d.name} (${d.engine} ${d.version}, ${d.size}${d.auth === 'password' ? ', password' : ''})`),
      caches: resources.caches.map((c) => `${c.name} (${c.size})`),
      topics: resources.topics.map((t) => t.name),
      subscriptions: resources.subscriptions.map((s) => `${s.from}/${s.topic}`),
      buckets: resources.buckets.map((b) => b.name),
      cron: resources.cron.map((c) => `${c.name} (${c.schedule})`),
      ...typedResources(service, project),
    },
    egress: egress(service, project),
    jobs: service.jobs.map((job) => `${job.name} (${job.when})`),
    overrides: (['kubernetes', 'terraform'] as const).flatMap((target) =>
      service.overrides[target].map((o) => ({ target, object: o.target, environments: o.environments, reason: o.reason })),
    ),
    departures: departures(service, project),
    waivers: project.platform.overridePolicy.waivers
      .filter((w) => w.services === undefined || w.services.includes(service.specName))
      .map((w) => ({ rule: w.rule, reason: w.reason })),
    dataLoss: service.dataLoss.map((d) => ({ resource: d.resource, reason: d.reason })),
    renames: renames(service),
    ...retirement(service),
  };
}

/** Each egress entry and what enforces it (docs/targets/kubernetes.md, Egress). */
function egress(service: ResolvedService, project: ResolvedProject): ServiceReport['egress'] {
  const { enforcement } = project.platform.kubernetes.networkPolicy;
  return service.egress.map((entry) =>
    'cidr' in entry
      ? { destination: entry.cidr, port: entry.port, enforced: 'an exact block' }
      : {
          destination: entry.host,
          port: entry.port,
          enforced:
            enforcement === 'cilium' ? 'enforced by name, by Cilium' : `not enforced by name under ${enforcement}: the port is open to public addresses`,
        },
  );
}

/** A retired service, with its reason: it is on its way out, and its spec must go once its teardown has finished. */
function retirement(service: ResolvedService): { retired?: string } {
  return service.retired === undefined ? {} : { retired: service.retired.reason };
}

/**
 * The renamedFrom of the service and of every entry that has one, in spec order. They stay while
 * the entry exists: its cloud and Kubernetes names are derived from them, so
 * removing one renames the resources, which replaces them (docs/day-2.md, Renaming).
 */
function renames(service: ResolvedService): Rename[] {
  const { resources } = service;
  const out: Rename[] = [];
  const add = (path: string, name: string, renamedFrom: string | undefined): void => {
    if (renamedFrom !== undefined) out.push({ path, name, renamedFrom });
  };
  if (service.specName !== service.name) add('', service.specName, service.name);
  for (const list of ['databases', 'caches', 'topics', 'buckets', 'cron'] as const)
    resources[list].forEach((entry, i) => add(`resources.${list}[${i}]`, entry.name, entry.renamedFrom));
  resources.subscriptions.forEach((s, i) =>
    add(`resources.subscriptions[${i}]`, `${s.from}/${s.topic}`, s.renamedFrom === undefined ? undefined : `${s.from}/${s.renamedFrom}`),
  );
  return out;
}

/** Values the spec sets to something other than the default or tier value it replaces. */
function departures(service: ResolvedService, project: ResolvedProject): Departure[] {
  const out: Departure[] = [];
  const tier = project.platform.tiers[service.tier]!;
  const fromSpec = (pointer: string): boolean => ['spec', 'environment'].includes(service.origins[pointer]?.kind ?? '');
  const check = (pointer: string, path: string, value: unknown, fallback: unknown, of: Departure['of'] = 'default'): void => {
    if (fromSpec(pointer) && JSON.stringify(value) !== JSON.stringify(fallback)) out.push({ path, value, default: fallback, of });
  };
  check('/tier', 'tier', service.tier, serviceDefaults.tier);
  check('/runtime/protocol', 'runtime.protocol', service.runtime.protocol, serviceDefaults.protocol);
  check('/runtime/health/liveness', 'runtime.health.liveness', service.runtime.health.liveness, serviceDefaults.health.liveness);
  check('/runtime/health/readiness', 'runtime.health.readiness', service.runtime.health.readiness, serviceDefaults.health.readiness);
  if (service.observability.slo)
    check('/observability/slo/availability', 'observability.slo.availability', service.observability.slo.availability, tier.availability, 'tier');
  for (const name of ENVIRONMENTS) {
    const env = service.environments[name];
    const at = `/environments/${name}`;
    const defaults = effectiveScaling(undefined, undefined, tier.minReplicas[name]);
    check(
      `${at}/scaling/min`,
      `environments.${name}.scaling.min`,
      env.scaling.min,
      defaults.min,
      tier.minReplicas[name] > serviceDefaults.scaling.min ? 'tier' : 'default',
    );
    check(`${at}/scaling/max`, `environments.${name}.scaling.max`, env.scaling.max, defaults.max);
    check(
      `${at}/scaling/targetCPUUtilization`,
      `environments.${name}.scaling.targetCPUUtilization`,
      env.scaling.targetCPUUtilization,
      serviceDefaults.scaling.targetCPUUtilization,
    );
    check(`${at}/compute/cpu`, `environments.${name}.compute.cpu`, env.compute.cpu, serviceDefaults.computeResources.cpu);
    check(`${at}/compute/memory`, `environments.${name}.compute.memory`, env.compute.memory, serviceDefaults.computeResources.memory);
    if (name === 'preview') check(`${at}/enabled`, 'environments.preview.enabled', env.enabled, serviceDefaults.previewEnabled);
  }
  service.resources.subscriptions.forEach((s, i) => {
    if (s.maxRetries !== serviceDefaults.maxRetries)
      out.push({ path: `resources.subscriptions[${i}].maxRetries`, value: s.maxRetries, default: serviceDefaults.maxRetries, of: 'default' });
  });
  service.resources.buckets.forEach((b, i) => {
    if (b.versioned !== serviceDefaults.bucket.versioned)
      out.push({ path: `resources.buckets[${i}].versioned`, value: b.versioned, default: serviceDefaults.bucket.versioned, of: 'default' });
  });
  return out;
}

/** Plain text, for terminals. */
export function reportText(reports: readonly ServiceReport[]): string {
  return reports
    .map((r) => {
      const lines = [`${r.name}  owner ${r.owner}, tier ${r.tier}, ${r.kind}  (${r.spec})`];
      for (const env of r.environments)
        lines.push(`  ${env.name.padEnd(10)} ${env.enabled ? `replicas ${env.replicas}, ${env.compute}, release ${env.release}` : 'disabled'}`);
      for (const [kind, items] of Object.entries(r.resources)) if (items.length > 0) lines.push(`  ${kind}: ${items.join(', ')}`);
      if (r.jobs.length > 0) lines.push(`  jobs: ${r.jobs.join(', ')}`);
      for (const e of r.egress) lines.push(`  egress: ${e.destination} port ${e.port} (${e.enforced})`);
      if (r.overrides.length === 0) lines.push('  overrides: none');
      for (const o of r.overrides) lines.push(`  override ${o.target} ${o.object} in ${o.environments.join(', ')}: ${printable(o.reason)}`);
      if (r.departures.length === 0) lines.push('  departs from no default');
      for (const d of r.departures) lines.push(`  departs: ${d.path} = ${JSON.stringify(d.value)} (${d.of}: ${JSON.stringify(d.default)})`);
      for (const w of r.waivers) lines.push(`  policy waiver ${w.rule} (platform.yaml): ${printable(w.reason)}`);
      for (const d of r.dataLoss)
        lines.push(`  data loss acknowledged for ${d.resource} (unprotected until removed): ${printable(d.reason.replace(/\s*\n\s*/g, ' '))}`);
      for (const n of r.renames)
        lines.push(`  renamed: ${n.path === '' ? 'service' : n.path} ${n.name}, deployed as ${n.renamedFrom} (renamedFrom stays while it exists)`);
      if (r.retired !== undefined)
        lines.push(`  retired (its workflow tears it down; delete it once that has finished in staging and production): ${r.retired}`);
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/** Markdown, for pull-request comments and job summaries; spec text is escaped. */
export function reportMarkdown(reports: readonly ServiceReport[]): string {
  const cell = (text: string): string => text.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
  const out = [
    '# Golden-path report',
    '',
    '| Service | Owner | Tier | Kind | Production | Overrides | Departures |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of reports) {
    const production = r.environments.find((e) => e.name === 'production')!;
    out.push(
      `| ${cell(r.name)} | ${cell(r.owner)} | ${cell(r.tier)} | ${r.kind} | ${production.replicas} replicas, ${cell(production.release)} | ${r.overrides.length} | ${r.departures.length} |`,
    );
  }
  for (const r of reports) {
    if (
      r.overrides.length === 0 &&
      r.departures.length === 0 &&
      r.waivers.length === 0 &&
      r.dataLoss.length === 0 &&
      r.renames.length === 0 &&
      r.egress.length === 0 &&
      r.retired === undefined
    )
      continue;
    out.push('', `## ${cell(r.name)}`, '');
    for (const o of r.overrides) out.push(`- Override of ${o.target} \`${o.object.replace(/`/g, "'")}\` in ${o.environments.join(', ')}: ${cell(o.reason)}`);
    for (const d of r.departures)
      out.push(`- \`${d.path}\` is ${cell(JSON.stringify(d.value))} instead of the ${d.of} value ${cell(JSON.stringify(d.default))}`);
    for (const e of r.egress) out.push(`- Egress leaves the cluster to ${cell(e.destination)} port ${e.port} (${cell(e.enforced)})`);
    for (const w of r.waivers) out.push(`- The platform waives the policy rule ${cell(w.rule)}: ${cell(w.reason)}`);
    for (const d of r.dataLoss) out.push(`- Data loss acknowledged for \`${d.resource}\`, unprotected until the entry is removed: ${cell(d.reason)}`);
    for (const n of r.renames)
      out.push(
        `- ${n.path === '' ? 'The service' : `\`${n.path}\``} ${cell(n.name)} is deployed as ${cell(n.renamedFrom)} (renamedFrom stays while it exists)`,
      );
    if (r.retired !== undefined)
      out.push(`- Retired: its workflow tears it down in staging, then in production; delete it once that has finished: ${cell(r.retired)}`);
  }
  return `${out.join('\n')}\n`;
}

/** A platform resource type's entries, `<name> (<input> <value>, ...)`, and whether previews run without them. */
function typedResources(service: ResolvedService, project: ResolvedProject): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const r of service.resources.typed) {
    const inputs = Object.entries(r.inputs).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
    const notes = [...inputs, ...(project.platform.resourceTypes[r.type]!.standIn ? [] : ['no preview stand-in'])];
    (lists[r.type] ??= []).push(notes.length > 0 ? `${r.name} (${notes.join(', ')})` : r.name);
  }
  return lists;
}
