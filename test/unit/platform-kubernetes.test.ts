import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompileResult } from '../../compiler/compile.js';
import { checkProjectOutput } from '../../compiler/policy/check.js';
import { yamlFile } from '../../emitters/shared/serialize.js';
import { compileDir, scratchCopy } from '../support/helpers.js';
import { kubernetesRoots } from '../support/kubernetes-helpers.js';

/**
 * The Kubernetes half of the platform layer (`<output dir>/_platform/`),
 * checked against what the other emitters generate: every expectation here is
 * computed from the generated service files, never from the functions that
 * build the platform layer.
 */

type Obj = Record<string, any>;

interface Compiled {
  readonly name: string;
  readonly result: CompileResult;
  readonly out: string;
  readonly gitopsPath: string;
  readonly files: ReadonlyMap<string, string>;
  /** Parsed YAML of every generated .yaml file. */
  readonly objects: ReadonlyMap<string, Obj>;
}

const CLOUD = ['staging', 'production'] as const;
const ENVS = ['preview', 'staging', 'production'] as const;

function compiled(name: string, result: CompileResult): Compiled {
  expect(result.diagnostics, name).toEqual([]);
  const files = new Map(result.files.map((f) => [f.path, f.contents]));
  const objects = new Map(
    [...files].filter(([path]) => path.endsWith('.yaml') && !path.endsWith('/catalog-info.yaml')).map(([path, text]) => [path, parse(text) as Obj]),
  );
  const out = result.output.dir;
  // The bootstrap Application's source path is <gitops.path>/<out>/_platform/argocd: the only place the test learns gitops.path.
  const bootstrap = objects.get(`${out}/_platform/bootstrap.yaml`);
  const gitopsPath = bootstrap ? posix.normalize(bootstrap.spec.source.path.slice(0, -`${out}/_platform/argocd`.length) || '.') : '.';
  return { name, result, out, gitopsPath, files, objects };
}

const roots = kubernetesRoots().map(({ name, root }) => compiled(name, compileDir(root)));

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

function compileRepo(files: Readonly<Record<string, string>>): CompileResult {
  const root = join(scratch.dir, `repo-${repos++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return compileDir(root);
}

const service = (name: string, extra = ''): string => `apiVersion: paved/v1
kind: Service
name: ${name}
owner: team-${name}
runtime: { language: node, port: 8080 }
${extra}`;

const TAG = '0123456789abcdef0123456789abcdef01234567';
const released = (...names: string[]): string => `apiVersion: paved/v1
kind: Releases
services:
${names.map((n) => `  ${n}:\n    staging: { tag: ${TAG} }\n    production: { tag: ${TAG} }\n`).join('')}`;

/** Services whose names end in another environment's name: the include globs must still pick each environment's files only. */
const suffixed = compiled(
  'scratch: env-suffixed names',
  compileRepo({
    'services/api-staging/service.yaml': service('api-staging', 'secrets: [TOKEN]\n'),
    'services/web-production/service.yaml': service('web-production'),
    'services/staging/service.yaml': service('staging'),
    'releases.yaml': released('api-staging', 'web-production', 'staging'),
  }),
);

const cases = [...roots, suffixed];

/** The environments' clusters, from the resolved platform (the input, not the platform layer's code). */
const clusters = (c: Compiled): Readonly<Record<(typeof ENVS)[number], string>> => c.result.project!.platform.kubernetes.clusters;
const inDirectory = (c: Compiled, directory: string): Array<[string, Obj]> => [...c.objects].filter(([path]) => posix.dirname(path) === directory);
const platformObjects = (c: Compiled, directory: string): Array<[string, Obj]> => inDirectory(c, `${c.out}/_platform/${directory}`);
const appProjectOf = (c: Compiled): Obj | undefined => c.objects.get(`${c.out}/_platform/argocd/appproject.yaml`);
/** What a directory source's path names, as a path of the compiled tree. */
const treePath = (c: Compiled, repositoryPath: string): string => (c.gitopsPath === '.' ? repositoryPath : posix.relative(c.gitopsPath, repositoryPath));
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
/** Argo CD's directory include: a glob whose only wildcard here is `*`, matched against the file name. */
const globMatches = (glob: string, file: string): boolean => {
  expect(glob).toMatch(/^[-*a-z0-9.]+$/);
  return new RegExp(`^${glob.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(file);
};

/** The service Applications the kubernetes emitter wrote into argocd/, with their objects. */
function serviceApplications(c: Compiled): Array<{ path: string; app: Obj; objects: Obj[] }> {
  return inDirectory(c, `${c.out}/argocd`).map(([path, app]) => ({ path, app, objects: inDirectory(c, treePath(c, app.spec.source.path)).map(([, o]) => o) }));
}

/**
 * Preview's generated database passwords read no store: every value comes
 * from a generator. True for one of them, after checking it is exactly that.
 */
function isGeneratedPassword(env: string, path: string, o: Obj): boolean {
  if (o.spec.secretStoreRef !== undefined) return false;
  expect(env, path).toBe('preview');
  expect(
    o.spec.dataFrom.every((d: Obj) => d.sourceRef?.generatorRef?.kind === 'Password'),
    path,
  ).toBe(true);
  return true;
}

describe('the platform layer, Kubernetes half', () => {
  it('is generated for every golden case and example with services, and for none without', () => {
    for (const c of cases) expect(platformObjects(c, 'argocd').length, c.name).toBeGreaterThan(0);
    const empty = compileRepo({ 'platform.yaml': 'apiVersion: paved/v1\nkind: Platform\n' });
    expect(empty.files.filter((f) => f.path.includes('/_platform/'))).toEqual([]);
  });

  it('its AppProject admits every service Application of every case: project, source repository, destination and every kind it syncs', () => {
    let checked = 0;
    for (const c of cases) {
      const project = appProjectOf(c)!;
      const admitted = new Set(project.spec.destinations.map((d: Obj) => `${d.name}/${d.namespace}`));
      const namespaced = new Set(project.spec.namespaceResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`));
      const clusterScoped = new Set(project.spec.clusterResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`));
      for (const { path, app, objects } of serviceApplications(c)) {
        const where = `${c.name}:${path}`;
        expect(app.spec.project, where).toBe(project.metadata.name);
        expect(project.spec.sourceRepos, where).toContain(app.spec.source.repoURL);
        expect(admitted.has(`${app.spec.destination.name}/${app.spec.destination.namespace}`), where).toBe(true);
        expect(objects.length, where).toBeGreaterThan(0);
        for (const o of objects) {
          const kind = `${groupOf(o.apiVersion)}/${o.kind}`;
          if (o.metadata.namespace === undefined) expect(clusterScoped.has(kind), `${where}: cluster-scoped ${kind}`).toBe(true);
          else {
            expect(namespaced.has(kind), `${where}: ${kind}`).toBe(true);
            expect(o.metadata.namespace, `${where}: ${kind}`).toBe(app.spec.destination.namespace);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("its AppProject admits nothing else: one repository, exactly the services' staging and production namespaces, only kinds paved emits", () => {
    const emittedNamespaced = new Set<string>();
    const emittedClusterScoped = new Set<string>();
    const whitelisted = { namespaced: new Set<string>(), cluster: new Set<string>() };
    for (const c of cases) {
      const project = appProjectOf(c)!;
      expect(project.spec.sourceRepos, c.name).toHaveLength(1);
      const expected = new Set<string>();
      for (const env of CLOUD) {
        for (const [path, o] of c.objects) {
          if (!new RegExp(`^${c.out}/[a-z][-a-z0-9]*/kubernetes/${env}/`).test(path)) continue;
          const kind = `${groupOf(o.apiVersion)}/${o.kind}`;
          if (o.metadata.namespace === undefined) emittedClusterScoped.add(kind);
          else emittedNamespaced.add(kind);
          // The cluster each environment deploys to, read from the service Applications where there are any.
          if (o.kind === 'Namespace') expected.add(`${env}/${o.metadata.name}`);
        }
      }
      const destinations = project.spec.destinations.map((d: Obj) => `${d.name}/${d.namespace}`).sort();
      // A retired service emits no Namespace, and stays a destination while Argo CD prunes what it ran.
      for (const env of CLOUD) for (const s of c.result.project!.services.filter((s) => s.retired)) expected.add(`${env}/${s.name}`);
      const wanted = [...expected].map((e) => {
        const [env, namespace] = e.split('/') as [(typeof CLOUD)[number], string];
        return `${clusters(c)[env]}/${namespace}`;
      });
      expect(destinations, c.name).toEqual([...new Set(wanted)].sort());
      expect(
        project.spec.destinations.every((d: Obj) => !String(d.namespace).includes('*')),
        c.name,
      ).toBe(true);
      for (const k of project.spec.namespaceResourceWhitelist) whitelisted.namespaced.add(`${k.group}/${k.kind}`);
      for (const k of project.spec.clusterResourceWhitelist) whitelisted.cluster.add(`${k.group}/${k.kind}`);
    }
    // Across the cases every whitelisted kind is one paved emits into a staging or production directory, and the reverse.
    expect([...whitelisted.namespaced].sort()).toEqual([...emittedNamespaced].sort());
    expect([...whitelisted.cluster].sort()).toEqual([...emittedClusterScoped].sort());
    expect([...whitelisted.cluster]).toEqual(['/Namespace']);
  });

  it("each environment's app-of-apps includes exactly that environment's service Application files", () => {
    let checked = 0;
    for (const c of cases) {
      const applicationFiles = serviceApplications(c).map(({ path, app }) => ({
        file: posix.basename(path),
        env: app.metadata.labels['paved.dev/environment'] as string,
      }));
      for (const env of CLOUD) {
        const appOfApps = c.objects.get(`${c.out}/_platform/argocd/${env}-services.yaml`);
        const mine = applicationFiles
          .filter((a) => a.env === env)
          .map((a) => a.file)
          .sort();
        if (!appOfApps) {
          expect(mine, `${c.name}: ${env} has service Applications but no app-of-apps`).toEqual([]);
          continue;
        }
        expect(treePath(c, appOfApps.spec.source.path), c.name).toBe(`${c.out}/argocd`);
        expect(appOfApps.spec.source.directory.recurse).toBe(false);
        const matched = applicationFiles
          .filter((a) => globMatches(appOfApps.spec.source.directory.include, a.file))
          .map((a) => a.file)
          .sort();
        expect(matched, `${c.name}: ${env}`).toEqual(mine);
        // Without a releases.yaml a case has the app-of-apps (a service runs there) but no service Application yet.
        if (mine.length > 0) checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    // The case that could go wrong: `api-staging-production.yaml` is production's, `web-production-staging.yaml` staging's.
    const names = serviceApplications(suffixed)
      .map(({ path }) => posix.basename(path))
      .sort();
    expect(names).toEqual([
      'api-staging-production.yaml',
      'api-staging-staging.yaml',
      'staging-production.yaml',
      'staging-staging.yaml',
      'web-production-production.yaml',
      'web-production-staging.yaml',
    ]);
  });

  it("orders the bootstrap sync: the AppProject, then each cluster's objects, then the service Applications; none in the services' project, none cascading", () => {
    for (const c of cases) {
      const bootstrap = c.objects.get(`${c.out}/_platform/bootstrap.yaml`)!;
      expect(treePath(c, bootstrap.spec.source.path), c.name).toBe(`${c.out}/_platform/argocd`);
      const children = platformObjects(c, 'argocd').map(([, o]) => o);
      const wave = (o: Obj): number => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      const project = appProjectOf(c)!;
      const clusterApps = children.filter(
        (o) => o.kind === 'Application' && o.metadata.labels['paved.dev/environment'] && treePath(c, o.spec.source.path).includes('/_platform/kubernetes/'),
      );
      const serviceApps = children.filter((o) => o.kind === 'Application' && treePath(c, o.spec.source.path) === `${c.out}/argocd`);
      expect(clusterApps.length + serviceApps.length + 1, c.name).toBe(children.length);
      for (const app of clusterApps) expect(wave(project)).toBeLessThan(wave(app));
      for (const app of serviceApps)
        for (const first of [project, ...clusterApps]) expect(wave(first), `${c.name}: ${app.metadata.name}`).toBeLessThan(wave(app));
      const serviceAppNames = new Set(serviceApplications(c).map(({ app }) => app.metadata.name));
      for (const app of [bootstrap, ...clusterApps, ...serviceApps]) {
        expect(app.spec.project, app.metadata.name).not.toBe(project.metadata.name);
        expect(app.metadata.finalizers, app.metadata.name).toBeUndefined();
        expect(serviceAppNames.has(app.metadata.name)).toBe(false);
      }
    }
  });

  it("syncs each environment's cluster objects to that environment's cluster, which its service Applications deploy to", () => {
    for (const c of cases) {
      const clusterApps = platformObjects(c, 'argocd')
        .map(([, o]) => o)
        .filter((o) => o.kind === 'Application' && treePath(c, o.spec.source.path).includes('/_platform/kubernetes/'));
      for (const env of ENVS) {
        const dir = `${c.out}/_platform/kubernetes/${env}`;
        const app = clusterApps.find((a) => treePath(c, a.spec.source.path) === dir);
        expect(app === undefined, `${c.name}: ${env}`).toBe(platformObjects(c, `kubernetes/${env}`).length === 0);
        if (!app) continue;
        for (const { app: serviceApp } of serviceApplications(c).filter(({ app: a }) => a.metadata.labels['paved.dev/environment'] === env))
          expect(app.spec.destination.name).toBe(serviceApp.spec.destination.name);
      }
    }
  });

  it('gives every ExternalSecret a ClusterSecretStore of its name on its cluster that admits its namespace, and nothing else', () => {
    let checked = 0;
    for (const c of cases) {
      const stores = ENVS.flatMap((env) => platformObjects(c, `kubernetes/${env}`).map(([, o]) => ({ env, store: o })));
      const namespaceObjects = [...c.objects].filter(([, o]) => o?.kind === 'Namespace').map(([path, o]) => ({ path, o }));
      const readers = new Map<string, Set<string>>();
      for (const [path, o] of c.objects) {
        if (o?.kind !== 'ExternalSecret') continue;
        const env = /\/kubernetes\/([a-z]+)\//.exec(path)![1]!;
        if (isGeneratedPassword(env, path, o)) continue;
        // A dependency in a preview lives in the namespace of the previewed service, whose base holds the Namespace.
        const directory = posix.dirname(path).replace(/\/preview\/dependencies\/[^/]+$/, '/preview');
        const namespace = namespaceObjects.find((n) => posix.dirname(n.path) === directory)!.o;
        // Stores of the same name on the same cluster are one object, placed with the first environment.
        const candidates = stores.filter(
          ({ env: storeEnv, store }) =>
            store.metadata.name === o.spec.secretStoreRef.name && clusters(c)[storeEnv] === clusters(c)[env as (typeof ENVS)[number]],
        );
        const admitting = candidates.filter(({ store }) => store.spec.conditions.some((cond: Obj) => admits(cond, namespace)));
        expect(admitting.length, `${c.name}:${path}`).toBeGreaterThanOrEqual(1);
        const key = `${admitting[0]!.env}/${o.spec.secretStoreRef.name}`;
        readers.set(key, new Set([...(readers.get(key) ?? []), namespace.metadata.name]));
        checked++;
      }
      for (const { env, store } of stores) {
        expect(store.spec.provider, `${c.name}: ${env}`).toEqual({ aws: { service: 'SecretsManager', region: store.spec.provider.aws.region } });
        expect(store.spec.provider.aws.auth).toBeUndefined();
        expect(readers.has(`${env}/${store.metadata.name}`), `${c.name}: the ${env} store has a reader`).toBe(true);
        // Exact namespaces in staging and production: precisely those with an ExternalSecret.
        const listed = store.spec.conditions.flatMap((cond: Obj) => cond.namespaces ?? []).sort();
        if (listed.length > 0)
          expect(listed, `${c.name}: ${env}`).toEqual([...readers.get(`${env}/${store.metadata.name}`)!].filter((n) => !n.includes('-pr-')).sort());
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('lists in secrets.yaml exactly the declared secrets the ExternalSecrets read, by environment, with how to set them', () => {
    for (const c of cases) {
      const expected: Record<string, string[]> = {};
      for (const [path, o] of c.objects) {
        if (o?.kind !== 'ExternalSecret') continue;
        const env = /\/kubernetes\/([a-z]+)\//.exec(path)![1]!;
        if (isGeneratedPassword(env, path, o)) continue;
        // A declared secret is read whole; a connection secret by property.
        // A dependency's copies in previews read the very entries its own preview does.
        for (const d of o.spec.data ?? [])
          if (d.remoteRef.property === undefined && !expected[env]?.includes(d.remoteRef.key)) (expected[env] ??= []).push(d.remoteRef.key);
      }
      const text = c.files.get(`${c.out}/_platform/secrets.yaml`);
      if (Object.keys(expected).length === 0) {
        expect(text, c.name).toBeUndefined();
        continue;
      }
      const listed = parse(text!) as { environments: Record<string, { secrets: Array<{ name: string; service: string }> }> };
      expect(Object.fromEntries(Object.entries(listed.environments).map(([env, e]) => [env, e.secrets.map((s) => s.name).sort()]))).toEqual(
        Object.fromEntries(Object.entries(expected).map(([env, keys]) => [env, keys.sort()])),
      );
      for (const e of Object.values(listed.environments)) for (const s of e.secrets) expect(s.name.startsWith(`${s.service}/`)).toBe(true);
      expect(text).toContain('aws secretsmanager put-secret-value --region ');
      expect(text).toContain('aws secretsmanager create-secret --region ');
    }
  });

  it('passes the compile-time policy, which rejects other kinds in the platform layer', () => {
    const c = roots.find((r) => r.name === 'fixtures/cases/full')!;
    const project = c.result.project!;
    const platformFiles = c.result.files.filter((f) => f.path.includes('/_platform/'));
    expect(checkProjectOutput(project, platformFiles)).toEqual([]);
    const role = yamlFile({
      path: `${c.out}/_platform/kubernetes/staging/clusterrole-x.yaml`,
      source: 'platform.yaml',
      value: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } },
    });
    const store = yamlFile({
      path: `${c.out}/_platform/argocd/clustersecretstore-x.yaml`,
      source: 'platform.yaml',
      value: { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'x' } },
    });
    const messages = checkProjectOutput(project, [...platformFiles, role, store]).map((d) => `${d.code} ${d.message}`);
    expect(messages.filter((m) => m.includes('PAVED_OUTPUT_KINDS'))).toEqual([
      `POLICY.PAVED_BUG the generated output breaks §4 paved PAVED_OUTPUT_KINDS (only the kinds paved generates for a directory, each in the service's own namespace; never RBAC): ${c.out}/_platform/kubernetes/staging/clusterrole-x.yaml: ClusterRole: paved never generates RBAC objects; ${c.out}/_platform/argocd/clustersecretstore-x.yaml: ClusterSecretStore: paved generates only AppProject and Application objects here; no override causes this, so it is a bug in paved`,
    ]);
  });

  it("emits no AppProject over Argo CD's built-in default project, and warns at gitops.project", () => {
    const result = compileRepo({
      'platform.yaml': 'apiVersion: paved/v1\nkind: Platform\ngitops:\n  project: default\n',
      'services/api/service.yaml': service('api'),
      'releases.yaml': released('api'),
    });
    expect(
      result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, hint: d.hint, file: d.file, line: d.range?.line })),
    ).toEqual([
      {
        code: 'EMIT.DEFAULT_PROJECT',
        severity: 'warning',
        message:
          'gitops.project: "default" is Argo CD\'s built-in project; paved emits no AppProject over it, so nothing limits the service Applications to their own namespaces and kinds',
        hint: 'name a project paved owns (the embedded default is "paved"): paved then generates it in _platform/argocd/appproject.yaml',
        file: 'platform.yaml',
        line: 4,
      },
    ]);
    const paths = result.files.map((f) => f.path);
    expect(paths).not.toContain('generated/_platform/argocd/appproject.yaml');
    expect(paths).toContain('generated/_platform/argocd/staging-services.yaml');
    expect(parse(result.files.find((f) => f.path === 'generated/argocd/api-staging.yaml')!.contents).spec.project).toBe('default');
  });

  it("places one store for two environments that share a cluster and a store name, admitting both's namespaces", () => {
    const result = compileRepo({
      'platform.yaml': `apiVersion: paved/v1
kind: Platform
kubernetes:
  clusters: { preview: shared-eks, staging: shared-eks, production: prd-eks }
  secretStores: { preview: aws, staging: aws, production: aws }
`,
      'services/api/service.yaml': service('api', 'secrets: [TOKEN]\n'),
    });
    expect(result.diagnostics).toEqual([]);
    const paths = result.files.map((f) => f.path).filter((p) => p.includes('/_platform/') && !p.includes('/_platform/terraform/'));
    expect(paths).toEqual([
      'generated/_platform/argocd/appproject.yaml',
      'generated/_platform/argocd/preview-platform.yaml',
      'generated/_platform/argocd/production-platform.yaml',
      'generated/_platform/argocd/production-services.yaml',
      'generated/_platform/argocd/staging-services.yaml',
      'generated/_platform/bootstrap.yaml',
      'generated/_platform/kubernetes/preview/clustersecretstore-aws.yaml',
      'generated/_platform/kubernetes/production/clustersecretstore-aws.yaml',
      'generated/_platform/secrets.yaml',
    ]);
    const store = parse(result.files.find((f) => f.path === 'generated/_platform/kubernetes/preview/clustersecretstore-aws.yaml')!.contents);
    expect(store.spec.conditions).toEqual([
      {
        namespaceSelector: {
          matchExpressions: [
            { key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] },
            { key: 'paved.dev/environment', operator: 'In', values: ['preview'] },
          ],
        },
      },
      { namespaces: ['api'] },
    ]);
  });
});

/** Whether a ClusterSecretStore condition admits a Namespace object (ESO ORs the conditions; within one, the selector's expressions AND). */
function admits(condition: Obj, namespace: Obj): boolean {
  if (condition.namespaces) return condition.namespaces.includes(namespace.metadata.name);
  const labels: Record<string, string> = namespace.metadata.labels ?? {};
  return condition.namespaceSelector.matchExpressions.every((e: Obj) => e.operator === 'In' && e.values.includes(labels[e.key]));
}
