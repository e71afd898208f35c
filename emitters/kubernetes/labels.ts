import type { RenderContext } from './context.js';

/**
 * One label and annotation convention on every object, so `kubectl get -l`,
 * cost reports and alert routing work the same for every service.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** The parts of a service: its server pods, its cron job and job pods, the database bootstrap Job, and preview's stand-ins. */
export type Component = 'server' | 'cron' | 'job' | 'db-bootstrap' | 'postgres' | 'mysql' | 'redis' | 'localstack' | 'stand-in';

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
  team: 'paved.dev/team',
  tier: 'paved.dev/tier',
  environment: 'paved.dev/environment',
} as const;

/**
 * Labels that pick a component's pods. Never the version: selectors are
 * immutable, and a release must not orphan the running pods.
 */
export function selectorLabels(ctx: RenderContext, component: Component, instance?: string): Record<string, string> {
  return {
    [LABEL.name]: ctx.service.name,
    [LABEL.component]: component,
    ...(instance === undefined ? {} : { [LABEL.instance]: instance }),
  };
}

/** Every label of an object (and of the pods it creates). */
export function labels(ctx: RenderContext, component?: Component, instance?: string): Record<string, string> {
  return {
    [LABEL.name]: ctx.service.name,
    ...(component === undefined ? {} : { [LABEL.component]: component }),
    ...(instance === undefined ? {} : { [LABEL.instance]: instance }),
    [LABEL.partOf]: ctx.project.platform.name,
    [LABEL.managedBy]: 'paved',
    [LABEL.version]: ctx.version,
    [LABEL.team]: ctx.service.owner,
    [LABEL.tier]: ctx.service.tier,
    [LABEL.environment]: ctx.env,
  };
}

/** Where an object came from; the spec path lets a reader find its source. */
export function annotations(ctx: RenderContext): Record<string, string> {
  return { 'paved.dev/spec': ctx.service.specPath };
}

/** Name, namespace, labels and annotations of an object in the service's namespace. */
export function metadata(
  ctx: RenderContext,
  name: string,
  component?: Component,
  instance?: string,
): { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } {
  return { name, namespace: ctx.namespace, labels: labels(ctx, component, instance), annotations: annotations(ctx) };
}
