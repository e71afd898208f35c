import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { quoteList, stacksFor, type CheckName, type WiringPlatform, type WiringProblem } from './context.js';
import { describe, isClusterScoped } from './kube.js';
import type { KubeObject, ManifestFolder, OutputTree, Unit } from './output.js';
import { resourceValue, showValue } from './terraform.js';
import { DEPLOY_BRANCH_PREFIX } from '../../../spec/naming.js';

/**
 * Argo CD Applications (argoproj.io/v1alpha1): `spec.source.path` is a folder of
 * the GitOps repository; with `directory.recurse: false` only its own files are
 * applied. `spec.destination.namespace` is where namespaced objects without a
 * namespace land, and an object that names another namespace is applied there,
 * so every namespaced object must name the destination. The destination cluster
 * (`name`) must be the cluster the service's Terraform binds roles in
 * (`aws_eks_pod_identity_association.cluster_name`) and the platform's cluster
 * for the environment. The Application's `spec.project`, when the output creates
 * that AppProject, must admit its destination, its repository and every kind it
 * syncs: a cluster-scoped kind only if `clusterResourceWhitelist` lists it (none
 * by default), a namespaced one if `namespaceResourceWhitelist` (when set) lists
 * it and `namespaceResourceBlacklist` does not (Argo CD docs, "Projects"). The
 * built-in `default` project admits everything.
 */

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The output folder a source path names: after the platform's gitops path when known, else the longest tail that exists. */
function resolvePath(tree: OutputTree, path: string, gitopsPath: string | undefined): string | undefined {
  const clean = path.replace(/\/+$/, '');
  if (gitopsPath !== undefined) {
    const prefix = gitopsPath.replace(/\/+$/, '');
    if (prefix === '' || prefix === '.') return isDirectory(join(tree.dir, clean)) ? clean : undefined;
    if (!clean.startsWith(`${prefix}/`)) return undefined;
    const rest = clean.slice(prefix.length + 1);
    return isDirectory(join(tree.dir, rest)) ? rest : undefined;
  }
  const segments = clean.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const rest = segments.slice(i).join('/');
    if (isDirectory(join(tree.dir, rest))) return rest;
  }
  return undefined;
}

function folderAt(tree: OutputTree, dir: string): { unit: Unit; folder: ManifestFolder } | undefined {
  for (const unit of [...tree.services, ...(tree.platform ? [tree.platform] : [])]) {
    for (const folder of unit.kubernetes.values()) if (folder.dir === dir) return { unit, folder };
  }
  return undefined;
}

function sources(app: KubeObject): { path: string; field: string; recurse: boolean; repoURL: string }[] {
  const spec = app.body.spec ?? {};
  const list = spec.source
    ? [{ s: spec.source, field: 'spec.source' }]
    : (spec.sources ?? []).map((s: unknown, i: number) => ({ s, field: `spec.sources[${i}]` }));
  return list
    .filter(({ s }: { s: { path?: unknown } }) => typeof s.path === 'string')
    .map(({ s, field }: { s: { path: string; repoURL?: string; directory?: { recurse?: boolean } }; field: string }) => ({
      path: s.path,
      field,
      recurse: s.directory?.recurse === true,
      repoURL: String(s.repoURL ?? ''),
    }));
}

export function checkApplications(tree: OutputTree, platform: WiringPlatform, followed: (check: CheckName) => void = () => {}): WiringProblem[] {
  const problems: WiringProblem[] = [];
  for (const app of tree.applications) {
    const base = { file: app.file, object: describe(app) };
    const destination = app.body.spec?.destination ?? {};
    for (const source of sources(app)) {
      followed('argocd-path');
      const dir = resolvePath(tree, source.path, platform.gitopsPath);
      // An app-of-apps over the service Applications (`<out>/argocd`) on a deploy branch: that folder exists
      // there from the environment's first service release, and on main only if a releases.yaml is committed.
      const revision = String((app.body.spec?.source as { targetRevision?: unknown } | undefined)?.targetRevision ?? '');
      if (dir === undefined && revision.startsWith(DEPLOY_BRANCH_PREFIX) && /(^|\/)argocd$/.test(source.path)) continue;
      if (dir === undefined) {
        problems.push({
          ...base,
          check: 'argocd-path',
          from: `${source.field}.path = ${JSON.stringify(source.path)}`,
          to:
            platform.gitopsPath === undefined
              ? `folders of the output ${tree.dir}: none ends the path`
              : `the output at ${platform.gitopsPath} in the GitOps repository: no such folder`,
          message: 'the Application syncs a folder the output does not have',
        });
        continue;
      }
      if (!source.recurse) {
        const nested = readdirSync(join(tree.dir, dir), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${dir}/${e.name}`);
        if (nested.length > 0) {
          problems.push({
            ...base,
            check: 'argocd-path',
            from: `${source.field}.path = ${JSON.stringify(source.path)} with directory.recurse false`,
            to: `sub-folders Argo CD will not apply: ${quoteList(nested)}`,
            message: 'the Application skips manifests in sub-folders of its path',
          });
        }
      }
      const found = folderAt(tree, dir);
      problems.push(...projectProblems(tree, app, source.repoURL, found?.folder, followed));
      if (!found) continue;
      const { unit, folder } = found;
      followed('argocd-namespace');
      const wrong = folder.objects.filter((o) => !isClusterScoped(o.kind) && o.namespace !== undefined && o.namespace !== destination.namespace);
      if (wrong.length > 0) {
        problems.push({
          ...base,
          check: 'argocd-namespace',
          from: `spec.destination.namespace = ${JSON.stringify(destination.namespace)}`,
          to: `objects in ${folder.dir} in another namespace: ${quoteList(wrong.map((o) => `${describe(o)} (${o.file})`))}`,
          message: 'the Application applies objects outside its destination namespace',
        });
      }
      const cluster: string | undefined = destination.name ?? destination.server;
      const expected = platform.clusters?.[folder.env];
      if (expected !== undefined) followed('argocd-cluster');
      if (expected !== undefined && cluster !== expected) {
        problems.push({
          ...base,
          check: 'argocd-cluster',
          from: `spec.destination.name = ${JSON.stringify(cluster)}`,
          to: `platform kubernetes.clusters.${folder.env} = ${JSON.stringify(expected)}`,
          message: 'the Application deploys to another cluster than the platform names for the environment',
        });
      }
      for (const stack of stacksFor(unit, folder.env)) {
        for (const association of stack.resources.filter((r) => r.type === 'aws_eks_pod_identity_association')) {
          followed('argocd-cluster');
          const name = resourceValue(association, 'cluster_name');
          if (name === cluster) continue;
          problems.push({
            ...base,
            check: 'argocd-cluster',
            from: `spec.destination.name = ${JSON.stringify(cluster)}`,
            to: `${association.address} cluster_name = ${showValue(name)} (${association.file}, ${stack.tfvars.path})`,
            message: 'Argo CD deploys the pods to another cluster than the one Terraform binds their role in',
          });
        }
      }
    }
  }
  return problems;
}

/** Argo CD project patterns: `*` globs (negations and regexes are left unchecked, as matching). */
function projectMatch(pattern: unknown, value: string): boolean {
  if (typeof pattern !== 'string') return false;
  if (pattern.startsWith('!')) return true;
  const source = pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`).test(value);
}

type GroupKind = { group?: unknown; kind?: unknown };
const listed = (entries: readonly GroupKind[], group: string, kind: string): boolean =>
  entries.some((e) => projectMatch(e.group ?? '', group) && projectMatch(e.kind, kind));
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '');

function projectProblems(
  tree: OutputTree,
  app: KubeObject,
  repoURL: string,
  folder: ManifestFolder | undefined,
  followed: (check: CheckName) => void,
): WiringProblem[] {
  const name = String(app.body.spec?.project ?? 'default');
  const project = tree.projects.find((p) => p.name === name);
  if (!project) {
    if (name === 'default' || tree.projects.length === 0) return []; // Argo CD's own default project, or projects the platform keeps outside the output
    followed('argocd-project');
    return [
      {
        check: 'argocd-project',
        file: app.file,
        object: describe(app),
        from: `spec.project = ${JSON.stringify(name)}`,
        to: `AppProjects in the output: ${quoteList(tree.projects.map((p) => `${p.name} (${p.file})`))}`,
        message: 'the Application names a project the output does not create',
      },
    ];
  }
  followed('argocd-project');
  const spec = project.body.spec ?? {};
  const base = { check: 'argocd-project' as const, file: app.file, object: describe(app) };
  const where = `${describe(project)} (${project.file})`;
  const problems: WiringProblem[] = [];
  const destination = app.body.spec?.destination ?? {};
  const destinations: { name?: unknown; server?: unknown; namespace?: unknown }[] = spec.destinations ?? [];
  const admitted = destinations.some(
    (d) =>
      (destination.name !== undefined ? projectMatch(d.name, String(destination.name)) : projectMatch(d.server, String(destination.server))) &&
      projectMatch(d.namespace, String(destination.namespace ?? '')),
  );
  if (!admitted) {
    problems.push({
      ...base,
      from: `spec.destination = ${destination.name !== undefined ? `name ${JSON.stringify(destination.name)}` : `server ${JSON.stringify(destination.server)}`}, namespace ${JSON.stringify(destination.namespace)}`,
      to: `${where} destinations: ${quoteList(destinations.map((d) => `${String(d.name ?? d.server)}/${String(d.namespace)}`))}`,
      message: "the project does not admit the Application's destination",
    });
  }
  const repos: unknown[] = spec.sourceRepos ?? [];
  if (!repos.some((r) => projectMatch(r, repoURL))) {
    problems.push({
      ...base,
      from: `repoURL = ${JSON.stringify(repoURL)}`,
      to: `${where} sourceRepos: ${quoteList(repos.map(String))}`,
      message: "the project does not admit the Application's repository",
    });
  }
  if (!folder) return problems;
  const clusterAllowed: GroupKind[] = spec.clusterResourceWhitelist ?? [];
  const namespacedAllowed: GroupKind[] | undefined = spec.namespaceResourceWhitelist;
  const namespacedDenied: GroupKind[] = spec.namespaceResourceBlacklist ?? [];
  const refused = new Map<string, KubeObject>();
  for (const o of folder.objects) {
    const group = groupOf(o.apiVersion);
    const ok = isClusterScoped(o.kind)
      ? listed(clusterAllowed, group, o.kind)
      : (namespacedAllowed === undefined || listed(namespacedAllowed, group, o.kind)) && !listed(namespacedDenied, group, o.kind);
    if (!ok && !refused.has(`${group}/${o.kind}`)) refused.set(`${group}/${o.kind}`, o);
  }
  if (refused.size > 0) {
    problems.push({
      ...base,
      from: `syncs ${folder.dir}: ${quoteList([...refused.values()].map((o) => `${groupOf(o.apiVersion) || 'core'}/${o.kind} (${o.file})`))}`,
      to: `${where} admits cluster-scoped ${quoteList(clusterAllowed.map((e) => `${String(e.group ?? '') || 'core'}/${String(e.kind)}`))}; namespaced ${namespacedAllowed === undefined ? 'any' : quoteList(namespacedAllowed.map((e) => `${String(e.group ?? '') || 'core'}/${String(e.kind)}`))}`,
      message: 'the project refuses kinds the Application syncs, so the sync fails',
    });
  }
  return problems;
}
