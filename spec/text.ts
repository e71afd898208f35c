/**
 * The one rule for characters in text a team writes, shared by validation
 * (which rejects them with a position) and the comment writer (which escapes
 * them, should validation ever miss one).
 *
 * Characters that hide or reorder text: C0/C1 controls but tab and LF (YAML
 * reads CRLF as LF, so a CR in a value comes from an escape or a lone CR, which
 * editors show as a line break and terminals as a return to column 1), soft
 * hyphen, bidi marks, embeddings, overrides and isolates, zero-width characters,
 * line/paragraph separators, invisible operators (U+2060–2069, the unassigned
 * U+2065 with them) and the BOM (Trojan Source, CVE-2021-42574).
 */
export const HIDDEN_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

/**
 * What a key or a JSON pointer (the name of a thing) may not hold on top of
 * HIDDEN_CHARACTER: tab and line feed. Only values may span lines.
 */
export const KEY_CONTROL_CHARACTER = /[\t\n]/;

/** Every sequence a reader may take for the end of a line: CRLF, LF, CR, NEL, LS, PS. */
export const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/;

/** `U+000A`: how diagnostics name a character. */
export function codePointName(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `\uXXXX` for each UTF-16 unit of `text`: how paved shows a character it will not print. */
export function unicodeEscape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * A repository path or a team's text shown inside one line of a terminal or a
 * CI log: hidden characters, tabs and line breaks as `\uXXXX`, so it can
 * neither forge a line nor send the terminal a sequence, and `##[` as `##\[`
 * (uncommanded). Ordinary text prints as it is.
 */
export function printable(text: string): string {
  return uncommanded(text.replace(UNPRINTABLE, unicodeEscape));
}

const UNPRINTABLE = new RegExp(`${HIDDEN_CHARACTER.source}|[\\t\\n]`, 'gu');

/** GitHub's runner takes `##[command]` anywhere in a line of a job's log for a workflow command: broken up, `##\[` is text. */
export function uncommanded(text: string): string {
  return text.replace(/##\[/g, '##\\[');
}

/** A JSON-quoted string with every non-printable or non-ASCII character escaped. */
export function showString(value: string): string {
  const clipped = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return uncommanded(JSON.stringify(clipped).replace(/[^\x20-\x7e]/g, unicodeEscape));
}
