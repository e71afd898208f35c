import { parseAllDocuments } from 'yaml';
import type { GeneratedFile } from '../spec/emitter.js';
import type { EnvironmentName } from '../spec/model.js';
import { compareText } from '../spec/pointer.js';

/**
 * The Kubernetes objects whose deletion loses data, deleted between two
 * generated trees: what `paved diff` marks with `!` and what `paved check
 * --base` holds to the same rule as a destroyed database. An object is
 * deleted when its kind, namespace and name are nowhere in the head tree for
 * the same environment (moving to another file is no deletion). Preview
 * environments are left out: they are torn down with their pull request. Pure.
 */
export interface KubernetesDeletion {
  /** The base revision's file the object was in. */
  readonly path: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace; absent for a cluster-scoped object (a Namespace, a PersistentVolume). */
  readonly namespace?: string;
  /** The environment whose cluster loses it, from the file's folder or name; absent when neither says. */
  readonly environment?: EnvironmentName;
  /** What is lost, for people. */
  readonly reason: string;
}

interface Manifest {
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly finalizers?: unknown; readonly labels?: Record<string, unknown> };
  readonly spec?: Record<string, unknown>;
}

/** Argo CD's cascade: with it, deleting an Application deletes every object it manages. */
const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Why deleting this object loses data, or undefined when it does not. */
export function dataLossReason(object: Manifest): string | undefined {
  switch (object.kind) {
    case 'PersistentVolumeClaim':
      return 'its volume and the data on it are deleted with it';
    case 'PersistentVolume':
      return 'its storage is released, and deleted under the Delete reclaim policy';
    case 'Namespace':
      return 'every object in it is deleted with it, secrets and volumes included';
    case 'StatefulSet':
      return Array.isArray(object.spec?.volumeClaimTemplates) && object.spec.volumeClaimTemplates.length > 0
        ? "its pods' volume claims (volumeClaimTemplates) are orphaned, or deleted under whenDeleted: Delete"
        : undefined;
    case 'Application':
      return Array.isArray(object.metadata?.finalizers) && object.metadata.finalizers.includes(ARGOCD_RESOURCES_FINALIZER)
        ? 'Argo CD deletes every object it manages (resources finalizer), its namespace included'
        : undefined;
    default:
      return undefined;
  }
}

const ENVIRONMENT_FOLDER = /\/kubernetes\/(preview|staging|production)\//;
const ENVIRONMENT_FILE = /-(preview|staging|production)\.ya?ml$/;
const isYaml = (path: string): boolean => /\.ya?ml$/.test(path);

function environmentOf(path: string, object: Manifest): EnvironmentName | undefined {
  const found = ENVIRONMENT_FOLDER.exec(path)?.[1] ?? ENVIRONMENT_FILE.exec(path)?.[1] ?? object.metadata?.labels?.['paved.dev/environment'];
  return found === 'preview' || found === 'staging' || found === 'production' ? found : undefined;
}

interface Found {
  readonly path: string;
  readonly object: Manifest;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly environment?: EnvironmentName;
}

/** The Kubernetes objects (a kind and a name) of one YAML file. */
function manifests(path: string, text: string): Found[] {
  const found: Found[] = [];
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as Manifest | null;
    if (!object || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') continue;
    const namespace = typeof object.metadata.namespace === 'string' ? object.metadata.namespace : undefined;
    const environment = environmentOf(path, object);
    found.push({
      path,
      object,
      kind: object.kind,
      name: object.metadata.name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(environment === undefined ? {} : { environment }),
    });
  }
  return found;
}

const identity = (o: Found): string => [o.environment ?? '', o.kind, o.namespace ?? '', o.name].join('\u0000');

/** The data-losing Kubernetes objects of `base` that `head` no longer has, in path, kind and name order. */
export function kubernetesDataLoss(base: readonly GeneratedFile[], head: readonly GeneratedFile[]): KubernetesDeletion[] {
  const now = new Map(head.map((f) => [f.path, f.contents]));
  // Only a file that changed or went away can have lost an object.
  const candidates = base
    .filter((f) => isYaml(f.path) && now.get(f.path) !== f.contents)
    .flatMap((f) => manifests(f.path, f.contents))
    // A pull request's preview is disposable by design: what it loses was never kept.
    .filter((o) => o.environment !== 'preview')
    .flatMap((o) => {
      const reason = dataLossReason(o.object);
      return reason === undefined ? [] : [{ ...o, reason }];
    });
  if (candidates.length === 0) return [];
  const kept = new Set(head.filter((f) => isYaml(f.path)).flatMap((f) => manifests(f.path, f.contents).map(identity)));
  return candidates
    .filter((o) => !kept.has(identity(o)))
    .map(({ path, kind, name, namespace, environment, reason }) => ({
      path,
      kind,
      name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(environment === undefined ? {} : { environment }),
      reason,
    }))
    .sort((a, b) => compareText(a.path, b.path) || compareText(a.kind, b.kind) || compareText(a.name, b.name));
}
