import { apiObject, type ObjectMetadata } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/**
 * Typed specs for the custom resources paved emits. kubernetes-models types
 * only Kubernetes' own kinds (kube-types.ts), so these interfaces list exactly
 * the fields paved sets (each checked against the operators' schemas in tests).
 */

/** external-secrets.io/v1: v1beta1 is no longer served from External Secrets Operator 0.17 on. */
export interface ExternalSecretSpec {
  /** `0`: fetched (or generated) once and never again. */
  readonly refreshInterval: string;
  /** Absent when every value comes from a generator. */
  readonly secretStoreRef?: { readonly kind: 'ClusterSecretStore'; readonly name: string };
  readonly target: {
    readonly name: string;
    readonly creationPolicy: 'Owner';
    readonly deletionPolicy: 'Retain';
    /** Engine v2 renders each value as a Go template over the fetched keys (the database bootstrap's master credentials). */
    readonly template?: { readonly engineVersion: 'v2'; readonly data: Readonly<Record<string, string>> };
  };
  readonly data?: ReadonlyArray<{ readonly secretKey: string; readonly remoteRef: { readonly key: string; readonly property?: string } }>;
  /** Secrets found by name pattern and tags, for a secret whose name paved cannot know (RDS's `rds!db-<uuid>`), their keys rewritten. */
  readonly dataFrom?: ReadonlyArray<FoundSecrets | GeneratedSecret>;
}

/** Secrets found by name pattern and tags, their keys rewritten. */
export interface FoundSecrets {
  readonly find: { readonly name: { readonly regexp: string }; readonly tags: Readonly<Record<string, string>> };
  readonly rewrite: ReadonlyArray<{ readonly regexp: { readonly source: string; readonly target: string } }>;
}

/** Values a generator makes (preview's database passwords). */
export interface GeneratedSecret {
  readonly sourceRef: { readonly generatorRef: { readonly apiVersion: string; readonly kind: 'Password'; readonly name: string } };
}

/** generators.external-secrets.io/v1alpha1 Password: a random password under the key `password`. */
export interface PasswordSpec {
  readonly length: number;
  readonly digits: number;
  readonly symbols: number;
  readonly noUpper: boolean;
  readonly allowRepeat: boolean;
}

export interface MonitorEndpoint {
  readonly port: string;
  readonly path: string;
  readonly interval: string;
}

/** monitoring.coreos.com/v1 ServiceMonitor. */
export interface ServiceMonitorSpec {
  readonly jobLabel: string;
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly endpoints: readonly MonitorEndpoint[];
}

/** monitoring.coreos.com/v1 PodMonitor, for workers, which have no Service. */
export interface PodMonitorSpec {
  readonly jobLabel: string;
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly podMetricsEndpoints: readonly MonitorEndpoint[];
}

/** argoproj.io/v1alpha1 Application. */
export interface ApplicationSpec {
  readonly project: string;
  readonly source: { readonly repoURL: string; readonly targetRevision: string; readonly path: string; readonly directory: { readonly recurse: boolean } };
  readonly destination: { readonly name: string; readonly namespace: string };
  readonly syncPolicy: {
    readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
    readonly syncOptions: readonly string[];
    readonly retry: { readonly limit: number; readonly backoff: { readonly duration: string; readonly factor: number; readonly maxDuration: string } };
  };
  readonly revisionHistoryLimit: number;
}

/** A Cilium selector: labels, and the service's component expression (networking.ts servicePods). */
export interface CiliumSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: 'In'; readonly values: readonly string[] }>;
}

export interface CiliumPortRule {
  readonly ports: ReadonlyArray<{ readonly port: string; readonly protocol: 'TCP' | 'UDP' | 'ANY' }>;
  /** L7 DNS rules: the DNS proxy sees (and here allows) every lookup, which is how toFQDNs learns the addresses. */
  readonly rules?: { readonly dns: ReadonlyArray<{ readonly matchPattern: string }> };
}

/** cilium.io/v2 CiliumNetworkPolicy: only egress, to DNS and to names (toFQDNs). */
export interface CiliumNetworkPolicySpec {
  readonly endpointSelector: CiliumSelector;
  readonly egress: ReadonlyArray<
    | { readonly toEndpoints: readonly CiliumSelector[]; readonly toPorts: readonly CiliumPortRule[] }
    | { readonly toFQDNs: ReadonlyArray<{ readonly matchName: string } | { readonly matchPattern: string }>; readonly toPorts: readonly CiliumPortRule[] }
  >;
}

interface Kinds {
  CiliumNetworkPolicy: CiliumNetworkPolicySpec;
  ExternalSecret: ExternalSecretSpec;
  Password: PasswordSpec;
  ServiceMonitor: ServiceMonitorSpec;
  PodMonitor: PodMonitorSpec;
  Application: ApplicationSpec;
}

export const PASSWORD_GENERATOR_API_VERSION = 'generators.external-secrets.io/v1alpha1';

const API_VERSIONS: Readonly<Record<keyof Kinds, string>> = {
  CiliumNetworkPolicy: 'cilium.io/v2',
  ExternalSecret: 'external-secrets.io/v1',
  Password: PASSWORD_GENERATOR_API_VERSION,
  ServiceMonitor: 'monitoring.coreos.com/v1',
  PodMonitor: 'monitoring.coreos.com/v1',
  Application: 'argoproj.io/v1alpha1',
};

export function customResource<K extends keyof Kinds>(kind: K, metadata: ObjectMetadata, spec: Kinds[K]): KubeJson {
  return apiObject(API_VERSIONS[kind], kind, metadata, { spec });
}
