import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import type { EnvironmentName, ResolvedPlatform, ResolvedService } from '../../spec/model.js';
import { applyPatch, writtenPointers } from '../shared/json-patch.js';
import { outsideAllowList, showAllowList } from '../shared/override-allow.js';

export type OverridePolicy = ResolvedPlatform['overridePolicy']['kubernetes'];

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

export function applyOverrides(service: ResolvedService, policy: OverridePolicy, env: EnvironmentName, objects: readonly KubeJson[]): Patched {
  const result = [...objects];
  const deviations = new Map<number, string[]>();
  const diagnostics: Diagnostic[] = [];
  const fail = (pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    diagnostics.push(specDiagnostic(code, service.specPath, pointer, message, { hint }));
  };
  for (const override of service.overrides.kubernetes) {
    if (!override.environments.includes(env)) continue;
    const index = result.findIndex((o) => `${o.kind}/${o.metadata.name}` === override.target);
    if (index < 0) {
      const known = result.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
      fail(
        `${override.pointer}/target`,
        'EMIT.OVERRIDE_TARGET',
        `paved generates no ${override.target} in ${env}`,
        `targets in ${env}: ${known}; or limit the override with environments`,
      );
      continue;
    }
    const identity = identityTouched(override.patch);
    if (identity) {
      fail(
        `${override.pointer}/patch/${identity.index}`,
        'EMIT.OVERRIDE_IDENTITY',
        `${identity.path} would change the identity of ${override.target} (kind, apiVersion, metadata.name, metadata.namespace), which no override may change`,
        'patch the fields that configure the object, such as /spec/...; to deploy a different object, ask the platform team',
      );
      continue;
    }
    const forbidden = forbiddenBy(policy, result[index]!.kind, override.patch);
    if (forbidden) {
      fail(
        `${override.pointer}/patch/${forbidden.index}`,
        'EMIT.OVERRIDE_FORBIDDEN',
        `the platform forbids patching ${forbidden.what}`,
        'security contexts, identity, host access and network isolation stay on the golden path; ask the platform team if this must change',
      );
      continue;
    }
    const outside = outsideAllowList(policy.allow, result[index]!.kind, override.patch);
    if (outside) {
      fail(
        `${override.pointer}/patch/${outside.index}`,
        'EMIT.OVERRIDE_FORBIDDEN',
        `the platform allows overrides only at overridePolicy.kubernetes.allow (${showAllowList(policy.allow!)}); ${outside.path} of ${result[index]!.kind} is not at or under any of them`,
        'patch only the allowed paths, or ask the platform team to allow this one',
      );
      continue;
    }
    const patched = applyPatch(result[index], override.patch);
    if (!patched.ok) {
      fail(
        `${override.pointer}/patch/${patched.index}`,
        'EMIT.OVERRIDE_PATCH',
        `the patch does not apply to ${override.target} in ${env}: ${patched.message}`,
        'check each path against the generated object',
      );
      continue;
    }
    const object = patched.value as KubeJson;
    // A second line of defence: whatever the operations did, identity must read the same.
    if (identityOf(object) !== identityOf(result[index]!)) {
      fail(
        `${override.pointer}/patch`,
        'EMIT.OVERRIDE_IDENTITY',
        `the patch changes the identity of ${override.target} (kind, apiVersion, metadata.name, metadata.namespace), which no override may change`,
        'patch the fields that configure the object, such as /spec/...',
      );
      continue;
    }
    const reasons = [...(deviations.get(index) ?? []), override.reason];
    deviations.set(index, reasons);
    result[index] = {
      ...object,
      metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [DEVIATION_ANNOTATION]: reasons.join('; ') } },
    };
  }
  return { objects: result, deviations, diagnostics };
}

/** What makes an object the object it is: no override may write at, above or below these. */
const IDENTITY_POINTERS = [['kind'], ['apiVersion'], ['metadata', 'name'], ['metadata', 'namespace']] as const;

/**
 * The first operation that writes at, above (`/metadata`, the whole object) or
 * below an identity field; `from` of a move counts (it removes), `from` of a
 * copy only reads. Pointers are compared decoded, so `/meta~0data` cannot pass
 * for something else.
 */
function identityTouched(patch: ResolvedService['overrides']['kubernetes'][number]['patch']): { index: number; path: string } | undefined {
  for (const { index, path, segments } of writtenPointers(patch)) {
    const overlaps = IDENTITY_POINTERS.some((identity) => identity.every((segment, i) => i >= segments.length || segments[i] === segment));
    if (overlaps) return { index, path: path === '' ? 'the whole object ("")' : path };
  }
  return undefined;
}

function identityOf(object: KubeJson): string {
  const metadata = (object.metadata ?? {}) as { readonly name?: unknown; readonly namespace?: unknown };
  return JSON.stringify([object.kind, object.apiVersion, metadata.name, metadata.namespace]);
}

/**
 * The first operation the platform's policy forbids: one on a forbidden kind, or
 * one whose path (or `from`) lies at, under or above a forbidden path, since
 * replacing `/spec/template/spec` would replace its security context too.
 */
function forbiddenBy(
  policy: OverridePolicy,
  kind: string,
  patch: ResolvedService['overrides']['kubernetes'][number]['patch'],
): { index: number; what: string } | undefined {
  // A CiliumNetworkPolicy (egress hosts under Cilium) is a network policy like any other: forbidding NetworkPolicy forbids it.
  const forbiddenKind = policy.forbiddenKinds.includes(kind) || (kind === 'CiliumNetworkPolicy' && policy.forbiddenKinds.includes('NetworkPolicy'));
  if (patch.length > 0 && forbiddenKind) return { index: 0, what: `${kind} objects` };
  const segments = (pointer: string): string[] => (pointer === '' ? [] : pointer.slice(1).split('/'));
  const overlaps = (path: string, rule: string): boolean => {
    const a = segments(path);
    const b = segments(rule);
    const shared = Math.min(a.length, b.length);
    for (let i = 0; i < shared; i++) if (b[i] !== '*' && b[i] !== a[i] && !(a[i] === '-' && b[i] === '*')) return false;
    return true;
  };
  for (const [index, operation] of patch.entries()) {
    if (operation.op === 'test') continue;
    for (const path of [operation.path, ...(operation.from !== undefined && operation.op === 'move' ? [operation.from] : [])]) {
      const rule = policy.forbiddenPaths.find((r) => overlaps(path, r));
      if (rule) return { index, what: `${path} (overridePolicy.kubernetes.forbiddenPaths has ${rule})` };
    }
  }
  return undefined;
}
