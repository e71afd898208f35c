import { join } from 'node:path';
import { parse } from 'yaml';
import type { CompileResult } from '../../compiler/compile.js';
import { caseRoot, compileDir, goldenCases, REPO } from './helpers.js';
import type { GeneratedObject, KubeObject } from '../../compiler/policy/view.js';

// The object types and the pod template walker are the policy's own (compiler/policy/view.ts): the tests read objects as it does.
export type { GeneratedObject, KubeObject } from '../../compiler/policy/view.js';
export { podTemplates } from '../../compiler/policy/view.js';

/** Every golden case (a folder with an expected tree) and both examples: the inputs whose output the rule tests cover. */
export function kubernetesRoots(): Array<{ readonly name: string; readonly root: string }> {
  return [
    ...goldenCases().map((name) => ({ name: `fixtures/cases/${name}`, root: caseRoot(name) })),
    { name: 'examples/shop', root: join(REPO, 'examples/shop') },
    { name: 'examples/minimal', root: join(REPO, 'examples/minimal') },
  ];
}

let cache: GeneratedObject[] | undefined;

/** Compiles every root once per test file and parses each generated Kubernetes manifest. */
export function generatedObjects(): GeneratedObject[] {
  cache ??= kubernetesRoots().flatMap(({ name, root }) => objectsOf(compileDir(root), name));
  return cache;
}

/** The Kubernetes objects (manifests, Argo CD Applications, the platform layer's objects) of one compile, labelled `name`, as written: text only, so no waiver attached. */
export function objectsOf(result: CompileResult, name: string): GeneratedObject[] {
  if (result.diagnostics.length > 0) throw new Error(`${name} does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.files
    .filter(
      (file) =>
        (/\/(kubernetes\/[a-z]+|argocd)\/[^/]+\.yaml$/.test(file.path) || file.path.endsWith('/_platform/bootstrap.yaml')) &&
        !file.path.endsWith('/kustomization.yaml'),
    )
    .map((file) => ({
      where: `${name}:${file.path}`,
      path: file.path,
      directory: file.path.slice(0, file.path.lastIndexOf('/')),
      contents: file.contents,
      waivers: [],
      object: parse(file.contents) as KubeObject,
    }));
}
