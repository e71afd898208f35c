import type { Diagnostic } from '../../spec/diagnostic.js';
import type { Emitter, EmitResult } from '../../spec/emitter.js';
import type { ResolvedService } from '../../spec/model.js';
import { printFile } from '../shared/hcl.js';
import { generatedHeader } from '../shared/serialize.js';
import { terraformStack } from './stack.js';

/**
 * AWS infrastructure per service as a Terraform stack in HCL:
 * `<output>/<service>/terraform/`, applied once per cloud environment with
 * `-var-file=env/<env>.tfvars` and `-backend-config=env/<env>.s3.tfbackend`.
 * Preview environments get no stack: they run in-cluster stand-ins (README).
 */
export const terraformEmitter: Emitter = {
  id: 'terraform',
  emitService(service, project): EmitResult {
    const diagnostics = overrideDiagnostics(service);
    if (diagnostics.length > 0) return { files: [], diagnostics };
    const dir = `${project.output.dir}/${service.name}/terraform`;
    const files = terraformStack(service, project).map((file) => ({
      path: `${dir}/${file.path}`,
      source: service.specPath,
      contents: `${generatedHeader(service.specPath)}\n${printFile(file.items)}`,
    }));
    return { files, diagnostics: [] };
  },
};

/** Terraform overrides are part of the contract but not applied yet: refuse them rather than drop them silently. */
function overrideDiagnostics(service: ResolvedService): Diagnostic[] {
  return service.overrides.terraform.map((override) => ({
    code: 'EMIT.TERRAFORM_OVERRIDE_UNSUPPORTED',
    severity: 'error',
    message: `overrides.terraform: ${override.target} cannot be patched yet; the Terraform emitter does not apply overrides`,
    hint: 'remove the override, or open an issue describing what the generated resource lacks',
    file: service.specPath,
    pointer: override.pointer,
  }));
}
