import type { Compute, ResolvedJob } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import type { RenderContext } from './context.js';
import { syncHookAnnotations, syncWaves } from './database-bootstrap.js';
import { annotations, labels, metadata } from './labels.js';
import { CRON_JOB_POLICY, jobContainer, podSpec } from './workloads.js';
import { kubeObject } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/**
 * The service's `jobs:` (issue 19). Both kinds run the service's pod template:
 * its image, ServiceAccount (so its Pod Identity role), env contract and
 * secrets, hardened like every pod (pod.ts), selected by its NetworkPolicy.
 *
 * - `pre-deploy`: a Job Argo CD runs as a sync hook before the Deployment's
 *   wave, on every sync, and a failure fails the sync, so the rollout never
 *   starts (docs/targets/kubernetes.md, Jobs). It is a `Sync` hook in wave -1,
 *   not a `PreSync` hook: PreSync runs before anything is applied, so on an
 *   environment's first sync the Namespace, the ServiceAccount and the
 *   ExternalSecrets the Job needs would not exist, and turning those into
 *   PreSync hooks would make Argo CD delete and recreate them on every sync
 *   (hooks default to BeforeHookCreation). In the Sync phase, waves order
 *   hooks and resources alike: the Job's prerequisites carry wave -3 (only an
 *   annotation, so adding a job to a running service replaces nothing), the
 *   database bootstrap -2, the Job -1, the Deployment 0
 *   (argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
 * - `manual`: a suspended CronJob, the template a run's Job is taken from
 *   (`paved run`, run.ts), as `kubectl create job --from` would.
 */

export const PRE_DEPLOY_LABEL = 'paved.dev/job-when';

/** Kubernetes requires a schedule; a suspended template never runs on it, and February 31st never comes. */
export const MANUAL_SCHEDULE = '0 0 31 2 *';

/** One retry for a lost node or an eviction; a job that fails twice blocks the rollout. */
const BACKOFF_LIMIT = 1;
/** A pre-deploy job that runs longer than 15 minutes fails the sync rather than hold it. */
const ACTIVE_DEADLINE_SECONDS = 900;

export function preDeployJob(ctx: RenderContext, job: ResolvedJob, options: { readonly requests: Compute; readonly limitsFrom: Compute }): KubeJson {
  const meta = metadata(ctx, names.job(ctx.service.name, job.name), 'job', job.name);
  // What preview's deploy step deletes before it applies and then waits for (emitters/actions/scripts.ts PRE_DEPLOY_SELECTOR).
  meta.labels[PRE_DEPLOY_LABEL] = 'pre-deploy';
  const container = jobContainer(ctx, job.command, { kind: 'job', job: job.name }, options.requests, options.limitsFrom);
  return kubeObject('Job', {
    metadata: {
      ...meta,
      annotations: syncHookAnnotations(meta.annotations, syncWaves(ctx).preDeploy),
    },
    spec: {
      backoffLimit: BACKOFF_LIMIT,
      activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
      template: {
        // The label on the pods too, so preview's deploy step can print their logs.
        metadata: { labels: { ...labels(ctx, 'job', job.name), [PRE_DEPLOY_LABEL]: 'pre-deploy' }, annotations: annotations(ctx) },
        // Never: a retry runs in a fresh pod and the failed one stays for its logs.
        spec: { ...podSpec(ctx, 'job', [container], false), restartPolicy: 'Never' },
      },
    },
  });
}

/** A manual job's template: never scheduled, started by hand or by the workflow (`kubectl create job --from=cronjob/<name>`). */
export function manualJob(ctx: RenderContext, job: ResolvedJob, options: { readonly requests: Compute; readonly limitsFrom: Compute }): KubeJson {
  const container = jobContainer(ctx, job.command, { kind: 'job', job: job.name }, options.requests, options.limitsFrom);
  return kubeObject('CronJob', {
    metadata: metadata(ctx, names.job(ctx.service.name, job.name), 'job', job.name),
    spec: {
      schedule: MANUAL_SCHEDULE,
      suspend: true,
      ...CRON_JOB_POLICY,
      jobTemplate: {
        metadata: { labels: labels(ctx, 'job', job.name), annotations: annotations(ctx) },
        spec: {
          backoffLimit: BACKOFF_LIMIT,
          activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
          template: {
            metadata: { labels: labels(ctx, 'job', job.name), annotations: annotations(ctx) },
            spec: { ...podSpec(ctx, 'job', [container], false), restartPolicy: 'Never' },
          },
        },
      },
    },
  });
}
