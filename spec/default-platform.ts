/**
 * The embedded default platform: the whole platform when a repo has no
 * platform.yaml, and the base a platform.yaml is deep-merged onto (lists replace).
 * Every key is filled except `scaffold.templates`; ids are placeholders, but valid
 * ones, so a bare repo compiles. platform-schema.ts derives its defaults from here.
 *
 * Not typed with `satisfies PlatformSpec`: that type is generated from the schema,
 * which reads this file, so a new key would break the build that regenerates it.
 * test/unit/spec.test.ts checks both the type and the schema instead.
 */
export const defaultPlatform = deepFreeze({
  apiVersion: 'paved/v1',
  kind: 'Platform',
  name: 'paved',
  domain: 'example.com',
  ingress: { domains: [], hosts: [] },
  cloud: {
    provider: 'aws',
    region: 'eu-west-1',
    accounts: { staging: '111111111111', production: '222222222222' },
    accessLogBuckets: { staging: 'paved-example-stg-access-logs', production: 'paved-example-prd-access-logs' },
    // Empty keeps bucket names as they were before the suffix existed; platform-choices.ts warns while it is unset.
    bucketNameSuffix: '',
  },
  network: {
    // One network per environment, as the accounts differ: a single VPC would be one shared through RAM.
    vpcId: { staging: 'vpc-0123456789abcdef0', production: 'vpc-0123456789abcdef1' },
    privateSubnetIds: {
      staging: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      production: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
    },
    podSecurityGroupIds: { staging: 'sg-0123456789abcdef0', production: 'sg-0123456789abcdef1' },
  },
  kubernetes: {
    clusters: { preview: 'dev-eks', staging: 'stg-eks', production: 'prd-eks' },
    ingressClass: 'nginx',
    // Kubernetes emitter settings.
    internalIngressClass: 'nginx-internal',
    ingressController: 'ingress-nginx',
    tlsCertificates: 'cert-manager',
    tlsClusterIssuer: 'letsencrypt',
    ingressControllerNamespace: 'ingress-nginx',
    prometheusNamespace: 'monitoring',
    monitorLabels: {},
    externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
    secretStores: { preview: 'aws-secrets-manager-preview', staging: 'aws-secrets-manager', production: 'aws-secrets-manager' },
    egress: { privateSubnetCidrs: ['10.0.0.0/8'], awsApiCidrs: ['0.0.0.0/0'], s3Endpoint: 'gateway' },
    networkPolicy: { enforcement: 'vpc-cni' },
    limits: { cpuRatio: 2, memoryRatio: 1, ephemeralStorageRequest: '128Mi', ephemeralStorageLimit: '1Gi' },
    databaseBootstrapRepository: 'docker.io/library/postgres',
    mysqlBootstrapRepository: 'docker.io/library/mysql',
    preview: {
      requestRatio: 0.25,
      postgresRepository: 'docker.io/library/postgres',
      mysqlRepository: 'docker.io/library/mysql',
      redisImage: 'docker.io/library/redis:7.4.2',
      localstackImage: 'docker.io/localstack/localstack:4.0.3',
    },
  },
  registry: 'ghcr.io/example',
  terraform: {
    // One per account: S3 bucket names are global, so two accounts can never share one.
    stateBucket: { staging: 'paved-example-stg-tfstate', production: 'paved-example-prd-tfstate' },
    lockTable: 'paved-example-tflock',
    awsProviderVersion: '>= 5.100, < 7.0',
  },
  gitops: {
    repoURL: 'https://github.com/example/platform',
    argocdNamespace: 'argocd',
    path: '.',
    // Kubernetes emitter: Argo CD Applications.
    project: 'paved',
    productionSync: 'automated',
  },
  ci: {
    roleArns: {
      preview: 'arn:aws:iam::111111111111:role/paved-ci-preview',
      staging: 'arn:aws:iam::111111111111:role/paved-ci-staging',
      production: 'arn:aws:iam::222222222222:role/paved-ci-production',
    },
    repository: 'example/platform',
    githubOidcProvider: 'create',
    // Workflows: the secret the release jobs push the deploy branches with.
    releaseToken: 'PAVED_RELEASE_TOKEN',
  },
  observability: {
    prometheusDatasource: 'prometheus',
    grafanaFolder: 'Services',
    sloWindow: '30d',
    prometheusRetention: '30d',
    otlpEndpoint: 'http://otel-collector.observability.svc:4317',
    // The OpenTelemetry Prometheus exporter's default port.
    metricsPort: 9464,
    runbookBaseUrl: 'https://runbooks.example.com',
    grafanaUrl: 'https://grafana.example.com',
  },
  tiers: {
    critical: { minReplicas: { production: 3 }, availability: 99.95 },
    standard: { minReplicas: { production: 2 }, availability: 99.9 },
    experimental: { minReplicas: { production: 1 }, availability: 99.0 },
  },
  sizes: {
    database: { small: 'db.t4g.small', medium: 'db.r6g.large', large: 'db.r6g.2xlarge' },
    cache: { small: 'cache.t4g.small', medium: 'cache.r6g.large', large: 'cache.r6g.2xlarge' },
    // The storage every database had before storageGiB existed: 20 GiB, autoscaling to 100.
    databaseStorageGiB: { min: 20, max: 100 },
  },
  policy: {
    preview: { deletionProtection: false, multiAz: false, backupRetentionDays: 1 },
    staging: { deletionProtection: false, multiAz: false, backupRetentionDays: 7 },
    production: { deletionProtection: true, multiAz: true, backupRetentionDays: 14 },
  },
  output: {
    dir: 'generated',
    workflowsDir: '.github/workflows',
  },
  scaffold: {},
  // Security contexts, identity, host access and network isolation stay on the golden path.
  overridePolicy: {
    kubernetes: {
      forbiddenKinds: ['NetworkPolicy', 'ServiceAccount', 'ExternalSecret'],
      forbiddenPaths: [
        '/spec/template/spec/securityContext',
        '/spec/template/spec/containers/*/securityContext',
        '/spec/template/spec/initContainers/*/securityContext',
        '/spec/template/spec/hostNetwork',
        '/spec/template/spec/hostPID',
        '/spec/template/spec/hostIPC',
        '/spec/template/spec/volumes',
        '/spec/template/spec/serviceAccountName',
        '/spec/template/spec/automountServiceAccountToken',
        '/spec/jobTemplate/spec/template/spec/securityContext',
        '/spec/jobTemplate/spec/template/spec/containers/*/securityContext',
        '/spec/jobTemplate/spec/template/spec/volumes',
        '/spec/jobTemplate/spec/template/spec/serviceAccountName',
        '/metadata/labels/pod-security.kubernetes.io~1enforce',
      ],
    },
    terraform: {},
    waivers: [],
  },
} as const);

/** Shared by every compile in the process, so nobody may mutate it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
