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

/**
 * Characters that hide or reorder text: C0/C1 controls but tab and LF (YAML
 * reads CRLF as LF, so a CR in a value comes from an escape or a lone CR, which
 * editors show as a line break and terminals as a return to column 1), soft
 * hyphen, bidi marks, embeddings, overrides and isolates, zero-width characters,
 * line/paragraph separators and the BOM (Trojan Source, CVE-2021-42574).
 */
export const HIDDEN_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
