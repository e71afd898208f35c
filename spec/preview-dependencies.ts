import type { ResolvedService } from './model.js';
import { compareText } from './pointer.js';

/**
 * The services a service's preview brings with it: its `dependsOn`, and
 * theirs, transitively, each once, without the service itself, sorted by name.
 * `dependsOn` may form cycles (two services that call each other): the walk
 * visits each service once, so it ends. Names a service's model does not hold
 * (outside the scope an emitter sees) and retired services are left out.
 */
export function previewDependencies(service: ResolvedService, services: readonly ResolvedService[] | ReadonlyMap<string, ResolvedService>): ResolvedService[] {
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
