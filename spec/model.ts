/**
 * The resolved model: what emitters read. Every default is applied, every
 * environment expanded, every reference linked. Emitters never see a missing
 * optional value and never apply a default themselves.
 */

import type { EnvironmentName, Language, MetricsConvention, PortProtocol, Protocol, SizeName } from './types.js';

// The enumerations of the specs, generated from their schemas (spec/types.ts).
export type { EnvironmentName, Language, MetricsConvention, PortProtocol, Protocol };
export type Size = SizeName;

/** In promotion order. */
export const ENVIRONMENTS: readonly EnvironmentName[] = ['preview', 'staging', 'production'];

/** Where a resolved value came from: the data behind `paved explain`. */
/** `derived`: computed by paved from other values (a service's dependents, a topic's subscribers). */
export type OriginKind = 'spec' | 'environment' | 'tier' | 'platform' | 'release' | 'default' | 'derived';

export interface Origin {
  readonly kind: OriginKind;
  /** The file and JSON pointer that set the value, when a file did. */
  readonly file?: string;
  readonly pointer?: string;
}

export interface Compute {
  /** Kubernetes quantity, e.g. `250m`. */
  readonly cpu: string;
  /** Kubernetes quantity, e.g. `256Mi`. */
  readonly memory: string;
}

export interface Scaling {
  readonly min: number;
  readonly max: number;
  readonly targetCPUUtilization: number;
}

export interface EnvironmentPolicy {
  readonly deletionProtection: boolean;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
}

export interface ResolvedEnvironment {
  readonly name: EnvironmentName;
  readonly enabled: boolean;
  readonly scaling: Scaling;
  readonly compute: Compute;
  /** Plain configuration after merging the service's and the environment's `env`; keys sorted. */
  readonly env: Readonly<Record<string, string>>;
  readonly policy: EnvironmentPolicy;
  /** AWS account id; preview runs in the staging account. */
  readonly account: string;
  readonly cluster: string;
  /** Public host; preview's contains `pr-<n>` placeholders filled by CI. */
  readonly host?: string;
  /**
   * The image CI released to this environment (releases.yaml). Absent before the
   * first release, and always for preview, whose image CI sets per pull request.
   */
  readonly release?: Release;
}

export interface Release {
  /** The image tag: the commit SHA CI built it from. */
  readonly tag: string;
  /** `sha256:<hex>`, pinned in manifests when known. */
  readonly digest?: string;
}

export interface ResolvedDatabase {
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  readonly engine: DatabaseEngine;
  readonly version: string;
  /** iam: the app signs in as `app` with IAM tokens; password: as the master user, with the RDS-managed password. */
  readonly auth: DatabaseAuth;
  readonly size: Size;
  readonly instanceClass: string;
  /** Storage allocated at creation, in GiB. */
  readonly storageGiB: number;
  /** The platform's ceiling RDS storage autoscaling grows to (sizes.databaseStorageGiB.max). */
  readonly maxStorageGiB: number;
}

export type DatabaseEngine = 'postgres' | 'mysql';
export type DatabaseAuth = 'iam' | 'password';

export interface ResolvedCache {
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  readonly size: Size;
  readonly nodeType: string;
}

export interface ResolvedTopic {
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  /** Services subscribing to this topic; sorted. */
  readonly subscribers: readonly string[];
}

export interface ResolvedSubscription {
  readonly topic: string;
  /** The service that declares the topic. */
  readonly from: string;
  /** The topic's name before the publisher renamed it (spec renamedFrom): the queues keep names derived from it. */
  readonly renamedFrom?: string;
  readonly maxRetries: number;
}

export interface ResolvedBucket {
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  readonly public: boolean;
  readonly versioned: boolean;
}

export interface ResolvedCronJob {
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  readonly schedule: string;
  readonly command: readonly string[];
}

/** One `egress:` entry: a TCP port on a host (a DNS name or a `*.` pattern) or on a CIDR block (canonical). */
export type ResolvedEgress = { readonly host: string; readonly port: number } | { readonly cidr: string; readonly port: number };

/** One `jobs:` entry: `pre-deploy` runs before each rollout and blocks it; `manual` runs on demand. */
export interface ResolvedJob {
  readonly name: string;
  readonly command: readonly string[];
  readonly when: 'pre-deploy' | 'manual';
}

export interface ResolvedResources {
  readonly databases: readonly ResolvedDatabase[];
  readonly caches: readonly ResolvedCache[];
  readonly topics: readonly ResolvedTopic[];
  readonly subscriptions: readonly ResolvedSubscription[];
  readonly buckets: readonly ResolvedBucket[];
  readonly cron: readonly ResolvedCronJob[];
  /** Entries of the platform's resource types (resources.<type>), by type name, then in spec order. */
  readonly typed: readonly ResolvedTypedResource[];
}

/** A platform resource type (platform.yaml resourceTypes.<type>): a Terraform module services request like a built-in. */
export interface ResolvedResourceType {
  readonly name: string;
  readonly description: string;
  /** `local`: a folder relative to the paved root; `registry`: a registry source and its version constraint. */
  readonly module: { readonly kind: 'local'; readonly path: string } | { readonly kind: 'registry'; readonly source: string; readonly version: string };
  /** Module outputs the app receives, in platform order. */
  readonly connection: readonly string[];
  readonly egressPorts: readonly number[];
  readonly stateful: boolean;
  /** Whether the module exports `iam_policy_json` for the service's role. */
  readonly iamPolicy: boolean;
  /** The container standing in for it in previews and local dev; absent: they go without it. */
  readonly standIn?: { readonly image: string; readonly port: number };
}

/** One `resources.<type>` entry of a platform resource type. */
export interface ResolvedTypedResource {
  readonly type: string;
  readonly name: string;
  /** The name it was deployed under before a rename (spec renamedFrom); see naming.ts deployedName. */
  readonly renamedFrom?: string;
  /** The service's inputs as the type's schema validated them, its defaults applied; keys sorted. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The type's connection outputs (ResolvedResourceType.connection), so connection helpers need only the resources. */
  readonly connection: readonly string[];
}

export interface ResolvedRuntime {
  readonly language: Language;
  /** Image repository without tag: `<platform registry>/<service>`. */
  readonly image: string;
  /**
   * Where pull request builds go, `<platform registry>/preview/<service>`: a
   * repository no environment's manifests name (a service name has no `/`), so
   * a branch's image can never be deployed to staging or production.
   */
  readonly previewImage: string;
  /** Repo-relative POSIX paths. */
  readonly build: { readonly context: string; readonly dockerfile: string };
  /** Absent for workers. */
  readonly port?: number;
  /** The port the Service exposes, forwarded to `port`; absent for workers. */
  readonly servicePort?: number;
  readonly protocol: Protocol;
  /** More named container ports (runtime.ports), in spec order; each is on the Service under its own number. */
  readonly ports: readonly ResolvedPort[];
  readonly command?: readonly string[];
  readonly health: { readonly liveness: string; readonly readiness: string };
}

export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: PortProtocol;
}

export interface ResolvedIngress {
  readonly public: boolean;
  readonly host: string;
  readonly paths: readonly string[];
}

export interface ResolvedSlo {
  /** Percent, e.g. 99.9. */
  readonly availability: number;
  readonly latency?: { readonly percentile: number; readonly thresholdMs: number };
}

export interface ResolvedObservability {
  /** Absent for workers: there are no requests to measure. */
  readonly slo?: ResolvedSlo;
  readonly alerts: { readonly route: string };
  readonly metrics: ResolvedMetrics;
}

/** Where the app serves its Prometheus metrics and which names it exports (observability.metrics). */
export interface ResolvedMetrics {
  readonly port: number;
  readonly path: string;
  readonly convention: MetricsConvention;
  /** Whether the service.yaml declares observability.metrics: only then is a worker probed through it. */
  readonly declared: boolean;
}

export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}

export interface ResolvedOverride {
  readonly target: string;
  readonly environments: readonly EnvironmentName[];
  readonly reason: string;
  readonly patch: readonly JsonPatchOperation[];
  /** JSON pointer of the override in the spec, for positioned errors. */
  readonly pointer: string;
}

/** One `dataLoss:` entry: `resource` is `databases.orders`, `subscriptions.checkout.order-placed`, … */
export interface DataLossAcknowledgement {
  readonly resource: string;
  readonly reason: string;
  /** JSON pointer of the entry in the service.yaml. */
  readonly pointer: string;
}

export interface ResolvedService {
  /**
   * The name the service is deployed under (spec/naming.ts deployedName): its
   * `renamedFrom` while a rename is in place, else its spec name. Every name
   * paved derives comes from it: state keys, AWS and Kubernetes names, hosts,
   * generated folders, release records, and references from other services.
   */
  readonly name: string;
  /** The name in its service.yaml, which other specs refer to it by; its workflow file is named after it. */
  readonly specName: string;
  readonly owner: string;
  readonly description: string;
  readonly tier: string;
  /** Repo-relative path of the service.yaml. */
  readonly specPath: string;
  /** Repo-relative folder holding the service.yaml (`.` at the root). */
  readonly directory: string;
  readonly runtime: ResolvedRuntime;
  readonly ingress?: ResolvedIngress;
  /** Sorted. */
  readonly dependsOn: readonly string[];
  /** Services that list this one in `dependsOn`; sorted. */
  readonly dependents: readonly string[];
  /** Secret names, values live in the platform's secret store. */
  readonly secrets: readonly string[];
  readonly resources: ResolvedResources;
  /** Traffic leaving the cluster, in spec order. */
  readonly egress: readonly ResolvedEgress[];
  /** One-off jobs, in spec order. */
  readonly jobs: readonly ResolvedJob[];
  readonly environments: Readonly<Record<EnvironmentName, ResolvedEnvironment>>;
  readonly observability: ResolvedObservability;
  /** Reviewed acknowledgements that a stateful resource may be destroyed or replaced (`dataLoss:`), in spec order. */
  readonly dataLoss: readonly DataLossAcknowledgement[];
  /**
   * `retired:`: the service is being torn down. It compiles to its Terraform
   * stacks, unprotected as if `dataLoss: service` said so, and a teardown
   * workflow; no manifests, Applications, dashboards or alerts.
   */
  readonly retired?: { readonly reason: string };
  readonly overrides: { readonly kubernetes: readonly ResolvedOverride[]; readonly terraform: readonly ResolvedOverride[] };
  /** JSON pointer in the resolved service → where the value came from. */
  readonly origins: Readonly<Record<string, Origin>>;
}

export interface OutputDirectories {
  /** Everything paved writes but workflows, e.g. `generated`. */
  readonly dir: string;
  readonly workflowsDir: string;
}

export interface ResolvedTier {
  readonly minReplicas: Readonly<Record<EnvironmentName, number>>;
  readonly availability: number;
}

export interface ResolvedPlatform {
  readonly name: string;
  readonly domain: string;
  readonly cloud: {
    readonly provider: 'aws';
    readonly region: string;
    readonly accounts: Readonly<Record<'staging' | 'production', string>>;
    /** Terraform: bucket receiving the server access logs of service buckets, per cloud environment. */
    readonly accessLogBuckets: Readonly<Record<'staging' | 'production', string>>;
    /** Ends every service bucket's name unless empty (names.s3Bucket). */
    readonly bucketNameSuffix: string;
  };
  readonly network: {
    /** Terraform: the VPC per cloud environment (the same id twice for a VPC shared through RAM). */
    readonly vpcId: Readonly<Record<'staging' | 'production', string>>;
    /** Terraform: the private subnets per cloud environment, one per availability zone. */
    readonly privateSubnetIds: Readonly<Record<'staging' | 'production', readonly string[]>>;
    /** Terraform: the pods' security group per cloud environment, the only source databases and caches admit. */
    readonly podSecurityGroupIds: Readonly<Record<'staging' | 'production', string>>;
  };
  readonly kubernetes: ResolvedKubernetesPlatform;
  readonly registry: string;
  readonly terraform: {
    /** Per cloud environment: each account owns its own bucket, created by the platform root (_platform/terraform). (lockTable is deprecated: validated and warned about, never used.) */
    readonly stateBucket: Readonly<Record<'staging' | 'production', string>>;
    readonly awsProviderVersion: string;
  };
  readonly gitops: ResolvedGitops;
  /** What the generated workflows need: the IAM role each environment's jobs assume through GitHub OIDC. */
  readonly ci: {
    readonly roleArns: Readonly<Record<EnvironmentName, string>>;
    /** `owner/name` of the GitHub repository whose workflows the CI roles trust. */
    readonly repository: string;
    /** Whether the platform root creates the account's GitHub OIDC provider or reads the one that exists. */
    readonly githubOidcProvider: 'create' | 'existing';
    /** Name of the Actions secret the release jobs push the deploy branches with, unless releaseApp is set. */
    readonly releaseToken: string;
    /** A GitHub App whose token the release jobs mint in the job; absent: the stored releaseToken. */
    readonly releaseApp?: { readonly clientId: string; readonly privateKeySecret: string };
  };
  readonly observability: {
    readonly prometheusDatasource: string;
    readonly grafanaFolder: string;
    readonly sloWindow: string;
    /** How long Prometheus keeps samples, in days (`30d`); at least sloWindow. */
    readonly prometheusRetention: string;
    readonly otlpEndpoint: string;
    /** Where a pod serves its metrics unless its service declares observability.metrics.port. */
    readonly metricsPort: number;
    readonly runbookBaseUrl: string;
    /** Base URL of Grafana, for the dashboard links in alerts. */
    readonly grafanaUrl: string;
  };
  readonly tiers: Readonly<Record<string, ResolvedTier>>;
  readonly sizes: {
    readonly database: Readonly<Record<Size, string>>;
    readonly cache: Readonly<Record<Size, string>>;
    /** Bounds of a database's storage in GiB; min is the default. */
    readonly databaseStorageGiB: { readonly min: number; readonly max: number };
  };
  readonly policy: Readonly<Record<EnvironmentName, EnvironmentPolicy>>;
  readonly scaffold?: { readonly templates: string };
  /** The platform's resource types by name (resourceTypes); empty when it declares none. */
  readonly resourceTypes: Readonly<Record<string, ResolvedResourceType>>;
  /** What overrides may patch, and which policy rules the platform waives. */
  readonly overridePolicy: {
    readonly kubernetes: { readonly forbiddenKinds: readonly string[]; readonly forbiddenPaths: readonly string[]; readonly allow?: readonly string[] };
    readonly terraform: { readonly allow?: readonly string[] };
    readonly waivers: readonly PolicyWaiver[];
  };
}

/** A rule of the compile-time policy the platform waives (platform.yaml overridePolicy.waivers). */
export interface PolicyWaiver {
  readonly rule: string;
  readonly reason: string;
  /** Only these services; undefined for every service. */
  readonly services?: readonly string[];
}

// Kubernetes emitter: the platform's cluster conventions.
export interface ResolvedKubernetesPlatform {
  readonly clusters: Readonly<Record<EnvironmentName, string>>;
  readonly ingressClass: string;
  readonly internalIngressClass: string;
  /** The controller behind both IngressClasses, whose annotations the Ingress carries. */
  readonly ingressController: IngressController;
  /** Where Ingress certificates come from. */
  readonly tls: IngressTls;
  readonly ingressControllerNamespace: string;
  readonly prometheusNamespace: string;
  /** Sorted by key. */
  readonly monitorLabels: Readonly<Record<string, string>>;
  readonly secretStores: Readonly<Record<EnvironmentName, string>>;
  /** Where the External Secrets Operator runs; the platform root binds its IAM role to this ServiceAccount. */
  readonly externalSecrets: { readonly namespace: string; readonly serviceAccount: string };
  readonly egress: {
    readonly privateSubnetCidrs: readonly string[];
    readonly awsApiCidrs: readonly string[];
    readonly s3Endpoint: S3Endpoint;
    /** What services' `egress` entries may name; absent: anything. */
    readonly allow?: { readonly hosts: readonly string[]; readonly cidrs: readonly string[] };
  };
  /** What enforces the NetworkPolicies. */
  readonly networkPolicy: { readonly enforcement: NetworkPolicyEnforcement };
  readonly limits: {
    readonly cpuRatio: number;
    readonly memoryRatio: number;
    readonly ephemeralStorageRequest: string;
    readonly ephemeralStorageLimit: string;
  };
  /** Image repository of psql for the database bootstrap Job; the tag is the database's major version. */
  readonly databaseBootstrapRepository: string;
  /** Image repository of the mysql client for the bootstrap Job of an IAM-authenticated MySQL database; the tag is its major version. */
  readonly mysqlBootstrapRepository: string;
  readonly preview: {
    readonly requestRatio: number;
    readonly postgresRepository: string;
    readonly mysqlRepository: string;
    readonly redisImage: string;
    readonly localstackImage: string;
  };
}

export type IngressController = 'ingress-nginx';
/** cert-manager issues `<service>-tls` through the ClusterIssuer, or the controller serves its default certificate. */
export type IngressTls = { readonly certificates: 'cert-manager'; readonly clusterIssuer: string } | { readonly certificates: 'controller-default' };
/** `gateway`: S3's public addresses (a gateway endpoint or none); `interface`: an interface endpoint's addresses in the VPC. */
export type S3Endpoint = 'gateway' | 'interface';
export type NetworkPolicyEnforcement = 'vpc-cni' | 'calico' | 'cilium';

export type ProductionSync = 'automated' | 'automated-prune' | 'manual';

export interface ResolvedGitops {
  readonly repoURL: string;
  readonly argocdNamespace: string;
  /** Repo-relative path of the paved root, `.` at the repository root. */
  readonly path: string;
  readonly project: string;
  readonly productionSync: ProductionSync;
}

export interface ResolvedProject {
  readonly platform: ResolvedPlatform;
  /** `platform.yaml`, or `(embedded default platform)` when the repo has none. */
  readonly platformSource: string;
  readonly output: OutputDirectories;
  /** Sorted by name. */
  readonly services: readonly ResolvedService[];
}
