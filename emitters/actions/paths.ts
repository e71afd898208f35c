import { posix } from 'node:path';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { layout, SPEC_FILES } from '../../spec/layout.js';

/**
 * Paths as the workflows see them. paved's paths are relative to the paved root
 * (the folder holding platform.yaml); GitHub's `paths:` filters, `working-directory`
 * and action inputs are relative to the repository, so everything is prefixed with
 * `gitops.path` (`.` when the paved root is the repository root).
 */
export function inRepo(project: ResolvedProject, path: string): string {
  const joined = posix.normalize(posix.join(project.platform.gitops.path, path));
  // Validation admits only portable folder names and relative paths; this holds even if it ever misses one.
  if (!PORTABLE_PATH.test(joined)) throw new Error(`workflow paths: ${JSON.stringify(joined)} is not a portable path`);
  return joined;
}

const PORTABLE_PATH = /^[A-Za-z0-9._\/-]+$/;

/** `working-directory` for a paved-root-relative folder; undefined for the repository root, GitHub's default. */
export function workingDirectory(project: ResolvedProject, path = '.'): string | undefined {
  if (path === '.') return pavedRootDirectory(project);
  const dir = inRepo(project, path);
  return dir === '.' ? undefined : dir;
}

/** The paved root's `working-directory`, once per platform: nearly every run step of every workflow names it. */
function pavedRootDirectory(project: ResolvedProject): string | undefined {
  const { platform } = project;
  if (!PAVED_ROOT_DIRECTORY.has(platform)) {
    const dir = inRepo(project, '.');
    PAVED_ROOT_DIRECTORY.set(platform, dir === '.' ? undefined : dir);
  }
  return PAVED_ROOT_DIRECTORY.get(platform);
}
const PAVED_ROOT_DIRECTORY = new WeakMap<ResolvedProject['platform'], string | undefined>();

/** The generated Terraform stack of a service, relative to the paved root. */
export function stackDir(project: ResolvedProject, service: ResolvedService): string {
  return layout.terraform(project.output, service.name);
}

/**
 * The service's subscriptions root (emitters/terraform/subscriptions.ts), applied
 * after its main stack; undefined when it subscribes to nothing and has none.
 */
export function subscriptionsDir(project: ResolvedProject, service: ResolvedService): string | undefined {
  return service.resources.subscriptions.length > 0 ? layout.subscriptions(project.output, service.name) : undefined;
}

export function workflowPath(project: ResolvedProject, file: string): string {
  return layout.workflow(project.output, file);
}

/**
 * What a service's workflow runs for: its folder (code and service.yaml), its
 * build context and Dockerfile, platform.yaml, its generated Terraform stack (a
 * paved upgrade can change it) and the workflow itself. Not releases.yaml and
 * not the rendered manifests: a release commit must not build and deploy again.
 */
export function servicePaths(project: ResolvedProject, service: ResolvedService): string[] {
  const tree = (path: string): string => {
    const dir = inRepo(project, path);
    return dir === '.' ? '**' : `${dir}/**`;
  };
  const globs = [
    tree(service.directory),
    tree(service.runtime.build.context),
    inRepo(project, service.runtime.build.dockerfile),
    inRepo(project, SPEC_FILES.platform),
    tree(stackDir(project, service)),
    inRepo(project, workflowPath(project, serviceWorkflowFile(service))),
  ];
  // A build context of `..` or a Dockerfile inside the service folder repeats what another glob covers.
  const covers = (wide: string, narrow: string): boolean =>
    wide !== narrow && (wide === '**' || (wide.endsWith('/**') && narrow.startsWith(wide.slice(0, -2))));
  return globs.filter((glob, i) => globs.indexOf(glob) === i && !globs.some((other) => covers(other, glob)));
}

export const serviceWorkflowFile = (service: ResolvedService): string => layout.serviceWorkflowFile(service.specName);
export const CHECK_WORKFLOW_FILE = 'paved-check.yml';
