import type { KubeJson } from './overrides.js';

interface Metadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Template<Spec> {
  readonly metadata?: Omit<Metadata, 'name'>;
  readonly spec: Spec;
}

/** The label every run's Job and pods carry: which run they are. */
export const RUN_LABEL = 'paved.dev/run';

/**
 * One run of a manual job (`paved run`), for a deploy branch: the Job
 * `kubectl create job --from=cronjob/<name>` would create, taken from the
 * rendered CronJob after overrides, so it runs exactly the template staging or
 * production holds, with the released image. Named `<cronjob>-<id>`: CronJob
 * names are at most 52 characters and ids at most 10, so the name is a label.
 *
 * Argo CD creates it like any object and then never touches it again:
 * - a Job's pod template is immutable, and nothing re-renders the file: the
 *   next release of the service replaces the environment's folder and the run
 *   leaves the branch;
 * - it is `Prune=false`, so leaving the branch never deletes a running job
 *   (a migration stopped half-way), and `IgnoreExtraneous`, so the finished Job
 *   left behind does not hold the Application out of sync;
 * - it has no `ttlSecondsAfterFinished`: while its file is on the branch, a Job
 *   deleted by a TTL is one Argo CD would create, and so run, again.
 */
export function runJob(cronJob: KubeJson, id: string): KubeJson & { readonly metadata: Metadata } {
  const { namespace } = cronJob.metadata as Metadata;
  const template = (cronJob.spec as { readonly jobTemplate: Template<{ readonly template: Template<object> }> }).jobTemplate;
  const podTemplate = template.spec.template;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cronJob.metadata.name}-${id}`,
      ...(namespace === undefined ? {} : { namespace }),
      labels: { ...template.metadata?.labels, [RUN_LABEL]: id },
      annotations: {
        ...template.metadata?.annotations,
        'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
        'argocd.argoproj.io/sync-options': 'Prune=false',
      },
    },
    spec: {
      ...template.spec,
      template: { ...podTemplate, metadata: { ...podTemplate.metadata, labels: { ...podTemplate.metadata?.labels, [RUN_LABEL]: id } } },
    },
  };
}
