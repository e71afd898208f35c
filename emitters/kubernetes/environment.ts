import type { RenderContext } from './context.js';
import { bootstrapPrerequisites, databaseBootstrap } from './database-bootstrap.js';
import { cloudPasswordSecrets } from './database-password.js';
import { namespace, serviceAccount } from './identity.js';
import { manifest, optional, type Manifest } from './manifest.js';
import { manualJob, preDeployJob } from './jobs.js';
import { monitor } from './monitoring.js';
import { unprobedWorker } from './pod.js';
import { defaultDeny, egressNotes, fqdnPolicy, ingress, service, serviceNetworkPolicy } from './networking.js';
import { connectionSecrets, declaredSecrets } from './secrets.js';
import { KUBERNETES_WAIVERS as WAIVERS } from '../shared/waivers.js';
import { autoscaler, cronJob, deployment, disruptionBudget, hasAutoscaler } from './workloads.js';

/** Everything staging or production runs, fully rendered with the released image. */
export function cloudEnvironment(ctx: RenderContext): Manifest[] {
  const { scaling, compute } = ctx.environment;
  const autoscaled = hasAutoscaler(ctx);
  const single = scaling.min < 2;
  const serviceObject = service(ctx);
  const ingressObject = ingress(ctx);
  const manifests = [
    manifest(namespace(ctx)),
    manifest(serviceAccount(ctx)),
    manifest(deployment(ctx, { ...(autoscaled ? {} : { replicas: scaling.min }), requests: compute, limitsFrom: compute }), [
      ...(!autoscaled && single ? [WAIVERS.tierSingleReplica] : []),
      ...(unprobedWorker(ctx) ? [WAIVERS.workerWithoutProbes] : []),
    ]),
    ...(autoscaled ? [manifest(autoscaler(ctx), single ? [WAIVERS.tierAutoscalerMinimum] : [])] : []),
    manifest(disruptionBudget(ctx)),
    ...(serviceObject ? [manifest(serviceObject)] : []),
    ...(ingressObject ? [manifest(ingressObject)] : []),
    manifest(monitor(ctx)),
    manifest(defaultDeny(ctx)),
    manifest(serviceNetworkPolicy(ctx), [], egressNotes(ctx)),
    ...optional(fqdnPolicy(ctx)),
    ...ctx.service.resources.cron.map((job) => manifest(cronJob(ctx, job, { requests: compute, limitsFrom: compute }))),
    ...ctx.service.jobs.map((job) =>
      manifest(
        job.when === 'pre-deploy'
          ? preDeployJob(ctx, job, { requests: compute, limitsFrom: compute })
          : manualJob(ctx, job, { requests: compute, limitsFrom: compute }),
      ),
    ),
    ...declaredSecrets(ctx).map((object) => manifest(object)),
    ...connectionSecrets(ctx).map((object) => manifest(object)),
    ...cloudPasswordSecrets(ctx).map((object) => manifest(object)),
    ...databaseBootstrap(ctx),
  ];
  return bootstrapPrerequisites(ctx, manifests);
}
