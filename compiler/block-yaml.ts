import { LineCounter, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * A reader for the plain block YAML that specs are written in, about ten times
 * faster than the yaml library (whose lexer, parser and composer took ~0.45 s of
 * a 300-service compile). It gives the same nodes, ranges, line starts and data
 * as parse.ts's yaml path, or undefined: "not read here". parse.ts then runs the
 * yaml library, which reads all of YAML and words every error, so this reader
 * never reports anything and declines whatever it is not sure of.
 *
 * Read here: a top-level block mapping; block mappings and sequences (a
 * sequence may sit at its key's indent; `- key: value` starts a compact
 * mapping); one-line plain, single- and double-quoted scalars (no escapes);
 * one-line flow sequences and mappings of such scalars and of each other;
 * comments and blank lines. Keys are plain names. Declined: tabs, carriage
 * returns, control and line-separator characters, document markers, block
 * scalars, multi-line scalars, escapes, anchors, aliases, tags, `?` keys,
 * scalars the core schema reads as anything but a string, null, boolean or
 * decimal number, and anything else. A repeated key is read as yaml reads it
 * (both pairs, the last value in the data): parse.ts reports it for both paths.
 *
 * One range differs from the yaml library's by design, and parse.ts gives the
 * library's nodes the same (blockEnds): a block collection ends where its last
 * value ends, not after the comments and blank lines that follow it. The third
 * element of a range (where trailing comments end) is the second's here; paved
 * reads only the first two.
 *
 * Proven against the yaml library on every spec the tests hold and on mutated
 * ones (test/property/block-yaml.test.ts).
 */
export interface BlockYaml {
  readonly contents: YAMLMap;
  readonly data: Record<string, unknown>;
  readonly lineCounter: LineCounter;
}

/** Outside printable text: control characters, line and paragraph separators, the BOM, lone surrogates. */
const UNREAD_CHARACTER = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
/** A plain key: what specs name things with. */
const KEY = /[A-Za-z_][A-Za-z0-9_./-]*/y;
const MAX_KEY_LENGTH = 256;
/** Core schema (yaml's schema/core): plain scalars read as null, booleans, numbers. */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INTEGER = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Other core-schema numbers (octal, hexadecimal, exponent, infinity, not-a-number): left to the yaml library. */
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Characters that cannot start a plain scalar here: indicators, and the quotes and brackets read elsewhere. */
const NOT_PLAIN_START = new Set([...'?:,[]{}#&*!|>%@`\'"-']);

class Unread extends Error {}

const decline = (): never => {
  throw new Unread();
};

export function readBlockYaml(text: string): BlockYaml | undefined {
  if (UNREAD_CHARACTER.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (error) {
    if (error instanceof Unread) return undefined;
    throw error;
  }
}

type Value = { node: Scalar | YAMLMap | YAMLSeq; data: unknown };

class Reader {
  /** Start and end (before the line feed) of each line that holds more than spaces and a comment, and its indent. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly indents: number[] = [];
  /** The next content line. */
  private line = 0;
  readonly lineCounter = new LineCounter();

  constructor(private readonly text: string) {
    this.lineCounter.addNewLine(0);
    for (let start = 0; start <= text.length;) {
      const feed = text.indexOf('\n', start);
      const end = feed === -1 ? text.length : feed;
      let first = start;
      while (first < end && text.charCodeAt(first) === 0x20) first++;
      if (first < end && text[first] !== '#') {
        if (first === start && (text.startsWith('---', start) || text.startsWith('...', start))) decline();
        this.starts.push(start);
        this.ends.push(end);
        this.indents.push(first - start);
      }
      if (feed === -1) break;
      this.lineCounter.addNewLine(feed + 1);
      start = feed + 1;
    }
  }

  document(): BlockYaml {
    if (this.starts.length === 0 || this.indents[0] !== 0) decline();
    const { node, data } = this.mapping(0, this.starts[0]!);
    if (this.line < this.starts.length) decline();
    return { contents: node as YAMLMap, data: data as Record<string, unknown>, lineCounter: this.lineCounter };
  }

  /** The indent of the next content line, or -1 at the end. */
  private nextIndent(): number {
    return this.line < this.starts.length ? this.indents[this.line]! : -1;
  }

  /** A block node whose first content line is the next one, indented `indent`. */
  private block(indent: number): Value {
    const at = this.starts[this.line]! + indent;
    return this.isEntry(at, this.ends[this.line]!) ? this.sequence(indent) : this.mapping(indent, at);
  }

  /** `-` followed by a space or the end of the line. */
  private isEntry(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === 0x2d && (at + 1 === end || this.text.charCodeAt(at + 1) === 0x20);
  }

  /** A block mapping whose keys stand at column `indent`; the first key starts at `at`, on the next content line. */
  private mapping(indent: number, at: number): Value {
    const map = new YAMLMap();
    const data: Record<string, unknown> = {};
    for (;;) {
      const end = this.ends[this.line]!;
      this.line++;
      const key = this.key(at, end);
      let value: Value;
      const after = this.skipSpaces(key.colon + 1, end);
      if (after < end && this.text[after] !== '#') {
        value = this.inline(after, end);
      } else {
        const next = this.nextIndent();
        if (next > indent) value = this.block(next);
        else if (next === indent && this.isEntry(this.starts[this.line]! + next, this.ends[this.line]!)) value = this.sequence(indent);
        else value = empty(after);
      }
      map.items.push(new Pair(key.node, value.node));
      setKey(data, key.value, value.data);
      const next = this.nextIndent();
      if (next < indent) break;
      if (next > indent) decline();
      at = this.starts[this.line]! + indent;
    }
    setRange(map, (map.items[0]!.key as Scalar).range![0], rangeEnd(map.items[map.items.length - 1]!.value as Value['node']));
    return { node: map, data };
  }

  /** A block sequence whose entries' dashes stand at column `indent`, from the next content line. */
  private sequence(indent: number): Value {
    const seq = new YAMLSeq();
    const data: unknown[] = [];
    const first = this.starts[this.line]! + indent;
    for (;;) {
      const dash = this.starts[this.line]! + indent;
      const end = this.ends[this.line]!;
      if (!this.isEntry(dash, end)) decline();
      const after = this.skipSpaces(dash + 1, end);
      let value: Value;
      if (after < end && this.text[after] !== '#') {
        if (this.isEntry(after, end)) decline();
        if (this.startsKey(after, end)) {
          value = this.mapping(after - this.starts[this.line]!, after);
        } else {
          this.line++;
          value = this.inline(after, end);
        }
      } else {
        this.line++;
        const next = this.nextIndent();
        value = next > indent ? this.block(next) : empty(after);
      }
      seq.items.push(value.node);
      data.push(value.data);
      const next = this.nextIndent();
      if (next < indent) break;
      if (next > indent) decline();
    }
    setRange(seq, first, rangeEnd(seq.items[seq.items.length - 1] as Value['node']));
    return { node: seq, data };
  }

  /** Whether a key and its colon start at `at`; the key ends at `KEY.lastIndex`. */
  private startsKey(at: number, end: number): boolean {
    KEY.lastIndex = at;
    if (!KEY.test(this.text)) return false;
    const colon = KEY.lastIndex;
    return colon < end && this.text.charCodeAt(colon) === 0x3a && (colon + 1 === end || this.text.charCodeAt(colon + 1) === 0x20);
  }

  private key(at: number, end: number): { node: Scalar; value: string; colon: number } {
    if (!this.startsKey(at, end)) decline();
    const colon = KEY.lastIndex;
    const value = this.text.slice(at, colon);
    if (value.length > MAX_KEY_LENGTH || !isString(value)) decline();
    return { node: scalar(value, value, 'PLAIN', at, colon), value, colon };
  }

  /** A value that starts at `at` and ends on this line, before an optional comment. */
  private inline(at: number, end: number): Value {
    const c = this.text[at];
    if (c !== '[' && c !== '{' && c !== '"' && c !== "'") {
      let stop = end;
      for (let i = at; i < end; i++) {
        const d = this.text.charCodeAt(i);
        if (d === 0x23 && this.text.charCodeAt(i - 1) === 0x20) {
          stop = i;
          break;
        }
        // `: ` or a final `:` would make the scalar a key.
        if (d === 0x3a && (i + 1 === end || this.text.charCodeAt(i + 1) === 0x20)) decline();
      }
      return this.plain(at, trimEnd(this.text, at, stop));
    }
    const { value, close } = c === '"' || c === "'" ? this.quoted(at, end) : this.flow(at, end);
    const rest = this.skipSpaces(close, end);
    if (rest < end && (this.text[rest] !== '#' || rest === close)) decline();
    return value;
  }

  /** A plain scalar spanning [at, end). */
  private plain(at: number, end: number): Value {
    const source = this.text.slice(at, end);
    if (NOT_PLAIN_START.has(source[0]!) && !(source[0] === '-' && source.length > 1 && source[1] !== ' ')) decline();
    const value = resolved(source);
    return { node: scalar(value, source, 'PLAIN', at, end), data: value };
  }

  private quoted(at: number, end: number): { value: Value; close: number } {
    const quote = this.text[at]!;
    let value = '';
    let from = at + 1;
    for (;;) {
      const close = this.text.indexOf(quote, from);
      if (close === -1 || close >= end) decline();
      if (quote === "'" && this.text[close + 1] === "'") {
        value += this.text.slice(from, close + 1);
        from = close + 2;
        continue;
      }
      value += this.text.slice(from, close);
      if (quote === '"' && value.includes('\\')) decline();
      return { value: { node: scalar(value, value, quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', at, close + 1), data: value }, close: close + 1 };
    }
  }

  /** A flow sequence or mapping, closed on this line. */
  private flow(at: number, end: number): { value: Value; close: number } {
    const isMap = this.text[at] === '{';
    const closer = isMap ? '}' : ']';
    const node = isMap ? new YAMLMap() : new YAMLSeq();
    node.flow = true;
    const data: unknown = isMap ? {} : [];
    let i = this.skipSpaces(at + 1, end);
    if (this.text[i] !== closer) {
      for (;;) {
        if (isMap) {
          const key = this.key(i, end);
          i = this.skipSpaces(key.colon + 1, end);
          const item = i < end && this.text[i] !== ',' && this.text[i] !== closer ? this.flowItem(i, end) : { value: empty(i), next: i };
          (node as YAMLMap).items.push(new Pair(key.node, item.value.node));
          setKey(data as Record<string, unknown>, key.value, item.value.data);
          i = item.next;
        } else {
          const item = this.flowItem(i, end);
          (node as YAMLSeq).items.push(item.value.node);
          (data as unknown[]).push(item.value.data);
          i = item.next;
        }
        i = this.skipSpaces(i, end);
        if (this.text[i] === closer) break;
        if (this.text[i] !== ',') decline();
        i = this.skipSpaces(i + 1, end);
        if (i >= end || this.text[i] === closer) decline();
      }
    }
    setRange(node, at, i + 1);
    return { value: { node, data }, close: i + 1 };
  }

  /** A collection, quoted or plain scalar inside a flow collection; `next` is where it ends. */
  private flowItem(at: number, end: number): { value: Value; next: number } {
    const c = this.text[at];
    if (c === '[' || c === '{') {
      const { value, close } = this.flow(at, end);
      return { value, next: close };
    }
    if (c === '"' || c === "'") {
      const { value, close } = this.quoted(at, end);
      return { value, next: close };
    }
    let stop = at;
    while (stop < end && !',[]{}:#'.includes(this.text[stop]!)) stop++;
    if (stop >= end || this.text[stop] === ':' || this.text[stop] === '#' || this.text[stop] === '[' || this.text[stop] === '{') decline();
    const last = trimEnd(this.text, at, stop);
    if (last === at) decline();
    return { value: this.plain(at, last), next: stop };
  }

  private skipSpaces(at: number, end: number): number {
    while (at < end && this.text.charCodeAt(at) === 0x20) at++;
    return at;
  }
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && text.charCodeAt(end - 1) === 0x20) end--;
  return end;
}

/** What the core schema makes of a plain scalar that is neither a collection nor quoted. */
function resolved(source: string): unknown {
  if (NULL.test(source)) return null;
  if (BOOLEAN.test(source)) return source[0] === 't' || source[0] === 'T';
  if (INTEGER.test(source)) {
    const sign = source[0];
    const digits = parseInt(sign === '-' || sign === '+' ? source.slice(1) : source, 10);
    return sign === '-' ? -1 * digits : digits;
  }
  if (FLOAT.test(source)) return parseFloat(source);
  if (OTHER_NUMBER.test(source)) decline();
  return source;
}

/** A key the core schema would read as a string. */
function isString(source: string): boolean {
  return typeof resolved(source) === 'string';
}

function scalar(value: unknown, source: string, type: Scalar.Type, start: number, end: number): Scalar {
  const node = new Scalar(value);
  node.source = source;
  node.type = type;
  node.range = [start, end, end];
  return node;
}

/** The null of a key or entry with no value: yaml places it at the first character after the indicator and its spaces. */
function empty(at: number): Value {
  return { node: scalar(null, '', 'PLAIN', at, at), data: null };
}

function setRange(node: YAMLMap | YAMLSeq, start: number, end: number): void {
  node.range = [start, end, end];
}

function rangeEnd(node: Value['node']): number {
  return node.range![1];
}

/** As yaml's toJS: a key that names an inherited property (`__proto__`, `constructor`) becomes an own property. */
function setKey(data: Record<string, unknown>, key: string, value: unknown): void {
  if (key in data) Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true });
  else data[key] = value;
}

/**
 * Gives the yaml library's block collections the ranges this reader gives
 * them: a block collection ends where its last value ends.
 */
export function blockEnds(node: unknown): void {
  const stack: unknown[] = [node];
  const order: (YAMLMap | YAMLSeq)[] = [];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current instanceof YAMLMap || current instanceof YAMLSeq) {
      order.push(current);
      for (const item of current.items as unknown[]) stack.push(item instanceof Pair ? item.value : item);
    }
  }
  // Children before parents, so a parent reads its last child's settled end.
  for (let i = order.length - 1; i >= 0; i--) {
    const collection = order[i]!;
    if (collection.flow || collection.items.length === 0 || !collection.range) continue;
    const lastItem = collection.items[collection.items.length - 1] as unknown;
    const last = (lastItem instanceof Pair ? lastItem.value : lastItem) as { range?: [number, number, number] } | null;
    if (last?.range) collection.range = [collection.range[0], last.range[1], last.range[1]];
  }
}
