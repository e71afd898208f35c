/** Quoting user text inside messages, so no input can forge or hide terminal output. */
import { showString } from '../../spec/text.js';

export { showString };

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
