import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Node } from 'yaml';
import { blockEnds, readBlockYaml } from './block-yaml.js';
import type { DiagnosticCode } from '../spec/diagnostic-codes.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import { offsetRange } from './positions.js';
import type { SourceFile } from './source.js';

/** Specs are small; anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** No honest spec nests this deep; the YAML composer is recursive. */
export const MAX_DEPTH = 32;
/**
 * Lines plus commas: an upper bound on a file's YAML entries, counted before the
 * parser runs (it spends ~10 µs per entry, so 1 MiB of one-line entries took
 * 2 s). The largest service.yaml the schema's list bounds admit stays well below it.
 */
export const MAX_ENTRIES = 25_000;

const YAML_ERROR_CODES: Readonly<Record<string, DiagnosticCode>> = {
  DUPLICATE_KEY: 'LOAD.DUPLICATE_KEY',
  TAB_AS_INDENT: 'LOAD.TAB',
  NON_STRING_KEY: 'LOAD.NON_STRING_KEY',
  MULTIPLE_DOCS: 'LOAD.MULTIPLE_DOCUMENTS',
  RESOURCE_EXHAUSTION: 'LOAD.TOO_DEEP',
  KEY_OVER_1024_CHARS: 'LOAD.KEY_TOO_LONG',
};

const YAML_ERROR_HINTS: Readonly<Partial<Record<DiagnosticCode, string>>> = {
  'LOAD.DUPLICATE_KEY': 'remove or rename one of the two keys; YAML keeps only one of them',
  'LOAD.TAB': 'indent with spaces; YAML forbids tabs in indentation',
  'LOAD.NON_STRING_KEY': 'use plain strings as keys',
  'LOAD.MULTIPLE_DOCUMENTS': 'keep one document per file: one service.yaml per service',
  'LOAD.KEY_TOO_LONG': 'keys are short names; if this text is a value, give it a short key and put it after the colon',
};

/** How the yaml library reads specs. */
export const YAML_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: false,
  // yaml compares each key with every earlier one (quadratic: 60,000 keys took 15 s); duplicateKeys below uses a set.
  uniqueKeys: false,
  stringKeys: true,
  strict: true,
  prettyErrors: false,
  keepSourceTokens: false,
} as const;

export interface Parsed {
  readonly file?: SourceFile;
  /** The decoded text, also when it does not parse, so diagnostics can show it. */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses one spec file strictly: YAML 1.2 core schema, one document, no
 * directives, anchors, aliases, merge keys or tags, unique string keys, no tabs.
 * Pure: the caller reads the bytes.
 */
export function parseSource(path: string, bytes: Uint8Array, kind: SourceFile['kind']): Parsed {
  const at = (code: DiagnosticCode, message: string, hint: string, line = 1, col = 1): Parsed => ({
    diagnostics: [{ code, severity: 'error', message, hint, file: path, range: { line, col, endLine: line, endCol: col + 1 } }],
  });
  if (bytes.byteLength > MAX_FILE_BYTES) return { diagnostics: [tooLarge(path, bytes.byteLength)] };
  const invalidAt = firstInvalidUtf8Byte(bytes);
  if (invalidAt !== undefined) {
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, invalidAt));
    const { line, col } = lineCol(before, before.length);
    return { ...at('LOAD.ENCODING', 'file is not valid UTF-8', 'save the file as UTF-8', line, col), text: new TextDecoder('utf-8').decode(bytes) };
  }
  const decoded = new TextDecoder('utf-8').decode(bytes);
  const text = decoded.startsWith('\uFEFF') ? decoded.slice(1) : decoded;
  const failed = (diagnostics: Diagnostic[]): Parsed => ({ text, diagnostics: dedupe(diagnostics) });

  const crowded = entryLimitOffset(text);
  if (crowded !== undefined) {
    const { line, col } = lineCol(text, crowded);
    return {
      ...at(
        'LOAD.TOO_MANY_ENTRIES',
        `file holds more than ${MAX_ENTRIES} lines and commas`,
        'a spec this long is generated or an attack: every list in a spec is bounded (docs/reference/service.md, Limits); split the data out of the spec',
        line,
        col,
      ),
      text,
    };
  }

  // The yaml composer recurses; measure nesting on the raw text before it runs.
  const deep = deepNestingOffset(text);
  if (deep !== undefined) {
    const { line, col } = lineCol(text, deep);
    return { ...at('LOAD.TOO_DEEP', `value nests more than ${MAX_DEPTH} levels deep`, 'flatten the value; no spec field nests this deep', line, col), text };
  }

  // A `%` in column 0 can only start a directive: plain scalars cannot begin with it.
  const directive = /^%[^\r\n]*/m.exec(text);
  if (directive) {
    const { line, col } = lineCol(text, directive.index);
    const found = at(
      'LOAD.DIRECTIVE',
      `YAML directive "${directive[0].trim()}" is not allowed`,
      'remove the line: paved reads every spec as YAML 1.2',
      line,
      col,
    );
    const d = found.diagnostics[0]!;
    return { text, diagnostics: [{ ...d, range: { line, col, endLine: line, endCol: col + directive[0].length } }] };
  }

  // Specs as they are written are read without the yaml library (compiler/block-yaml.ts); it reads everything else.
  const fast = readBlockYaml(text);
  const lineCounter = fast?.lineCounter ?? new LineCounter();
  const fileStub = { path, kind, text, lineCounter } as SourceFile;
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, message: string, hint: string, start: number, end: number): void => {
    diagnostics.push({ code, severity: 'error', message, hint, file: path, range: offsetRange(fileStub, start, end) });
  };

  let contents: unknown;
  let data: () => unknown;
  if (fast) {
    contents = fast.contents;
    data = () => fast.data;
  } else {
    let documents;
    try {
      documents = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
    } catch (error) {
      if (error instanceof RangeError) {
        return { ...at('LOAD.TOO_DEEP', `file nests deeper than paved can read`, `keep nesting under ${MAX_DEPTH} levels`), text };
      }
      throw error;
    }
    if (!Array.isArray(documents) || documents.length === 0) return { text, ...emptyFile(path, kind) };
    if (documents.length > 1) {
      const second = documents[1]!.range[0];
      const marker = text.lastIndexOf('\n---', second);
      const start = marker >= 0 && marker + 1 >= documents[0]!.range[1] ? marker + 1 : second;
      report('LOAD.MULTIPLE_DOCUMENTS', 'file contains more than one YAML document', YAML_ERROR_HINTS['LOAD.MULTIPLE_DOCUMENTS']!, start, start + 3);
      return failed(diagnostics);
    }
    const doc = documents[0]!;
    for (const error of doc.errors) {
      const code = YAML_ERROR_CODES[error.code] ?? 'LOAD.YAML_SYNTAX';
      const hint = YAML_ERROR_HINTS[code] ?? 'fix the YAML syntax at this position';
      const message =
        code === 'LOAD.KEY_TOO_LONG' ? 'key is longer than 1024 characters, the most YAML allows for a key without "?"' : yamlMessage(error.message);
      report(code, message, hint, error.pos[0], error.pos[1]);
    }
    // The block reader's ranges: a block collection ends where its last value ends.
    blockEnds(doc.contents);
    contents = doc.contents;
    data = () => doc.toJS({ maxAliasCount: 0 });
  }
  for (const key of duplicateKeys(contents)) report('LOAD.DUPLICATE_KEY', 'map keys must be unique', YAML_ERROR_HINTS['LOAD.DUPLICATE_KEY']!, key, key + 1);
  if (diagnostics.length > 0) return failed(diagnostics);

  const depthProblem = findDeepNode(contents);
  if (depthProblem?.range) {
    report(
      'LOAD.TOO_DEEP',
      `value nests more than ${MAX_DEPTH} levels deep`,
      'flatten the value; no spec field nests this deep',
      depthProblem.range[0],
      depthProblem.range[1],
    );
    return failed(diagnostics);
  }

  // One report for anchors and aliases: an alias bomb holds hundreds of them.
  let anchorsAndAliases = 0;
  let firstAnchor: { text: string; range: [number, number] } | undefined;
  visit(contents as Node, {
    Alias(_, node) {
      anchorsAndAliases++;
      firstAnchor ??= { text: `alias "*${node.source}"`, range: [node.range?.[0] ?? 0, node.range?.[1] ?? 0] };
    },
    Node(_, node) {
      if (node.anchor && node.range) {
        anchorsAndAliases++;
        firstAnchor ??= { text: `anchor "&${node.anchor}"`, range: [node.range[0], node.range[1]] };
      }
      if (node.tag && node.range) {
        report(
          'LOAD.TAG',
          `tag "${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')}" is not allowed`,
          'remove the tag; if you need a string, quote the value',
          node.range[0],
          node.range[1],
        );
      }
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.range) {
        report(
          'LOAD.MERGE_KEY',
          'merge key "<<" is not allowed',
          'write the keys out in full; YAML 1.2 has no merge keys',
          pair.key.range[0],
          pair.key.range[1],
        );
      }
    },
  });
  if (firstAnchor) {
    const more = anchorsAndAliases - 1;
    report(
      'LOAD.ALIAS',
      `${firstAnchor.text} is not allowed${more > 0 ? ` (${more === 1 ? 'nor is the other anchor or alias' : `nor are the ${more} other anchors and aliases`} in this file)` : ''}`,
      'write values out in full: anchors and aliases make specs hard to review and can explode in size',
      ...firstAnchor.range,
    );
  }
  if (diagnostics.length > 0) return failed(diagnostics);

  const value = data();
  if (value === null || value === undefined) return { text, ...emptyFile(path, kind) };
  return { file: { path, kind, text, contents: contents as Node, lineCounter, data: value }, text, diagnostics: [] };
}

function emptyFile(path: string, kind: SourceFile['kind']): { diagnostics: Diagnostic[] } {
  const hint =
    kind === 'service'
      ? 'start from `paved init`, or write at least apiVersion, kind, name, owner and runtime'
      : kind === 'platform'
        ? 'write at least `apiVersion: paved/v1` and `kind: Platform`, or delete the file to use the embedded default platform'
        : 'write `apiVersion: paved/v1` and `kind: Releases`, or delete the file';
  return {
    diagnostics: [{ code: 'LOAD.EMPTY', severity: 'error', message: 'file is empty', hint, file: path, range: { line: 1, col: 1, endLine: 1, endCol: 2 } }],
  };
}

/** A file over the size limit; callers check the size before reading the bytes. */
export function tooLarge(path: string, size: number): Diagnostic {
  return {
    code: 'LOAD.TOO_LARGE',
    severity: 'error',
    message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes (1 MiB)`,
    hint: 'a spec this large is almost certainly a mistake; keep data out of it',
    file: path,
    range: { line: 1, col: 1, endLine: 1, endCol: 2 },
  };
}

/** yaml's messages sometimes end with a source excerpt; we print our own. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** Offsets of every key that repeats an earlier key of its map, as yaml's `uniqueKeys` reports them, in linear time. */
function duplicateKeys(root: unknown): number[] {
  const offsets: number[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value) && pair.key.range) offsets.push(pair.key.range[0]);
          seen.add(pair.key.value);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return offsets;
}

function findDeepNode(root: unknown): Node | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isNode(node) || isAlias(node)) continue;
    if (depth > MAX_DEPTH) return node;
    if (isMap(node)) for (const pair of node.items) stack.push([pair.value, depth + 1]);
    else if ('items' in node && Array.isArray(node.items)) for (const item of node.items) stack.push([item, depth + 1]);
  }
  return undefined;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // Walk sequence by sequence and decode each one on its own.
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (length === 0 || i + length > bytes.length) return i;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
      i += length;
    }
    return undefined;
  }
}

/** Offset of the line break or comma that takes the count past MAX_ENTRIES. */
function entryLimitOffset(text: string): number | undefined {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x0a || c === 0x2c) && ++count > MAX_ENTRIES) return i;
  }
  return undefined;
}

/**
 * Where nesting first exceeds the limit: flow brackets outside quotes and
 * comments, or block indentation past what any spec needs.
 */
function deepNestingOffset(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      // Quoted scalars rarely span lines in a spec; ending them here keeps one stray apostrophe from hiding the rest.
      lineStart = true;
      indent = 0;
      quote = undefined;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-') {
        indent++;
        continue;
      }
      lineStart = false;
      if (indent > MAX_DEPTH * 4 && c !== '#' && c !== '\r') return i;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(text[i - 1]!))) {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}:${d.range?.line}:${d.range?.col}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
