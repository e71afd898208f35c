import { ENVIRONMENTS, type EnvironmentName, type Origin, type ResolvedService } from '../spec/model.js';
import { hasPointer, pointerJoin, specPath } from '../spec/pointer.js';

/** One resolved value and where it came from: a line of `paved explain`. */
export interface ExplainRow {
  /** Dotted path in the resolved model (`environments.production.scaling.min`). */
  readonly path: string;
  readonly pointer: string;
  /** The value as JSON text. */
  readonly value: string;
  readonly origin: Origin;
}

/**
 * Every leaf of a resolved service with its origin. Values resolve recorded for
 * themselves or an ancestor keep that origin; the rest are the spec's own values
 * (when the spec holds one at the same place) or derived by paved from others.
 */
export function explainService(service: ResolvedService, specData: unknown, env?: EnvironmentName): ExplainRow[] {
  const rows: ExplainRow[] = [];
  const { origins: _origins, ...model } = service;
  const walk = (value: unknown, pointer: string): void => {
    if (env && pointer.startsWith('/environments/') && !pointer.startsWith(`/environments/${env}`)) return;
    if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((v) => typeof v !== 'object'))) {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [key, child] of entries) walk(child, pointerJoin(pointer, key));
      if (entries.length === 0) rows.push(row(pointer, value));
      return;
    }
    rows.push(row(pointer, value));
  };
  const row = (pointer: string, value: unknown): ExplainRow => ({
    path: specPath(pointer),
    pointer,
    value: JSON.stringify(value),
    origin: originOf(service, specData, pointer, value),
  });
  walk(model, '');
  return rows;
}

function originOf(service: ResolvedService, specData: unknown, pointer: string, value: unknown): ExplainRow['origin'] {
  for (let at = pointer; at !== ''; at = at.slice(0, at.lastIndexOf('/'))) {
    const recorded = service.origins[at];
    if (recorded) return recorded;
  }
  if (hasPointer(specData, pointer)) return { kind: 'spec', file: service.specPath, pointer };
  // An empty list or map the spec left out is a default (no caches, no overrides), not a derivation.
  const empty = value !== null && typeof value === 'object' && Object.keys(value).length === 0;
  return empty ? { kind: 'default' } : { kind: 'derived' };
}

export function isEnvironment(name: string): name is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(name);
}
