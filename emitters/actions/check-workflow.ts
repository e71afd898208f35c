import type { ResolvedProject } from '../../spec/model.js';
import { deployBranch } from '../../spec/naming.js';
import type { Job, Workflow } from './model.js';
import { inRepo, workingDirectory } from './paths.js';
import { RUNNER } from './pins.js';
import { CHECK_SUMMARY, PAVED_CHECK } from './scripts.js';
import { APPROVED, PLATFORM_CHANGES, PLATFORM_RELEASE } from './release-scripts.js';
import { checkout, installPaved, setupNode } from './steps.js';
import { MAIN_BRANCH, RELEASE_ENVIRONMENT } from './service-workflow.js';

/**
 * `paved-check.yml`, once per repository: every pull request and every push to
 * main proves the committed generated tree is what the specs compile to
 * (`paved check`, drift as annotations on the files), and a pull request's job
 * summary lists what it changes in the generated tree, service by service
 * (`paved diff` against the base branch). On a push to main, once the check
 * passes, the platform layer (`_platform/kubernetes/<env>`, `_platform/argocd`)
 * is released to staging's deploy branch, then, when production's differs and
 * the `production` environment's reviewers approve, to production's.
 */
export function checkWorkflow(project: ResolvedProject): Workflow {
  const root = inRepo(project, '.');
  // Only the paved root can change what paved generates; at the repository root that is every change.
  const paths = root === '.' ? {} : { paths: [`${root}/**`] };
  return {
    name: 'paved check',
    on: { pull_request: { ...paths }, push: { branches: [MAIN_BRANCH], ...paths } },
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
            { name: 'paved check', run: PAVED_CHECK, 'working-directory': workingDirectory(project) },
            {
              name: 'Summarize the generated changes',
              if: "always() && github.event_name == 'pull_request'",
              run: CHECK_SUMMARY,
              'working-directory': workingDirectory(project),
            },
          ],
        },
      ],
      ...platformReleaseJobs(project),
    ],
  };
}

const PUSH_TO_MAIN = "github.event_name == 'push'";

/** A platform release job: the run's own commit with its history, the release token from the paved-release environment. */
function platformRelease(project: ResolvedProject, env: 'staging' | 'production', needs: readonly string[], extra: Partial<Job> = {}): Job {
  const tokenEnv = { OUT: project.output.dir, DEPLOY_BRANCH: deployBranch(env), PUSH_TOKEN: `\${{ secrets.${project.platform.ci.releaseToken} }}` };
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
      { name: 'Release to the deploy branch', run: PLATFORM_RELEASE, env: { ENVIRONMENT: env, TAG: '${{ github.sha }}', ...tokenEnv }, 'working-directory': workingDirectory(project) },
      ...(env === 'staging'
        ? [{ name: "Compare production's platform layer", id: 'changes', run: PLATFORM_CHANGES, env: { ...tokenEnv, DEPLOY_BRANCH: deployBranch('production') }, 'working-directory': workingDirectory(project) }]
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
