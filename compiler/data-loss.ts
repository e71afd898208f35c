import { isStateful, lossReason, resourceEntry, subscriptionEntries, WHOLE_SERVICE } from '../emitters/shared/data-loss.js';
import { toPlain, type Block, type BodyItem } from '../emitters/shared/hcl.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { GeneratedFile } from '../spec/emitter.js';
import type { OutputDirectories, ResolvedProject, ResolvedService } from '../spec/model.js';
import { specPath } from '../spec/pointer.js';
import { PLATFORM_FOLDER } from '../spec/naming.js';
import { showString } from '../spec/text.js';
import { PLATFORM_FILE } from './source.js';
import { plainBody, type Plain } from './policy/view.js';
import { kubernetesDataLoss } from './kubernetes-data-loss.js';
import { forcingAttributes, roots, terraformChanges } from './terraform-changes.js';

/**
 * `paved check --base`: what a change would destroy or replace that holds data,
 * and whether the specs acknowledge it in a reviewed `dataLoss:` line. Pure:
 * both revisions come compiled with their values (compile with keepValues).
 */
export interface CompiledRevision {
  readonly files: readonly GeneratedFile[];
  readonly project: ResolvedProject;
}

export interface DataLoss {
  /** The service, or `_platform` (PLATFORM_FOLDER) for the platform's own root. */
  readonly service: string;
  /**
   * The service.yaml entry (`databases.orders`), `service` for what belongs to
   * the service as a whole (its KMS key), or `retired` for everything the
   * teardown workflow of a service retired by this change will destroy.
   */
  readonly resource: string;
  /**
   * `update`: the inputs of a stateful platform resource type's module change.
   * paved cannot tell whether the platform's module then replaces what it
   * holds, so the check says so, as a warning. `shorten`: an in-place update
   * lowers how long the resource keeps data (retention.ts), a warning too.
   */
  readonly action: 'destroy' | 'replace' | 'update' | 'shorten';
  /** Terraform addresses, sorted. */
  readonly addresses: readonly string[];
  readonly environments: readonly ('staging' | 'production')[];
  /**
   * For a replacement: the attributes that force it; for an update, the module's inputs that change; for a
   * shortening, each setting with its old and new value and what the cloud deletes.
   */
  readonly forcedBy: readonly string[];
  /** Of forcedBy: those the provider's table does not cover (an attribute an override added), taken for a replacement all the same. */
  readonly unproven: readonly string[];
  /** The whole service is gone from the head revision. */
  readonly serviceRemoved: boolean;
  /**
   * Environments where AWS would refuse the destroy as the base configured the
   * resource (refusesDeletion): the removal then needs two steps.
   */
  readonly deletionProtected: readonly ('staging' | 'production')[];
  /** The reviewed reason, when the head's dataLoss or retired entry acknowledges it, or for a removed service the base's retired entry. */
  readonly acknowledged?: string;
}

/** Every stateful destroy or replacement between the two revisions, one per service entry and action. */
export function dataLosses(base: CompiledRevision, head: CompiledRevision): DataLoss[] {
  // A state lives under its backend key, not its folder: a moved output folder moves no resource.
  const baseFiles = atOutputDir(base.files, base.project.output.dir, head.project.output.dir);
  const baseServices = new Map(base.project.services.map((s) => [s.name, s]));
  const headServices = new Map(head.project.services.map((s) => [s.name, s]));
  const subscriptions = subscriptionEntries([...base.project.services, ...head.project.services].flatMap((s) => s.resources.subscriptions));
  const bodies = { base: resourceBodies(baseFiles), head: resourceBodies(head.files) };
  const baseRoots = roots(baseFiles);
  // A bucket's lifecycle configuration names no entry itself: it belongs to the bucket its first attribute reads.
  const entryOf = (root: string, body: readonly BodyItem[]): string => {
    const own = resourceEntry(body, subscriptions);
    if (own !== undefined) return own;
    const first = body[0];
    const value = first?.kind === 'attribute' ? toPlain(first.value) : undefined;
    const read = typeof value === 'string' ? /^\$\{([a-z0-9_]+\.[^.{}]+)\.[a-z_]+\}$/.exec(value) : null;
    const target = read ? bodies.head.get(`${root}\u0000${read[1]}`) : undefined;
    return (target && resourceEntry(target, subscriptions)) ?? WHOLE_SERVICE;
  };
  const found = new Map<
    string,
    {
      loss: Omit<DataLoss, 'addresses' | 'environments' | 'forcedBy' | 'unproven' | 'deletionProtected'>;
      addresses: Set<string>;
      environments: Set<'staging' | 'production'>;
      forcedBy: Set<string>;
      unproven: Set<string>;
      deletionProtected: Set<'staging' | 'production'>;
    }
  >();
  const record = (service: string, resource: string, action: DataLoss['action'], address: string, environment: 'staging' | 'production' | undefined) => {
    const now = headServices.get(service);
    const platform = service === PLATFORM_FOLDER;
    // A removed service has no spec to say anything: only its last one, retired, can (its teardown workflow destroyed what it held).
    const acknowledged = now ? lossReason(now, resource) : baseServices.get(service)?.retired?.reason;
    const key = `${service}\u0000${resource}\u0000${action}`;
    let entry = found.get(key);
    if (!entry) {
      entry = {
        loss: { service, resource, action, serviceRemoved: now === undefined && !platform, ...(acknowledged === undefined ? {} : { acknowledged }) },
        addresses: new Set(),
        environments: new Set(),
        forcedBy: new Set(),
        unproven: new Set(),
        deletionProtected: new Set(),
      };
      found.set(key, entry);
    }
    entry.addresses.add(address);
    if (environment !== undefined) entry.environments.add(environment);
    return entry;
  };
  for (const change of terraformChanges(baseFiles, head.files)) {
    const service = serviceOfRoot(change.root, head.project.output);
    if (service === undefined) continue;
    const body = (change.action === 'destroy' ? bodies.base : bodies.head).get(`${change.root}\u0000${change.address}`) ?? [];
    // A platform resource type's module holds what the platform says is stateful: its removal destroys it all.
    const module = change.type === 'module' ? statefulModule(body, (change.action === 'destroy' ? base : head).project) : undefined;
    if (module !== undefined && (change.action === 'destroy' || change.action === 'update')) {
      const entry = record(service, module, change.action, change.address, change.environment);
      if (change.action === 'update') change.attributes.forEach((a) => entry.forcedBy.add(a));
      continue;
    }
    if (change.shortened !== undefined) {
      const entry = record(service, entryOf(change.root, body), 'shorten', change.address, change.environment);
      change.shortened.forEach((s) => entry.forcedBy.add(`${s.setting} from ${s.from} to ${s.to}: ${s.deletes}`));
      continue;
    }
    if (!change.stateful || (change.action !== 'destroy' && change.action !== 'replace')) continue;
    const entry = record(service, resourceEntry(body, subscriptions) ?? WHOLE_SERVICE, change.action, change.address, change.environment);
    if (change.action === 'replace') forcingAttributes(change).forEach((a) => entry.forcedBy.add(a));
    if (change.action === 'replace') (change.unproven ?? []).forEach((a) => entry.unproven.add(a));
    if (change.action === 'destroy' && refusesDeletion(change.type, body, baseRoots.get(change.root)?.tfvars.get(change.environment)))
      entry.deletionProtected.add(change.environment);
  }
  // Kubernetes objects whose deletion loses data (a namespace, a volume claim, a cascading Application) follow the same rule.
  for (const deletion of kubernetesDataLoss(baseFiles, head.files)) {
    const service = serviceOfManifest(deletion.path, head.project.output);
    if (service === undefined || deletion.environment === 'preview') continue;
    record(service, KUBERNETES_OBJECTS, 'destroy', `${deletion.kind}/${deletion.name}`, deletion.environment);
  }
  // Retiring a service moves no address, but its teardown workflow destroys every stateful resource of its stacks: said in the change that retires it.
  for (const key of bodies.head.keys()) {
    const [root, address] = key.split('\u0000') as [string, string];
    const service = serviceOfRoot(root, head.project.output);
    const now = service === undefined ? undefined : headServices.get(service);
    const before = service === undefined ? undefined : baseServices.get(service);
    if (now?.retired === undefined || before === undefined || before.retired !== undefined || !isStateful(address.slice(0, address.indexOf('.')))) continue;
    for (const environment of ['staging', 'production'] as const) record(now.name, RETIRED, 'destroy', address, environment);
  }
  return [...found.values()].map(({ loss, addresses, environments, forcedBy, unproven, deletionProtected }) => ({
    ...loss,
    deletionProtected: (['staging', 'production'] as const).filter((e) => deletionProtected.has(e)),
    addresses: [...addresses].sort(),
    environments: (['staging', 'production'] as const).filter((e) => environments.has(e)),
    forcedBy: [...forcedBy].sort(),
    unproven: [...unproven].sort(),
  }));
}

/** `<type>.<name>` of a module call of a platform resource type the project marks stateful, from the tags paved gives it; else undefined. */
function statefulModule(body: readonly BodyItem[], project: ResolvedProject): string | undefined {
  const tags = plainBody(body).tags as Plain | undefined;
  const type = tags?.['resource-type'];
  const name = tags?.resource;
  if (typeof type !== 'string' || typeof name !== 'string') return undefined;
  return project.platform.resourceTypes[type]?.stateful === true ? `${type}.${name}` : undefined;
}

/** The files as if written under the head's output folder. */
export function atOutputDir(files: readonly GeneratedFile[], from: string, to: string): readonly GeneratedFile[] {
  return from === to ? files : files.map((f) => (f.path.startsWith(`${from}/`) ? { ...f, path: `${to}${f.path.slice(from.length)}` } : f));
}

/** What `paved check --base` calls what the teardown of a service retired by the change destroys. */
const RETIRED = 'retired';

/** What `paved check --base` calls a service's data-losing Kubernetes objects; acknowledged only with `service`. */
const KUBERNETES_OBJECTS = 'kubernetes';

/** `<out>/<service>/kubernetes/...` and `<out>/argocd/<service>-<env>.yaml` belong to the service; the platform layer's to none. */
function serviceOfManifest(path: string, output: OutputDirectories): string | undefined {
  const own = new RegExp(`^${escapeRegExp(output.dir)}/([^/]+)/kubernetes/`).exec(path);
  if (own) return own[1] === PLATFORM_FOLDER ? undefined : own[1];
  return new RegExp(`^${escapeRegExp(output.dir)}/argocd/(.+)-(?:staging|production)\\.yaml$`).exec(path)?.[1];
}

/** `generated/<service>/terraform` and its `subscriptions` root belong to the service; the platform's roots to none. */
function serviceOfRoot(root: string, output: OutputDirectories): string | undefined {
  const match = new RegExp(`^${escapeRegExp(output.dir)}/([^/]+)/terraform(?:/subscriptions)?$`).exec(root);
  return match ? match[1] : undefined;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether AWS would refuse to delete the resource as the base configured it: a
 * database with deletion protection (its variable read from the environment's
 * tfvars), a bucket without force_destroy (S3 keeps a bucket that holds objects).
 */
function refusesDeletion(type: string, body: readonly BodyItem[], values: Plain | undefined): boolean {
  const plain = plainBody(body);
  if (type === 'aws_s3_bucket') return plain.force_destroy !== true;
  if (type !== 'aws_db_instance') return false;
  return plain.deletion_protection === true || (plain.deletion_protection === '${var.deletion_protection}' && values?.deletion_protection === true);
}

/** Resource blocks by root folder and address. */
function resourceBodies(files: readonly GeneratedFile[]): Map<string, readonly BodyItem[]> {
  const bodies = new Map<string, readonly BodyItem[]>();
  for (const file of files) {
    if (!file.path.endsWith('.tf') || !Array.isArray(file.value)) continue;
    const root = file.path.slice(0, file.path.lastIndexOf('/'));
    for (const item of file.value as readonly BodyItem[]) {
      if (item.kind === 'block' && item.type === 'resource') bodies.set(`${root}\u0000${item.labels[0]}.${item.labels[1]}`, (item as Block).body);
      else if (item.kind === 'block' && item.type === 'module') bodies.set(`${root}\u0000module.${item.labels[0]}`, (item as Block).body);
    }
  }
  return bodies;
}

const KIND: Readonly<Record<string, string>> = {
  databases: 'database',
  caches: 'cache',
  topics: 'topic',
  buckets: 'bucket',
  secrets: 'secret',
  subscriptions: 'subscription queue',
};

/** What a person calls the resource: `database "orders"`, `subscription queue "checkout.order-placed"`. */
function describe(loss: DataLoss): string {
  if (loss.resource === WHOLE_SERVICE) return `the ${loss.addresses.join(', ')} of service ${showString(loss.service)}`;
  if (loss.resource === KUBERNETES_OBJECTS) return `the Kubernetes objects ${loss.addresses.join(', ')} of service ${showString(loss.service)}`;
  const [list, ...name] = loss.resource.split('.');
  return `${KIND[list!] ?? list} ${showString(name.join('.'))} of service ${showString(loss.service)}`;
}

const inEnvironments = (loss: DataLoss): string => loss.environments.join(' and ');

/** What a removed service leaves behind: Terraform resources (`type.name`) and Kubernetes objects (`Kind/name`). */
function removedParts(loss: DataLoss): string[] {
  const resources = loss.addresses.filter((a) => !a.includes('/'));
  const objects = loss.addresses.filter((a) => a.includes('/'));
  return [
    ...(resources.length > 0
      ? [
          `its Terraform stacks in ${inEnvironments(loss)} hold ${resources.join(', ')}, which no workflow would apply or destroy again: orphaned with their data, they keep billing`,
        ]
      : []),
    ...(objects.length > 0 ? [`its Kubernetes objects ${objects.join(', ')} hold data too`] : []),
  ];
}

/** Where a diagnostic points in the head service.yaml: the entry when it is still declared, else its list. */
function entryPointer(loss: DataLoss, service: ResolvedService | undefined): string {
  if (loss.resource === WHOLE_SERVICE || service === undefined) return '';
  const list = loss.resource.split('.')[0]!;
  return declaredEntry(service, loss.resource) ?? (list === 'secrets' ? '/secrets' : `/resources/${list}`);
}

/**
 * The pointer of the service.yaml entry a `dataLoss:` resource names (`databases.orders` →
 * `/resources/databases/0`, `secrets.API_KEY` → `/secrets/1`, `<type>.<name>`), when the service still declares it.
 */
export function declaredEntry(service: ResolvedService, resource: string): string | undefined {
  const [list, ...rest] = resource.split('.');
  const name = rest.join('.');
  if (list === 'secrets') {
    const index = service.secrets.indexOf(name);
    return index >= 0 ? `/secrets/${index}` : undefined;
  }
  // A platform resource type's entries are resources.<type>, resolved into resources.typed in spec order.
  const builtIn = Object.hasOwn(KIND, list!);
  const entries = (
    builtIn
      ? service.resources[list as 'databases' | 'caches' | 'topics' | 'buckets' | 'subscriptions']
      : service.resources.typed.filter((e) => e.type === list)
  ) as ReadonlyArray<{
    readonly name?: string;
    readonly from?: string;
    readonly topic?: string;
  }>;
  const index = entries.findIndex((e) => (list === 'subscriptions' ? `${e.from}.${e.topic}` : e.name) === name);
  return index >= 0 ? `/resources/${list}/${index}` : undefined;
}

/**
 * One diagnostic per loss: an error unless acknowledged, else a warning that
 * repeats the reviewed reason, so the check's output says what will go; and a
 * warning where AWS would refuse the destroy.
 * Positioned by pointer in the head's service.yaml (the base's, for a removed service).
 */
export function dataLossDiagnostics(losses: readonly DataLoss[], head: ResolvedProject, base: ResolvedProject): Diagnostic[] {
  const services = new Map(head.services.map((s) => [s.name, s]));
  const removed = new Map(base.services.map((s) => [s.name, s]));
  // A removed service is one finding, whatever it held.
  const removedOnce = new Set<string>();
  const merged = losses.flatMap((loss): DataLoss[] => {
    if (!loss.serviceRemoved) return [loss];
    if (removedOnce.has(loss.service)) return [];
    removedOnce.add(loss.service);
    const all = losses.filter((l) => l.serviceRemoved && l.service === loss.service);
    const environments = new Set(all.flatMap((l) => l.environments));
    return [
      {
        ...loss,
        addresses: [...new Set(all.flatMap((l) => l.addresses))].sort(),
        environments: (['staging', 'production'] as const).filter((e) => environments.has(e)),
      },
    ];
  });
  // A retired service whose stacks held nothing stateful loses nothing here, and is still said to go.
  const quietlyRemoved = base.services
    .filter((s) => s.retired !== undefined && !services.has(s.name) && !removedOnce.has(s.name))
    .map((s) => retiredRemoval(s, []));
  return [...merged.flatMap((loss): Diagnostic[] => [lossDiagnostic(loss), ...refusalDiagnostic(loss)]), ...quietlyRemoved];

  /** A service removed after its retirement: fine once its teardown has run everywhere, which only its workflow's runs can tell. */
  function retiredRemoval(spec: ResolvedService, addresses: readonly string[]): Diagnostic {
    const held = addresses.length > 0 ? `, or what its stacks held (${addresses.join(', ')}) stays behind with nothing to destroy it` : '';
    return {
      code: 'CHECK.DATA_LOSS_ACKNOWLEDGED',
      severity: 'warning',
      file: spec.specPath,
      message: `service ${showString(spec.name)} is removed after being retired (${spec.retired!.reason}): its teardown workflow must have finished in staging and in production${held}`,
      hint: `check that the last run of paved-${spec.name}.yml on main succeeded in both environments before merging; if it did not, keep the service until it has`,
    };
  }

  function lossDiagnostic(loss: DataLoss): Diagnostic {
    const service = services.get(loss.service);
    const what = describe(loss);
    const addresses = loss.addresses.join(', ');
    if (loss.action === 'shorten') {
      // Whatever a dataLoss line says: it acknowledges a destroy, and lifts the protection against one, which this is not.
      const platform = loss.service === PLATFORM_FOLDER;
      const pointer = platform ? undefined : entryPointer(loss, service);
      return {
        code: 'CHECK.RETENTION_SHORTENED',
        severity: 'warning',
        file: platform ? PLATFORM_FILE : service!.specPath,
        ...(pointer === undefined ? {} : { pointer }),
        message: `${pointer ? `${specPath(pointer)}: ` : ''}the change shortens how long ${platform ? `the platform's ${addresses}` : `${what} (${addresses})`} keeps data in ${inEnvironments(loss)}: ${loss.forcedBy.join('; ')}`,
        hint: "what is older than the new setting is deleted at the apply and cannot be recovered: unless that is intended, keep the setting as it was (an override, the spec or platform.yaml lowers it), and read this pull request's plan before merging",
      };
    }
    if (loss.service === PLATFORM_FOLDER) {
      // The platform's own stateful resources (the state bucket) carry prevent_destroy, so such an apply stops at its plan; said here, early.
      return {
        code: 'CHECK.PLATFORM_DATA_LOSS',
        severity: 'warning',
        file: PLATFORM_FILE,
        message: `${loss.action === 'destroy' ? 'Terraform would destroy' : `a change to ${loss.forcedBy.join(', ')} forces Terraform to replace`} the platform's ${addresses} in ${inEnvironments(loss)}`,
        hint: 'the platform root protects these with prevent_destroy, so its plan stops there: keep what forces it, or move the state by hand (terraform state mv / import) before applying',
      };
    }
    if (loss.serviceRemoved) {
      const spec = removed.get(loss.service)!;
      if (spec.retired !== undefined) return retiredRemoval(spec, loss.addresses);
      return {
        code: 'CHECK.SERVICE_REMOVED',
        severity: 'error',
        file: spec.specPath,
        message: `service ${showString(loss.service)} is removed without being retired: ${removedParts(loss).join('; ')}`,
        hint: `retire it first: add retired: { reason: "<why, and where its data went>" } to ${spec.specPath} and merge that; its workflow then takes it off the deploy branches and destroys its stacks in staging, then in production once approved. Delete the service once that has finished in both (docs/day-2.md, Retiring a service). If it was renamed instead, say renamedFrom: ${loss.service} at the top of its new service.yaml`,
      };
    }
    if (loss.resource === RETIRED) {
      return {
        code: 'CHECK.DATA_LOSS_ACKNOWLEDGED',
        severity: 'warning',
        file: service!.specPath,
        pointer: '/retired',
        message: `retired: service ${showString(loss.service)} is retired, so its teardown workflow destroys its Terraform stacks in staging and then, once approved, in production, with ${addresses}, as acknowledged: ${loss.acknowledged}`,
        hint: 'databases and caches leave a final snapshot, buckets are emptied, queued messages are lost and secrets enter their recovery window; delete the service once the teardown has finished in both environments',
      };
    }
    const index = service!.dataLoss.findIndex((d) => d.resource === loss.resource || d.resource === WHOLE_SERVICE);
    const pointer = loss.acknowledged === undefined ? entryPointer(loss, service) : index >= 0 ? `/dataLoss/${index}` : '/retired';
    const where = pointer === '' ? '' : `${specPath(pointer)}: `;
    // The service's own KMS key goes with its last resource; the final snapshots it encrypts become unreadable once AWS deletes it.
    const happens =
      loss.action === 'destroy' && loss.resource === WHOLE_SERVICE
        ? `with its last resource gone, Terraform would also destroy ${addresses} of service ${showString(loss.service)} in ${inEnvironments(loss)}: once AWS deletes a key, the final snapshots and backups it encrypted cannot be read`
        : loss.action === 'destroy' && loss.resource === KUBERNETES_OBJECTS
          ? `Argo CD would delete ${what} in ${inEnvironments(loss)}, and with a namespace or a volume claim everything it holds`
          : loss.action === 'destroy'
            ? `${what} is no longer declared, so Terraform would destroy it in ${inEnvironments(loss)} (${addresses})`
            : loss.action === 'update'
              ? `the module of ${what} gets other inputs (${loss.forcedBy.join(', ')}) in ${inEnvironments(loss)} (${addresses}): paved cannot tell whether the platform's module then replaces what it holds`
              : loss.unproven.length > 0
                ? `a change to ${loss.forcedBy.join(', ')} may force Terraform to replace ${what} in ${inEnvironments(loss)} (${addresses}): paved's table of the provider does not say whether ${loss.unproven.join(', ')} updates in place, so it takes the change for a replacement, which destroys it and creates an empty one`
                : `a change to ${loss.forcedBy.join(', ')} forces Terraform to replace ${what} in ${inEnvironments(loss)} (${addresses}): it destroys it and creates an empty one`;
    if (loss.acknowledged !== undefined) {
      return {
        code: 'CHECK.DATA_LOSS_ACKNOWLEDGED',
        severity: 'warning',
        file: service!.specPath,
        pointer,
        message: `${where}${happens}, as acknowledged: ${loss.acknowledged}`,
      };
    }
    const acknowledge = `dataLoss: [{ resource: ${loss.resource === KUBERNETES_OBJECTS ? WHOLE_SERVICE : loss.resource}, reason: "<why losing it is fine: a backup, a migration, a ticket>" }]`;
    if (loss.action === 'update')
      return {
        code: 'CHECK.MODULE_INPUTS_CHANGED',
        severity: 'warning',
        file: service!.specPath,
        pointer,
        message: `${where}${happens}`,
        hint: `read this pull request's plan before merging: a replacement there destroys its data; if that is intended, say so in a reviewed line: ${acknowledge}`,
      };
    return {
      code: 'CHECK.DATA_LOSS',
      severity: 'error',
      file: service!.specPath,
      pointer,
      message: `${where}${happens}${loss.resource === KUBERNETES_OBJECTS ? '' : ', and its data with it'}`,
      hint:
        loss.action === 'destroy'
          ? `${loss.resource.startsWith('secrets.') || loss.resource === WHOLE_SERVICE || loss.resource === KUBERNETES_OBJECTS ? '' : 'to rename it, declare it under its new name with renamedFrom; '}if losing it is intended, say so in a reviewed line: ${acknowledge}`
          : loss.unproven.length > 0
            ? `remove the override that changes ${loss.unproven.join(', ')}, or keep it as it was; if a new, empty one is intended, say so in a reviewed line: ${acknowledge}`
            : `keep ${loss.forcedBy.join(', ') || 'it'} as it was (a platform.yaml change or a paved upgrade can change it too); if a new, empty one is intended, say so in a reviewed line: ${acknowledge}`,
    };
  }

  /** AWS refuses the destroy where the base still protects the resource: the apply would fail there, whatever the acknowledgement. */
  function refusalDiagnostic(loss: DataLoss): Diagnostic[] {
    const service = services.get(loss.service);
    if (loss.action !== 'destroy' || loss.serviceRemoved || loss.deletionProtected.length === 0 || service === undefined) return [];
    const pointer = entryPointer(loss, service);
    const refuses = loss.resource.startsWith('buckets.') ? 'refuses deletion while it holds objects' : 'has deletion protection';
    return [
      {
        code: 'CHECK.DELETION_PROTECTED',
        severity: 'warning',
        file: service.specPath,
        pointer,
        message: `${specPath(pointer)}: ${describe(loss)} still ${refuses} in ${loss.deletionProtected.join(' and ')}, so the apply that destroys it will fail there`,
        hint: `remove it in two steps: keep it declared with its dataLoss entry (paved then lifts the protection), let that reach every environment, then remove it`,
      },
    ];
  }
}
