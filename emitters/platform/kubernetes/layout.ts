import { posix } from 'node:path';
import type { EnvironmentName, ResolvedProject } from '../../../spec/model.js';
import { layout } from '../../../spec/layout.js';

/**
 * Where the platform layer goes and what its objects are called. `_platform`
 * (PLATFORM_FOLDER) can never be a service's folder, and every
 * Application name here holds a dot, which no service Application
 * (`<service>-<env>`) can: the two never collide, in files or in Argo CD.
 */

export const platformDirectory = (project: ResolvedProject): string => layout.platform(project.output);

/** Objects applied to an environment's cluster, one file per object. */
export const clusterDirectory = (project: ResolvedProject, env: EnvironmentName): string => `${platformDirectory(project)}/kubernetes/${env}`;

/** The AppProject and the Applications the bootstrap Application syncs, all on the Argo CD cluster. */
export const argocdDirectory = (project: ResolvedProject): string => `${platformDirectory(project)}/argocd`;

/** The one object a person applies, once, to the Argo CD cluster. */
export const bootstrapFile = (project: ResolvedProject): string => `${platformDirectory(project)}/bootstrap.yaml`;

/** The declared secrets whose values the owning teams set before the first sync. */
export const secretsFile = (project: ResolvedProject): string => `${platformDirectory(project)}/secrets.yaml`;

/** Where the kubernetes emitter writes the service Applications (`<service>-<env>.yaml`). */
export const serviceApplicationsDirectory = (project: ResolvedProject): string => layout.applications(project.output);

/**
 * The glob that picks one environment's service Applications out of
 * `argocd/`. Their files are `<service>-<env>.yaml` and no environment name
 * ends with `-<another environment>`, so `*-staging.yaml` matches staging's
 * whatever the service is called (`api-production` included).
 */
export const serviceApplicationsInclude = (env: EnvironmentName): string => `*-${env}.yaml`;

/** A repo-relative directory as Argo CD sees the Git repository (`gitops.path` is where the paved root sits). */
export function repositoryPath(project: ResolvedProject, directory: string): string {
  return posix.normalize(posix.join(project.platform.gitops.path, directory));
}

export const applicationNames = {
  bootstrap: (project: ResolvedProject): string => `${project.platform.name}.platform`,
  /** Syncs `_platform/kubernetes/<env>/` to the environment's cluster. */
  cluster: (project: ResolvedProject, env: EnvironmentName): string => `${project.platform.name}.${env}.platform`,
  /** The environment's app-of-apps: its service Applications. */
  services: (project: ResolvedProject, env: EnvironmentName): string => `${project.platform.name}.${env}.services`,
};
