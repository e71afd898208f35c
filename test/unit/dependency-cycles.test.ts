import { describe, expect, it } from 'vitest';
import { dependencyCycles } from '../../spec/dependency-cycles.js';
import type { ResolvedService } from '../../spec/model.js';

// Only the fields the walk reads.
const model = (name: string, dependsOn: readonly string[]): ResolvedService => ({ name, dependsOn }) as unknown as ResolvedService;

/** Whether `from` reaches `to` through dependsOn, by a plain walk over the known names. */
function reaches(services: readonly ResolvedService[], from: string, to: string): boolean {
  const byName = new Map(services.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const queue = [...(byName.get(from)?.dependsOn ?? [])];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name === to) return true;
    if (seen.has(name) || !byName.has(name)) continue;
    seen.add(name);
    queue.push(...byName.get(name)!.dependsOn);
  }
  return false;
}

describe('dependencyCycles', () => {
  it('pairs the services that reach each other, and no service with itself', () => {
    const services = [model('a', ['b']), model('b', ['c', 'x']), model('c', ['a']), model('d', ['a']), model('e', ['e2']), model('e2', ['e'])];
    const cycle = dependencyCycles(services);
    expect(cycle('a', 'c')).toBe(true);
    expect(cycle('c', 'b')).toBe(true);
    expect(cycle('d', 'a')).toBe(false);
    expect(cycle('a', 'e')).toBe(false);
    expect(cycle('e2', 'e')).toBe(true);
    expect(cycle('a', 'a')).toBe(false);
    // Names outside the list (x: not running, or unknown) belong to no cycle.
    expect(cycle('x', 'b')).toBe(false);
  });

  it('agrees with a plain walk on 200 random graphs', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let graph = 0; graph < 200; graph++) {
      const count = 1 + Math.floor(next() * 12);
      const names = Array.from({ length: count }, (_, i) => `s${i}`);
      const services = names.map((name) =>
        model(
          name,
          names.filter((other) => other !== name && next() < 0.2),
        ),
      );
      const cycle = dependencyCycles(services);
      for (const a of names)
        for (const b of names)
          expect(cycle(a, b), `${a} ${b} in ${JSON.stringify(services.map((s) => [s.name, s.dependsOn]))}`).toBe(
            a !== b && reaches(services, a, b) && reaches(services, b, a),
          );
    }
  });

  it('handles a ring of 20,000 without recursion', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
    const cycle = dependencyCycles(names.map((name, i) => model(name, [names[(i + 1) % names.length]!])));
    expect(cycle('s0', 's19999')).toBe(true);
  });
});
