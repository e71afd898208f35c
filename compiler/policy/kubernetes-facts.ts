import { KUBERNETES_WAIVERS as WAIVERS, waiverComment } from '../../emitters/shared/waivers.js';
import { fact, groupedBy, NONE } from './facts.js';
import { checkEach, type Problems } from './findings.js';
import type { CheckResult, Finding } from './types.js';
import { allContainers, podTemplates, type Container, type GeneratedObject, type PodSpec, type PodTemplate, type PolicyTarget } from './view.js';

/** Reading and breaking the generated Kubernetes objects for the §2 rules. */

/** Each declared waiver with the line that prints it, made once. */
const PRINTED = Object.entries(WAIVERS).map(([name, w]) => [name, w, waiverComment(w)] as const);

/**
 * `kubernetes:<name>` of the first declared waiver that covers one of `ids`, is
 * attached to the object's file by its emitter (the table's own object, in
 * GeneratedFile.waivers) and printed in it; otherwise undefined. The text alone
 * never counts: an override's reason is printed in the same file.
 */
export function attachedWaiver(owner: GeneratedObject, ids: readonly string[]): string | undefined {
  const found = PRINTED.find(([, w, line]) => w.rules.some((r) => ids.includes(r)) && owner.waivers.includes(w) && owner.contents.includes(line));
  return found ? `kubernetes:${found[0]}` : undefined;
}

/** A problem of `owner`, raised under `ids`, excused when a declared waiver for one of them is attached to its file. */
export function finding(owner: GeneratedObject, problem: string, ids: readonly string[]): Finding {
  const waiver = attachedWaiver(owner, ids);
  return waiver ? { where: owner.path, problem, ids, waiver } : { where: owner.path, problem, ids };
}

/** A problem no declared waiver can excuse (raised under `ids` when given, else under its rule's). */
export const unwaivable = (owner: GeneratedObject, problem: string, ids?: readonly string[]): Finding =>
  ids ? { where: owner.path, problem, ids } : { where: owner.path, problem };

/** The pod template of every object (view.ts podTemplates), once per target. */
export const podTemplatesOf = fact((target: PolicyTarget): readonly PodTemplate[] => Object.freeze(podTemplates(target.objects)));

/** An object's own pod template, if it has one. */
const templateByOwner = fact((target: PolicyTarget): ReadonlyMap<GeneratedObject, PodTemplate> => new Map(podTemplatesOf(target).map((t) => [t.owner, t])));
export const templateOf = (target: PolicyTarget, o: GeneratedObject): PodTemplate | undefined => templateByOwner(target).get(o);

interface ContainerOf {
  readonly c: Container;
  readonly t: PodTemplate;
}
/** Every container (init and ephemeral too) of every pod template, with its template. */
const containersOf = fact((target: PolicyTarget): readonly ContainerOf[] =>
  Object.freeze(podTemplatesOf(target).flatMap((t) => allContainers(t.spec).map((c) => ({ c, t })))),
);

const byKind = fact((target: PolicyTarget) => groupedBy(target.objects, (o) => o.object.kind));
const byDirectory = fact((target: PolicyTarget) => groupedBy(target.objects, (o) => o.directory));
const templatesByDirectory = fact((target: PolicyTarget) => groupedBy(podTemplatesOf(target), (t) => t.owner.directory));

/** The objects of one directory (a namespace's worth: an environment, or argocd). */
export function siblingsIn(target: PolicyTarget): (o: GeneratedObject) => readonly GeneratedObject[] {
  const groups = byDirectory(target);
  return (o) => groups.get(o.directory) ?? NONE;
}

const byDirectoryAndKind = fact((target: PolicyTarget) => {
  const groups = new Map<string, ReadonlyMap<string, readonly GeneratedObject[]>>();
  for (const [directory, objects] of byDirectory(target))
    groups.set(
      directory,
      groupedBy(objects, (o) => o.object.kind),
    );
  return groups;
});

/** The objects of one kind in `o`'s directory, in object order (its siblings of that kind). */
export function siblingsOfKindIn(target: PolicyTarget): (o: GeneratedObject, kind: string) => readonly GeneratedObject[] {
  const groups = byDirectoryAndKind(target);
  return (o, kind) => groups.get(o.directory)?.get(kind) ?? NONE;
}

/** The pod templates of the objects in `o`'s directory, in object order (podTemplates of its siblings). */
export function siblingTemplatesIn(target: PolicyTarget): (o: GeneratedObject) => readonly PodTemplate[] {
  const groups = templatesByDirectory(target);
  return (o) => groups.get(o.directory) ?? NONE;
}

export const ofKind = (target: PolicyTarget, kind: string): readonly GeneratedObject[] => byKind(target).get(kind) ?? NONE;
export const spec = (o: GeneratedObject): Record<string, any> => o.object.spec as Record<string, any>;

/** Every container (init and ephemeral too) of every pod template; one thing checked per container. */
export function perContainer(target: PolicyTarget, ids: readonly string[], check: (c: Container, pod: PodSpec, t: PodTemplate) => Problems): CheckResult {
  return checkEach(
    containersOf(target),
    ({ c, t }) => check(c, t.spec, t),
    ({ c, t }, problem) => finding(t.owner, `${c.name}: ${problem}`, ids),
  );
}

/** Every pod template (Deployments and CronJobs). */
export function perPod(target: PolicyTarget, ids: readonly string[], check: (t: PodTemplate) => Problems): CheckResult {
  return checkEach(podTemplatesOf(target), check, (t, problem) => finding(t.owner, problem, ids));
}

/** Every object of a kind, or of every kind when `kind` is undefined. */
export function perObject(target: PolicyTarget, kind: string | undefined, ids: readonly string[], check: (o: GeneratedObject) => Problems): CheckResult {
  return checkEach(kind === undefined ? target.objects : ofKind(target, kind), check, (o, problem) => finding(o, problem, ids));
}

export const sc = (c: Container): Record<string, any> => (c.securityContext ?? {}) as Record<string, any>;
export const podSc = (p: PodSpec): Record<string, any> => (p.securityContext ?? {}) as Record<string, any>;
/** A container setting, falling back to the pod's, as the kubelet resolves it. */
export const effective = (c: Container, p: PodSpec, key: string): unknown => sc(c)[key] ?? podSc(p)[key];
export const probesOf = (c: Container): Array<Record<string, any>> =>
  [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean) as Array<Record<string, any>>;
