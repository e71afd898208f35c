import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { CHANGES } from './check-scripts.js';
import type { Job } from './model.js';
import { servicePaths } from './paths.js';
import { RUNNER } from './pins.js';
import { checkout } from './steps.js';

/**
 * A job's check name, `<service>: <title>`: GitHub names a check run after its
 * job, and branch protection requires checks by that name, so every service's
 * `Test` must be told apart from every other's.
 */
export const jobName = (service: ResolvedService, title: string): string => `${service.name}: ${title}`;

/**
 * The titles of the jobs a pull request or merge group must pass for a service,
 * which `paved gate` (check-workflow.ts) waits for. Changes is among them: if it
 * fails, the jobs after it are skipped, and a skipped job reports success.
 */
export const GATED = { changes: 'Changes', test: 'Test', build: 'Build image', plan: 'Plan staging infrastructure' } as const;

/** The output the jobs of a pull request or merge group read: `needs.changes.outputs.affected`. */
export const AFFECTED = "needs.changes.outputs.affected == 'true'";

const CHANGES_EVENTS =
  "github.event_name == 'push' || github.event_name == 'merge_group' || (github.event_name == 'pull_request' && github.event.action != 'closed')";

/**
 * The first job of a service workflow: is this service affected? It replaces
 * `on.pull_request.paths`, which would start no run, and so report no check,
 * for a pull request outside the service: the workflow runs for every pull
 * request and merge group, and the jobs after this one are skipped (reported as
 * success) when nothing under the service's paths changed. Push keeps its
 * `paths` filter and this job reports `affected` for it.
 */
export function changesJob(service: ResolvedService, project: ResolvedProject): Job {
  return {
    name: jobName(service, GATED.changes),
    if: CHANGES_EVENTS,
    'runs-on': RUNNER,
    permissions: { contents: 'read' },
    'timeout-minutes': 5,
    concurrency: {
      group: `paved-${service.name}-changes-\${{ github.event.pull_request.number || github.ref }}`,
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    },
    outputs: { affected: '${{ steps.changes.outputs.affected }}' },
    steps: [
      // A pull request's merge commit and its first parent, the base branch.
      checkout({ fetchDepth: 2 }),
      {
        name: 'Find whether the change affects this service',
        id: 'changes',
        run: CHANGES,
        env: {
          SERVICE: service.name,
          EVENT: '${{ github.event_name }}',
          BASE_SHA: '${{ github.event.merge_group.base_sha }}',
          FETCH_TOKEN: '${{ github.token }}',
          PATHS: servicePaths(project, service).join('\n'),
        },
      },
    ],
  };
}
