import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { caseRoot, CASES, compileDir, runCli, scratchCopy } from '../support/helpers.js';

/**
 * The preview base renders with kubectl's built-in kustomize, and CI's overlay
 * (the one the README documents) moves it to a pull request's namespace, image
 * and host, leaving no placeholder behind.
 */

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());

/** Copies a fixture's inputs into the scratch directory, writes its planned tree there and returns the root. */
function planted(name: string): string {
  const root = join(scratch.dir, name);
  cpSync(caseRoot(name), root, { recursive: true, filter: (path) => !path.includes('/expected') });
  for (const file of compileDir(caseRoot(name)).files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.contents);
  }
  return root;
}

function kustomize(dir: string): Array<Record<string, any>> {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as Record<string, any>);
}

interface PullRequest {
  readonly service: string;
  /** The production repository, which a preview must never run. */
  readonly image: string;
  /** The preview repository pull request builds are pushed to. */
  readonly previewImage: string;
  readonly domain: string;
  readonly pr: number;
  readonly tag: string;
  readonly digest: string;
  readonly ingress: boolean;
}

const cases: PullRequest[] = [
  {
    service: 'checkout',
    image: 'ghcr.io/acme-example/checkout',
    previewImage: 'ghcr.io/acme-example/preview/checkout',
    domain: 'acme.example.net',
    pr: 42,
    tag: 'c0ffee0000000000000000000000000000000001',
    digest: `sha256:${'ab'.repeat(32)}`,
    ingress: true,
  },
  {
    service: 'ledger',
    image: 'ghcr.io/acme-example/ledger',
    previewImage: 'ghcr.io/acme-example/preview/ledger',
    domain: 'acme.example.net',
    pr: 7,
    tag: 'c0ffee0000000000000000000000000000000002',
    digest: `sha256:${'cd'.repeat(32)}`,
    ingress: false,
  },
];

describe('the preview base', () => {
  const root = planted('full');

  it.each(cases)('$service renders with kubectl kustomize as it is', ({ service }) => {
    const objects = kustomize(join(root, 'generated', service, 'kubernetes', 'preview'));
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.every((o) => o.metadata.namespace === `${service}-pr-0` || (o.kind === 'Namespace' && o.metadata.name === `${service}-pr-0`))).toBe(true);
  });

  it.each(cases)("$service moves to a pull request's namespace, image and host with the overlay paved preview writes", async (pr) => {
    // Exactly what CI runs: paved preview writes the overlay, kubectl renders it.
    const dir = join(scratch.dir, 'overlays', pr.service);
    const run = await runCli(
      ['preview', pr.service, '--root', root, '--pr', String(pr.pr), '--image', `${pr.previewImage}:${pr.tag}@${pr.digest}`, '--out', dir],
      root,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toContain(
      `resources:\n  - ${relative(dir, join(root, 'generated', pr.service, 'kubernetes', 'preview'))}\n`,
    );
    const objects = kustomize(dir);
    const namespace = `${pr.service}-pr-${pr.pr}`;
    expect(
      objects.filter((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace) !== namespace).map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toContain('pr-0');
    expect(text).not.toContain('set-by-ci');
    const app = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === pr.service)!;
    expect(app.spec.template.spec.containers[0].image).toBe(`${pr.previewImage}:${pr.tag}@${pr.digest}`);
    // Nothing in the preview names the production repository.
    expect(
      objects
        .flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image))
        .filter((image: string) => image.startsWith(`${pr.image}:`) || image.startsWith(`${pr.image}@`)),
    ).toEqual([]);
    // Stand-ins keep their pinned images.
    const standIns = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== pr.service);
    expect(standIns.length).toBeGreaterThan(0);
    expect(standIns.every((o) => !o.spec.template.spec.containers[0].image.startsWith(pr.previewImage))).toBe(true);
    const ingress = objects.find((o) => o.kind === 'Ingress');
    if (pr.ingress) {
      const host = `${pr.service}-pr-${pr.pr}.${pr.domain}`;
      expect(ingress!.spec.rules.map((r: any) => r.host)).toEqual([host]);
      expect(ingress!.spec.tls[0].hosts).toEqual([host]);
    } else {
      expect(ingress).toBeUndefined();
    }
  });

  it.each(cases)('$service: the base names only the preview repository, never the production one', ({ service, image, previewImage }) => {
    const result = compileDir(join(CASES, 'full'));
    const base = result.files.filter((f) => f.path.startsWith(`generated/${service}/kubernetes/preview/`));
    expect(base.length).toBeGreaterThan(5);
    expect(base.filter((f) => f.contents.includes(`${image}:`) || f.contents.includes(`${image}@`)).map((f) => f.path)).toEqual([]);
    expect(base.some((f) => f.contents.includes(`image: ${previewImage}:set-by-ci`))).toBe(true);
  });

  it('lists every file of its directory in kustomization.yaml, and only those', () => {
    const result = compileDir(join(CASES, 'full'));
    const dir = 'generated/checkout/kubernetes/preview';
    // The dependencies' bases are folders of their own, each with its own kustomization.yaml.
    const files = result.files
      .filter((f) => f.path.startsWith(`${dir}/`) && !f.path.startsWith(`${dir}/dependencies/`) && !f.path.endsWith('/kustomization.yaml'))
      .map((f) => f.path.slice(dir.length + 1));
    const kustomization = parseAllDocuments(result.files.find((f) => f.path === `${dir}/kustomization.yaml`)!.contents)[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources).toEqual(files.sort());
  });
});

describe('paved preview', () => {
  const root = join(CASES, 'full');

  it.each([
    [
      ['preview', 'checkout', '--pr', 'x', '--image', 'ghcr.io/acme-example/preview/checkout:a', '--out', 'o'],
      2,
      '--pr must be a pull request number, not "x"',
    ],
    [['preview', 'checkout', '--pr', '3', '--image', 'checkout', '--out', 'o'], 2, '--image must be <repository>:<tag>[@sha256:<digest>], not "checkout"'],
    [
      ['preview', 'checkout', '--pr', '3', '--image', 'ghcr.io/other/checkout:a', '--out', 'o'],
      2,
      '--image must be an image of ghcr.io/acme-example/preview/checkout, not of ghcr.io/other/checkout',
    ],
    // The production repository is refused too: a preview runs only what a pull request built.
    [
      ['preview', 'checkout', '--pr', '3', '--image', 'ghcr.io/acme-example/checkout:a', '--out', 'o'],
      2,
      '--image must be an image of ghcr.io/acme-example/preview/checkout, not of ghcr.io/acme-example/checkout',
    ],
    [['preview', 'mailer', '--pr', '3', '--image', 'ghcr.io/acme-example/preview/mailer:a', '--out', 'o'], 1, 'mailer has environments.preview.enabled: false'],
    [['preview', 'nope', '--pr', '3', '--image', 'ghcr.io/acme-example/nope:a', '--out', 'o'], 2, 'no service named "nope"'],
  ])('refuses %j with exit %i: %s', async (args, code, message) => {
    const run = await runCli([...args, '--root', root], root);
    expect(run.stderr).toBe(`paved: ${message}\n`);
    expect(run.code).toBe(code);
  });
});

describe('the preview of a service with dependencies', () => {
  const root = planted('sock-shop');
  /** Staging's releases.yaml as CI reads it from the deploy branch: every dependency but catalogue released, and a service the checkout no longer has. */
  const releases = join(scratch.dir, 'sock-shop-staging-releases.yaml');
  const sha = (n: number): string => `${'c0ffee'}${String(n).padStart(34, '0')}`;
  const released = ['carts', 'orders', 'payment', 'shipping', 'user'];
  writeFileSync(
    releases,
    [
      'apiVersion: paved/v1',
      'kind: Releases',
      'services:',
      ...released.map(
        (name, i) => `  ${name}:\n    staging: { tag: ${sha(i)}, digest: "sha256:${String(i).repeat(64)}" }\n    production: { tag: ${sha(90 + i)} }`,
      ),
      `  deleted-since:\n    staging: { tag: ${sha(99)} }`,
      '',
    ].join('\n'),
  );

  async function overlay(service: string, pr: number): Promise<{ objects: Array<Record<string, any>>; stderr: string; text: string }> {
    const dir = join(scratch.dir, 'overlays', `whole-${service}`);
    const run = await runCli(
      [
        'preview',
        service,
        '--root',
        root,
        '--pr',
        String(pr),
        '--image',
        `ghcr.io/socks-example/preview/${service}:pr-${pr}`,
        '--out',
        dir,
        '--releases',
        releases,
      ],
      root,
    );
    expect(run.code).toBe(0);
    return { objects: kustomize(dir), stderr: run.stderr, text: readFileSync(join(dir, 'kustomization.yaml'), 'utf8') };
  }

  /** Every `<NAME>_URL` of every container, with the Deployment or Job it is in. */
  const discoveryUrls = (objects: Array<Record<string, any>>): Array<{ owner: string; name: string; value: string }> =>
    objects.flatMap((o) =>
      [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? [])].flatMap((c: any) =>
        (c.env ?? [])
          .filter((e: any) => /^[A-Z0-9_]+_URL$/.test(e.name) && typeof e.value === 'string' && !e.name.startsWith('QUEUE_') && e.name !== 'AWS_ENDPOINT_URL')
          .map((e: any) => ({ owner: `${o.kind}/${o.metadata.name}`, name: e.name, value: e.value })),
      ),
    );

  it('renders front-end with every service it depends on, transitively, at their staging images, each with its own stand-ins', async () => {
    const { objects, stderr, text } = await overlay('front-end', 42);
    // catalogue has no staging release: left out, and said so on stderr and in the overlay.
    expect(stderr).toBe(`paved: catalogue has no staging release in ${releases}: left out of the preview of front-end\n`);
    expect(text).toContain('# Left out, with no staging release to run: catalogue.\n');
    const namespace = 'front-end-pr-42';
    expect(objects.filter((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace) !== namespace).map((o) => o.metadata.name)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([namespace]);
    // No two objects share a kind and name: kustomize would have refused them, and a rename must not slip through.
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    const images = Object.fromEntries(
      objects.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, o.spec.template.spec.containers[0].image as string]),
    );
    // Orders depends on carts, payment, shipping and user; payment back on orders (a cycle, walked once).
    expect(images).toEqual({
      'front-end': 'ghcr.io/socks-example/preview/front-end:pr-42',
      'redis-sessions': expect.stringMatching(/^docker\.io\/library\/redis:/),
      ...Object.fromEntries(released.map((name, i) => [name, `ghcr.io/socks-example/${name}:${sha(i)}@sha256:${String(i).repeat(64)}`])),
      'orders-localstack': expect.stringMatching(/^docker\.io\/localstack\/localstack:/),
      'shipping-localstack': expect.stringMatching(/^docker\.io\/localstack\/localstack:/),
      'user-postgres-accounts': 'docker.io/library/postgres:16',
    });
    expect(JSON.stringify(objects)).not.toContain('set-by-ci');
    // Each dependency's secrets come from the preview store, under its own preview entries: never staging's.
    const stores = objects.filter((o) => o.kind === 'ExternalSecret' && o.spec.secretStoreRef);
    expect(stores.length).toBeGreaterThan(0);
    for (const o of stores) {
      expect(o.spec.secretStoreRef.name).toBe('aws-secrets-manager-preview');
      for (const d of o.spec.data ?? []) expect(d.remoteRef.key).toMatch(/^[a-z-]+\/preview\//);
    }
    expect(JSON.stringify(objects)).not.toMatch(/\/staging\/|-stg-|eks\.amazonaws\.com\/role-arn/);
  });

  it.each([
    ['front-end', 42],
    ['orders', 7],
    ['payment', 8],
  ])("%s: every discovery URL and connection host names a Service of the preview's own namespace, on one of its ports", async (service, pr) => {
    const { objects } = await overlay(service, pr);
    const services = new Map(
      objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name as string, o.spec.ports.map((p: any) => p.port as number)]),
    );
    const urls = discoveryUrls(objects);
    expect(urls.length).toBeGreaterThan(2);
    for (const { owner, name, value } of urls) {
      // gRPC dependencies get `<host>:<port>`, the form gRPC clients dial; `new URL` leaves out a scheme's default port.
      const url = new URL(value.includes('://') ? value : `grpc://${value}`);
      const port = url.port === '' ? 80 : Number(url.port);
      // A short name: it resolves inside the namespace kubectl applies the overlay to.
      expect(url.hostname, `${owner} ${name}`).not.toContain('.');
      if (services.has(url.hostname)) expect(services.get(url.hostname), `${owner} ${name}`).toContain(port);
      // Only a dependency staging never released may be missing, and catalogue is the one.
      else expect(url.hostname, `${owner} ${name}`).toBe('catalogue');
    }
    for (const secret of objects.filter((o) => o.kind === 'Secret' && o.stringData?.host)) {
      expect(services.get(secret.stringData.host), `Secret/${secret.metadata.name}`).toContain(Number(secret.stringData.port));
    }
  });

  it("lets the service reach its dependencies, and them theirs, inside the namespace, and nothing reach a dependency's stand-ins but it", async () => {
    const { objects } = await overlay('orders', 7);
    const policy = (name: string): Record<string, any> => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)!;
    const peers = (rules: any[]): string[] => rules.flatMap((r: any) => (r.to ?? r.from ?? []).map((p: any) => JSON.stringify(p)));
    const pods = (name: string): string =>
      JSON.stringify({
        podSelector: {
          matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['cron', 'job', 'server'] }],
          matchLabels: { 'app.kubernetes.io/name': name },
        },
      });
    expect(peers(policy('orders').spec.egress)).toEqual(expect.arrayContaining(['carts', 'payment', 'shipping', 'user'].map(pods)));
    expect(peers(policy('payment').spec.egress)).toContain(pods('orders'));
    expect(peers(policy('payment').spec.ingress)).toContain(pods('orders'));
    expect(peers(policy('orders').spec.ingress)).toContain(pods('payment'));
    // No peer in another namespace: the preview cluster has none of the services' own.
    expect(JSON.stringify(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec))).not.toMatch(
      /"kubernetes\.io\/metadata\.name":"(carts|orders|payment|shipping|user)"/,
    );
    const database = policy('user-postgres-accounts');
    expect(database.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['cron', 'job', 'server'] }],
              matchLabels: { 'app.kubernetes.io/name': 'user' },
            },
          },
        ],
        ports: [{ port: 'postgres', protocol: 'TCP' }],
      },
    ]);
  });
});
