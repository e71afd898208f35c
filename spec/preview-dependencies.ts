import type { ResolvedService } from './model.js';
import { compareText } from './pointer.js';

/**
 * How many services a preview brings at most. Each renders into the preview
 * base of every service whose preview brings it, so a long chain costs the
 * square of its length: a preview whose dependencies, transitively, number more
 * brings only its direct dependencies (docs/targets/kubernetes.md, the whole app).
 */
export const MAX_PREVIEW_DEPENDENCIES = 20;

/**
 * The services a service's preview brings with it: its `dependsOn`, and
 * theirs, transitively, each once, without the service itself, sorted by name.
 * `dependsOn` may form cycles (two services that call each other): the walk
 * visits each service once, so it ends. Names a service's model does not hold
 * (outside the scope an emitter sees) and retired services are left out.
 */
export function previewDependencies(service: ResolvedService, services: readonly ResolvedService[] | ReadonlyMap<string, ResolvedService>): ResolvedService[] {
  // The walk stops once there are too many: in a long chain every service would otherwise walk all the others.
  const found = walk(service, services, MAX_PREVIEW_DEPENDENCIES);
  const direct = new Set(service.dependsOn);
  return (found.length <= MAX_PREVIEW_DEPENDENCIES ? found : found.filter((s) => direct.has(s.name))).sort(byServiceName);
}

/**
 * Services by name, built once per list: emitters ask for every service's
 * dependencies with the project's whole list, and indexing it on each call
 * made a compile quadratic in the number of services. `last` is what the walk
 * reads; `first` is what a search of the list finds (`serviceNamed`). They
 * differ only where two services share a name, which validation rejects.
 */
interface ServiceIndex {
  readonly first: ReadonlyMap<string, ResolvedService>;
  readonly last: ReadonlyMap<string, ResolvedService>;
}

const INDEXES = new WeakMap<readonly ResolvedService[], ServiceIndex>();

function indexOf(services: readonly ResolvedService[]): ServiceIndex {
  let index = INDEXES.get(services);
  if (index === undefined) {
    const last = new Map(services.map((s) => [s.name, s]));
    index = { first: last.size === services.length ? last : firstByName(services), last };
    INDEXES.set(services, index);
  }
  return index;
}

function firstByName(services: readonly ResolvedService[]): ReadonlyMap<string, ResolvedService> {
  const first = new Map<string, ResolvedService>();
  for (const s of services) if (!first.has(s.name)) first.set(s.name, s);
  return first;
}

function indexed(services: readonly ResolvedService[]): ReadonlyMap<string, ResolvedService> {
  return indexOf(services).last;
}

/** The first service of the list with this name, as `services.find` would find it, without searching the list on every call. */
export function serviceNamed(services: readonly ResolvedService[], name: string): ResolvedService | undefined {
  return indexOf(services).first.get(name);
}

const byServiceName = (a: ResolvedService, b: ResolvedService): number => compareText(a.name, b.name);

/**
 * The dependencies breadth-first, direct ones first; once more than `limit`
 * are found and every direct one has been visited, it stops there.
 */
function walk(service: ResolvedService, services: readonly ResolvedService[] | ReadonlyMap<string, ResolvedService>, limit: number): ResolvedService[] {
  const byName = 'get' in services ? services : indexed(services);
  const seen = new Set<string>([service.name]);
  const found: ResolvedService[] = [];
  const queue = [...service.dependsOn];
  for (let next = 0; next < queue.length; next++) {
    if (found.length > limit && next >= service.dependsOn.length) break;
    const name = queue[next]!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dependency = byName.get(name);
    if (dependency === undefined || dependency.retired) continue;
    found.push(dependency);
    queue.push(...dependency.dependsOn);
  }
  return found;
}
