import { KUBERNETES_WAIVERS as WAIVERS, waiverComment } from '../../emitters/shared/waivers.js';
import { perItem, type Problems } from './findings.js';
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

/** Turns a check's plain-string problems into findings of `owner`, waivable by `ids`. */
const asFindings = (owner: GeneratedObject, ids: readonly string[], problems: Problems, prefix = ''): Finding[] =>
  (Array.isArray(problems) ? problems : [problems]).flatMap((p: string | Finding | undefined) =>
    p === undefined ? [] : typeof p === 'string' ? [finding(owner, `${prefix}${p}`, ids)] : [p],
  );

/** The objects of one directory (a namespace's worth: an environment, or argocd). */
export function siblingsIn(target: PolicyTarget): (o: GeneratedObject) => GeneratedObject[] {
  const byDirectory = new Map<string, GeneratedObject[]>();
  for (const o of target.objects) byDirectory.set(o.directory, [...(byDirectory.get(o.directory) ?? []), o]);
  return (o) => byDirectory.get(o.directory) ?? [];
}

export const ofKind = (target: PolicyTarget, kind: string): GeneratedObject[] => target.objects.filter((o) => o.object.kind === kind);
export const spec = (o: GeneratedObject): Record<string, any> => o.object.spec as Record<string, any>;

/** Every container (init and ephemeral too) of every pod template; one thing checked per container. */
export function perContainer(target: PolicyTarget, ids: readonly string[], check: (c: Container, pod: PodSpec, t: PodTemplate) => Problems): CheckResult {
  const containers = podTemplates(target.objects).flatMap((t) => allContainers(t.spec).map((c) => ({ c, t })));
  return { checked: containers.length, findings: containers.flatMap(({ c, t }) => asFindings(t.owner, ids, check(c, t.spec, t), `${c.name}: `)) };
}

/** Every pod template (Deployments and CronJobs). */
export function perPod(target: PolicyTarget, ids: readonly string[], check: (t: PodTemplate) => Problems): CheckResult {
  const templates = podTemplates(target.objects);
  return { checked: templates.length, findings: templates.flatMap((t) => asFindings(t.owner, ids, check(t))) };
}

/** Every object of a kind, or of every kind when `kind` is undefined. */
export function perObject(target: PolicyTarget, kind: string | undefined, ids: readonly string[], check: (o: GeneratedObject) => Problems): CheckResult {
  const objects = kind === undefined ? target.objects : ofKind(target, kind);
  return perItem(
    objects,
    (o) => o.path,
    (o) => asFindings(o, ids, check(o)),
  );
}

export const sc = (c: Container): Record<string, any> => (c.securityContext ?? {}) as Record<string, any>;
export const podSc = (p: PodSpec): Record<string, any> => (p.securityContext ?? {}) as Record<string, any>;
/** A container setting, falling back to the pod's, as the kubelet resolves it. */
export const effective = (c: Container, p: PodSpec, key: string): unknown => sc(c)[key] ?? podSc(p)[key];
export const probesOf = (c: Container): Array<Record<string, any>> =>
  [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean) as Array<Record<string, any>>;
