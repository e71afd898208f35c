import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compileTexts, type SpecText } from '../../compiler/compile.js';
import { diffMarkdown, diffText, diffTrees } from '../../compiler/diff.js';
import { kubernetesDataLoss } from '../../compiler/kubernetes-data-loss.js';
import { objectChanges } from '../../compiler/object-changes.js';
import type { FileOwner, GeneratedFile } from '../../spec/emitter.js';
import { serviceYaml } from '../support/helpers.js';

/**
 * Issue 17: `paved diff` says what changed inside a Kubernetes object, path by
 * path, and puts the deletions that lose data (a namespace, a volume claim,
 * an Application that cascades) first, as it does Terraform's destroys.
 */

const deployment = (replicas: number, memory: string, env: Array<{ name: string; value: string }> = []) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'orders', labels: { 'app.kubernetes.io/name': 'orders' } },
  spec: {
    replicas,
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'ghcr.io/acme/orders:1.0.0', env, resources: { limits: { memory } } },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    },
  },
});

describe('per-attribute changes of a Kubernetes object', () => {
  it('lists each changed path with its values, list items with a name keyed by it', () => {
    expect(objectChanges('Deployment', deployment(2, '256Mi'), deployment(3, '512Mi'))).toEqual([
      'spec.replicas 2 -> 3',
      'spec.template.spec.containers[app].resources.limits.memory 256Mi -> 512Mi',
    ]);
    expect(
      objectChanges(
        'Deployment',
        deployment(2, '256Mi', [{ name: 'A', value: '1' }]),
        deployment(2, '256Mi', [
          { name: 'B', value: '2' },
          { name: 'A', value: '3' },
        ]),
      ),
    ).toEqual(['spec.template.spec.containers[app].env[B] added {"name":"B","value":"2"}', 'spec.template.spec.containers[app].env[A].value 1 -> 3']);
  });

  it('keys other list items by index, an insertion counted once instead of shifting every later item', () => {
    expect(objectChanges('Job', { spec: { args: ['migrate', '--all'] } }, { spec: { args: ['--verbose', 'migrate', '--all'] } })).toEqual([
      'spec.args[0] none -> --verbose',
    ]);
    expect(objectChanges('Job', { spec: { args: ['a', 'b', 'c'] } }, { spec: { args: ['a', 'x', 'c'] } })).toEqual(['spec.args[1] b -> x']);
    expect(
      objectChanges('AppProject', { spec: { destinations: [{ namespace: 'a' }, { namespace: 'b' }] } }, { spec: { destinations: [{ namespace: 'b' }] } }),
    ).toEqual(['spec.destinations[0] removed {"namespace":"a"}']);
  });

  it('quotes keys that are not plain names and escapes what a terminal would act on', () => {
    const before = { metadata: { annotations: { 'paved.dev/reason': 'INC-1' } } };
    const after = { metadata: { annotations: { 'paved.dev/reason': 'evil\u202e\n"; rm' } } };
    expect(objectChanges('Deployment', before, after)).toEqual(['metadata.annotations["paved.dev/reason"] INC-1 -> "evil\\u202e\\n\\"; rm"']);
  });

  it('shortens long values to where they differ, and multi-line text to the lines that changed', () => {
    const image = (tag: string) => ({ spec: { image: `123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/orders-service:${tag}` } });
    expect(objectChanges('Pod', image('2026-12-01-abcdef0'), image('2026-12-02-abcdef0'))).toEqual([
      'spec.image ..."rs-service:2026-12-01-abcdef0" -> ..."rs-service:2026-12-02-abcdef0"',
    ]);
    const script = (...lines: string[]) => ({
      data: { 'init.sh': ['#!/bin/bash', 'set -euo pipefail', 'awslocal sqs create-queue --queue-name orders', ...lines, ''].join('\n') },
    });
    expect(objectChanges('ConfigMap', script('echo a'), script('echo b', 'echo c'))).toEqual(['data["init.sh"] +2 -1 lines']);
    // Short enough, and it shows, newlines escaped.
    expect(objectChanges('ConfigMap', { data: { 'init.sh': 'set -e\necho a\n' } }, { data: { 'init.sh': 'set -e\necho b\n' } })).toEqual([
      'data["init.sh"] "set -e\\necho a\\n" -> "set -e\\necho b\\n"',
    ]);
  });

  it("never prints a Secret's values, only which keys changed", () => {
    const secret = (data: Record<string, string>, stringData?: Record<string, string>) => ({
      kind: 'Secret',
      metadata: { name: 's' },
      data,
      ...(stringData ? { stringData } : {}),
    });
    const lines = objectChanges(
      'Secret',
      secret({ PASSWORD: 'aHVudGVyMg==', OLD: 'b2xk' }, { 'config.json': '{"token":"s3cr3t"}' }),
      secret({ PASSWORD: 'c3dvcmRmaXNo', TOKEN: 'dG9rZW4=' }),
    );
    expect(lines).toEqual(['data.PASSWORD changed', 'data.TOKEN added', 'data.OLD removed', 'stringData removed']);
    expect(objectChanges('Secret', secret({ A: 'eA==' }, { 'config.json': 'one' }), secret({ A: 'eA==' }, { 'config.json': 'two' }))).toEqual([
      'stringData["config.json"] changed',
    ]);
    // A ConfigMap is no secret: its values show.
    expect(objectChanges('ConfigMap', { data: { LEVEL: 'info' } }, { data: { LEVEL: 'debug' } })).toEqual(['data.LEVEL info -> debug']);
  });

  it('caps the paths of one object with "and N more"', () => {
    const labels = (value: string) => ({ metadata: { labels: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => [k, value])) } });
    expect(objectChanges('Service', labels('1'), labels('2'))).toEqual([
      'metadata.labels.a 1 -> 2',
      'metadata.labels.b 1 -> 2',
      'metadata.labels.c 1 -> 2',
      'metadata.labels.d 1 -> 2',
      'metadata.labels.e 1 -> 2',
      'metadata.labels.f 1 -> 2',
      'and 2 more',
    ]);
  });
});

const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: 3f9a27c1\n';
const OUTPUT = { dir: 'generated', workflowsDir: '.github/workflows' };

/** Who planned each path of every tree compiled here (CompileResult.owners), for paved diff. */
const OWNERS = new Map<string, FileOwner>();

function tree(services: Record<string, string>): GeneratedFile[] {
  const files: SpecText[] = [
    { path: 'platform.yaml', kind: 'platform', text: PLATFORM },
    ...Object.entries(services).map(([name, text]) => ({ path: `services/${name}/service.yaml`, kind: 'service' as const, text })),
  ];
  const result = compileTexts(files, emitters, undefined, true);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  for (const [path, owner] of result.owners) OWNERS.set(path, owner);
  return [...result.files];
}

const file = (path: string, ...objects: object[]): GeneratedFile => ({ path, contents: objects.map((o) => stringify(o)).join('---\n'), source: 'x' });
const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'orders' }, spec: {} };
const statefulSet = (templates: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'orders' },
  spec: templates ? { volumeClaimTemplates: [{ metadata: { name: 'data' } }] } : {},
});

describe('Kubernetes deletions that lose data', () => {
  it("are the service's namespace in each cluster when a service goes, not its preview's", () => {
    const base = tree({ orders: serviceYaml('orders'), payments: serviceYaml('payments') });
    const head = tree({ payments: serviceYaml('payments') });
    expect(kubernetesDataLoss(base, head).map(({ path, kind, name, namespace, environment }) => ({ path, kind, name, namespace, environment }))).toEqual([
      { path: 'generated/orders/kubernetes/production/namespace.yaml', kind: 'Namespace', name: 'orders', namespace: undefined, environment: 'production' },
      { path: 'generated/orders/kubernetes/staging/namespace.yaml', kind: 'Namespace', name: 'orders', namespace: undefined, environment: 'staging' },
    ]);
    expect(kubernetesDataLoss(base, head)[0]!.reason).toBe('every object in it is deleted with it, secrets and volumes included');
    expect(kubernetesDataLoss(base, base)).toEqual([]);
  });

  it('read the environment from the folder under kubernetes/: a service named preview keeps its staging and production', () => {
    const base = tree({ preview: serviceYaml('preview'), payments: serviceYaml('payments') });
    const head = tree({ payments: serviceYaml('payments') });
    expect(kubernetesDataLoss(base, head).map(({ path, environment }) => ({ path, environment }))).toEqual([
      { path: 'generated/preview/kubernetes/production/namespace.yaml', environment: 'production' },
      { path: 'generated/preview/kubernetes/staging/namespace.yaml', environment: 'staging' },
    ]);
  });

  it('are Argo CD Applications that cascade (the resources finalizer), not those that leave their objects', () => {
    const application = (name: string, finalizers?: string[]) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd', ...(finalizers ? { finalizers } : {}) },
      spec: {},
    });
    const base = [
      file('generated/argocd/orders-staging.yaml', application('orders-staging', ['resources-finalizer.argocd.argoproj.io'])),
      file('generated/argocd/orders-production.yaml', application('orders-production')),
    ];
    expect(kubernetesDataLoss(base, [])).toEqual([
      {
        path: 'generated/argocd/orders-staging.yaml',
        kind: 'Application',
        name: 'orders-staging',
        namespace: 'argocd',
        environment: 'staging',
        reason: 'Argo CD deletes every object it manages (resources finalizer), its namespace included',
      },
    ]);
  });

  it('are volume claims, and stateful sets with volume claim templates; not one without, and not an object that only moved to another file', () => {
    const base = [
      file('generated/orders/kubernetes/staging/storage.yaml', claim, statefulSet(true)),
      file('generated/orders/kubernetes/production/storage.yaml', claim, statefulSet(false)),
    ];
    expect(kubernetesDataLoss(base, [])).toEqual([
      {
        path: 'generated/orders/kubernetes/production/storage.yaml',
        kind: 'PersistentVolumeClaim',
        name: 'data',
        namespace: 'orders',
        environment: 'production',
        reason: 'its volume and the data on it are deleted with it',
      },
      {
        path: 'generated/orders/kubernetes/staging/storage.yaml',
        kind: 'PersistentVolumeClaim',
        name: 'data',
        namespace: 'orders',
        environment: 'staging',
        reason: 'its volume and the data on it are deleted with it',
      },
      {
        path: 'generated/orders/kubernetes/staging/storage.yaml',
        kind: 'StatefulSet',
        name: 'db',
        namespace: 'orders',
        environment: 'staging',
        reason: "its pods' volume claims (volumeClaimTemplates) are orphaned, or deleted under whenDeleted: Delete",
      },
    ]);
    const moved = [
      file('generated/orders/kubernetes/staging/claims.yaml', claim),
      file('generated/orders/kubernetes/staging/storage.yaml', statefulSet(true)),
      base[1]!,
    ];
    expect(kubernetesDataLoss(base, moved)).toEqual([]);
    // The same claim in another environment's cluster does not keep this one.
    expect(
      kubernetesDataLoss(base, [base[1]!, file('generated/orders/kubernetes/staging/storage.yaml', statefulSet(true))]).map(
        (l) => `${l.environment} ${l.kind}`,
      ),
    ).toEqual(['staging PersistentVolumeClaim']);
  });

  it('come first in paved diff, marked !, in text, markdown and JSON alike', () => {
    const base = [...tree({ orders: serviceYaml('orders') }), file('generated/orders/kubernetes/staging/storage.yaml', claim)];
    const head = tree({ orders: serviceYaml('orders', 'environments:\n  production:\n    scaling:\n      min: 3\n      max: 6\n') });
    const changes = diffTrees(
      base,
      head,
      OUTPUT,
      new Map([...OWNERS, ['generated/orders/kubernetes/staging/storage.yaml', { emitter: 'kubernetes', service: 'orders' }]]),
    );
    const kubernetes = changes.find((c) => c.service === 'orders' && c.target === 'kubernetes')!;
    expect(kubernetes.details[0]).toBe('! delete PersistentVolumeClaim/data: its volume and the data on it are deleted with it [staging]');
    expect(kubernetes.details.filter((d) => d.startsWith('!'))).toHaveLength(1);
    expect(kubernetes.kubernetesDataLoss.map((l) => `${l.kind}/${l.name}`)).toEqual(['PersistentVolumeClaim/data']);
    expect(kubernetes.details).toContain('~ HorizontalPodAutoscaler/orders: spec.maxReplicas 10 -> 6; spec.minReplicas 2 -> 3 [production]');
    expect(diffText(changes)).toContain(
      'orders kubernetes: 2 changed, 1 removed\n  ! delete PersistentVolumeClaim/data: its volume and the data on it are deleted with it [staging]\n',
    );
    expect(diffMarkdown(changes)).toContain(
      '**orders kubernetes**\n\n- `! delete PersistentVolumeClaim/data: its volume and the data on it are deleted with it [staging]`\n',
    );
    expect(JSON.parse(JSON.stringify(changes)).find((c: { target: string }) => c.target === 'kubernetes').details).toEqual(kubernetes.details);
  });
});
