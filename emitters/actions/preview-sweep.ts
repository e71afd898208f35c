import type { ResolvedProject } from '../../spec/model.js';
import { PREVIEW_SWEEP } from './check-scripts.js';
import type { Workflow } from './model.js';
import { RUNNER } from './pins.js';
import { awsCredentials, kubeconfig } from './steps.js';

export const PREVIEWS_WORKFLOW_FILE = 'paved-previews.yml';

/** Every hour, at a minute GitHub's top-of-the-hour rush leaves alone. */
export const SWEEP_CRON = '41 * * * *';

/**
 * The labels paved puts on every preview namespace (emitters/kubernetes/labels.ts,
 * `managed-by`, `part-of` the platform, `environment` preview); the sweep looks
 * at no other namespace. test/conformance/actions-checks.test.ts holds the two together.
 */
export const previewSelector = (project: ResolvedProject): string =>
  `app.kubernetes.io/managed-by=paved,app.kubernetes.io/part-of=${project.platform.name},paved.dev/environment=preview`;

/**
 * `paved-previews.yml`, when a service has previews: a scheduled sweep (and a
 * manual one) deletes the preview namespaces of closed pull requests, which the
 * teardown job missed (a deploy that raced the close, a failed teardown, a
 * cluster that was down). It assumes the preview CI role from main (the role
 * trusts `ref:refs/heads/main` for this: emitters/platform/terraform/ci.ts) and
 * reads pull requests with the workflow token.
 */
export function previewSweepWorkflow(project: ResolvedProject): Workflow | undefined {
  const services = project.services.filter((service) => service.environments.preview.enabled).map((service) => service.name);
  if (services.length === 0) return undefined;
  return {
    name: 'paved previews',
    on: { schedule: [{ cron: SWEEP_CRON }], workflow_dispatch: {} },
    permissions: {},
    defaults: { run: { shell: 'bash' } },
    jobs: [
      [
        'sweep',
        {
          name: 'paved preview sweep',
          'runs-on': RUNNER,
          permissions: { 'id-token': 'write', 'pull-requests': 'read' },
          'timeout-minutes': 15,
          // One sweep at a time; a running one finishes.
          concurrency: { group: 'paved-preview-sweep', 'cancel-in-progress': false },
          steps: [
            awsCredentials(project, 'preview'),
            kubeconfig(project, 'preview'),
            {
              name: 'Delete the previews of closed pull requests',
              run: PREVIEW_SWEEP,
              env: {
                SELECTOR: previewSelector(project),
                SERVICES: services.join('\n'),
                REPOSITORY: '${{ github.repository }}',
                GH_TOKEN: '${{ github.token }}',
              },
            },
          ],
        },
      ],
    ],
  };
}
