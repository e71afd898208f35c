import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { compileTexts } from '../../../compiler/compile.js';
import { REPO } from '../../support/helpers.js';
import {
  SERVICE,
  type Op,
  type Override,
  compileWith,
  opAt,
  where,
  errors,
  expectViolation,
  cron,
  deployment,
  CRON_POD,
  POD,
  NOTE,
  policyOn,
} from '../../support/redteam/policy-harness.js';

/**
 * Red team, class "policy": overrides that take the output off the golden path
 * past the override deny-lists (issue 14). The compile-time policy must fail
 * each at the patch operation that did it, naming the rule; platform waivers
 * excuse a rule and are reported; allow lists reject everything else.
 *
 * This file: Kubernetes output: host access, images, secrets, scheduling, RBAC kinds,
 * Ingress, pod isolation and Pod Security labels. The fixtures are in policy-harness.ts.
 */

describe('the policy passes the red-team services as generated', () => {
  it('compiles them without overrides, with no diagnostic', () => {
    const { result } = compileWith([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.files.length).toBeGreaterThan(50);
  });

  it('compiles a harmless override, with no diagnostic', () => {
    const { result } = compileWith([deployment([NOTE])]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('a CronJob pod template gaining host access, past the Deployment-only deny-list', () => {
  it('hostNetwork: PSS hostNamespaces at the operation, once, naming every environment', () => {
    const found = expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/hostNetwork`, value: true }])] },
      '§2 PSS restricted PSS hostNamespaces',
      ['kubernetes', 0, 0],
      /shares a host namespace/,
    );
    expect(found).toHaveLength(1);
    expect([...found[0]!.message.matchAll(/kubernetes\/([a-z]+)\/cronjob-nightly\.yaml/g)].map((m) => m[1]).sort()).toEqual([
      'preview',
      'production',
      'staging',
    ]);
  });

  it('hostPID after a harmless operation: blamed on the second operation', () => {
    expectViolation({ kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/hostPID`, value: true }])] }, '§2 PSS restricted PSS hostNamespaces', [
      'kubernetes',
      0,
      1,
    ]);
  });

  it('hostIPC in a second override of the same CronJob', () => {
    expectViolation({ kubernetes: [cron([NOTE]), cron([{ op: 'add', path: `${CRON_POD}/hostIPC`, value: true }])] }, '§2 PSS restricted PSS hostNamespaces', [
      'kubernetes',
      1,
      0,
    ]);
  });

  it('a privileged init container: PSS privileged', () => {
    const init = { name: 'pwn', image: 'ghcr.io/shop-example/victim:1', securityContext: { privileged: true } };
    expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/initContainers`, value: [init] }])] },
      '§2 PSS restricted PSS privileged',
      ['kubernetes', 0, 0],
      /pwn: privileged/,
    );
  });

  it('an init container that may escalate (no securityContext at all): PSS allowPrivilegeEscalation', () => {
    const init = { name: 'setup', image: 'ghcr.io/shop-example/victim:1' };
    expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/initContainers`, value: [init] }])] },
      '§2 PSS restricted PSS allowPrivilegeEscalation',
      ['kubernetes', 0, 0],
      /setup: may escalate/,
    );
  });

  it('a hostPort on the CronJob container: PSS hostPorts', () => {
    expectViolation(
      { kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/containers/0/ports`, value: [{ containerPort: 9, hostPort: 9 }] }])] },
      '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts',
      ['kubernetes', 0, 1],
      /hostPort/,
    );
  });
});

describe('a Deployment gaining what the deny-list does not name', () => {
  it('a hostPort: PSS hostPorts', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/containers/0/ports/-`, value: { containerPort: 22, hostPort: 22 } }])] },
      '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts',
      ['kubernetes', 0, 0],
      /hostPort/,
    );
  });

  it('an image from another registry: PAVED_IMAGE_SOURCE', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'docker.io/attacker/miner:1.0' }])] },
      '§4 paved PAVED_IMAGE_SOURCE',
      ['kubernetes', 0, 0],
      /docker\.io\/attacker\/miner:1\.0 is not from the platform registry ghcr\.io\/shop-example/,
    );
  });

  it("an image from a registry whose name starts like the platform's: PAVED_IMAGE_SOURCE", () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example-evil/victim:1.0' }])] },
      '§4 paved PAVED_IMAGE_SOURCE',
      ['kubernetes', 0, 0],
    );
  });

  it(':latest: KS container-image-tag, one diagnostic naming the Deployment of each environment', () => {
    const found = expectViolation(
      { kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim:latest' }])] },
      '§2 kube-score/polaris KS container-image-tag / PO tagNotSpecified / CKV_K8S_14 / CKV_K8S_43',
      ['kubernetes', 0, 0],
      /image ghcr\.io\/shop-example\/victim:latest/,
    );
    expect(found).toHaveLength(1);
    expect([...found[0]!.message.matchAll(/kubernetes\/([a-z]+)\/deployment\.yaml: app: /g)].map((m) => m[1])).toEqual(['staging', 'production', 'preview']);
  });

  it('an untagged image: KS container-image-tag', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim' }])] },
      '§2 kube-score/polaris KS container-image-tag / PO tagNotSpecified / CKV_K8S_14 / CKV_K8S_43',
      ['kubernetes', 0, 0],
    );
  });

  it('a literal value for the declared secret DB_PASSWORD: PAVED_SECRET_LITERAL', () => {
    expectViolation(
      { kubernetes: [deployment([NOTE, { op: 'add', path: `${POD}/containers/0/env/0`, value: { name: 'DB_PASSWORD', value: 'hunter2' } }])] },
      '§4 paved PAVED_SECRET_LITERAL',
      ['kubernetes', 0, 1],
      /literal value for DB_PASSWORD/,
    );
  });

  it('a literal value for an undeclared secret-looking name: PO sensitiveContainerEnvVar', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/containers/0/env/-`, value: { name: 'STRIPE_API_KEY', value: 'sk_live_x' } }])] },
      '§2 kube-score/polaris PO sensitiveContainerEnvVar / CKV_K8S_35 / KS environment-variable-key-duplication',
      ['kubernetes', 0, 0],
      /STRIPE_API_KEY/,
    );
  });

  it('tolerations: [{operator: Exists}]: PAVED_SCHEDULING', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/tolerations`, value: [{ operator: 'Exists' }] }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /tolerates every taint/,
    );
  });

  it('schedulerName: PAVED_SCHEDULING, in a CronJob too', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/schedulerName`, value: 'anything-goes' }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /schedulerName "anything-goes" hands the pod to another scheduler/,
    );
    expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/schedulerName`, value: 'anything-goes' }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /schedulerName "anything-goes"/,
    );
    expect(compileWith([deployment([{ op: 'add', path: `${POD}/schedulerName`, value: 'default-scheduler' }])]).result.diagnostics).toEqual([]);
  });

  it('nodeName: PAVED_SCHEDULING', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeName`, value: 'ip-10-0-0-1' }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /nodeName "ip-10-0-0-1"/,
    );
  });

  it('a nodeSelector onto the control plane: PAVED_SCHEDULING', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeSelector`, value: { 'node-role.kubernetes.io/control-plane': '' } }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /control-plane nodes/,
    );
  });

  it('a toleration of the control-plane taint on the CronJob: PAVED_SCHEDULING', () => {
    expectViolation(
      {
        kubernetes: [
          cron([
            { op: 'add', path: `${CRON_POD}/tolerations`, value: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] },
          ]),
        ],
      },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
    );
  });

  it('a 5,000-character image: the diagnostic names it cut short, not whole', () => {
    const image = `evil.example/${'x'.repeat(5000)}:1`;
    const found = expectViolation(
      { kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: image }])] },
      '§4 paved PAVED_IMAGE_SOURCE',
      ['kubernetes', 0, 0],
    );
    for (const d of found) {
      expect(d.message, d.message.slice(0, 400)).toContain(`: app: image evil.example/${'x'.repeat(20)}`);
      expect(d.message).not.toContain(image);
      // Three environments, each place cut at 300 characters.
      expect(d.message.length).toBeLessThan(1_600);
    }
  });

  // 50 operations: the most one override may hold (spec/service-schema.ts serviceLimits).
  it('the operation that breaks a rule is found among 49 harmless ones, in a handful of emissions', () => {
    const harmless = Array.from({ length: 49 }, (_, i) => ({ op: 'add', path: `/metadata/annotations/team.example~1n${i}`, value: String(i) }));
    const patch = [...harmless.slice(0, 37), { op: 'add', path: `${POD}/nodeName`, value: 'n1' }, ...harmless.slice(37)];
    const started = Date.now();
    expectViolation({ kubernetes: [deployment(patch)] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 37], /nodeName "n1"/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a container list replaced by a string: the rules cannot read it, and that fails closed', () => {
    const { result } = compileWith([deployment([{ op: 'replace', path: `${POD}/containers`, value: 'nothing' }])]);
    expect(result.files).toEqual([]);
    expect(errors(result).length).toBeGreaterThan(0);
  });
});

describe('an allowed Namespace turned into a ClusterRoleBinding', () => {
  // Identity is immutable, so the override code refuses it before the policy sees output.
  it('by patching /kind: rejected, nothing planned, at the operation', () => {
    const { result, victim } = compileWith([
      {
        target: 'Namespace/victim',
        environments: ['staging', 'production'],
        patch: [
          { op: 'replace', path: '/kind', value: 'ClusterRoleBinding' },
          { op: 'add', path: '/roleRef', value: { kind: 'ClusterRole', name: 'cluster-admin' } },
        ],
      },
    ]);
    expect(result.files).toEqual([]);
    const first = errors(result)[0]!;
    expect(first.code).toBe('EMIT.OVERRIDE_IDENTITY');
    expect(first.message).toMatch(/^overrides\.kubernetes\[0\]\.patch\[0\]: \/kind would change the identity of Namespace\/victim/);
    expect(where(first)).toBe(`${SERVICE}:${opAt(victim, 'kubernetes', 0, 0)}`);
  });

  it('the policy alone reports such output as PAVED_OUTPUT_KINDS: a bug in paved when no override did it', () => {
    const diagnostics = policyOn((files) =>
      files.map((f) =>
        f.path.endsWith('/staging/namespace.yaml')
          ? { ...f, value: { ...(f.value as object), kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } } }
          : f,
      ),
    );
    expect(diagnostics.map((d) => [d.code, d.file, d.pointer])).toContainEqual(['POLICY.PAVED_BUG', SERVICE, '/name']);
    expect(diagnostics.find((d) => d.code === 'POLICY.PAVED_BUG')!.message).toBe(
      "the generated output breaks §4 paved PAVED_OUTPUT_KINDS (only the kinds paved generates for a directory, each in the service's own namespace; never RBAC): generated/victim/kubernetes/staging/namespace.yaml: ClusterRoleBinding: paved never generates RBAC objects; no override causes this, so it is a bug in paved",
    );
  });

  it('the policy alone reports a Service moved to another namespace', () => {
    const diagnostics = policyOn((files) =>
      files.map((f) =>
        f.path.endsWith('/production/service.yaml')
          ? { ...f, value: { ...(f.value as Record<string, any>), metadata: { ...(f.value as Record<string, any>).metadata, namespace: 'other' } } }
          : f,
      ),
    );
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(
      /PAVED_OUTPUT_KINDS .*production\/service\.yaml: Service victim: namespace "other" is not the service's own/,
    );
  });
});

describe('one diagnostic per operation and rule', () => {
  it('names four places and counts the rest: a :latest image in examples/shop, whose releases pin digests', () => {
    const shop = join(REPO, 'examples/shop');
    const services = ['catalog', 'notifier', 'orders', 'payments', 'storefront-api'].map((name) => `services/${name}/service.yaml`);
    const texts = ['platform.yaml', 'releases.yaml', ...services].map(
      (path) =>
        ({
          path,
          kind: path === 'platform.yaml' ? 'platform' : path === 'releases.yaml' ? 'releases' : 'service',
          text: readFileSync(join(shop, path), 'utf8'),
        }) as const,
    );
    const override =
      '\noverrides:\n  kubernetes:\n    - target: Deployment/catalog\n      reason: "debug image (INC-7)"\n      patch:\n        - { op: replace, path: /spec/template/spec/containers/0/image, value: "ghcr.io/shop-example/catalog:latest" }\n';
    const result = compileTexts(
      texts.map((t) => (t.path === 'services/catalog/service.yaml' ? { ...t, text: t.text + override } : t)),
      emitters,
    );
    const tag = errors(result).filter((d) => d.message.includes('KS container-image-tag'));
    expect(tag).toHaveLength(1);
    expect(tag[0]!.message).toMatch(
      /^overrides\.kubernetes\[0\]\.patch\[0\]: this operation makes the output break §2 kube-score\/polaris KS container-image-tag .*: app: image ghcr\.io\/shop-example\/catalog:latest; .*; and 1 more$/,
    );
    expect(tag[0]!.message.split('generated/catalog/kubernetes/').length - 1).toBe(4);
  });
});

describe('Ingress overrides past the ingress claims, which read only the spec', () => {
  const ingress = (patch: Op[], environments?: string[]): Override => ({ target: 'Ingress/victim', ...(environments ? { environments } : {}), patch });
  const RULE = '§4 paved PAVED_INGRESS';

  it('passes the Ingress paved generates, and a harmless ingress-nginx annotation', () => {
    expect(
      compileWith([ingress([{ op: 'add', path: '/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-body-size', value: '8m' }])]).result.diagnostics,
    ).toEqual([]);
  });

  it('a rule host outside the platform domain', () => {
    expectViolation(
      { kubernetes: [ingress([NOTE, { op: 'replace', path: '/spec/rules/0/host', value: 'victim.attacker.example' }])] },
      RULE,
      ['kubernetes', 0, 1],
      /rule host "victim\.attacker\.example", not victim\.shop\.example\.com/,
    );
  });

  it("a second rule for another service's host, stealing its traffic", () => {
    expectViolation(
      {
        kubernetes: [
          ingress([
            {
              op: 'add',
              path: '/spec/rules/-',
              value: {
                host: 'other.shop.example.com',
                http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'victim', port: { name: 'http' } } } }] },
              },
            },
          ]),
        ],
      },
      RULE,
      ['kubernetes', 0, 0],
      /rule host "other\.shop\.example\.com"/,
    );
  });

  it('a TLS host that is not the rule host', () => {
    expectViolation(
      { kubernetes: [ingress([{ op: 'add', path: '/spec/tls/0/hosts/-', value: 'other.shop.example.com' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /TLS host "other\.shop\.example\.com", not victim\.shop\.example\.com/,
    );
  });

  it('a path the service does not declare', () => {
    expectViolation(
      { kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/http/paths/0/path', value: '/' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /path "\/" is not one the service declares \(\/api\)/,
    );
  });

  it("a backend that is another service's", () => {
    expectViolation(
      { kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/http/paths/0/backend/service/name', value: 'other' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /routes to "other", not the Service victim/,
    );
  });

  it('a defaultBackend, which takes every request no rule matches', () => {
    expectViolation(
      { kubernetes: [ingress([{ op: 'add', path: '/spec/defaultBackend', value: { service: { name: 'victim', port: { name: 'http' } } } }])] },
      RULE,
      ['kubernetes', 0, 0],
      /a defaultBackend takes every request/,
    );
  });

  it('another ingress class', () => {
    expectViolation(
      { kubernetes: [ingress([{ op: 'replace', path: '/spec/ingressClassName', value: 'nginx-internal' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /ingressClassName "nginx-internal", not "nginx"/,
    );
  });

  it('only in production, naming the production file', () => {
    const [d] = expectViolation({ kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/host', value: 'shop.example.com' }], ['production'])] }, RULE, [
      'kubernetes',
      0,
      0,
    ]);
    expect(d!.message).toMatch(/generated\/victim\/kubernetes\/production\/ingress\.yaml: rule host "shop\.example\.com", not victim\.shop\.example\.com/);
    expect(d!.message).not.toMatch(/staging\/ingress\.yaml/);
  });

  it.each([
    ['server-snippet', 'location /x { return 200; }', /injects nginx configuration/],
    ['configuration-snippet', 'more_set_headers "X: y";', /injects nginx configuration/],
    ['auth-snippet', 'proxy_pass http://x;', /injects nginx configuration/],
    ['auth-url', 'https://attacker.example/auth', /redirects or reshapes traffic/],
    ['auth-signin', 'https://attacker.example/login', /redirects or reshapes traffic/],
    ['mirror-target', 'https://attacker.example$request_uri', /redirects or reshapes traffic/],
    ['upstream-vhost', 'orders.orders.svc.cluster.local', /redirects or reshapes traffic/],
    ['server-alias', 'orders.shop.example.com', /redirects or reshapes traffic/],
    ['permanent-redirect', 'https://attacker.example', /redirects or reshapes traffic/],
    ['temporal-redirect', 'https://attacker.example', /redirects or reshapes traffic/],
    ['use-regex', 'true', /redirects or reshapes traffic/],
    ['proxy-ssl-secret', 'kube-system/admin-tls', /reads "kube-system\/admin-tls", outside the service's namespace/],
  ])('annotation nginx.ingress.kubernetes.io/%s', (name, value, problem) => {
    expectViolation(
      { kubernetes: [ingress([NOTE, { op: 'add', path: `/metadata/annotations/nginx.ingress.kubernetes.io~1${name}`, value }])] },
      RULE,
      ['kubernetes', 0, 1],
      new RegExp(`annotation nginx\\.ingress\\.kubernetes\\.io/${name} ${problem.source}`),
    );
  });
});

describe('pod spec settings no deny-list names: hostAliases, shared processes, own DNS, one node', () => {
  it('hostAliases sending sts.amazonaws.com to an attacker, in a Deployment', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/hostAliases`, value: [{ ip: '203.0.113.7', hostnames: ['sts.amazonaws.com'] }] }])] },
      '§4 paved PAVED_POD_ISOLATION',
      ['kubernetes', 0, 0],
      /hostAliases .*sts\.amazonaws\.com.* rewrite the pod's \/etc\/hosts/,
    );
  });

  it('hostAliases in a CronJob', () => {
    expectViolation(
      { kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/hostAliases`, value: [{ ip: '203.0.113.7', hostnames: ['sts.amazonaws.com'] }] }])] },
      '§4 paved PAVED_POD_ISOLATION',
      ['kubernetes', 0, 1],
      /staging\/cronjob-nightly\.yaml: hostAliases .*sts\.amazonaws\.com/,
    );
  });

  it('shareProcessNamespace: true, in a Deployment and in a CronJob', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/shareProcessNamespace`, value: true }])] },
      '§4 paved PAVED_POD_ISOLATION',
      ['kubernetes', 0, 0],
      /shareProcessNamespace/,
    );
    expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/shareProcessNamespace`, value: true }])] },
      '§4 paved PAVED_POD_ISOLATION',
      ['kubernetes', 0, 0],
      /shareProcessNamespace/,
    );
  });

  it("DNS of the pod's own: dnsPolicy None with an attacker's nameserver", () => {
    expectViolation(
      {
        kubernetes: [
          deployment([
            { op: 'add', path: `${POD}/dnsPolicy`, value: 'None' },
            { op: 'add', path: `${POD}/dnsConfig`, value: { nameservers: ['203.0.113.7'] } },
          ]),
        ],
      },
      '§4 paved PAVED_POD_ISOLATION',
      ['kubernetes', 0, 1],
      /dnsConfig names its own nameservers/,
    );
  });

  it('a nodeSelector pinning kubernetes.io/hostname', () => {
    expectViolation(
      { kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeSelector`, value: { 'kubernetes.io/hostname': 'ip-10-0-1-7' } }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /pinned to one node by kubernetes\.io\/hostname/,
    );
  });

  it('a CronJob node affinity on metadata.name', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-0-1-7'] }] }],
        },
      },
    };
    expectViolation(
      { kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/affinity`, value: affinity }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /pinned to one node/,
    );
  });
});

describe("the Namespace's Pod Security labels", () => {
  const namespace = (patch: Op[]): Override => ({ target: 'Namespace/victim', environments: ['staging', 'production'], patch });
  const RULE = '§4 paved PAVED_POD_SECURITY_LABELS';
  const label = (name: string): string => `/metadata/labels/pod-security.kubernetes.io~1${name}`;

  it('enforce-version pinned to v1.0', () => {
    expectViolation(
      { kubernetes: [namespace([{ op: 'replace', path: label('enforce-version'), value: 'v1.0' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /label pod-security\.kubernetes\.io\/enforce-version is "v1\.0", not "latest"/,
    );
  });

  it('warn and audit lowered to privileged', () => {
    expectViolation(
      { kubernetes: [namespace([NOTE, { op: 'replace', path: label('audit'), value: 'privileged' }])] },
      RULE,
      ['kubernetes', 0, 1],
      /label pod-security\.kubernetes\.io\/audit is "privileged", not "restricted"/,
    );
    expectViolation({ kubernetes: [namespace([{ op: 'replace', path: label('warn'), value: 'baseline' }])] }, RULE, ['kubernetes', 0, 0], /warn is "baseline"/);
  });

  it('an audit-version of its own', () => {
    expectViolation(
      { kubernetes: [namespace([{ op: 'add', path: label('audit-version'), value: 'v1.25' }])] },
      RULE,
      ['kubernetes', 0, 0],
      /audit-version is "v1\.25", not "latest"/,
    );
  });

  it('the labels replaced all at once: the deny-list refuses it, and the policy alone reports such output', () => {
    const { result } = compileWith([namespace([{ op: 'replace', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'victim' } }])]);
    expect(errors(result).map((d) => d.code)).toEqual(['EMIT.OVERRIDE_FORBIDDEN']);
    const diagnostics = policyOn((files) =>
      files.map((f) =>
        f.path.endsWith('/production/namespace.yaml')
          ? { ...f, value: { ...(f.value as Record<string, any>), metadata: { ...(f.value as Record<string, any>).metadata, labels: {} } } }
          : f,
      ),
    );
    expect(diagnostics.map((d) => [d.code, d.message.slice(0, d.message.indexOf(' ('))])).toEqual([
      ['POLICY.PAVED_BUG', `the generated output breaks ${RULE}`],
    ]);
    expect(diagnostics[0]!.message).toMatch(
      /production\/namespace\.yaml: label pod-security\.kubernetes\.io\/enforce is undefined, not "restricted"; no override causes this/,
    );
  });

  it('dropping enforce-version passes: without it the admission controller uses latest', () => {
    expect(compileWith([namespace([{ op: 'remove', path: label('enforce-version') }])]).result.diagnostics).toEqual([]);
  });
});
