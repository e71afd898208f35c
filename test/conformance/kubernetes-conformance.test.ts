import { Application, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { CiliumNetworkPolicy } from '../support/cilium-network-policy.js';
import { ClusterSecretStore, ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1';
import { Password } from '@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { generatedObjects, type KubeObject } from '../support/kubernetes-helpers.js';

/**
 * conformance.md's recipe: kubernetes-models validation (types, enums, required
 * fields, quantity and duration patterns) plus a strict unknown-field check,
 * over every object of every golden case and example.
 */

interface Model {
  validate(): void;
}
type ModelClass = new (data: any) => Model;

const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/CronJob': CronJob,
  // The database bootstrap, an Argo CD Sync hook.
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  // Written into the same directories by the observability emitter; Argo CD applies it with the rest.
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  // The models package has only v1beta1, whose schema external-secrets.io/v1 kept unchanged.
  'external-secrets.io/v1/ExternalSecret': ExternalSecret,
  // Preview's generated database passwords.
  'generators.external-secrets.io/v1alpha1/Password': Password,
  'argoproj.io/v1alpha1/Application': Application,
  // The platform layer (_platform/): the services' AppProject and each environment's ClusterSecretStore.
  'argoproj.io/v1alpha1/AppProject': AppProject,
  'external-secrets.io/v1/ClusterSecretStore': ClusterSecretStore,
  // Egress hosts under kubernetes.networkPolicy.enforcement: cilium; no models package exists, so the CRD's schema transcribed.
  'cilium.io/v2/CiliumNetworkPolicy': CiliumNetworkPolicy,
};

function model(object: KubeObject): Model {
  const Class = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Class) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  const data = object.apiVersion === 'external-secrets.io/v1' ? { ...object, apiVersion: 'external-secrets.io/v1beta1' } : object;
  return new Class(data);
}

/** Leaf paths of a JSON value, as JSON pointers. */
function leaves(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [at] : value.flatMap((v, i) => leaves(v, `${at}/${i}`));
  if (value !== null && typeof value === 'object')
    return Object.keys(value).length === 0 ? [at] : Object.entries(value).flatMap(([k, v]) => leaves(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  return [at];
}

function withValueAt(object: unknown, pointer: string, replacement: unknown): unknown {
  const copy = structuredClone(object) as Record<string, any>;
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let parent: any = copy;
  for (const segment of segments.slice(0, -1)) parent = parent[segment];
  parent[segments.at(-1)!] = replacement;
  return copy;
}

const objects = generatedObjects();

describe('generated Kubernetes objects', () => {
  it('cover every kind paved emits, across the golden cases and examples', () => {
    const kinds = new Set(objects.map((o) => `${o.object.apiVersion}/${o.object.kind}`));
    expect([...kinds].sort()).toEqual(Object.keys(MODELS).sort());
  });

  it('pass kubernetes-models validation', () => {
    const failures: string[] = [];
    for (const { where, object } of objects) {
      try {
        model(object).validate();
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('set only fields their schemas define (each leaf, made invalid, is rejected)', () => {
    // The compiled validators ignore unknown keys but type-check known ones, so a
    // leaf whose wrong-typed value passes is a field the schema does not know.
    const unknown: string[] = [];
    for (const { where, object } of objects) {
      for (const pointer of leaves(object)) {
        if (pointer.startsWith('/metadata/labels/') || pointer.startsWith('/metadata/annotations/')) continue;
        try {
          model(withValueAt(object, pointer, [[]]) as KubeObject).validate();
          unknown.push(`${where}: ${pointer}`);
        } catch {
          // Rejected: the field is known.
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('the unknown-field checks catch a misspelled field', () => {
    const deployment = objects.find((o) => o.object.kind === 'Deployment')!.object;
    expect(() => model(withValueAt(deployment, '/spec/template/spec/containers/0/imagePullPolicy', [[]]) as KubeObject).validate()).toThrow();
    const typo = structuredClone(deployment) as Record<string, any>;
    typo.spec.template.spec.containers[0].imagePulPolicy = [[]];
    expect(() => model(typo as KubeObject).validate()).not.toThrow();
    const monitor = objects.find((o) => o.object.kind === 'ServiceMonitor')!.object;
    expect(() => model(withValueAt(monitor, '/spec/endpoints/0/interval', [[]]) as KubeObject).validate()).toThrow();
    const misspelled = structuredClone(monitor) as Record<string, any>;
    misspelled.spec.endpoints[0].intervall = [[]];
    expect(() => model(misspelled as KubeObject).validate()).not.toThrow();
  });
});
