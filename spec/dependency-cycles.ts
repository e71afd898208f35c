import type { ResolvedService } from './model.js';

/**
 * Which services depend on each other through `dependsOn`, directly or
 * transitively: the strongly connected components of the dependency graph
 * (Tarjan's algorithm, without recursion, so a ring of thousands cannot
 * overflow the stack). One pass over the whole graph, where asking each
 * service whether its dependency reaches it back walked the graph once per
 * edge. Names outside `services` are not followed.
 */
export function dependencyCycles(services: readonly ResolvedService[]): (a: string, b: string) => boolean {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const open: string[] = [];
  const onOpen = new Set<string>();
  const component = new Map<string, number>();
  let components = 0;
  for (const root of services) {
    if (order.has(root.name)) continue;
    const frames: Array<{ readonly name: string; readonly edges: readonly string[]; at: number }> = [];
    const enter = (service: ResolvedService): void => {
      order.set(service.name, order.size);
      low.set(service.name, order.get(service.name)!);
      open.push(service.name);
      onOpen.add(service.name);
      frames.push({ name: service.name, edges: service.dependsOn, at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.at < frame.edges.length) {
        const next = byName.get(frame.edges[frame.at++]!);
        if (next === undefined) continue;
        if (!order.has(next.name)) enter(next);
        else if (onOpen.has(next.name)) low.set(frame.name, Math.min(low.get(frame.name)!, order.get(next.name)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) !== order.get(frame.name)) continue;
      let member: string;
      do {
        member = open.pop()!;
        onOpen.delete(member);
        component.set(member, components);
      } while (member !== frame.name);
      components++;
    }
  }
  return (a, b) => a !== b && component.get(a) !== undefined && component.get(a) === component.get(b);
}
