import { serviceDefaults } from '../spec/index.js';

/**
 * Replica bounds of one environment. One function for validation and resolve, so
 * what is checked is what is emitted. Without an explicit min, the default is
 * lifted to the tier's floor and lowered to an explicit max (never below the floor).
 */
export function effectiveScaling(explicitMin: number | undefined, explicitMax: number | undefined, floor: number): { min: number; max: number } {
  const min = explicitMin ?? Math.max(floor, Math.min(serviceDefaults.scaling.min, explicitMax ?? Infinity));
  const max = explicitMax ?? Math.max(serviceDefaults.scaling.max, min);
  return { min, max };
}
