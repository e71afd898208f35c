import type { Emitter, EmitResult } from '../../spec/emitter.js';
import { checkWorkflow } from './check-workflow.js';
import { CHECK_WORKFLOW_FILE, serviceWorkflowFile, workflowPath } from './paths.js';
import { workflowFile } from './render.js';
import { serviceWorkflow } from './service-workflow.js';
import { usesGhcr } from './steps.js';
import { ACTIONS_WAIVERS as WAIVERS } from '../shared/waivers.js';

/**
 * GitHub Actions: `<workflowsDir>/paved-<service>.yml` per service (test, image,
 * Terraform, preview, GitOps deploy, promotion, rollback) and `paved-check.yml`
 * once. Hardened by construction: actions pinned by commit (pins.ts), no
 * permission unless a job lists it, constant scripts fed only through `env:`.
 */
export const actionsEmitter: Emitter = {
  id: 'actions',
  emitService(service, project): EmitResult {
    const path = workflowPath(project, serviceWorkflowFile(service));
    // The image jobs log in to a registry other than ghcr.io with a repository secret, outside any environment.
    const waivers = usesGhcr(project) ? [] : [WAIVERS.registrySecretOutsideEnvironment];
    return { files: [workflowFile(path, service.specPath, serviceWorkflow(service, project), waivers)], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    const path = workflowPath(project, CHECK_WORKFLOW_FILE);
    return { files: [workflowFile(path, project.platformSource, checkWorkflow(project))], diagnostics: [] };
  },
};
