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
  const byName = 'get' in services ? services : new Map(services.map((s) => [s.name, s]));
  const all = transitiveDependencies(service, byName);
  if (all.length <= MAX_PREVIEW_DEPENDENCIES) return all;
  const direct = new Set(service.dependsOn);
  return all.filter((s) => direct.has(s.name));
}

export function transitiveDependencies(
  service: ResolvedService,
  services: readonly ResolvedService[] | ReadonlyMap<string, ResolvedService>,
): ResolvedService[] {
  const byName = 'get' in services ? services : new Map(services.map((s) => [s.name, s]));
  const seen = new Set<string>([service.name]);
  const found: ResolvedService[] = [];
  const queue = [...service.dependsOn];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dependency = byName.get(name);
    if (dependency === undefined || dependency.retired) continue;
    found.push(dependency);
    queue.push(...dependency.dependsOn);
  }
  return found.sort((a, b) => compareText(a.name, b.name));
}
