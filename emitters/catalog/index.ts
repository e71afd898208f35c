import type { Emitter, EmitResult } from '../../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { yamlDocumentsFile } from '../shared/serialize.js';
import { layout } from '../../spec/layout.js';

/**
 * Backstage catalog entities: one Component per service and one Resource per
 * piece of infrastructure it owns, so the portal's graph matches what is deployed.
 * https://backstage.io/docs/features/software-catalog/descriptor-format
 */
export const catalogEmitter: Emitter = {
  id: 'catalog',
  emitService(service, project): EmitResult {
    const entities = [component(service), ...resources(service), ...typedResources(service, project)];
    const path = layout.catalog(project.output, service.name);
    return { files: [yamlDocumentsFile({ path, source: service.specPath, documents: entities })], diagnostics: [] };
  },
};

type ResourceKind = 'database' | 'cache' | 'topic' | 'bucket';
const SHORT_KIND = { database: 'db', cache: 'cache', topic: 'topic', bucket: 'bucket' } as const;

/** Catalog names are global; prefixing the owning service and kind keeps them unique. */
function resourceEntityName(service: string, kind: ResourceKind, name: string): string {
  return names.catalogResource(service, SHORT_KIND[kind], name);
}

/** Backstage has no tiers; experimental code and a retired service are the lifecycles that differ. */
function lifecycle(service: ResolvedService): string {
  if (service.retired) return 'deprecated';
  return service.tier === 'experimental' ? 'experimental' : 'production';
}

function component(service: ResolvedService): unknown {
  const dependsOn = [
    ...service.dependsOn.map((name) => `component:default/${name}`),
    ...service.resources.databases.map((r) => `resource:default/${resourceEntityName(service.name, 'database', r.name)}`),
    ...service.resources.caches.map((r) => `resource:default/${resourceEntityName(service.name, 'cache', r.name)}`),
    ...service.resources.buckets.map((r) => `resource:default/${resourceEntityName(service.name, 'bucket', r.name)}`),
    ...service.resources.subscriptions.map((s) => `resource:default/${resourceEntityName(s.from, 'topic', s.topic)}`),
    ...service.resources.typed.map((r) => `resource:default/${names.catalogResource(service.name, r.type, r.name)}`),
  ];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: service.name,
      description: service.description,
      annotations: { 'paved.dev/spec': service.specPath },
      labels: { 'paved.dev/tier': service.tier },
      tags: [service.runtime.language, service.runtime.port === undefined ? 'worker' : service.runtime.protocol],
    },
    spec: {
      type: 'service',
      lifecycle: lifecycle(service),
      owner: service.owner,
      dependsOn: [...new Set(dependsOn)],
    },
  };
}

function resources(service: ResolvedService): unknown[] {
  const resource = (kind: ResourceKind, name: string, description: string): unknown => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: resourceEntityName(service.name, kind, name),
      description,
      annotations: { 'paved.dev/spec': service.specPath },
    },
    spec: { type: kind, owner: service.owner, dependencyOf: [`component:default/${service.name}`] },
  });
  const { databases, caches, topics, buckets } = service.resources;
  return [
    ...databases.map((d) => resource('database', d.name, `PostgreSQL ${d.version} (${d.size}) of ${service.name}`)),
    ...caches.map((c) => resource('cache', c.name, `Redis (${c.size}) of ${service.name}`)),
    ...topics.map((t) => resource('topic', t.name, `Topic ${t.name} published by ${service.name}`)),
    ...buckets.map((b) => resource('bucket', b.name, `Object storage bucket ${b.name} of ${service.name}`)),
  ];
}

/** One Resource per entry of a platform resource type, its type's name as the Backstage type, its description the platform's. */
function typedResources(service: ResolvedService, project: ResolvedProject): unknown[] {
  return service.resources.typed.map((r) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: names.catalogResource(service.name, r.type, r.name),
      description: `${project.platform.resourceTypes[r.type]!.description}: ${r.name} of ${service.name}`,
      annotations: { 'paved.dev/spec': service.specPath },
    },
    spec: { type: r.type, owner: service.owner, dependencyOf: [`component:default/${service.name}`] },
  }));
}
