import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO, runCli } from './helpers.js';

/**
 * Golden output of the reporting commands, in fixtures/commands/. Like every
 * golden file they change only through `npm run fixtures:update`.
 */
const UPDATE = process.env.PAVED_UPDATE_FIXTURES === '1';

async function golden(name: string, args: readonly string[]): Promise<void> {
  const run = await runCli(args, REPO);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const file = join(FIXTURES, 'commands', name);
  if (UPDATE) writeFileSync(file, run.stdout);
  expect(existsSync(file), `missing ${file}; run npm run fixtures:update`).toBe(true);
  expect(run.stdout).toBe(readFileSync(file, 'utf8'));
}

describe('paved explain', () => {
  it('prints every resolved value of a service in one environment with its origin and position', async () => {
    await golden('explain-shop-orders-production.txt', ['explain', 'orders', '--env', 'production', '--root', 'examples/shop']);
  });

  it('names the embedded default platform, tiers and built-in defaults for a service without platform.yaml', async () => {
    await golden('explain-minimal-hello.txt', ['explain', 'hello', '--root', 'examples/minimal']);
  });

  it('prints JSON with the same origins', async () => {
    const run = await runCli(['explain', 'orders', '--env', 'staging', '--root', 'examples/shop', '--format', 'json'], REPO);
    const parsed = JSON.parse(run.stdout) as { values: Array<{ path: string; value: unknown; origin: { kind: string; at?: string } }> };
    expect(parsed.values.find((v) => v.path === 'environments.staging.scaling.min')).toEqual({ path: 'environments.staging.scaling.min', value: 1, origin: { kind: 'environment', file: 'services/orders/service.yaml', pointer: '/environments/staging/scaling/min', at: 'services/orders/service.yaml:50:21' } });
    expect(parsed.values.some((v) => v.path.startsWith('environments.production'))).toBe(false);
  });

  it('suggests a close service name and rejects an unknown environment', async () => {
    const typo = await runCli(['explain', 'order', '--root', 'examples/shop'], REPO);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe('paved: no service named "order" (did you mean "orders"?)\n');
    expect((await runCli(['explain', 'orders', '--env', 'prod', '--root', 'examples/shop'], REPO)).code).toBe(2);
  });
});

describe('paved report', () => {
  it('prints the conformance of every service as text', async () => {
    await golden('report-shop.txt', ['report', 'examples/shop']);
  });

  it('prints it as Markdown for pull requests, escaping spec text', async () => {
    await golden('report-shop.md', ['report', 'examples/shop', '--format', 'markdown']);
  });

  it('prints it as JSON with the departures from tier and default values', async () => {
    const run = await runCli(['report', 'examples/shop', '--format', 'json'], REPO);
    const parsed = JSON.parse(run.stdout) as { services: Array<{ name: string; departures: Array<{ path: string; of: string }> }> };
    expect(parsed.services.map((s) => s.name)).toEqual(['catalog', 'notifier', 'orders', 'payments', 'storefront-api']);
    const storefront = parsed.services.find((s) => s.name === 'storefront-api')!;
    expect(storefront.departures).toContainEqual({ path: 'environments.production.scaling.min', value: 4, default: 3, of: 'tier' });
  });

  it('reports a service that sets nothing but the required keys as departing from no default', async () => {
    const run = await runCli(['report', 'examples/minimal'], REPO);
    expect(run.stdout).toContain('  departs from no default\n');
  });
});
