import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { PREVIEW_PLACEHOLDER_PR, previewHost } from './context.js';

/** The image CI built for a pull request, in the service's preview repository (ResolvedRuntime.previewImage). */
export interface PreviewImage {
  readonly tag: string;
  /** `sha256:<hex>`. */
  readonly digest?: string;
}

/** A dependency the preview brings: its base (preview/dependencies/<name>, relative to the overlay) and the image staging runs. */
export interface PreviewDependency {
  readonly service: ResolvedService;
  readonly base: string;
  readonly image: PreviewImage;
}

/**
 * CI's kustomize overlay for one pull request's preview: it points the base at
 * the pull request's namespace, image and host, and adds the bases of the
 * dependencies it brings, each at its staging image. `base` and each
 * dependency's are directories relative to the overlay's, since kustomize
 * refuses absolute paths.
 */
export function previewOverlay(
  service: ResolvedService,
  project: ResolvedProject,
  pr: number,
  image: PreviewImage,
  base: string,
  dependencies: readonly PreviewDependency[] = [],
): Record<string, unknown> {
  const host = previewHost(service.name, project.platform.domain, pr);
  const tagged = (name: string, i: PreviewImage): Record<string, string> => ({ name, newTag: i.tag, ...(i.digest ? { digest: i.digest } : {}) });
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [base, ...dependencies.map((d) => d.base)],
    // Also renames the base's Namespace object, <service>-pr-0; the dependencies' objects join that namespace.
    namespace: names.previewNamespace(service.name, pr),
    // The base already names the preview repository (context.ts); only the tag and digest change.
    // A dependency's names its release repository, and runs what staging runs.
    images: [tagged(service.runtime.previewImage, image), ...dependencies.map((d) => tagged(d.service.runtime.image, d.image))],
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
