import type { ResolvedProject } from '../../spec/model.js';
import { deployBranch } from '../../spec/naming.js';
import type { Job, Workflow } from './model.js';
import { inRepo, workingDirectory } from './paths.js';
import { PINNED_ACTIONS as A, RUNNER } from './pins.js';
import { CACHE_FOLDER, checkRecordFile } from '../../spec/layout.js';
import { CHECK_SUMMARY } from './scripts.js';
import { CHECK_BASE, GATE, PAVED_CHECK } from './check-scripts.js';
import { GATED, jobName } from './checks.js';
import { APPROVED, PLATFORM_CHANGES, PLATFORM_RELEASE } from './release-scripts.js';
import { releaseToken } from './release-token.js';
import { checkout, installPaved, setupNode } from './steps.js';
import { MAIN_BRANCH, RELEASE_ENVIRONMENT } from './service-workflow.js';

/**
 * `paved-check.yml`, once per repository: every pull request, merge group and
 * push to main proves the committed generated tree is what the specs compile to
 * (`paved check`, drift as annotations on the files), and a pull request's job
 * summary lists what it changes in the generated tree, service by service
 * (`paved diff` against the base branch). `paved gate` is the one check branch
 * protection requires (docs/targets/actions.md, Required checks). On a push to main, once the
 * check passes, the platform layer (`_platform/kubernetes/<env>`,
 * `_platform/argocd`) is released to staging's deploy branch, then, when
 * production's differs and the `production` environment's reviewers approve,
 * to production's.
 */
export function checkWorkflow(project: ResolvedProject): Workflow {
  const root = inRepo(project, '.');
  // Where paved check --record leaves check-<sha>.json (spec/layout.ts checkRecordFile).
  const record = inRepo(project, CACHE_FOLDER);
  // Only the paved root can change what paved generates; at the repository root that is every change.
  // Pull requests and merge groups take no paths filter: the required gate must report for every one.
  const paths = root === '.' ? {} : { paths: [`${root}/**`] };
  return {
    name: 'paved check',
    on: { pull_request: {}, merge_group: { types: ['checks_requested'] }, push: { branches: [MAIN_BRANCH], ...paths } },
    permissions: {},
    defaults: { run: { shell: 'bash' } },
    jobs: [
      [
        'check',
        {
          name: 'paved check',
          'runs-on': RUNNER,
          permissions: { contents: 'read' },
          'timeout-minutes': 15,
          concurrency: { group: 'paved-check-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': true },
          steps: [
            // Two commits: a pull request's merge commit and its first parent, the base branch.
            checkout({ fetchDepth: 2 }),
            setupNode(),
            installPaved(project),
            {
              name: 'Find the base',
              id: 'base',
              run: CHECK_BASE,
              'working-directory': workingDirectory(project),
              env: { EVENT: '${{ github.event_name }}', BASE_SHA: '${{ github.event.merge_group.base_sha }}', FETCH_TOKEN: '${{ github.token }}' },
            },
            // Saved only by pushes to main; held to the base commit by paved, so a record from anywhere vouches for nothing the base lacks.
            {
              name: "Restore the base's check record",
              if: "steps.base.outputs.sha != ''",
              uses: A.cacheRestore,
              with: { path: `${record}/${checkRecordFile('${{ steps.base.outputs.sha }}')}`, key: 'paved-check-${{ steps.base.outputs.sha }}' },
            },
            {
              name: 'paved check',
              run: PAVED_CHECK,
              'working-directory': workingDirectory(project),
              env: { EVENT: '${{ github.event_name }}', BASE_SHA: '${{ github.event.merge_group.base_sha }}', FETCH_TOKEN: '${{ github.token }}' },
            },
            {
              name: 'Save the check record',
              if: "github.event_name == 'push'",
              uses: A.cacheSave,
              with: { path: `${record}/${checkRecordFile('${{ github.sha }}')}`, key: 'paved-check-${{ github.sha }}' },
            },
            {
              name: 'Summarize the generated changes',
              if: "always() && github.event_name == 'pull_request'",
              run: CHECK_SUMMARY,
              'working-directory': workingDirectory(project),
            },
          ],
        },
      ],
      ['gate', gateJob(project)],
      ...platformReleaseJobs(project),
    ],
  };
}

/** How long the gate waits for the service checks, within its job timeout. */
const GATE_WAIT_SECONDS = 50 * 60;
const GATE_POLL_SECONDS = 30;

/**
 * `paved gate`: reports on every pull request, merge group and push, whatever
 * happened to `paved check` (`!cancelled()`: a superseded run's gate stops,
 * the newer run's reports). It succeeds only when paved check succeeded and,
 * for a pull request or merge group, every service's gated jobs (checks.ts
 * GATED) on the head commit succeeded or were skipped.
 */
function gateJob(project: ResolvedProject): Job {
  // A retired service's workflow is its teardown, which runs no gated job.
  const checks = project.services.filter((service) => !service.retired).flatMap((service) => Object.values(GATED).map((title) => jobName(service, title)));
  return {
    name: 'paved gate',
    if: '!cancelled()',
    needs: ['check'],
    'runs-on': RUNNER,
    permissions: { checks: 'read' },
    'timeout-minutes': 60,
    concurrency: { group: 'paved-gate-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': true },
    steps: [
      {
        name: 'Wait for paved check and the service checks',
        run: GATE,
        env: {
          CHECK_RESULT: '${{ needs.check.result }}',
          EVENT: '${{ github.event_name }}',
          REPOSITORY: '${{ github.repository }}',
          HEAD_SHA: '${{ github.event.pull_request.head.sha || github.event.merge_group.head_sha || github.sha }}',
          GH_TOKEN: '${{ github.token }}',
          CHECKS: checks.join('\n'),
          WAIT_SECONDS: String(GATE_WAIT_SECONDS),
          POLL_SECONDS: String(GATE_POLL_SECONDS),
        },
      },
    ],
  };
}

const PUSH_TO_MAIN = "github.event_name == 'push'";

/** A platform release job: the run's own commit with its history, the release token from the paved-release environment (release-token.ts). */
function platformRelease(project: ResolvedProject, env: 'staging' | 'production', needs: readonly string[], extra: Partial<Job> = {}): Job {
  const token = releaseToken(project);
  const tokenEnv = { OUT: project.output.dir, DEPLOY_BRANCH: deployBranch(env), PUSH_TOKEN: token.token };
  return {
    name: `Release the platform layer to ${env}`,
    'runs-on': RUNNER,
    if: PUSH_TO_MAIN,
    needs,
    environment: RELEASE_ENVIRONMENT,
    permissions: { contents: 'read' },
    'timeout-minutes': 20,
    concurrency: { group: `paved-platform-${env}-release`, 'cancel-in-progress': false },
    ...extra,
    steps: [
      checkout({ fetchDepth: 0 }),
      setupNode(),
      installPaved(project),
      ...token.steps,
      {
        name: 'Release to the deploy branch',
        run: PLATFORM_RELEASE,
        env: { ENVIRONMENT: env, TAG: '${{ github.sha }}', ...tokenEnv },
        'working-directory': workingDirectory(project),
      },
      ...(env === 'staging'
        ? [
            {
              name: "Compare production's platform layer",
              id: 'changes',
              run: PLATFORM_CHANGES,
              env: { ...tokenEnv, DEPLOY_BRANCH: deployBranch('production') },
              'working-directory': workingDirectory(project),
            },
          ]
        : []),
    ],
  };
}

function platformReleaseJobs(project: ResolvedProject): Array<readonly [string, Job]> {
  const changed = "needs.platform-staging.outputs.production == 'true'";
  return [
    ['platform-staging', platformRelease(project, 'staging', ['check'], { outputs: { production: '${{ steps.changes.outputs.production }}' } })],
    [
      'platform-approve',
      {
        name: 'Approve the platform layer for production',
        'runs-on': RUNNER,
        if: `${PUSH_TO_MAIN} && ${changed}`,
        needs: ['platform-staging'],
        environment: 'production',
        permissions: {},
        'timeout-minutes': 5,
        concurrency: { group: 'paved-platform-production-approval', 'cancel-in-progress': false },
        steps: [{ name: 'Approved', run: APPROVED, env: { ENVIRONMENT: 'production' } }],
      },
    ],
    ['platform-production', platformRelease(project, 'production', ['platform-staging', 'platform-approve'], { if: `${PUSH_TO_MAIN} && ${changed}` })],
  ];
}
