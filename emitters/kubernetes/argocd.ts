import { posix } from 'node:path';
import { deployBranch } from '../../spec/naming.js';
import type { RenderContext } from './context.js';
import { customResource } from './custom-resources.js';
import { annotations, labels } from './labels.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { yamlFile } from '../shared/serialize.js';
import { layout } from '../../spec/layout.js';

/**
 * The Argo CD Application of a cloud environment: it syncs the environment's
 * directory as it is (a directory source, so no file lists it), on the
 * environment's deploy branch, never main's head: a merge changes nothing in an
 * environment until its release job (after tests, Terraform and, for production,
 * the approval) commits the rendered manifests there. Rolling back is the same
 * with an earlier release; revisionHistoryLimit keeps Argo CD's own record of
 * past syncs for auditing.
 */

/** Repo-relative directory of an environment's manifests, as Argo CD sees the repository. */
export function environmentPath(ctx: RenderContext): string {
  return posix.normalize(posix.join(ctx.project.platform.gitops.path, ctx.project.output.dir, ctx.service.name, 'kubernetes', ctx.env));
}

/** `<output dir>/argocd/<service>-<env>.yaml`; overrides do not reach it, as it is not deployed into the service's namespace. */
export function applicationFile(ctx: RenderContext): GeneratedFile {
  // CI applies previews itself (kubectl); only the cloud environments have a deploy branch.
  if (ctx.env === 'preview') throw new Error('argocd: preview has no Application');
  const { gitops } = ctx.project.platform;
  const staging = ctx.env === 'staging';
  // Staging converges on Git completely; production follows the platform's policy.
  const sync = staging ? 'automated-prune' : gitops.productionSync;
  const prune = sync === 'automated-prune';
  const object = customResource(
    'Application',
    {
      name: `${ctx.service.name}-${ctx.env}`,
      namespace: gitops.argocdNamespace,
      labels: labels(ctx),
      annotations: annotations(ctx),
      // Deleting the Application deletes what it deployed, but only where pruning is the policy anyway.
      ...(prune ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
    },
    {
      project: gitops.project,
      source: { repoURL: gitops.repoURL, targetRevision: deployBranch(ctx.env), path: environmentPath(ctx), directory: { recurse: false } },
      destination: { name: ctx.environment.cluster, namespace: ctx.namespace },
      syncPolicy: {
        ...(sync === 'manual' ? {} : { automated: { prune, selfHeal: true } }),
        syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
      revisionHistoryLimit: 10,
    },
  );
  return yamlFile({ path: layout.application(ctx.project.output, ctx.service.name, ctx.env), source: ctx.service.specPath, value: object });
}
