/**
 * A small typed model of HCL (Terraform's configuration language) and a printer
 * whose output is already in `terraform fmt` form, so generated files pass
 * `terraform fmt -check` byte for byte. Emitters build these values; only this
 * module turns them into text (house style: objects, not templates).
 *
 * What `terraform fmt` does that the printer reproduces:
 * - two spaces per nesting level, however many brackets a line opens;
 * - in a run of consecutive single-line attributes (or object items), the `=`
 *   signs line up; a comment, a blank line, a nested block or an attribute whose
 *   value spans several lines ends the run, and that multi-line attribute is not
 *   padded;
 * - one space around `=`, `name {` for blocks, `{}` for an empty block.
 *
 * No heredocs: policy documents are `jsonencode({ ... })` of HCL objects, which
 * Terraform checks as expressions and reviewers read like the JSON they produce.
 */

import { compareText } from '../../spec/pointer.js';
import { commentLines } from './comment.js';
import { serializerProbe } from './serializer-probe.js';

/** A bare expression printed as written: a reference (`aws_kms_key.service.arn`) or a type keyword (`string`). */
export interface Raw {
  readonly kind: 'raw';
  readonly text: string;
}

/** A function call, `name(arg, ...)`. */
export interface Call {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expression[];
}

/** An object constructor, `{ key = value }`, in the given key order. */
export interface ObjectExpression {
  readonly kind: 'object';
  readonly entries: ReadonlyArray<readonly [string, Expression]>;
}

/** A quoted string with interpolations: `"arn:${var.partition}:..."`. */
export interface Template {
  readonly kind: 'template';
  readonly parts: readonly (string | Raw)[];
}

export type Expression = string | number | boolean | Raw | Call | ObjectExpression | Template | readonly Expression[];

export interface Attribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly value: Expression;
}

export interface Block {
  readonly kind: 'block';
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: readonly BodyItem[];
  /** Comment lines printed just above the block. */
  readonly comments: readonly string[];
}

export type BodyItem = Attribute | Block;

// ---------------------------------------------------------------------------
// Constructors

export const raw = (text: string): Raw => ({ kind: 'raw', text });
/** A reference such as `aws_kms_key.service.arn` or `var.vpc_id`. */
export const ref = (...path: readonly string[]): Raw => raw(path.join('.'));
export const call = (name: string, ...args: readonly Expression[]): Call => ({ kind: 'call', name, args });
export const template = (...parts: readonly (string | Raw)[]): Template => ({ kind: 'template', parts });

/** An object in author order: keys of a policy document or a type read best in their usual order. */
export const object = (entries: Readonly<Record<string, Expression | undefined>>): ObjectExpression => ({
  kind: 'object',
  entries: Object.entries(entries).filter((entry): entry is [string, Expression] => entry[1] !== undefined),
});

/** A map whose keys are data (names, tags): sorted by code unit, so output is stable. */
export const map = (entries: Readonly<Record<string, Expression>>): ObjectExpression => ({
  kind: 'object',
  entries: Object.entries(entries).sort(([a], [b]) => compareText(a, b)),
});

export const attribute = (name: string, value: Expression): Attribute => ({ kind: 'attribute', name, value });

/** Attributes from a record in author order; undefined values are left out. */
export const attributes = (entries: Readonly<Record<string, Expression | undefined>>): Attribute[] =>
  Object.entries(entries)
    .filter((entry): entry is [string, Expression] => entry[1] !== undefined)
    .map(([name, value]) => attribute(name, value));

export const block = (type: string, labels: readonly string[], body: readonly BodyItem[], comments: readonly string[] = []): Block => ({
  kind: 'block',
  type,
  labels,
  body,
  comments,
});

// ---------------------------------------------------------------------------
// Strings

/**
 * A string literal's text between its quotes. Besides quotes, backslashes and
 * control characters, Terraform reads `${` and `%{` as template sequences, so
 * spec text such as a description must escape them as `$${` and `%%{`.
 */
export function escapeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((ch === '$' || ch === '%') && next === '{') {
      out += `${ch}${ch}{`;
      i++;
    } else if (ch < ' ' || ch === '\u007f') out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

export const quote = (text: string): string => `"${escapeString(text)}"`;

/** HCL's identifier grammar, ASCII only: what attribute names, block types and bare object keys may be. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** The printer's own check, behind validation: a name that is not an identifier would write syntax, not a name. */
function identifier(text: string, what: string): string {
  if (!IDENTIFIER.test(text)) throw new Error(`HCL printer: ${JSON.stringify(text)} is not an identifier, so it cannot be ${what}`);
  return text;
}

/**
 * The numbers the printer writes: finite, integers exact (below 2^53), -0 as 0.
 * Decimals print as JavaScript's shortest round-trip form (`0.5`, `1e-7`), which
 * is an HCL number literal and the same bytes for the same value.
 */
export function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return `${String(value)} is not a number HCL can write`;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return `${String(value)} is too large to write exactly (over 2^53)`;
  return undefined;
}

function numberText(value: number): string {
  const problem = numberProblem(value);
  if (problem) throw new Error(`HCL printer: ${problem}`);
  return Object.is(value, -0) ? '0' : String(value);
}

/** An object key: bare when it is an identifier, quoted otherwise (`"aws:SourceArn"`). */
function objectKey(key: string): string {
  return IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : quote(key);
}

// ---------------------------------------------------------------------------
// Printing

const INDENT = '  ';

/** Lines of an expression; the first line continues the line it starts on. */
function expressionLines(value: Expression): string[] {
  if (typeof value === 'string') return [quote(value)];
  if (typeof value === 'number') return [numberText(value)];
  if (typeof value === 'boolean') return [String(value)];
  if (isList(value)) return listLines(value);
  switch (value.kind) {
    case 'raw':
      return [value.text];
    case 'template':
      return [`"${value.parts.map((part) => (typeof part === 'string' ? escapeString(part) : `\${${part.text}}`)).join('')}"`];
    case 'call':
      return callLines(value);
    case 'object':
      return objectLines(value);
  }
}

function isList(value: Expression): value is readonly Expression[] {
  return Array.isArray(value);
}

/** Up to this many literals share one line; fmt accepts either form. */
const INLINE_LIST_LITERALS = 3;

/**
 * One element, or a few literals, stay on one line; longer lists, and lists of
 * references or objects, get one element per line. Decided by count and kind,
 * never by width, so a longer name never reflows a list.
 */
function listLines(items: readonly Expression[]): string[] {
  const rendered = items.map(expressionLines);
  const literals = items.every((item) => typeof item !== 'object');
  if (
    rendered.every((lines) => lines.length === 1) &&
    (items.length <= 1 || (literals && items.length <= INLINE_LIST_LITERALS)) &&
    !items.some((item) => typeof item === 'object' && !isList(item) && item.kind === 'object')
  ) {
    return [`[${rendered.map((lines) => lines[0]).join(', ')}]`];
  }
  const lines = ['['];
  for (const item of rendered) {
    const last = item.length - 1;
    item.forEach((line, index) => lines.push(INDENT + line + (index === last ? ',' : '')));
  }
  lines.push(']');
  return lines;
}

/** `f(a, b)` on one line; a multi-line last argument opens on the call's line: `jsonencode({`. */
function callLines(value: Call): string[] {
  const args = value.args.map(expressionLines);
  const head = args.slice(0, -1);
  if (head.some((lines) => lines.length > 1)) throw new Error(`HCL printer: only the last argument of ${value.name}() may span lines`);
  const last = args[args.length - 1] ?? [''];
  const prefix = `${identifier(value.name, 'a function name')}(${head.map((lines) => `${lines[0]}, `).join('')}`;
  if (last.length === 1) return [`${prefix}${last[0]})`];
  return [prefix + last[0], ...last.slice(1, -1), `${last[last.length - 1]})`];
}

function objectLines(value: ObjectExpression): string[] {
  if (value.entries.length === 0) return ['{}'];
  const inner = alignedAssignments(value.entries.map(([key, item]) => ({ name: objectKey(key), lines: expressionLines(item) })));
  return ['{', ...inner.map((line) => INDENT + line), '}'];
}

interface Assignment {
  readonly name: string;
  readonly lines: readonly string[];
}

/** `name = value` lines; runs of single-line assignments share one `=` column, as `terraform fmt` does. */
function alignedAssignments(items: readonly Assignment[]): string[] {
  const out: string[] = [];
  let run: Assignment[] = [];
  const flush = (): void => {
    const width = Math.max(0, ...run.map((item) => item.name.length));
    for (const item of run) out.push(`${item.name.padEnd(width)} = ${item.lines[0]}`);
    run = [];
  };
  for (const item of items) {
    if (item.lines.length === 1) {
      run.push(item);
      continue;
    }
    flush();
    out.push(`${item.name} = ${item.lines[0]}`, ...item.lines.slice(1));
  }
  flush();
  return out;
}

/**
 * A body: runs of attributes, then blocks; a blank line separates an attribute
 * run from a block and one block from the next.
 */
function bodyLines(items: readonly BodyItem[]): string[] {
  const out: string[] = [];
  let pending: Assignment[] = [];
  let previous: 'none' | 'attribute' | 'block' = 'none';
  const flush = (): void => {
    if (pending.length > 0) out.push(...alignedAssignments(pending));
    pending = [];
  };
  for (const item of items) {
    if (item.kind === 'attribute') {
      if (previous === 'block') out.push('');
      pending.push({ name: identifier(item.name, 'an attribute name'), lines: expressionLines(item.value) });
      previous = 'attribute';
      continue;
    }
    flush();
    if (previous !== 'none') out.push('');
    out.push(...blockLines(item));
    previous = 'block';
  }
  flush();
  return out;
}

function blockLines(value: Block): string[] {
  const comments = commentLines(value.comments);
  const head = [identifier(value.type, 'a block type'), ...value.labels.map(quote)].join(' ');
  if (value.body.length === 0) return [...comments, `${head} {}`];
  return [...comments, `${head} {`, ...bodyLines(value.body).map((line) => (line === '' ? '' : INDENT + line)), '}'];
}

/** A whole file: top-level blocks separated by blank lines, LF endings, a final newline. */
export function printFile(items: readonly BodyItem[]): string {
  const text = `${bodyLines(items).join('\n')}\n`;
  serializerProbe.record?.('hcl', items, text);
  return text;
}

/**
 * The plain value an expression stands for, with references and templates as
 * their source text: what tests read to check policies and settings.
 */
export function toPlain(value: Expression): unknown {
  if (typeof value !== 'object') return value;
  if (isList(value)) return value.map(toPlain);
  switch (value.kind) {
    case 'raw':
      return `\${${value.text}}`;
    case 'template':
      return value.parts.map((part) => (typeof part === 'string' ? part : `\${${part.text}}`)).join('');
    case 'call':
      return value.name === 'jsonencode' && value.args.length === 1 ? toPlain(value.args[0]!) : { [`${value.name}()`]: value.args.map(toPlain) };
    case 'object':
      return plainObject(value.entries);
  }
}

/** An object expression's entries as a plain object, as Object.fromEntries makes it, without a pair array per entry. */
function plainObject(entries: ObjectExpression['entries']): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    // Defined, not assigned: a `__proto__` key stays a key.
    if (key === '__proto__') Object.defineProperty(plain, key, { value: toPlain(item), enumerable: true, writable: true, configurable: true });
    else plain[key] = toPlain(item);
  }
  return plain;
}
