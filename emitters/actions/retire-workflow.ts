import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { deployBranch } from '../../spec/naming.js';
import { jobName } from './checks.js';
import type { Job, Step, Workflow } from './model.js';
import { servicePaths, stackDir, subscriptionsDir, workingDirectory } from './paths.js';
import { RUNNER } from './pins.js';
import { APPROVED, RETIRE_DEPLOY } from './release-scripts.js';
import { releaseToken } from './release-token.js';
import { MAIN_BRANCH, RELEASE_ENVIRONMENT } from './service-workflow.js';
import { applyGuard } from './terraform-jobs.js';
import { TERRAFORM_DESTROY } from './terraform-scripts.js';
import { awsCredentials, checkout, setupTerraform, terraformInit } from './steps.js';

/**
 * `paved-<service>.yml` of a retired service (`retired:`): its teardown, on a
 * push to main that touches it (the merge that retires it) or by hand.
 *
 * retire-staging-apps          take the service's manifests and Application off
 *                              staging's deploy branch: Argo CD prunes it
 * retire-staging               destroy its staging roots, subscriptions first
 * retire-production-approve    production's reviewers approve the teardown
 * retire-production-apps       take it off production's deploy branch
 * retire-production            destroy its production roots, behind the
 *                              `production` environment's reviewers again:
 *                              what they approve there is the loss of the data
 *
 * The deploy branches take the release token, which only the `paved-release`
 * environment holds, and Terraform the environment's role, which only a job in
 * that environment may assume: so each environment has two jobs, and production
 * two approvals (stopping the workload, then destroying its data).
 * Every job first refuses to act for a commit whose Terraform main has since
 * changed (APPLY_GUARD): a re-run of an old teardown after the retirement was
 * undone must not destroy a live service.
 */
export function retireWorkflow(service: ResolvedService, project: ResolvedProject): Workflow {
  return {
    name: `paved ${service.name} (retired)`,
    on: { push: { branches: [MAIN_BRANCH], paths: servicePaths(project, service) }, workflow_dispatch: {} },
    permissions: {},
    defaults: { run: { shell: 'bash' } },
    jobs: [
      ['retire-staging-apps', appsJob(service, project, 'staging', [])],
      ['retire-staging', destroyJob(service, project, 'staging', ['retire-staging-apps'])],
      ['retire-production-approve', approveJob(service, ['retire-staging'])],
      ['retire-production-apps', appsJob(service, project, 'production', ['retire-production-approve'])],
      ['retire-production', destroyJob(service, project, 'production', ['retire-production-apps'])],
    ],
  };
}

/** Push or dispatch, from main only: a dispatch from another branch tears nothing down. */
const ON_MAIN = `github.ref == 'refs/heads/${MAIN_BRANCH}'`;

/** The roots a teardown destroys, in order: the subscriptions root, then the main stack. */
function roots(project: ResolvedProject, service: ResolvedService): Array<{ readonly dir: string; readonly name?: string }> {
  const subscriptions = subscriptionsDir(project, service);
  return [...(subscriptions ? [{ dir: subscriptions, name: 'subscriptions' }] : []), { dir: stackDir(project, service) }];
}

/** The same groups as the service workflow's release and Terraform jobs: a teardown never overlaps a release or an apply of the service. */
const serial = (service: ResolvedService, what: string): Job['concurrency'] => ({ group: `paved-${service.name}-${what}`, 'cancel-in-progress': false });

function appsJob(service: ResolvedService, project: ResolvedProject, env: 'staging' | 'production', needs: readonly string[]): Job {
  const token = releaseToken(project);
  return {
    name: jobName(service, `Take off ${env}`),
    if: ON_MAIN,
    ...(needs.length > 0 ? { needs } : {}),
    'runs-on': RUNNER,
    environment: RELEASE_ENVIRONMENT,
    permissions: { contents: 'read' },
    'timeout-minutes': 20,
    concurrency: serial(service, `${env}-release`),
    steps: [
      checkout({ fetchDepth: 0 }),
      applyGuard(
        project,
        roots(project, service).map((r) => r.dir),
      ),
      ...token.steps,
      {
        name: `Take ${service.name} off the ${env} deploy branch`,
        run: RETIRE_DEPLOY,
        env: {
          SERVICE: service.name,
          ENVIRONMENT: env,
          TAG: '${{ github.sha }}',
          OUT: project.output.dir,
          DEPLOY_BRANCH: deployBranch(env),
          PUSH_TOKEN: token.token,
        },
        'working-directory': workingDirectory(project),
      },
    ],
  };
}

function approveJob(service: ResolvedService, needs: readonly string[]): Job {
  return {
    name: jobName(service, 'Approve the production teardown'),
    if: ON_MAIN,
    needs,
    'runs-on': RUNNER,
    environment: 'production',
    permissions: {},
    'timeout-minutes': 5,
    concurrency: serial(service, 'production-retire-approval'),
    steps: [{ name: 'Approved', run: APPROVED, env: { ENVIRONMENT: 'production' } }],
  };
}

function destroyJob(service: ResolvedService, project: ResolvedProject, env: 'staging' | 'production', needs: readonly string[]): Job {
  const stacks = roots(project, service);
  return {
    name: jobName(service, `Destroy ${env} infrastructure`),
    if: ON_MAIN,
    needs,
    'runs-on': RUNNER,
    environment: env,
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 90,
    concurrency: serial(service, `${env}-terraform`),
    steps: [
      checkout({ fetchDepth: 0 }),
      applyGuard(
        project,
        stacks.map((r) => r.dir),
      ),
      awsCredentials(project, env),
      setupTerraform(),
      ...stacks.flatMap((root): Step[] => [
        terraformInit(project, root.dir, env, root.name),
        {
          name: root.name ? `Terraform destroy (${root.name})` : 'Terraform destroy',
          run: TERRAFORM_DESTROY,
          env: { STACK: root.dir, ENVIRONMENT: env },
          'working-directory': workingDirectory(project),
        },
      ]),
    ],
  };
}
