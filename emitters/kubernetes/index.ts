import type { Diagnostic } from '../../spec/diagnostic.js';
import type { Emitter, EmitResult, GeneratedFile } from '../../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { CLOUD_ENVIRONMENTS } from '../../spec/naming.js';
import { compareText } from '../../spec/pointer.js';
import { yamlFile } from '../shared/serialize.js';
import { applicationFile } from './argocd.js';
import { PREVIEW_PLACEHOLDER_PR, PREVIEW_PLACEHOLDER_TAG, previewHost, renderContext } from './context.js';
import { cloudEnvironment } from './environment.js';
import { environmentDirectory, manifestFiles } from './files.js';
import { previewEnvironment } from './preview.js';
import { previewDependencyFiles } from './preview-dependencies.js';

/**
 * Kubernetes manifests per environment, Argo CD Applications and the preview
 * base, built as plain objects checked against Kubernetes' types
 * (kube-object.ts) and printed by the shared YAML serializer.
 */
export const kubernetesEmitter: Emitter = {
  id: 'kubernetes',
  emitService(service, project): EmitResult {
    // A retired service runs nowhere: with its manifests and Applications gone from the deploy branches, Argo CD prunes it.
    if (service.retired) return { files: [], diagnostics: [] };
    const files: GeneratedFile[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const env of CLOUD_ENVIRONMENTS) {
      const ctx = renderContext(service, project, env);
      const rendered = manifestFiles(
        service,
        project.platform.overridePolicy.kubernetes,
        env,
        environmentDirectory(project, service, env),
        cloudEnvironment(ctx),
      );
      files.push(...rendered.files);
      diagnostics.push(...rendered.diagnostics);
      // Nothing deploys before CI's first release: the manifests are rendered for review, the Application waits.
      if (ctx.environment.release) files.push(applicationFile(ctx));
    }
    if (service.environments.preview.enabled) {
      const rendered = manifestFiles(
        service,
        project.platform.overridePolicy.kubernetes,
        'preview',
        environmentDirectory(project, service, 'preview'),
        previewEnvironment(renderContext(service, project, 'preview')),
      );
      files.push(...rendered.files, kustomization(service, project, rendered.files));
      diagnostics.push(...rendered.diagnostics);
      // The services it depends on, transitively, each a base `paved preview` adds with its staging image.
      const dependencies = previewDependencyFiles(service, project, project.platform.overridePolicy.kubernetes, rendered.files);
      files.push(...dependencies.files);
      diagnostics.push(...dependencies.diagnostics);
    }
    return { files, diagnostics };
  },
};

/** The preview base's kustomization; CI's overlay (docs/targets/kubernetes.md) sets namespace, image and host. */
function kustomization(service: ResolvedService, project: ResolvedProject, files: readonly GeneratedFile[]): GeneratedFile {
  const dir = environmentDirectory(project, service, 'preview');
  const placeholders = [
    `A base: per pull request, CI applies the overlay \`paved preview\` writes, which replaces the namespace (placeholder ${service.name}-pr-${PREVIEW_PLACEHOLDER_PR}),`,
    `the image (${service.runtime.previewImage}:${PREVIEW_PLACEHOLDER_TAG})${service.ingress ? ` and the Ingress host (${previewHost(service.name, project.platform.domain, PREVIEW_PLACEHOLDER_PR)})` : ''}. See docs/targets/kubernetes.md, Preview environments.`,
  ];
  return yamlFile({
    path: `${dir}/kustomization.yaml`,
    source: service.specPath,
    comments: placeholders,
    value: {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: files.map((f) => f.path.slice(dir.length + 1)).sort(compareText),
    },
  });
}

export { environmentDirectory } from './files.js';

export { runJob } from './run.js';
export type { KubeJson } from './overrides.js';
export { previewOverlay, type PreviewDependency, type PreviewImage } from './preview-overlay.js';
