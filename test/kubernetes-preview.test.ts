import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { toYaml } from '../emitters/shared/serialize.js';
import { compileDir, FIXTURES, scratchCopy } from './helpers.js';

/**
 * The preview base renders with kubectl's built-in kustomize, and CI's overlay
 * (the one the README documents) moves it to a pull request's namespace, image
 * and host, leaving no placeholder behind.
 */

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());

/** Writes a fixture's planned tree into the scratch directory and returns the root. */
function planted(name: string): string {
  const root = join(scratch.dir, name);
  for (const file of compileDir(join(FIXTURES, name)).files) {
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
  readonly image: string;
  readonly domain: string;
  readonly pr: number;
  readonly tag: string;
  readonly digest: string;
  readonly ingress: boolean;
}

/** CI's overlay, exactly as the README describes it; kustomize accepts only a relative path to the base. */
function overlay(pr: PullRequest, base: string): Record<string, unknown> {
  const host = `${pr.service}-pr-${pr.pr}.${pr.domain}`;
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [base],
    namespace: `${pr.service}-pr-${pr.pr}`,
    images: [{ name: pr.image, newTag: pr.tag, digest: pr.digest }],
    ...(pr.ingress
      ? {
          patches: [
            {
              target: { kind: 'Ingress', name: pr.service },
              patch: JSON.stringify([
                { op: 'replace', path: '/spec/rules/0/host', value: host },
                { op: 'replace', path: '/spec/tls/0/hosts/0', value: host },
              ]),
            },
          ],
        }
      : {}),
  };
}

const cases: PullRequest[] = [
  { service: 'checkout', image: 'ghcr.io/acme-example/checkout', domain: 'acme.example.net', pr: 42, tag: 'c0ffee0000000000000000000000000000000001', digest: `sha256:${'ab'.repeat(32)}`, ingress: true },
  { service: 'ledger', image: 'ghcr.io/acme-example/ledger', domain: 'acme.example.net', pr: 7, tag: 'c0ffee0000000000000000000000000000000002', digest: `sha256:${'cd'.repeat(32)}`, ingress: false },
];

describe('the preview base', () => {
  const root = planted('full');

  it.each(cases)('$service renders with kubectl kustomize as it is', ({ service }) => {
    const objects = kustomize(join(root, 'generated', service, 'kubernetes', 'preview'));
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.every((o) => o.metadata.namespace === `${service}-pr-0` || (o.kind === 'Namespace' && o.metadata.name === `${service}-pr-0`))).toBe(true);
  });

  it.each(cases)("$service moves to a pull request's namespace, image and host with CI's overlay", (pr) => {
    const dir = join(scratch.dir, 'overlays', pr.service);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kustomization.yaml'), toYaml(overlay(pr, relative(dir, join(root, 'generated', pr.service, 'kubernetes', 'preview')))));
    const objects = kustomize(dir);
    const namespace = `${pr.service}-pr-${pr.pr}`;
    expect(objects.filter((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace) !== namespace).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toContain('pr-0');
    expect(text).not.toContain('set-by-ci');
    const app = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === pr.service)!;
    expect(app.spec.template.spec.containers[0].image).toBe(`${pr.image}:${pr.tag}@${pr.digest}`);
    // Stand-ins keep their pinned images.
    const standIns = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== pr.service);
    expect(standIns.length).toBeGreaterThan(0);
    expect(standIns.every((o) => !o.spec.template.spec.containers[0].image.startsWith(pr.image))).toBe(true);
    const ingress = objects.find((o) => o.kind === 'Ingress');
    if (pr.ingress) {
      const host = `${pr.service}-pr-${pr.pr}.${pr.domain}`;
      expect(ingress!.spec.rules.map((r: any) => r.host)).toEqual([host]);
      expect(ingress!.spec.tls[0].hosts).toEqual([host]);
    } else {
      expect(ingress).toBeUndefined();
    }
  });

  it('lists every file of its directory in kustomization.yaml, and only those', () => {
    const result = compileDir(join(FIXTURES, 'full'));
    const dir = 'generated/checkout/kubernetes/preview';
    const files = result.files.filter((f) => f.path.startsWith(`${dir}/`) && !f.path.endsWith('/kustomization.yaml')).map((f) => f.path.slice(dir.length + 1));
    const kustomization = parseAllDocuments(result.files.find((f) => f.path === `${dir}/kustomization.yaml`)!.contents)[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources).toEqual(files.sort());
  });
});
