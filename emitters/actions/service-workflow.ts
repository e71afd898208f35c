import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { DEPLOY_BRANCH_PREFIX, deployBranch, names } from '../../spec/naming.js';
import { PREVIEW_STILL_OPEN } from './check-scripts.js';
import { previewDependencies } from '../../spec/preview-dependencies.js';
import { AFFECTED, changesJob, GATED, jobName } from './checks.js';
import { testSteps } from './languages.js';
import type { DispatchInput, Job, Step, Value, Workflow } from './model.js';
import { inRepo, servicePaths, stackDir, subscriptionsDir, workingDirectory } from './paths.js';
import { PINNED_ACTIONS as A, RUNNER } from './pins.js';
import { productionInfraJob, productionPlanJob, stagingInfraJob } from './terraform-jobs.js';
import { releaseToken } from './release-token.js';
import { RELEASE_DEPLOY, RUN_JOB } from './release-scripts.js';
import {
  PREVIEW_APPLY,
  PREVIEW_APPLY_PRE_DEPLOY,
  PREVIEW_RENDER,
  PREVIEW_RENDER_WITH_DEPENDENCIES,
  PREVIEW_STAGING_RELEASES,
  PREVIEW_TEARDOWN,
  ROLLBACK_VALIDATE,
  RUN_VALIDATE,
  TERRAFORM_PLAN,
  TERRAFORM_PLAN_SUMMARY,
} from './scripts.js';
import { awsCredentials, checkout, installPaved, kubeconfig, registryLogin, setupBuildx, setupNode, setupTerraform, terraformInit, usesGhcr } from './steps.js';

/**
 * `paved-<service>.yml`: the whole path of one service to production.
 *
 * pull request  a changes job decides whether the service is affected; if so:
 *               test, build the image (pushed to the preview repository only),
 *               plan staging's Terraform, deploy a preview namespace. Closing
 *               the pull request tears the preview down, whatever it changed
 * merge group   the changes job, then test and build (checks.ts, README)
 * push to main  test, build and push `<image>:<sha>`, apply staging's Terraform,
 *               release to staging's deploy branch (Argo CD deploys it), then
 *               plan production's Terraform with `-out` (terraform-jobs.ts)
 *               and, behind the `production` environment's required
 *               reviewers, apply exactly that plan and release to production's
 *               deploy branch; nothing is ever pushed to main
 * dispatch      roll an environment back to an image its deploy branch recorded
 *
 * Fork pull requests get no OIDC token and a read-only workflow token, so they run
 * the tests and build the image only.
 */
export const MAIN_BRANCH = 'main';

const PR_NUMBER = '${{ github.event.pull_request.number }}';
const PULL_REQUEST = "github.event_name == 'pull_request'";
const PULL_REQUEST_OPEN = "github.event_name == 'pull_request' && github.event.action != 'closed'";
const PULL_REQUEST_CLOSED = "github.event_name == 'pull_request' && github.event.action == 'closed'";
/** Only a branch of this repository may push a preview image and assume the preview role. */
const FROM_THIS_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';
const PUSH = "github.event_name == 'push'";
/** The deploy steps run only while the pull request is open (PREVIEW_STILL_OPEN). */
const STILL_OPEN = "steps.open.outputs.open == 'true'";
const DISPATCH = `github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/${MAIN_BRANCH}'`;

export function serviceWorkflow(service: ResolvedService, project: ResolvedProject): Workflow {
  const paths = servicePaths(project, service);
  const preview = service.environments.preview.enabled;
  const jobs: Array<readonly [string, Job]> = [
    ['changes', changesJob(service, project)],
    ['test', testJob(service, project)],
    ['build', buildJob(service, project)],
    ['plan', planJob(service, project)],
    ...(preview
      ? ([
          ['preview', previewJob(service, project)],
          ['teardown', teardownJob(service, project)],
        ] as const)
      : []),
    ['publish', publishJob(service, project)],
    ['staging-infra', stagingInfraJob(service, project, ['test'])],
    ['staging-release', releaseJob(service, project, 'staging', ['publish', 'staging-infra'])],
    ['production-plan', productionPlanJob(service, project, ['staging-release'])],
    ['production-infra', productionInfraJob(service, project, ['production-plan'])],
    ['production-release', releaseJob(service, project, 'production', ['publish', 'production-infra'])],
    ['rollback', rollbackJob(service)],
    ['rollback-release', rollbackReleaseJob(service, project)],
    ...(manualJobs(service).length > 0
      ? ([
          ['run-approve', runApproveJob(service)],
          ['run', runJob(service, project)],
        ] as const)
      : []),
  ];
  return {
    name: `paved ${service.specName}`,
    on: {
      // No paths: a run must report every check; the changes job skips what the pull request does not affect.
      pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] },
      merge_group: { types: ['checks_requested'] },
      push: { branches: [MAIN_BRANCH], paths },
      workflow_dispatch: { inputs: dispatchInputs(service) },
    },
    permissions: {},
    defaults: { run: { shell: 'bash' } },
    jobs,
  };
}

/** The fields every job shares: the runner, and no permission unless listed. */
function job(fields: Omit<Job, 'runs-on'>): Job {
  // The spread last: V8 adds keys after a spread slowly. The renderer puts `runs-on` in its place.
  return { 'runs-on': RUNNER, ...fields };
}

/** Superseded pull request runs are cancelled; on main, a newer run waits and replaces a queued one. */
const pullRequestOrRef = (service: ResolvedService, what: string): Job['concurrency'] => ({
  group: `paved-${service.name}-${what}-\${{ github.event.pull_request.number || github.ref }}`,
  'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
});

/** Never cancelled once started: a half-applied stack or an unpushed release commit helps nobody. */
const serial = (service: ResolvedService, what: Value): Job['concurrency'] => ({ group: `paved-${service.name}-${what}`, 'cancel-in-progress': false });

function testJob(service: ResolvedService, project: ResolvedProject): Job {
  return job({
    name: jobName(service, GATED.test),
    if: AFFECTED,
    needs: ['changes'],
    permissions: { contents: 'read' },
    'timeout-minutes': 30,
    concurrency: pullRequestOrRef(service, 'test'),
    steps: [checkout(), ...testSteps(service, project)],
  });
}

function buildAndPush(service: ResolvedService, project: ResolvedProject, push: boolean | Value, repository: string, tag: Value): Step {
  return {
    name: 'Build the image',
    id: 'build',
    uses: A.dockerBuildPush,
    with: {
      context: inRepo(project, service.runtime.build.context),
      file: inRepo(project, service.runtime.build.dockerfile),
      push,
      tags: `${repository}:${tag}`,
      labels: 'org.opencontainers.image.revision=${{ github.sha }}',
    },
  };
}

/**
 * On a pull request or merge group the image is built; only a pull request from
 * a branch of this repository pushes it, and only to the preview repository
 * (ResolvedRuntime.previewImage), for its preview. Production images come from
 * the publish job, on main.
 */
function buildJob(service: ResolvedService, project: ResolvedProject): Job {
  const preview = service.environments.preview.enabled;
  const push = preview ? `\${{ ${PULL_REQUEST} && ${FROM_THIS_REPOSITORY} }}` : false;
  return job({
    name: jobName(service, GATED.build),
    if: `${AFFECTED} && github.event_name != 'push'`,
    needs: ['changes'],
    permissions: { contents: 'read', ...(preview && usesGhcr(project) ? { packages: 'write' } : {}) },
    'timeout-minutes': 30,
    concurrency: pullRequestOrRef(service, 'build'),
    ...(preview ? { outputs: { digest: '${{ steps.build.outputs.digest }}' } } : {}),
    steps: [
      checkout(),
      setupBuildx(),
      ...(preview ? [registryLogin(project, `${PULL_REQUEST} && ${FROM_THIS_REPOSITORY}`)] : []),
      buildAndPush(service, project, push, service.runtime.previewImage, `pr-${PR_NUMBER}-\${{ github.sha }}`),
    ],
  });
}

/** The main stack's plan, then the subscriptions root's, each summarised. */
function planJob(service: ResolvedService, project: ResolvedProject): Job {
  const env = { SERVICE: service.name, STACK: stackDir(project, service), ENVIRONMENT: 'staging' };
  const subscriptions = subscriptionsDir(project, service);
  const subscriptionsEnv = subscriptions ? { ...env, STACK: subscriptions, ROOT: 'subscriptions' } : undefined;
  return job({
    name: jobName(service, GATED.plan),
    if: `${AFFECTED} && ${PULL_REQUEST_OPEN} && ${FROM_THIS_REPOSITORY}`,
    needs: ['changes'],
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 20,
    concurrency: pullRequestOrRef(service, 'plan'),
    steps: [
      checkout(),
      awsCredentials(project, 'preview'),
      setupTerraform(),
      terraformInit(project, env.STACK, 'staging'),
      { name: 'Terraform plan', run: TERRAFORM_PLAN, env, 'working-directory': workingDirectory(project) },
      { name: 'Summarize the plan', run: TERRAFORM_PLAN_SUMMARY, env, 'working-directory': workingDirectory(project) },
      ...(subscriptionsEnv
        ? [
            terraformInit(project, subscriptionsEnv.STACK, 'staging', 'subscriptions'),
            { name: 'Terraform plan (subscriptions)', run: TERRAFORM_PLAN, env: subscriptionsEnv, 'working-directory': workingDirectory(project) },
            { name: 'Summarize the plan (subscriptions)', run: TERRAFORM_PLAN_SUMMARY, env: subscriptionsEnv, 'working-directory': workingDirectory(project) },
          ]
        : []),
    ],
  });
}

/** A newer deploy of the same pull request replaces a running one. */
const previewConcurrency = (service: ResolvedService): Job['concurrency'] => ({
  group: `paved-${service.name}-preview-${PR_NUMBER}`,
  'cancel-in-progress': true,
});
/**
 * Its own group, never cancelled and never cancelling: no deploy can stop a
 * teardown half-way, and a teardown never waits behind a deploy. A deploy that
 * starts after the teardown finds the pull request closed and does nothing
 * (PREVIEW_STILL_OPEN); the scheduled sweep (preview-sweep.ts) removes the rest.
 */
const teardownConcurrency = (service: ResolvedService): Job['concurrency'] => ({
  group: `paved-${service.name}-teardown-${PR_NUMBER}`,
  'cancel-in-progress': false,
});
const previewNamespace = (service: ResolvedService): Value => names.previewNamespace(service.name, PR_NUMBER);

const preDeploy = (service: ResolvedService): boolean => service.jobs.some((job) => job.when === 'pre-deploy');

function previewJob(service: ResolvedService, project: ResolvedProject): Job {
  const image = `${service.runtime.previewImage}:pr-${PR_NUMBER}-\${{ github.sha }}@\${{ needs.build.outputs.digest }}`;
  const host = service.environments.preview.host;
  // The services the preview brings run what staging runs, which only staging's deploy branch records.
  const dependencies = previewDependencies(service, project.services);
  const stagingReleases: Step[] =
    dependencies.length > 0
      ? [
          {
            name: "Read staging's releases",
            run: PREVIEW_STAGING_RELEASES,
            env: { DEPLOY_BRANCH: deployBranch('staging'), FETCH_TOKEN: '${{ github.token }}' },
            'working-directory': workingDirectory(project),
          },
        ]
      : [];
  return job({
    name: jobName(service, 'Deploy preview'),
    if: `${PULL_REQUEST_OPEN} && ${FROM_THIS_REPOSITORY}`,
    needs: ['test', 'build'],
    permissions: { contents: 'read', 'id-token': 'write', 'pull-requests': 'read' },
    // Pre-deploy jobs may run up to 15 minutes (their activeDeadlineSeconds), and the deploy step waits for them.
    'timeout-minutes': [service, ...dependencies].some(preDeploy) ? 30 : 15,
    concurrency: previewConcurrency(service),
    steps: [
      {
        name: 'Check the pull request is still open',
        id: 'open',
        run: PREVIEW_STILL_OPEN,
        env: { REPOSITORY: '${{ github.repository }}', PR_NUMBER, GH_TOKEN: '${{ github.token }}' },
      },
      ...[
        checkout(),
        setupNode(),
        installPaved(project),
        awsCredentials(project, 'preview'),
        kubeconfig(project, 'preview'),
        ...stagingReleases,
        {
          name: 'Render the preview overlay',
          run: dependencies.length > 0 ? PREVIEW_RENDER_WITH_DEPENDENCIES : PREVIEW_RENDER,
          env: { SERVICE: service.name, PR_NUMBER, IMAGE: image },
          'working-directory': workingDirectory(project),
        },
      ].map((step) => ({ ...step, if: STILL_OPEN })),
      {
        name: 'Deploy the preview',
        if: STILL_OPEN,
        run: [service, ...dependencies].some(preDeploy) ? PREVIEW_APPLY_PRE_DEPLOY : PREVIEW_APPLY,
        env: {
          SERVICE: service.name,
          NAMESPACE: previewNamespace(service),
          IMAGE: image,
          ...(host ? { URL: `https://${host.replace('{{number}}', PR_NUMBER)}` } : {}),
        },
      },
    ],
  });
}

function teardownJob(service: ResolvedService, project: ResolvedProject): Job {
  return job({
    name: jobName(service, 'Tear down preview'),
    if: `${PULL_REQUEST_CLOSED} && ${FROM_THIS_REPOSITORY}`,
    permissions: { 'id-token': 'write' },
    'timeout-minutes': 10,
    concurrency: teardownConcurrency(service),
    steps: [
      awsCredentials(project, 'preview'),
      kubeconfig(project, 'preview'),
      { name: 'Delete the preview namespace', run: PREVIEW_TEARDOWN, env: { NAMESPACE: previewNamespace(service) } },
    ],
  });
}

/** The image every environment runs, tagged with the commit it was built from; its digest pins it in the manifests. */
function publishJob(service: ResolvedService, project: ResolvedProject): Job {
  return job({
    name: jobName(service, 'Build and push image'),
    if: PUSH,
    needs: ['test'],
    permissions: { contents: 'read', ...(usesGhcr(project) ? { packages: 'write' } : {}) },
    'timeout-minutes': 30,
    concurrency: serial(service, 'publish'),
    outputs: { digest: '${{ steps.build.outputs.digest }}' },
    steps: [checkout(), setupBuildx(), registryLogin(project), buildAndPush(service, project, true, service.runtime.image, '${{ github.sha }}')],
  });
}

/**
 * The GitHub environment of every job that pushes a deploy branch: it alone
 * holds the release token's secret, and its deployment branch policy admits
 * main only (docs/targets/actions.md), so no other branch's workflow can read it. It has no
 * reviewers: production's approval is on its Terraform apply, which the
 * production release needs.
 */
export const RELEASE_ENVIRONMENT = 'paved-release';

/**
 * The release to a deploy branch (release-scripts.ts): from a checkout of the
 * run's own commit with its history (the ancestor check), rendered by that
 * commit's paved, pushed with the release token (release-token.ts).
 */
function releaseSteps(
  service: ResolvedService,
  project: ResolvedProject,
  env: Readonly<Record<'ENVIRONMENT' | 'TAG' | 'DEPLOY_BRANCH', Value>> & Readonly<Record<string, Value>>,
): Step[] {
  const token = releaseToken(project);
  return [
    checkout({ fetchDepth: 0 }),
    setupNode(),
    installPaved(project),
    ...token.steps,
    {
      name: 'Release to the deploy branch',
      run: RELEASE_DEPLOY,
      env: { SERVICE: service.name, ...env, OUT: project.output.dir, PUSH_TOKEN: token.token },
      'working-directory': workingDirectory(project),
    },
  ];
}

function releaseJob(service: ResolvedService, project: ResolvedProject, env: 'staging' | 'production', needs: readonly string[]): Job {
  return job({
    name: jobName(service, `Release to ${env}`),
    if: PUSH,
    needs,
    environment: RELEASE_ENVIRONMENT,
    permissions: { contents: 'read' },
    'timeout-minutes': 20,
    concurrency: serial(service, `${env}-release`),
    steps: releaseSteps(service, project, {
      ENVIRONMENT: env,
      TAG: '${{ github.sha }}',
      DIGEST: '${{ needs.publish.outputs.digest }}',
      DEPLOY_BRANCH: deployBranch(env),
    }),
  });
}

/**
 * Runs an earlier release again, in two jobs: the first checks the inputs in
 * the chosen environment, whose reviewers approve a production rollback like a
 * production deploy; the second releases through the same script as a deploy,
 * which accepts only a tag the environment's deploy branch recorded for the
 * service and takes its digest from there (never from a registry tag, which can
 * be moved).
 */
function rollbackJob(service: ResolvedService): Job {
  return job({
    name: jobName(service, 'Approve the rollback'),
    if: rollbackDispatch(service),
    environment: ROLLBACK_INPUTS.ENVIRONMENT,
    permissions: {},
    'timeout-minutes': 5,
    concurrency: serial(service, `${ROLLBACK_INPUTS.ENVIRONMENT}-rollback`),
    steps: [{ name: 'Check the inputs', run: ROLLBACK_VALIDATE, env: ROLLBACK_INPUTS }],
  });
}

function rollbackReleaseJob(service: ResolvedService, project: ResolvedProject): Job {
  return job({
    name: jobName(service, 'Roll back'),
    if: rollbackDispatch(service),
    needs: ['rollback'],
    environment: RELEASE_ENVIRONMENT,
    permissions: { contents: 'read' },
    'timeout-minutes': 20,
    concurrency: serial(service, `${ROLLBACK_INPUTS.ENVIRONMENT}-release`),
    steps: releaseSteps(service, project, { ...ROLLBACK_INPUTS, DEPLOY_BRANCH: `${DEPLOY_BRANCH_PREFIX}${ROLLBACK_INPUTS.ENVIRONMENT}`, ROLLBACK: 'true' }),
  });
}

const ROLLBACK_INPUTS = { ENVIRONMENT: '${{ inputs.environment }}', TAG: '${{ inputs.tag }}' } as const;

const manualJobs = (service: ResolvedService): string[] => service.jobs.filter((j) => j.when === 'manual').map((j) => j.name);

/** The dispatch's `job` when it rolls back: not a job name, so no job can be mistaken for it. */
export const ROLL_BACK_CHOICE = '(roll back)';

/**
 * A dispatch rolls an environment back to a tag or, for a service with manual
 * jobs, runs one of them there instead: then `tag` is optional and `job` says which.
 */
function dispatchInputs(service: ResolvedService): ReadonlyArray<readonly [string, DispatchInput]> {
  const jobs = manualJobs(service);
  const tag = 'Full commit SHA of an earlier release to run again (its image tag); its digest comes from the deploy branch';
  return [
    [
      'environment',
      {
        description: jobs.length > 0 ? 'Environment to roll back, or to run the job in' : 'Environment to roll back',
        required: true,
        type: 'choice',
        options: ['staging', 'production'],
      },
    ],
    [
      'tag',
      jobs.length > 0
        ? { description: `To roll back: the f${tag.slice(1)}. Leave it empty to run a job`, required: false, type: 'string' }
        : { description: tag, required: true, type: 'string' },
    ],
    ...(jobs.length > 0
      ? ([
          [
            'job',
            {
              description: 'A manual job to run with the image the environment runs, instead of a rollback',
              required: true,
              type: 'choice',
              options: [ROLL_BACK_CHOICE, ...jobs],
            },
          ],
        ] as const)
      : []),
  ];
}

const rollbackDispatch = (service: ResolvedService): string =>
  manualJobs(service).length > 0 ? `${DISPATCH} && inputs.job == '${ROLL_BACK_CHOICE}'` : DISPATCH;
const RUN_DISPATCH = `${DISPATCH} && inputs.job != '${ROLL_BACK_CHOICE}'`;

/**
 * Runs a manual job in two jobs, like a rollback: the first checks the inputs
 * in the chosen environment, whose reviewers approve a production run; the
 * second puts the run's Job on the environment's deploy branch (release-scripts.ts
 * RUN_JOB), where Argo CD creates it: CI needs no access to the cluster.
 */
function runApproveJob(service: ResolvedService): Job {
  return job({
    name: jobName(service, 'Approve the job run'),
    if: RUN_DISPATCH,
    environment: ROLLBACK_INPUTS.ENVIRONMENT,
    permissions: {},
    'timeout-minutes': 5,
    concurrency: serial(service, `${ROLLBACK_INPUTS.ENVIRONMENT}-run`),
    steps: [{ name: 'Check the inputs', run: RUN_VALIDATE, env: { ...ROLLBACK_INPUTS, JOB: RUN_INPUTS.JOB, JOBS: manualJobs(service).join(' ') } }],
  });
}

function runJob(service: ResolvedService, project: ResolvedProject): Job {
  const token = releaseToken(project);
  return job({
    name: jobName(service, 'Run the job'),
    if: RUN_DISPATCH,
    needs: ['run-approve'],
    environment: RELEASE_ENVIRONMENT,
    permissions: { contents: 'read' },
    'timeout-minutes': 20,
    // The environment's releases' group: a run and a release of the same environment take turns.
    concurrency: serial(service, `${ROLLBACK_INPUTS.ENVIRONMENT}-release`),
    steps: [
      checkout({ fetchDepth: 0 }),
      setupNode(),
      installPaved(project),
      ...token.steps,
      {
        name: 'Put the run on the deploy branch',
        run: RUN_JOB,
        env: {
          SERVICE: service.name,
          ...RUN_INPUTS,
          ENVIRONMENT: ROLLBACK_INPUTS.ENVIRONMENT,
          DEPLOY_BRANCH: `${DEPLOY_BRANCH_PREFIX}${ROLLBACK_INPUTS.ENVIRONMENT}`,
          OUT: project.output.dir,
          PUSH_TOKEN: token.token,
        },
        'working-directory': workingDirectory(project),
      },
    ],
  });
}

const RUN_INPUTS = { JOB: '${{ inputs.job }}', RUN_ID: '${{ github.run_number }}' } as const;
