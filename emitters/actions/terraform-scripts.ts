/**
 * The `run:` scripts of the infrastructure jobs (terraform-jobs.ts). Constant
 * text like every script (scripts.ts): inputs arrive through the step's `env:`.
 * Every command that takes the state lock waits for it up to LOCK_TIMEOUT
 * (scripts.ts) rather than failing at once while another run holds it.
 */

import { LOCK_TIMEOUT, planSummaryLines, TERRAFORM_PLAN_LINES, withCommandsStopped } from './scripts.js';
import { script } from './script-text.js';

export { LOCK_TIMEOUT };

/**
 * The plan approvers review, saved for the apply job: `plan -out` without the
 * lock (the production plan role may read state only; an apply of a saved plan
 * refuses it when the state changed since, so nothing stale is applied), then
 * the one-line result and the whole plan in the job summary (GitHub keeps 1 MiB
 * per step). ROOT names a root other than the main stack, SERVICE the service
 * owning it.
 */
export const TERRAFORM_SAVED_PLAN = script('set -euo pipefail', ...TERRAFORM_PLAN_LINES, ...planSummaryLines(300000));

/**
 * One file for the artifact: every saved plan under OUT, at its path, so the
 * apply job unpacks each next to its root. tar rather than a list of paths,
 * which the upload action would re-root at their common folder.
 */
export const PACK_PLANS = script(
  'set -euo pipefail',
  'find "${OUT}" -type f -name tfplan -print0 | LC_ALL=C sort -z | tar --create --file "${PLANS}" --null --files-from=-',
  'tar --list --file "${PLANS}"',
);

export const UNPACK_PLANS = script('set -euo pipefail', 'tar --list --file "${PLANS}"', 'tar --extract --file "${PLANS}"');

/** Exactly the plan the approver saw: a saved plan applies without a new plan or a prompt, and fails if the state moved since. */
export const TERRAFORM_APPLY_SAVED = script(
  'set -euo pipefail',
  'if [ ! -f "${STACK}/tfplan" ]; then',
  '  echo "::error::no saved plan for ${STACK}: the production plan job did not plan it"',
  '  exit 1',
  'fi',
  ...withCommandsStopped(`terraform -chdir="\${STACK}" apply -input=false -lock-timeout=${LOCK_TIMEOUT} tfplan`),
);

/**
 * A retired service's root, torn down: apply first, since the retired
 * configuration lifts what AWS would refuse to delete (deletion protection,
 * a bucket without force_destroy), then destroy; both with the environment's
 * variables, waiting for the state lock like every apply.
 */
export const TERRAFORM_DESTROY = script(
  'set -euo pipefail',
  ...withCommandsStopped(
    `terraform -chdir="\${STACK}" apply -input=false -lock-timeout=${LOCK_TIMEOUT} -auto-approve -var-file="env/\${ENVIRONMENT}.tfvars"`,
    `terraform -chdir="\${STACK}" destroy -input=false -lock-timeout=${LOCK_TIMEOUT} -auto-approve -var-file="env/\${ENVIRONMENT}.tfvars"`,
  ),
);

/**
 * A re-run of an old run must not apply old Terraform. The run's commit
 * (GITHUB_SHA) is compared with main's head (origin/${MAIN}, fetched by the
 * checkout) over the roots this job applies (STACKS, one per line): if main
 * has changed any of them since, a newer run owns them and this one stops.
 * When main's head is this commit, or main changed only other files, the
 * roots are the ones main has, and the apply goes ahead.
 */
export const APPLY_GUARD = script(
  'set -euo pipefail',
  'mapfile -t roots <<< "${STACKS}"',
  'head="$(git rev-parse --verify --quiet "refs/remotes/origin/${MAIN}^{commit}")" || {',
  '  echo "::error::origin/${MAIN} is not fetched; cannot tell whether ${GITHUB_SHA} is still current"',
  '  exit 1',
  '}',
  'if ! git diff --quiet "${GITHUB_SHA}" "${head}" -- "${roots[@]}"; then',
  '  echo "::error::${MAIN} has changed this service\'s Terraform since ${GITHUB_SHA} (now ${head}): a newer run applies it; re-running this old run would apply old Terraform"',
  '  exit 1',
  'fi',
  'echo "${GITHUB_SHA} has the Terraform of ${MAIN} (${head}) for: ${roots[*]}"',
);

/**
 * Whether another service's subscriptions root, applied here because this
 * service publishes topics it subscribes to, is still main's version: when main
 * has changed it since this run's commit, that service's own newer run applies
 * it and this run leaves it alone (`current=false`), rather than failing a
 * release it does not own.
 */
export const SUBSCRIBER_CURRENT = script(
  'set -euo pipefail',
  'if git diff --quiet "${GITHUB_SHA}" "refs/remotes/origin/${MAIN}" -- "${STACK}"; then',
  '  echo "current=true" >> "${GITHUB_OUTPUT}"',
  'else',
  '  echo "::notice::${STACK} changed on ${MAIN} since ${GITHUB_SHA}; the newer run of its own service applies it"',
  '  echo "current=false" >> "${GITHUB_OUTPUT}"',
  'fi',
);
