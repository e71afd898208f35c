import type { Emitter, EmitResult } from '../../spec/emitter.js';
import { platformKubernetesDiagnostics, platformKubernetesFiles } from './kubernetes/index.js';

/**
 * The platform layer: project-wide output under `<output dir>/_platform/`
 * that a platform team applies once per account and cluster, before any
 * service. Nothing per service.
 */
export const platformEmitter: Emitter = {
  id: 'platform',
  emitService(): EmitResult {
    return { files: [], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    return { files: platformKubernetesFiles(project), diagnostics: platformKubernetesDiagnostics(project) };
  },
};
