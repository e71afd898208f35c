import type { EnvironmentName, OutputDirectories } from './model.js';
import { PLATFORM_FOLDER } from './naming.js';

/**
 * The one place that knows where paved reads and writes: the spec files it
 * looks for, and every path under the output directories (docs/targets/kubernetes.md, Layout).
 * Emitters, the writer, `paved diff` and the workflows build paths from here.
 * A service's folders are named after the name it is deployed under
 * (ResolvedService.name); its workflow, after its spec name.
 */

/** The spec files paved reads, at the paved root (platform, releases) and in each service's folder. */
export const SPEC_FILES = { platform: 'platform.yaml', releases: 'releases.yaml', service: 'service.yaml' } as const;

/** In `output.dir`: the list of every file paved owns, and the lock one compile holds while it writes. */
export const MANIFEST_FILE = '.paved-manifest.json';
export const LOCK_FILE = '.paved-lock';
/** paved's cache folder at the root (compiler/cache.ts): local state that ignores itself; the check workflow caches check records from it. */
export const CACHE_FOLDER = '.paved-cache';
/** The record a passing `paved check --record` of a commit leaves in the cache folder. */
export const checkRecordFile = (commit: string): string => `check-${commit}.json`;

/** A service's second Terraform root, inside its stack: applied after every publisher's main stack. */
export const SUBSCRIPTIONS_ROOT = 'subscriptions';

/** The folder of the repo-wide local-development Compose project (`paved dev`). */
export const DEV_FOLDER = 'dev';

/**
 * The env file a developer writes next to a service.yaml with the service's
 * secrets for `paved dev`: paved names it and never writes it, and git ignores it
 * (docs/dev.md; `paved new` adds the ignore rule).
 */
export const DEV_ENV_FILE = '.paved-dev.env';
/** The folder of a preview base holding the bases of the services the preview brings (a service name has no `.`, so no manifest file is called this). */
export const PREVIEW_DEPENDENCIES_FOLDER = 'dependencies';

/** The folder of the repo-wide Argo CD Applications of the services (`<service>-<env>.yaml`). */
export const APPLICATIONS_FOLDER = 'argocd';

export const layout = {
  manifest: (output: OutputDirectories): string => `${output.dir}/${MANIFEST_FILE}`,
  lock: (output: OutputDirectories): string => `${output.dir}/${LOCK_FILE}`,
  /** `<out>/<service>/`: everything generated for one service. */
  service: (output: OutputDirectories, service: string): string => `${output.dir}/${service}`,
  terraform: (output: OutputDirectories, service: string): string => `${layout.service(output, service)}/terraform`,
  subscriptions: (output: OutputDirectories, service: string): string => `${layout.terraform(output, service)}/${SUBSCRIPTIONS_ROOT}`,
  kubernetes: (output: OutputDirectories, service: string, env: EnvironmentName): string => `${layout.service(output, service)}/kubernetes/${env}`,
  /** `<out>/<service>/kubernetes/preview/dependencies/<dependency>/`: a dependency as it joins the service's preview, a kustomize base of its own. */
  previewDependency: (output: OutputDirectories, service: string, dependency: string): string =>
    `${layout.kubernetes(output, service, 'preview')}/${PREVIEW_DEPENDENCIES_FOLDER}/${dependency}`,
  catalog: (output: OutputDirectories, service: string): string => `${layout.service(output, service)}/catalog-info.yaml`,
  dashboard: (output: OutputDirectories, service: string): string => `${layout.service(output, service)}/grafana/dashboard.json`,
  alerts: (output: OutputDirectories, service: string): string => `${layout.service(output, service)}/alerts/rules.yaml`,
  applications: (output: OutputDirectories): string => `${output.dir}/${APPLICATIONS_FOLDER}`,
  application: (output: OutputDirectories, service: string, env: EnvironmentName): string => `${layout.applications(output)}/${service}-${env}.yaml`,
  /** `<out>/dev/compose.yaml`: one Compose project for the whole repository; its path is part of the contract. */
  devCompose: (output: OutputDirectories): string => `${output.dir}/${DEV_FOLDER}/compose.yaml`,
  /** `<out>/dev/<service>.env`: what only the stand-ins need (LocalStack's endpoint and keys, a MySQL stand-in's password), none of it secret. */
  devStandInEnv: (output: OutputDirectories, service: string): string => `${output.dir}/${DEV_FOLDER}/${service}.env`,
  /** The secrets env file of the service in `directory` (repo-relative, `.` at the root). */
  devEnvFile: (directory: string): string => (directory === '.' ? DEV_ENV_FILE : `${directory}/${DEV_ENV_FILE}`),
  overviewDashboard: (output: OutputDirectories): string => `${output.dir}/grafana/overview.json`,
  /** `<out>/_platform/`: the platform layer, which no service's folder can be (PLATFORM_FOLDER). */
  platform: (output: OutputDirectories): string => `${output.dir}/${PLATFORM_FOLDER}`,
  workflow: (output: OutputDirectories, file: string): string => `${output.workflowsDir}/${file}`,
  /** `paved-<spec name>.yml`, the service's workflow file. */
  serviceWorkflowFile: (specName: string): string => `paved-${specName}.yml`,
} as const;
