import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { compileDir, scratchCopy, serviceYaml, validateTexts } from '../support/helpers.js';
import { compileTexts } from '../support/workflows.js';

/**
 * Issue 15, items 5, 7, 8, 9, 10 and 12: what the cluster must have for the
 * service output to work, as typed platform choices with consistent output and
 * positioned errors where the choices contradict each other or the services.
 */
const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

const PLATFORM_HEAD = 'apiVersion: paved/v1\nkind: Platform\n';

/** Compiles a repo from path → text without errors; returns generated path → parsed YAML of the Kubernetes and alert files. */
function compileRepo(files: Readonly<Record<string, string>>): {
  readonly yaml: (path: string) => Record<string, any>;
  readonly text: (path: string) => string;
  readonly paths: readonly string[];
} {
  const root = join(scratch.dir, `choices-${repos++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const result = compileDir(root);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const tree = new Map(result.files.map((f) => [f.path, f.contents]));
  const text = (path: string): string => {
    const contents = tree.get(path);
    if (contents === undefined)
      throw new Error(`${path} is not generated; have ${[...tree.keys()].filter((p) => p.includes('/kubernetes/production/')).join(', ')}`);
    return contents;
  };
  return { yaml: (path) => parse(text(path)) as Record<string, any>, text, paths: [...tree.keys()] };
}

const web = (name: string, extra = ''): string => serviceYaml(name, `ingress: { public: true }\n${extra}`);
const grpc = (name: string): string =>
  `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-commerce\nruntime:\n  language: go\n  port: 9090\n  protocol: grpc\ningress: { public: true }\n`;

const single = (diagnostics: readonly Diagnostic[], code: string): Diagnostic => {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(diagnostics)).toHaveLength(1);
  return found[0]!;
};
const at = (d: Diagnostic): string => `${d.file}:${d.range?.line}:${d.range?.col}`;

describe('item 5: the PrometheusRule is selected like the monitors', () => {
  it("carries the platform's monitorLabels, the same the ServiceMonitor and PodMonitor carry, in both cloud environments", () => {
    const out = compileRepo({
      'platform.yaml': `${PLATFORM_HEAD}kubernetes:\n  monitorLabels: { release: kube-prometheus-stack, team.example.com/scrape: "yes" }\n`,
      'services/orders/service.yaml': serviceYaml('orders'),
      'services/worker/service.yaml': 'apiVersion: paved/v1\nkind: Service\nname: worker\nowner: team-commerce\nruntime:\n  language: node\n',
    });
    const platformLabels = { release: 'kube-prometheus-stack', 'team.example.com/scrape': 'yes' };
    for (const env of ['staging', 'production']) {
      for (const [service, monitor] of [
        ['orders', 'servicemonitor'],
        ['worker', 'podmonitor'],
      ] as const) {
        const rule = out.yaml(`generated/${service}/kubernetes/${env}/prometheusrule.yaml`);
        const scrape = out.yaml(`generated/${service}/kubernetes/${env}/${monitor}.yaml`);
        expect(rule.kind).toBe('PrometheusRule');
        expect(rule.metadata.labels, `${service} ${env}`).toMatchObject(platformLabels);
        expect(scrape.metadata.labels, `${service} ${env}`).toMatchObject(platformLabels);
      }
    }
  });

  it('adds no label when the platform sets none (the embedded default)', () => {
    const out = compileRepo({ 'services/orders/service.yaml': serviceYaml('orders') });
    expect(Object.keys(out.yaml('generated/orders/kubernetes/production/prometheusrule.yaml').metadata.labels)).toEqual([
      'app.kubernetes.io/managed-by',
      'app.kubernetes.io/name',
      'paved.dev/team',
      'paved.dev/tier',
    ]);
  });
});

describe('item 7: gRPC behind an Ingress', () => {
  it('tells ingress-nginx to proxy gRPC (backend-protocol GRPC) over a TLS host, and leaves HTTP services on its default', () => {
    const out = compileRepo({ 'services/ledger/service.yaml': grpc('ledger'), 'services/orders/service.yaml': web('orders') });
    for (const env of ['staging', 'production']) {
      const ingress = out.yaml(`generated/ledger/kubernetes/${env}/ingress.yaml`);
      expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
      // ingress-nginx serves gRPC to clients over HTTP/2, which it speaks only with TLS.
      expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
      expect(out.yaml(`generated/orders/kubernetes/${env}/ingress.yaml`).metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    }
  });

  it('accepts only the controllers paved knows the annotations of', () => {
    const d = single(
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}kubernetes:\n  ingressController: traefik\n`).diagnostics,
      'SPEC.ENUM',
    );
    expect(d.message).toContain('kubernetes.ingressController');
    expect(at(d)).toBe('platform.yaml:4:22');
  });
});

describe('item 8: every Ingress certificate has a source', () => {
  it('issues through cert-manager by default: the ClusterIssuer annotation and the <service>-tls Secret it creates', () => {
    const out = compileRepo({ 'services/orders/service.yaml': web('orders') });
    const ingress = out.yaml('generated/orders/kubernetes/production/ingress.yaml');
    expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect(ingress.spec.tls).toEqual([{ hosts: ['orders.example.com'], secretName: 'orders-tls' }]);
  });

  it('uses the platform ClusterIssuer when it names one', () => {
    const out = compileRepo({ 'platform.yaml': `${PLATFORM_HEAD}kubernetes:\n  tlsClusterIssuer: acme-prod\n`, 'services/orders/service.yaml': web('orders') });
    expect(out.yaml('generated/orders/kubernetes/staging/ingress.yaml').metadata.annotations['cert-manager.io/cluster-issuer']).toBe('acme-prod');
  });

  it("names no Secret with controller-default, so the controller's default certificate serves the host", () => {
    const out = compileRepo({
      'platform.yaml': `${PLATFORM_HEAD}kubernetes:\n  tlsCertificates: controller-default\n`,
      'services/orders/service.yaml': web('orders'),
    });
    for (const env of ['preview', 'staging', 'production']) {
      const ingress = out.yaml(`generated/orders/kubernetes/${env}/ingress.yaml`);
      expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
      expect(ingress.spec.tls).toEqual([{ hosts: [ingress.spec.rules[0].host] }]);
    }
    expect(out.paths.some((p) => p.endsWith('.yaml') && out.text(p).includes('orders-tls'))).toBe(false);
  });

  it('reports a ClusterIssuer that controller-default would never use, at the issuer', () => {
    const d = single(
      validateTexts(
        { 'services/orders/service.yaml': serviceYaml() },
        `${PLATFORM_HEAD}kubernetes:\n  tlsCertificates: controller-default\n  tlsClusterIssuer: letsencrypt-prod\n`,
      ).diagnostics,
      'SPEC.TLS_ISSUER_UNUSED',
    );
    expect(d.message).toBe(
      'kubernetes.tlsClusterIssuer: names a ClusterIssuer, but kubernetes.tlsCertificates is controller-default, so no Ingress asks cert-manager for a certificate',
    );
    expect(d.hint).toBe(
      "remove tlsClusterIssuer to serve the controller's default certificate, or set kubernetes.tlsCertificates: cert-manager to issue one per service",
    );
    expect(at(d)).toBe('platform.yaml:5:21');
  });
});

describe('item 9: the S3 path is open in the NetworkPolicies', () => {
  const bucket = serviceYaml('files', 'resources:\n  buckets: [{ name: uploads }]\n');
  const narrowed = (extra: string): string =>
    `${PLATFORM_HEAD}cloud:\n  bucketNameSuffix: 3f9a27c1\nkubernetes:\n  egress:\n    privateSubnetCidrs: [10.20.0.0/16]\n    awsApiCidrs: [10.20.0.0/16]\n${extra}`;

  it('reports awsApiCidrs narrowed to private ranges while S3 is reached at its public addresses (gateway, the default)', () => {
    const d = single(validateTexts({ 'services/files/service.yaml': bucket }, narrowed('')).diagnostics, 'SPEC.S3_EGRESS');
    expect(d.message).toBe(
      `kubernetes.egress.awsApiCidrs: holds only private ranges, but S3 is reached at its public addresses (kubernetes.egress.s3Endpoint: gateway; a gateway endpoint routes to S3's public prefix list), so the buckets of "files" would be unreachable`,
    );
    expect(d.hint).toBe(
      'add S3\'s ranges for the region (https://ip-ranges.amazonaws.com/ip-ranges.json, service "S3") or 0.0.0.0/0 to awsApiCidrs, or set kubernetes.egress.s3Endpoint: interface when the VPC has an S3 interface endpoint with private DNS',
    );
    expect(at(d)).toBe('platform.yaml:8:5');
  });

  it('accepts the narrowed list once S3 has an interface endpoint in the VPC, and opens exactly it on 443', () => {
    const out = compileRepo({ 'platform.yaml': narrowed('    s3Endpoint: interface\n'), 'services/files/service.yaml': bucket });
    const egress = out.yaml('generated/files/kubernetes/production/networkpolicy.yaml').spec.egress as Array<{
      to: Array<{ ipBlock?: { cidr: string } }>;
      ports: Array<{ port: number }>;
    }>;
    expect(egress.filter((r) => r.ports.some((p) => p.port === 443)).map((r) => r.to.map((t) => t.ipBlock?.cidr))).toEqual([['10.20.0.0/16']]);
  });

  it('accepts public S3 ranges next to the VPC for a gateway endpoint', () => {
    expect(
      validateTexts(
        { 'services/files/service.yaml': bucket },
        `${PLATFORM_HEAD}cloud:\n  bucketNameSuffix: ""\nkubernetes:\n  egress:\n    awsApiCidrs: [10.20.0.0/16, 52.218.0.0/17]\n`,
      ).diagnostics,
    ).toEqual([]);
  });

  it('reports an interface endpoint when awsApiCidrs shares no address with the VPC', () => {
    const d = single(
      validateTexts(
        { 'services/files/service.yaml': bucket },
        `${PLATFORM_HEAD}cloud:\n  bucketNameSuffix: 3f9a27c1\nkubernetes:\n  egress:\n    privateSubnetCidrs: [10.20.0.0/16]\n    awsApiCidrs: [52.218.0.0/17]\n    s3Endpoint: interface\n`,
      ).diagnostics,
      'SPEC.S3_EGRESS',
    );
    expect(d.message).toBe(
      'kubernetes.egress.awsApiCidrs: shares no address with kubernetes.egress.privateSubnetCidrs, but S3 is reached through an interface endpoint in the VPC (kubernetes.egress.s3Endpoint: interface), so the buckets of "files" would be unreachable',
    );
    expect(at(d)).toBe('platform.yaml:8:5');
  });

  it('says nothing when no service has a bucket', () => {
    expect(validateTexts({ 'services/orders/service.yaml': serviceYaml() }, narrowed('')).diagnostics).toEqual([]);
  });
});

describe('item 10: Prometheus keeps the whole SLO window', () => {
  it('reports a retention shorter than the SLO window at the retention', () => {
    const d = single(
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}observability:\n  prometheusRetention: 10d\n`).diagnostics,
      'SPEC.PROMETHEUS_RETENTION',
    );
    expect(d.message).toBe(
      'observability.prometheusRetention: Prometheus keeps 10d of samples (observability.prometheusRetention) but the SLO window is 30d (observability.sloWindow); the error budget rules average over the whole window',
    );
    expect(d.hint).toBe(
      "set observability.prometheusRetention to 30d or more, and kube-prometheus-stack's prometheus.prometheusSpec.retention to match (its default is 10d)",
    );
    expect(at(d)).toBe('platform.yaml:4:24');
  });

  it('reports a window raised above the default retention at the window', () => {
    const d = single(
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}observability:\n  sloWindow: 60d\n`).diagnostics,
      'SPEC.PROMETHEUS_RETENTION',
    );
    expect(d.pointer).toBe('/observability/sloWindow');
    expect(at(d)).toBe('platform.yaml:4:14');
  });

  it('compares days as numbers and accepts a retention at least as long as the window', () => {
    expect(
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}observability:\n  sloWindow: 7d\n  prometheusRetention: 10d\n`)
        .diagnostics,
    ).toEqual([]);
  });

  it('notes the retention the SLO rules need on the rule files, and not on a worker with no SLO', () => {
    const out = compileRepo({
      'platform.yaml': `${PLATFORM_HEAD}observability:\n  prometheusRetention: 45d\n`,
      'services/orders/service.yaml': serviceYaml('orders'),
      'services/worker/service.yaml': 'apiVersion: paved/v1\nkind: Service\nname: worker\nowner: team-commerce\nruntime:\n  language: node\n',
    });
    const note =
      "# The SLO rules read 30d of samples: the Prometheus that loads them must keep at least 30d (this platform's observability.prometheusRetention is 45d; kube-prometheus-stack keeps 10d unless prometheus.prometheusSpec.retention is raised).";
    for (const path of [
      'generated/orders/alerts/rules.yaml',
      'generated/orders/kubernetes/production/prometheusrule.yaml',
      'generated/orders/kubernetes/staging/prometheusrule.yaml',
    ]) {
      expect(out.text(path).split('\n').join(' ').replace(/ # /g, ' '), path).toContain(note.slice(2));
    }
    expect(out.text('generated/worker/alerts/rules.yaml')).not.toContain('prometheusRetention');
    // The longest range a rule reads is the window itself.
    const ranges = [...out.text('generated/orders/alerts/rules.yaml').matchAll(/\[([0-9]+)d\]/g)].map((m) => Number(m[1]));
    expect(Math.max(...ranges)).toBe(30);
  });
});

describe('item 12: the platform names what enforces the NetworkPolicies', () => {
  it('defaults to the VPC CNI and accepts calico or cilium, nothing else', () => {
    const valid = validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}kubernetes:\n  networkPolicy: { enforcement: cilium }\n`);
    expect(valid.diagnostics).toEqual([]);
    expect((valid.valid!.platform.kubernetes as { networkPolicy: unknown }).networkPolicy).toEqual({ enforcement: 'cilium' });
    expect((validateTexts({ 'services/orders/service.yaml': serviceYaml() }).valid!.platform.kubernetes as { networkPolicy: unknown }).networkPolicy).toEqual({
      enforcement: 'vpc-cni',
    });
    const d = single(
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}kubernetes:\n  networkPolicy: { enforcement: none }\n`).diagnostics,
      'SPEC.ENUM',
    );
    expect(d.message).toContain('kubernetes.networkPolicy.enforcement');
  });
});

describe('item 13: bucket names no one else can take first', () => {
  const files = serviceYaml('files', 'resources:\n  buckets: [{ name: uploads }]\n');
  const withSuffix = (suffix: string): string => `${PLATFORM_HEAD}cloud:\n  bucketNameSuffix: ${suffix}\n`;
  const bucketOf = (out: ReturnType<typeof compileRepo>, env: string): string => {
    const match = /^ {4}bucket\s+= "([^"]+)"/m.exec(out.text(`generated/files/terraform/env/${env}.tfvars`));
    expect(match, env).not.toBeNull();
    return match![1]!;
  };

  it("ends every bucket's name with the platform's suffix, inside the prefix the CI roles may manage, and tells the app and the preview the same name", () => {
    const out = compileRepo({ 'platform.yaml': withSuffix('3f9a27c1'), 'services/files/service.yaml': files });
    for (const [env, short] of [
      ['staging', 'stg'],
      ['production', 'prd'],
    ] as const) {
      expect(bucketOf(out, env)).toBe(`paved-${short}-files-uploads-3f9a27c1`);
      expect(out.text(`generated/_platform/terraform/env/${env}.tfvars`)).toMatch(new RegExp(`bucket_prefix\\s+= "paved-${short}-"`));
    }
    expect(out.text('generated/files/kubernetes/preview/configmap-localstack-init.yaml')).toContain("s3 mb 's3://paved-pre-files-uploads-3f9a27c1'");
  });

  it('keeps the names without a suffix by default, so no existing bucket is replaced', () => {
    const out = compileRepo({ 'services/files/service.yaml': files });
    expect(bucketOf(out, 'production')).toBe('paved-prd-files-uploads');
  });

  it('warns while a platform.yaml leaves the suffix unset and a service has a bucket, at the cloud block', () => {
    const d = single(
      validateTexts({ 'services/files/service.yaml': files }, `${PLATFORM_HEAD}cloud:\n  region: eu-west-1\n`).diagnostics,
      'SPEC.PREDICTABLE_BUCKET_NAMES',
    );
    expect(d.severity).toBe('warning');
    expect(d.message).toBe(
      'cloud.bucketNameSuffix: not set, so the buckets of "files" get names anyone can derive from the platform, service and bucket names; S3 names are global, so someone else can create one first and its apply fails',
    );
    expect(d.hint).toBe(
      'set cloud.bucketNameSuffix to random lowercase letters and digits, e.g. the output of `openssl rand -hex 4`, before the first bucket is created (it renames, so replaces, buckets that exist); write bucketNameSuffix: "" to keep the names of existing buckets',
    );
    expect(at(d)).toBe('platform.yaml:3:1');
  });

  it('says nothing once the platform writes the key, even empty, or when no service has a bucket', () => {
    expect(validateTexts({ 'services/files/service.yaml': files }, withSuffix('3f9a27c1')).diagnostics).toEqual([]);
    expect(validateTexts({ 'services/files/service.yaml': files }, withSuffix('""')).diagnostics).toEqual([]);
    expect(validateTexts({ 'services/orders/service.yaml': serviceYaml() }, `${PLATFORM_HEAD}cloud:\n  region: eu-west-1\n`).diagnostics).toEqual([]);
  });

  it('accepts only 8 to 16 lowercase letters and digits', () => {
    for (const bad of ['Ab12cd34', 'abc123', 'abcdefgh-1234', 'a'.repeat(17)]) {
      const d = single(validateTexts({ 'services/files/service.yaml': files }, withSuffix(bad)).diagnostics, 'SPEC.PATTERN');
      expect(d.message).toBe(`cloud.bucketNameSuffix: "${bad}" is invalid: it must be 8 to 16 lowercase letters and digits, or empty`);
      expect(d.hint).toBe('e.g. the output of `openssl rand -hex 4`');
      expect(at(d)).toBe('platform.yaml:4:21');
    }
  });

  it('counts the suffix in the 63 characters S3 allows, at the bucket, and names it in the hint', () => {
    const long = serviceYaml('files-of-the-accounting-team', 'resources:\n  buckets: [{ name: monthly-uploads }]\n');
    const d = single(validateTexts({ 'services/files/service.yaml': long }, withSuffix('0123456789abcdef')).diagnostics, 'NAME.DERIVED');
    expect(d.message).toMatch(
      /^resources\.buckets\[0\]\.name: derived S3 bucket name "paved-stg-files-of-the-accounting-team-monthly-uploads-01.*" is 71 characters; S3 allows 3 to 63$/,
    );
    expect(d.hint).toBe('shorten the service or bucket name, or cloud.bucketNameSuffix in platform.yaml; paved never truncates names');
    // Without the suffix the same names fit.
    expect(validateTexts({ 'services/files/service.yaml': long }, withSuffix('""')).diagnostics).toEqual([]);
  });
});

describe('ci.releaseToken', () => {
  const withToken = (name: string): string => `${PLATFORM_HEAD}ci:\n  releaseToken: ${name}\n`;

  it('names the secret the release jobs push the deploy branches with, PAVED_RELEASE_TOKEN unless set', () => {
    const tokens = (platform?: string): string[] =>
      compileTexts({ 'services/orders/service.yaml': serviceYaml() }, platform)
        .files.filter((f) => f.path.startsWith('.github/workflows/'))
        .flatMap((f) => [...f.contents.matchAll(/PUSH_TOKEN: (.*)$/gm)].map((m) => m[1]!));
    expect(new Set(tokens())).toEqual(new Set(['${{ secrets.PAVED_RELEASE_TOKEN }}']));
    const named = tokens(withToken('DEPLOY_BOT'));
    // The staging and production releases and the rollback in the service's workflow; in paved-check.yml the two
    // platform releases and the comparison with production's deploy branch.
    expect(named).toHaveLength(6);
    expect(new Set(named)).toEqual(new Set(['${{ secrets.DEPLOY_BOT }}']));
  });

  it("accepts only an Actions secret name, never one of GitHub's own", () => {
    for (const bad of ['GITHUB_TOKEN', '1TOKEN', 'MY-TOKEN']) {
      const d = single(validateTexts({ 'services/orders/service.yaml': serviceYaml() }, withToken(bad)).diagnostics, 'SPEC.PATTERN');
      expect(d.message).toBe(
        `ci.releaseToken: "${bad}" is invalid: it must be the name of an Actions secret: letters, digits and "_", not starting with a digit or "GITHUB_"`,
      );
      expect(d.hint).toBe('name the secret that holds the release token, e.g. "PAVED_RELEASE_TOKEN"');
      expect(at(d)).toBe('platform.yaml:4:17');
    }
  });
});
