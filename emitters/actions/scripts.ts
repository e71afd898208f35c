/**
 * Every `run:` script the workflows contain. Each is constant text: whatever it
 * needs (service name, paths, tags, pull request numbers) arrives through the
 * step's `env:` and is read as "${VAR}", never spliced in with `${{ }}` (zizmor
 * template-injection) or from spec text. So the scripts are the same for every
 * service, shellcheck sees exactly what runs, and a spec value can never become
 * shell code. Steps run under `bash -eo pipefail` (the workflow's default shell);
 * multi-line scripts add `set -u`.
 */

import { script } from './script-text.js';

/**
 * The repository's own paved, installed by `npm ci` from its lockfile. `npx paved`
 * would install the registry's package of that name when it is missing (npm
 * exec's documented fallback; the name is not ours there): `--no` declines any
 * install and `--offline` any registry request, so a missing paved fails the step.
 */
export const PAVED = 'npm exec --offline --no -- paved';

export const NPM_CI = 'npm ci --no-audit --no-fund';
export const NPM_TEST = 'npm test';
export const GO_TEST = 'go test ./...';

/** Installs a Python service for its tests whichever of the usual files it has. */
export const PYTHON_INSTALL = script(
  'set -euo pipefail',
  'python -m pip install --upgrade pip',
  'if [ -f requirements.txt ]; then python -m pip install -r requirements.txt; fi',
  'if [ -f pyproject.toml ]; then python -m pip install .; fi',
  'python -m pip install pytest',
);
export const PYTHON_TEST = 'python -m pytest';
export const MAVEN_VERIFY = 'mvn --batch-mode --no-transfer-progress verify';
/** A `container` service tests inside its own Dockerfile: the `test` stage must build. */
export const CONTAINER_TEST = 'docker build --target test --file "${DOCKERFILE}" "${CONTEXT}"';

/** The AWS CLI on the runner reads the region from AWS_REGION, set by configure-aws-credentials. */
export const KUBECONFIG = 'aws eks update-kubeconfig --name "${CLUSTER}"';

/** `paved preview` writes a kustomize overlay over `<out>/<svc>/kubernetes/preview` with the namespace, image and host of one pull request. */
export const PREVIEW_RENDER = `${PAVED} preview "\${SERVICE}" --pr "\${PR_NUMBER}" --image "\${IMAGE}" --out "\${RUNNER_TEMP}/paved-preview"`;

/** Where PREVIEW_STAGING_RELEASES leaves staging's releases.yaml. */
const STAGING_RELEASES = '"${RUNNER_TEMP}/paved-staging-releases.yaml"';

/** The same, with the services the preview brings at the images staging runs (PREVIEW_STAGING_RELEASES). */
export const PREVIEW_RENDER_WITH_DEPENDENCIES = `${PREVIEW_RENDER} --releases ${STAGING_RELEASES}`;

/**
 * Staging's releases.yaml, which only its deploy branch holds (DEPLOY_BRANCH,
 * fetched with the read-only workflow token in FETCH_TOKEN, which becomes a
 * git header and leaves the environment): the images a preview's dependencies
 * run. A branch or file that does not exist yet means nothing is released
 * (an empty record); any other failure to read it fails the step. Runs at the
 * paved root, whose place in the repository is the file's prefix there.
 */
export const PREVIEW_STAGING_RELEASES = script(
  'set -euo pipefail',
  'auth="AUTHORIZATION: basic $(printf "x-access-token:%s" "${FETCH_TOKEN}" | base64 --wrap=0)"',
  'unset FETCH_TOKEN',
  `releases=${STAGING_RELEASES}`,
  'printf \'apiVersion: paved/v1\\nkind: Releases\\nservices: {}\\n\' > "${releases}"',
  'status=0',
  'git -c "http.extraheader=${auth}" ls-remote --exit-code --heads origin "refs/heads/${DEPLOY_BRANCH}" > /dev/null || status=$?',
  'if [ "${status}" -eq 0 ]; then',
  '  git -c "http.extraheader=${auth}" fetch --quiet --no-tags --depth=1 origin "+refs/heads/${DEPLOY_BRANCH}:refs/paved/staging"',
  '  file="refs/paved/staging:$(git rev-parse --show-prefix)releases.yaml"',
  '  if git cat-file -e "${file}" 2> /dev/null; then git show "${file}" > "${releases}"; fi',
  'elif [ "${status}" -ne 2 ]; then',
  '  echo "::error::could not read ${DEPLOY_BRANCH} from origin"',
  '  exit 1',
  'fi',
);

/**
 * Terraform prints the configuration's values: a plan or an apply every
 * attribute it sets (a string of several lines as an indented heredoc), an
 * error the source lines around it. A service team's override writes some of
 * those values, and GitHub's runner takes a printed line that reads
 * `::add-mask::…` or `::error …` (after any indentation), or holds `##[…]`, for
 * a command of its own. So terraform runs with the runner's commands stopped
 * (`::stop-commands::`, which GitHub documents for printing untrusted text):
 * the token that resumes them is 128 random bits drawn as the step runs, after
 * the text is fixed, so no text can hold it, and the runner masks it. The
 * runner keeps the stop per step: a failing command leaves no later step
 * without its commands. The preview's kubectl runs the same way.
 */
export function withCommandsStopped(...commands: readonly string[]): readonly string[] {
  return ['resume="$(od -An -N16 -tx1 /dev/urandom | tr -d \' \\n\')"', 'echo "::stop-commands::${resume}"', ...commands, 'echo "::${resume}::"'];
}

/**
 * The preview deploy. With pre-deploy jobs (PRE_DEPLOY_SELECTOR), the previous
 * push's runs are deleted first (a Job's pod template is immutable, so apply
 * could not update them), and the step waits for the new runs to complete, so
 * a failing migration fails the preview as it would fail a sync, printing the
 * end of the job pods' logs.
 */
function previewApply(preDeploy: boolean): string {
  return script(
    'set -euo pipefail',
    // The pull request's manifests and its jobs' logs: kubectl's errors quote the objects' values, and the logs are the app's.
    ...withCommandsStopped(
      'kubectl create namespace "${NAMESPACE}" --dry-run=client --output=yaml | kubectl apply --filename=-',
      ...(preDeploy ? [`kubectl delete job --namespace="\${NAMESPACE}" --selector="${PRE_DEPLOY_SELECTOR}" --ignore-not-found`] : []),
      'kubectl apply --kustomize="${RUNNER_TEMP}/paved-preview"',
      ...(preDeploy
        ? [
            `if ! kubectl wait --namespace="\${NAMESPACE}" --for=condition=complete job --selector="${PRE_DEPLOY_SELECTOR}" --timeout=15m; then`,
            `  kubectl logs --namespace="\${NAMESPACE}" --selector="${PRE_DEPLOY_SELECTOR}" --all-containers --prefix --tail=200 || true`,
            '  exit 1',
            'fi',
          ]
        : []),
    ),
    ...PREVIEW_SUMMARY,
  );
}

/** The label of pre-deploy Jobs (emitters/kubernetes/jobs.ts). */
export const PRE_DEPLOY_SELECTOR = 'paved.dev/job-when=pre-deploy';

const PREVIEW_SUMMARY = [
  '{',
  '  echo "### Preview of ${SERVICE}"',
  '  echo',
  '  echo "Namespace ${NAMESPACE} on the preview cluster runs ${IMAGE}."',
  '  if [ -n "${URL:-}" ]; then echo "It answers at ${URL}"; fi',
  '} >> "${GITHUB_STEP_SUMMARY}"',
];

/** The preview deploy of a service without pre-deploy jobs. */
export const PREVIEW_APPLY = previewApply(false);
/** The preview deploy of a service with pre-deploy jobs. */
export const PREVIEW_APPLY_PRE_DEPLOY = previewApply(true);

/** Returns at once: the namespace and everything in it go in the background. */
export const PREVIEW_TEARDOWN = 'kubectl delete namespace "${NAMESPACE}" --ignore-not-found --wait=false';

/** How long init and apply wait for a state lock another run holds (the subscriber's own workflow applying its subscriptions root, say); an apply rarely takes longer. */
export const LOCK_TIMEOUT = '10m';

/** The lock file next to each root pins the provider; init waits for a state lock another run holds. */
export const TERRAFORM_INIT = script(
  'set -euo pipefail',
  ...withCommandsStopped(`terraform -chdir="\${STACK}" init -input=false -lock-timeout=${LOCK_TIMEOUT} -backend-config="env/\${ENVIRONMENT}.s3.tfbackend"`),
);

/** Without the state lock: a pull request's plan only reads, so it never waits for or blocks an apply. */
const PLAN = 'terraform -chdir="${STACK}" plan -input=false -lock=false -no-color -var-file="env/${ENVIRONMENT}.tfvars" -out=tfplan';

/** The plan of a pull request (and of production's approval, with its summary: terraform-scripts.ts TERRAFORM_SAVED_PLAN). */
export const TERRAFORM_PLAN_LINES = withCommandsStopped(PLAN);
export const TERRAFORM_PLAN = script('set -euo pipefail', ...TERRAFORM_PLAN_LINES);

/**
 * The plan in the job summary: its one-line result up front, the whole plan
 * folded below, cut at `bytes` (GitHub keeps 1 MiB per step). ROOT, when set,
 * names a root other than the main stack (`subscriptions`), SERVICE the service
 * owning it.
 */
export const planSummaryLines = (bytes: number): readonly string[] => [
  'plan="${RUNNER_TEMP}/tfplan.txt"',
  'terraform -chdir="${STACK}" show -no-color tfplan > "${plan}"',
  '{',
  '  echo "### Terraform plan: ${SERVICE}${ROOT:+ ${ROOT}} in ${ENVIRONMENT}"',
  '  echo',
  '  grep -E "^(Plan:|No changes\\.)" "${plan}" || echo "The plan has no summary line; read it below."',
  '  echo',
  '  echo "<details><summary>Full plan</summary>"',
  '  echo',
  '  echo "~~~"',
  `  head -c ${bytes} "\${plan}"`,
  '  echo "~~~"',
  '  echo "</details>"',
  '} >> "${GITHUB_STEP_SUMMARY}"',
];

export const TERRAFORM_PLAN_SUMMARY = script('set -euo pipefail', ...planSummaryLines(900000));

/** Staging applies what it plans, in one step; production applies a saved, approved plan (terraform-scripts.ts TERRAFORM_APPLY_SAVED). */
export const TERRAFORM_APPLY = script(
  'set -euo pipefail',
  ...withCommandsStopped(`terraform -chdir="\${STACK}" apply -input=false -lock-timeout=${LOCK_TIMEOUT} -auto-approve -var-file="env/\${ENVIRONMENT}.tfvars"`),
);

/** A dispatch's environment comes from a person: staging or production, nothing else. */
const ENVIRONMENT_CHECK = [
  'case "${ENVIRONMENT}" in',
  '  staging | production) ;;',
  '  *)',
  '    echo "::error::environment must be staging or production"',
  '    exit 1',
  '    ;;',
  'esac',
];

/** A rollback's inputs come from a person: check their shape before anything uses them. */
export const ROLLBACK_VALIDATE = script(
  'set -euo pipefail',
  ...ENVIRONMENT_CHECK,
  'if [[ ! "${TAG}" =~ ^[0-9a-f]{40}$ ]]; then',
  '  echo "::error::tag must be the full 40-character commit SHA the image was built from"',
  '  exit 1',
  'fi',
);

/**
 * The approval of a manual job's run, in the chosen environment (whose reviewers
 * approve a production run like a production deploy): ENVIRONMENT, JOB (the
 * dispatch's choice), JOBS (the service's manual jobs, space-separated) and TAG
 * (empty: a run is not a rollback).
 */
export const RUN_VALIDATE = script(
  'set -euo pipefail',
  ...ENVIRONMENT_CHECK,
  'if [ -n "${TAG}" ]; then',
  '  echo "::error::give a tag to roll back to, or a job to run, not both"',
  '  exit 1',
  'fi',
  'if [[ ! "${JOB}" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || [[ " ${JOBS} " != *" ${JOB} "* ]]; then',
  '  echo "::error::job must be one of the manual jobs of this service: ${JOBS}"',
  '  exit 1',
  'fi',
);

/**
 * What a pull request does to the generated tree, per service and target, in the
 * job summary: `paved diff` compiles the base (the merge commit's first parent)
 * and the pull request in memory and names the objects, resources, images and
 * IAM actions that change.
 */
export const CHECK_SUMMARY = `${PAVED} diff --base HEAD^1 --format markdown >> "\${GITHUB_STEP_SUMMARY}"`;
