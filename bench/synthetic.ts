/**
 * Seeded generator of synthetic, valid repos: the benchmark's input and the
 * sameness test's hundreds of random services. Same seed, same repo.
 */
import { stringify } from 'yaml';
import type { SpecText } from '../compiler/compile.js';

/** mulberry32: small, fast and reproducible. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  /**
   * The benchmark's worst case: every service declares a database, cache, topic,
   * subscription (when there is another service to subscribe to), bucket, cron
   * job and secrets, has a port, public ingress and a dependency, and sets
   * preview, staging and production values of its own. Other services are drawn
   * at random as before, so the sameness test's seeded repos do not change.
   */
  readonly everything?: boolean;
}

const LANGUAGES = ['node', 'go', 'python', 'java', 'container'] as const;
const TIERS = ['critical', 'standard', 'experimental'] as const;
const WORDS = ['orders', 'billing', 'ledger', 'search', 'media', 'auth', 'audit', 'feeds', 'quotes', 'stock', 'users', 'events'];

export function serviceName(index: number): string {
  return `svc-${String(index).padStart(4, '0')}`;
}

/** A repo of `count` valid services (plus a platform.yaml), as spec texts. */
export function syntheticRepo(count: number, seed: number, options: SyntheticOptions = {}): SpecText[] {
  const next = random(seed);
  const chance = (p: number): boolean => options.everything === true || next() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const files: SpecText[] = [
    {
      path: 'platform.yaml',
      kind: 'platform',
      text: 'apiVersion: paved/v1\nkind: Platform\nname: synth\ndomain: synth.example.com\ncloud:\n  bucketNameSuffix: 0d5e7a31\n',
    },
  ];
  for (let i = 0; i < count; i++) {
    const name = serviceName(i);
    const worker = !options.everything && next() < 0.2;
    const tier = pick(TIERS);
    const floor = tier === 'critical' ? 3 : tier === 'standard' ? 2 : 1;
    const publisher = serviceName((i + 1) % count);
    const spec: Record<string, unknown> = {
      apiVersion: 'paved/v1',
      kind: 'Service',
      name,
      owner: `team-${pick(WORDS)}`,
      description: `Synthetic ${pick(WORDS)} service ${i}`,
      tier,
      runtime: {
        language: pick(LANGUAGES),
        ...(worker ? {} : { port: pick([8080, 8443, 9000]), protocol: next() < 0.2 ? 'grpc' : 'http' }),
        resources: { cpu: pick(['100m', '250m', '500m']), memory: pick(['128Mi', '256Mi', '512Mi']) },
        scaling: { min: floor + Math.floor(next() * 2), max: floor + 4 + Math.floor(next() * 10) },
      },
      ...(!worker && chance(0.3) ? { ingress: { public: true } } : {}),
      ...(count > 1 && chance(0.3) ? { dependsOn: [publisher] } : {}),
      env: { LOG_LEVEL: pick(['debug', 'info', 'warn']) },
      secrets: chance(0.5) ? ['API_TOKEN', 'SIGNING_KEY'] : [],
      resources: {
        databases: chance(0.4) ? [{ name: 'main', version: '16', size: pick(['small', 'medium']) }] : [],
        caches: chance(0.3) ? [{ name: 'sessions' }] : [],
        // Every service publishes `events`, so any service may subscribe to any other.
        topics: [{ name: 'events' }],
        subscriptions: count > 1 && chance(0.4) ? [{ topic: 'events', from: publisher, maxRetries: 1 + Math.floor(next() * 9) }] : [],
        buckets: chance(0.3) ? [{ name: 'files', versioned: true }] : [],
        cron: chance(0.3) ? [{ name: 'nightly', schedule: `${Math.floor(next() * 60)} 3 * * *`, command: ['node', 'job.js'] }] : [],
      },
      environments: options.everything
        ? {
            // All three environments, each differing from the service-wide values.
            preview: { enabled: true, scaling: { min: 1, max: 2 }, env: { LOG_LEVEL: 'debug' } },
            staging: { scaling: { min: 1 }, env: { LOG_LEVEL: 'info' } },
            production: { scaling: { min: floor + 1, max: floor + 20 }, resources: { cpu: '1', memory: '1Gi' }, env: { LOG_LEVEL: 'warn' } },
          }
        : { staging: { scaling: { min: 1 } }, production: { scaling: { min: floor + 1, max: floor + 20 } } },
      ...(worker
        ? {}
        : {
            observability: {
              slo: { availability: tier === 'critical' ? 99.95 : tier === 'standard' ? 99.9 : 99.5, latency: { percentile: 99, thresholdMs: 300 } },
            },
          }),
    };
    files.push({ path: `services/${name}/service.yaml`, kind: 'service', text: stringify(spec) });
  }
  return files;
}
