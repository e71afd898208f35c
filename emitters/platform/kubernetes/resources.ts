import type { GroupKind } from './kinds.js';

/**
 * Typed shapes of the platform layer's objects, listing exactly the fields
 * paved sets (the tests check each against the operators' schemas). Plain
 * objects, as every Kubernetes object paved emits (emitters/kubernetes/kube-object.ts).
 */

export interface Metadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** external-secrets.io/v1, the version the services' ExternalSecrets use. */
export interface ClusterSecretStore {
  readonly apiVersion: 'external-secrets.io/v1';
  readonly kind: 'ClusterSecretStore';
  readonly metadata: Metadata;
  readonly spec: {
    /** Which namespaces may read through the store: an exact list, or a label selector for preview's per-PR namespaces. */
    readonly conditions: ReadonlyArray<
      | { readonly namespaces: readonly string[] }
      | {
          readonly namespaceSelector: {
            readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: 'In'; readonly values: readonly string[] }>;
          };
        }
    >;
    /** No `auth`: the controller's own credentials, which EKS Pod Identity gives its ServiceAccount. */
    readonly provider: { readonly aws: { readonly service: 'SecretsManager'; readonly region: string } };
  };
}

export interface Destination {
  readonly name?: string;
  readonly server?: string;
  /** Absent where everything synced is cluster-scoped. */
  readonly namespace?: string;
}

/** argoproj.io/v1alpha1 AppProject. */
export interface AppProject {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'AppProject';
  readonly metadata: Metadata;
  readonly spec: {
    readonly sourceRepos: readonly string[];
    readonly destinations: readonly Destination[];
    readonly clusterResourceWhitelist: readonly GroupKind[];
    readonly namespaceResourceWhitelist: readonly GroupKind[];
    readonly orphanedResources: { readonly warn: boolean };
  };
}

export interface SyncPolicy {
  readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
  readonly syncOptions: readonly string[];
  readonly retry: { readonly limit: number; readonly backoff: { readonly duration: string; readonly factor: number; readonly maxDuration: string } };
}

/** argoproj.io/v1alpha1 Application with a directory source. */
export interface Application {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'Application';
  readonly metadata: Metadata;
  readonly spec: {
    readonly project: string;
    readonly source: {
      readonly repoURL: string;
      readonly targetRevision: string;
      readonly path: string;
      readonly directory: { readonly recurse: boolean; readonly include?: string };
    };
    readonly destination: Destination;
    readonly syncPolicy: SyncPolicy;
    readonly revisionHistoryLimit: number;
  };
}

/** Argo CD applies lower waves first, and waits for their health, within one sync. */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
