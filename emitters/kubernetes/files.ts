import type { Diagnostic } from '../../spec/diagnostic.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { yamlFile } from '../shared/serialize.js';
import type { Manifest } from './manifest.js';
import { applyOverrides, type KubeJson, type OverridePolicy } from './overrides.js';
import { layout } from '../../spec/layout.js';

/**
 * One file per object, named after its kind: `deployment.yaml` for the
 * service's own object of a kind, `<kind>-<name>.yaml` for the others
 * (`cronjob-<job>.yaml`, `job-<job>.yaml`, `externalsecret-<name>.yaml`). `prometheusrule.yaml`
 * belongs to the observability emitter. Argo CD syncs the whole directory.
 */
export function fileName(object: KubeJson, service: string): string {
  const kind = object.kind.toLowerCase();
  const name = object.metadata.name;
  if (object.kind === 'Namespace' || name === service) return `${kind}.yaml`;
  if ((object.kind === 'CronJob' || object.kind === 'Job') && name.startsWith(`${service}-`)) return `${kind}-${name.slice(service.length + 1)}.yaml`;
  return `${kind}-${name}.yaml`;
}

export function environmentDirectory(project: ResolvedProject, service: ResolvedService, env: EnvironmentName): string {
  return layout.kubernetes(project.output, service.name, env);
}

/** The notes under the header (after the waivers): notes, then applied overrides (a multi-line reason prints one comment line per line). */
function comments(manifest: Manifest, deviations: readonly string[]): string[] {
  return [...manifest.notes, ...deviations.map((reason) => `paved override (a reported deviation): ${reason}`)];
}

/** Renders manifests to JSON, applies the service's overrides and serializes one file each. */
export function manifestFiles(
  service: ResolvedService,
  policy: OverridePolicy,
  env: EnvironmentName,
  dir: string,
  manifests: readonly Manifest[],
): { files: GeneratedFile[]; diagnostics: readonly Diagnostic[] } {
  const rendered = manifests.map((m) => m.object);
  const patched = applyOverrides(service, policy, env, rendered);
  const files = manifests.map((m, index) =>
    yamlFile({
      path: `${dir}/${fileName(rendered[index]!, service.name)}`,
      source: service.specPath,
      waivers: m.waivers,
      comments: comments(m, patched.deviations.get(index) ?? []),
      value: patched.objects[index],
    }),
  );
  return { files, diagnostics: patched.diagnostics };
}
