import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { PREVIEW_PLACEHOLDER_PR, previewHost } from './context.js';

/** The image CI built for a pull request, in the service's preview repository (ResolvedRuntime.previewImage). */
export interface PreviewImage {
  readonly tag: string;
  /** `sha256:<hex>`. */
  readonly digest?: string;
}

/**
 * CI's kustomize overlay for one pull request's preview: it points the base at
 * the pull request's namespace, image and host. `base` is the base directory
 * relative to the overlay's, since kustomize refuses absolute paths.
 */
export function previewOverlay(service: ResolvedService, project: ResolvedProject, pr: number, image: PreviewImage, base: string): Record<string, unknown> {
  const host = previewHost(service.name, project.platform.domain, pr);
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [base],
    // Also renames the base's Namespace object, <service>-pr-0.
    namespace: names.previewNamespace(service.name, pr),
    // The base already names the preview repository (context.ts); only the tag and digest change.
    images: [{ name: service.runtime.previewImage, newTag: image.tag, ...(image.digest ? { digest: image.digest } : {}) }],
    ...(service.ingress
      ? {
          patches: [
            {
              target: { kind: 'Ingress', name: service.name },
              patch: JSON.stringify([
                { op: 'test', path: '/spec/rules/0/host', value: previewHost(service.name, project.platform.domain, PREVIEW_PLACEHOLDER_PR) },
                { op: 'replace', path: '/spec/rules/0/host', value: host },
                { op: 'replace', path: '/spec/tls/0/hosts/0', value: host },
              ]),
            },
          ],
        }
      : {}),
  };
}
