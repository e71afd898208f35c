import { defaultPlatform as d } from './default-platform.js';
import type { JsonSchema } from './json-schema.js';
import { patterns, sharedDefs } from './service-schema.js';

/** A map keyed by environment name. */
const byEnvironment = (description: string, value: JsonSchema, defaults: JsonSchema['default']): JsonSchema => ({
  type: 'object',
  description,
  propertyNames: { $ref: '#/$defs/environmentName' },
  additionalProperties: value,
  default: defaults,
});

/**
 * One value for both cloud environments, or a map with one for staging and one
 * for production: the shapes differ in type, so exactly one branch applies.
 */
const oneOrPerEnvironment = (description: string, value: JsonSchema, defaults: JsonSchema['default']): JsonSchema => ({
  description,
  oneOf: [
    value,
    {
      type: 'object',
      description: `${value.description} per cloud environment.`,
      additionalProperties: false,
      required: ['staging', 'production'],
      properties: { staging: value, production: value },
    },
  ],
  default: defaults,
});

// Terraform: ids of the network a service stack is placed in.
const vpcId: JsonSchema = { type: 'string', description: 'A VPC id', pattern: '^vpc-[0-9a-f]+$', maxLength: 21 };
const privateSubnetIds: JsonSchema = {
  type: 'array',
  description: 'Private subnet ids, one per availability zone',
  items: { type: 'string', description: 'A subnet id.', pattern: '^subnet-[0-9a-f]+$', maxLength: 24 },
  minItems: 1,
  maxItems: 20,
  uniqueItems: true,
};

/** A map keyed by size class. */
const bySize = (description: string, value: JsonSchema, defaults: JsonSchema['default']): JsonSchema => ({
  type: 'object',
  description,
  propertyNames: { $ref: '#/$defs/size' },
  additionalProperties: value,
  default: defaults,
});

// Kubernetes emitter: shapes of platform strings.
const cidr = '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$';
const binaryQuantity = '^[1-9][0-9]*(Ki|Mi|Gi)$';
const imageRepository = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$';
/** A platform resource type's name: lowercase letters and digits, single "-" between them. */
const resourceTypeName = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
/** A repository with a tag other than `latest` and a digest. */
const digestPinnedImage =
  '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+:(?!latest@)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[a-f0-9]{64}$';
/** A repository with a tag other than `latest`, and optionally a digest. */
const pinnedImage =
  '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+:(?!latest(@|$))[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?$';

const minReplicas = (environment: string): JsonSchema => ({
  type: 'integer',
  description: `Fewest replicas a service of this tier may run in ${environment}.`,
  minimum: 1,
  maximum: 1000,
  default: 1,
});

export const platformSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://paved.dev/schemas/v1/platform.schema.json',
  title: 'paved platform',
  description:
    "The repo's platform.yaml: what the platform team tells paved about its cloud, clusters and policy. Keys left out come from paved's embedded default platform (deep merge; lists replace).",
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { type: 'string', description: 'Version of the paved spec; `paved/v1`.', const: 'paved/v1' },
    kind: { type: 'string', description: 'Kind of spec file; `Platform` for a platform.yaml.', const: 'Platform' },
    name: {
      type: 'string',
      description: 'Name of the platform, tagged on everything paved creates.',
      pattern: patterns.name,
      maxLength: 40,
      default: d.name,
    },
    domain: {
      type: 'string',
      description: 'DNS domain under which services get their default ingress host, <service>.<domain>.',
      pattern: patterns.dnsName,
      maxLength: 200,
      default: d.domain,
    },
    // Checked across services in compiler/validate/claims.ts.
    ingress: {
      type: 'object',
      description:
        'Which hosts services may claim with ingress.host. A host must sit under `domain` or one of `domains` (a subdomain, compared label by label), or be listed exactly in `hosts`; hosts of the form <name>-pr-<number>.<domain> and anything under staging.<domain> stay reserved for the hosts paved generates.',
      additionalProperties: false,
      properties: {
        domains: {
          type: 'array',
          description: 'Further DNS domains, besides `domain`, under which services may set an ingress host, e.g. ["example.io"].',
          items: { type: 'string', description: 'A DNS domain.', pattern: patterns.dnsName, maxLength: 200, examples: ['example.io'] },
          maxItems: 20,
          uniqueItems: true,
          examples: [['example.io', 'shop.example.net']],
          default: d.ingress.domains,
        },
        hosts: {
          type: 'array',
          description: 'Exact hosts a service may claim although they sit under none of the domains, e.g. ["www.example.org"]; each still only once per path.',
          items: { type: 'string', description: 'A host name.', pattern: patterns.dnsName, maxLength: 253, examples: ['www.example.org'] },
          maxItems: 500,
          uniqueItems: true,
          examples: [['www.example.org']],
          default: d.ingress.hosts,
        },
      },
      default: d.ingress,
    },
    cloud: {
      type: 'object',
      description: 'The cloud the services run in.',
      additionalProperties: false,
      properties: {
        provider: {
          type: 'string',
          description: 'Cloud provider; v1 supports aws only.',
          enum: ['aws'],
          default: d.cloud.provider,
        },
        region: {
          type: 'string',
          description: 'Region every service stack deploys to.',
          pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$',
          maxLength: 30,
          default: d.cloud.region,
        },
        accounts: byEnvironment(
          'AWS account id per environment, as a quoted string; preview uses the staging account unless it has its own.',
          { type: 'string', description: 'A 12-digit AWS account id.', pattern: '^[0-9]{12}$' },
          d.cloud.accounts,
        ),
        // Terraform: where service buckets send their server access logs (CKV_AWS_18).
        accessLogBuckets: byEnvironment(
          "S3 bucket per environment that receives the server access logs of every service bucket, in that environment's account and region; owned by the platform's own stack. Preview needs none.",
          { type: 'string', description: 'An S3 bucket name.', pattern: '^[a-z0-9][a-z0-9-]*[a-z0-9]$', minLength: 3, maxLength: 63 },
          d.cloud.accessLogBuckets,
        ),
        // Issue 15 item 13: S3 names are global, so a name anyone can derive can be taken first.
        bucketNameSuffix: {
          type: 'string',
          description:
            "Random lowercase letters and digits (8 to 16, e.g. from `openssl rand -hex 4`) that end every service bucket's name, so no one outside can create the names first. Changing it renames, and so replaces, every bucket: choose it before the first bucket is created. An empty string keeps the names without a suffix.",
          pattern: '^([a-z0-9]{8,16})?$',
          maxLength: 16,
          default: d.cloud.bucketNameSuffix,
        },
      },
      default: d.cloud,
    },
    network: {
      type: 'object',
      description: "Network inputs the service stacks read; owned by the platform's own stack.",
      additionalProperties: false,
      properties: {
        // Terraform: one VPC for both environments (shared through RAM) or one each; validate/rules.ts warns when one VPC meets two accounts.
        vpcId: oneOrPerEnvironment(
          'VPC that databases and caches are placed in: one id for both environments (a VPC shared with both accounts through AWS RAM), or one per environment, { staging: vpc-…, production: vpc-… }. Preview needs none.',
          vpcId,
          d.network.vpcId,
        ),
        privateSubnetIds: oneOrPerEnvironment(
          'Private subnets for databases and caches, one per availability zone: one list for both environments (shared through AWS RAM), or one per environment, { staging: [subnet-…], production: [subnet-…] }.',
          privateSubnetIds,
          d.network.privateSubnetIds,
        ),
        // Terraform: the one source a database or cache security group admits.
        podSecurityGroupIds: byEnvironment(
          "Security group of the cluster's pods per environment (the EKS cluster security group, or the pods' own with security groups for pods); databases and caches admit only it, on their port. Preview needs none.",
          { type: 'string', description: 'A security group id.', pattern: '^sg-[0-9a-f]+$', maxLength: 20 },
          d.network.podSecurityGroupIds,
        ),
      },
      default: d.network,
    },
    kubernetes: {
      type: 'object',
      description: 'The Kubernetes clusters services are deployed to.',
      additionalProperties: false,
      properties: {
        clusters: byEnvironment(
          'EKS cluster name per environment.',
          { type: 'string', description: 'An EKS cluster name.', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', maxLength: 100 },
          d.kubernetes.clusters,
        ),
        ingressClass: {
          type: 'string',
          description: 'IngressClass of every generated Ingress.',
          pattern: patterns.name,
          maxLength: 63,
          default: d.kubernetes.ingressClass,
        },
        // Kubernetes emitter settings, from here to the end of this block.
        internalIngressClass: {
          type: 'string',
          description: 'IngressClass of the Ingress of a service whose ingress is not public (reachable only from the internal network).',
          pattern: patterns.name,
          maxLength: 63,
          default: d.kubernetes.internalIngressClass,
        },
        ingressController: {
          type: 'string',
          description:
            'Which controller serves both IngressClasses; its annotations are controller-specific (gRPC services get `nginx.ingress.kubernetes.io/backend-protocol: GRPC`). paved supports ingress-nginx only today.',
          enum: ['ingress-nginx'],
          default: d.kubernetes.ingressController,
        },
        tlsCertificates: {
          type: 'string',
          description:
            'Where the TLS certificate of every Ingress comes from: `cert-manager` issues one per service through `tlsClusterIssuer` into the Secret `<service>-tls`; `controller-default` names no Secret, so the ingress controller serves its default certificate (ingress-nginx `--default-ssl-certificate`, a wildcard for the domain).',
          enum: ['cert-manager', 'controller-default'],
          default: d.kubernetes.tlsCertificates,
        },
        tlsClusterIssuer: {
          type: 'string',
          description:
            'cert-manager ClusterIssuer that issues the TLS certificate of every Ingress (the `cert-manager.io/cluster-issuer` annotation) when `tlsCertificates` is cert-manager.',
          pattern: patterns.name,
          maxLength: 63,
          default: d.kubernetes.tlsClusterIssuer,
        },
        ingressControllerNamespace: {
          type: 'string',
          description: 'Namespace of the ingress controllers; NetworkPolicies admit traffic from it to services that have an ingress.',
          pattern: patterns.name,
          maxLength: 63,
          default: d.kubernetes.ingressControllerNamespace,
        },
        prometheusNamespace: {
          type: 'string',
          description: 'Namespace of Prometheus; NetworkPolicies admit scrapes from it to the metrics port.',
          pattern: patterns.name,
          maxLength: 63,
          default: d.kubernetes.prometheusNamespace,
        },
        monitorLabels: {
          type: 'object',
          description:
            "Labels on every ServiceMonitor, PodMonitor and PrometheusRule, for a Prometheus whose monitor and rule selectors require them (kube-prometheus-stack's `release: <name>`).",
          propertyNames: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$', maxLength: 253 },
          maxProperties: 20,
          additionalProperties: { type: 'string', description: 'A label value.', pattern: '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', maxLength: 63 },
          default: d.kubernetes.monitorLabels,
        },
        // Platform root: the identity of the External Secrets Operator (_platform/terraform eso.tf).
        externalSecrets: {
          type: 'object',
          description:
            "Where the External Secrets Operator runs in each cloud environment's cluster: paved's platform root binds its IAM role (read access to exactly the services' secrets and keys) to this ServiceAccount with EKS Pod Identity. The defaults are the names of ESO's Helm chart installed as release external-secrets.",
          additionalProperties: false,
          properties: {
            namespace: {
              type: 'string',
              description: 'Namespace of the External Secrets Operator.',
              pattern: patterns.name,
              maxLength: 63,
              default: d.kubernetes.externalSecrets.namespace,
            },
            serviceAccount: {
              type: 'string',
              description: "ServiceAccount of the operator's controller.",
              pattern: patterns.name,
              maxLength: 63,
              default: d.kubernetes.externalSecrets.serviceAccount,
            },
          },
          default: d.kubernetes.externalSecrets,
        },
        secretStores: byEnvironment(
          'External Secrets ClusterSecretStore per environment that ExternalSecrets read from; preview should have its own, holding test values only.',
          { type: 'string', description: 'A ClusterSecretStore name.', pattern: patterns.name, maxLength: 63 },
          d.kubernetes.secretStores,
        ),
        egress: {
          type: 'object',
          description: 'Where pods may connect outside the cluster; NetworkPolicies cannot name hosts, so these are CIDR blocks.',
          additionalProperties: false,
          properties: {
            privateSubnetCidrs: {
              type: 'array',
              description:
                'CIDR blocks of the subnets holding databases and caches (the VPC), opened on the PostgreSQL and Redis ports to services that have one.',
              items: { type: 'string', pattern: cidr, maxLength: 18 },
              minItems: 1,
              maxItems: 100,
              uniqueItems: true,
              default: d.kubernetes.egress.privateSubnetCidrs,
            },
            awsApiCidrs: {
              type: 'array',
              description:
                'CIDR blocks of the AWS API endpoints (SNS, SQS, S3), opened on port 443 to services that use them; narrow it to the VPC when the VPC has interface endpoints, and keep S3 reachable as `s3Endpoint` says.',
              items: { type: 'string', pattern: cidr, maxLength: 18 },
              minItems: 1,
              maxItems: 100,
              uniqueItems: true,
              default: d.kubernetes.egress.awsApiCidrs,
            },
            allow: {
              type: 'object',
              description:
                "What a service's `egress` entries may name; absent, any destination is allowed. An entry outside it is an error at the service's entry (EGRESS.NOT_ALLOWED).",
              additionalProperties: false,
              properties: {
                hosts: {
                  type: 'array',
                  description:
                    "Host names a service may name: `api.stripe.com` exactly, or `*.stripe.com` for any subdomain of stripe.com (and a service's own `*.` patterns beneath it).",
                  items: { type: 'string', minLength: 1, maxLength: 253 },
                  maxItems: 200,
                  uniqueItems: true,
                },
                cidrs: {
                  type: 'array',
                  description: "CIDR blocks (IPv4 or IPv6) a service's `cidr` entries must lie within.",
                  items: { type: 'string', minLength: 1, maxLength: 43 },
                  maxItems: 200,
                  uniqueItems: true,
                },
              },
            },
            s3Endpoint: {
              type: 'string',
              description:
                "How pods reach S3, which the awsApiCidrs must then cover for services with buckets: `gateway` (a gateway endpoint, or none) goes to S3's public addresses, which a NetworkPolicy cannot name as a prefix list, so awsApiCidrs need S3's ranges for the region (ip-ranges.json) or 0.0.0.0/0; `interface` goes to an interface endpoint's private addresses in the VPC (with private DNS on, so the SDK's default endpoint resolves to them).",
              enum: ['gateway', 'interface'],
              default: d.kubernetes.egress.s3Endpoint,
            },
          },
          default: d.kubernetes.egress,
        },
        networkPolicy: {
          type: 'object',
          description: 'What enforces the generated NetworkPolicies; without an enforcing CNI they are accepted and do nothing.',
          additionalProperties: false,
          properties: {
            enforcement: {
              type: 'string',
              description:
                'The network policy engine of the clusters: `vpc-cni` (the Amazon VPC CNI v1.14 or later with `enableNetworkPolicy: "true"` in its add-on configuration, EKS 1.25 or later, Linux EC2 nodes), `calico` or `cilium`. Only `cilium` enforces egress hosts by name (a CiliumNetworkPolicy with toFQDNs); under the others the port of a host opens to public addresses only.',
              enum: ['vpc-cni', 'calico', 'cilium'],
              default: d.kubernetes.networkPolicy.enforcement,
            },
          },
          default: d.kubernetes.networkPolicy,
        },
        limits: {
          type: 'object',
          description: "The limit policy: how container limits derive from a service's requests, and the ephemeral storage every container gets.",
          additionalProperties: false,
          properties: {
            cpuRatio: {
              type: 'number',
              description: 'CPU limit as a multiple of the CPU request.',
              minimum: 1,
              maximum: 16,
              default: d.kubernetes.limits.cpuRatio,
            },
            memoryRatio: {
              type: 'number',
              description: 'Memory limit as a multiple of the memory request; 1 (limit = request) keeps memory guaranteed and OOM behaviour predictable.',
              minimum: 1,
              maximum: 16,
              default: d.kubernetes.limits.memoryRatio,
            },
            ephemeralStorageRequest: {
              type: 'string',
              description: 'Ephemeral storage request of every container (its /tmp and logs).',
              pattern: binaryQuantity,
              maxLength: 20,
              default: d.kubernetes.limits.ephemeralStorageRequest,
            },
            ephemeralStorageLimit: {
              type: 'string',
              description: 'Ephemeral storage limit of every container; a pod writing more is evicted.',
              pattern: binaryQuantity,
              maxLength: 20,
              default: d.kubernetes.limits.ephemeralStorageLimit,
            },
          },
          default: d.kubernetes.limits,
        },
        databaseBootstrapRepository: {
          type: 'string',
          description:
            "Image repository of the PostgreSQL client (psql) the database bootstrap Job runs in staging and production; the tag is the database's major version, and the image must accept any non-root UID (the official postgres image does).",
          pattern: imageRepository,
          maxLength: 200,
          default: d.kubernetes.databaseBootstrapRepository,
        },
        mysqlBootstrapRepository: {
          type: 'string',
          description:
            "Image repository of the MySQL client (mysql) the bootstrap Job of an IAM-authenticated MySQL database runs in staging and production; the tag is the database's major version (8.0, 8.4), and the image must accept any non-root UID (the official mysql image does).",
          pattern: imageRepository,
          maxLength: 200,
          default: d.kubernetes.mysqlBootstrapRepository,
        },
        preview: {
          type: 'object',
          description: 'Preview environments: in-cluster stand-ins for cloud resources, and smaller requests.',
          additionalProperties: false,
          properties: {
            requestRatio: {
              type: 'number',
              description: "Preview requests as a fraction of the service's own (limits stay), so previews pack densely.",
              exclusiveMinimum: 0,
              maximum: 1,
              default: d.kubernetes.preview.requestRatio,
            },
            postgresRepository: {
              type: 'string',
              description: "Image repository of the in-cluster PostgreSQL; the tag is the database's version.",
              pattern: imageRepository,
              maxLength: 200,
              default: d.kubernetes.preview.postgresRepository,
            },
            mysqlRepository: {
              type: 'string',
              description:
                "Image repository of the in-cluster MySQL; the tag is the database's version. The image must run as any non-root UID (the official mysql image does).",
              pattern: imageRepository,
              maxLength: 200,
              default: d.kubernetes.preview.mysqlRepository,
            },
            redisImage: {
              type: 'string',
              description: 'Image of the in-cluster Redis, with a pinned tag (and digest, preferably).',
              pattern: pinnedImage,
              maxLength: 300,
              default: d.kubernetes.preview.redisImage,
            },
            localstackImage: {
              type: 'string',
              description: 'Image of LocalStack, which stands in for SNS, SQS and S3, with a pinned tag (and digest, preferably).',
              pattern: pinnedImage,
              maxLength: 300,
              default: d.kubernetes.preview.localstackImage,
            },
          },
          default: d.kubernetes.preview,
        },
      },
      default: d.kubernetes,
    },
    registry: {
      type: 'string',
      description: 'Container registry and path prefix images are pushed to, without a trailing slash.',
      pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
      maxLength: 200,
      default: d.registry,
    },
    terraform: {
      type: 'object',
      description: 'Terraform state and provider settings shared by every service stack.',
      additionalProperties: false,
      properties: {
        // One value, or one per cloud environment: S3 bucket names are global, so two accounts cannot both own one name.
        stateBucket: oneOrPerEnvironment(
          "S3 bucket holding the Terraform state of the service stacks and of paved's platform root, which creates it in that environment's account (_platform/terraform): one name, or one per cloud environment ({ staging: ..., production: ... }). Bucket names are global, so staging and production accounts need different ones; preview's plans read staging's.",
          { type: 'string', description: 'An S3 bucket name.', pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$', minLength: 3, maxLength: 63 },
          d.terraform.stateBucket,
        ),
        lockTable: oneOrPerEnvironment(
          "Deprecated, unused (a warning when set): state is locked with a lock file in the state bucket (use_lockfile, Terraform >= 1.10). Was the DynamoDB lock table paved's platform root created; the root now forgets that table without deleting it (docs/targets/terraform.md, State locking).",
          { type: 'string', description: 'A DynamoDB table name.', pattern: '^[A-Za-z0-9_.-]{3,255}$' },
          d.terraform.lockTable,
        ),
        awsProviderVersion: {
          type: 'string',
          description: 'Version constraint of the hashicorp/aws provider.',
          pattern: '^[-0-9A-Za-z<>=~!,. ]+$',
          maxLength: 100,
          default: d.terraform.awsProviderVersion,
        },
      },
      default: d.terraform,
    },
    gitops: {
      type: 'object',
      description: 'Where Argo CD finds the generated manifests.',
      additionalProperties: false,
      properties: {
        repoURL: {
          type: 'string',
          description: 'URL of the Git repository Argo CD syncs from.',
          pattern: '^https://[-A-Za-z0-9._~:/@%+]+$',
          maxLength: 300,
          default: d.gitops.repoURL,
        },
        argocdNamespace: {
          type: 'string',
          description: 'Namespace Argo CD runs in, where Applications are created.',
          pattern: patterns.name,
          maxLength: 63,
          default: d.gitops.argocdNamespace,
        },
        path: {
          type: 'string',
          description:
            'Path of the paved root (the folder holding platform.yaml) inside the Git repository, "." when it is the repository root; Argo CD Applications point at <path>/<output dir>/<service>/kubernetes/<env>, and the generated workflows filter on and run in it.',
          pattern: '^(\\.|(?!/)(?!(.*/)?\\.\\.(/|$))[-A-Za-z0-9_./]*[-A-Za-z0-9_])$',
          maxLength: 200,
          default: d.gitops.path,
        },
        // Kubernetes emitter: Argo CD Applications.
        project: {
          type: 'string',
          description:
            "Argo CD project of every service Application. paved generates it (`_platform/argocd/appproject.yaml`: this repository, each service's namespaces, the kinds paved emits), except for Argo CD's built-in `default`, which it leaves alone with a warning.",
          pattern: patterns.name,
          maxLength: 63,
          default: d.gitops.project,
        },
        productionSync: {
          type: 'string',
          description:
            'How Argo CD syncs production: `automated` applies every merged change and heals drift but never deletes objects, `automated-prune` also deletes objects paved stopped generating, `manual` waits for someone to sync. Staging is always automated with pruning.',
          enum: ['automated', 'automated-prune', 'manual'],
          default: d.gitops.productionSync,
        },
      },
      default: d.gitops,
    },
    ci: {
      type: 'object',
      description: 'What the generated GitHub Actions workflows need from the platform.',
      additionalProperties: false,
      properties: {
        roleArns: byEnvironment(
          'IAM role per environment that workflow jobs assume through GitHub OIDC (no static keys): preview for pull requests (a read-only terraform plan of staging, preview deploys), staging and production for deploys. docs/targets/actions.md gives the trust policy each needs.',
          { type: 'string', description: 'An IAM role ARN.', pattern: '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$', maxLength: 600 },
          d.ci.roleArns,
        ),
        // Platform root: who may assume the CI roles (_platform/terraform ci.tf).
        repository: {
          type: 'string',
          description:
            "The GitHub repository (owner/name) whose workflows may assume the CI roles: paved's platform root trusts tokens of this repository only, with `sub` pinned to the GitHub environment (staging, production) or to pull requests (preview).",
          pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$',
          maxLength: 140,
          default: d.ci.repository,
        },
        githubOidcProvider: {
          type: 'string',
          description:
            "Whether paved's platform root creates the account's GitHub OIDC identity provider (token.actions.githubusercontent.com), `create`, or reads one that already exists, `existing`. An account holds one provider per URL, so choose `existing` when anything else created it.",
          enum: ['create', 'existing'],
          default: d.ci.githubOidcProvider,
        },
        releaseToken: {
          type: 'string',
          description:
            "Name of the Actions secret holding the token the release jobs push the deploy branches (`paved/deploy/staging`, `paved/deploy/production`) with: a token with contents write on this repository that the deploy branches' ruleset lets push, e.g. a GitHub App's on its bypass list. The workflow token is never used to push. See docs/targets/actions.md, Deploy, promotion and rollback.",
          pattern: '^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]{0,99}$',
          maxLength: 100,
          default: d.ci.releaseToken,
        },
        releaseApp: {
          type: 'object',
          description:
            "A GitHub App the release jobs mint a short-lived token from in the job (actions/create-github-app-token, contents write on this repository only), instead of the stored token `ci.releaseToken` names. Put the App on the deploy branches' ruleset bypass list. See docs/targets/actions.md, Deploy, promotion and rollback.",
          additionalProperties: false,
          required: ['clientId', 'privateKeySecret'],
          properties: {
            clientId: {
              type: 'string',
              description: "The App's client ID (GitHub shows it on the App's settings page), e.g. `Iv23liABCDEF012345`.",
              pattern: '^[A-Za-z0-9]{1,64}$',
            },
            privateKeySecret: {
              type: 'string',
              description: "Name of the Actions secret (in the `paved-release` environment) holding the App's private key.",
              pattern: '^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]{0,99}$',
              maxLength: 100,
            },
          },
        },
      },
      default: d.ci,
    },
    observability: {
      type: 'object',
      description: 'Where metrics, traces and dashboards go.',
      additionalProperties: false,
      properties: {
        prometheusDatasource: {
          type: 'string',
          description: 'UID of the Grafana Prometheus data source that dashboards query.',
          pattern: '^[A-Za-z0-9._-]+$',
          maxLength: 100,
          default: d.observability.prometheusDatasource,
        },
        grafanaFolder: {
          type: 'string',
          description: 'Grafana folder that dashboards are filed in.',
          minLength: 1,
          maxLength: 100,
          default: d.observability.grafanaFolder,
        },
        sloWindow: {
          type: 'string',
          description: 'Rolling window of every SLO, in days ("30d").',
          pattern: '^[1-9][0-9]*d$',
          maxLength: 4,
          default: d.observability.sloWindow,
        },
        prometheusRetention: {
          type: 'string',
          description:
            'How long the clusters\' Prometheus keeps samples, in days ("30d"); at least `sloWindow`, since the SLO rules average over the whole window. kube-prometheus-stack keeps 10d unless its `prometheus.prometheusSpec.retention` is raised to this.',
          pattern: '^[1-9][0-9]*d$',
          maxLength: 5,
          default: d.observability.prometheusRetention,
        },
        otlpEndpoint: {
          type: 'string',
          description: 'OpenTelemetry collector endpoint (OTLP/gRPC) that services send traces and metrics to.',
          pattern: patterns.httpUrl,
          maxLength: 300,
          default: d.observability.otlpEndpoint,
        },
        metricsPort: {
          type: 'integer',
          description:
            "Port every pod serves its Prometheus metrics on, named `metrics`, unless its service.yaml declares observability.metrics.port; OTEL_EXPORTER_PROMETHEUS_PORT is set to it. The OpenTelemetry Prometheus exporter's default is 9464.",
          minimum: 1,
          maximum: 65535,
          default: d.observability.metricsPort,
        },
        runbookBaseUrl: {
          type: 'string',
          description: 'Base URL of the runbooks that alerts link to.',
          pattern: patterns.httpUrl,
          maxLength: 300,
          default: d.observability.runbookBaseUrl,
        },
        grafanaUrl: {
          type: 'string',
          description: 'Base URL of the Grafana that holds the dashboards, for the dashboard links in alerts.',
          pattern: patterns.httpUrl,
          maxLength: 300,
          default: d.observability.grafanaUrl,
        },
      },
      default: d.observability,
    },
    tiers: {
      type: 'object',
      description: 'Service tiers by name; a service picks one, which sets its minimum replicas and availability objective.',
      propertyNames: { type: 'string', pattern: patterns.name, maxLength: 30 },
      maxProperties: 50,
      additionalProperties: {
        type: 'object',
        description: 'What a tier demands of its services.',
        additionalProperties: false,
        required: ['availability'],
        properties: {
          minReplicas: {
            type: 'object',
            description: 'Fewest replicas per environment.',
            additionalProperties: false,
            properties: {
              preview: minReplicas('preview'),
              staging: minReplicas('staging'),
              production: minReplicas('production'),
            },
            default: {},
          },
          availability: {
            type: 'number',
            description: 'Availability objective in percent that services of this tier get by default.',
            exclusiveMinimum: 0,
            maximum: 99.999,
          },
        },
      },
      default: d.tiers,
    },
    sizes: {
      type: 'object',
      description: 'Instance classes behind the size classes services ask for.',
      additionalProperties: false,
      properties: {
        database: bySize(
          'RDS instance class per size.',
          { type: 'string', description: 'An RDS instance class.', pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$', maxLength: 40 },
          d.sizes.database,
        ),
        cache: bySize(
          'ElastiCache node type per size.',
          { type: 'string', description: 'An ElastiCache node type.', pattern: '^cache\\.[a-z0-9]+\\.[a-z0-9]+$', maxLength: 40 },
          d.sizes.cache,
        ),
        databaseStorageGiB: {
          type: 'object',
          description:
            "Bounds of a database's storage in GiB: a service's storageGiB must lie within them; min is the storage of a database that sets none, max the ceiling RDS storage autoscaling grows to.",
          additionalProperties: false,
          properties: {
            min: {
              type: 'integer',
              description: 'Smallest storage a database may ask for, and the default (RDS gp3 needs 20).',
              minimum: 20,
              maximum: 65536,
              default: d.sizes.databaseStorageGiB.min,
            },
            max: {
              type: 'integer',
              description: 'Largest storage a database may ask for, and the autoscaling ceiling of every database.',
              minimum: 20,
              maximum: 65536,
              default: d.sizes.databaseStorageGiB.max,
            },
          },
          default: d.sizes.databaseStorageGiB,
        },
      },
      default: d.sizes,
    },
    policy: byEnvironment(
      "Data protection policy per environment; an environment's entry sets all three values.",
      {
        type: 'object',
        description: 'Data protection settings of one environment.',
        additionalProperties: false,
        required: ['deletionProtection', 'multiAz', 'backupRetentionDays'],
        properties: {
          deletionProtection: {
            type: 'boolean',
            description: 'Whether databases and other stateful resources refuse deletion.',
          },
          multiAz: {
            type: 'boolean',
            description: 'Whether databases and caches span several availability zones.',
          },
          backupRetentionDays: {
            type: 'integer',
            description: 'Days automated database backups are kept; 0 turns them off.',
            minimum: 0,
            maximum: 35,
          },
        },
      },
      d.policy,
    ),
    output: {
      type: 'object',
      description: 'Where paved writes, relative to the repo root.',
      additionalProperties: false,
      properties: {
        dir: {
          type: 'string',
          description:
            'Directory of everything paved generates except workflows: a folder below the repository root (not ".", not in .git), apart from workflowsDir (neither holds the other).',
          pattern: patterns.relativePath,
          maxLength: 200,
          default: d.output.dir,
        },
        workflowsDir: {
          type: 'string',
          description: 'Directory of the generated GitHub Actions workflows: a folder below the repository root (not ".", not in .git), apart from dir.',
          pattern: patterns.relativePath,
          maxLength: 200,
          default: d.output.workflowsDir,
        },
      },
      default: d.output,
    },
    scaffold: {
      type: 'object',
      description: 'Settings of `paved new`.',
      additionalProperties: false,
      properties: {
        templates: {
          type: 'string',
          description: "Directory of the platform's own `paved new` templates; omit it to use paved's built-in ones.",
          pattern: patterns.relativePath,
          maxLength: 200,
        },
      },
      default: d.scaffold,
    },
    resourceTypes: {
      type: 'object',
      description:
        'Kinds of infrastructure the platform team adds beside the built-in ones, each a Terraform module; a service requests one as `resources.<type>: [{ name, ...inputs }]` (docs/resource-types.md).',
      propertyNames: { pattern: resourceTypeName, maxLength: 20 },
      additionalProperties: {
        type: 'object',
        description: 'A resource type: the module that creates it, what a service may set, and what the app receives.',
        additionalProperties: false,
        required: ['description', 'module'],
        properties: {
          description: {
            type: 'string',
            description: 'What the type is, for service teams and the catalog.',
            minLength: 1,
            maxLength: 300,
            pattern: '^[^\\n\\r]*$',
          },
          module: {
            type: 'string',
            description:
              'The Terraform module: a folder relative to the repository root (e.g. platform/modules/documentdb) when `version` is empty or absent, else a registry source (namespace/name/provider, optionally after a host).',
            pattern: '^(?!/)(?!(.*/)?\\.\\.(/|$))[-A-Za-z0-9_./]+$',
            maxLength: 200,
          },
          version: {
            type: 'string',
            description: 'Version constraint of a registry module (e.g. "~> 1.4"); empty or absent for a module in the repository.',
            pattern: '^[-0-9A-Za-z.<>=~!, ]*$',
            maxLength: 100,
            default: '',
          },
          inputs: {
            type: 'object',
            additionalProperties: {},
            description:
              'JSON Schema (draft 2020-12) of what a service may set on an entry besides `name` (and `renamedFrom`); its defaults are applied before the values reach the module. Absent: nothing besides the name.',
            default: { type: 'object', additionalProperties: false },
          },
          connection: {
            type: 'array',
            description: 'Outputs of the module the app receives, as `<TYPE>_<NAME>_<OUTPUT>` through the connection secret.',
            items: { type: 'string', description: 'A module output name: lowercase letters, digits and "_".', pattern: '^[a-z][a-z0-9_]*$', maxLength: 40 },
            uniqueItems: true,
            maxItems: 20,
            default: [],
          },
          egressPorts: {
            type: 'array',
            description: "TCP ports the service's pods reach the resource on: its NetworkPolicy egress and its security group's ingress.",
            items: { type: 'integer', description: 'A TCP port.', minimum: 1, maximum: 65535 },
            uniqueItems: true,
            maxItems: 10,
            default: [],
          },
          stateful: {
            type: 'boolean',
            description: 'Whether the resource holds data: the day-2 rules of stateful resources apply (dataLoss acknowledgements, check --base).',
            default: false,
          },
          iamPolicy: {
            type: 'boolean',
            description:
              "Whether the module exports `iam_policy_json`, a policy document paved attaches to the service's role; Terraform refuses it at plan when it holds a wildcard action or resource.",
            default: false,
          },
          standIn: {
            type: 'object',
            description: 'The container that stands in for the resource in previews and local development; absent, they go without it and say so.',
            additionalProperties: false,
            required: ['image', 'port'],
            properties: {
              image: {
                type: 'string',
                description: 'The image, pinned by digest: registry/repository:tag@sha256:<64 hex>.',
                pattern: digestPinnedImage,
                maxLength: 300,
              },
              port: { type: 'integer', description: 'The TCP port it listens on; the app receives it as the `port` output.', minimum: 1, maximum: 65535 },
            },
          },
        },
      },
    },
    overridePolicy: {
      type: 'object',
      description: 'What service overrides may not patch: the security-relevant parts of the golden path.',
      additionalProperties: false,
      properties: {
        kubernetes: {
          type: 'object',
          description: 'Limits on `overrides.kubernetes`.',
          additionalProperties: false,
          properties: {
            forbiddenKinds: {
              type: 'array',
              description: 'Kinds no override may patch at all.',
              items: { type: 'string', description: 'A Kubernetes kind, e.g. NetworkPolicy.', pattern: '^[A-Z][A-Za-z0-9]*$' },
              default: d.overridePolicy.kubernetes.forbiddenKinds,
            },
            forbiddenPaths: {
              type: 'array',
              description: 'JSON pointers no override may add, replace, remove, move or copy at, under or above; `*` matches one segment.',
              items: { type: 'string', description: 'A JSON pointer, e.g. /spec/template/spec/securityContext.', pattern: '^(/[^/]+)+$' },
              default: d.overridePolicy.kubernetes.forbiddenPaths,
            },
            allow: {
              type: 'array',
              description:
                'Allow-list mode for strict platforms: when set, every operation of `overrides.kubernetes` must patch (and move or copy from) a path at or under one of these. Each entry is a JSON pointer into the object, optionally qualified by a kind (`Deployment:/spec/replicas`); `*` matches one segment. The deny-lists above still apply.',
              items: {
                type: 'string',
                description: 'An optional `Kind:` and a JSON pointer, e.g. Deployment:/spec/template/spec/containers/*/resources.',
                pattern: '^([A-Z][A-Za-z0-9]*:)?(/[^/]+)+$',
                maxLength: 300,
              },
              maxItems: 200,
            },
          },
          default: d.overridePolicy.kubernetes,
        },
        terraform: {
          type: 'object',
          description: 'Limits on `overrides.terraform`, on top of the resource types and attributes paved never lets an override patch.',
          additionalProperties: false,
          properties: {
            allow: {
              type: 'array',
              description:
                'Allow-list mode for strict platforms: when set, every operation of `overrides.terraform` must patch (and move or copy from) a path at or under one of these. Each entry is a JSON pointer into the resource body, optionally qualified by a resource type (`aws_db_instance:/instance_class`); `*` matches one segment.',
              items: {
                type: 'string',
                description: 'An optional `resource_type:` and a JSON pointer, e.g. aws_db_instance:/allocated_storage.',
                pattern: '^([a-z][a-z0-9_]*:)?(/[^/]+)+$',
                maxLength: 300,
              },
              maxItems: 200,
            },
          },
          default: d.overridePolicy.terraform,
        },
        waivers: {
          type: 'array',
          description:
            "Rules of the compile-time security policy the platform waives, each with its reason. A waived finding does not fail the compile; `paved compile` reports it as a POLICY.WAIVED warning and `paved report` lists the waiver. The rule ids are the registry's (docs/security.md).",
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['rule', 'reason'],
            properties: {
              rule: {
                type: 'string',
                description: 'One rule id of the registry, e.g. CKV_K8S_20 or KS deployment-replicas.',
                minLength: 1,
                maxLength: 100,
                pattern: '^[A-Za-z0-9][A-Za-z0-9_ ./-]*$',
              },
              reason: {
                type: 'string',
                description: 'Why the platform accepts the risk; reported wherever the waiver applies.',
                minLength: 1,
                maxLength: 1000,
              },
              services: {
                type: 'array',
                description: 'Limit the waiver to these services; omit it to waive the rule for every service.',
                items: { type: 'string', description: 'A service name.', pattern: patterns.name, maxLength: 63 },
                maxItems: 1000,
              },
            },
          },
          maxItems: 200,
          default: [],
        },
      },
      default: d.overridePolicy,
    },
  },
  $defs: sharedDefs,
};
