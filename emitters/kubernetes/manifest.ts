import type { Waiver } from '../shared/waivers.js';
import type { KubeJson } from './overrides.js';

/** One generated object and what its file says about it besides the object itself. */
export interface Manifest {
  readonly object: KubeJson;
  readonly waivers: readonly Waiver[];
  /** Comment lines explaining something a reviewer would otherwise ask about. */
  readonly notes: readonly string[];
}

export function manifest(object: KubeJson, waivers: readonly Waiver[] = [], notes: readonly string[] = []): Manifest {
  return { object, waivers, notes };
}

/** An object a service may not have, as zero or one manifests. */
export function optional(object: KubeJson | undefined): Manifest[] {
  return object === undefined ? [] : [manifest(object)];
}
