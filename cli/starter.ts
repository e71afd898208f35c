/**
 * The commented starter service.yaml written by `paved init`: the smallest spec
 * that compiles, with every common field shown and explained.
 */
export function renderStarterSpec(options: { readonly name: string; readonly schemaPath: string }): string {
  const { name, schemaPath } = options;
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
  language: node             # node | go | python | java | container: picks the CI steps
  build:
    context: .               # relative to this file's folder
    dockerfile: Dockerfile
  port: 8080                 # remove for a worker: no Service, no ingress, no HTTP SLO
  protocol: http             # http | grpc
  health:
    liveness: /healthz
    readiness: /readyz
  resources: { cpu: 250m, memory: 256Mi }   # requests; limits come from platform policy
  scaling: { min: 2, max: 10, targetCPUUtilization: 70 }

env:                         # plain configuration; secrets go below, by name only
  LOG_LEVEL: info
secrets: []                  # e.g. [STRIPE_API_KEY]: values live in the secret store

resources: {}                # databases, caches, topics, subscriptions, buckets, cron

environments:                # per-environment differences, within platform policy
  preview: { enabled: true }
  production:
    scaling: { min: 2, max: 10 }

observability:
  alerts:
    route: team-${name}      # routing label on every alert
`;
}
