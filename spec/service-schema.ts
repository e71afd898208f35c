import { defaultPlatform } from './default-platform.js';
import type { JsonSchema } from './json-schema.js';

/**
 * Schema-level shapes of strings. The compiler re-checks names precisely once the
 * platform's naming is applied; these catch the obvious mistakes in the editor.
 */
export const patterns = {
  /** DNS-1123 label that starts with a letter (RFC 1035), so it is valid nearly everywhere. */
  name: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  /** A Kubernetes label value, lower case only. */
  label: '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$',
  envVarName: '^[A-Za-z_][A-Za-z0-9_]*$',
  /** IANA_SVC_NAME as Kubernetes checks a port name: lower-case alphanumerics and single hyphens, at least one letter, no hyphen at either end. */
  portName: '^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$',
  dnsName: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]([-a-z0-9]*[a-z0-9])?$',
  /** A relative POSIX path inside the repo: no leading `/`, no `..` segment, no backslash. */
  relativePath: '^(?!/)(?!(.*/)?\\.\\.(/|$))[-A-Za-z0-9_./]+$',
  /** A relative POSIX path that may climb with `..`; the compiler checks it stays inside the repo. */
  buildPath: '^(?!/)[-A-Za-z0-9_./]+$',
  /** An absolute URL path. */
  urlPath: '^/[-A-Za-z0-9._~/]*$',
  httpUrl: "^https?://[-A-Za-z0-9._~:/?#@!$&'()*+,;=%]+$",
} as const;

/**
 * How many of each list or map entry a service.yaml may hold. Lists multiply in
 * the output (every cron job carries every env variable, in every environment),
 * so each is bounded far above what a real service declares; the bounds keep a
 * hostile spec from costing minutes and gigabytes (issue 14, test/property/redteam/cost.test.ts).
 */
export const serviceLimits = {
  envVars: 150,
  /** Names plus values of the env one environment's containers get (env and environments.<env>.env); checked in compiler/validate/bounds.ts. */
  envBytes: 32 * 1024,
  secrets: 100,
  dependsOn: 100,
  ingressPaths: 50,
  databases: 10,
  caches: 10,
  topics: 50,
  subscriptions: 100,
  buckets: 20,
  cronJobs: 20,
  ports: 20,
  egress: 50,
  jobs: 20,
  overrides: 50,
  patchOperations: 50,
} as const;

export const environmentNames = ['preview', 'staging', 'production'] as const;
export const sizeNames = ['small', 'medium', 'large'] as const;

/** `$defs` shared with the platform schema. */
export const sharedDefs = {
  environmentName: { type: 'string', description: 'An environment paved deploys to.', enum: environmentNames },
  size: { type: 'string', description: 'A size class; the platform maps it to an instance class.', enum: sizeNames },
} as const satisfies Record<string, JsonSchema>;

/** The defaults paved applies to a service.yaml, as the schema documents them. */
export const serviceDefaults = {
  description: '',
  tier: 'standard',
  build: { context: '.', dockerfile: 'Dockerfile' },
  protocol: 'http',
  portProtocol: 'http',
  metrics: { path: '/metrics', convention: 'opentelemetry' },
  health: { liveness: '/healthz', readiness: '/readyz' },
  computeResources: { cpu: '250m', memory: '256Mi' },
  scaling: { min: 2, max: 10, targetCPUUtilization: 70 },
  ingressPublic: false,
  ingressPaths: ['/'],
  database: { engine: 'postgres', versions: { postgres: '16', mysql: '8.0' }, auth: 'iam', size: 'small' },
  cacheSize: 'small',
  maxRetries: 5,
  bucket: { public: false, versioned: true },
  previewEnabled: true,
  /** Really the tier's availability; this is the standard tier's. */
  availability: defaultPlatform.tiers.standard.availability,
} as const;

export const resourceName = (what: string): JsonSchema => ({
  type: 'string',
  description: `Name of the ${what}, unique among this service's ${what}s; a DNS label starting with a letter.`,
  pattern: patterns.name,
  maxLength: 32,
});

/**
 * `renamedFrom` of a resource entry: the name it was deployed under. The spec
 * name (and the Terraform address, the app's variables) follow `name`; every
 * cloud and Kubernetes name stays derived from this one (docs/day-2.md, Renaming).
 */
export const renamedFrom = (what: string): JsonSchema => ({
  type: 'string',
  description: `The name this ${what} was deployed under before a rename: its cloud and Kubernetes names keep it, so nothing is replaced. Keep it while the ${what} exists.`,
  pattern: patterns.name,
  maxLength: 32,
});

const argv = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: { type: 'string', minLength: 1, maxLength: 4096 },
  minItems: 1,
  maxItems: 64,
});

const environment = (description: string, enabled: JsonSchema): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties: {
    enabled,
    scaling: {
      $ref: '#/$defs/scaling',
      description: 'Overrides runtime.scaling; keys left out keep the service-wide value.',
      default: {},
    },
    resources: {
      $ref: '#/$defs/computeResources',
      description: 'Overrides runtime.resources; keys left out keep the service-wide value.',
      default: {},
    },
    env: {
      $ref: '#/$defs/envMap',
      description: 'Environment variables added to, or replacing, the service-wide env.',
      default: {},
    },
  },
});

export const serviceSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://paved.dev/schemas/v1/service.schema.json',
  title: 'paved service',
  description: 'One service.yaml: what a service team tells paved about its service.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'name', 'owner', 'runtime'],
  properties: {
    apiVersion: { type: 'string', description: 'Version of the paved spec; `paved/v1`.', const: 'paved/v1' },
    kind: { type: 'string', description: 'Kind of spec file; `Service` for a service.yaml.', const: 'Service' },
    name: {
      type: 'string',
      description: 'Service name, unique in the repo: a DNS label starting with a letter, at most 40 characters to leave room for environment suffixes.',
      pattern: patterns.name,
      maxLength: 40,
    },
    renamedFrom: {
      type: 'string',
      description:
        'The name this service was deployed under before a rename: every name paved derives for it (Terraform state, AWS and Kubernetes names, hosts, generated folders, releases) keeps it, so a rename changes nothing that runs. Keep it while the service exists.',
      pattern: patterns.name,
      maxLength: 40,
    },
    owner: {
      type: 'string',
      description: 'The owning team, as a label value; routes alerts and fills the service catalog.',
      pattern: patterns.label,
      maxLength: 63,
    },
    description: {
      type: 'string',
      description: 'One line on what the service does, for the catalog and dashboards.',
      maxLength: 300,
      // It reaches the KMS key's description, which `terraform plan` prints in a pull request's log: a line there may not be a runner's `::command`.
      pattern: '^[^\\n\\r]*$',
      default: serviceDefaults.description,
    },
    tier: {
      type: 'string',
      description: 'A tier the platform defines (critical, standard or experimental by default); sets minimum replicas and the availability objective.',
      pattern: patterns.name,
      maxLength: 30,
      default: serviceDefaults.tier,
    },
    runtime: {
      type: 'object',
      description: 'How the service is built and run.',
      additionalProperties: false,
      required: ['language'],
      properties: {
        language: {
          type: 'string',
          description: 'Language of the service, which picks the CI build and test steps; `container` builds the Dockerfile only.',
          enum: ['node', 'go', 'python', 'java', 'container'],
        },
        build: {
          type: 'object',
          description: "How CI builds the image; paths are relative to this service.yaml's folder.",
          additionalProperties: false,
          properties: {
            context: {
              type: 'string',
              description: 'Docker build context.',
              pattern: patterns.buildPath,
              maxLength: 200,
              default: serviceDefaults.build.context,
            },
            dockerfile: {
              type: 'string',
              description: 'Path of the Dockerfile.',
              pattern: patterns.buildPath,
              maxLength: 200,
              default: serviceDefaults.build.dockerfile,
            },
          },
          default: serviceDefaults.build,
        },
        port: {
          type: 'integer',
          description: 'Port the service listens on; omit it for a worker, which gets no Service, no ingress and no HTTP SLO.',
          minimum: 1,
          maximum: 65535,
        },
        servicePort: {
          type: 'integer',
          description:
            "Port the service's Kubernetes Service exposes, forwarded to runtime.port (e.g. 80 in front of 8080); dependents' `<NAME>_URL` use it. Defaults to runtime.port; needs runtime.port.",
          minimum: 1,
          maximum: 65535,
        },
        protocol: {
          type: 'string',
          description: 'Protocol on the port; `grpc` gets gRPC health probes and gRPC metrics.',
          enum: ['http', 'grpc'],
          default: serviceDefaults.protocol,
        },
        ports: {
          type: 'array',
          description:
            'More named ports on the same container (an admin port, gRPC beside HTTP), each also on the Service under the same number. Only the service itself and its dependents reach them; the Ingress routes to runtime.port alone.',
          maxItems: serviceLimits.ports,
          items: {
            type: 'object',
            description: 'A named container port.',
            additionalProperties: false,
            required: ['name', 'port'],
            properties: {
              name: {
                type: 'string',
                description:
                  "The port's name (an IANA_SVC_NAME: at most 15 lower-case letters, digits and single hyphens, with a letter), unique, and neither the main port's name (its protocol) nor `metrics`.",
                pattern: patterns.portName,
                maxLength: 15,
              },
              port: { type: 'integer', description: 'Container port number, also the port on the Service.', minimum: 1, maximum: 65535 },
              protocol: {
                type: 'string',
                description: 'What the port speaks: `http`, `grpc` (HTTP/2 without TLS) or plain `tcp`; sets the Service appProtocol.',
                enum: ['http', 'grpc', 'tcp'],
                default: serviceDefaults.portProtocol,
              },
            },
          },
          default: [],
        },
        command: argv("The container's command as an argv array (program, then arguments), never a shell string; omit it to run the image's entrypoint."),
        health: {
          type: 'object',
          description: 'HTTP probe paths; a grpc service is probed through the standard gRPC health service instead.',
          additionalProperties: false,
          properties: {
            liveness: {
              type: 'string',
              description: 'Path of the liveness probe.',
              pattern: patterns.urlPath,
              maxLength: 200,
              default: serviceDefaults.health.liveness,
            },
            readiness: {
              type: 'string',
              description: 'Path of the readiness probe.',
              pattern: patterns.urlPath,
              maxLength: 200,
              default: serviceDefaults.health.readiness,
            },
          },
          default: serviceDefaults.health,
        },
        resources: {
          $ref: '#/$defs/computeResources',
          description: 'CPU and memory requests; limits are derived by platform policy.',
          default: serviceDefaults.computeResources,
        },
        scaling: {
          $ref: '#/$defs/scaling',
          description: "Horizontal autoscaling; each environment's minimum is at least the tier's minReplicas there.",
          default: serviceDefaults.scaling,
        },
      },
    },
    ingress: {
      type: 'object',
      description: 'HTTP ingress; omit it to keep the service reachable only inside the cluster. Needs runtime.port.',
      additionalProperties: false,
      properties: {
        public: {
          type: 'boolean',
          description: 'Whether the ingress is reachable from the internet rather than only from the internal network.',
          default: serviceDefaults.ingressPublic,
        },
        host: {
          type: 'string',
          description: 'Host name; defaults to <name>.<platform domain>, and preview environments get <name>-pr-<number>.<platform domain>.',
          pattern: patterns.dnsName,
          maxLength: 253,
        },
        paths: {
          type: 'array',
          description: 'Path prefixes routed to the service.',
          items: { type: 'string', pattern: patterns.urlPath, maxLength: 200 },
          minItems: 1,
          maxItems: serviceLimits.ingressPaths,
          uniqueItems: true,
          default: serviceDefaults.ingressPaths,
        },
      },
    },
    dependsOn: {
      type: 'array',
      description: 'Services in this repo that this one calls; opens NetworkPolicy egress and links the catalog graph.',
      items: { type: 'string', pattern: patterns.name, maxLength: 40 },
      maxItems: serviceLimits.dependsOn,
      uniqueItems: true,
      default: [],
    },
    env: {
      $ref: '#/$defs/envMap',
      description: 'Plain configuration as environment variables; secrets go in `secrets`, by name.',
      default: {},
    },
    secrets: {
      type: 'array',
      description: 'Names of secret environment variables whose values live in the secret store; a value here is an error.',
      items: { type: 'string', pattern: patterns.envVarName, maxLength: 128 },
      maxItems: serviceLimits.secrets,
      uniqueItems: true,
      default: [],
    },
    egress: {
      type: 'array',
      description:
        'Traffic leaving the cluster, reviewed in the pull request: each entry opens one TCP port to a host or a CIDR block. How a host is enforced depends on the platform (kubernetes.networkPolicy.enforcement; docs/security.md, Egress).',
      maxItems: serviceLimits.egress,
      items: {
        type: 'object',
        description: 'One destination outside the cluster: exactly one of host and cidr, and a port.',
        additionalProperties: false,
        required: ['port'],
        properties: {
          host: {
            type: 'string',
            // Checked in compiler/validate/egress.ts, which can say what is wrong.
            description: 'A DNS name (`api.stripe.com`), or `*.` and a domain of at least two labels for its subdomains (`*.stripe.com`).',
            minLength: 1,
            maxLength: 253,
          },
          cidr: {
            type: 'string',
            description: 'An IPv4 or IPv6 CIDR block in canonical form (host bits zero), e.g. `203.0.113.0/24`.',
            minLength: 1,
            maxLength: 43,
          },
          port: { type: 'integer', description: 'The TCP port.', minimum: 1, maximum: 65535 },
        },
      },
      default: [],
    },
    jobs: {
      type: 'array',
      description: "One-off jobs that run a command in the service's image, with its identity, secrets and env.",
      maxItems: serviceLimits.jobs,
      items: {
        type: 'object',
        description: 'A job: `pre-deploy` runs before each rollout and blocks it on failure; `manual` runs on demand from the service workflow.',
        additionalProperties: false,
        required: ['name', 'command', 'when'],
        properties: {
          name: {
            type: 'string',
            description: "Name of the job, unique among this service's jobs and cron jobs; a DNS label starting with a letter.",
            pattern: patterns.name,
            maxLength: 32,
          },
          command: argv('The command to run, as an argv array (program, then arguments), never a shell string.'),
          when: {
            type: 'string',
            description: '`pre-deploy`: before each rollout, blocking it on failure (an Argo CD hook); `manual`: on demand, from the service workflow.',
            enum: ['pre-deploy', 'manual'],
          },
        },
      },
      default: [],
    },
    resources: {
      type: 'object',
      description: 'The infrastructure this service needs.',
      additionalProperties: false,
      properties: {
        databases: {
          type: 'array',
          maxItems: serviceLimits.databases,
          description: 'Relational databases, one instance each.',
          items: {
            type: 'object',
            description: 'A database owned by this service.',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: resourceName('database'),
              renamedFrom: renamedFrom('database'),
              engine: {
                type: 'string',
                description: 'Database engine: PostgreSQL or MySQL on RDS. Changing it replaces the database (a new, empty instance).',
                enum: ['postgres', 'mysql'],
                default: serviceDefaults.database.engine,
              },
              version: {
                type: 'string',
                description:
                  'Engine version as a quoted string ("16"), since YAML reads 16.10 as the number 16.1. Default: "16" for postgres, "8.0" for mysql; mysql takes 8.0 or 8.4, with or without a minor part ("8.0.39").',
                pattern: '^[0-9]+(\\.[0-9]+)*$',
                maxLength: 20,
              },
              auth: {
                type: 'string',
                description:
                  'How the app logs in: iam (an IAM auth token as user app, no password anywhere) or password (the RDS-managed master password, delivered through External Secrets as <KIND>_<NAME>_PASSWORD; RDS rotates it).',
                enum: ['iam', 'password'],
                default: serviceDefaults.database.auth,
              },
              storageGiB: {
                type: 'integer',
                description:
                  "Storage allocated at creation, in GiB, within the platform's sizes.databaseStorageGiB (default: its min); RDS grows it up to that max. Storage cannot shrink.",
                minimum: 1,
                maximum: 65536,
              },
              size: {
                $ref: '#/$defs/size',
                description: "Size class, mapped to an instance class by the platform's sizes.database.",
                default: serviceDefaults.database.size,
              },
            },
          },
          default: [],
        },
        caches: {
          type: 'array',
          maxItems: serviceLimits.caches,
          description: 'Redis caches.',
          items: {
            type: 'object',
            description: 'A Redis cache owned by this service.',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: resourceName('cache'),
              renamedFrom: renamedFrom('cache'),
              size: {
                $ref: '#/$defs/size',
                description: "Size class, mapped to a node type by the platform's sizes.cache.",
                default: serviceDefaults.cacheSize,
              },
            },
          },
          default: [],
        },
        topics: {
          type: 'array',
          maxItems: serviceLimits.topics,
          description: 'Topics this service publishes to.',
          items: {
            type: 'object',
            description: 'A topic this service publishes to; other services subscribe to it by name.',
            additionalProperties: false,
            required: ['name'],
            properties: { name: resourceName('topic'), renamedFrom: renamedFrom('topic') },
          },
          default: [],
        },
        subscriptions: {
          type: 'array',
          maxItems: serviceLimits.subscriptions,
          description: "Other services' topics this service consumes, each through its own queue.",
          items: {
            type: 'object',
            description: "A subscription to another service's topic.",
            additionalProperties: false,
            required: ['topic', 'from'],
            properties: {
              topic: {
                type: 'string',
                description: 'Name of the topic, as declared by the publishing service.',
                pattern: patterns.name,
                maxLength: 32,
              },
              from: {
                type: 'string',
                description: 'The service in this repo that declares the topic.',
                pattern: patterns.name,
                maxLength: 40,
              },
              renamedFrom: {
                type: 'string',
                description:
                  "The topic's name before the publisher renamed it (the topic's own renamedFrom): the queues keep the names derived from it, so no message is lost.",
                pattern: patterns.name,
                maxLength: 32,
              },
              maxRetries: {
                type: 'integer',
                description: 'Deliveries of a message before it moves to the dead-letter queue.',
                minimum: 1,
                maximum: 100,
                default: serviceDefaults.maxRetries,
              },
            },
          },
          default: [],
        },
        buckets: {
          type: 'array',
          maxItems: serviceLimits.buckets,
          description: 'Object storage buckets.',
          items: {
            type: 'object',
            description: 'A bucket owned by this service.',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: resourceName('bucket'),
              renamedFrom: renamedFrom('bucket'),
              public: {
                type: 'boolean',
                description: 'Whether objects are publicly readable; the platform may forbid it.',
                default: serviceDefaults.bucket.public,
              },
              versioned: {
                type: 'boolean',
                description: 'Whether the bucket keeps old versions of overwritten and deleted objects.',
                default: serviceDefaults.bucket.versioned,
              },
            },
          },
          default: [],
        },
        cron: {
          type: 'array',
          maxItems: serviceLimits.cronJobs,
          description: "Scheduled jobs that run the service's image.",
          items: {
            type: 'object',
            description: "A scheduled job that runs a command in the service's image.",
            additionalProperties: false,
            required: ['name', 'schedule', 'command'],
            properties: {
              name: resourceName('cron job'),
              renamedFrom: renamedFrom('cron job'),
              schedule: {
                type: 'string',
                // Checked field by field in compiler/validate/cron.ts, which can say what is wrong.
                description: 'Five-field cron schedule in UTC ("0 3 * * *"), or a macro such as @daily.',
                minLength: 1,
                maxLength: 100,
              },
              command: argv('The command to run, as an argv array (program, then arguments), never a shell string.'),
            },
          },
          default: [],
        },
      },
      default: { databases: [], caches: [], topics: [], subscriptions: [], buckets: [], cron: [] },
    },
    environments: {
      type: 'object',
      description: 'Per-environment differences, within platform policy.',
      additionalProperties: false,
      properties: {
        preview: {
          $ref: '#/$defs/previewEnvironment',
          description: 'The per-pull-request preview environments.',
          default: {},
        },
        staging: { $ref: '#/$defs/environment', description: 'The staging environment.', default: {} },
        production: { $ref: '#/$defs/environment', description: 'The production environment.', default: {} },
      },
      default: {},
    },
    observability: {
      type: 'object',
      description: 'Service level objectives and alert routing.',
      additionalProperties: false,
      properties: {
        slo: {
          type: 'object',
          description: "Service level objectives over the platform's SLO window.",
          additionalProperties: false,
          properties: {
            availability: {
              type: 'number',
              description: "Availability objective in percent; defaults to the tier's (99.9 for standard) and should not promise less.",
              exclusiveMinimum: 0,
              maximum: 99.999,
              default: serviceDefaults.availability,
            },
            latency: {
              type: 'object',
              description: 'Latency objective; omit it for no latency SLO.',
              additionalProperties: false,
              required: ['percentile', 'thresholdMs'],
              properties: {
                percentile: {
                  type: 'number',
                  description: 'Percentile of requests that must be faster than the threshold.',
                  minimum: 50,
                  maximum: 99.99,
                },
                thresholdMs: {
                  type: 'integer',
                  description: 'Latency threshold in milliseconds.',
                  minimum: 1,
                  maximum: 600000,
                },
              },
            },
          },
          default: {},
        },
        metrics: {
          type: 'object',
          description:
            "Where and how the app serves its Prometheus metrics; omit it for the platform's contract: the OpenTelemetry SDK's Prometheus exporter on the platform's observability.metricsPort (9464), /metrics. A worker is probed only when this is declared.",
          additionalProperties: false,
          properties: {
            port: {
              type: 'integer',
              description:
                "Port serving the metrics; defaults to the platform's observability.metricsPort (9464). It may be runtime.port or one of runtime.ports, which is then reused.",
              minimum: 1,
              maximum: 65535,
            },
            path: {
              type: 'string',
              description: 'HTTP path of the metrics endpoint.',
              pattern: patterns.urlPath,
              maxLength: 200,
              default: serviceDefaults.metrics.path,
            },
            convention: {
              type: 'string',
              description:
                "Which metric names the app exports: `opentelemetry` (the semantic-convention names of its runtime's exporter) or `prometheus` (Prometheus client names: http_request_duration_seconds with `code`, go-grpc-prometheus grpc_server_*). Rules, dashboards and SLOs read these.",
              enum: ['opentelemetry', 'prometheus'],
              default: serviceDefaults.metrics.convention,
            },
          },
        },
        alerts: {
          type: 'object',
          description: 'Where alerts go.',
          additionalProperties: false,
          properties: {
            route: {
              type: 'string',
              description: 'Routing label on every alert, as a label value; defaults to the owner.',
              pattern: patterns.label,
              maxLength: 63,
            },
          },
          default: {},
        },
      },
      default: {},
    },
    dataLoss: {
      type: 'array',
      description:
        'Reviewed acknowledgements that a change may destroy or replace a stateful resource and lose its data. Each lifts prevent_destroy from the resource and lets `paved check --base` pass its destroy or replacement; remove it once every environment has applied.',
      items: {
        type: 'object',
        description: 'One resource whose data may be lost, and why that is acceptable.',
        additionalProperties: false,
        required: ['resource', 'reason'],
        properties: {
          resource: {
            type: 'string',
            description:
              'The resource: `databases.<name>`, `caches.<name>`, `topics.<name>`, `buckets.<name>`, `secrets.<NAME>`, `subscriptions.<from>.<topic>`, `<type>.<name>` for an entry of a platform resource type, or `service` for everything the service owns (to retire the service, use `retired:`).',
            pattern:
              '^service$|^(databases|caches|topics|buckets)\\.[a-z]([-a-z0-9]*[a-z0-9])?$|^secrets\\.[A-Za-z_][A-Za-z0-9_]*$|^subscriptions\\.[a-z]([-a-z0-9]*[a-z0-9])?\\.[a-z]([-a-z0-9]*[a-z0-9])?$|^[a-z][a-z0-9]*(-[a-z0-9]+)*\\.[a-z]([-a-z0-9]*[a-z0-9])?$',
            maxLength: 200,
          },
          reason: {
            type: 'string',
            description: 'Why losing the data is acceptable (a backup, a migration, a ticket); shown by `paved report` and in the check.',
            minLength: 10,
            maxLength: 500,
          },
        },
      },
      maxItems: 50,
      default: [],
    },
    overrides: {
      type: 'object',
      description: 'The explicit escape hatch: patches to generated objects, each reported as a deviation.',
      additionalProperties: false,
      properties: {
        kubernetes: {
          $ref: '#/$defs/overrideList',
          description: 'Patches to generated Kubernetes objects; target is `<Kind>/<name>`.',
          default: [],
        },
        terraform: {
          $ref: '#/$defs/overrideList',
          description: 'Patches to generated Terraform resources; target is `<resource type>.<name>`.',
          default: [],
        },
      },
      default: { kubernetes: [], terraform: [] },
    },
    retired: {
      type: 'object',
      description:
        'Retires the service: its workflow tears down its Argo CD Applications, then its Terraform stacks (staging, then production behind its approval), with every resource unprotected as `dataLoss: [{ resource: service }]` would. Delete the service once the teardown has finished everywhere (docs/day-2.md, Retiring a service).',
      additionalProperties: false,
      required: ['reason'],
      properties: {
        reason: {
          type: 'string',
          description: 'Why the service goes and what happens to its data (a ticket, where the data went); one line, shown by `paved report` and in the check.',
          minLength: 10,
          maxLength: 500,
          pattern: '^[^\\n\\r]*$',
        },
      },
    },
  },
  $defs: {
    ...sharedDefs,
    envMap: {
      type: 'object',
      description: 'Environment variables by name; values are strings, so quote numbers and booleans.',
      propertyNames: { type: 'string', pattern: patterns.envVarName, maxLength: 128 },
      maxProperties: serviceLimits.envVars,
      additionalProperties: { type: 'string', description: 'The value.', maxLength: 4096 },
    },
    computeResources: {
      type: 'object',
      description: 'CPU and memory requests of one container.',
      additionalProperties: false,
      properties: {
        cpu: {
          type: 'string',
          description: 'CPU request in cores ("1", "0.5") or millicores ("250m").',
          pattern: '^([0-9]+m|[0-9]+(\\.[0-9]+)?)$',
          maxLength: 20,
          default: serviceDefaults.computeResources.cpu,
        },
        memory: {
          type: 'string',
          description: 'Memory request with a binary unit ("256Mi", "1Gi").',
          pattern: '^[0-9]+(Ki|Mi|Gi)$',
          maxLength: 20,
          default: serviceDefaults.computeResources.memory,
        },
      },
    },
    scaling: {
      type: 'object',
      description: 'Horizontal autoscaling bounds and target.',
      additionalProperties: false,
      properties: {
        min: {
          type: 'integer',
          description: "Minimum replicas; at least the tier's minReplicas for the environment.",
          minimum: 1,
          maximum: 1000,
          default: serviceDefaults.scaling.min,
        },
        max: {
          type: 'integer',
          description: 'Maximum replicas; at least min.',
          minimum: 1,
          maximum: 1000,
          default: serviceDefaults.scaling.max,
        },
        targetCPUUtilization: {
          type: 'integer',
          description: 'Average CPU utilization, in percent of the request, that the autoscaler aims for.',
          minimum: 1,
          maximum: 100,
          default: serviceDefaults.scaling.targetCPUUtilization,
        },
      },
    },
    previewEnvironment: environment('Settings of the per-pull-request preview environments.', {
      type: 'boolean',
      description: 'Whether each pull request gets its own preview environment.',
      default: serviceDefaults.previewEnabled,
    }),
    environment: environment('Settings of an always-deployed environment, within platform policy for it and the tier.', {
      type: 'boolean',
      description: 'Staging and production are always deployed: false is rejected by policy.',
      default: true,
    }),
    overrideList: {
      type: 'array',
      description: 'Overrides, applied in order.',
      items: { $ref: '#/$defs/override' },
      maxItems: serviceLimits.overrides,
    },
    override: {
      type: 'object',
      description: 'A JSON patch to one generated object, with the reason it is needed.',
      additionalProperties: false,
      required: ['target', 'reason', 'patch'],
      properties: {
        target: {
          type: 'string',
          description: 'The generated object to patch: `<Kind>/<name>` for Kubernetes, `<resource type>.<name>` for Terraform.',
          pattern: '^[A-Za-z0-9_][-A-Za-z0-9_./]*$',
          maxLength: 253,
        },
        environments: {
          type: 'array',
          description: 'Environments the patch applies to.',
          items: { $ref: '#/$defs/environmentName' },
          minItems: 1,
          uniqueItems: true,
          default: environmentNames,
        },
        reason: {
          type: 'string',
          description: 'Why the generated object is not good enough; shown in the deviation report.',
          minLength: 10,
          maxLength: 500,
        },
        patch: {
          type: 'array',
          description: 'RFC 6902 JSON patch applied to the generated object.',
          items: { $ref: '#/$defs/jsonPatchOperation' },
          minItems: 1,
          maxItems: serviceLimits.patchOperations,
        },
      },
    },
    jsonPatchOperation: {
      type: 'object',
      description: 'One RFC 6902 JSON patch operation.',
      additionalProperties: false,
      required: ['op', 'path'],
      properties: {
        op: {
          type: 'string',
          description: 'The operation.',
          enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'],
        },
        path: {
          type: 'string',
          description: 'JSON pointer to the location the operation acts on.',
          pattern: '^(/([^/~]|~[01])*)*$',
          maxLength: 500,
        },
        value: { description: 'The value to add, replace with or test for; required by add, replace and test.' },
        from: {
          type: 'string',
          description: 'JSON pointer to the value to move or copy; required by move and copy.',
          pattern: '^(/([^/~]|~[01])*)*$',
          maxLength: 500,
        },
      },
      // `properties` repeated in `then` because ajv's strictRequired checks it before the outer ones.
      allOf: [
        {
          if: { required: ['op'], properties: { op: { enum: ['add', 'replace', 'test'] } } },
          then: { properties: { value: {} }, required: ['value'] },
        },
        {
          if: { required: ['op'], properties: { op: { enum: ['move', 'copy'] } } },
          then: { properties: { from: {} }, required: ['from'] },
        },
      ],
    },
  },
};
