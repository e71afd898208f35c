import type { Kinds } from './kube-types.js';
import type { KubeJson } from './overrides.js';

/**
 * Kubernetes objects as plain data, built straight from typed literals: no
 * construct tree, no token resolution, no per-kind JSON mappers. What reaches
 * a file is exactly what paved wrote, minus the fields it left undefined; the
 * serializer sorts the keys.
 */

/** The metadata paved writes: every object it emits is named. */
export interface ObjectMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

/** What one kind's object holds besides its type and metadata (never a status: paved writes desired state only). */
export type ObjectBody<K extends keyof Kinds> = Omit<Kinds[K], 'apiVersion' | 'kind' | 'metadata' | 'status'>;

const API_VERSIONS: { readonly [K in keyof Kinds]: Kinds[K]['apiVersion'] } = {
  ConfigMap: 'v1',
  CronJob: 'batch/v1',
  Deployment: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Ingress: 'networking.k8s.io/v1',
  Job: 'batch/v1',
  Namespace: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  Secret: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
};

/** An object of one of Kubernetes' own kinds. */
export function kubeObject<K extends keyof Kinds>(kind: K, object: ObjectBody<K> & { readonly metadata: ObjectMetadata }): KubeJson {
  const { metadata, ...body } = object;
  return apiObject(API_VERSIONS[kind], kind, metadata, body);
}

/**
 * An object of any kind: undefined and null fields left out at every depth,
 * and in metadata empty maps and lists too (an object without labels has no
 * `labels: {}`). The parts that lose nothing are the emitter's own, not
 * copies: nothing changes an object once built, and an override patches a
 * copy of it as a tree (shared/json-patch.ts), so a part the object holds
 * twice (a labels map in metadata and in a selector) is never patched twice.
 */
export function apiObject(apiVersion: string, kind: string, metadata: ObjectMetadata, body: object): KubeJson {
  return { apiVersion, kind, metadata: present(metadata, true) as KubeJson['metadata'], ...(present(body, false) as object) };
}

/** `object` with one more annotation, for an annotation decided after the object was built. */
export function withAnnotation(object: KubeJson, key: string, value: string): KubeJson {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [key]: value } } };
}

/** `value` without its absent parts: itself when it has none (most do), else a copy that leaves them out. */
function present(value: unknown, dropEmpty: boolean): unknown {
  if (Array.isArray(value)) return dropEmpty && value.length === 0 ? undefined : presentItems(value, dropEmpty);
  if (value === null || typeof value !== 'object') return value ?? undefined;
  return presentFields(value as Record<string, unknown>, dropEmpty);
}

/** A list whose items lose nothing is kept; otherwise copied from the first item that does. */
function presentItems(items: readonly unknown[], dropEmpty: boolean): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const kept = present(item, dropEmpty);
    if (copy === undefined && kept !== item) copy = items.slice(0, i);
    if (copy !== undefined) copy.push(kept);
  }
  return copy ?? items;
}

/**
 * A map that loses no field is kept as it is, which is what a walk finds for
 * almost every map paved builds (621,600 in a compile of 300 services). Any
 * other is rebuilt key by key.
 */
function presentFields(object: Record<string, unknown>, dropEmpty: boolean): Record<string, unknown> {
  if (Object.getPrototypeOf(object) !== Object.prototype) return rebuiltFields(object, dropEmpty);
  for (const key in object) {
    // An own `__proto__` key (a parsed YAML map can have one) is left out, as the key-by-key copy's assignment leaves it.
    if (key === '__proto__') return rebuiltFields(object, dropEmpty);
    const field = object[key];
    if (field === undefined || field === null) return rebuiltFields(object, dropEmpty);
    if (typeof field !== 'object') continue;
    const kept = present(field, dropEmpty);
    if (kept !== field || (dropEmpty && isEmpty(kept))) return rebuiltFields(object, dropEmpty);
  }
  return object;
}

/** A map's kept fields, key by key, as for-in walks them (an object of another prototype included). */
function rebuiltFields(object: Record<string, unknown>, dropEmpty: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in object) {
    const kept = present(object[key], dropEmpty);
    if (kept === undefined || (dropEmpty && isEmpty(kept))) continue;
    copy[key] = kept;
  }
  return copy;
}

/** An empty map or list. */
function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value === null || typeof value !== 'object') return false;
  // Asked of every metadata map: the first own key answers, without listing them all.
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}
