import type { MetricName } from './metrics.js';

/**
 * PromQL built from parts, so quoting lives in one place and every metric a
 * query reads is a name from the metric contract.
 */

export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
export const ne = (label: string, value: string): Matcher => ({ label, op: '!=', value });
export const re = (label: string, value: string): Matcher => ({ label, op: '=~', value });

/** A regular expression matching exactly the given names and nothing else. */
export function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** What JSON.stringify writes unchanged: no quote, backslash, control character or lone surrogate half. */
const NOTHING_TO_ESCAPE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** PromQL string literals follow Go's escaping, which JSON's double-quoted form satisfies for these values. */
const quote = (value: string): string => (NOTHING_TO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value));

/** `metric{label="value", ...}`. */
export function series(metric: MetricName, matchers: readonly Matcher[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ')}}`;
}

/** `sum by (labels) (inner)`, or `sum(inner)` without labels; likewise for max and min. */
export function sumBy(labels: readonly string[], inner: string, op: 'sum' | 'max' | 'min' = 'sum'): string {
  return labels.length === 0 ? `${op}(${inner})` : `${op} by (${labels.join(', ')}) (${inner})`;
}

export const rate = (selector: string, range: string): string => `rate(${selector}[${range}])`;
