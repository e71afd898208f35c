import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { layout } from '../../spec/layout.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { NAME_RULES } from '../../spec/naming.js';
import { compareText } from '../../spec/pointer.js';
import { previewDependencies } from '../../spec/preview-dependencies.js';
import { yamlFile } from '../shared/serialize.js';
import { dependencyContext, PREVIEW_PLACEHOLDER_TAG } from './context.js';
import { manifestFiles } from './files.js';
import type { KubeJson, OverridePolicy } from './overrides.js';
import { previewEnvironment } from './preview.js';

/**
 * The whole app in a preview: every service the previewed one depends on,
 * transitively (spec/preview-dependencies.ts), rendered as it joins that
 * preview's namespace, each a kustomize base of its own under
 * `preview/dependencies/<name>/` that `paved preview` lists with the staging
 * image CI read from staging's releases.yaml. A dependency brings its own
 * stand-ins, connection Secrets and preview secrets (never staging's data or
 * identity), its objects other than those named after it carry its name in
 * front (context.ts ownedName), and its NetworkPolicy admits its dependents'
 * pods in the namespace. Overrides stay with a service's own preview: a
 * dependency joins as generated.
 */
export function previewDependencyFiles(
  previewed: ResolvedService,
  project: ResolvedProject,
  policy: OverridePolicy,
  own: readonly GeneratedFile[],
): { files: GeneratedFile[]; diagnostics: Diagnostic[] } {
  const files: GeneratedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const owners = new Map<string, string>();
  const claim = (file: GeneratedFile, owner: ResolvedService): void => {
    const object = file.value as KubeJson;
    const id = `${object.kind}/${object.metadata.name}`;
    const first = owners.get(id);
    if (first === undefined) owners.set(id, owner.name);
    else
      diagnostics.push(
        specDiagnostic(
          'EMIT.PREVIEW_COLLISION',
          previewed.specPath,
          '/dependsOn',
          `in this service's preview, ${object.kind} ${JSON.stringify(object.metadata.name)} of ${owner.name === previewed.name ? 'this service' : `dependency ${JSON.stringify(owner.name)}`} and of ${first === previewed.name ? 'this service' : `dependency ${JSON.stringify(first)}`} would be one object in one namespace`,
        ),
      );
  };
  for (const file of own) claim(file, previewed);
  for (const dependency of previewDependencies(previewed, project.services)) {
    const dir = layout.previewDependency(project.output, previewed.name, dependency.name);
    const manifests = previewEnvironment(dependencyContext(dependency, previewed, project));
    const rendered = manifestFiles(withoutOverrides(dependency), policy, 'preview', dir, manifests);
    diagnostics.push(...rendered.diagnostics);
    for (const file of rendered.files) {
      const name = (file.value as KubeJson).metadata.name;
      const problem = NAME_RULES.kubernetesLabel.check(name);
      if (problem)
        diagnostics.push(
          specDiagnostic(
            'EMIT.PREVIEW_NAME',
            dependency.specPath,
            '/name',
            `in the previews of services depending on it, this service's ${(file.value as KubeJson).kind} ${JSON.stringify(name)} ${problem}`,
          ),
        );
      claim(file, dependency);
    }
    files.push(...rendered.files, dependencyKustomization(previewed, dependency, dir, rendered.files));
  }
  return { files, diagnostics };
}

/** A dependency joins a preview as generated: its overrides patch its own preview, whose object names differ. */
const withoutOverrides = (service: ResolvedService): ResolvedService => ({ ...service, overrides: { kubernetes: [], terraform: [] } });

function dependencyKustomization(previewed: ResolvedService, dependency: ResolvedService, dir: string, files: readonly GeneratedFile[]): GeneratedFile {
  return yamlFile({
    path: `${dir}/kustomization.yaml`,
    source: dependency.specPath,
    comments: [
      `${dependency.name} as it joins the preview of ${previewed.name}: \`paved preview ${previewed.name}\` adds this base to its overlay, with the namespace,`,
      `and the image staging runs (${dependency.runtime.image}:${PREVIEW_PLACEHOLDER_TAG} until then). See docs/targets/kubernetes.md, Preview environments.`,
    ],
    value: {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: files.map((f) => f.path.slice(dir.length + 1)).sort(compareText),
    },
  });
}
