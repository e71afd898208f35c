import { PAVED } from './scripts.js';
import { script } from './script-text.js';

/**
 * The release scripts: they move an environment's deploy branch
 * (`paved/deploy/<env>`, which Argo CD tracks) and never push to main, so
 * main's branch protection never stands in a release's way (README, Deploy,
 * promotion and rollback). Like every script in scripts.ts they are constant
 * text reading their inputs from the step's `env:`.
 *
 * A release runs in a checkout of the run's own commit, with full history (the
 * ancestor check needs it), and renders with the paved that commit's lockfile
 * installs. It then copies only what it releases into a worktree of the deploy
 * branch's head, commits and pushes. When the push is rejected because another
 * release landed first, it starts again from the new head (a fresh copy, never a
 * textual rebase), after a jittered pause that doubles up to 8 to 16 seconds,
 * for up to ten minutes.
 */

/** How long a release keeps retrying a rejected push before it gives up. */
export const RELEASE_DEADLINE_SECONDS = 600;

/** The token arrives in PUSH_TOKEN, becomes a git header for fetch and push only, and leaves the environment before anything else runs. */
const AUTH = [
  'if [ -z "${PUSH_TOKEN}" ]; then',
  '  echo "::error::the release token is empty: create the Actions secret named by platform.yaml ci.releaseToken (docs/targets/actions.md, Deploy, promotion and rollback)"',
  '  exit 1',
  'fi',
  'auth="AUTHORIZATION: basic $(printf "x-access-token:%s" "${PUSH_TOKEN}" | base64 --wrap=0)"',
  'unset PUSH_TOKEN',
];

const TAG_CHECK = ['if [[ ! "${TAG}" =~ ^[0-9a-f]{40}$ ]]; then', '  echo "::error::tag must be the full 40-character commit SHA"', '  exit 1', 'fi'];

/** The git identity of release commits, the paved root's prefix, a scratch folder and the retry state. */
const SETUP = [
  'git config user.name "paved-release"',
  'git config user.email "paved-release@users.noreply.github.com"',
  // The paved root inside the repository (`gitops.path`), with a trailing slash, or nothing at the root.
  'prefix="$(git rev-parse --show-prefix)"',
  'work="$(mktemp -d)"',
  'deploy="${work}/deploy"',
  'trap \'git worktree remove --force "${deploy}" > /dev/null 2>&1 || true; rm -rf "${work}"\' EXIT',
  `deadline=$((SECONDS + ${RELEASE_DEADLINE_SECONDS}))`,
  'delay=2',
  'attempt=1',
];

const TOKEN = [...AUTH, ...TAG_CHECK, ...SETUP];

/** Sets `base` to the deploy branch's head, fetched now, or to an empty first commit when the branch does not exist yet. */
const FETCH_BASE = [
  '  status=0',
  '  git -c "http.extraheader=${auth}" ls-remote --exit-code --heads origin "refs/heads/${DEPLOY_BRANCH}" > /dev/null || status=$?',
  '  if [ "${status}" -eq 0 ]; then',
  '    git -c "http.extraheader=${auth}" fetch --quiet --no-tags origin "+refs/heads/${DEPLOY_BRANCH}:refs/paved/deploy"',
  '    base="$(git rev-parse refs/paved/deploy)"',
  '  elif [ "${status}" -eq 2 ]; then',
  '    base="$(git commit-tree -m "paved: start ${DEPLOY_BRANCH}" "$(git hash-object -w -t tree /dev/null)")"',
  '  else',
  '    echo "::error::could not read ${DEPLOY_BRANCH} from origin"',
  '    exit 1',
  '  fi',
];

/** A fresh worktree of `base` at `deploy`. */
const WORKTREE = ['  git worktree remove --force "${deploy}" > /dev/null 2>&1 || true', '  git worktree add --quiet --detach "${deploy}" "${base}"'];

/** A fresh worktree of `base` at `deploy`, into which `paths` (paved-root relative) are copied from the workspace as they are, or removed where the workspace has none. */
const COPY = [
  ...WORKTREE,
  '  for path in "${paths[@]}"; do',
  '    rm -rf "${deploy:?}/${prefix}${path}"',
  '    if [ -e "${path}" ]; then',
  '      mkdir -p "$(dirname "${deploy}/${prefix}${path}")"',
  '      cp -R "${path}" "${deploy}/${prefix}${path}"',
  '    fi',
  '  done',
  '  git -C "${deploy}" add --all',
];

/** What PUSH says: when there is nothing to commit, its commit message, once pushed, and what it could not push. */
interface PushTexts {
  readonly unchanged: string;
  readonly message: string;
  readonly pushed: string;
  readonly failed: string;
}

const releaseTexts = (what: string): PushTexts => ({
  unchanged: `${DEPLOY_BRANCH_TEXT} already holds ${what} at \${TAG}; nothing to commit`,
  message: `paved: release ${what} \${TAG} to \${ENVIRONMENT}`,
  pushed: `released ${what} \${TAG} to \${ENVIRONMENT}`,
  failed: `the release of ${what}`,
});

/** Commit (with the released commit as a trailer, which the platform's ancestor check reads) and push; on rejection, wait and go round again. */
const PUSH = (texts: PushTexts): string[] => [
  '  if git -C "${deploy}" diff --cached --quiet; then',
  `    echo "${texts.unchanged}"`,
  '    exit 0',
  '  fi',
  `  git -C "\${deploy}" commit --quiet --message "${texts.message}" --trailer "Released-From: \${TAG}"`,
  '  if git -C "${deploy}" -c "http.extraheader=${auth}" push --quiet origin "HEAD:refs/heads/${DEPLOY_BRANCH}"; then',
  `    echo "${texts.pushed} (\${DEPLOY_BRANCH} is now $(git -C "\${deploy}" rev-parse HEAD))"`,
  '    exit 0',
  '  fi',
  '  if [ "${SECONDS}" -ge "${deadline}" ]; then',
  `    echo "::error::could not push ${texts.failed} to \${DEPLOY_BRANCH} in ${RELEASE_DEADLINE_SECONDS / 60} minutes (\${attempt} attempts); run the job again"`,
  '    exit 1',
  '  fi',
  // Equal jitter: half the delay plus up to the other half at random, so concurrent releases spread out.
  '  pause=$((delay / 2 + RANDOM % (delay / 2 + 1)))',
  '  echo "pushing to ${DEPLOY_BRANCH} was rejected (attempt ${attempt}): another release landed first; starting again from its new head in ${pause}s"',
  '  sleep "${pause}"',
  '  delay=$((delay < 16 ? delay * 2 : 16))',
  '  attempt=$((attempt + 1))',
];

const DEPLOY_BRANCH_TEXT = '${DEPLOY_BRANCH}';

/** recorded <commit>: what that commit's releases.yaml records for the service in the environment, "<tag> [<digest>]", or nothing. */
const RECORDED = [
  'recorded() {',
  '  rm -rf "${work}/show"',
  '  mkdir "${work}/show"',
  '  if git cat-file -e "$1:${releases}" 2> /dev/null; then git show "$1:${releases}" > "${work}/show/releases.yaml"; fi',
  `  ${PAVED} release "\${SERVICE}" --env "\${ENVIRONMENT}" --show --root "\${work}/show"`,
  '}',
];

/**
 * A service's release (ROLLBACK empty) or rollback (ROLLBACK=true) to ENVIRONMENT.
 * Inputs: SERVICE, ENVIRONMENT, TAG (the commit), DIGEST (a release's image
 * digest), OUT (output.dir), DEPLOY_BRANCH, PUSH_TOKEN, ROLLBACK.
 *
 * - Same tag as recorded: nothing to do.
 * - A release refuses when any release of the service to the environment
 *   came from a commit newer than TAG (TAG is its ancestor): a re-run of an
 *   old run or a stale commit never moves back, nor undoes a rollback.
 * - A rollback goes only to a tag the deploy branch's history recorded for the
 *   service in the environment, with the digest recorded then.
 * - Copied: the environment's manifests, the service's Application and
 *   releases.yaml; nothing else the compile wrote is swept in.
 * - A service the commit no longer deploys, deleted or retired, leaves the
 *   deploy branch (its manifests and Application; `paved release` drops its record).
 */
export const RELEASE_DEPLOY = script(
  'set -euo pipefail',
  ...TOKEN,
  'releases="${prefix}releases.yaml"',
  'paths=("${OUT}/${SERVICE}/kubernetes/${ENVIRONMENT}" "${OUT}/argocd/${SERVICE}-${ENVIRONMENT}.yaml" releases.yaml)',
  ...RECORDED,
  'while :; do',
  ...FETCH_BASE,
  '  current="$(recorded "${base}")"',
  '  read -r current_tag _ <<< "${current}"',
  '  if [ "${current_tag}" = "${TAG}" ]; then',
  '    echo "${SERVICE} already runs ${TAG} in ${ENVIRONMENT} (${DEPLOY_BRANCH}); nothing to release"',
  '    exit 0',
  '  fi',
  '  digest="${DIGEST:-}"',
  '  if [ "${ROLLBACK:-}" = true ]; then',
  '    found=""',
  // -G: commits of the deploy branch whose releases.yaml diff adds or removes a line holding the tag (hex only, checked above).
  '    for commit in $(git log --format=%H -G "${TAG}" "${base}" -- ":(top)${releases}"); do',
  '      entry="$(recorded "${commit}")"',
  '      read -r tag digest <<< "${entry}"',
  '      if [ "${tag}" = "${TAG}" ]; then',
  '        found="${commit}"',
  '        break',
  '      fi',
  '    done',
  '    if [ -z "${found}" ]; then',
  '      echo "::error::${SERVICE} never ran ${TAG} in ${ENVIRONMENT}: ${DEPLOY_BRANCH} has no release of it, and a rollback goes only to an earlier release"',
  '      exit 1',
  '    fi',
  '    echo "rolling ${SERVICE} in ${ENVIRONMENT} back to ${TAG}${digest:+@${digest}}, released by ${found}"',
  '  else',
  // Every commit the service was ever released from here (its releases' trailers), not only the current one:
  // after a rollback, a late run of a commit older than the newest release must not undo the rollback.
  '    for released in $(git log --format="%(trailers:key=Released-From,valueonly)" "${base}" -- ":(top)${prefix}${OUT}/${SERVICE}/kubernetes/${ENVIRONMENT}" | sort -u); do',
  '      if [ "${released}" != "${TAG}" ] && git cat-file -e "${released}^{commit}" 2> /dev/null && git merge-base --is-ancestor "${TAG}" "${released}"; then',
  '        echo "::error::${SERVICE} was released from ${released} in ${ENVIRONMENT}, which is newer than ${TAG}: refusing to move ${ENVIRONMENT} backwards (a re-run of an older run, or a stale commit); to go back on purpose, run the Roll back job"',
  '        exit 1',
  '      fi',
  '    done',
  '  fi',
  // The deploy branch's records, then this release's, rendered by this commit's paved.
  '  if git cat-file -e "${base}:${releases}" 2> /dev/null; then git show "${base}:${releases}" > releases.yaml; else rm -f releases.yaml; fi',
  '  release=(release "${SERVICE}" --env "${ENVIRONMENT}" --tag "${TAG}")',
  '  if [ -n "${digest}" ]; then release+=(--digest "${digest}"); fi',
  // The service's manifests depend on its own record only, the same in every attempt: validated and
  // rendered once; a retry only records it in the new head's releases.yaml, keeping the retry short.
  '  if [ -z "${rendered:-}" ]; then',
  `    ${PAVED} "\${release[@]}"`,
  `    ${PAVED} compile`,
  '    rendered=true',
  '  else',
  `    ${PAVED} "\${release[@]}" --record-only`,
  '  fi',
  ...COPY,
  // A service this commit no longer deploys (deleted, or retired: its compile wrote no manifests for it) leaves the
  // deploy branch: its manifests and its Application, so Argo CD prunes it. paved check --base lets a service go only once retired.
  '  for dir in "${deploy}/${prefix}${OUT}"/*/kubernetes/"${ENVIRONMENT}"; do',
  '    gone="$(basename "$(dirname "$(dirname "${dir}")")")"',
  '    if [ -d "${dir}" ] && [ "${gone}" != _platform ] && [ ! -d "${OUT}/${gone}/kubernetes/${ENVIRONMENT}" ]; then',
  '      echo "${gone} is no longer deployed (deleted or retired): its manifests and Application leave ${DEPLOY_BRANCH}"',
  '      git -C "${deploy}" rm --quiet -r --ignore-unmatch -- "${prefix}${OUT}/${gone}/kubernetes/${ENVIRONMENT}" "${prefix}${OUT}/argocd/${gone}-${ENVIRONMENT}.yaml"',
  '    fi',
  '  done',
  ...PUSH(releaseTexts('${SERVICE}')),
  'done',
);

/**
 * One run of a manual job in ENVIRONMENT (`paved run`): its Job joins the
 * service's manifests on the deploy branch, where Argo CD creates it once.
 * Inputs: SERVICE, JOB, RUN_ID (the workflow's run number), ENVIRONMENT, OUT,
 * DEPLOY_BRANCH, PUSH_TOKEN.
 *
 * - It runs with the image the environment runs, read from the deploy branch's
 *   releases.yaml, and the template of the commit that rendered the running
 *   release (the branch's Released-From trailer for the service), never the
 *   newer config of this run's own commit.
 * - The Job's file is `run-<job>.yaml`: a new run of the job replaces the last
 *   one's file; the next release replaces the folder and the run leaves the branch
 *   (the Job stays in the cluster, emitters/kubernetes/run.ts).
 * - A re-run of the same workflow run finds its own Job there and commits nothing.
 */
export const RUN_JOB = script(
  'set -euo pipefail',
  ...AUTH,
  // JOB becomes a file name: the approval job checked it against the service's manual jobs, and this checks its shape again.
  'if [[ ! "${JOB}" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || [[ ! "${RUN_ID}" =~ ^[0-9]{1,10}$ ]]; then',
  '  echo "::error::job must be the name of a manual job and the run id a number"',
  '  exit 1',
  'fi',
  ...SETUP,
  'releases="${prefix}releases.yaml"',
  'dir="${OUT}/${SERVICE}/kubernetes/${ENVIRONMENT}"',
  ...RECORDED,
  'while :; do',
  ...FETCH_BASE,
  '  read -r tag digest <<< "$(recorded "${base}")"',
  '  if [ -z "${tag:-}" ]; then',
  '    echo "::error::${SERVICE} has no release in ${ENVIRONMENT} (${DEPLOY_BRANCH}): a manual job runs with the image the environment runs, so release it first"',
  '    exit 1',
  '  fi',
  // TAG: the commit that rendered the running release, the trailer its run commit carries too.
  '  TAG="$(git log -1 --format="%(trailers:key=Released-From,valueonly)" "${base}" -- ":(top)${prefix}${dir}" | tr -d "[:space:]")"',
  '  if [[ ! "${TAG}" =~ ^[0-9a-f]{40}$ ]] || ! git cat-file -e "${TAG}^{commit}" 2> /dev/null; then',
  '    echo "::error::the commit that rendered ${SERVICE} in ${ENVIRONMENT} (${TAG:-none recorded on ${DEPLOY_BRANCH}}) is not in this repository\'s history"',
  '    exit 1',
  '  fi',
  '  git worktree remove --force "${work}/source" > /dev/null 2>&1 || true',
  '  git worktree add --quiet --detach "${work}/source" "${TAG}"',
  '  run=(run "${SERVICE}" "${JOB}" --env "${ENVIRONMENT}" --id "${RUN_ID}" --tag "${tag}" --out "${work}/run.yaml" --root "${work}/source/${prefix}")',
  '  if [ -n "${digest:-}" ]; then run+=(--digest "${digest}"); fi',
  `  ${PAVED} "\${run[@]}"`,
  ...WORKTREE,
  '  if [ ! -d "${deploy}/${prefix}${dir}" ]; then',
  '    echo "::error::${DEPLOY_BRANCH} holds no manifests of ${SERVICE} in ${ENVIRONMENT}"',
  '    exit 1',
  '  fi',
  '  cp "${work}/run.yaml" "${deploy}/${prefix}${dir}/run-${JOB}.yaml"',
  '  git -C "${deploy}" add --all',
  ...PUSH({
    unchanged: `${DEPLOY_BRANCH_TEXT} already holds run \${RUN_ID} of \${JOB}; nothing to commit`,
    message: 'paved: run ${JOB} of ${SERVICE} in ${ENVIRONMENT} (run ${RUN_ID})',
    pushed: 'started run ${RUN_ID} of ${JOB} in ${ENVIRONMENT}: Argo CD creates its Job',
    failed: 'the run of ${JOB}',
  }),
  'done',
);

/**
 * A retired service's teardown, first step in each environment: its manifests
 * and Application leave ENVIRONMENT's deploy branch, so Argo CD prunes its
 * workload before its Terraform is destroyed. A no-op when they are gone
 * already (a re-run, or a release of another service that took them off).
 * Inputs: SERVICE, ENVIRONMENT, TAG (the retiring commit, the commit's
 * Released-From trailer), OUT, DEPLOY_BRANCH, PUSH_TOKEN. Nothing is rendered:
 * the paths are removed, whatever the workspace holds.
 */
export const RETIRE_DEPLOY = script(
  'set -euo pipefail',
  ...TOKEN,
  'while :; do',
  ...FETCH_BASE,
  ...WORKTREE,
  '  git -C "${deploy}" rm --quiet -r --ignore-unmatch -- "${prefix}${OUT}/${SERVICE}/kubernetes/${ENVIRONMENT}" "${prefix}${OUT}/argocd/${SERVICE}-${ENVIRONMENT}.yaml"',
  ...PUSH({
    unchanged: `${DEPLOY_BRANCH_TEXT} holds no manifests or Application of \${SERVICE}; nothing to take off`,
    message: 'paved: retire ${SERVICE} from ${ENVIRONMENT} at ${TAG}',
    pushed: 'took ${SERVICE} off ${ENVIRONMENT}: Argo CD prunes its workload',
    failed: 'the retirement of ${SERVICE}',
  }),
  'done',
);

/**
 * The platform layer of one environment (`_platform/kubernetes/<env>` and
 * `_platform/argocd`) to its deploy branch, from paved-check.yml on a push to
 * main. Inputs: ENVIRONMENT, TAG, OUT, DEPLOY_BRANCH, PUSH_TOKEN. It refuses
 * when the branch's last platform release came from a newer commit (the
 * `Released-From` trailer), as a service release does.
 */
export const PLATFORM_RELEASE = script(
  'set -euo pipefail',
  ...TOKEN,
  'paths=("${OUT}/_platform/kubernetes/${ENVIRONMENT}" "${OUT}/_platform/argocd")',
  'while :; do',
  ...FETCH_BASE,
  '  last="$(git log -1 --format="%(trailers:key=Released-From,valueonly)" "${base}" -- "${prefix}${OUT}/_platform" | tr -d "[:space:]")"',
  '  if [ -n "${last}" ] && [ "${last}" != "${TAG}" ] && git cat-file -e "${last}^{commit}" 2> /dev/null && git merge-base --is-ancestor "${TAG}" "${last}"; then',
  '    echo "::error::${DEPLOY_BRANCH} holds the platform layer of ${last}, which is newer than ${TAG}: refusing to move ${ENVIRONMENT} backwards"',
  '    exit 1',
  '  fi',
  `  ${PAVED} compile`,
  ...COPY,
  ...PUSH(releaseTexts('the platform layer')),
  'done',
);

/**
 * Whether the platform layer of production on its deploy branch differs from
 * this commit's (GITHUB_OUTPUT `production=true|false`), so that a push to main
 * that changes nothing there asks production's reviewers nothing. Inputs: OUT,
 * DEPLOY_BRANCH (production's), PUSH_TOKEN.
 */
export const PLATFORM_CHANGES = script(
  'set -euo pipefail',
  'auth="AUTHORIZATION: basic $(printf "x-access-token:%s" "${PUSH_TOKEN}" | base64 --wrap=0)"',
  'unset PUSH_TOKEN',
  'prefix="$(git rev-parse --show-prefix)"',
  'paths=("${prefix}${OUT}/_platform/kubernetes/production" "${prefix}${OUT}/_platform/argocd")',
  'changed=true',
  'if git -c "http.extraheader=${auth}" fetch --quiet --no-tags origin "+refs/heads/${DEPLOY_BRANCH}:refs/paved/production" 2> /dev/null; then',
  '  if git diff --quiet refs/paved/production HEAD -- "${paths[@]}"; then changed=false; fi',
  'fi',
  'echo "production=${changed}" >> "${GITHUB_OUTPUT}"',
  'if [ "${changed}" = true ]; then echo "the platform layer of production differs from ${DEPLOY_BRANCH}: it needs a release"; else echo "the platform layer of production matches ${DEPLOY_BRANCH}: nothing to release"; fi',
);

/** The step of a job that exists for its environment's approval alone. */
export const APPROVED = 'echo "approved in the ${ENVIRONMENT} environment"';
