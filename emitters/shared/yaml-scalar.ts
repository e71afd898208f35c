import { Document } from 'yaml';

/*
 * How the `yaml` library writes one scalar or key on one line, worked out here
 * instead of asking it (a Document per distinct scalar costs tens of
 * microseconds). The rules are the library's own, taken from
 * stringify/stringifyString.js, stringifyNumber.js and stringifyPair.js (yaml
 * 2.x), for the options serialize.ts passes: YAML 1.2 with the yaml-1.1 tags as
 * compat, lineWidth 0 (nothing folds), PLAIN as the default string and key
 * type, block collections. Whatever these functions decline (a value with a
 * line break: a literal block or a multi-line quoted string) goes to the
 * library. Tests hold both to the library byte for byte over the goldens'
 * scalars and a generated corpus of hostile strings.
 */

/** Control characters and lone surrogates: the library double-quotes these whatever else the text holds (stringifyString). */
const FORCE_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;

/**
 * Text no plain scalar can be (plainString's first test): a leading indicator
 * or space, `-`/`?` alone or before a space, `: `, ` #`, a trailing space or
 * colon, and the line-break cases (never reached here for values).
 */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/**
 * `%`, `---` or `...` at the start of a line (containsDocumentMarker): a root key
 * so written would read as a directive or document marker. Multiline as the
 * library's, so after U+2028 and U+2029 too (JavaScript's line terminators).
 */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;

/**
 * The tests of every tag, but str's, that would read plain text as something
 * else: null, booleans, ints, floats, `<<`, timestamps and sexagesimals of
 * YAML 1.2 and of the yaml-1.1 compat tags. Taken from the library's schema
 * itself, as plainString filters them (`default` set, a `test` present).
 */
const OTHER_TAG_TESTS: readonly RegExp[] = (() => {
  const schema = new Document(null, { version: '1.2', compat: 'yaml-1.1' }).schema;
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str')
    .flatMap((tag) => ('test' in tag && tag.test instanceof RegExp ? [tag.test] : []));
})();

/** The library's short escapes for `\u00XX`-style JSON escapes (doubleQuotedString); other `00XX` become `\xXX`. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '0000': '\\0',
  '0007': '\\a',
  '000b': '\\v',
  '001b': '\\e',
  '0085': '\\N',
  '00a0': '\\_',
  '2028': '\\L',
  '2029': '\\P',
};

/** A JSON escape, or a space before an escaped line feed (escaped as `\ ` so no reader folds it away). */
const JSON_ESCAPE = / (?=\\n)|\\(?:u([0-9a-f]{4})|.)/g;

/** The library's double-quoted text on one line: JSON with YAML's short escapes. Line feeds stay `\n` (only keys reach here with one). */
function doubleQuoted(text: string): string {
  return JSON.stringify(text).replace(JSON_ESCAPE, (match: string, code: string | undefined) => {
    if (match === ' ') return '\\ ';
    if (code === undefined) return match;
    return SHORT_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.slice(2)}` : match);
  });
}

/**
 * quotedString: single quotes when the text holds `"` and no `'` (so nothing is
 * doubled), else double quotes. A key with a line feed is always double-quoted.
 */
function quoted(text: string): string {
  return text.includes('"') && !text.includes("'") && !text.includes('\n') ? `'${text}'` : doubleQuoted(text);
}

/** Text that plain would leave as a string when read back, under YAML 1.2 and 1.1 alike. */
const readsAsString = (text: string): boolean => !OTHER_TAG_TESTS.some((test) => test.test(text));

/**
 * A scalar as the library writes it after `key: ` or `- `, when that is one
 * line: booleans, finite numbers (but -0) and strings without a line feed.
 * Undefined for anything else, which the caller asks the library about.
 */
export function scalarLine(value: string | number | boolean): string | undefined {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // stringifyNumber: JSON's text for every finite number (ints and floats alike, as created nodes carry no format).
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : undefined;
  if (value.includes('\n')) return undefined;
  if (FORCE_DOUBLE.test(value)) return doubleQuoted(value);
  return NOT_PLAIN.test(value) || !readsAsString(value) ? quoted(value) : value;
}

/**
 * A map key as the library writes it before `:`. Keys are always one line
 * (a line feed is escaped); `root` says the map is the document's, where a
 * key starting with `%`, `---` or `...` is quoted. Undefined when the text is
 * over 1,024 characters, which the library writes as an explicit `? ` key.
 */
export function keyLine(name: string, root: boolean): string | undefined {
  let text: string;
  if (FORCE_DOUBLE.test(name)) text = doubleQuoted(name);
  else if (name.includes('\n') || NOT_PLAIN.test(name) || (root && DOCUMENT_MARKER.test(name)) || !readsAsString(name)) text = quoted(name);
  else text = name;
  return text.length > 1024 ? undefined : text;
}
