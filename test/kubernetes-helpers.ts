import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CompileResult } from '../compiler/compile.js';
import { compileDir, FIXTURES, REPO } from './helpers.js';

/** A generated Kubernetes object with the file it came from. */
export interface GeneratedObject {
  /** `<case>:<path>`, for failure messages. */
  readonly where: string;
  readonly path: string;
  /** The environment directory (`.../kubernetes/staging`) or `argocd`: one namespace's worth of objects. */
  readonly directory: string;
  readonly contents: string;
  readonly object: KubeObject;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** Every golden case (a folder with an expected tree) and both examples: the inputs whose output the rule tests cover. */
export function kubernetesRoots(): Array<{ readonly name: string; readonly root: string }> {
  const cases = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURES, e.name, 'expected')))
    .map((e) => e.name)
    .sort();
  return [...cases.map((name) => ({ name: `fixtures/${name}`, root: join(FIXTURES, name) })), { name: 'examples/shop', root: join(REPO, 'examples/shop') }, { name: 'examples/minimal', root: join(REPO, 'examples/minimal') }];
}

let cache: GeneratedObject[] | undefined;

/** Compiles every root once per test file and parses each generated Kubernetes manifest. */
export function generatedObjects(): GeneratedObject[] {
  cache ??= kubernetesRoots().flatMap(({ name, root }) => objectsOf(compileDir(root), name));
  return cache;
}

/** The Kubernetes objects (manifests and Argo CD Applications) of one compile, labelled `name`. */
export function objectsOf(result: CompileResult, name: string): GeneratedObject[] {
  if (result.diagnostics.length > 0) throw new Error(`${name} does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.files
    .filter((file) => /\/(kubernetes\/[a-z]+|argocd)\/[^/]+\.yaml$/.test(file.path) && !file.path.endsWith('/kustomization.yaml'))
    .map((file) => ({ where: `${name}:${file.path}`, path: file.path, directory: file.path.slice(0, file.path.lastIndexOf('/')), contents: file.contents, object: parse(file.contents) as KubeObject }));
}

export interface PodTemplate {
  readonly owner: GeneratedObject;
  readonly metadata: { readonly labels: Record<string, string> };
  readonly spec: PodSpec;
}

export interface PodSpec {
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly ephemeralContainers?: Container[];
  readonly [field: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly [field: string]: unknown;
}

/** The pod template of every Deployment and CronJob. */
export function podTemplates(objects: readonly GeneratedObject[] = generatedObjects()): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const owner of objects) {
    const spec = owner.object.spec as Record<string, any> | undefined;
    if (owner.object.kind === 'Deployment') templates.push({ owner, ...spec!.template });
    if (owner.object.kind === 'CronJob') templates.push({ owner, ...spec!.jobTemplate.spec.template });
  }
  return templates;
}

export function allContainers(spec: PodSpec): Container[] {
  return [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** Whether a label selector (matchLabels and In expressions) selects the labels. */
export function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => (e.operator === 'In' ? e.values!.includes(labels[e.key] ?? '') : e.operator === 'Exists' ? e.key in labels : false));
  return byLabels && byExpressions;
}
