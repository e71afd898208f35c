import type { ResolvedProject } from '../../spec/model.js';
import type { Workflow } from './model.js';
import { inRepo, workingDirectory } from './paths.js';
import { RUNNER } from './pins.js';
import { CHECK_SUMMARY, PAVED_CHECK } from './scripts.js';
import { checkout, installPaved, setupNode } from './steps.js';
import { MAIN_BRANCH } from './service-workflow.js';

/**
 * `paved-check.yml`, once per repository: every pull request and every push to
 * main proves the committed generated tree is what the specs compile to
 * (`paved check`, drift as annotations on the files), and a pull request's job
 * summary lists what it changes in the generated tree, service by service
 * (`paved diff` against the base branch).
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
    ],
  };
}
