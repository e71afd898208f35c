import type { Emitter, EmitResult } from '../../spec/emitter.js';
import { checkWorkflow } from './check-workflow.js';
import { CHECK_WORKFLOW_FILE, serviceWorkflowFile, workflowPath } from './paths.js';
import { workflowFile } from './render.js';
import { serviceWorkflow } from './service-workflow.js';

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
    return { files: [workflowFile(path, service.specPath, serviceWorkflow(service, project))], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    const path = workflowPath(project, CHECK_WORKFLOW_FILE);
    return { files: [workflowFile(path, project.platformSource, checkWorkflow(project))], diagnostics: [] };
  },
};
