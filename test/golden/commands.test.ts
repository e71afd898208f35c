import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { CASES, FIXTURES, REPO, runCli, scratchCopy } from '../support/helpers.js';

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
    expect(parsed.values.find((v) => v.path === 'environments.staging.scaling.min')).toEqual({
      path: 'environments.staging.scaling.min',
      value: 1,
      origin: {
        kind: 'environment',
        file: 'services/orders/service.yaml',
        pointer: '/environments/staging/scaling/min',
        at: 'services/orders/service.yaml:50:21',
      },
    });
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

  it('lists every egress entry with how the platform enforces it, and the jobs, in text, markdown and JSON', async () => {
    const text = await runCli(['report', join(CASES, 'full')], REPO);
    expect(text.stdout).toContain('  jobs: migrate-templates (pre-deploy), resend-receipts (manual)\n');
    expect(text.stdout).toContain(
      '  egress: api.exchangerate.example.com port 443 (not enforced by name under vpc-cni: the port is open to public addresses)\n',
    );
    expect(text.stdout).toContain('  egress: 198.51.100.0/24 port 8443 (an exact block)\n');
    const markdown = await runCli(['report', join(CASES, 'egress-cilium'), '--format', 'markdown'], REPO);
    expect(markdown.stdout).toContain('## payments\n\n- Egress leaves the cluster to api.stripe.com port 443 (enforced by name, by Cilium)\n');
    expect(markdown.stdout).toContain('- Egress leaves the cluster to \\*.braintreegateway.com port 443 (enforced by name, by Cilium)\n');
    const json = JSON.parse((await runCli(['report', join(CASES, 'egress-cilium'), '--format', 'json'], REPO)).stdout) as {
      services: Array<{ egress: unknown; jobs: unknown }>;
    };
    expect(json.services[0]!.jobs).toEqual(['migrate (pre-deploy)', 'reconcile (manual)']);
    expect(json.services[0]!.egress).toEqual([
      { destination: 'api.stripe.com', port: 443, enforced: 'enforced by name, by Cilium' },
      { destination: '*.braintreegateway.com', port: 443, enforced: 'enforced by name, by Cilium' },
      { destination: '203.0.113.0/24', port: 8443, enforced: 'an exact block' },
      { destination: '2001:db8:100:7::/64', port: 8443, enforced: 'an exact block' },
    ]);
  });

  it('lists every dataLoss acknowledgement still in place, with its reason, in text, markdown and JSON', async () => {
    const root = join(CASES, 'terraform-every-primitive');
    const text = await runCli(['report', root], REPO);
    expect(text.stdout).toContain(
      '  data loss acknowledged for databases.stock-history (unprotected until removed): History moved to the warehouse service; its final snapshot is kept (SUP-88)\n',
    );
    expect(text.stdout).toContain(
      '  data loss acknowledged for buckets.scratch-space (unprotected until removed): Scratch files only: "${nothing}" %{worth} keeping\n',
    );
    const markdown = await runCli(['report', root, '--format', 'markdown'], REPO);
    expect(markdown.stdout).toContain(
      '- Data loss acknowledged for `databases.stock-history`, unprotected until the entry is removed: History moved to the warehouse service; its final snapshot is kept (SUP-88)\n',
    );
    const json = JSON.parse((await runCli(['report', root, '--format', 'json'], REPO)).stdout) as { services: Array<{ name: string; dataLoss: unknown }> };
    expect(json.services.map((s) => [s.name, s.dataLoss])).toEqual([
      ['audit', []],
      ['courier', []],
      [
        'inventory',
        [
          { resource: 'databases.stock-history', reason: 'History moved to the warehouse service; its final snapshot is kept (SUP-88)' },
          { resource: 'buckets.scratch-space', reason: 'Scratch files only: "${nothing}" %{worth} keeping' },
        ],
      ],
    ]);
  });

  it('reports a service that sets nothing but the required keys as departing from no default', async () => {
    const run = await runCli(['report', 'examples/minimal'], REPO);
    expect(run.stdout).toContain('  departs from no default\n');
  });
});

describe('paved diff', () => {
  /** examples/shop committed to a scratch git repository, under a subfolder as in a monorepo. */
  function shopRepository(): { repo: string; root: string; cleanup: () => void } {
    const scratch = scratchCopy();
    const root = join(scratch.dir, 'platform', 'shop');
    cpSync(join(REPO, 'examples', 'shop'), root, { recursive: true, filter: (src) => !/\/(generated|\.github)(\/|$)/.test(src) });
    const git = (...args: string[]): void =>
      void execFileSync('git', ['-C', scratch.dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    return { repo: scratch.dir, root, cleanup: scratch.cleanup };
  }

  it('summarizes what a change does to the generated tree, per service and target', async () => {
    const { root, cleanup } = shopRepository();
    try {
      const edit = (path: string, from: RegExp, to: string): void => writeFileSync(join(root, path), readFileSync(join(root, path), 'utf8').replace(from, to));
      edit('services/orders/service.yaml', /^description: .*$/m, 'description: Order intake, lifecycle and refunds');
      edit('services/orders/service.yaml', /topics:\n/, 'topics:\n    - name: order-refunded\n');
      rmSync(join(root, 'services', 'notifier'), { recursive: true });
      edit('releases.yaml', /^ {2}notifier:\n.*\n/m, '');
      const run = await runCli(['diff', '--base', 'HEAD', root], REPO);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const file = join(FIXTURES, 'commands', 'diff-shop.txt');
      if (UPDATE) writeFileSync(file, run.stdout);
      expect(run.stdout).toBe(readFileSync(file, 'utf8'));
      const markdown = await runCli(['diff', '--base', 'HEAD', root, '--format', 'markdown'], REPO);
      expect(markdown.stdout).toMatch(/^### Generated files\n\n\| Service \| Target \| Added \| Changed \| Removed \|\n/);
      expect(markdown.stdout).toContain('| notifier | catalog-info | 0 | 0 | 1 |');
    } finally {
      cleanup();
    }
  });

  it('emits again, with its values, only what the change touches: a service whose key both revisions share changes nothing', async () => {
    const { root, cleanup } = shopRepository();
    const kubernetes = emitters.find((e) => e.id === 'kubernetes')!;
    const emitService = kubernetes.emitService;
    const emitted = new Map<string, number>();
    kubernetes.emitService = (service, project) => {
      emitted.set(service.name, (emitted.get(service.name) ?? 0) + 1);
      return emitService(service, project);
    };
    try {
      const path = join(root, 'services', 'orders', 'service.yaml');
      writeFileSync(path, readFileSync(path, 'utf8').replace(/topics:\n/, 'topics:\n    - name: order-refunded\n'));
      const run = await runCli(['diff', '--base', 'HEAD', root], REPO);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^orders catalog-info: 1 changed\n/);
    } finally {
      kubernetes.emitService = emitService;
      cleanup();
    }
    // The working tree whole (what it reports and plans), then in the base and in the working tree orders and
    // storefront-api, whose preview brings orders along (so its key holds orders' spec).
    expect(Object.fromEntries(emitted)).toEqual({ catalog: 1, notifier: 1, orders: 3, payments: 1, 'storefront-api': 3 });
  });

  it('says so when nothing changes, and rejects a revision git does not know', async () => {
    const { root, cleanup } = shopRepository();
    try {
      expect((await runCli(['diff', '--base', 'HEAD', root], REPO)).stdout).toBe('no change to generated files\n');
      const bad = await runCli(['diff', '--base', 'no-such-branch', root], REPO);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^paved: cannot read "no-such-branch" from git/);
    } finally {
      cleanup();
    }
  });
});
