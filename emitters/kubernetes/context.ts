import type { EnvironmentName, ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names, PREVIEW_PLACEHOLDER_PR } from '../../spec/naming.js';

/**
 * Everything one environment's manifests are rendered from, worked out once:
 * the builders read it and never recompute a name, an image or a version.
 */
export interface RenderContext {
  readonly service: ResolvedService;
  readonly project: ResolvedProject;
  readonly env: EnvironmentName;
  readonly environment: ResolvedEnvironment;
  readonly namespace: string;
  /** The full image reference the pods run. */
  readonly image: string;
  /** The released tag, `preview` or `unreleased`: the version label and `service.version`. */
  readonly version: string;
  /** Ingress host of this environment, when the service has an ingress. */
  readonly host?: string;
  /**
   * In a preview, the service whose preview this one joins as a dependency
   * (spec/preview-dependencies.ts): it then runs in that service's namespace,
   * its staging image, and its own objects are named apart (ownedName).
   */
  readonly dependencyOf?: string;
}

/** Preview manifests are a base: CI replaces these placeholders (see docs/targets/kubernetes.md). */
export { PREVIEW_PLACEHOLDER_PR };
export const PREVIEW_PLACEHOLDER_TAG = 'set-by-ci';
/** Tag and version of an environment CI has not released to yet; its Application is not emitted. */
export const UNRELEASED = 'unreleased';

export function renderContext(service: ResolvedService, project: ResolvedProject, env: EnvironmentName): RenderContext {
  const environment = service.environments[env];
  const release = environment.release;
  const preview = env === 'preview';
  const tag = preview ? PREVIEW_PLACEHOLDER_TAG : (release?.tag ?? UNRELEASED);
  // A preview names the preview repository even as a placeholder: nothing in it can run a production image.
  const repository = preview ? service.runtime.previewImage : service.runtime.image;
  const image = `${repository}:${tag}${release?.digest ? `@${release.digest}` : ''}`;
  const version = preview ? 'preview' : (release?.tag ?? UNRELEASED);
  const host =
    service.ingress === undefined ? undefined : preview ? previewHost(service.name, project.platform.domain, PREVIEW_PLACEHOLDER_PR) : environment.host;
  return {
    service,
    project,
    env,
    environment,
    namespace: preview ? names.previewNamespace(service.name, PREVIEW_PLACEHOLDER_PR) : names.namespace(service.name),
    image,
    version,
    ...(host === undefined ? {} : { host }),
  };
}

/**
 * A dependency as it joins `previewed`'s preview: in that namespace, with no
 * Ingress, running the image released to staging (the release repository,
 * whose tag and digest CI sets from staging's releases.yaml: `paved preview`).
 */
export function dependencyContext(dependency: ResolvedService, previewed: ResolvedService, project: ResolvedProject): RenderContext {
  return {
    service: dependency,
    project,
    env: 'preview',
    environment: dependency.environments.preview,
    namespace: names.previewNamespace(previewed.name, PREVIEW_PLACEHOLDER_PR),
    image: `${dependency.runtime.image}:${PREVIEW_PLACEHOLDER_TAG}`,
    version: 'preview',
    dependencyOf: previewed.name,
  };
}

/**
 * The name of an object a service owns beyond its own name (a connection
 * Secret, a stand-in, a declared secret's ExternalSecret): as is, except in a
 * dependency of a preview, where it takes the service's name in front, so two
 * services sharing the namespace (both with a database `main`) keep theirs apart.
 */
export function ownedName(ctx: RenderContext, name: string): string {
  return ctx.dependencyOf === undefined ? name : `${ctx.service.name}-${name}`;
}

/** `<name>-pr-<n>.<domain>`, the host CI gives a pull request's preview (spec/naming.ts, which the output policy reads too). */
export const previewHost = names.previewHost;
