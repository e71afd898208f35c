import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_PLATFORM, resolveProject } from '../../compiler/resolve.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { compileDir, REPO, scratchCopy, serviceYaml, validateTexts } from '../support/helpers.js';

/** Validates, then resolves; fails the test if validation reports anything. */
function resolve(services: Readonly<Record<string, string>>, options: { platform?: string; outDir?: string } = {}): ResolvedProject {
  const validation = validateTexts(services, options.platform);
  expect(validation.diagnostics).toEqual([]);
  return resolveProject(validation.valid!, options.outDir);
}

const one = (extra = '', path = 'services/orders/service.yaml'): ResolvedService => resolve({ [path]: serviceYaml('orders', extra) }).services[0]!;

const WORKER = 'apiVersion: paved/v1\nkind: Service\nname: audit\nowner: team-audit\nruntime:\n  language: go\n';

describe('resolveProject fills defaults', () => {
  it('applies the runtime defaults: http, health paths, build paths relative to the repo', () => {
    const service = one();
    expect(service.runtime).toEqual({
      language: 'node',
      image: 'ghcr.io/example/orders',
      previewImage: 'ghcr.io/example/preview/orders',
      build: { context: 'services/orders', dockerfile: 'services/orders/Dockerfile' },
      port: 8080,
      servicePort: 8080,
      protocol: 'http',
      ports: [],
      health: { liveness: '/healthz', readiness: '/readyz' },
    });
    expect(service.directory).toBe('services/orders');
    expect(service.specPath).toBe('services/orders/service.yaml');
    expect(service.origins['/runtime/protocol']).toEqual({ kind: 'default' });
  });

  it('resolves servicePort, ports and observability.metrics as written, with their origins', () => {
    const service = resolve({
      'services/orders/service.yaml': serviceYaml('orders', 'observability:\n  metrics: { port: 8080, convention: prometheus }\n').replace(
        '  port: 8080\n',
        '  port: 8080\n  servicePort: 80\n  ports: [{ name: admin, port: 9000 }, { name: raw, port: 7000, protocol: tcp }]\n',
      ),
    }).services[0]!;
    expect(service.runtime.servicePort).toBe(80);
    expect(service.runtime.ports).toEqual([
      { name: 'admin', port: 9000, protocol: 'http' },
      { name: 'raw', port: 7000, protocol: 'tcp' },
    ]);
    expect(service.observability.metrics).toEqual({ port: 8080, path: '/metrics', convention: 'prometheus', declared: true });
    expect(service.origins['/runtime/servicePort']).toEqual({ kind: 'spec', file: 'services/orders/service.yaml', pointer: '/runtime/servicePort' });
    expect(service.origins['/observability/metrics/path']).toEqual({ kind: 'default' });
    // Without servicePort, the Service exposes runtime.port, and explain points there.
    expect(one().origins['/runtime/servicePort']).toEqual({ kind: 'spec', file: 'services/orders/service.yaml', pointer: '/runtime/port' });
  });

  it("makes explicit build paths repo-relative from the spec's folder", () => {
    const service = one('  build: { context: ./src, dockerfile: docker/Dockerfile.prod }\n');
    expect(service.runtime.build).toEqual({ context: 'services/orders/src', dockerfile: 'services/orders/docker/Dockerfile.prod' });
    expect(service.origins['/runtime/build/context']).toEqual({ kind: 'spec', file: 'services/orders/service.yaml', pointer: '/runtime/build/context' });
  });

  it('keeps build paths of a service.yaml at the repository root relative to the root', () => {
    expect(one('', 'service.yaml').runtime.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
  });

  it('defaults subscription retries to 5, buckets to private and versioned, and sizes databases from the platform', () => {
    const project = resolve({
      'services/orders/service.yaml': serviceYaml(
        'orders',
        'resources:\n  subscriptions:\n    - { topic: paid, from: payments }\n  buckets:\n    - name: files\n  databases:\n    - name: main\n    - name: big\n      size: large\n  caches:\n    - name: sessions\n',
      ),
      'services/payments/service.yaml': serviceYaml('payments', 'resources:\n  topics:\n    - name: paid\n'),
    });
    const resources = project.services.find((s) => s.name === 'orders')!.resources;
    expect(resources.subscriptions).toEqual([{ topic: 'paid', from: 'payments', maxRetries: 5 }]);
    expect(resources.buckets).toEqual([{ name: 'files', public: false, versioned: true }]);
    expect(resources.databases).toEqual([
      { name: 'main', engine: 'postgres', version: '16', auth: 'iam', size: 'small', instanceClass: 'db.t4g.small', storageGiB: 20, maxStorageGiB: 100 },
      { name: 'big', engine: 'postgres', version: '16', auth: 'iam', size: 'large', instanceClass: 'db.r6g.2xlarge', storageGiB: 20, maxStorageGiB: 100 },
    ]);
    expect(resources.caches).toEqual([{ name: 'sessions', size: 'small', nodeType: 'cache.t4g.small' }]);
  });

  it("takes database instance classes from the platform.yaml's sizes", () => {
    const project = resolve(
      { 'services/orders/service.yaml': serviceYaml('orders', 'resources:\n  databases:\n    - name: main\n') },
      { platform: 'apiVersion: paved/v1\nkind: Platform\nsizes:\n  database: { small: db.t4g.micro }\n' },
    );
    expect(project.services[0]!.resources.databases[0]!.instanceClass).toBe('db.t4g.micro');
    expect(project.platform.sizes.database).toEqual({ small: 'db.t4g.micro', medium: 'db.r6g.large', large: 'db.r6g.2xlarge' });
    expect(project.platformSource).toBe('platform.yaml');
  });
});

describe('resolveProject per environment', () => {
  it("lifts the default scaling.min to the critical tier's production floor of 3, with a tier origin", () => {
    const service = one('tier: critical\n');
    expect(service.environments.production.scaling).toEqual({ min: 3, max: 10, targetCPUUtilization: 70 });
    expect(service.origins['/environments/production/scaling/min']).toEqual({
      kind: 'tier',
      file: EMBEDDED_PLATFORM,
      pointer: '/tiers/critical/minReplicas/production',
    });
    expect(service.environments.staging.scaling.min).toBe(2);
    expect(service.origins['/environments/staging/scaling/min']).toEqual({ kind: 'default' });
  });

  it('names platform.yaml as the file of a tier origin only when that file sets the value', () => {
    const project = resolve(
      { 'services/orders/service.yaml': serviceYaml('orders', 'tier: critical\n') },
      { platform: 'apiVersion: paved/v1\nkind: Platform\nname: acme\ntiers:\n  critical: { minReplicas: { production: 4 }, availability: 99.95 }\n' },
    );
    expect(project.services[0]!.origins['/environments/production/scaling/min']).toEqual({
      kind: 'tier',
      file: 'platform.yaml',
      pointer: '/tiers/critical/minReplicas/production',
    });
    expect(project.services[0]!.origins['/environments/staging/cluster']).toEqual({
      kind: 'default',
      file: EMBEDDED_PLATFORM,
      pointer: '/kubernetes/clusters/staging',
    });
  });

  it('lets environment overrides win over runtime values, with an environment origin', () => {
    const service = one(
      '  scaling: { min: 2, max: 8 }\n  resources: { cpu: 250m, memory: 256Mi }\nenvironments:\n  production:\n    scaling: { max: 20 }\n    resources: { cpu: 500m }\n',
    );
    expect(service.environments.production.scaling).toEqual({ min: 2, max: 20, targetCPUUtilization: 70 });
    expect(service.environments.production.compute).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(service.environments.staging.scaling.max).toBe(8);
    expect(service.environments.staging.compute.cpu).toBe('250m');
    const file = 'services/orders/service.yaml';
    expect(service.origins['/environments/production/scaling/max']).toEqual({ kind: 'environment', file, pointer: '/environments/production/scaling/max' });
    expect(service.origins['/environments/production/compute/cpu']).toEqual({ kind: 'environment', file, pointer: '/environments/production/resources/cpu' });
    expect(service.origins['/environments/production/compute/memory']).toEqual({ kind: 'spec', file, pointer: '/runtime/resources/memory' });
    expect(service.origins['/environments/staging/scaling/max']).toEqual({ kind: 'spec', file, pointer: '/runtime/scaling/max' });
  });

  it('merges env vars from the service and the environment, sorted by name, the environment winning', () => {
    const service = one('env:\n  ZED: z\n  LOG_LEVEL: info\nenvironments:\n  production:\n    env: { LOG_LEVEL: warn, ALPHA: a }\n');
    expect(Object.entries(service.environments.production.env)).toEqual([
      ['ALPHA', 'a'],
      ['LOG_LEVEL', 'warn'],
      ['ZED', 'z'],
    ]);
    expect(Object.entries(service.environments.staging.env)).toEqual([
      ['LOG_LEVEL', 'info'],
      ['ZED', 'z'],
    ]);
    expect(service.origins['/environments/production/env/LOG_LEVEL']?.kind).toBe('environment');
    expect(service.origins['/environments/production/env/ZED']).toEqual({ kind: 'spec', file: 'services/orders/service.yaml', pointer: '/env/ZED' });
  });

  it('enables preview environments by default and disables them when asked', () => {
    expect(one().environments.preview.enabled).toBe(true);
    expect(one().origins['/environments/preview/enabled']).toEqual({ kind: 'default' });
    expect(one('environments:\n  preview: { enabled: false }\n').environments.preview.enabled).toBe(false);
  });

  it('runs preview in the staging account and production in its own, each on its cluster', () => {
    const { preview, staging, production } = one().environments;
    expect([preview.account, staging.account, production.account]).toEqual(['111111111111', '111111111111', '222222222222']);
    expect([preview.cluster, staging.cluster, production.cluster]).toEqual(['dev-eks', 'stg-eks', 'prd-eks']);
    expect(production.policy).toEqual({ deletionProtection: true, multiAz: true, backupRetentionDays: 14 });
  });
});

describe('resolveProject hosts and SLOs', () => {
  it('uses ingress.host in production and derives staging and preview hosts from the platform domain', () => {
    const service = one('ingress:\n  host: orders.shop.example.com\n');
    expect(service.ingress).toEqual({ public: false, host: 'orders.shop.example.com', paths: ['/'] });
    expect(service.environments.production.host).toBe('orders.shop.example.com');
    expect(service.environments.staging.host).toBe('orders.staging.example.com');
    expect(service.environments.preview.host).toBe('orders-pr-{{number}}.example.com');
  });

  it('defaults the ingress host to <name>.<platform domain>, with a platform origin', () => {
    const project = resolve(
      { 'services/orders/service.yaml': serviceYaml('orders', 'ingress:\n  public: true\n') },
      { platform: 'apiVersion: paved/v1\nkind: Platform\ndomain: shop.io\n' },
    );
    const service = project.services[0]!;
    expect(service.ingress?.host).toBe('orders.shop.io');
    expect(service.environments.production.host).toBe('orders.shop.io');
    expect(service.origins['/ingress/host']).toEqual({ kind: 'platform', file: 'platform.yaml', pointer: '/domain' });
  });

  it('gives a service without ingress no host in any environment', () => {
    const service = one();
    expect(service.ingress).toBeUndefined();
    expect(service.environments.production.host).toBeUndefined();
  });

  it('takes the availability objective from the tier when the spec sets none, with a tier origin', () => {
    const service = one('tier: critical\n');
    expect(service.observability.slo).toEqual({ availability: 99.95 });
    expect(service.origins['/observability/slo/availability']).toEqual({ kind: 'tier', file: EMBEDDED_PLATFORM, pointer: '/tiers/critical/availability' });
  });

  it('takes the availability objective and latency from the spec when set', () => {
    const service = one('observability:\n  slo:\n    availability: 99.95\n    latency: { percentile: 99, thresholdMs: 300 }\n');
    expect(service.observability.slo).toEqual({ availability: 99.95, latency: { percentile: 99, thresholdMs: 300 } });
    expect(service.origins['/observability/slo/availability']).toEqual({
      kind: 'spec',
      file: 'services/orders/service.yaml',
      pointer: '/observability/slo/availability',
    });
  });

  it('gives a worker (no port) no slo and no port, and routes its alerts to the owner', () => {
    const worker = resolve({ 'workers/audit/service.yaml': WORKER }).services[0]!;
    expect(worker.observability).toEqual({
      alerts: { route: 'team-audit' },
      metrics: { port: 9464, path: '/metrics', convention: 'opentelemetry', declared: false },
    });
    expect(worker.runtime.port).toBeUndefined();
    expect('port' in worker.runtime).toBe(false);
    expect('servicePort' in worker.runtime).toBe(false);
    expect(worker.origins['/observability/slo/availability']).toBeUndefined();
  });
});

describe('resolveProject links services', () => {
  const project = resolve({
    'services/orders/service.yaml': serviceYaml('orders', 'dependsOn: [payments]\nresources:\n  subscriptions:\n    - { topic: paid, from: payments }\n'),
    'services/payments/service.yaml': serviceYaml('payments', 'resources:\n  topics:\n    - name: refunded\n    - name: paid\n'),
    'workers/audit/service.yaml': `${WORKER}dependsOn: [payments, orders]\nresources:\n  subscriptions:\n    - { topic: paid, from: payments, maxRetries: 9 }\n`,
  });
  const byName = (name: string): ResolvedService => project.services.find((s) => s.name === name)!;

  it('sorts services by name', () => {
    expect(project.services.map((s) => s.name)).toEqual(['audit', 'orders', 'payments']);
  });

  it('lists dependents, sorted, and sorts dependsOn', () => {
    expect(byName('payments').dependents).toEqual(['audit', 'orders']);
    expect(byName('orders').dependents).toEqual(['audit']);
    expect(byName('audit').dependents).toEqual([]);
    expect(byName('audit').dependsOn).toEqual(['orders', 'payments']);
  });

  it('lists the subscribers of each topic, sorted, keeping topics in author order', () => {
    expect(byName('payments').resources.topics).toEqual([
      { name: 'refunded', subscribers: [] },
      { name: 'paid', subscribers: ['audit', 'orders'] },
    ]);
    expect(byName('audit').resources.subscriptions).toEqual([{ topic: 'paid', from: 'payments', maxRetries: 9 }]);
  });
});

describe('resolveProject output directories', () => {
  it('uses the platform output directories without --out', () => {
    const project = resolve({ 'services/orders/service.yaml': serviceYaml() });
    expect(project.output).toEqual({ dir: 'generated', workflowsDir: '.github/workflows' });
    expect(project.platformSource).toBe(EMBEDDED_PLATFORM);
  });

  it('honours --out over the platform output.dir, keeping the workflows directory', () => {
    const project = resolve(
      { 'services/orders/service.yaml': serviceYaml() },
      { outDir: 'build/paved', platform: 'apiVersion: paved/v1\nkind: Platform\noutput: { dir: gen, workflowsDir: ci/workflows }\n' },
    );
    expect(project.output).toEqual({ dir: 'build/paved', workflowsDir: 'ci/workflows' });
  });

  it("uses the platform.yaml's output.dir when there is no --out", () => {
    const project = resolve({ 'services/orders/service.yaml': serviceYaml() }, { platform: 'apiVersion: paved/v1\nkind: Platform\noutput: { dir: gen }\n' });
    expect(project.output).toEqual({ dir: 'gen', workflowsDir: '.github/workflows' });
  });
});

describe('releases.yaml', () => {
  it('gives each always-on environment the image CI released, and preview none', () => {
    const scratch = scratchCopy(join(REPO, 'examples', 'minimal'));
    try {
      const digest = `sha256:${'ab'.repeat(32)}`;
      writeFileSync(
        join(scratch.dir, 'releases.yaml'),
        `apiVersion: paved/v1\nkind: Releases\nservices:\n  hello:\n    staging: { tag: 3f2c9e1, digest: "${digest}" }\n`,
      );
      const result = compileDir(scratch.dir);
      expect(result.diagnostics).toEqual([]);
      const hello = result.project!.services[0]!;
      expect(hello.environments.staging.release).toEqual({ tag: '3f2c9e1', digest });
      expect(hello.environments.production.release).toBeUndefined();
      expect(hello.environments.preview.release).toBeUndefined();
      expect(hello.origins['/environments/staging/release']).toEqual({ kind: 'release', file: 'releases.yaml', pointer: '/services/hello/staging' });
    } finally {
      scratch.cleanup();
    }
  });

  it('rejects a release of a service that does not exist, with a suggestion, and a latest tag', () => {
    const scratch = scratchCopy(join(REPO, 'examples', 'minimal'));
    try {
      writeFileSync(join(scratch.dir, 'releases.yaml'), 'apiVersion: paved/v1\nkind: Releases\nservices:\n  helo:\n    staging: { tag: abc1234 }\n');
      expect(compileDir(scratch.dir).diagnostics.map((d) => `${d.file}:${d.range?.line}:${d.range?.col} ${d.code} ${d.message}`)).toEqual([
        'releases.yaml:4:3 REF.UNKNOWN_SERVICE services.helo: no service named "helo" in this repository (did you mean "hello"?)',
      ]);
      writeFileSync(join(scratch.dir, 'releases.yaml'), 'apiVersion: paved/v1\nkind: Releases\nservices:\n  hello:\n    production: { tag: latest }\n');
      expect(compileDir(scratch.dir).diagnostics.map((d) => d.code)).toEqual(['SPEC.PATTERN']);
    } finally {
      scratch.cleanup();
    }
  });
});
