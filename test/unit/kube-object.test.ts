import { describe, expect, it } from 'vitest';
import { apiObject, kubeObject, withAnnotation } from '../../emitters/kubernetes/kube-object.js';
import { customResource } from '../../emitters/kubernetes/custom-resources.js';

describe('Kubernetes objects as plain data', () => {
  it('take their apiVersion from the kind and leave out undefined and null fields at every depth', () => {
    const object = kubeObject('Deployment', {
      metadata: { name: 'web', namespace: 'web' },
      spec: {
        replicas: undefined,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'app', image: 'x', command: undefined, env: [{ name: 'A', value: null as unknown as string }] }] } },
      },
    });
    expect(object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'x', env: [{ name: 'A' }] }] } } },
    });
    expect(JSON.stringify(object)).not.toContain('replicas');
  });

  it('leave empty maps and lists out of metadata only, where Kubernetes has nothing to say with them', () => {
    const object = apiObject(
      'v1',
      'Pod',
      { name: 'p', labels: {}, annotations: {}, finalizers: [] },
      { spec: { volumes: [{ name: 'tmp', emptyDir: {} }], tolerations: [] } },
    );
    expect(object.metadata).toEqual({ name: 'p' });
    expect(object.spec).toEqual({ volumes: [{ name: 'tmp', emptyDir: {} }], tolerations: [] });
  });

  it('keep the parts that lose nothing as built, copy the parts that lose a field, and never change what they were built from', () => {
    const labels = { app: 'web' };
    const ports = [{ name: 'http', port: 80, nodePort: undefined }];
    const input = { metadata: { name: 'a', labels, annotations: {} }, spec: { selector: labels, ports, type: undefined } };
    const a = kubeObject('Service', input);
    const spec = a.spec as { selector: unknown; ports: unknown[] };
    // An override patches a tree copy (shared/json-patch.ts), so the labels map held at two places is never patched twice.
    expect(a.metadata).toEqual({ name: 'a', labels: { app: 'web' } });
    expect((a.metadata as { labels?: unknown }).labels).toBe(labels);
    expect(spec.selector).toBe(labels);
    expect(spec.ports).toEqual([{ name: 'http', port: 80 }]);
    expect(spec.ports).not.toBe(ports);
    expect(ports[0]).toHaveProperty('nodePort', undefined);
    expect(input.metadata).toEqual({ name: 'a', labels: { app: 'web' }, annotations: {} });
    expect('type' in input.spec).toBe(true);
  });

  it('add an annotation without touching the object it came from', () => {
    const object = apiObject('v1', 'Namespace', { name: 'web', annotations: { a: '1' } }, {});
    const annotated = withAnnotation(object, 'argocd.argoproj.io/sync-wave', '-2');
    expect(annotated.metadata.annotations).toEqual({ a: '1', 'argocd.argoproj.io/sync-wave': '-2' });
    expect(object.metadata.annotations).toEqual({ a: '1' });
  });

  it('build custom resources the same way, their finalizers kept', () => {
    const app = customResource(
      'PodMonitor',
      { name: 'worker', namespace: 'worker', finalizers: ['f'], labels: {} },
      { jobLabel: 'app', selector: { matchLabels: { app: 'worker' } }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] },
    );
    expect(app).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'worker', namespace: 'worker', finalizers: ['f'] },
      spec: { jobLabel: 'app', selector: { matchLabels: { app: 'worker' } }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] },
    });
  });
});
