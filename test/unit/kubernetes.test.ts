import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleCpu, scaleMemory } from '../../emitters/kubernetes/quantity.js';
import { CONNECTION_KEYS } from '../../spec/naming.js';
import { connectionEnv, connectionEnvNames, METRICS_PORT, PLATFORM_ENV_NAMES } from '../../spec/runtime-env.js';
import { CASES, compileDir, scratchCopy } from '../support/helpers.js';
import { generatedObjects, podTemplates } from '../support/kubernetes-helpers.js';

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

/** Compiles a repo written from path → text; returns generated path → contents. */
function compileRepo(files: Readonly<Record<string, string>>): Map<string, string> {
  const root = join(scratch.dir, `repo-${repos++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const result = compileDir(root);
  expect(result.diagnostics).toEqual([]);
  return new Map(result.files.map((f) => [f.path, f.contents]));
}

const fullService = (name: string): string => `apiVersion: paved/v1
kind: Service
name: ${name}
owner: team-golden
runtime:
  language: node
  port: 8080
  command: ["node", "server.js"]
ingress: { public: true }
dependsOn: [events]
env: { LOG_LEVEL: info }
secrets: [API_TOKEN]
resources:
  databases: [{ name: main }]
  caches: [{ name: sessions }]
  topics: [{ name: changed }]
  subscriptions: [{ topic: happened, from: events }]
  buckets: [{ name: files }]
  cron: [{ name: nightly, schedule: "0 3 * * *", command: ["node", "job.js"] }]
`;
const events = `apiVersion: paved/v1
kind: Service
name: events
owner: team-golden
runtime: { language: go, port: 9090, protocol: grpc }
resources:
  topics: [{ name: happened }]
`;

const objectAt = (tree: ReadonlyMap<string, string>, path: string): Record<string, any> => parse(tree.get(path)!) as Record<string, any>;

describe('the Kubernetes emitter', () => {
  it('gives two services that differ only in name manifests that differ only in name', () => {
    const kubernetesFiles = (name: string): Map<string, string> => {
      const tree = compileRepo({ [`services/${name}/service.yaml`]: fullService(name), 'services/events/service.yaml': events });
      const own = [...tree].filter(([path]) => path.startsWith(`generated/${name}/kubernetes/`) || path.startsWith(`generated/argocd/${name}-`));
      return new Map(own.map(([path, contents]) => [path.replaceAll(name, 'NAME'), contents.replaceAll(name, 'NAME')]));
    };
    const alpha = kubernetesFiles('alpha');
    const bravo = kubernetesFiles('bravo');
    expect(alpha.size).toBeGreaterThan(40);
    expect([...bravo.keys()]).toEqual([...alpha.keys()]);
    for (const [path, contents] of alpha) expect(bravo.get(path), path).toBe(contents);
  });

  it('renders an environment without a release, with its image unreleased, but emits its Argo CD Application only once CI released to it', () => {
    const files = compileDir(join(CASES, 'full')).files.map((f) => f.path);
    expect(files.filter((p) => p.startsWith('generated/argocd/'))).toEqual([
      'generated/argocd/checkout-production.yaml',
      'generated/argocd/checkout-staging.yaml',
      'generated/argocd/ledger-staging.yaml',
    ]);
    expect(files).toContain('generated/mailer/kubernetes/production/deployment.yaml');
    const images = Object.fromEntries(
      podTemplates(
        generatedObjects().filter((o) => o.where.startsWith('fixtures/cases/full:') && o.object.kind === 'Deployment' && !o.path.includes('/preview/')),
      ).map((t) => [t.owner.path, t.spec.containers[0]!.image]),
    );
    expect(images).toEqual({
      'generated/checkout/kubernetes/production/deployment.yaml': `ghcr.io/acme-example/checkout:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b@sha256:${'2'.repeat(64)}`,
      'generated/checkout/kubernetes/staging/deployment.yaml': `ghcr.io/acme-example/checkout:2f0c6b1d9e8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b@sha256:${'1'.repeat(64)}`,
      'generated/ledger/kubernetes/production/deployment.yaml': 'ghcr.io/acme-example/ledger:unreleased',
      'generated/ledger/kubernetes/staging/deployment.yaml': 'ghcr.io/acme-example/ledger:0123456789abcdef0123456789abcdef01234567',
      'generated/mailer/kubernetes/production/deployment.yaml': 'ghcr.io/acme-example/mailer:unreleased',
      'generated/mailer/kubernetes/staging/deployment.yaml': 'ghcr.io/acme-example/mailer:unreleased',
    });
  });

  it.each([
    ['automated', { automated: { prune: false, selfHeal: true } }, false],
    ['automated-prune', { automated: { prune: true, selfHeal: true } }, true],
    ['manual', {}, false],
  ] as const)('syncs production %s as platform.gitops.productionSync says, and staging always automated with pruning', (sync, policy, finalizer) => {
    const release = '{ tag: a111111111111111111111111111111111111111 }';
    const tree = compileRepo({
      'platform.yaml': `apiVersion: paved/v1\nkind: Platform\ngitops: { repoURL: https://github.com/acme/deploy, path: teams/web, productionSync: ${sync} }\n`,
      'releases.yaml': `apiVersion: paved/v1\nkind: Releases\nservices:\n  web: { staging: ${release}, production: ${release} }\n`,
      'services/web/service.yaml': 'apiVersion: paved/v1\nkind: Service\nname: web\nowner: team-web\nruntime: { language: node, port: 8080 }\n',
    });
    const production = objectAt(tree, 'generated/argocd/web-production.yaml');
    const staging = objectAt(tree, 'generated/argocd/web-staging.yaml');
    const { syncOptions: _p, retry: _pr, ...productionPolicy } = production.spec.syncPolicy;
    expect(productionPolicy).toEqual(policy);
    expect(staging.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(Boolean(production.metadata.finalizers)).toBe(finalizer);
    expect(production.spec.source).toEqual({
      repoURL: 'https://github.com/acme/deploy',
      targetRevision: 'paved/deploy/production',
      path: 'teams/web/generated/web/kubernetes/production',
      directory: { recurse: false },
    });
    expect(staging.spec.source.targetRevision).toBe('paved/deploy/staging');
    expect(production.spec.destination).toEqual({ name: 'prd-eks', namespace: 'web' });
    expect(production.spec.revisionHistoryLimit).toBe(10);
  });

  it("gives every server container the runtime contract's variables, and connection details and secrets only through secretKeyRef", () => {
    const tree = compileRepo({ 'services/alpha/service.yaml': fullService('alpha'), 'services/events/service.yaml': events });
    const container = objectAt(tree, 'generated/alpha/kubernetes/staging/deployment.yaml').spec.template.spec.containers[0];
    const env = container.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
    const plain = env.filter((e) => e.value !== undefined).map((e) => e.name);
    expect(plain).toEqual([...PLATFORM_ENV_NAMES, 'EVENTS_URL', 'LOG_LEVEL'].sort());
    // events serves gRPC: its URL is the host:port target gRPC clients dial.
    expect(env.find((e) => e.name === 'EVENTS_URL')?.value).toBe('events.events.svc.cluster.local:9090');
    const fromSecrets = Object.fromEntries(
      env.filter((e) => e.valueFrom).map((e) => [e.name, `${e.valueFrom!.secretKeyRef.name}/${e.valueFrom!.secretKeyRef.key}`]),
    );
    expect(fromSecrets).toEqual({
      API_TOKEN: 'secret-api-token/API_TOKEN',
      BUCKET_FILES_BUCKET: 'bucket-files/bucket',
      BUCKET_FILES_REGION: 'bucket-files/region',
      CACHE_SESSIONS_HOST: 'cache-sessions/host',
      CACHE_SESSIONS_PORT: 'cache-sessions/port',
      CACHE_SESSIONS_USERNAME: 'cache-sessions/username',
      DATABASE_MAIN_DBNAME: 'database-main/dbname',
      DATABASE_MAIN_HOST: 'database-main/host',
      DATABASE_MAIN_PORT: 'database-main/port',
      DATABASE_MAIN_USERNAME: 'database-main/username',
      QUEUE_EVENTS_HAPPENED_ARN: 'queue-events-happened/arn',
      QUEUE_EVENTS_HAPPENED_DLQ_URL: 'queue-events-happened/dlq_url',
      QUEUE_EVENTS_HAPPENED_URL: 'queue-events-happened/url',
      TOPIC_CHANGED_ARN: 'topic-changed/arn',
    });
    const otel = Object.fromEntries(
      env.filter((e) => e.name.startsWith('OTEL_') || e.name === 'PORT' || e.name === 'LOG_FORMAT').map((e) => [e.name, e.value]),
    );
    expect(otel).toMatchObject({
      OTEL_SERVICE_NAME: 'alpha',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,deployment.environment.name=staging,service.version=unreleased,team=team-golden',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4317',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(METRICS_PORT),
      LOG_FORMAT: 'json',
      PORT: '8080',
    });
  });

  it('reads each connection secret with exactly the keys Terraform writes, from the environment’s store and key', () => {
    const tree = compileRepo({ 'services/alpha/service.yaml': fullService('alpha'), 'services/events/service.yaml': events });
    const kinds = { database: 'main', cache: 'sessions', topic: 'changed', queue: 'events-happened', bucket: 'files' } as const;
    for (const [kind, name] of Object.entries(kinds) as Array<[keyof typeof CONNECTION_KEYS, string]>) {
      const secret = objectAt(tree, `generated/alpha/kubernetes/production/externalsecret-${kind}-${name}.yaml`);
      expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
      expect(secret.spec.data).toEqual(
        CONNECTION_KEYS[kind].map((key) => ({ secretKey: key, remoteRef: { key: `alpha/production/${kind}/${name}`, property: key } })),
      );
    }
    const declared = objectAt(tree, 'generated/alpha/kubernetes/preview/externalsecret-secret-api-token.yaml');
    expect(declared.spec.secretStoreRef.name).toBe('aws-secrets-manager-preview');
    expect(declared.spec.data).toEqual([{ secretKey: 'API_TOKEN', remoteRef: { key: 'alpha/preview/API_TOKEN' } }]);
    expect([...tree.keys()].filter((p) => p.includes('/preview/externalsecret-')).length).toBe(1);
  });

  it('exposes metrics on port 9464 named metrics, scraped with job = the service name (ServiceMonitor, or PodMonitor for a worker)', () => {
    const objects = generatedObjects().filter((o) => o.where.startsWith('fixtures/cases/full:') && o.path.includes('/staging/'));
    const monitors = objects
      .filter((o) => ['ServiceMonitor', 'PodMonitor'].includes(o.object.kind))
      .map((o) => [o.object.kind, o.object.metadata.name, (o.object.spec as any).jobLabel]);
    expect(monitors).toEqual([
      ['ServiceMonitor', 'checkout', 'app.kubernetes.io/name'],
      ['ServiceMonitor', 'ledger', 'app.kubernetes.io/name'],
      ['PodMonitor', 'mailer', 'app.kubernetes.io/name'],
    ]);
    for (const t of podTemplates(objects.filter((o) => o.object.kind === 'Deployment')))
      expect(t.spec.containers[0]!.ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    const service = objects.find((o) => o.object.kind === 'Service' && o.object.metadata.name === 'checkout')!;
    expect((service.object.spec as any).ports.map((p: any) => p.name)).toEqual(['http', 'metrics']);
  });

  it('probes gRPC services through the gRPC health service, with distinct service names', () => {
    const ledger = podTemplates(generatedObjects().filter((o) => o.path === 'generated/ledger/kubernetes/production/deployment.yaml'))[0]!.spec.containers[0]!;
    expect([(ledger.livenessProbe as any).grpc, (ledger.readinessProbe as any).grpc]).toEqual([
      { port: 9090, service: 'liveness' },
      { port: 9090, service: 'readiness' },
    ]);
  });

  it('escapes literal dollars in commands and env values, and quotes YAML 1.1 words', () => {
    const tree = compileDir(join(CASES, 'edges'));
    const deployment = tree.files.find((f) => f.path === 'generated/api/kubernetes/production/deployment.yaml')!.contents;
    expect(deployment).toContain('- --banner=$$HOME\n');
    expect(deployment).toContain('value: costs $$5\n');
    expect(deployment).toContain('value: "no"\n');
    expect(deployment).toContain('value: "on"\n');
  });

  it('applies an override to its environments only and records it as a deviation', () => {
    const files = compileDir(join(CASES, 'full')).files;
    const production = files.find((f) => f.path === 'generated/checkout/kubernetes/production/deployment.yaml')!.contents;
    const staging = files.find((f) => f.path === 'generated/checkout/kubernetes/staging/deployment.yaml')!.contents;
    expect(production).toContain('# paved override (a reported deviation): Checkout must not be preempted during sales peaks (INC-142)\n');
    expect((parse(production) as any).spec.template.spec.priorityClassName).toBe('high');
    expect((parse(production) as any).metadata.annotations['paved.dev/overrides']).toBe('Checkout must not be preempted during sales peaks (INC-142)');
    expect((parse(staging) as any).spec.template.spec.priorityClassName).toBeUndefined();
  });

  it('derives limits by the platform policy, rounding up in whole units', () => {
    expect([scaleCpu('250m', 2), scaleCpu('0.5', 2), scaleCpu('1', 1.5), scaleCpu('100m', 0.25), scaleCpu('1m', 0.1)]).toEqual([
      '500m',
      '1',
      '1500m',
      '25m',
      '1m',
    ]);
    expect([
      scaleMemory('256Mi', 1),
      scaleMemory('256Mi', 1.5),
      scaleMemory('1Gi', 1.5),
      scaleMemory('512Mi', 2),
      scaleMemory('100Ki', 0.5),
      scaleMemory('1Mi', 0.3),
    ]).toEqual(['256Mi', '384Mi', '1536Mi', '1Gi', '50Ki', '308Ki']);
    const full = generatedObjects().find((o) => o.path === 'generated/checkout/kubernetes/production/deployment.yaml')!;
    // fixtures/cases/full: cpuRatio 4, memoryRatio 1.5, ephemeral storage 256Mi / 2Gi.
    expect(podTemplates([full])[0]!.spec.containers[0]!.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '2', memory: '768Mi', 'ephemeral-storage': '2Gi' },
    });
  });

  it('runs previews with smaller requests and the same limits, one replica, suspended cron jobs and no autoscaler or PDB', () => {
    const tree = compileDir(join(CASES, 'edges')).files;
    const paths = tree.map((f) => f.path).filter((p) => p.startsWith('generated/sweeper/kubernetes/preview/'));
    expect(paths.some((p) => /horizontalpodautoscaler|poddisruptionbudget/.test(p))).toBe(false);
    const deployment = parse(tree.find((f) => f.path === 'generated/sweeper/kubernetes/preview/deployment.yaml')!.contents) as any;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '125m', memory: '256Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
    });
    const cron = parse(tree.find((f) => f.path === 'generated/sweeper/kubernetes/preview/cronjob-hourly-sweep.yaml')!.contents) as any;
    expect(cron.spec.suspend).toBe(true);
  });
});

describe('connection variables of databases (issue 19)', () => {
  const resources = {
    databases: [
      { name: 'catalogue', engine: 'mysql' as const, auth: 'password' as const },
      { name: 'reviews', engine: 'mysql' as const },
      { name: 'ledger', engine: 'postgres' as const, auth: 'password' as const },
      { name: 'orders' },
    ],
  };

  it('adds DATABASE_<NAME>_PASSWORD after the four keys of each database with auth: password, from its own Secret', () => {
    expect(connectionEnvNames(resources)).toEqual([
      ...['HOST', 'PORT', 'DBNAME', 'USERNAME', 'PASSWORD'].map((k) => `DATABASE_CATALOGUE_${k}`),
      ...['HOST', 'PORT', 'DBNAME', 'USERNAME'].map((k) => `DATABASE_REVIEWS_${k}`),
      ...['HOST', 'PORT', 'DBNAME', 'USERNAME', 'PASSWORD'].map((k) => `DATABASE_LEDGER_${k}`),
      ...['HOST', 'PORT', 'DBNAME', 'USERNAME'].map((k) => `DATABASE_ORDERS_${k}`),
    ]);
    expect(connectionEnv(resources).find((v) => v.name === 'DATABASE_CATALOGUE_PASSWORD')).toMatchObject({ key: 'password', secret: 'db-password-catalogue' });
    expect(connectionEnv(resources).find((v) => v.name === 'DATABASE_CATALOGUE_HOST')).toMatchObject({ key: 'host', secret: 'database-catalogue' });
  });

  it('gives every MySQL database a password in preview, where its stand-in cannot take IAM tokens; a renamed one keeps its Secret', () => {
    expect(connectionEnvNames(resources, 'preview').filter((n) => n.endsWith('_PASSWORD'))).toEqual([
      'DATABASE_CATALOGUE_PASSWORD',
      'DATABASE_REVIEWS_PASSWORD',
      'DATABASE_LEDGER_PASSWORD',
    ]);
    expect(connectionEnvNames(resources, 'staging')).toEqual(connectionEnvNames(resources));
    const renamed = connectionEnv({ databases: [{ name: 'items', renamedFrom: 'catalogue', auth: 'password' }] });
    expect(renamed.at(-1)).toMatchObject({ name: 'DATABASE_ITEMS_PASSWORD', secret: 'db-password-catalogue' });
  });
});

describe('service ports, metrics and discovery in the manifests', () => {
  const frontEnd = `apiVersion: paved/v1
kind: Service
name: front-end
owner: team-shop
runtime:
  language: node
  port: 8079
  servicePort: 80
  ports: [{ name: admin, port: 9000 }, { name: raw, port: 7000, protocol: tcp }]
ingress: { public: true }
dependsOn: [catalogue, worker]
observability:
  metrics: { port: 8079, path: /prometheus, convention: prometheus }
`;
  const catalogue = `apiVersion: paved/v1
kind: Service
name: catalogue
owner: team-shop
runtime: { language: go, port: 8080, servicePort: 80, ports: [{ name: grpc-api, port: 9090, protocol: grpc }] }
`;
  const worker = `apiVersion: paved/v1
kind: Service
name: worker
owner: team-shop
runtime: { language: python }
`;
  const declaredWorker = `apiVersion: paved/v1
kind: Service
name: poller
owner: team-shop
runtime: { language: python }
observability:
  metrics: { port: 8000, path: /stats }
`;
  const tree = compileRepo({
    'front-end/service.yaml': frontEnd,
    'catalogue/service.yaml': catalogue,
    'worker/service.yaml': worker,
    'poller/service.yaml': declaredWorker,
  });
  const at = (service: string, env: string, file: string): Record<string, any> => objectAt(tree, `generated/${service}/kubernetes/${env}/${file}`);
  const app = (service: string, env = 'production'): Record<string, any> => at(service, env, 'deployment.yaml').spec.template.spec.containers[0];

  it('maps the Service port 80 to the container port 8079 by name, and puts runtime.ports on the container and the Service', () => {
    expect(app('front-end').ports).toEqual([
      { name: 'http', containerPort: 8079, protocol: 'TCP' },
      { name: 'admin', containerPort: 9000, protocol: 'TCP' },
      { name: 'raw', containerPort: 7000, protocol: 'TCP' },
    ]);
    expect(at('front-end', 'production', 'service.yaml').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'admin', port: 9000, targetPort: 'admin', protocol: 'TCP', appProtocol: 'http' },
      { name: 'raw', port: 7000, targetPort: 'raw', protocol: 'TCP' },
    ]);
    // The Ingress routes to the main port only.
    expect(at('front-end', 'production', 'ingress.yaml').spec.rules[0].http.paths[0].backend.service.port).toEqual({ name: 'http' });
  });

  it('scrapes the declared metrics port and path, reusing the main port rather than listing it twice, and admits Prometheus to it', () => {
    expect(at('front-end', 'production', 'servicemonitor.yaml').spec.endpoints).toEqual([{ port: 'http', path: '/prometheus', interval: '30s' }]);
    const ingress = at('front-end', 'production', 'networkpolicy.yaml').spec.ingress;
    expect(ingress[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    const env = Object.fromEntries((app('front-end').env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
    // Prometheus client names: the app serves them itself, no OpenTelemetry exporter beside it.
    expect(env.OTEL_METRICS_EXPORTER).toBe('none');
    expect(env.OTEL_EXPORTER_PROMETHEUS_PORT).toBeUndefined();
    // The platform's contract when nothing is declared: port metrics (9464) at /metrics.
    expect(at('catalogue', 'production', 'servicemonitor.yaml').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(app('catalogue').ports.at(-1)).toEqual({ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' });
  });

  it("lets dependents reach every app port by the dependency's pod port numbers, never its Service port", () => {
    const egress = at('front-end', 'production', 'networkpolicy.yaml').spec.egress;
    const toCatalogue = egress.find((r: any) => r.to[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'catalogue');
    expect(toCatalogue.ports).toEqual([
      { protocol: 'TCP', port: 8080 },
      { protocol: 'TCP', port: 9090 },
    ]);
    const fromFrontEnd = at('catalogue', 'production', 'networkpolicy.yaml').spec.ingress.find((r: any) => r.from[0].podSelector);
    expect(fromFrontEnd.ports).toEqual([
      { protocol: 'TCP', port: 'http' },
      { protocol: 'TCP', port: 'grpc-api' },
    ]);
    // A worker has no Service: nothing to reach.
    expect(egress.some((r: any) => r.to[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'worker')).toBe(false);
  });

  it('sets <NAME>_URL on the dependency Service port, in cluster DNS form in the cloud and by short name in preview; none for a worker dependency', () => {
    const urls = (env: string): Record<string, string> =>
      Object.fromEntries(
        (app('front-end', env).env as Array<{ name: string; value?: string }>).filter((e) => e.name.endsWith('_URL') && e.value).map((e) => [e.name, e.value!]),
      );
    expect(urls('staging')).toEqual({ CATALOGUE_URL: 'http://catalogue.catalogue.svc.cluster.local:80' });
    expect(urls('production')).toEqual({ CATALOGUE_URL: 'http://catalogue.catalogue.svc.cluster.local:80' });
    // Preview: the short name resolves in the pull request's namespace, where the dependency's preview copy runs.
    expect(urls('preview')).toEqual({ CATALOGUE_URL: 'http://catalogue:80' });
  });

  it('probes a worker on its declared metrics endpoint, and does not probe one that declares none, waiving the probe rules in its file', () => {
    expect(app('poller')).toMatchObject({
      ports: [{ name: 'metrics', containerPort: 8000, protocol: 'TCP' }],
      livenessProbe: { tcpSocket: { port: 'metrics' } },
      readinessProbe: { httpGet: { path: '/stats', port: 'metrics' } },
    });
    expect(at('poller', 'production', 'podmonitor.yaml').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/stats', interval: '30s' }]);
    const unprobed = app('worker');
    expect(unprobed.livenessProbe).toBeUndefined();
    expect(unprobed.readinessProbe).toBeUndefined();
    expect(tree.get('generated/worker/kubernetes/production/deployment.yaml')).toContain(
      '# paved waiver: KS pod-probes, PO readinessProbeMissing, PO livenessProbeMissing: a worker that declares no metrics endpoint',
    );
    expect(tree.get('generated/poller/kubernetes/production/deployment.yaml')).not.toContain('paved waiver');
  });
});

describe("the platform's metrics port", () => {
  it('moves every pod that declares no metrics port: container port, Service, Prometheus ingress and OTEL_EXPORTER_PROMETHEUS_PORT', () => {
    const tree = compileRepo({
      'platform.yaml': 'apiVersion: paved/v1\nkind: Platform\nobservability:\n  metricsPort: 9100\n',
      'api/service.yaml': 'apiVersion: paved/v1\nkind: Service\nname: api\nowner: team-a\nruntime: { language: go, port: 8080 }\n',
    });
    const deployment = objectAt(tree, 'generated/api/kubernetes/staging/deployment.yaml');
    const app = deployment.spec.template.spec.containers[0];
    expect(app.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9100, protocol: 'TCP' },
    ]);
    expect(app.env.find((e: { name: string }) => e.name === 'OTEL_EXPORTER_PROMETHEUS_PORT').value).toBe('9100');
    expect(objectAt(tree, 'generated/api/kubernetes/staging/service.yaml').spec.ports[1]).toMatchObject({ name: 'metrics', port: 9100, targetPort: 'metrics' });
  });

  it('is reserved: a service listening on it without declaring it its metrics port is POLICY.RESERVED_PORT', () => {
    const root = join(scratch.dir, `repo-${repos++}`);
    mkdirSync(join(root, 'api'), { recursive: true });
    writeFileSync(join(root, 'platform.yaml'), 'apiVersion: paved/v1\nkind: Platform\nobservability:\n  metricsPort: 9100\n');
    writeFileSync(join(root, 'api', 'service.yaml'), 'apiVersion: paved/v1\nkind: Service\nname: api\nowner: team-a\nruntime: { language: go, port: 9100 }\n');
    const result = compileDir(root);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['POLICY.RESERVED_PORT', 'runtime.port: port 9100 is the metrics port every pod serves'],
    ]);
  });
});
