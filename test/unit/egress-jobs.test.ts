import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { contains, formatCidr, hostAllowed, hostProblem, network, overlaps, parseCidr, PUBLIC_RANGES, reservedOverlap, type Cidr } from '../../spec/egress.js';
import { CASES, compileDir, scratchCopy, validateTexts } from '../support/helpers.js';

/** Issue 19: service.yaml `egress:` and `jobs:`, from the address arithmetic to the objects in the output. */

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if ('problem' in parsed) throw new Error(`${text}: ${parsed.problem}`);
  return parsed;
};
const canonical = (text: string): string => formatCidr(network(cidr(text)));

describe('egress addresses (spec/egress.ts)', () => {
  it('writes blocks canonically: host bits cleared, IPv6 compressed as RFC 5952 says', () => {
    expect(canonical('203.0.113.7/24')).toBe('203.0.113.0/24');
    expect(canonical('10.1.2.3/32')).toBe('10.1.2.3/32');
    expect(canonical('2001:0DB8:0000:0000:0000:0000:0000:0001/32')).toBe('2001:db8::/32');
    expect(canonical('2001:db8:0:0:1:0:0:1/128')).toBe('2001:db8::1:0:0:1/128');
    expect(canonical('2001:db8:0:1:1:1:1:1/128')).toBe('2001:db8:0:1:1:1:1:1/128');
    expect(canonical('::/0')).toBe('::/0');
    expect(canonical('::ffff:192.0.2.1/128')).toBe('::ffff:c000:201/128');
  });

  it('rejects what is not a block, saying why', () => {
    expect(parseCidr('203.0.113.7')).toEqual({ problem: 'has no prefix length; write the block, e.g. 203.0.113.7/32 for one address' });
    expect(parseCidr('2001:db8::/129')).toEqual({ problem: 'has prefix length "129"; IPv6 takes 0 to 128' });
    for (const text of ['1.2.3/8', '1.2.3.4.5/8', '01.2.3.4/8', '1.2.3.256/32', '2001:db8:::1/64', '1:2:3:4:5:6:7:8:9/64', 'fe80::1%eth0/64', 'x/8'])
      expect(parseCidr(text), text).toEqual({ problem: 'is not an IPv4 or IPv6 address with a prefix length' });
  });

  it('knows which blocks overlap and contain each other, per family', () => {
    expect(overlaps(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'))).toBe(true);
    expect(overlaps(cidr('10.0.0.0/8'), cidr('11.0.0.0/8'))).toBe(false);
    expect(contains(cidr('198.51.100.0/24'), cidr('198.51.100.128/25'))).toBe(true);
    expect(contains(cidr('198.51.100.128/25'), cidr('198.51.100.0/24'))).toBe(false);
    expect(contains(cidr('::/0'), cidr('0.0.0.0/0'))).toBe(false);
    expect(reservedOverlap(cidr('169.254.169.254/32'))?.cidr).toBe('169.254.0.0/16');
    expect(reservedOverlap(cidr('fd00:ec2::254/128'))?.cidr).toBe('fd00:ec2::/32');
    expect(reservedOverlap(cidr('203.0.113.0/24'))).toBeUndefined();
    expect(reservedOverlap(cidr('10.0.0.0/8'))).toBeUndefined();
  });

  it('opens public ranges only: every exception is canonical, inside its range, and the private, shared and node ranges are all excepted', () => {
    for (const range of PUBLIC_RANGES)
      for (const except of range.except) {
        expect(canonical(except)).toBe(except);
        expect(contains(cidr(range.cidr), cidr(except)), except).toBe(true);
      }
    const excepted = PUBLIC_RANGES.flatMap((r) => r.except.map(cidr));
    for (const inner of [
      '10.20.0.0/16',
      '172.16.5.0/24',
      '192.168.1.1/32',
      '100.64.0.1/32',
      '169.254.169.254/32',
      '169.254.170.23/32',
      '127.0.0.1/32',
      'fd12::1/128',
      'fe80::1/128',
    ])
      expect(
        excepted.some((e) => contains(e, cidr(inner))),
        inner,
      ).toBe(true);
  });

  it('accepts public DNS names and "*." patterns, and says what is wrong with the rest', () => {
    for (const host of ['api.stripe.com', '*.stripe.com', 'a-b.example.co.uk', 'xn--bcher-kva.example']) expect(hostProblem(host), host).toBeUndefined();
    expect(hostProblem('*.com')).toMatch(/top-level domain/);
    expect(hostProblem('a.*.example.com')).toMatch(/other than a leading/);
    expect(hostProblem('-a.example.com')).toMatch(/not a DNS label/);
    expect(hostProblem('example.123')).toMatch(/all-digit label/);
    expect(hostProblem('[2001:db8::1]')).toMatch(/IP address/);
    expect(hostProblem('db.corp.internal')).toMatch(/"internal" name/);
    expect(hostProblem(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`)).toMatch(/longer than 253/);
  });

  it('matches allowed host patterns label by label, never by substring', () => {
    expect(hostAllowed('api.stripe.com', 'api.stripe.com')).toBe(true);
    expect(hostAllowed('*.stripe.com', 'api.stripe.com')).toBe(true);
    expect(hostAllowed('*.stripe.com', 'a.b.stripe.com')).toBe(true);
    expect(hostAllowed('*.stripe.com', '*.eu.stripe.com')).toBe(true);
    expect(hostAllowed('*.stripe.com', '*.stripe.com')).toBe(true);
    expect(hostAllowed('*.stripe.com', 'stripe.com')).toBe(false);
    expect(hostAllowed('*.stripe.com', 'evilstripe.com')).toBe(false);
    expect(hostAllowed('*.stripe.com', 'stripe.com.evil.io')).toBe(false);
    expect(hostAllowed('api.stripe.com', '*.api.stripe.com')).toBe(false);
  });
});

describe('egress validation', () => {
  const service = (egress: string): Record<string, string> => ({
    'services/api/service.yaml': `apiVersion: paved/v1\nkind: Service\nname: api\nowner: team-core\nruntime: { language: node, port: 8080 }\negress:\n${egress}\n`,
  });
  const codes = (egress: string, platform?: string): string[] =>
    validateTexts(service(egress), platform).diagnostics.map((d) => `${d.code} ${d.pointer ?? ''} ${d.message}`);

  it('accepts the example of the issue on the embedded default platform', () => {
    expect(codes('  - { host: api.stripe.com, port: 443 }\n  - { cidr: 203.0.113.0/24, port: 8443 }')).toEqual([]);
  });

  it('accepts one host on two ports: a duplicate is the same destination on the same port', () => {
    expect(codes('  - { host: api.stripe.com, port: 443 }\n  - { host: api.stripe.com, port: 8443 }')).toEqual([]);
  });
});

const objectsOf = (root: string): Map<string, Record<string, any>> => {
  const result = compileDir(root);
  expect(result.diagnostics).toEqual([]);
  // One object per file: the manifests and the workflows (the platform layer's multi-document bootstrap is left out).
  return new Map(
    result.files
      .filter((f) => /\/kubernetes\/[a-z]+\/[^/]+\.yaml$|^\.github\/workflows\/.+\.yml$/.test(f.path))
      .map((f) => [f.path, parse(f.contents) as Record<string, any>]),
  );
};
const texts = (root: string): Map<string, string> => new Map(compileDir(root).files.map((f) => [f.path, f.contents]));

describe('egress in the output', () => {
  const full = objectsOf(join(CASES, 'full'));
  const cilium = objectsOf(join(CASES, 'egress-cilium'));

  it('compiles each cidr entry to exactly its ipBlock on its port, in every environment', () => {
    for (const env of ['preview', 'staging', 'production']) {
      const egress = full.get(`generated/ledger/kubernetes/${env}/networkpolicy.yaml`)!.spec.egress as Array<Record<string, any>>;
      expect(egress, env).toContainEqual({ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 8443 }] });
      expect(egress, env).toContainEqual({ to: [{ ipBlock: { cidr: '2001:db8:42::/48' } }], ports: [{ protocol: 'TCP', port: 8443 }] });
    }
  });

  it('opens a host port to public ranges only under vpc-cni, and says in the file that the host is not enforced', () => {
    const policy = full.get('generated/ledger/kubernetes/production/networkpolicy.yaml')!;
    const publicRule = (policy.spec.egress as Array<Record<string, any>>).find((rule) => rule.to?.[0]?.ipBlock?.cidr === '0.0.0.0/0')!;
    expect(publicRule.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(publicRule.to.map((peer: any) => peer.ipBlock.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    expect(publicRule.to[0].ipBlock.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8']),
    );
    expect(publicRule.to[1].ipBlock.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10']));
    const text = texts(join(CASES, 'full')).get('generated/ledger/kubernetes/production/networkpolicy.yaml')!;
    expect(text).toContain(
      '# egress hosts api.exchangerate.example.com:443, *.ecb.example.eu:443: NOT enforced by name under kubernetes.networkPolicy.enforcement: vpc-cni.',
    );
    // DNS stays in the NetworkPolicy when nothing else carries it.
    expect(JSON.stringify(policy.spec.egress)).toContain('kube-dns');
    expect([...full.keys()].some((path) => path.includes('ciliumnetworkpolicy'))).toBe(false);
  });

  it('under cilium, allows hosts by name in a CiliumNetworkPolicy over the same pods, with the L7 DNS rule, and leaves DNS out of the NetworkPolicy', () => {
    for (const env of ['preview', 'staging', 'production']) {
      const policy = cilium.get(`generated/payments/kubernetes/${env}/networkpolicy.yaml`)!;
      const fqdn = cilium.get(`generated/payments/kubernetes/${env}/ciliumnetworkpolicy.yaml`)!;
      expect(fqdn.apiVersion).toBe('cilium.io/v2');
      expect(fqdn.spec.endpointSelector).toEqual(policy.spec.podSelector);
      expect(fqdn.spec.egress).toEqual([
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
        { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.braintreegateway.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ]);
      const rules = JSON.stringify(policy.spec.egress);
      expect(rules).not.toContain('kube-dns');
      expect(rules).not.toContain('0.0.0.0/0');
      expect(policy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '2001:db8:100:7::/64' } }], ports: [{ protocol: 'TCP', port: 8443 }] });
    }
  });

  it('forbids overriding a CiliumNetworkPolicy wherever NetworkPolicy is forbidden', () => {
    const spec = `apiVersion: paved/v1
kind: Service
name: api
owner: team-core
runtime: { language: node, port: 8080 }
egress: [{ host: api.stripe.com, port: 443 }]
overrides:
  kubernetes:
    - target: CiliumNetworkPolicy/api
      reason: "Open everything while debugging (INC-12)"
      patch: [{ op: replace, path: /spec/egress, value: [{}] }]
`;
    const platform = 'apiVersion: paved/v1\nkind: Platform\nkubernetes: { networkPolicy: { enforcement: cilium } }\n';
    const { compile } = compileTexts({ 'services/api/service.yaml': spec, 'platform.yaml': platform });
    expect(compile.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'EMIT.OVERRIDE_FORBIDDEN overrides.kubernetes[0].patch[0]: the platform forbids patching CiliumNetworkPolicy objects',
    ]);
  });
});

describe('jobs in the output', () => {
  const objects = objectsOf(join(CASES, 'egress-cilium'));
  const dir = (env: string): string => `generated/payments/kubernetes/${env}`;
  const wave = (path: string): string | undefined => objects.get(path)!.metadata.annotations['argocd.argoproj.io/sync-wave'];

  it('runs a pre-deploy job as an Argo CD sync hook after its prerequisites and the database bootstrap, before the Deployment', () => {
    for (const env of ['staging', 'production']) {
      const job = objects.get(`${dir(env)}/job-migrate.yaml`)!;
      expect(job.kind).toBe('Job');
      expect(job.metadata.name).toBe('payments-migrate');
      expect(job.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/hook': 'Sync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        'argocd.argoproj.io/sync-wave': '-1',
      });
      expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 900 });
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(wave(`${dir(env)}/job-db-bootstrap-ledger.yaml`)).toBe('-2');
      for (const prerequisite of [
        'namespace.yaml',
        'serviceaccount.yaml',
        'externalsecret-secret-stripe-api-key.yaml',
        'externalsecret-database-ledger.yaml',
        'networkpolicy.yaml',
        'networkpolicy-default-deny.yaml',
        'ciliumnetworkpolicy.yaml',
      ])
        expect(wave(`${dir(env)}/${prerequisite}`), prerequisite).toBe('-3');
      expect(wave(`${dir(env)}/deployment.yaml`)).toBeUndefined();
    }
  });

  it('keeps the database bootstrap waves of a service without pre-deploy jobs', () => {
    const shop = objectsOf(join(CASES, 'terraform-every-primitive'));
    const bootstrap = [...shop.entries()].filter(([path]) => /\/staging\/job-db-bootstrap-/.test(path));
    expect(bootstrap.length).toBeGreaterThan(0);
    for (const [, job] of bootstrap) expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  it("gives job pods the service's identity, hardening, secrets and env contract, and its NetworkPolicy selects them", () => {
    for (const env of ['preview', 'staging', 'production']) {
      const server = objects.get(`${dir(env)}/deployment.yaml`)!.spec.template.spec;
      const pods = [
        objects.get(`${dir(env)}/job-migrate.yaml`)!.spec.template.spec,
        objects.get(`${dir(env)}/cronjob-reconcile.yaml`)!.spec.jobTemplate.spec.template.spec,
      ];
      for (const pod of pods) {
        expect(pod.serviceAccountName).toBe(server.serviceAccountName);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toEqual(server.securityContext);
        expect(pod.containers[0].securityContext).toEqual(server.containers[0].securityContext);
        expect(pod.containers[0].image).toBe(server.containers[0].image);
        const secretEnv = (container: any): string[] => container.env.filter((e: any) => e.valueFrom).map((e: any) => JSON.stringify(e));
        expect(secretEnv(pod.containers[0])).toEqual(secretEnv(server.containers[0]));
        expect(pod.containers[0].env.find((e: any) => e.name === 'OTEL_RESOURCE_ATTRIBUTES').value).toMatch(/(^|,)paved\.job=(migrate|reconcile)(,|$)/);
      }
      const selector = objects.get(`${dir(env)}/networkpolicy.yaml`)!.spec.podSelector;
      expect(selector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['cron', 'job', 'server'] }]);
      expect(objects.get(`${dir(env)}/job-migrate.yaml`)!.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('job');
    }
  });

  it('keeps a manual job as a suspended CronJob that never fires on its own', () => {
    for (const env of ['preview', 'staging', 'production']) {
      const template = objects.get(`${dir(env)}/cronjob-reconcile.yaml`)!;
      expect(template.metadata.name).toBe('payments-reconcile');
      expect(template.spec).toMatchObject({ suspend: true, schedule: '0 0 31 2 *', concurrencyPolicy: 'Forbid' });
      expect(template.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['./payments', 'reconcile', '--since=24h']);
    }
  });

  it('runs pre-deploy jobs in preview against the stand-ins, deleting the last run first and waiting for the new one', () => {
    const job = objects.get(`${dir('preview')}/job-migrate.yaml`)!;
    expect(job.metadata.labels['paved.dev/job-when']).toBe('pre-deploy');
    const host = job.spec.template.spec.containers[0].env.find((e: any) => e.name === 'DATABASE_LEDGER_HOST');
    expect(host.valueFrom.secretKeyRef.name).toBe('database-ledger');
    const workflow = objects.get('.github/workflows/paved-payments.yml')!;
    const deploy = workflow.jobs.preview.steps.find((s: any) => s.name === 'Deploy the preview').run as string;
    const lines = deploy.split('\n');
    const del = lines.findIndex((l) => l.startsWith('kubectl delete job') && l.includes('--selector="paved.dev/job-when=pre-deploy"'));
    const apply = lines.findIndex((l) => l.startsWith('kubectl apply --kustomize'));
    const wait = lines.findIndex(
      (l) => l.startsWith('if ! kubectl wait') && l.includes('--for=condition=complete job --selector="paved.dev/job-when=pre-deploy"'),
    );
    expect(lines[wait + 1]).toMatch(/^ {2}kubectl logs .*--selector="paved\.dev\/job-when=pre-deploy"/);
    expect(job.spec.template.metadata.labels['paved.dev/job-when']).toBe('pre-deploy');
    expect(del).toBeGreaterThan(0);
    expect(apply).toBeGreaterThan(del);
    expect(wait).toBeGreaterThan(apply);
    expect(workflow.jobs.preview['timeout-minutes']).toBe(30);
  });
});

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

/** Compiles a repo written from path → text. */
function compileTexts(files: Readonly<Record<string, string>>): { compile: ReturnType<typeof compileDir> } {
  const root = join(scratch.dir, `repo-${repos++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { compile: compileDir(root) };
}
