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
    const files = result.files.filter((f) => f.path.startsWith(`${dir}/`) && !f.path.endsWith('/kustomization.yaml')).map((f) => f.path.slice(dir.length + 1));
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
