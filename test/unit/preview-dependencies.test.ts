import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedService } from '../../spec/model.js';
import { MAX_PREVIEW_DEPENDENCIES, previewDependencies } from '../../spec/preview-dependencies.js';
import { compileDir, runCli, scratchCopy, serviceYaml, writeEmbeddedPlatform } from '../support/helpers.js';

/** Issue 21: a service's preview brings the services it depends on, transitively, into its namespace. */

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

/** A repository of the given service.yaml texts (name → extra lines of serviceYaml) on the embedded platform. */
function repo(services: Readonly<Record<string, string>>): string {
  const root = join(scratch.dir, `repo-${repos++}`);
  for (const [name, extra] of Object.entries(services)) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'service.yaml'), serviceYaml(name, extra));
  }
  writeEmbeddedPlatform(root);
  return root;
}

const files = (root: string): Map<string, string> => new Map(compileDir(root).files.map((f) => [f.path, f.contents]));
const object = (tree: Map<string, string>, path: string): Record<string, any> => {
  const text = tree.get(path);
  if (text === undefined) throw new Error(`${path} was not generated`);
  return parse(text) as Record<string, any>;
};
const dependencyFolders = (tree: Map<string, string>, service: string): string[] => {
  const prefix = `generated/${service}/kubernetes/preview/dependencies/`;
  return [...new Set([...tree.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!))].sort();
};

describe('the services a preview brings', () => {
  it('are the dependencies, transitively, each once, without the service itself: a cycle ends', () => {
    const tree = files(repo({ a: 'dependsOn: [b]\n', b: 'dependsOn: [c]\n', c: 'dependsOn: [a, d]\n', d: '', e: 'dependsOn: [a]\n' }));
    expect(dependencyFolders(tree, 'a')).toEqual(['b', 'c', 'd']);
    expect(dependencyFolders(tree, 'b')).toEqual(['a', 'c', 'd']);
    expect(dependencyFolders(tree, 'c')).toEqual(['a', 'b', 'd']);
    expect(dependencyFolders(tree, 'd')).toEqual([]);
    expect(dependencyFolders(tree, 'e')).toEqual(['a', 'b', 'c', 'd']);
    // Each dependency is a kustomize base of its own, in the previewed service's namespace, without a Namespace or an Ingress.
    const base = 'generated/a/kubernetes/preview/dependencies/c';
    expect(object(tree, `${base}/kustomization.yaml`).resources).toEqual([
      'deployment.yaml',
      'networkpolicy.yaml',
      'secret-c-localstack-credentials.yaml',
      'service.yaml',
      'serviceaccount.yaml',
      'servicemonitor.yaml',
    ]);
    expect(object(tree, `${base}/deployment.yaml`).metadata.namespace).toBe('a-pr-0');
    // Its URLs are short names, which resolve inside the preview's namespace: a is the previewed copy.
    const env = object(tree, `${base}/deployment.yaml`).spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env.filter((e) => e.name.endsWith('_URL'))).toEqual([
      { name: 'A_URL', value: 'http://a:8080' },
      { name: 'D_URL', value: 'http://d:8080' },
    ]);
    // The image staging runs, from the release repository; paved preview sets its tag and digest.
    expect(object(tree, `${base}/deployment.yaml`).spec.template.spec.containers[0].image).toBe('ghcr.io/example/c:set-by-ci');
  });

  it('are none when the service has no preview', () => {
    const tree = files(repo({ a: 'dependsOn: [b]\nenvironments:\n  preview: { enabled: false }\n', b: '' }));
    expect(dependencyFolders(tree, 'a')).toEqual([]);
    expect([...tree.keys()].some((p) => p.startsWith('generated/a/kubernetes/preview/'))).toBe(false);
  });

  it("keep their own objects apart from the service's: both with a database main and a secret API_KEY", () => {
    const resources = 'secrets: [API_KEY]\nresources:\n  databases:\n    - { name: main }\n';
    const tree = files(repo({ a: `dependsOn: [b]\n${resources}`, b: resources }));
    const own = 'generated/a/kubernetes/preview';
    const dependency = `${own}/dependencies/b`;
    expect(object(tree, `${own}/secret-database-main.yaml`).stringData.host).toBe('postgres-main');
    expect(object(tree, `${dependency}/secret-b-database-main.yaml`).stringData).toEqual({
      dbname: 'main',
      host: 'b-postgres-main',
      port: '5432',
      username: 'app',
    });
    expect(object(tree, `${dependency}/service-b-postgres-main.yaml`).spec.selector).toEqual({
      'app.kubernetes.io/component': 'postgres',
      'app.kubernetes.io/instance': 'b-postgres-main',
      'app.kubernetes.io/name': 'b',
    });
    // b reads its own: its secret from the preview store under its own name, never staging's.
    const secret = object(tree, `${dependency}/externalsecret-b-secret-api-key.yaml`);
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager-preview' });
    expect(secret.spec.data).toEqual([{ remoteRef: { key: 'b/preview/API_KEY' }, secretKey: 'API_KEY' }]);
    const env = object(tree, `${dependency}/deployment.yaml`).spec.template.spec.containers[0].env as Array<{ name: string; valueFrom?: any }>;
    const from = (name: string): string => env.find((e) => e.name === name)!.valueFrom.secretKeyRef.name;
    expect([from('API_KEY'), from('DATABASE_MAIN_HOST'), from('AWS_ACCESS_KEY_ID')]).toEqual([
      'b-secret-api-key',
      'b-database-main',
      'b-localstack-credentials',
    ]);
  });

  it('fails the compile when two objects of one preview would share a name, saying which', () => {
    const root = repo({ a: 'dependsOn: [postgres-main]\nresources:\n  databases:\n    - { name: main }\n', 'postgres-main': '' });
    const result = compileDir(root);
    const found = result.diagnostics.filter((d) => d.code === 'EMIT.PREVIEW_COLLISION').map((d) => [d.file, d.message]);
    expect(found).toEqual([
      [
        'services/a/service.yaml',
        'dependsOn: in this service\'s preview, Deployment "postgres-main" of dependency "postgres-main" and of this service would be one object in one namespace',
      ],
      [
        'services/a/service.yaml',
        'dependsOn: in this service\'s preview, NetworkPolicy "postgres-main" of dependency "postgres-main" and of this service would be one object in one namespace',
      ],
      [
        'services/a/service.yaml',
        'dependsOn: in this service\'s preview, Service "postgres-main" of dependency "postgres-main" and of this service would be one object in one namespace',
      ],
    ]);
    expect(result.files).toEqual([]);
  });

  it("fails the compile when a dependency's object name outgrows Kubernetes' 63 characters, at the dependency", () => {
    const long = `b${'x'.repeat(39)}`;
    const result = compileDir(repo({ a: `dependsOn: [${long}]\n`, [long]: 'secrets: [A_SECRET_OF_TWENTY_CHARS]\n' }));
    expect(result.diagnostics.filter((d) => d.code === 'EMIT.PREVIEW_NAME').map((d) => [d.file, d.message])).toEqual([
      [
        `services/${long}/service.yaml`,
        `name: in the previews of services depending on it, this service's ExternalSecret "${long}-secret-a-secret-of-twenty-chars" is 72 characters; the limit is 63`,
      ],
    ]);
  });
});

describe('paved preview --releases', () => {
  const root = repo({ a: 'dependsOn: [b]\n', b: 'dependsOn: [c]\n', c: '' });
  const out = (name: string): string => join(scratch.dir, 'overlays', name);
  const releases = (name: string, text: string): string => {
    const path = join(scratch.dir, `${name}.yaml`);
    writeFileSync(path, text);
    return path;
  };
  const preview = (file: string, dir: string) =>
    runCli(['preview', 'a', '--root', root, '--pr', '5', '--image', 'ghcr.io/example/preview/a:pr-5', '--out', dir, '--releases', file], root);

  it('adds each released dependency at its staging image, and leaves out, saying so, one staging never ran', async () => {
    const file = releases('some', `apiVersion: paved/v1\nkind: Releases\nservices:\n  c:\n    staging: { tag: abc123, digest: "sha256:${'e'.repeat(64)}" }\n`);
    const run = await preview(file, out('some'));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote ${join(out('some'), 'kustomization.yaml')}\nwith c at ghcr.io/example/c:abc123@sha256:${'e'.repeat(64)}\n`);
    expect(run.stderr).toBe(`paved: b has no staging release in ${file}: left out of the preview of a\n`);
  });

  it('refuses a record that is not a tag and an optional digest', async () => {
    const file = releases('bad', 'apiVersion: paved/v1\nkind: Releases\nservices:\n  b:\n    staging: { tag: "$(reboot)" }\n');
    const run = await preview(file, out('bad'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`paved: ${file}: services.b.staging is not a tag and an optional sha256 digest\n`);
  });

  it('refuses a file it cannot read', async () => {
    const missing = join(scratch.dir, 'missing.yaml');
    const run = await preview(missing, out('missing'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`paved: --releases ${missing}: no regular file of at most 1048576 bytes is there (a link, a FIFO or a folder is not read)\n`);
  });

  it('reads the file as the compile reads releases.yaml: an alias the yaml library would follow is refused', async () => {
    const file = releases('alias', 'apiVersion: paved/v1\nkind: Releases\nservices:\n  b:\n    staging: &r { tag: abc123 }\n  c:\n    staging: *r\n');
    const run = await preview(file, out('alias'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `paved: --releases ${file} does not parse as paved reads a releases.yaml (YAML 1.2 without anchors, aliases, tags or repeated keys)\n`,
    );
  });
});

describe('a preview with more dependencies than the bound', () => {
  it(`brings only the direct ones when the walk finds more than ${MAX_PREVIEW_DEPENDENCIES}`, () => {
    // A ring of 23 services: each preview would bring the 22 others.
    expect(MAX_PREVIEW_DEPENDENCIES).toBe(20);
    const names = Array.from({ length: 23 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const tree = files(repo(Object.fromEntries(names.map((name, i) => [name, `dependsOn: [${names[(i + 1) % names.length]}]\n`]))));
    expect(dependencyFolders(tree, 's00')).toEqual(['s01']);
    expect(dependencyFolders(tree, 's22')).toEqual(['s00']);
  });
});

describe('previewDependencies over the models', () => {
  // Only the fields the walk reads.
  const model = (name: string, dependsOn: readonly string[], retired = false): ResolvedService => ({ name, dependsOn, retired }) as unknown as ResolvedService;
  const namesOf = (services: readonly ResolvedService[]): string[] => services.map((s) => s.name);

  it('stops walking past the bound but keeps every direct dependency, sorted, even more of them than the bound', () => {
    // 25 direct dependencies, listed in reverse, each at the head of a chain of 10: the walk stops early, the direct ones are all visited first.
    const services: ResolvedService[] = [];
    const direct = Array.from({ length: 25 }, (_, i) => `d${String(24 - i).padStart(2, '0')}`);
    for (const d of direct) {
      const chain = Array.from({ length: 10 }, (_, j) => `${d}-${j}`);
      services.push(model(d, [chain[0]!]), ...chain.map((c, j) => model(c, j + 1 < chain.length ? [chain[j + 1]!] : [])));
    }
    const root = model('root', direct);
    services.push(root);
    expect(namesOf(previewDependencies(root, services))).toEqual([...direct].sort());
  });

  it(`brings all of exactly ${MAX_PREVIEW_DEPENDENCIES}, and only the direct one of ${MAX_PREVIEW_DEPENDENCIES + 1}; retired and unknown names are left out`, () => {
    const chain = (length: number): ResolvedService[] =>
      Array.from({ length }, (_, i) => model(`c${String(i).padStart(2, '0')}`, i + 1 < length ? [`c${String(i + 1).padStart(2, '0')}`] : ['gone', 'old']));
    const twenty = [...chain(MAX_PREVIEW_DEPENDENCIES + 1), model('old', [], true)];
    expect(namesOf(previewDependencies(twenty[0]!, twenty))).toEqual(namesOf(twenty.slice(1, MAX_PREVIEW_DEPENDENCIES + 1)));
    const more = chain(MAX_PREVIEW_DEPENDENCIES + 2);
    expect(namesOf(previewDependencies(more[0]!, more))).toEqual(['c01']);
    // The same list again: the index built for it is reused, and a map works alike.
    expect(namesOf(previewDependencies(more[0]!, new Map(more.map((s) => [s.name, s]))))).toEqual(['c01']);
  });
});
