/**
 * The scripts of the required-check and preview-lifetime jobs (checks.ts,
 * check-workflow.ts, preview-sweep.ts): constant text like scripts.ts, fed only
 * through `env:`. test/conformance/actions-checks.test.ts runs each with bash against real
 * git repositories and stub `gh`/`kubectl` commands.
 */

import { script } from './script-text.js';
import { PAVED } from './scripts.js';

/**
 * Lines that set `base` to what a pull request or merge group merges into (see
 * CHANGES); any other event runs `otherwise`.
 */
function baseOfEvent(otherwise: readonly string[]): string[] {
  return [
    'case "${EVENT}" in',
    '  pull_request)',
    '    base="HEAD^1"',
    '    ;;',
    '  merge_group)',
    '    if [[ ! "${BASE_SHA}" =~ ^[0-9a-f]{40}$ ]]; then',
    '      echo "::error::the merge group has no base commit SHA"',
    '      exit 1',
    '    fi',
    '    auth="AUTHORIZATION: basic $(printf "x-access-token:%s" "${FETCH_TOKEN}" | base64 --wrap=0)"',
    '    git -c "http.extraheader=${auth}" fetch --quiet --no-tags --depth=1 origin "${BASE_SHA}"',
    '    base="${BASE_SHA}"',
    '    ;;',
    '  *)',
    ...otherwise.map((line) => `    ${line}`),
    '    ;;',
    'esac',
    'unset FETCH_TOKEN',
  ];
}

/**
 * Whether this service is affected, as `affected=true|false` in GITHUB_OUTPUT.
 * A pull request compares the merge commit GitHub checked out (fetch depth 2)
 * with its first parent, the base branch it merges into; a merge group compares
 * its head with the group's base (BASE_SHA, fetched by SHA with the workflow
 * token). PATHS holds the workflow path-filter globs the push trigger uses
 * (`<dir>/**`, `**` or one file), one per line, matched as shell globs, which
 * for these three forms match what GitHub's filter matches. Any other event was
 * already filtered by its trigger (push) or is explicit (dispatch): affected.
 * File names are read NUL-separated, so no name is quoted or split.
 */
export const CHANGES = script(
  'set -euo pipefail',
  ...baseOfEvent(['echo "${EVENT}: the trigger decides; ${SERVICE} is affected"', 'echo "affected=true" >> "${GITHUB_OUTPUT}"', 'exit 0']),
  'changed="${RUNNER_TEMP}/changed-files"',
  'git diff --name-only --no-renames -z "${base}" HEAD -- > "${changed}"',
  'affected=false',
  'while IFS= read -r -d "" file; do',
  '  while IFS= read -r pattern; do',
  '    if [ -z "${pattern}" ]; then continue; fi',
  '    # The pattern is a glob on purpose.',
  '    # shellcheck disable=SC2254',
  '    case "${file}" in',
  '      ${pattern})',
  '        echo "${file} matches ${pattern}"',
  '        affected=true',
  '        ;;',
  '    esac',
  '  done <<< "${PATHS}"',
  'done < "${changed}"',
  'echo "${SERVICE} affected: ${affected}"',
  'echo "affected=${affected}" >> "${GITHUB_OUTPUT}"',
);

/**
 * The one check branch protection requires (`paved gate`). It fails unless
 * `paved check` succeeded (CHECK_RESULT). For a pull request or a merge group
 * it then waits for the check runs named in CHECKS (one per line: every
 * service's Changes, Test, Build image and Plan jobs) on HEAD_SHA, through the
 * GitHub API with the workflow token (`checks: read`), and fails when one
 * concluded other than success, skipped or neutral, or when one has not
 * reported after WAIT_SECONDS. A skipped job is one the changes job found the
 * pull request does not affect.
 */
export const GATE = script(
  'set -euo pipefail',
  'if [ "${CHECK_RESULT}" != "success" ]; then',
  '  echo "::error::the check job did not succeed (${CHECK_RESULT}); its annotations say what to fix"',
  '  exit 1',
  'fi',
  'case "${EVENT}" in',
  '  pull_request | merge_group) ;;',
  '  *)',
  '    echo "the check job succeeded; a ${EVENT} run waits for no service check"',
  '    exit 0',
  '    ;;',
  'esac',
  'deadline=$(($(date +%s) + WAIT_SECONDS))',
  'runs="${RUNNER_TEMP}/check-runs.tsv"',
  'while true; do',
  `  gh api --paginate "repos/\${REPOSITORY}/commits/\${HEAD_SHA}/check-runs?filter=latest&per_page=100" --jq '.check_runs[] | [.name, .status, (.conclusion // "")] | @tsv' > "\${runs}"`,
  '  waiting=()',
  '  failed=()',
  '  while IFS= read -r name; do',
  '    if [ -z "${name}" ]; then continue; fi',
  `    run="$(awk -F '\\t' -v name="\${name}" '$1 == name { print $2 " " $3; exit }' "\${runs}")"`,
  '    case "${run}" in',
  '      "") waiting+=("${name}") ;;',
  '      "completed success" | "completed skipped" | "completed neutral") ;;',
  '      completed*) failed+=("${name}: ${run#completed }") ;;',
  '      *) waiting+=("${name}") ;;',
  '    esac',
  '  done <<< "${CHECKS}"',
  '  if [ "${#failed[@]}" -gt 0 ]; then',
  '    for check in "${failed[@]}"; do echo "::error::${check}"; done',
  '    exit 1',
  '  fi',
  '  if [ "${#waiting[@]}" -eq 0 ]; then',
  '    echo "the check job and every service check succeeded or were skipped"',
  '    exit 0',
  '  fi',
  '  if [ "$(date +%s)" -ge "${deadline}" ]; then',
  '    for check in "${waiting[@]}"; do echo "::error::${check} did not report within ${WAIT_SECONDS} seconds"; done',
  '    exit 1',
  '  fi',
  '  echo "waiting for ${#waiting[@]} check(s): ${waiting[0]} ..."',
  '  sleep "${POLL_SECONDS}"',
  'done',
);

/**
 * Before a preview deploy: is the pull request still open? A deploy that waited
 * (for its tests, or behind another deploy) while the pull request closed would
 * otherwise recreate a namespace its teardown already deleted. `open=true|false`
 * in GITHUB_OUTPUT; the scheduled sweep removes what closes in between.
 */
export const PREVIEW_STILL_OPEN = script(
  'set -euo pipefail',
  'state="$(gh api "repos/${REPOSITORY}/pulls/${PR_NUMBER}" --jq .state)"',
  'if [ "${state}" = "open" ]; then',
  '  echo "open=true" >> "${GITHUB_OUTPUT}"',
  'else',
  '  echo "::notice::pull request ${PR_NUMBER} is ${state}; its preview is not deployed"',
  '  echo "open=false" >> "${GITHUB_OUTPUT}"',
  'fi',
);

/**
 * The scheduled sweep: every namespace on the preview cluster that paved
 * labelled as a preview of this platform (SELECTOR) and whose name is
 * `<service>-pr-<n>` for its own `app.kubernetes.io/name` label and one of
 * SERVICES (one per line), is deleted when pull request n is closed. A pull
 * request the API cannot read is left alone with a warning: the sweep deletes
 * only what it knows to be finished.
 */
export const PREVIEW_SWEEP = script(
  'set -euo pipefail',
  'namespaces="${RUNNER_TEMP}/preview-namespaces.tsv"',
  `kubectl get namespaces --selector "\${SELECTOR}" --output jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.app\\.kubernetes\\.io/name}{"\\n"}{end}' > "\${namespaces}"`,
  'deleted=0',
  "while IFS=$'\\t' read -r namespace service; do",
  '  if ! grep --quiet --line-regexp --fixed-strings -- "${service}" <<< "${SERVICES}"; then',
  '    echo "${namespace}: not a preview of this repository\'s services; left alone"',
  '    continue',
  '  fi',
  '  pr="${namespace#"${service}-pr-"}"',
  '  if [ "${namespace}" != "${service}-pr-${pr}" ] || [[ ! "${pr}" =~ ^[1-9][0-9]*$ ]]; then',
  '    echo "${namespace}: not named ${service}-pr-<number>; left alone"',
  '    continue',
  '  fi',
  '  if ! state="$(gh api "repos/${REPOSITORY}/pulls/${pr}" --jq .state)"; then',
  '    echo "::warning::could not read pull request ${pr}; ${namespace} is left for the next sweep"',
  '    continue',
  '  fi',
  '  if [ "${state}" = "closed" ]; then',
  '    kubectl delete namespace "${namespace}" --ignore-not-found --wait=false',
  '    deleted=$((deleted + 1))',
  '  else',
  '    echo "${namespace}: pull request ${pr} is ${state}"',
  '  fi',
  'done < "${namespaces}"',
  'echo "deleted ${deleted} preview namespace(s) of closed pull requests"',
);

/**
 * `paved check`, and for a pull request or merge group also against what it
 * merges into (`--base`, the same base as CHANGES): a change that would destroy
 * or replace a stateful resource fails unless a dataLoss: line acknowledges it,
 * and the check is anchored on the base's check record when the cache has one
 * (docs/incremental.md). A push to main has merged already: it checks the tree
 * alone and records the passing check for the pull requests based on it.
 */
export const PAVED_CHECK = script(
  'set -euo pipefail',
  ...baseOfEvent(['base=""']),
  'if [ -z "${base}" ]; then',
  `  ${PAVED} check --format github --record`,
  'else',
  `  ${PAVED} check --format github --base "\${base}"`,
  'fi',
);

/**
 * The full SHA of what a pull request or merge group merges into, as `sha=` in
 * GITHUB_OUTPUT (empty for any other event): the key the base's check record
 * is restored under.
 */
export const CHECK_BASE = script(
  'set -euo pipefail',
  ...baseOfEvent(['base=""']),
  'sha=""',
  'if [ -n "${base}" ]; then',
  '  sha="$(git rev-parse --verify "${base}^{commit}")"',
  'fi',
  'echo "sha=${sha}" >> "${GITHUB_OUTPUT}"',
);
