import type { Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import { names } from '../../spec/naming.js';
import type { PlatformSpec } from '../../spec/types.js';
import { constraintAdmits, LOCKED_AWS_PROVIDER, parseConstraint } from '../../emitters/shared/terraform-lock.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import { showString } from './text.js';

/**
 * platform.yaml's `terraform` beyond the schema. Every root paved emits carries
 * a lock file for the one AWS provider build paved is proven against
 * (emitters/shared/terraform-lock.ts), so the constraint must admit it: a root
 * whose lock file contradicts its required_providers fails `terraform init`.
 * `lockTable` is deprecated since the stacks lock state in S3 (use_lockfile).
 * And the production plan role, named after the production role, must be a
 * name IAM accepts.
 */
const IAM_ROLE_NAME_MAX = 64;

export function checkPlatformTerraform(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (pointer: string, code: DiagnosticCode, severity: Diagnostic['severity'], message: string, hint: string): void => {
    diagnostics.push(positioned(file, pointer, code, message, { hint, severity }));
  };
  const constraint = platform.terraform?.awsProviderVersion;
  if (constraint !== undefined) {
    const parsed = parseConstraint(constraint);
    const locked = LOCKED_AWS_PROVIDER.version;
    if ('problem' in parsed) {
      at(
        '/terraform/awsProviderVersion',
        'SPEC.PROVIDER_CONSTRAINT',
        'error',
        parsed.problem,
        `write a range that admits ${locked}, the hashicorp/aws version paved locks every root to, e.g. ">= 5.100, < 7.0"`,
      );
    } else if (!constraintAdmits(parsed.terms, locked)) {
      at(
        '/terraform/awsProviderVersion',
        'SPEC.PROVIDER_NOT_LOCKABLE',
        'error',
        `${showString(constraint)} does not admit hashicorp/aws ${locked}, the version paved is proven against and writes into every root's .terraform.lock.hcl`,
        `widen the range to include ${locked}, e.g. ">= 5.100, < 7.0"; a newer provider comes with a paved release that locks it`,
      );
    }
  }
  // The production plan role is the production role's name with `-plan`: IAM role names have at most 64 characters.
  const production = ((file.data ?? {}) as PlatformSpec).ci?.roleArns?.production;
  if (typeof production === 'string' && production.includes(':role/')) {
    const planName = names.productionPlanRole(production).slice(names.productionPlanRole(production).lastIndexOf('/') + 1);
    if (planName.length > IAM_ROLE_NAME_MAX) {
      at(
        '/ci/roleArns/production',
        'SPEC.PLAN_ROLE_NAME',
        'error',
        `the production plan role paved creates next to this role, ${showString(planName)}, has ${planName.length} characters; IAM allows ${IAM_ROLE_NAME_MAX}`,
        `shorten the production role's name to at most ${IAM_ROLE_NAME_MAX - '-plan'.length} characters`,
      );
    }
  }
  // As the file sets it: the embedded default names one, which nobody chose.
  const lockTable = ((file.data ?? {}) as PlatformSpec).terraform?.lockTable;
  if (lockTable !== undefined) {
    at(
      '/terraform/lockTable',
      'SPEC.DEPRECATED_LOCK_TABLE',
      'warning',
      'is deprecated and no longer used: every root now locks its state with a lock file in the state bucket (use_lockfile, Terraform >= 1.10), not a DynamoDB table',
      'delete terraform.lockTable from platform.yaml once no Terraform older than 1.10 runs against this state; the platform root forgets a lock table it created without deleting it (docs/targets/terraform.md, State locking), so delete the table yourself when you no longer need it',
    );
  }
  return diagnostics;
}
