import type { Construct } from 'constructs';
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
export function cloudEnvironment(scope: Construct, ctx: RenderContext): Manifest[] {
  const { scaling, compute } = ctx.environment;
  const autoscaled = hasAutoscaler(ctx);
  const single = scaling.min < 2;
  const serviceObject = service(scope, ctx);
  const ingressObject = ingress(scope, ctx);
  const manifests = [
    manifest(namespace(scope, ctx)),
    manifest(serviceAccount(scope, ctx)),
    manifest(deployment(scope, ctx, { ...(autoscaled ? {} : { replicas: scaling.min }), requests: compute, limitsFrom: compute }), [
      ...(!autoscaled && single ? [WAIVERS.tierSingleReplica] : []),
      ...(unprobedWorker(ctx) ? [WAIVERS.workerWithoutProbes] : []),
    ]),
    ...(autoscaled ? [manifest(autoscaler(scope, ctx), single ? [WAIVERS.tierAutoscalerMinimum] : [])] : []),
    manifest(disruptionBudget(scope, ctx)),
    ...(serviceObject ? [manifest(serviceObject)] : []),
    ...(ingressObject ? [manifest(ingressObject)] : []),
    manifest(monitor(scope, ctx)),
    manifest(defaultDeny(scope, ctx)),
    manifest(serviceNetworkPolicy(scope, ctx), [], egressNotes(ctx)),
    ...optional(fqdnPolicy(scope, ctx)),
    ...ctx.service.resources.cron.map((job) => manifest(cronJob(scope, ctx, job, { requests: compute, limitsFrom: compute }))),
    ...ctx.service.jobs.map((job) =>
      manifest(
        job.when === 'pre-deploy'
          ? preDeployJob(scope, ctx, job, { requests: compute, limitsFrom: compute })
          : manualJob(scope, ctx, job, { requests: compute, limitsFrom: compute }),
      ),
    ),
    ...declaredSecrets(scope, ctx).map((object) => manifest(object)),
    ...connectionSecrets(scope, ctx).map((object) => manifest(object)),
    ...cloudPasswordSecrets(scope, ctx).map((object) => manifest(object)),
    ...databaseBootstrap(scope, ctx),
  ];
  bootstrapPrerequisites(
    ctx,
    manifests.map((m) => m.object),
  );
  return manifests;
}
