import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { compareText } from '../../spec/pointer.js';
import { jobName } from './checks.js';
import type { Concurrency, Job, RunStep, Step, UsesStep } from './model.js';
import { inRepo, stackDir, subscriptionsDir, workingDirectory } from './paths.js';
import { PINNED_ACTIONS as A, RUNNER } from './pins.js';
import { TERRAFORM_APPLY } from './scripts.js';
import { awsCredentials, checkout, setupTerraform, terraformInit } from './steps.js';
import { APPLY_GUARD, PACK_PLANS, SUBSCRIBER_CURRENT, TERRAFORM_APPLY_SAVED, TERRAFORM_SAVED_PLAN, UNPACK_PLANS } from './terraform-scripts.js';
import { layout } from '../../spec/layout.js';

/**
 * The infrastructure jobs of a service's workflow, for a push to main:
 *
 * staging-infra     apply staging's roots (plan and apply in one step)
 * production-plan   plan production's roots with `-out`, show the plans in the
 *                   job summary and keep them as an artifact; no approval
 * production-infra  behind the `production` environment's reviewers: apply
 *                   exactly those saved plans
 *
 * The roots, in order: the service's main stack, its subscriptions root, then
 * the subscriptions roots of the services subscribing to its topics, so a
 * subscriber whose root applied before this service's topics existed gets its
 * subscription now (emitters/terraform/subscriptions.ts): no apply order fails.
 * Every job first refuses to apply Terraform older than main's (APPLY_GUARD).
 */

/** Branch the guard compares the run's commit with. */
const MAIN = 'main';
/** The GitHub environment of the production plan job: its OIDC subject is what the production plan role trusts. */
export const PRODUCTION_PLAN_ENVIRONMENT = 'production-plan';
/** The saved production plans, one tar at the paved root, kept as long as an approval may reasonably wait. */
const PLANS_FILE = 'paved-production-plans.tar';
const PLANS_RETENTION_DAYS = 5;

/** A Terraform root a job applies. `foreign` when it belongs to a service subscribing to this one's topics. */
interface Root {
  readonly service: string;
  readonly dir: string;
  readonly name?: string;
  readonly foreign: boolean;
}

/**
 * The services whose subscriptions roots subscribe to a topic of `service`
 * (itself excluded: its root is its own), from the topics' derived
 * `subscribers`, which are part of the service's model (and so of its cache key).
 */
export function subscribersOf(service: ResolvedService): string[] {
  const names = new Set(service.resources.topics.flatMap((t) => t.subscribers).filter((name) => name !== service.name));
  return [...names].sort(compareText);
}

function rootsOf(project: ResolvedProject, service: ResolvedService): Root[] {
  const own = subscriptionsDir(project, service);
  return [
    { service: service.name, dir: stackDir(project, service), foreign: false },
    ...(own ? [{ service: service.name, dir: own, name: 'subscriptions', foreign: false }] : []),
    ...subscribersOf(service).map((name) => ({ service: name, dir: layout.subscriptions(project.output, name), name: `${name} subscriptions`, foreign: true })),
  ];
}

/** Checked out with every branch, so the guard can compare with origin/main. */
const fullCheckout = (): UsesStep => checkout({ fetchDepth: 0 });

function guardStep(project: ResolvedProject, roots: readonly Root[]): RunStep {
  return applyGuard(
    project,
    roots.filter((r) => !r.foreign).map((r) => r.dir),
  );
}

/** APPLY_GUARD over the given roots (paved-root relative); the job's checkout has every branch. */
export function applyGuard(project: ResolvedProject, stacks: readonly string[]): RunStep {
  return {
    name: 'Refuse Terraform older than main',
    run: APPLY_GUARD,
    env: { STACKS: stacks.join('\n'), MAIN },
    'working-directory': workingDirectory(project),
  };
}

/** Steps for one root: for another service's root, a check that main still has this version, which gates the rest. */
function forRoot(project: ResolvedProject, root: Root, index: number, steps: (gate: { readonly if?: string }) => Step[]): Step[] {
  if (!root.foreign) return steps({});
  const id = `current-${index}`;
  return [
    { name: `Is ${root.name} current`, id, run: SUBSCRIBER_CURRENT, env: { STACK: root.dir, MAIN }, 'working-directory': workingDirectory(project) },
    ...steps({ if: `steps.${id}.outputs.current == 'true'` }),
  ];
}

const serial = (service: ResolvedService, what: string): Concurrency => ({ group: `paved-${service.name}-${what}`, 'cancel-in-progress': false });

const PUSH = "github.event_name == 'push'";

/** Staging: each root planned and applied in one step, in the `staging` environment. */
export function stagingInfraJob(service: ResolvedService, project: ResolvedProject, needs: readonly string[]): Job {
  const roots = rootsOf(project, service);
  return {
    name: jobName(service, 'Apply staging infrastructure'),
    if: PUSH,
    needs,
    'runs-on': RUNNER,
    environment: 'staging',
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 60,
    concurrency: serial(service, 'staging-terraform'),
    steps: [
      fullCheckout(),
      guardStep(project, roots),
      awsCredentials(project, 'staging'),
      setupTerraform(),
      ...roots.flatMap((root, i) =>
        forRoot(project, root, i, (gate) => [
          { ...terraformInit(project, root.dir, 'staging', root.name), ...gate },
          {
            name: root.name ? `Terraform apply (${root.name})` : 'Terraform apply',
            run: TERRAFORM_APPLY,
            env: { STACK: root.dir, ENVIRONMENT: 'staging' },
            'working-directory': workingDirectory(project),
            // Last: V8 adds keys after a spread slowly; the renderer orders the step's keys.
            ...gate,
          },
        ]),
      ),
    ],
  };
}

/**
 * Production's plans, before anyone approves: run with the production plan
 * role (reads state, refreshes, changes nothing), in an environment of its own
 * without reviewers. The plans go to the job summary and, as one artifact
 * kept a few days, to the apply job. A plan file holds the values of the
 * variables and of every attribute Terraform read, secrets included: the
 * artifact is readable by whoever can read the repository's Actions runs (docs/targets/actions.md).
 */
export function productionPlanJob(service: ResolvedService, project: ResolvedProject, needs: readonly string[]): Job {
  const roots = rootsOf(project, service);
  const credentials: UsesStep = {
    name: 'Assume the production plan role',
    uses: A.awsCredentials,
    with: {
      'role-to-assume': names.productionPlanRole(project.platform.ci.roleArns.production),
      'aws-region': project.platform.cloud.region,
      'role-session-name': 'paved-${{ github.run_id }}',
    },
  };
  return {
    name: jobName(service, 'Plan production infrastructure'),
    if: PUSH,
    needs,
    'runs-on': RUNNER,
    environment: PRODUCTION_PLAN_ENVIRONMENT,
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 30,
    concurrency: serial(service, 'production-plan'),
    steps: [
      fullCheckout(),
      guardStep(project, roots),
      credentials,
      setupTerraform(),
      ...roots.flatMap((root, i) =>
        forRoot(project, root, i, (gate) => [
          { ...terraformInit(project, root.dir, 'production', root.name), ...gate },
          {
            name: root.name ? `Terraform plan (${root.name})` : 'Terraform plan',
            run: TERRAFORM_SAVED_PLAN,
            env: { SERVICE: root.service, STACK: root.dir, ENVIRONMENT: 'production', ...(root.name ? { ROOT: 'subscriptions' } : {}) },
            'working-directory': workingDirectory(project),
            // Last: V8 adds keys after a spread slowly; the renderer orders the step's keys.
            ...gate,
          },
        ]),
      ),
      { name: 'Pack the plans', run: PACK_PLANS, env: { OUT: project.output.dir, PLANS: PLANS_FILE }, 'working-directory': workingDirectory(project) },
      {
        name: 'Keep the plans for the approved apply',
        uses: A.uploadArtifact,
        with: {
          name: planArtifact(service),
          path: inRepo(project, PLANS_FILE),
          'retention-days': PLANS_RETENTION_DAYS,
          'if-no-files-found': 'error',
          overwrite: true,
        },
      },
    ],
  };
}

const planArtifact = (service: ResolvedService): string => `paved-${service.name}-production-plans`;

/**
 * The approval: in the `production` environment, whose required reviewers
 * read the plan job's summary before approving. Applies the saved plans and
 * nothing else; a plan made stale by another apply fails rather than applying.
 */
export function productionInfraJob(service: ResolvedService, project: ResolvedProject, needs: readonly string[]): Job {
  const roots = rootsOf(project, service);
  return {
    name: jobName(service, 'Apply production infrastructure'),
    if: PUSH,
    needs,
    'runs-on': RUNNER,
    environment: 'production',
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 60,
    concurrency: serial(service, 'production-terraform'),
    steps: [
      fullCheckout(),
      guardStep(project, roots),
      { name: 'Fetch the approved plans', uses: A.downloadArtifact, with: { name: planArtifact(service), path: inRepo(project, '.') } },
      { name: 'Unpack the approved plans', run: UNPACK_PLANS, env: { PLANS: PLANS_FILE }, 'working-directory': workingDirectory(project) },
      awsCredentials(project, 'production'),
      setupTerraform(),
      ...roots.flatMap((root, i) =>
        forRoot(project, root, i, (gate) => [
          { ...terraformInit(project, root.dir, 'production', root.name), ...gate },
          {
            name: root.name ? `Terraform apply the plan (${root.name})` : 'Terraform apply the plan',
            run: TERRAFORM_APPLY_SAVED,
            env: { STACK: root.dir },
            'working-directory': workingDirectory(project),
            // Last: V8 adds keys after a spread slowly; the renderer orders the step's keys.
            ...gate,
          },
        ]),
      ),
    ],
  };
}
