import { Document, Scalar } from 'yaml';
import type { GeneratedFile } from '../../spec/emitter.js';
import { generatedNote } from '../../spec/marker.js';
import { compareText } from '../../spec/pointer.js';
import { commentBlock, commentText } from './comment.js';
import { printFile, quote, type BodyItem } from './hcl.js';
import { serializerProbe } from './serializer-probe.js';
import type { ProviderLock } from './terraform-lock.js';
import { waiverText, type Waiver } from './waivers.js';
import { keyLine, scalarLine } from './yaml-scalar.js';

/*
 * One way to make a file: every GeneratedFile is built here, by the function of
 * its format, which writes the header (the marker and the source spec), the
 * comment block, the body and the final newline. Emitters hand over the source
 * path, the notes and a value; they never concatenate text
 * (test/unit/architecture.test.ts holds them to it).
 */

export interface FileParts {
  /** Where the file goes, relative to the root. */
  readonly path: string;
  /** The spec the file was generated from: named in the header and the manifest. */
  readonly source: string;
  /**
   * Waivers of the whole file (emitters/shared/waivers.ts), printed under the
   * header before the notes and recorded on the GeneratedFile: the policy takes
   * a waiver only from that record, so printed text can never forge one.
   */
  readonly waivers?: readonly Waiver[];
  /** Notes printed as comments under the header; a note with line breaks becomes one comment line per line. */
  readonly comments?: readonly string[];
}

/** The header, the waivers and the notes as comment lines: what every YAML and HCL file starts with. */
function headerText(parts: Omit<FileParts, 'path'>): string {
  return headerLine(parts.source) + commentBlock([...(parts.waivers ?? []).map(waiverText), ...(parts.comments ?? [])]);
}

/**
 * The marker line per source spec, made once: all of a service's files carry
 * the same one, and looking up its note text, made anew for each file, cost
 * more than the rest of the header. Emptied when full, as the note memo is.
 */
const HEADER_LINES = new Map<string, string>();
const HEADER_LINES_LIMIT = 10_000;

function headerLine(source: string): string {
  let line = HEADER_LINES.get(source);
  if (line === undefined) {
    line = commentBlock([generatedNote(source)]);
    if (HEADER_LINES.size >= HEADER_LINES_LIMIT) HEADER_LINES.clear();
    HEADER_LINES.set(source, line);
  }
  return line;
}

/** The file's path, source and, when it prints any, its waivers. */
function identity(parts: FileParts): Pick<GeneratedFile, 'path' | 'source' | 'waivers'> {
  return parts.waivers && parts.waivers.length > 0
    ? { path: parts.path, source: parts.source, waivers: parts.waivers }
    : { path: parts.path, source: parts.source };
}

/**
 * A file with its structured value, made as one literal of one of two shapes:
 * spreading identity()'s result of either shape into a third literal took
 * 1.5 µs a file, more than a small file's text.
 */
function withValue(parts: FileParts, contents: string, value: unknown): GeneratedFile {
  return parts.waivers && parts.waivers.length > 0
    ? { path: parts.path, source: parts.source, waivers: parts.waivers, contents, value }
    : { path: parts.path, source: parts.source, contents, value };
}

/** Exactly one final newline, whatever the printer left. */
function finalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** A YAML file: header, notes, one document. */
export function yamlFile(parts: FileParts & { readonly value: unknown }): GeneratedFile {
  return withValue(parts, yamlText(parts), parts.value);
}

/** The text of a YAML file: for the CLI's files outside the output tree (`paved preview`'s overlay). */
export function yamlText(parts: Omit<FileParts, 'path'> & { readonly value: unknown }): string {
  return headerText(parts) + finalNewline(toYaml(parts.value));
}

/**
 * A Compose env file: `KEY=value` lines under the header. Only values no Compose
 * version reads differently (no quotes, spaces, `$` or `#`) are printable: it holds
 * paved's own constants, never a service team's text, and anything else is a bug.
 */
export function envFile(parts: FileParts & { readonly values: Readonly<Record<string, string>> }): GeneratedFile {
  const lines = Object.keys(parts.values)
    .sort(compareText)
    .map((key) => {
      const value = parts.values[key]!;
      if (!/^[A-Z_][A-Z0-9_]*$/.test(key) || !/^[A-Za-z0-9:/._@+=,-]*$/.test(value))
        throw new Error(`envFile: ${key} cannot be printed as a plain env file line`);
      return `${key}=${value}\n`;
    });
  return { ...identity(parts), contents: headerText(parts) + lines.join('') };
}

/** A YAML file holding several documents, each opened by `---`, in the given order. */
export function yamlDocumentsFile(parts: FileParts & { readonly documents: readonly unknown[] }): GeneratedFile {
  return { ...identity(parts), contents: headerText(parts) + toYamlDocuments(parts.documents) };
}

/** An HCL file: header, notes, a blank line, then the body in `terraform fmt` form. */
export function hclFile(parts: FileParts & { readonly items: readonly BodyItem[] }): GeneratedFile {
  return withValue(parts, `${headerText(parts)}\n${finalNewline(printFile(parts.items))}`, parts.items);
}

/**
 * A root's `.terraform.lock.hcl`, byte for byte as `terraform providers lock`
 * and `terraform init` write it, so init finds nothing to change. It carries
 * Terraform's own header, not paved's: the manifest of owned files marks it as
 * generated, as it does JSON.
 */
export function terraformLockFile(parts: Omit<FileParts, 'comments' | 'waivers'> & { readonly providers: readonly ProviderLock[] }): GeneratedFile {
  const providers = [...parts.providers]
    .sort((a, b) => compareText(a.address, b.address))
    .map((p) =>
      [
        `provider ${quote(p.address)} {`,
        `  version     = ${quote(p.version)}`,
        `  constraints = ${quote(p.constraints)}`,
        '  hashes = [',
        ...p.hashes.map((hash) => `    ${quote(hash)},`),
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  const header = commentBlock(['This file is maintained automatically by "terraform init".', 'Manual edits may be lost in future updates.']);
  return { path: parts.path, source: parts.source, contents: [header, ...providers].join('\n') };
}

/** JSON cannot carry a comment; the manifest of owned files marks it as generated. */
export function jsonFile(parts: Omit<FileParts, 'comments' | 'waivers'> & { readonly value: unknown }): GeneratedFile {
  return { path: parts.path, source: parts.source, contents: toJson(parts.value) };
}

/**
 * YAML with sorted map keys, no line folding, and scalars quoted wherever a
 * YAML 1.1 reader (Kubernetes, GitHub) would take them for something else
 * ("no", "on", "0755"). Objects marked with `ordered` keep their key order;
 * values made with `commented` carry a trailing comment. A fast path writes
 * plain data directly, every key and one-line scalar by the library's own rules
 * (yaml-scalar.ts), and asks the `yaml` library only how to write each distinct
 * multi-line string, so the bytes are the library's; anything it cannot vouch
 * for (folded or kept-newline blocks, keys that would need `? `, -0) goes
 * through the library whole.
 */
export function toYaml(value: unknown): string {
  const text = fastYaml(value) ?? referenceYaml(value);
  serializerProbe.record?.('yaml', value, text);
  return text;
}

const DOCUMENT_OPTIONS = { version: '1.2', compat: 'yaml-1.1', sortMapEntries: true, aliasDuplicateObjects: false } as const;
/** `arrange` has put every map in output order already. */
const REFERENCE_OPTIONS = { ...DOCUMENT_OPTIONS, sortMapEntries: false } as const;
const STRING_OPTIONS = { lineWidth: 0, indentSeq: true, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' } as const;

/** The `yaml` library's rendering: the definition of paved's YAML, and the fallback of the fast path. */
export function referenceYaml(value: unknown): string {
  // An object used twice is written twice: anchors and aliases are what paved's own loader rejects.
  return new Document(arrange(value), REFERENCE_OPTIONS).toString(STRING_OPTIONS);
}

/**
 * Text the library writes plain, as key or value, without being asked: a
 * letter, then letters, digits, spaces and `._/()-`, not ending in a space, at
 * most 1,024 characters (longer keys need `? `), and not one of the words YAML
 * 1.1 reads as a boolean, null or float. No such text can be read as a number,
 * date, indicator or comment, so it needs no quotes (a test holds the library
 * to this over thousands of strings). It covers most of the distinct scalars of
 * a manifest: names, references, descriptions.
 */
const PLAIN = /^[A-Za-z](?:[A-Za-z0-9 ._/()-]*[A-Za-z0-9._/()-])?$/;
// `e3` is a float to YAML 1.1 (mantissa optional).
const YAML_1_1_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[eE][0-9_]*)$/;
export const isPlainText = (text: string): boolean => text.length <= 1024 && PLAIN.test(text) && !YAML_1_1_WORDS.test(text);

/**
 * A memo that keeps what is in use: when `current` fills up it becomes
 * `previous`, and a hit there moves back. Long-lived processes (tests, the
 * fuzzer, 1,000-service repos) see endless distinct scalars; clearing everything
 * at a limit would throw away the hot ones with them.
 */
class Memo<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }
  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }
  set(key: K, value: V): void {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

/**
 * How the library writes one scalar as a map value: its first line after `k: `
 * plus, for a literal block, the body lines as written under a key at column 0
 * (each then takes the indentation of the map or sequence that holds it).
 * Keyed by the value itself (1 and "1" are different keys); null where the fast
 * path must defer. Keys are memoized as written in a nested map (see `key`).
 */
const scalarText = new Memo<string | number | boolean, readonly string[] | null>(50_000);
const keyText = new Memo<string, string | null>(50_000);

/** A literal block header: `|` or `|-`, with an indentation indicator when the text starts with a space. */
const LITERAL_HEADER = /^\|[1-9]?-?$/;

function scalar(value: string | number | boolean): readonly string[] | null {
  if (typeof value === 'string' && isPlainText(value)) return [value];
  let text = scalarText.get(value);
  if (text === undefined) {
    // One line (every number, boolean and string without a line feed) by the library's rules in yaml-scalar.ts; the rest from the library.
    const line = scalarLine(value);
    text = line !== undefined ? [line] : libraryScalar(value);
    scalarText.set(value, text);
  }
  return text;
}

/** The library's text for a value under `k:` at column 0, as lines; null if it is not one line or a literal block indented under the key. */
function libraryScalar(value: string | number | boolean): readonly string[] | null {
  const lines = new Document({ k: value }, DOCUMENT_OPTIONS).toString(STRING_OPTIONS).slice(0, -1).split('\n');
  const head = lines[0]!.startsWith('k: ') ? lines[0]!.slice(3) : undefined;
  // One line, or a literal block whose body is indented under the key (`|+` may need a document end marker: the library's).
  const simple = head !== undefined && (lines.length === 1 || (LITERAL_HEADER.test(head) && lines.slice(1).every((l) => l === '' || l.startsWith('  '))));
  return simple ? [head, ...lines.slice(1)] : null;
}

/**
 * A key as the library writes it, by its rules in yaml-scalar.ts: one line
 * always, quoted as a value would be, and a key of the document's own map
 * also when it starts with `%`, `---` or `...`. Null when the written key
 * passes 1,024 characters, which needs `? ` (the whole value then goes to the
 * library).
 */
function key(name: string, root: boolean): string | null {
  if (isPlainText(name)) return name;
  // The document's keys are few and mostly plain: no memo, so it holds the nested form only.
  if (root) return keyLine(name, true) ?? null;
  let text = keyText.get(name);
  if (text === undefined) {
    text = keyLine(name, false) ?? null;
    keyText.set(name, text);
  }
  return text;
}

/** Forgets the memoized scalar and key texts, as in a fresh process: the benchmark times serialization from there. */
export function clearSerializerMemo(): void {
  scalarText.clear();
  keyText.clear();
}

class Unsupported extends Error {}

function fastYaml(value: unknown): string | undefined {
  // An empty map has no lines: the library writes `{}`.
  if (!isPlainMap(value) || sortedKeys(value).length === 0) return undefined;
  const out: string[] = [];
  try {
    writeMap(value, '', out);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return out.join('');
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype && !COMMENTED.has(value);
}

/**
 * A value after `key:` or `- ` as lines: the rest of the first line, then body
 * lines to be prefixed with the holder's indentation. Undefined when the value
 * needs lines of its own (a non-empty map or sequence).
 */
function inline(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0))) {
    const text = scalar(value);
    if (text === null) throw new Unsupported();
    return text;
  }
  if (Array.isArray(value)) return value.length === 0 ? ['[]'] : undefined;
  if (value !== null && typeof value === 'object' && COMMENTED.has(value)) {
    const { value: text, comment } = value as Commented;
    const lines = scalar(text);
    if (lines === null || lines.length !== 1) throw new Unsupported();
    return [`${lines[0]} # ${comment}`];
  }
  // A map whose values are all undefined writes no line: `{}`, as the library writes it, not an empty block (null).
  if (isPlainMap(value)) return hasDefinedValue(value) ? undefined : ['{}'];
  throw new Unsupported();
}

function hasDefinedValue(map: Record<string, unknown>): boolean {
  for (const key in map) if (Object.hasOwn(map, key) && map[key] !== undefined) return true;
  return false;
}

/** First line after its prefix, body lines under the holder's indentation (empty lines stay empty, as the library writes them). */
function push(out: string[], prefix: string, text: readonly string[], indent: string): void {
  out.push(`${prefix}${text[0]}\n`);
  for (let i = 1; i < text.length; i++) out.push(text[i] === '' ? '\n' : `${indent}${text[i]}\n`);
}

/** As `arrange` orders them: sorted unless marked `ordered`, undefined values left out. */
function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  let kept = 0;
  for (let i = 0; i < keys.length; i++) if (map[keys[i]!] !== undefined) keys[kept++] = keys[i]!;
  // Shortening an array is a runtime call: most maps have no undefined value to drop.
  if (kept < keys.length) keys.length = kept;
  return ORDERED.has(map) ? keys : sortedInPlace(keys);
}

/** Longer lists of keys go to Array.prototype.sort. */
const INSERTION_SORT_MAX = 16;

/**
 * `keys` in code-unit order (compareText), sorted in place. The serializer
 * sorts the keys of every map it writes, and most maps have a few: an
 * insertion sort of those allocates nothing, where Array.prototype.sort
 * copies the list first (about 500 MB of copies in a compile of 300 services,
 * all of it for the young generation's collector).
 */
function sortedInPlace(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort(compareText);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** Block map lines; `first` is the prefix of the first line (a sequence dash), `indent` that of the others. */
function writeMap(map: Record<string, unknown>, indent: string, out: string[], first = indent): void {
  sortedKeys(map).forEach((name, index) => {
    const prefix = index === 0 ? first : indent;
    // Only the document's own map sits at column 0.
    const k = key(name, indent === '');
    if (k === null) throw new Unsupported();
    const child = map[name];
    const text = inline(child);
    if (text !== undefined) push(out, `${prefix}${k}: `, text, indent);
    else {
      out.push(`${prefix}${k}:\n`);
      if (Array.isArray(child)) writeSeq(child, `${indent}  `, out);
      else writeMap(child as Record<string, unknown>, `${indent}  `, out);
    }
  });
}

function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    const text = inline(item);
    if (text !== undefined) push(out, `${indent}- `, text, indent);
    else if (isPlainMap(item)) writeMap(item, `${indent}  `, out, `${indent}- `);
    else throw new Unsupported();
  }
}

/*
 * Typed models. Sorted keys suit maps (labels, env, `with:`), but a record whose
 * keys are the fields of a typed model reads best in its format's conventional
 * order: a GitHub workflow's `name, on, permissions, jobs` and a step's
 * `name, uses, with` rather than alphabetical. The model's renderer builds such
 * objects in that order and marks them; every unmarked object is still sorted,
 * so a map can never leak its insertion order into the output.
 */
const ORDERED = new WeakSet<object>();

/** Marks an object whose keys the serializer keeps in insertion order (its own keys only, not its children's). */
export function ordered<T extends object>(value: T): T {
  ORDERED.add(value);
  return value;
}

/** A scalar serialized with a trailing `# comment` on its line, e.g. the release of an action pinned by commit. */
export interface Commented {
  readonly value: string;
  readonly comment: string;
}

const COMMENTED = new WeakSet<object>();

export function commented(value: string, comment: string): Commented {
  // One line whatever the text: the comment writer escapes line breaks and hidden characters.
  const result = { value, comment: commentText(comment) };
  COMMENTED.add(result);
  return result;
}

/** Whether a value was made by `commented`: the policy reads such a value as its text (actions/render.ts). */
export function isCommented(value: object): value is Commented {
  return COMMENTED.has(value);
}

/** Plain data -> Maps in output order (sorted unless marked), so the Document keeps that order. */
function arrange(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(arrange);
  if (value === null || typeof value !== 'object') return value;
  if (COMMENTED.has(value)) {
    const { value: text, comment } = value as Commented;
    const scalar = new Scalar(text);
    scalar.comment = ` ${comment}`;
    return scalar;
  }
  const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (!ORDERED.has(value)) keys.sort(compareText);
  return new Map(keys.map((key) => [key, arrange((value as Record<string, unknown>)[key])]));
}

/** Several YAML documents, in the given order. */
function toYamlDocuments(values: readonly unknown[]): string {
  return values.map((value) => `---\n${toYaml(value)}`).join('');
}

/** Pretty JSON with object keys sorted by code unit and a final newline. */
export function toJson(value: unknown): string {
  const text = `${JSON.stringify(sortKeys(value), null, 2)}\n`;
  serializerProbe.record?.('json', value, text);
  return text;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of sortedInPlace(Object.keys(value))) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}
