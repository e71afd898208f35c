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
  const selector: Record<string, string> = { [LABEL.name]: ctx.service.name, [LABEL.component]: component };
  if (instance !== undefined) selector[LABEL.instance] = instance;
  return selector;
}

/** Every label of an object (and of the pods it creates). */
export function labels(ctx: RenderContext, component?: Component, instance?: string): Record<string, string> {
  // Assigned in order rather than spread from conditional literals: this runs for every object and pod template.
  const labels: Record<string, string> = { [LABEL.name]: ctx.service.name };
  if (component !== undefined) labels[LABEL.component] = component;
  if (instance !== undefined) labels[LABEL.instance] = instance;
  labels[LABEL.partOf] = ctx.project.platform.name;
  labels[LABEL.managedBy] = 'paved';
  labels[LABEL.version] = ctx.version;
  labels[LABEL.team] = ctx.service.owner;
  labels[LABEL.tier] = ctx.service.tier;
  labels[LABEL.environment] = ctx.env;
  return labels;
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
