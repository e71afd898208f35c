import type { Emitter, EmitResult } from '../../spec/emitter.js';
import { hclFile, terraformLockFile } from '../shared/serialize.js';
import { awsProviderLock, LOCK_FILE_NAME } from '../shared/terraform-lock.js';
import { applyTerraformOverrides } from './overrides.js';
import { protectStatefulResources } from './protect.js';
import { terraformStack, type StackFile } from './stack.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { layout } from '../../spec/layout.js';

/**
 * AWS infrastructure per service as a Terraform stack in HCL:
 * `<output>/<service>/terraform/`, applied once per cloud environment with
 * `-var-file=env/<env>.tfvars` and `-backend-config=env/<env>.s3.tfbackend`,
 * and for a subscriber `terraform/subscriptions/`, a root applied the same way
 * after the main stacks (subscriptions.ts). Preview environments get no stack:
 * they run in-cluster stand-ins (docs/targets/terraform.md).
 */
export const terraformEmitter: Emitter = {
  id: 'terraform',
  emitService(service, project): EmitResult {
    const { files: stack, diagnostics } = emittedStack(service, project);
    if (diagnostics.length > 0) return { files: [], diagnostics };
    const dir = layout.terraform(project.output, service.name);
    const files = stack.map((file) => hclFile({ path: `${dir}/${file.path}`, source: service.specPath, items: file.items }));
    // Each root gets the lock file `terraform init` would write, so the provider cannot float between plan and apply.
    const roots = [dir, ...(service.resources.subscriptions.length > 0 ? [layout.subscriptions(project.output, service.name)] : [])];
    const lock = awsProviderLock(project.platform.terraform.awsProviderVersion);
    const locks = roots.map((root) => terraformLockFile({ path: `${root}/${LOCK_FILE_NAME}`, source: service.specPath, providers: [lock] }));
    return { files: [...files, ...locks], diagnostics: [] };
  },
};

/** The stack as printed: the service's overrides applied, then stateful resources protected (protect.ts), so no patch undoes that. */
export function emittedStack(service: ResolvedService, project: ResolvedProject): { files: StackFile[]; diagnostics: Diagnostic[] } {
  const { files, diagnostics } = applyTerraformOverrides(service, terraformStack(service, project), project.platform.overridePolicy.terraform.allow);
  return { files: diagnostics.length > 0 ? [] : protectStatefulResources(files, service), diagnostics };
}
