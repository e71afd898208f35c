import type { Emitter, EmitResult, GeneratedFile } from '../../spec/emitter.js';
import type { ResolvedProject } from '../../spec/model.js';
import { hclFile, terraformLockFile } from '../shared/serialize.js';
import { awsProviderLock, LOCK_FILE_NAME } from '../shared/terraform-lock.js';
import { platformKubernetesDiagnostics, platformKubernetesFiles } from './kubernetes/index.js';
import { platformTerraform } from './terraform/root.js';
import { layout } from '../../spec/layout.js';

/** `<output>/_platform/terraform/`: the platform root, applied once per environment before any service stack, with its provider lock file. */
export function platformTerraformFiles(project: ResolvedProject): GeneratedFile[] {
  const dir = `${layout.platform(project.output)}/terraform`;
  return [
    ...platformTerraform(project).map((file) =>
      hclFile({ path: `${dir}/${file.path}`, source: project.platformSource, items: file.items, ...(file.comments ? { comments: file.comments } : {}) }),
    ),
    terraformLockFile({
      path: `${dir}/${LOCK_FILE_NAME}`,
      source: project.platformSource,
      providers: [awsProviderLock(project.platform.terraform.awsProviderVersion)],
    }),
  ];
}

/**
 * The platform layer: the glue between the tools that paved derives from every
 * service, so a platform team applies it instead of following prose. Project
 * wide, under `<output dir>/_platform/`, applied once per account and cluster
 * before any service: the Terraform root (`terraform/`) and the Kubernetes
 * objects (`kubernetes/<env>/`, `argocd/`, `secrets.yaml`).
 */
export const platformEmitter: Emitter = {
  id: 'platform',
  emitService(): EmitResult {
    return { files: [], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    if (project.services.length === 0) return { files: [], diagnostics: [] };
    return { files: [...platformTerraformFiles(project), ...platformKubernetesFiles(project)], diagnostics: platformKubernetesDiagnostics(project) };
  },
};
