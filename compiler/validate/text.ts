/** Quoting user text inside messages, so no input can forge or hide terminal output. */

/** A JSON-quoted string with every non-printable or non-ASCII character escaped. */
export function showString(value: string): string {
  const clipped = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(clipped).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `"8080" (a string)`, `16.1 (a number)`, `a mapping`. Never used for secret-looking values. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `${showString(value)} (a string)`;
  if (typeof value === 'number') return `${String(value)} (a number)`;
  if (typeof value === 'boolean') return `${String(value)} (a boolean)`;
  return typeof value;
}

export { HIDDEN_CHARACTER } from '../../spec/text.js';
