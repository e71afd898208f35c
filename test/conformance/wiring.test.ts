import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedProject } from '../../spec/model.js';
import { caseRoot, compileDir, goldenCases, REPO } from '../support/helpers.js';
import { CHECKS } from '../support/wiring/context.js';
import { parseHcl } from '../support/wiring/hcl.js';
import { checkWiring, checkWiringDetailed, formatProblem, type WiringPlatform, type WiringProblem } from '../support/wiring/index.js';
import { jsonencodedKeys, readTfvars, referencedResource, resourceExpr, resources, resourceValue, Unknown } from '../support/wiring/terraform.js';

/**
 * The cross-target wiring test (issue 15): every golden case's output, and
 * examples/shop compiled into a scratch folder, is read as a platform engineer
 * applying it would, and every link between targets must hold. Negative tests
 * break one end of each link in a copy of a golden output and pin the exact
 * problem, so no check can pass by finding nothing to look at.
 */

interface Golden {
  readonly name: string;
  readonly outputDir: string;
  readonly platform: WiringPlatform;
}

function wiringPlatform(project: ResolvedProject): WiringPlatform {
  const { kubernetes, gitops } = project.platform;
  return {
    secretStores: kubernetes.secretStores,
    monitorLabels: kubernetes.monitorLabels,
    prometheusNamespace: kubernetes.prometheusNamespace,
    ingressControllerNamespace: kubernetes.ingressControllerNamespace,
    clusters: kubernetes.clusters,
    gitopsPath: [gitops.path, project.output.dir].filter((p) => p !== '.' && p !== '').join('/'),
    externalSecrets: kubernetes.externalSecrets,
  };
}

const goldens = new Map<string, Golden>();

/** A golden case's output and its platform; compiled once per run (only for the platform: the output is read from expected/). */
function golden(name: string): Golden {
  const known = goldens.get(name);
  if (known) return known;
  const made = compileGolden(name);
  goldens.set(name, made);
  return made;
}

function compileGolden(name: string): Golden {
  const root = caseRoot(name);
  const result = compileDir(root);
  if (!result.project) throw new Error(`fixtures/cases/${name} does not compile`);
  return { name, outputDir: join(root, 'expected', result.output.dir), platform: wiringPlatform(result.project) };
}

const scratch: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paved-wiring-'));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** examples/shop compiled into a scratch folder, as `paved compile` would write it. */
function shop(): Golden {
  const root = join(REPO, 'examples/shop');
  const result = compileDir(root);
  if (!result.project) throw new Error('examples/shop does not compile');
  const dir = scratchDir();
  for (const file of result.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.contents);
  }
  return { name: 'shop', outputDir: join(dir, result.output.dir), platform: wiringPlatform(result.project) };
}

const CASES = goldenCases();

describe('every golden output is wired end to end', () => {
  let shopCase: Golden;
  beforeAll(() => {
    shopCase = shop();
  });

  it.each(CASES)('%s: every link between targets holds', (name) => {
    const g = golden(name);
    expect(checkWiring(g.outputDir, g.platform).map(formatProblem)).toEqual([]);
  });

  it('examples/shop: every link between targets holds', () => {
    expect(checkWiring(shopCase.outputDir, shopCase.platform).map(formatProblem)).toEqual([]);
  });

  it('follows links of every kind in the full case and the shop, so no check passes by finding nothing', () => {
    const full = golden('full');
    const counts = [checkWiringDetailed(full.outputDir, full.platform).followed, checkWiringDetailed(shopCase.outputDir, shopCase.platform).followed];
    const idle = CHECKS.filter((check) => counts.every((c) => c[check] === 0));
    expect(idle).toEqual([]);
  });
});

/** One text edit (`count` pins how many places it changes, so an edit that misses fails instead of testing nothing), or a new file. */
type Edit = { readonly file: string; readonly from: string; readonly to: string; readonly count?: number } | { readonly file: string; readonly create: string };

const baselines = new Map<Golden, WiringProblem[]>();
function baseline(base: Golden): WiringProblem[] {
  const known = baselines.get(base) ?? checkWiring(base.outputDir, base.platform);
  baselines.set(base, known);
  return known;
}

/** A scratch copy of a golden output with `edits` made and `added` files written. */
function editedOutput(edits: readonly Edit[], added: Readonly<Record<string, string>> = {}, base: Golden = golden('full')): string {
  const dir = scratchDir();
  cpSync(base.outputDir, dir, { recursive: true });
  for (const [file, text] of Object.entries(added)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  for (const edit of edits) {
    const path = join(dir, edit.file);
    if ('create' in edit) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, edit.create);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const parts = text.split(edit.from);
    expect(parts.length - 1, `${edit.file}: ${JSON.stringify(edit.from)}`).toBe(edit.count ?? 1);
    writeFileSync(path, parts.join(edit.to));
  }
  return dir;
}

/** The problems a copy of the full case's output shows after `edits` (and with `added` files), minus those of the untouched output. */
function afterEdits(edits: readonly Edit[], added: Readonly<Record<string, string>> = {}, base: Golden = golden('full')): WiringProblem[] {
  const dir = editedOutput(edits, added, base);
  const before = new Set(baseline(base).map((p) => JSON.stringify(p)));
  return checkWiring(dir, base.platform).filter((p) => !before.has(JSON.stringify(p)));
}

const CHECKOUT_STG = 'checkout/kubernetes/staging';
const MUTATIONS: Readonly<Record<string, readonly Edit[]>> = {
  'secret-store: an ExternalSecret names a store the platform does not run': [
    { file: `${CHECKOUT_STG}/externalsecret-cache-carts.yaml`, from: 'name: acme-secrets', to: 'name: acme-secret' },
  ],
  'remote-secret: tfvars rename the Secrets Manager secret an ExternalSecret reads': [
    {
      file: 'checkout/terraform/env/staging.tfvars',
      from: 'STRIPE_API_KEY = "checkout/staging/STRIPE_API_KEY"',
      to: 'STRIPE_API_KEY = "checkout/staging/stripe-api-key"',
    },
  ],
  'remote-property: Terraform renames a JSON key of a connection secret': [
    { file: 'checkout/terraform/database.tf', from: '    dbname   = aws_db_instance.checkout.db_name', to: '    database = aws_db_instance.checkout.db_name' },
  ],
  'remote-property: an ExternalSecret reads a JSON secret without a property': [
    { file: `${CHECKOUT_STG}/externalsecret-topic-order-placed.yaml`, from: '        property: arn\n', to: '' },
  ],
  'secret-key-ref: an ExternalSecret renames the key a Deployment reads': [
    { file: `${CHECKOUT_STG}/externalsecret-cache-carts.yaml`, from: 'secretKey: username', to: 'secretKey: user' },
  ],
  'secret-key-ref: a CronJob reads a Secret nothing creates': [
    { file: 'mailer/kubernetes/staging/cronjob-weekly-statement.yaml', from: 'name: secret-smtp-password', to: 'name: secret-smtp' },
  ],
  'secret-key-ref: a preview stand-in Secret lacks a key the Deployment reads': [
    { file: 'checkout/kubernetes/preview/secret-database-checkout.yaml', from: '  dbname: checkout', to: '  database: checkout' },
  ],
  'pod-identity: the association names another namespace': [
    { file: 'ledger/terraform/iam.tf', from: 'namespace       = "ledger"', to: 'namespace       = "ledgers"' },
  ],
  'pod-identity: the ServiceAccount is renamed in one environment': [
    { file: 'ledger/kubernetes/staging/serviceaccount.yaml', from: '  name: ledger', to: '  name: ledger-app' },
  ],
  'pod-identity: no workload runs as the bound ServiceAccount': [
    { file: 'ledger/kubernetes/staging/deployment.yaml', from: 'serviceAccountName: ledger', to: 'serviceAccountName: default' },
  ],
  'monitor-labels: a ServiceMonitor loses the platform monitor label': [
    { file: `${CHECKOUT_STG}/servicemonitor.yaml`, from: '    release: kube-prometheus-stack\n', to: '' },
  ],
  'monitor-target: the Deployment drops its metrics container port': [
    { file: `${CHECKOUT_STG}/deployment.yaml`, from: '            - containerPort: 9464\n              name: metrics\n              protocol: TCP\n', to: '' },
  ],
  'monitor-target: a ServiceMonitor scrapes a port the Service does not name': [
    { file: `${CHECKOUT_STG}/servicemonitor.yaml`, from: '      port: metrics', to: '      port: metric' },
  ],
  'monitor-target: a PodMonitor scrapes a port the pods do not name': [
    { file: 'mailer/kubernetes/staging/podmonitor.yaml', from: '      port: metrics', to: '      port: prometheus' },
  ],
  'monitor-reachable: the NetworkPolicy admits scrapes from another namespace than Prometheus runs in': [
    { file: `${CHECKOUT_STG}/networkpolicy.yaml`, from: 'kubernetes.io/metadata.name: prometheus', to: 'kubernetes.io/metadata.name: monitoring' },
  ],
  'rule-matcher: the monitor produces another job than the rules read': [
    { file: 'ledger/kubernetes/staging/servicemonitor.yaml', from: 'jobLabel: app.kubernetes.io/name', to: 'jobLabel: app.kubernetes.io/component' },
  ],
  'rule-matcher: a rule reads a CronJob the manifests do not create': [
    { file: 'mailer/kubernetes/staging/cronjob-weekly-statement.yaml', from: '  name: mailer-weekly-statement', to: '  name: mailer-statement' },
  ],
  'network-dns: the NetworkPolicy no longer admits DNS over UDP': [
    {
      file: 'ledger/kubernetes/staging/networkpolicy.yaml',
      from: '        - port: 53\n          protocol: UDP\n',
      to: '        - port: 5353\n          protocol: UDP\n',
    },
  ],
  'network-peer: the receiving side admits another port than the sender opens': [
    { file: 'ledger/kubernetes/staging/networkpolicy.yaml', from: '        - port: grpc', to: '        - port: http' },
  ],
  'network-peer: the sender opens egress to another namespace': [
    { file: `${CHECKOUT_STG}/networkpolicy.yaml`, from: 'kubernetes.io/metadata.name: ledger', to: 'kubernetes.io/metadata.name: ledgers' },
  ],
  'network-peer: the sender names pods the other service does not run': [
    {
      file: `${CHECKOUT_STG}/networkpolicy.yaml`,
      from: '              app.kubernetes.io/name: ledger',
      to: '              app.kubernetes.io/name: ledger-api',
    },
  ],
  'network-peer: a preview stand-in admits the app on a port its egress does not open': [
    { file: 'checkout/kubernetes/preview/networkpolicy.yaml', from: '        - port: 5432\n', to: '        - port: 5433\n' },
  ],
  'network-aws-port: the database security group admits a port the pods egress never opens': [
    {
      file: 'checkout/terraform/database.tf',
      from: '  from_port                    = 5432\n  to_port                      = 5432',
      to: '  from_port                    = 5433\n  to_port                      = 5433',
    },
  ],
  'ingress-backend: the Ingress routes to a port the Service does not have': [
    {
      file: `${CHECKOUT_STG}/ingress.yaml`,
      from: '                  name: http\n            path: /api',
      to: '                  name: web\n            path: /api',
    },
  ],
  'ingress-backend: a gRPC backend behind ingress-nginx without backend-protocol GRPC': [
    { file: `${CHECKOUT_STG}/service.yaml`, from: '    - appProtocol: http\n      name: http', to: '    - appProtocol: kubernetes.io/h2c\n      name: http' },
  ],
  'ingress-backend: the NetworkPolicy no longer admits the ingress controller': [
    { file: `${CHECKOUT_STG}/networkpolicy.yaml`, from: 'kubernetes.io/metadata.name: ingress-system', to: 'kubernetes.io/metadata.name: ingress-nginx' },
  ],
  'ingress-tls: without the cert-manager annotation nothing creates the TLS secret': [
    { file: `${CHECKOUT_STG}/ingress.yaml`, from: '    cert-manager.io/cluster-issuer: letsencrypt-prod\n', to: '' },
  ],
  'argocd-path: an Application syncs a folder the output lacks': [
    { file: 'argocd/ledger-staging.yaml', from: 'generated/ledger/kubernetes/staging', to: 'generated/ledger/kubernetes/stage' },
  ],
  'argocd-namespace: an Application deploys into another namespace than its objects name': [
    { file: 'argocd/ledger-staging.yaml', from: '    namespace: ledger', to: '    namespace: finance' },
  ],
  'argocd-cluster: Terraform binds roles in another cluster than Argo CD deploys to': [
    { file: 'checkout/terraform/env/staging.tfvars', from: 'cluster_name = "acme-stg-eks"', to: 'cluster_name = "acme-stg-eks-2"' },
  ],
  'argocd-project: the project no longer admits the database bootstrap Job': [
    { file: '_platform/argocd/appproject.yaml', from: '    - group: batch\n      kind: Job\n', to: '' },
  ],
  'argocd-project: an Application names a project the output does not create': [
    { file: 'argocd/checkout-staging.yaml', from: '  project: acme-services', to: '  project: acme' },
  ],
  'subscription-delivery: the subscription delivers to a queue no stack creates': [
    {
      file: 'ledger/terraform/subscriptions/env/staging.tfvars',
      from: 'queue_arn = "arn:aws:sqs:eu-central-1:123456789012:ledger-stg-checkout-order-placed"',
      to: 'queue_arn = "arn:aws:sqs:eu-central-1:123456789012:ledger-stg-checkout-orders"',
    },
  ],
  'subscription-delivery: the queue policy and key policy admit another topic than the subscription names': [
    {
      file: 'ledger/terraform/env/staging.tfvars',
      from: '"arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed"',
      to: '"arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-shipped"',
    },
  ],
  "apply-order: two main roots subscribe to each other's topics": [
    {
      file: 'checkout/terraform/subscriptions-ledger.tf',
      create: `resource "aws_sns_topic_subscription" "ledger-ledger-updated" {
  topic_arn = "arn:aws:sns:\${var.aws_region}:\${var.aws_account_id}:\${lookup({ staging = "ledger-stg-ledger-updated", production = "ledger-prd-ledger-updated" }, var.environment)}"
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:\${var.aws_region}:\${var.aws_account_id}:\${lookup({ staging = "mailer-stg-ledger-ledger-updated", production = "mailer-prd-ledger-ledger-updated" }, var.environment)}"
}
`,
    },
    // ledger's subscription back in its main root, where it was before terraform/subscriptions/ (both deliver to queues that admit the topic, so only the order breaks).
    {
      file: 'ledger/terraform/subscriptions-checkout.tf',
      create: `resource "aws_sns_topic_subscription" "checkout-order-placed-main" {
  topic_arn = "arn:aws:sns:\${var.aws_region}:\${var.aws_account_id}:\${lookup({ staging = "checkout-stg-order-placed", production = "checkout-prd-order-placed" }, var.environment)}"
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:\${var.aws_region}:\${var.aws_account_id}:\${lookup({ staging = "ledger-stg-checkout-order-placed", production = "ledger-prd-checkout-order-placed" }, var.environment)}"
}
`,
    },
  ],
  'subscription-topic: the subscriber names a topic the publisher no longer creates': [
    {
      file: 'checkout/terraform/env/staging.tfvars',
      from: 'name              = "checkout-stg-order-placed"',
      to: 'name              = "checkout-stg-orders-placed"',
    },
  ],
  'secret-store: the ClusterSecretStore no longer serves a service namespace': [
    { file: '_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml', from: '        - ledger\n', to: '' },
  ],
  'secret-key-ref: the database master ExternalSecret renames a key the bootstrap Job reads': [
    { file: `${CHECKOUT_STG}/externalsecret-db-master-checkout.yaml`, from: '        PGPASSWORD: ', to: '        PASSWORD: ' },
  ],
  "eso-access: the operator's role no longer reads a secret an ExternalSecret names": [
    { file: '_platform/terraform/env/staging.tfvars', from: '  "mailer/staging/SMTP_PASSWORD",\n', to: '' },
  ],
  "eso-access: the operator's role reads the master secret of another database": [
    { file: '_platform/terraform/env/staging.tfvars', from: '"checkout-stg-checkout", ', to: '' },
  ],
  "eso-access: the operator's role may no longer decrypt with a service's key": [
    { file: '_platform/terraform/env/staging.tfvars', from: '"alias/ledger-stg", ', to: '' },
  ],
  "pod-identity: _platform/ binds the operator's role to another ServiceAccount than platform.yaml names": [
    { file: '_platform/terraform/env/staging.tfvars', from: 'eso_service_account = "eso-controller"', to: 'eso_service_account = "external-secrets"' },
  ],
  "pod-identity: a service binds its role to the operator's ServiceAccount, which only _platform/ may": [
    {
      file: 'ledger/terraform/iam.tf',
      from: '  namespace       = "ledger"\n  service_account = "ledger"',
      to: '  namespace       = "eso"\n  service_account = "eso-controller"',
    },
  ],
  'monitor-labels: a PrometheusRule loses the platform monitor label': [
    { file: `${CHECKOUT_STG}/prometheusrule.yaml`, from: '    release: kube-prometheus-stack\n', to: '' },
  ],
};

/** Changing the ledger monitor's jobLabel breaks every `job="ledger"` matcher of its SLO recordings: seven windows for each of two SLOs. */
function jobProblems(): WiringProblem[] {
  const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
  return [0, 3].flatMap((group) =>
    windows.map((window, rule) => ({
      check: 'rule-matcher' as const,
      file: 'ledger/kubernetes/staging/prometheusrule.yaml',
      object: 'PrometheusRule ledger/ledger',
      from: `spec.groups[${group}].rules[${rule}] (slo:sli_error:ratio_rate${window}).expr matcher job="ledger"`,
      to: 'jobs the monitors of staging produce in namespace ledger: "server"',
      message: 'the rule reads a job no monitor scrapes, so it never sees a series',
    })),
  );
}

const EXPECTED: Readonly<Record<string, readonly WiringProblem[]>> = {
  'argocd-cluster: Terraform binds roles in another cluster than Argo CD deploys to': [
    {
      check: 'argocd-cluster',
      file: 'argocd/checkout-staging.yaml',
      object: 'Application argocd/checkout-staging',
      from: 'spec.destination.name = "acme-stg-eks"',
      to: 'aws_eks_pod_identity_association.service cluster_name = "acme-stg-eks-2" (checkout/terraform/iam.tf, checkout/terraform/env/staging.tfvars)',
      message: 'Argo CD deploys the pods to another cluster than the one Terraform binds their role in',
    },
    {
      check: 'pod-identity',
      file: 'checkout/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (checkout/terraform/env/staging.tfvars)',
      from: 'cluster_name = "acme-stg-eks-2"',
      to: 'platform kubernetes.clusters.staging = "acme-stg-eks"',
      message: 'the role is bound in another cluster than the one the environment deploys to',
    },
  ],
  'argocd-namespace: an Application deploys into another namespace than its objects name': [
    {
      check: 'argocd-namespace',
      file: 'argocd/ledger-staging.yaml',
      object: 'Application argocd/ledger-staging',
      from: 'spec.destination.namespace = "finance"',
      to: 'objects in ledger/kubernetes/staging in another namespace: "ConfigMap ledger/db-bootstrap (ledger/kubernetes/staging/configmap-db-bootstrap.yaml)", "Deployment ledger/ledger (ledger/kubernetes/staging/deployment.yaml)", "ExternalSecret ledger/database-ledger (ledger/kubernetes/staging/externalsecret-database-ledger.yaml)", "ExternalSecret ledger/db-master-ledger (ledger/kubernetes/staging/externalsecret-db-master-ledger.yaml)", "ExternalSecret ledger/queue-checkout-order-placed (ledger/kubernetes/staging/externalsecret-queue-checkout-order-placed.yaml)", "ExternalSecret ledger/topic-ledger-updated (ledger/kubernetes/staging/externalsecret-topic-ledger-updated.yaml)", "HorizontalPodAutoscaler ledger/ledger (ledger/kubernetes/staging/horizontalpodautoscaler.yaml)", "Job ledger/db-bootstrap-ledger (ledger/kubernetes/staging/job-db-bootstrap-ledger.yaml)", "NetworkPolicy ledger/default-deny (ledger/kubernetes/staging/networkpolicy-default-deny.yaml)", "NetworkPolicy ledger/ledger-db-bootstrap (ledger/kubernetes/staging/networkpolicy-ledger-db-bootstrap.yaml)", "NetworkPolicy ledger/ledger (ledger/kubernetes/staging/networkpolicy.yaml)", "PodDisruptionBudget ledger/ledger (ledger/kubernetes/staging/poddisruptionbudget.yaml)", "PrometheusRule ledger/ledger (ledger/kubernetes/staging/prometheusrule.yaml)", "Service ledger/ledger (ledger/kubernetes/staging/service.yaml)", "ServiceAccount ledger/ledger-db-bootstrap (ledger/kubernetes/staging/serviceaccount-ledger-db-bootstrap.yaml)", "ServiceAccount ledger/ledger (ledger/kubernetes/staging/serviceaccount.yaml)", "ServiceMonitor ledger/ledger (ledger/kubernetes/staging/servicemonitor.yaml)"',
      message: 'the Application applies objects outside its destination namespace',
    },
    {
      check: 'argocd-project',
      file: 'argocd/ledger-staging.yaml',
      object: 'Application argocd/ledger-staging',
      from: 'spec.destination = name "acme-stg-eks", namespace "finance"',
      to: 'AppProject argocd/acme-services (_platform/argocd/appproject.yaml) destinations: "acme-stg-eks/checkout", "acme-stg-eks/ledger", "acme-stg-eks/mailer", "acme-prd-eks/checkout", "acme-prd-eks/ledger", "acme-prd-eks/mailer"',
      message: "the project does not admit the Application's destination",
    },
  ],
  'argocd-path: an Application syncs a folder the output lacks': [
    {
      check: 'argocd-path',
      file: 'argocd/ledger-staging.yaml',
      object: 'Application argocd/ledger-staging',
      from: 'spec.source.path = "infra/paved/generated/ledger/kubernetes/stage"',
      to: 'the output at infra/paved/generated in the GitOps repository: no such folder',
      message: 'the Application syncs a folder the output does not have',
    },
  ],
  'monitor-labels: a ServiceMonitor loses the platform monitor label': [
    {
      check: 'monitor-labels',
      file: 'checkout/kubernetes/staging/servicemonitor.yaml',
      object: 'ServiceMonitor checkout/checkout',
      from: 'metadata.labels: "app.kubernetes.io/component=server", "app.kubernetes.io/managed-by=paved", "app.kubernetes.io/name=checkout", "app.kubernetes.io/part-of=acme", "app.kubernetes.io/version=2f0c6b1d9e8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b", "paved.dev/environment=staging", "paved.dev/team=team-checkout", "paved.dev/tier=critical"',
      to: 'platform kubernetes.monitorLabels: "release=kube-prometheus-stack"',
      message: "Prometheus selects ServiceMonitors by the platform's monitor labels; this one lacks release=kube-prometheus-stack",
    },
  ],
  'monitor-reachable: the NetworkPolicy admits scrapes from another namespace than Prometheus runs in': [
    {
      check: 'monitor-reachable',
      file: 'checkout/kubernetes/staging/servicemonitor.yaml',
      object: 'ServiceMonitor checkout/checkout',
      from: 'spec.endpoints[0] → Deployment checkout/checkout container port 9464',
      to: "NetworkPolicies selecting Deployment checkout/checkout's pods admit no ingress from namespace prometheus (platform kubernetes.prometheusNamespace) on 9464",
      message: 'Prometheus cannot reach the port the monitor scrapes',
    },
  ],
  'monitor-target: a PodMonitor scrapes a port the pods do not name': [
    {
      check: 'monitor-target',
      file: 'mailer/kubernetes/staging/podmonitor.yaml',
      object: 'PodMonitor mailer/mailer',
      from: 'spec.podMetricsEndpoints[0].port = "prometheus"',
      to: 'Deployment mailer/mailer (mailer/kubernetes/staging/deployment.yaml) container ports: "metrics:9464"',
      message: 'the PodMonitor scrapes a port the pods do not name',
    },
  ],
  'monitor-target: a ServiceMonitor scrapes a port the Service does not name': [
    {
      check: 'monitor-target',
      file: 'checkout/kubernetes/staging/servicemonitor.yaml',
      object: 'ServiceMonitor checkout/checkout',
      from: 'spec.endpoints[0].port = "metric"',
      to: 'Service checkout/checkout (checkout/kubernetes/staging/service.yaml) port names: "http", "metrics"',
      message: 'the ServiceMonitor scrapes a port the Service does not name',
    },
  ],
  'monitor-target: the Deployment drops its metrics container port': [
    {
      check: 'monitor-target',
      file: 'checkout/kubernetes/staging/servicemonitor.yaml',
      object: 'ServiceMonitor checkout/checkout',
      from: 'spec.endpoints[0] → Service checkout/checkout targetPort "metrics"',
      to: 'Deployment checkout/checkout (checkout/kubernetes/staging/deployment.yaml) container ports: "http:8080"',
      message: 'the scraped port is not a container port of the pods behind the Service',
    },
  ],
  'network-aws-port: the database security group admits a port the pods egress never opens': [
    {
      check: 'network-aws-port',
      file: 'checkout/kubernetes/production/deployment.yaml',
      object: 'Deployment checkout/checkout',
      from: 'egress of Deployment checkout/checkout\'s pods: no NetworkPolicy admits TCP 5433 to an address outside the cluster ("checkout (checkout/kubernetes/production/networkpolicy.yaml)")',
      to: 'aws_vpc_security_group_ingress_rule.database-checkout (checkout/terraform/database.tf, checkout/terraform/env/production.tfvars) admits tcp 5433 from referenced_security_group_id = "sg-0f1e2d3c4b5a60012"',
      message: 'the security group admits the pods on a port their NetworkPolicy never lets them send to',
    },
    {
      check: 'network-aws-port',
      file: 'checkout/kubernetes/staging/deployment.yaml',
      object: 'Deployment checkout/checkout',
      from: 'egress of Deployment checkout/checkout\'s pods: no NetworkPolicy admits TCP 5433 to an address outside the cluster ("checkout (checkout/kubernetes/staging/networkpolicy.yaml)")',
      to: 'aws_vpc_security_group_ingress_rule.database-checkout (checkout/terraform/database.tf, checkout/terraform/env/staging.tfvars) admits tcp 5433 from referenced_security_group_id = "sg-0f1e2d3c4b5a60011"',
      message: 'the security group admits the pods on a port their NetworkPolicy never lets them send to',
    },
  ],
  'network-dns: the NetworkPolicy no longer admits DNS over UDP': [
    {
      check: 'network-dns',
      file: 'ledger/kubernetes/staging/deployment.yaml',
      object: 'Deployment ledger/ledger',
      from: 'pods of Deployment ledger/ledger (namespace ledger)',
      to: 'kube-dns (namespace kube-system, k8s-app=kube-dns) UDP 53: no NetworkPolicy egress rule admits it ("ledger (ledger/kubernetes/staging/networkpolicy.yaml)")',
      message: 'the pods cannot resolve names',
    },
  ],
  'network-peer: a preview stand-in admits the app on a port its egress does not open': [
    {
      check: 'network-peer',
      file: 'checkout/kubernetes/preview/networkpolicy-postgres-checkout.yaml',
      object: 'NetworkPolicy checkout-pr-0/postgres-checkout',
      from: 'spec.ingress[0].from[0] port "postgres"/TCP (ingress of Deployment checkout-pr-0/postgres-checkout)',
      to: 'egress of Deployment checkout-pr-0/checkout in namespace checkout-pr-0: no NetworkPolicy lets it reach Deployment checkout-pr-0/postgres-checkout (namespace checkout-pr-0) on 5432/TCP ("checkout (checkout/kubernetes/preview/networkpolicy.yaml)")',
      message: "the receiver's ingress has no matching egress on the other side",
    },
    {
      check: 'network-peer',
      file: 'checkout/kubernetes/preview/networkpolicy.yaml',
      object: 'NetworkPolicy checkout-pr-0/checkout',
      from: 'spec.egress[3].to[0] port 5433/TCP (egress of Deployment checkout-pr-0/checkout)',
      to: 'Deployment checkout-pr-0/postgres-checkout (checkout/kubernetes/preview/deployment-postgres-checkout.yaml) container ports: "postgres:5432/TCP"',
      message: 'the egress rule opens a port the receiving pods do not listen on',
    },
  ],
  'network-peer: the receiving side admits another port than the sender opens': [
    {
      check: 'network-peer',
      file: 'checkout/kubernetes/staging/networkpolicy.yaml',
      object: 'NetworkPolicy checkout/checkout',
      from: 'spec.egress[2].to[0] port 9090/TCP (egress of Deployment checkout/checkout)',
      to: 'ingress of Deployment ledger/ledger in namespace ledger: no NetworkPolicy admits Deployment checkout/checkout (namespace checkout) on 9090/TCP ("ledger (ledger/kubernetes/staging/networkpolicy.yaml)")',
      message: "the sender's egress has no matching ingress on the other side",
    },
    {
      check: 'network-peer',
      file: 'ledger/kubernetes/staging/networkpolicy.yaml',
      object: 'NetworkPolicy ledger/ledger',
      from: 'spec.ingress[1].from[0] port "http"/TCP (ingress of Deployment ledger/ledger)',
      to: 'Deployment ledger/ledger (ledger/kubernetes/staging/deployment.yaml) container ports: "grpc:9090/TCP", "metrics:9464/TCP"',
      message: 'the ingress rule admits a port the pods do not name',
    },
  ],
  'network-peer: the sender opens egress to another namespace': [
    {
      check: 'network-peer',
      file: 'ledger/kubernetes/staging/networkpolicy.yaml',
      object: 'NetworkPolicy ledger/ledger',
      from: 'spec.ingress[1].from[0] port "grpc"/TCP (ingress of Deployment ledger/ledger)',
      to: 'egress of Deployment checkout/checkout in namespace checkout: no NetworkPolicy lets it reach Deployment ledger/ledger (namespace ledger) on 9090/TCP ("checkout (checkout/kubernetes/staging/networkpolicy.yaml)"); egress of Job checkout/db-bootstrap-checkout in namespace checkout: no NetworkPolicy lets it reach Deployment ledger/ledger (namespace ledger) on 9090/TCP ("checkout-db-bootstrap (checkout/kubernetes/staging/networkpolicy-checkout-db-bootstrap.yaml)")',
      message: "the receiver's ingress has no matching egress on the other side",
    },
  ],
  'pod-identity: no workload runs as the bound ServiceAccount': [
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "ledger", service_account = "ledger"',
      to: 'serviceAccountName of the workloads in ledger/kubernetes/staging: "Deployment ledger/ledger: default", "Job ledger/db-bootstrap-ledger: ledger-db-bootstrap"',
      message: 'no workload runs as the ServiceAccount the role is bound to',
    },
  ],
  'pod-identity: the ServiceAccount is renamed in one environment': [
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "ledger", service_account = "ledger"',
      to: 'ServiceAccounts in ledger/kubernetes/staging: "ledger/ledger-db-bootstrap", "ledger/ledger-app"',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
  ],
  'pod-identity: the association names another namespace': [
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/production.tfvars)',
      from: 'namespace = "ledgers", service_account = "ledger"',
      to: 'Namespaces in the production manifests: "checkout", "ledger", "mailer"',
      message: 'the association names a namespace the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/production.tfvars)',
      from: 'namespace = "ledgers", service_account = "ledger"',
      to: 'ServiceAccounts in ledger/kubernetes/production: "ledger/ledger-db-bootstrap", "ledger/ledger"',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "ledgers", service_account = "ledger"',
      to: 'Namespaces in the staging manifests: "checkout", "ledger", "mailer"',
      message: 'the association names a namespace the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "ledgers", service_account = "ledger"',
      to: 'ServiceAccounts in ledger/kubernetes/staging: "ledger/ledger-db-bootstrap", "ledger/ledger"',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
  ],
  'remote-property: Terraform renames a JSON key of a connection secret': [
    {
      check: 'remote-property',
      file: 'checkout/kubernetes/production/externalsecret-database-checkout.yaml',
      object: 'ExternalSecret checkout/database-checkout',
      from: 'spec.data[2].remoteRef.property = "dbname"',
      to: 'aws_secretsmanager_secret_version.database-checkout secret_string (checkout/terraform/database.tf) keys: "host", "port", "database", "username"',
      message: 'the ExternalSecret reads a JSON key the Terraform secret aws_secretsmanager_secret.database-checkout does not write',
    },
    {
      check: 'remote-property',
      file: 'checkout/kubernetes/staging/externalsecret-database-checkout.yaml',
      object: 'ExternalSecret checkout/database-checkout',
      from: 'spec.data[2].remoteRef.property = "dbname"',
      to: 'aws_secretsmanager_secret_version.database-checkout secret_string (checkout/terraform/database.tf) keys: "host", "port", "database", "username"',
      message: 'the ExternalSecret reads a JSON key the Terraform secret aws_secretsmanager_secret.database-checkout does not write',
    },
  ],
  'remote-property: an ExternalSecret reads a JSON secret without a property': [
    {
      check: 'remote-property',
      file: 'checkout/kubernetes/staging/externalsecret-topic-order-placed.yaml',
      object: 'ExternalSecret checkout/topic-order-placed',
      from: 'spec.data[0].remoteRef without property (key "checkout/staging/topic/order-placed")',
      to: 'aws_secretsmanager_secret_version.topic-order-placed secret_string (checkout/terraform/messaging.tf) is a JSON object with keys "arn"',
      message: 'the ExternalSecret copies the whole JSON document into one key; name the property it needs',
    },
  ],
  'remote-secret: tfvars rename the Secrets Manager secret an ExternalSecret reads': [
    {
      check: 'remote-secret',
      file: 'checkout/kubernetes/staging/externalsecret-secret-stripe-api-key.yaml',
      object: 'ExternalSecret checkout/secret-stripe-api-key',
      from: 'spec.data[0].remoteRef.key = "checkout/staging/STRIPE_API_KEY"',
      to: 'aws_secretsmanager_secret names of checkout/terraform (checkout/terraform/env/staging.tfvars), _platform/terraform (_platform/terraform/env/staging.tfvars): "checkout/staging/cache/carts", "checkout/staging/database/checkout", "checkout/staging/topic/order-placed", "checkout/staging/stripe-api-key", "checkout/staging/bucket/receipts"',
      message: 'the ExternalSecret reads a Secrets Manager secret no Terraform root creates for staging',
    },
  ],
  'rule-matcher: a rule reads a CronJob the manifests do not create': [
    {
      check: 'rule-matcher',
      file: 'mailer/kubernetes/staging/prometheusrule.yaml',
      object: 'PrometheusRule mailer/mailer',
      from: 'spec.groups[0].rules[2] (CronJobFailed).expr matcher cronjob="mailer-weekly-statement"',
      to: 'CronJobs in namespace mailer: "mailer-resend-receipts", "mailer-statement"',
      message: 'the rule reads a CronJob the manifests do not create',
    },
    {
      check: 'rule-matcher',
      file: 'mailer/kubernetes/staging/prometheusrule.yaml',
      object: 'PrometheusRule mailer/mailer',
      from: 'spec.groups[0].rules[3] (CronJobMissed).expr matcher cronjob="mailer-weekly-statement"',
      to: 'CronJobs in namespace mailer: "mailer-resend-receipts", "mailer-statement"',
      message: 'the rule reads a CronJob the manifests do not create',
    },
  ],
  'secret-key-ref: a CronJob reads a Secret nothing creates': [
    {
      check: 'secret-key-ref',
      file: 'mailer/kubernetes/staging/cronjob-weekly-statement.yaml',
      object: 'CronJob mailer/mailer-weekly-statement',
      from: 'spec.jobTemplate.spec.template.spec.containers[0].env[17] (SMTP_PASSWORD).valueFrom.secretKeyRef = Secret mailer/secret-smtp key "SMTP_PASSWORD"',
      to: 'Secrets created in mailer/kubernetes/staging (namespace mailer): "bucket-statements", "queue-ledger-ledger-updated", "secret-smtp-password"',
      message: 'the workload reads a Secret that nothing in its folder creates',
    },
  ],
  'secret-key-ref: a preview stand-in Secret lacks a key the Deployment reads': [
    {
      check: 'secret-key-ref',
      file: 'checkout/kubernetes/preview/deployment.yaml',
      object: 'Deployment checkout-pr-0/checkout',
      from: 'spec.template.spec.containers[0].env[9] (DATABASE_CHECKOUT_DBNAME).valueFrom.secretKeyRef = Secret checkout-pr-0/database-checkout key "dbname"',
      to: 'Secret checkout-pr-0/database-checkout (checkout/kubernetes/preview/secret-database-checkout.yaml) creates keys: "database", "host", "port", "username"',
      message: 'the workload reads a key its Secret does not have',
    },
  ],
  'secret-key-ref: an ExternalSecret renames the key a Deployment reads': [
    {
      check: 'secret-key-ref',
      file: 'checkout/kubernetes/staging/deployment.yaml',
      object: 'Deployment checkout/checkout',
      from: 'spec.template.spec.containers[0].env[5] (CACHE_CARTS_USERNAME).valueFrom.secretKeyRef = Secret checkout/cache-carts key "username"',
      to: 'ExternalSecret checkout/cache-carts (checkout/kubernetes/staging/externalsecret-cache-carts.yaml) creates keys: "host", "port", "user"',
      message: 'the workload reads a key its Secret does not have',
    },
  ],
  'secret-store: an ExternalSecret names a store the platform does not run': [
    {
      check: 'secret-store',
      file: 'checkout/kubernetes/staging/externalsecret-cache-carts.yaml',
      object: 'ExternalSecret checkout/cache-carts',
      from: 'spec.secretStoreRef = ClusterSecretStore/acme-secret',
      to: 'ClusterSecretStores in _platform/kubernetes/staging: "acme-secrets"',
      message: 'the ExternalSecret reads from a ClusterSecretStore the platform does not run in staging',
    },
  ],
  'subscription-topic: the subscriber names a topic the publisher no longer creates': [
    {
      check: 'subscription-topic',
      file: 'ledger/terraform/subscriptions/subscriptions.tf',
      object: 'aws_sns_topic_subscription.checkout-order-placed[0] (ledger/terraform/subscriptions/env/staging.tfvars)',
      from: 'topic_arn = "arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed"',
      to: 'SNS topics the staging stacks create: "arn:…:sns:eu-central-1:123456789012:checkout-stg-orders-placed from aws_sns_topic.order-placed (checkout/terraform, checkout/terraform/env/staging.tfvars)", "arn:…:sns:eu-central-1:123456789012:ledger-stg-ledger-updated from aws_sns_topic.ledger-updated (ledger/terraform, ledger/terraform/env/staging.tfvars)"',
      message: 'the subscription names a topic no stack of the environment creates',
    },
  ],
  'ingress-backend: a gRPC backend behind ingress-nginx without backend-protocol GRPC': [
    {
      check: 'ingress-backend',
      file: 'checkout/kubernetes/staging/ingress.yaml',
      object: 'Ingress checkout/checkout',
      from: 'metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"] = "(unset: HTTP)"',
      to: 'Service checkout/checkout (checkout/kubernetes/staging/service.yaml) port http appProtocol kubernetes.io/h2c',
      message: 'ingress-nginx speaks HTTP/1.1 to a gRPC backend unless the Ingress says GRPC',
    },
  ],
  'ingress-backend: the Ingress routes to a port the Service does not have': [
    {
      check: 'ingress-backend',
      file: 'checkout/kubernetes/staging/ingress.yaml',
      object: 'Ingress checkout/checkout',
      from: 'spec.rules[0].http.paths[1].backend.service = checkout:web',
      to: 'Service checkout/checkout (checkout/kubernetes/staging/service.yaml) ports: "http:8080", "metrics:9464"',
      message: 'the Ingress routes to a port the Service does not have',
    },
  ],
  'ingress-backend: the NetworkPolicy no longer admits the ingress controller': [
    {
      check: 'ingress-backend',
      file: 'checkout/kubernetes/staging/ingress.yaml',
      object: 'Ingress checkout/checkout',
      from: 'spec.rules[0].http.paths[0].backend.service = checkout:http → Deployment checkout/checkout container port 8080',
      to: "NetworkPolicies selecting Deployment checkout/checkout's pods admit no ingress from namespace ingress-system (platform kubernetes.ingressControllerNamespace) on 8080",
      message: 'the ingress controller cannot reach the pods',
    },
    {
      check: 'ingress-backend',
      file: 'checkout/kubernetes/staging/ingress.yaml',
      object: 'Ingress checkout/checkout',
      from: 'spec.rules[0].http.paths[1].backend.service = checkout:http → Deployment checkout/checkout container port 8080',
      to: "NetworkPolicies selecting Deployment checkout/checkout's pods admit no ingress from namespace ingress-system (platform kubernetes.ingressControllerNamespace) on 8080",
      message: 'the ingress controller cannot reach the pods',
    },
  ],
  'ingress-tls: without the cert-manager annotation nothing creates the TLS secret': [
    {
      check: 'ingress-tls',
      file: 'checkout/kubernetes/staging/ingress.yaml',
      object: 'Ingress checkout/checkout',
      from: 'spec.tls[0].secretName = "checkout-tls"',
      to: 'no cert-manager.io/cluster-issuer or issuer annotation; Secrets and Certificates in namespace checkout: (none)',
      message: 'the Ingress serves a TLS secret nothing creates',
    },
  ],
  "apply-order: two main roots subscribe to each other's topics": [
    {
      check: 'apply-order',
      file: 'checkout/terraform/subscriptions-ledger.tf',
      object: 'aws_sns_topic_subscription.ledger-ledger-updated (checkout/terraform/env/production.tfvars)',
      from: 'checkout/terraform needs aws_sns_topic.ledger-updated (ledger/terraform, ledger/terraform/env/production.tfvars) applied first',
      to: 'ledger/terraform needs aws_sns_topic.order-placed (checkout/terraform, checkout/terraform/env/production.tfvars) applied first (aws_sns_topic_subscription.checkout-order-placed-main in ledger/terraform/subscriptions-checkout.tf)',
      message: 'the production roots need each other applied first, so no order applies them on an empty account',
    },
    {
      check: 'apply-order',
      file: 'checkout/terraform/subscriptions-ledger.tf',
      object: 'aws_sns_topic_subscription.ledger-ledger-updated (checkout/terraform/env/staging.tfvars)',
      from: 'checkout/terraform needs aws_sns_topic.ledger-updated (ledger/terraform, ledger/terraform/env/staging.tfvars) applied first',
      to: 'ledger/terraform needs aws_sns_topic.order-placed (checkout/terraform, checkout/terraform/env/staging.tfvars) applied first (aws_sns_topic_subscription.checkout-order-placed-main in ledger/terraform/subscriptions-checkout.tf)',
      message: 'the staging roots need each other applied first, so no order applies them on an empty account',
    },
  ],
  'network-peer: the sender names pods the other service does not run': [
    {
      check: 'network-peer',
      file: 'checkout/kubernetes/staging/networkpolicy.yaml',
      object: 'NetworkPolicy checkout/checkout',
      from: 'spec.egress[2].to[0] = namespaceSelector kubernetes.io/metadata.name=ledger, podSelector app.kubernetes.io/name=ledger-api (egress of Deployment checkout/checkout)',
      to: 'pods in the selected namespace: "Deployment ledger/ledger {app.kubernetes.io/component=server, app.kubernetes.io/managed-by=paved, app.kubernetes.io/name=ledger, app.kubernetes.io/part-of=acme, app.kubernetes.io/version=0123456789abcdef0123456789abcdef01234567, paved.dev/environment=staging, paved.dev/team=team-finance, paved.dev/tier=standard}", "Job ledger/db-bootstrap-ledger {app.kubernetes.io/component=db-bootstrap, app.kubernetes.io/instance=ledger, app.kubernetes.io/managed-by=paved, app.kubernetes.io/name=ledger, app.kubernetes.io/part-of=acme, app.kubernetes.io/version=0123456789abcdef0123456789abcdef01234567, paved.dev/environment=staging, paved.dev/team=team-finance, paved.dev/tier=standard}"',
      message: 'the egress rule names pods that no workload runs',
    },
    {
      check: 'network-peer',
      file: 'ledger/kubernetes/staging/networkpolicy.yaml',
      object: 'NetworkPolicy ledger/ledger',
      from: 'spec.ingress[1].from[0] port "grpc"/TCP (ingress of Deployment ledger/ledger)',
      to: 'egress of Deployment checkout/checkout in namespace checkout: no NetworkPolicy lets it reach Deployment ledger/ledger (namespace ledger) on 9090/TCP ("checkout (checkout/kubernetes/staging/networkpolicy.yaml)"); egress of Job checkout/db-bootstrap-checkout in namespace checkout: no NetworkPolicy lets it reach Deployment ledger/ledger (namespace ledger) on 9090/TCP ("checkout-db-bootstrap (checkout/kubernetes/staging/networkpolicy-checkout-db-bootstrap.yaml)")',
      message: "the receiver's ingress has no matching egress on the other side",
    },
  ],
  'rule-matcher: the monitor produces another job than the rules read': jobProblems(),
  'secret-store: the ClusterSecretStore no longer serves a service namespace': [
    {
      check: 'secret-store',
      file: 'ledger/kubernetes/staging/externalsecret-database-ledger.yaml',
      object: 'ExternalSecret ledger/database-ledger',
      from: 'spec.secretStoreRef = ClusterSecretStore/acme-secrets (namespace ledger)',
      to: 'ClusterSecretStore acme-secrets (_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml) spec.conditions namespaces: "checkout", "mailer"',
      message: "the ClusterSecretStore does not serve the ExternalSecret's namespace",
    },
    {
      check: 'secret-store',
      file: 'ledger/kubernetes/staging/externalsecret-db-master-ledger.yaml',
      object: 'ExternalSecret ledger/db-master-ledger',
      from: 'spec.secretStoreRef = ClusterSecretStore/acme-secrets (namespace ledger)',
      to: 'ClusterSecretStore acme-secrets (_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml) spec.conditions namespaces: "checkout", "mailer"',
      message: "the ClusterSecretStore does not serve the ExternalSecret's namespace",
    },
    {
      check: 'secret-store',
      file: 'ledger/kubernetes/staging/externalsecret-queue-checkout-order-placed.yaml',
      object: 'ExternalSecret ledger/queue-checkout-order-placed',
      from: 'spec.secretStoreRef = ClusterSecretStore/acme-secrets (namespace ledger)',
      to: 'ClusterSecretStore acme-secrets (_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml) spec.conditions namespaces: "checkout", "mailer"',
      message: "the ClusterSecretStore does not serve the ExternalSecret's namespace",
    },
    {
      check: 'secret-store',
      file: 'ledger/kubernetes/staging/externalsecret-topic-ledger-updated.yaml',
      object: 'ExternalSecret ledger/topic-ledger-updated',
      from: 'spec.secretStoreRef = ClusterSecretStore/acme-secrets (namespace ledger)',
      to: 'ClusterSecretStore acme-secrets (_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml) spec.conditions namespaces: "checkout", "mailer"',
      message: "the ClusterSecretStore does not serve the ExternalSecret's namespace",
    },
  ],
  'secret-key-ref: the database master ExternalSecret renames a key the bootstrap Job reads': [
    {
      check: 'secret-key-ref',
      file: 'checkout/kubernetes/staging/job-db-bootstrap-checkout.yaml',
      object: 'Job checkout/db-bootstrap-checkout',
      from: 'spec.template.spec.containers[0].env[4] (PGPASSWORD).valueFrom.secretKeyRef = Secret checkout/db-master-checkout key "PGPASSWORD"',
      to: 'ExternalSecret checkout/db-master-checkout (checkout/kubernetes/staging/externalsecret-db-master-checkout.yaml) creates keys: "PASSWORD", "PGUSER"',
      message: 'the workload reads a key its Secret does not have',
    },
  ],
  "eso-access: the operator's role no longer reads a secret an ExternalSecret names": [
    {
      check: 'eso-access',
      file: 'mailer/kubernetes/staging/externalsecret-secret-smtp-password.yaml',
      object: 'ExternalSecret mailer/secret-smtp-password',
      from: 'spec.data[0].remoteRef.key = "mailer/staging/SMTP_PASSWORD" (namespace mailer)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow secretsmanager:GetSecretValue on: "arn:*:secretsmanager:eu-central-1:123456789012:secret:checkout/staging/STRIPE_API_KEY-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:checkout/staging/database/checkout-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:checkout/staging/cache/carts-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:checkout/staging/topic/order-placed-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:checkout/staging/bucket/receipts-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:ledger/staging/database/ledger-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:ledger/staging/topic/ledger-updated-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:ledger/staging/queue/checkout-order-placed-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:mailer/staging/queue/ledger-ledger-updated-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:mailer/staging/bucket/statements-??????", "arn:*:secretsmanager:eu-central-1:123456789012:secret:rds!db-*"',
      message: "the External Secrets Operator's role may not read the secret this ExternalSecret names",
    },
  ],
  "eso-access: the operator's role reads the master secret of another database": [
    {
      check: 'eso-access',
      file: 'checkout/kubernetes/staging/externalsecret-db-master-checkout.yaml',
      object: 'ExternalSecret checkout/db-master-checkout',
      from: 'spec.dataFrom[0].find = name "^rds!db-", tags "aws:rds:primaryDBInstanceArn=arn:aws:rds:eu-central-1:123456789012:db:checkout-stg-checkout"',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-00000000-0000-0000-0000-000000000000-… only: "arn:*:secretsmanager:eu-central-1:123456789012:secret:rds!db-* if aws:rds:primaryDBInstanceArn is one of arn:*:rds:eu-central-1:123456789012:db:ledger-stg-ledger"',
      message: "the External Secrets Operator's role may not read the secrets this ExternalSecret finds",
    },
  ],
  "pod-identity: _platform/ binds the operator's role to another ServiceAccount than platform.yaml names": [
    {
      check: 'pod-identity',
      file: '_platform/terraform/eso.tf',
      object: 'aws_eks_pod_identity_association.external_secrets (_platform/terraform/env/staging.tfvars)',
      from: 'namespace = "eso", service_account = "external-secrets"',
      to: 'Namespaces in the staging manifests: "checkout", "ledger", "mailer"',
      message: 'the association names a namespace the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: '_platform/terraform/eso.tf',
      object: 'aws_eks_pod_identity_association.external_secrets (_platform/terraform/env/staging.tfvars)',
      from: 'namespace = "eso", service_account = "external-secrets"',
      to: 'ServiceAccounts in _platform/kubernetes/staging: (none)',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
  ],
  'monitor-labels: a PrometheusRule loses the platform monitor label': [
    {
      check: 'monitor-labels',
      file: 'checkout/kubernetes/staging/prometheusrule.yaml',
      object: 'PrometheusRule checkout/checkout',
      from: 'metadata.labels: "app.kubernetes.io/managed-by=paved", "app.kubernetes.io/name=checkout", "paved.dev/team=team-checkout", "paved.dev/tier=critical"',
      to: 'platform kubernetes.monitorLabels: "release=kube-prometheus-stack"',
      message: "Prometheus selects PrometheusRules by the platform's monitor labels; this one lacks release=kube-prometheus-stack",
    },
  ],
  "pod-identity: a service binds its role to the operator's ServiceAccount, which only _platform/ may": [
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/production.tfvars)',
      from: 'namespace = "eso", service_account = "eso-controller"',
      to: 'Namespaces in the production manifests: "checkout", "ledger", "mailer"',
      message: 'the association names a namespace the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/production.tfvars)',
      from: 'namespace = "eso", service_account = "eso-controller"',
      to: 'ServiceAccounts in ledger/kubernetes/production: "ledger/ledger-db-bootstrap", "ledger/ledger"',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "eso", service_account = "eso-controller"',
      to: 'Namespaces in the staging manifests: "checkout", "ledger", "mailer"',
      message: 'the association names a namespace the manifests do not create',
    },
    {
      check: 'pod-identity',
      file: 'ledger/terraform/iam.tf',
      object: 'aws_eks_pod_identity_association.service (ledger/terraform/env/staging.tfvars)',
      from: 'namespace = "eso", service_account = "eso-controller"',
      to: 'ServiceAccounts in ledger/kubernetes/staging: "ledger/ledger-db-bootstrap", "ledger/ledger"',
      message: 'the association names a ServiceAccount the manifests do not create',
    },
  ],
  "eso-access: the operator's role may no longer decrypt with a service's key": [
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-database-ledger.yaml',
      object: 'ExternalSecret ledger/database-ledger',
      from: 'spec.data[0].remoteRef.key = "ledger/staging/database/ledger": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-database-ledger.yaml',
      object: 'ExternalSecret ledger/database-ledger',
      from: 'spec.data[1].remoteRef.key = "ledger/staging/database/ledger": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-database-ledger.yaml',
      object: 'ExternalSecret ledger/database-ledger',
      from: 'spec.data[2].remoteRef.key = "ledger/staging/database/ledger": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-database-ledger.yaml',
      object: 'ExternalSecret ledger/database-ledger',
      from: 'spec.data[3].remoteRef.key = "ledger/staging/database/ledger": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-db-master-ledger.yaml',
      object: 'ExternalSecret ledger/db-master-ledger',
      from: 'spec.dataFrom[0].find = name "^rds!db-", tags "aws:rds:primaryDBInstanceArn=arn:aws:rds:eu-central-1:123456789012:db:ledger-stg-ledger": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-queue-checkout-order-placed.yaml',
      object: 'ExternalSecret ledger/queue-checkout-order-placed',
      from: 'spec.data[0].remoteRef.key = "ledger/staging/queue/checkout-order-placed": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-queue-checkout-order-placed.yaml',
      object: 'ExternalSecret ledger/queue-checkout-order-placed',
      from: 'spec.data[1].remoteRef.key = "ledger/staging/queue/checkout-order-placed": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-queue-checkout-order-placed.yaml',
      object: 'ExternalSecret ledger/queue-checkout-order-placed',
      from: 'spec.data[2].remoteRef.key = "ledger/staging/queue/checkout-order-placed": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
    {
      check: 'eso-access',
      file: 'ledger/kubernetes/staging/externalsecret-topic-ledger-updated.yaml',
      object: 'ExternalSecret ledger/topic-ledger-updated',
      from: 'spec.data[0].remoteRef.key = "ledger/staging/topic/ledger-updated": encrypted with aws_kms_key.service (alias/ledger-stg, ledger/terraform)',
      to: 'aws_iam_role.external_secrets inline policies (_platform/terraform, _platform/terraform/env/staging.tfvars) allow kms:Decrypt "on arn:*:kms:eu-central-1:123456789012:key/* if kms:ResourceAliases has one of alias/checkout-stg, alias/mailer-stg"',
      message: "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    },
  ],
  'argocd-project: the project no longer admits the database bootstrap Job': [
    {
      check: 'argocd-project',
      file: 'argocd/checkout-production.yaml',
      object: 'Application argocd/checkout-production',
      from: 'syncs checkout/kubernetes/production: "batch/Job (checkout/kubernetes/production/job-db-bootstrap-checkout.yaml)"',
      to: 'AppProject argocd/acme-services (_platform/argocd/appproject.yaml) admits cluster-scoped "core/Namespace"; namespaced "core/ConfigMap", "core/Service", "core/ServiceAccount", "apps/Deployment", "autoscaling/HorizontalPodAutoscaler", "batch/CronJob", "external-secrets.io/ExternalSecret", "monitoring.coreos.com/PodMonitor", "monitoring.coreos.com/PrometheusRule", "monitoring.coreos.com/ServiceMonitor", "networking.k8s.io/Ingress", "networking.k8s.io/NetworkPolicy", "policy/PodDisruptionBudget"',
      message: 'the project refuses kinds the Application syncs, so the sync fails',
    },
    {
      check: 'argocd-project',
      file: 'argocd/checkout-staging.yaml',
      object: 'Application argocd/checkout-staging',
      from: 'syncs checkout/kubernetes/staging: "batch/Job (checkout/kubernetes/staging/job-db-bootstrap-checkout.yaml)"',
      to: 'AppProject argocd/acme-services (_platform/argocd/appproject.yaml) admits cluster-scoped "core/Namespace"; namespaced "core/ConfigMap", "core/Service", "core/ServiceAccount", "apps/Deployment", "autoscaling/HorizontalPodAutoscaler", "batch/CronJob", "external-secrets.io/ExternalSecret", "monitoring.coreos.com/PodMonitor", "monitoring.coreos.com/PrometheusRule", "monitoring.coreos.com/ServiceMonitor", "networking.k8s.io/Ingress", "networking.k8s.io/NetworkPolicy", "policy/PodDisruptionBudget"',
      message: 'the project refuses kinds the Application syncs, so the sync fails',
    },
    {
      check: 'argocd-project',
      file: 'argocd/ledger-staging.yaml',
      object: 'Application argocd/ledger-staging',
      from: 'syncs ledger/kubernetes/staging: "batch/Job (ledger/kubernetes/staging/job-db-bootstrap-ledger.yaml)"',
      to: 'AppProject argocd/acme-services (_platform/argocd/appproject.yaml) admits cluster-scoped "core/Namespace"; namespaced "core/ConfigMap", "core/Service", "core/ServiceAccount", "apps/Deployment", "autoscaling/HorizontalPodAutoscaler", "batch/CronJob", "external-secrets.io/ExternalSecret", "monitoring.coreos.com/PodMonitor", "monitoring.coreos.com/PrometheusRule", "monitoring.coreos.com/ServiceMonitor", "networking.k8s.io/Ingress", "networking.k8s.io/NetworkPolicy", "policy/PodDisruptionBudget"',
      message: 'the project refuses kinds the Application syncs, so the sync fails',
    },
  ],
  'argocd-project: an Application names a project the output does not create': [
    {
      check: 'argocd-project',
      file: 'argocd/checkout-staging.yaml',
      object: 'Application argocd/checkout-staging',
      from: 'spec.project = "acme"',
      to: 'AppProjects in the output: "acme-services (_platform/argocd/appproject.yaml)"',
      message: 'the Application names a project the output does not create',
    },
  ],
  'subscription-delivery: the subscription delivers to a queue no stack creates': [
    {
      check: 'subscription-delivery',
      file: 'ledger/terraform/subscriptions/subscriptions.tf',
      object: 'aws_sns_topic_subscription.checkout-order-placed[0] (ledger/terraform/subscriptions/env/staging.tfvars)',
      from: 'endpoint = "arn:aws:sqs:eu-central-1:123456789012:ledger-stg-checkout-orders"',
      to: 'SQS queues the staging stacks create: "arn:…:sqs:eu-central-1:123456789012:ledger-stg-checkout-order-placed-dlq from aws_sqs_queue.checkout-order-placed-dlq (ledger/terraform)", "arn:…:sqs:eu-central-1:123456789012:ledger-stg-checkout-order-placed from aws_sqs_queue.checkout-order-placed (ledger/terraform)", "arn:…:sqs:eu-central-1:123456789012:mailer-stg-ledger-ledger-updated-dlq from aws_sqs_queue.ledger-ledger-updated-dlq (mailer/terraform)", "arn:…:sqs:eu-central-1:123456789012:mailer-stg-ledger-ledger-updated from aws_sqs_queue.ledger-ledger-updated (mailer/terraform)"',
      message: 'the subscription delivers to a queue no stack of the environment creates',
    },
  ],
  'subscription-delivery: the queue policy and key policy admit another topic than the subscription names': [
    {
      check: 'subscription-delivery',
      file: 'ledger/terraform/subscriptions/subscriptions.tf',
      object: 'aws_sns_topic_subscription.checkout-order-placed[0] (ledger/terraform/subscriptions/env/staging.tfvars)',
      from: 'topic_arn = "arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed" → aws_sqs_queue.checkout-order-placed (ledger/terraform)',
      to: 'aws_sqs_queue_policy of the queue: "aws_sqs_queue_policy.checkout-order-placed (ledger/terraform/messaging.tf)"; none lets sns.amazonaws.com sqs:SendMessage with aws:SourceArn arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed',
      message: 'the queue policy refuses the topic, so SNS cannot deliver',
    },
    {
      check: 'subscription-delivery',
      file: 'ledger/terraform/subscriptions/subscriptions.tf',
      object: 'aws_sns_topic_subscription.checkout-order-placed[0] (ledger/terraform/subscriptions/env/staging.tfvars)',
      from: 'topic_arn = "arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed" → aws_sqs_queue.checkout-order-placed encrypted with aws_kms_key.service (ledger/terraform/kms.tf)',
      to: 'aws_kms_key.service policy: no statement lets sns.amazonaws.com kms:GenerateDataKey and kms:Decrypt for aws:SourceArn arn:aws:sns:eu-central-1:123456789012:checkout-stg-order-placed',
      message: 'SNS cannot encrypt messages for the queue, so it cannot deliver',
    },
  ],
};

describe('each check reports the exact broken link', () => {
  it('has a negative case for every check', () => {
    const covered = new Set(Object.keys(MUTATIONS).map((name) => name.split(':')[0]));
    expect(CHECKS.filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(Object.keys(MUTATIONS))('%s', (name) => {
    const found = afterEdits(MUTATIONS[name] as readonly Edit[]);
    if (process.env.PAVED_PRINT_WIRING === '1') console.log(`@@ ${JSON.stringify(name)}: ${JSON.stringify(found)},`);
    expect(found).toEqual(EXPECTED[name]);
  });
});

/**
 * Output shapes beyond the golden cases: the checks follow the shape of a link,
 * not today's files. Each case edits or adds files and shows the checks read
 * them (no problem when wired, the exact problem when not).
 */
describe('reads output shapes beyond the golden cases', () => {
  it('_platform/: ExternalSecrets are checked against the ClusterSecretStores the platform output creates, over platform.yaml', () => {
    const store = '_platform/kubernetes/staging/clustersecretstore-acme-secrets.yaml';
    const found = afterEdits([{ file: store, from: '  name: acme-secrets', to: '  name: acme-eso' }]);
    expect(golden('full').platform.secretStores?.staging).toBe('acme-secrets');
    expect(found.filter((p) => p.object === 'ExternalSecret checkout/cache-carts')).toEqual([
      {
        check: 'secret-store',
        file: 'checkout/kubernetes/staging/externalsecret-cache-carts.yaml',
        object: 'ExternalSecret checkout/cache-carts',
        from: 'spec.secretStoreRef = ClusterSecretStore/acme-secrets',
        to: 'ClusterSecretStores in _platform/kubernetes/staging: "acme-eso"',
        message: 'the ExternalSecret reads from a ClusterSecretStore the platform does not run in staging',
      },
    ]);
    // Every staging ExternalSecret of the three services names the store: 11 for Terraform's secrets, 2 database master secrets.
    expect(found.length).toBe(13);
    expect(new Set(found.map((p) => p.check))).toEqual(new Set(['secret-store']));
  });

  it("preview's generated database passwords: an ExternalSecret without a store runs a Password generator of its namespace, and a missing one is reported", () => {
    const mysql = golden('mysql');
    const file = 'catalogue/kubernetes/preview/externalsecret-db-password-catalogue.yaml';
    expect(afterEdits([{ file, from: '          name: db-password-catalogue', to: '          name: db-password-missing' }], {}, mysql)).toEqual([
      {
        check: 'secret-store',
        file,
        object: 'ExternalSecret catalogue-pr-0/db-password-catalogue',
        from: 'spec.dataFrom[0].sourceRef.generatorRef = Password/db-password-missing',
        to: 'generators in namespace catalogue-pr-0 of preview',
        message: 'the ExternalSecret runs a generator the folder does not create',
      },
    ]);
  });

  const bootstrapSecret = (dataFrom: string): string => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: database-checkout-bootstrap
  namespace: checkout
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: acme-secrets }
  target: { name: database-checkout-bootstrap }
  dataFrom:
${dataFrom}`;
  const bootstrapJob = (key: string): string => `apiVersion: batch/v1
kind: Job
metadata:
  name: database-checkout-bootstrap
  namespace: checkout
spec:
  template:
    metadata:
      labels: { app.kubernetes.io/name: checkout, app.kubernetes.io/component: cron }
    spec:
      restartPolicy: Never
      serviceAccountName: checkout
      containers:
        - name: psql
          image: postgres:16
          env:
            - name: PGPASSWORD
              valueFrom: { secretKeyRef: { name: database-checkout-bootstrap, key: ${key} } }
`;

  it('dataFrom.extract: the Secret holds the JSON keys Terraform writes, and a key it lacks is reported', () => {
    const extract = '    - extract: { key: checkout/staging/database/checkout }\n';
    const files = { 'checkout/kubernetes/staging/externalsecret-database-checkout-bootstrap.yaml': bootstrapSecret(extract) };
    expect(afterEdits([], { ...files, 'checkout/kubernetes/staging/job-database-checkout-bootstrap.yaml': bootstrapJob('dbname') })).toEqual([]);
    expect(afterEdits([], { ...files, 'checkout/kubernetes/staging/job-database-checkout-bootstrap.yaml': bootstrapJob('password') })).toEqual([
      {
        check: 'secret-key-ref',
        file: 'checkout/kubernetes/staging/job-database-checkout-bootstrap.yaml',
        object: 'Job checkout/database-checkout-bootstrap',
        from: 'spec.template.spec.containers[0].env[0] (PGPASSWORD).valueFrom.secretKeyRef = Secret checkout/database-checkout-bootstrap key "password"',
        to: 'ExternalSecret checkout/database-checkout-bootstrap (checkout/kubernetes/staging/externalsecret-database-checkout-bootstrap.yaml) creates keys: "dbname", "host", "port", "username"',
        message: 'the workload reads a key its Secret does not have',
      },
    ]);
    const wrongKey = '    - extract: { key: checkout/staging/database/checkouts }\n';
    expect(
      afterEdits([], { 'checkout/kubernetes/staging/externalsecret-database-checkout-bootstrap.yaml': bootstrapSecret(wrongKey) }).map((p) => [
        p.check,
        p.from,
      ]),
    ).toEqual([
      ['eso-access', 'spec.dataFrom[0].extract.key = "checkout/staging/database/checkouts" (namespace checkout)'],
      ['remote-secret', 'spec.dataFrom[0].extract.key = "checkout/staging/database/checkouts"'],
    ]);
  });

  it('subscriptions in their own roots (terraform/subscriptions/): apply-order follows links in the full and terraform-every-primitive cases and finds no cycle', () => {
    for (const g of [golden('full'), golden('terraform-every-primitive')]) {
      const report = checkWiringDetailed(g.outputDir, g.platform);
      expect(report.followed['apply-order'], g.name).toBeGreaterThan(0);
      expect(
        report.problems.filter((p) => p.check === 'apply-order'),
        g.name,
      ).toEqual([]);
    }
    expect(readdirSync(join(golden('full').outputDir, 'ledger/terraform/subscriptions'))).toContain('subscriptions.tf');
  });

  it("broad NetworkPolicy rules (any namespace, any address) are the platform's, not links to follow", () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-https-anywhere
  namespace: checkout
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ namespaceSelector: {} }]
      ports: [{ port: 443, protocol: TCP }]
`;
    expect(afterEdits([], { 'checkout/kubernetes/staging/networkpolicy-https.yaml': policy })).toEqual([]);
  });
});

describe('the HCL reader the wiring checks stand on', () => {
  const source = `# comment
resource "aws_secretsmanager_secret" "a" {
  for_each = var.secrets
  name     = each.value
}

resource "aws_secretsmanager_secret_version" "b" {
  secret_id = aws_secretsmanager_secret.a["X"].id
  secret_string = jsonencode(merge({
    host = aws_db_instance.x.address
    "port" = 5432
  }, { dbname = "d" }))
  other = [for k, v in var.secrets : upper(v) if k != "Y"]
  doc   = <<-EOT
    line \${var.name}
  EOT
  arn   = "arn:aws:sns:\${var.region}:$\${literal}:\${lookup(var.names, var.env)}"
  when  = var.env == "prod" ? 1 : 0
}
`;
  const root = { dir: 'r', files: [{ path: 'r/main.tf', body: parseHcl('r/main.tf', source) }], tfvars: new Map() };

  it('expands for_each through tfvars and reads jsonencode keys, templates and lookups', () => {
    const scope = { vars: { secrets: { X: 'svc/x', Y: 'svc/y' }, region: 'eu-west-1', names: { prod: 'topic' }, env: 'prod', name: 'svc' }, locals: new Map() };
    const secrets = resources({ ...root, tfvars: new Map([['prod', { path: 'r/env/prod.tfvars', values: scope.vars }]]) }, 'prod');
    expect(secrets.filter((r) => r.type === 'aws_secretsmanager_secret').map((r) => [r.address, resourceValue(r, 'name')])).toEqual([
      ['aws_secretsmanager_secret.a["X"]', 'svc/x'],
      ['aws_secretsmanager_secret.a["Y"]', 'svc/y'],
    ]);
    const version = secrets.find((r) => r.type === 'aws_secretsmanager_secret_version');
    if (!version) throw new Error('no version');
    expect(jsonencodedKeys(resourceExpr(version, 'secret_string'), version.scope)).toEqual(['host', 'port', 'dbname']);
    expect(referencedResource(resourceExpr(version, 'secret_id'))).toEqual({ type: 'aws_secretsmanager_secret', name: 'a', attribute: 'id' });
    expect(resourceValue(version, 'arn')).toBe('arn:aws:sns:eu-west-1:${literal}:topic');
    expect(resourceValue(version, 'doc')).toBe('line svc\n');
    expect(resourceValue(version, 'secret_string')).toBeInstanceOf(Unknown);
  });

  it('reads tfvars literals and reports what it cannot parse with file:line:col', () => {
    expect(readTfvars('env/a.tfvars', 'a = "x"\nb = { c = [1, true, null] }\n')).toEqual({ a: 'x', b: { c: [1, true, null] } });
    expect(() => parseHcl('r/bad.tf', 'resource "x" "y" {\n  name = \n}\n')).toThrow('r/bad.tf:2:10: expected an expression, found a newline');
    expect(() => parseHcl('r/bad.tf', 'a = "unterminated\n')).toThrow('r/bad.tf:1:5: unterminated string');
  });
});
