/** What `paved new --with` can add to the starter, one resource each. */
export const STARTER_RESOURCES = ['postgres', 'mysql', 'redis', 'topic', 'bucket', 'cron'] as const;
export type StarterResource = (typeof STARTER_RESOURCES)[number];

export type StarterLanguage = 'node' | 'python' | 'go' | 'java';

/** The resources section of a starter with the given `--with` options, as the spec declares them. */
export interface StarterResources {
  readonly databases: ReadonlyArray<{ readonly name: string; readonly engine: 'postgres' | 'mysql'; readonly auth: 'iam' | 'password' }>;
  readonly caches: ReadonlyArray<{ readonly name: string }>;
  readonly topics: ReadonlyArray<{ readonly name: string }>;
  readonly buckets: ReadonlyArray<{ readonly name: string }>;
  readonly cron: ReadonlyArray<{ readonly name: string }>;
}

export function starterResources(name: string, include: readonly StarterResource[]): StarterResources {
  return {
    // MySQL with a password: the point of offering it is that drivers (mysql2, go-sql-driver) connect unchanged.
    databases: [
      ...(include.includes('postgres') ? [{ name: 'main', engine: 'postgres' as const, auth: 'iam' as const }] : []),
      ...(include.includes('mysql') ? [{ name: 'mysql', engine: 'mysql' as const, auth: 'password' as const }] : []),
    ],
    caches: include.includes('redis') ? [{ name: 'cache' }] : [],
    topics: include.includes('topic') ? [{ name: `${name}-events` }] : [],
    buckets: include.includes('bucket') ? [{ name: 'files' }] : [],
    cron: include.includes('cron') ? [{ name: 'nightly' }] : [],
  };
}

/** The command a cron job runs in each language's skeleton image: its entry point with `--job <name>`. */
const JOB_COMMAND: Readonly<Record<StarterLanguage, string>> = {
  node: '["/nodejs/bin/node", "src/main.js", "--job", "nightly"]',
  python: '["python", "-m", "app", "--job", "nightly"]',
  go: '["/app/server", "--job", "nightly"]',
  java: '["java", "-jar", "/app/app.jar", "--job", "nightly"]',
};

function renderResources(name: string, language: StarterLanguage, include: readonly StarterResource[]): string {
  if (include.length === 0) return 'resources: {}                # databases, caches, topics, subscriptions, buckets, cron\n';
  const r = starterResources(name, include);
  let out = 'resources:                   # each one reaches the pods as DATABASE_<NAME>_HOST-style variables\n';
  if (r.databases.length > 0) out += '  databases:                 # one RDS instance each, encrypted, TLS only\n';
  for (const database of r.databases)
    out +=
      database.engine === 'postgres'
        ? `    - name: ${database.name}               # PostgreSQL; IAM authentication, no password
      engine: postgres
      version: "16"            # quoted: YAML would read 16.10 as a number
      size: small              # small | medium | large: the platform maps it to an instance class
`
        : `    - name: ${database.name}              # MySQL; the app gets DATABASE_MYSQL_PASSWORD too
      engine: mysql
      version: "8.0"           # quoted: YAML would read 8.0 as a number
      auth: password           # iam | password: the RDS-managed password, delivered by External Secrets
      size: small
`;
  if (r.caches.length > 0)
    out += `  caches:                    # Redis on ElastiCache
    - name: ${r.caches[0]!.name}
      size: small
`;
  if (r.topics.length > 0)
    out += `  topics:                    # an SNS topic this service publishes to
    - name: ${r.topics[0]!.name}
`;
  if (r.buckets.length > 0)
    out += `  buckets:                   # a private, encrypted S3 bucket
    - name: ${r.buckets[0]!.name}
`;
  if (r.cron.length > 0)
    out += `  cron:                      # a Kubernetes CronJob running the service's image
    - name: ${r.cron[0]!.name}
      schedule: "0 3 * * *"    # five fields, UTC
      command: ${JOB_COMMAND[language]}
`;
  return out;
}

/**
 * The commented starter service.yaml written by `paved init` and `paved new`: the
 * smallest spec that compiles, with every common field shown and explained, plus
 * the resources `paved new --with` asks for.
 */
export function renderStarterSpec(options: {
  readonly name: string;
  readonly schemaPath: string;
  readonly language?: StarterLanguage;
  readonly with?: readonly StarterResource[];
}): string {
  const { name, schemaPath } = options;
  const language = options.language ?? 'node';
  return `# yaml-language-server: $schema=${schemaPath}
# The one file your service needs. \`paved compile\` turns it into Terraform,
# Kubernetes manifests, CI/CD workflows, dashboards and alerts.
apiVersion: paved/v1
kind: Service
name: ${name}                # DNS label, <= 40 characters; names every generated object
owner: team-${name}          # the team that owns it: routes alerts, fills the catalog
description: ${name} service
tier: standard               # critical | standard | experimental: sets replicas and SLO defaults

runtime:
  language: ${language.padEnd(16)} # node | go | python | java | container: picks the CI steps
  build:
    context: .               # relative to this file's folder
    dockerfile: Dockerfile
  port: 8080                 # remove for a worker: no Service, no ingress, no HTTP SLO
  # servicePort: 80          # the port the Service exposes, forwarded to port (default: port)
  # ports: [{ name: admin, port: 9000, protocol: http }]   # more named ports, for callers inside the cluster
  protocol: http             # http | grpc
  health:
    liveness: /healthz
    readiness: /readyz
  resources: { cpu: 250m, memory: 256Mi }   # requests; limits come from platform policy
  scaling: { min: 2, max: 10, targetCPUUtilization: 70 }

# dependsOn: [payments]      # services this one calls: opens the NetworkPolicy and sets PAYMENTS_URL
# egress:                    # traffic leaving the cluster, reviewed in the pull request
#   - { host: api.stripe.com, port: 443 }
#   - { cidr: 203.0.113.0/24, port: 8443 }
# jobs:                      # pre-deploy: runs before each rollout and blocks it on failure | manual
#   - { name: migrate, command: ["./migrate", "up"], when: pre-deploy }

env:                         # plain configuration; secrets go below, by name only
  LOG_LEVEL: info
secrets: []                  # e.g. [STRIPE_API_KEY]: values live in the secret store

${renderResources(name, language, options.with ?? [])}
environments:                # per-environment differences, within platform policy
  preview: { enabled: true }
  production:
    scaling: { min: 2, max: 10 }

observability:
  # metrics: { port: 9464, path: /metrics, convention: opentelemetry }   # where the app serves metrics; prometheus: Prometheus client names
  alerts:
    route: team-${name}      # routing label on every alert
`;
}
