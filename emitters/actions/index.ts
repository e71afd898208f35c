import type { Emitter, EmitResult } from '../../spec/emitter.js';
import { checkWorkflow } from './check-workflow.js';
import { CHECK_WORKFLOW_FILE, serviceWorkflowFile, workflowPath } from './paths.js';
import { workflowFile } from './render.js';
import { PREVIEWS_WORKFLOW_FILE, previewSweepWorkflow } from './preview-sweep.js';
import { retireWorkflow } from './retire-workflow.js';
import { serviceWorkflow } from './service-workflow.js';
import { usesGhcr } from './steps.js';
import { ACTIONS_WAIVERS as WAIVERS } from '../shared/waivers.js';

/**
 * GitHub Actions: `<workflowsDir>/paved-<service>.yml` per service (test, image,
 * Terraform, preview, GitOps deploy, promotion, rollback), `paved-check.yml`
 * once (paved check and the required `paved gate`) and `paved-previews.yml`
 * when a service has previews (the scheduled sweep of closed previews). Hardened by construction: actions pinned by commit (pins.ts), no
 * permission unless a job lists it, constant scripts fed only through `env:`.
 */
export const actionsEmitter: Emitter = {
  id: 'actions',
  emitService(service, project): EmitResult {
    const path = workflowPath(project, serviceWorkflowFile(service));
    // The image jobs log in to a registry other than ghcr.io with a repository secret, outside any environment.
    // A retired service's workflow is its teardown (retire-workflow.ts): it builds nothing, so it logs in to no registry.
    if (service.retired) return { files: [workflowFile(path, service.specPath, retireWorkflow(service, project))], diagnostics: [] };
    const waivers = usesGhcr(project) ? [] : [WAIVERS.registrySecretOutsideEnvironment];
    return { files: [workflowFile(path, service.specPath, serviceWorkflow(service, project), waivers)], diagnostics: [] };
  },
  emitProject(project): EmitResult {
    const path = workflowPath(project, CHECK_WORKFLOW_FILE);
    const sweep = previewSweepWorkflow(project);
    const sweepFile = sweep ? [workflowFile(workflowPath(project, PREVIEWS_WORKFLOW_FILE), project.platformSource, sweep)] : [];
    return {
      files: [workflowFile(path, project.platformSource, checkWorkflow(project), [WAIVERS.checkRecordCache]), ...sweepFile],
      diagnostics: [],
    };
  },
};
