import type { Diagnostic } from '../../spec/diagnostic.js';
import type { EnvironmentName, ResolvedService } from '../../spec/model.js';
import { applyPatch } from '../shared/json-patch.js';

/**
 * The escape hatch: RFC 6902 patches from `overrides.kubernetes`, applied to the
 * rendered objects. A patch is strict (a path that does not exist is an error,
 * as is a target paved does not generate) and every applied override is
 * recorded on the object as a deviation.
 */

export interface KubeJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

export const DEVIATION_ANNOTATION = 'paved.dev/overrides';

export interface Patched {
  readonly objects: readonly KubeJson[];
  /** Per object index: the reasons of the overrides applied to it. */
  readonly deviations: ReadonlyMap<number, readonly string[]>;
  readonly diagnostics: readonly Diagnostic[];
}

export function applyOverrides(service: ResolvedService, env: EnvironmentName, objects: readonly KubeJson[]): Patched {
  const result = [...objects];
  const deviations = new Map<number, string[]>();
  const diagnostics: Diagnostic[] = [];
  const fail = (pointer: string, code: string, message: string, hint: string): void => {
    diagnostics.push({ code, severity: 'error', message: `${pointerPath(pointer)}: ${message}`, hint, file: service.specPath, pointer });
  };
  for (const override of service.overrides.kubernetes) {
    if (!override.environments.includes(env)) continue;
    const index = result.findIndex((o) => `${o.kind}/${o.metadata.name}` === override.target);
    if (index < 0) {
      const known = result.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
      fail(`${override.pointer}/target`, 'EMIT.OVERRIDE_TARGET', `paved generates no ${override.target} in ${env}`, `targets in ${env}: ${known}; or limit the override with environments`);
      continue;
    }
    const patched = applyPatch(result[index], override.patch);
    if (!patched.ok) {
      fail(`${override.pointer}/patch/${patched.index}`, 'EMIT.OVERRIDE_PATCH', `the patch does not apply to ${override.target} in ${env}: ${patched.message}`, 'check each path against the generated object');
      continue;
    }
    const object = patched.value as KubeJson;
    const reasons = [...(deviations.get(index) ?? []), override.reason];
    deviations.set(index, reasons);
    result[index] = { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [DEVIATION_ANNOTATION]: reasons.join('; ') } } };
  }
  return { objects: result, deviations, diagnostics };
}

/** `/overrides/kubernetes/0/target` → `overrides.kubernetes[0].target`, as diagnostics spell spec paths. */
function pointerPath(pointer: string): string {
  return pointer
    .slice(1)
    .split('/')
    .map((segment, i) => (/^[0-9]+$/.test(segment) ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}
