import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadTerraformRoots, type TerraformRoot } from './terraform.js';

/**
 * One output directory, read the way a platform engineer reads it: a folder per
 * service (`<svc>/terraform/**` roots, `<svc>/kubernetes/<env>/` manifests), the
 * project-wide `_platform/` folder when there is one, and every Argo CD
 * Application wherever it lives. Unknown files are ignored, so output that grows
 * new folders still loads.
 */

/** Parsed YAML: the checks read it by field path, as the manifests are shaped by others. */
export type Json = any;

export interface KubeObject {
  /** Relative to the output directory, POSIX. */
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** As written; undefined for cluster-scoped objects and objects that take their namespace from elsewhere. */
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly body: Json;
}

/** One folder of manifests that Argo CD applies together. */
export interface ManifestFolder {
  /** Relative to the output directory. */
  readonly dir: string;
  readonly env: string;
  readonly objects: readonly KubeObject[];
}

export interface Unit {
  /** The service name, or `_platform`. */
  readonly name: string;
  readonly terraform: readonly TerraformRoot[];
  /** By environment. */
  readonly kubernetes: ReadonlyMap<string, ManifestFolder>;
}

export interface OutputTree {
  readonly dir: string;
  readonly services: readonly Unit[];
  readonly platform?: Unit;
  /** Every `argoproj.io` Application anywhere in the tree. */
  readonly applications: readonly KubeObject[];
  /** Every `argoproj.io` AppProject anywhere in the tree. */
  readonly projects: readonly KubeObject[];
}

export const PLATFORM_FOLDER = '_platform';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function directories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byName);
}

/** Every Kubernetes object of a YAML file (one or more documents); documents without kind are skipped. */
export function readObjects(outputDir: string, file: string): KubeObject[] {
  const text = readFileSync(join(outputDir, file), 'utf8');
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (Array.isArray(doc)) continue;
    const body = doc.toJS() as Json;
    if (typeof body !== 'object' || body === null || typeof body.kind !== 'string') continue;
    const items: Json[] = body.kind.endsWith('List') && Array.isArray(body.items) ? body.items : [body];
    for (const item of items) {
      objects.push({
        file,
        apiVersion: String(item.apiVersion ?? ''),
        kind: String(item.kind),
        name: String(item.metadata?.name ?? ''),
        namespace: typeof item.metadata?.namespace === 'string' ? item.metadata.namespace : undefined,
        labels: item.metadata?.labels ?? {},
        body: item,
      });
    }
  }
  return objects;
}

function yamlFiles(outputDir: string, dir: string): string[] {
  const absolute = join(outputDir, dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) return [];
  const out: string[] = [];
  for (const e of readdirSync(absolute, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name))) {
    const path = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...yamlFiles(outputDir, path));
    else if (/\.ya?ml$/.test(e.name)) out.push(path);
  }
  return out;
}

function loadUnit(outputDir: string, name: string): Unit {
  const kubernetes = new Map<string, ManifestFolder>();
  for (const env of directories(join(outputDir, name, 'kubernetes'))) {
    const dir = `${name}/kubernetes/${env}`;
    const objects = yamlFiles(outputDir, dir).flatMap((file) => readObjects(outputDir, file));
    kubernetes.set(env, { dir, env, objects });
  }
  return { name, terraform: loadTerraformRoots(outputDir, `${name}/terraform`), kubernetes };
}

export function loadOutput(outputDir: string): OutputTree {
  const services: Unit[] = [];
  let platform: Unit | undefined;
  for (const name of directories(outputDir)) {
    const hasTargets = existsSync(join(outputDir, name, 'kubernetes')) || existsSync(join(outputDir, name, 'terraform'));
    if (!hasTargets) continue;
    if (name === PLATFORM_FOLDER) platform = loadUnit(outputDir, name);
    else services.push(loadUnit(outputDir, name));
  }
  const parsed = new Map<string, KubeObject[]>();
  for (const unit of [...services, ...(platform ? [platform] : [])]) {
    for (const folder of unit.kubernetes.values()) for (const o of folder.objects) parsed.set(o.file, [...(parsed.get(o.file) ?? []), o]);
  }
  // Applications and AppProjects may live anywhere (argocd/, _platform/); files already read are not parsed again, and files that never say either are skipped.
  const argo = yamlFiles(outputDir, '')
    .flatMap((file) => {
      const known = parsed.get(file);
      if (known) return known;
      return /\b(Application|AppProject)\b/.test(readFileSync(join(outputDir, file), 'utf8')) ? readObjects(outputDir, file) : [];
    })
    .filter((o) => o.apiVersion.startsWith('argoproj.io/'));
  const applications = argo.filter((o) => o.kind === 'Application');
  const projects = argo.filter((o) => o.kind === 'AppProject');
  return { dir: outputDir, services, platform, applications, projects };
}
