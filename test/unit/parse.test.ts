import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, parseSource, tooLarge } from '../../compiler/parse.js';
import type { Diagnostic } from '../../spec/diagnostic.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (text: string, kind: 'service' | 'platform' = 'service') => parseSource('svc/service.yaml', bytes(text), kind);

/** The one diagnostic a bad input must produce, with file, range and hint present. */
function only(diagnostics: readonly Diagnostic[]): Diagnostic {
  expect(diagnostics).toHaveLength(1);
  const d = diagnostics[0]!;
  expect(d.file).toBe('svc/service.yaml');
  expect(d.range).toBeDefined();
  expect(d.hint).toEqual(expect.any(String));
  expect(d.severity).toBe('error');
  return d;
}

// First in the file on purpose: see the note on the 100,000-deep case below.
describe('parseSource on pathological nesting', () => {
  // Parse once per process. A second parse of this input in the same process, or a parse
  // after some other inputs (a tab-indented file, for one), aborts Node with
  // "FATAL ERROR: RegExpCompiler Allocation failed" (reported to the lead), which no test can catch.
  const deepFlow = parseSource('svc/service.yaml', bytes('['.repeat(1e5)), 'service');

  it('returns LOAD diagnostics, each with file, range and hint, for 100,000-deep flow nesting instead of throwing', () => {
    expect(deepFlow.file).toBeUndefined();
    expect(deepFlow.diagnostics.length).toBeGreaterThan(0);
    for (const d of deepFlow.diagnostics) {
      expect(d.code).toMatch(/^LOAD\./);
      expect(d.file).toBe('svc/service.yaml');
      expect(d.range?.line).toBe(1);
      expect(d.hint).toEqual(expect.any(String));
    }
  });

  it('reports 100,000-deep flow nesting as one LOAD.TOO_DEEP diagnostic on line 1', () => {
    expect(deepFlow.diagnostics.map((d) => [d.code, d.range?.line])).toEqual([['LOAD.TOO_DEEP', 1]]);
  });

  it('reports a mapping nested 40 levels deep as LOAD.TOO_DEEP at the first node past 32 levels', () => {
    let text = 'root:\n';
    for (let depth = 1; depth <= 40; depth++) text += `${'  '.repeat(depth)}k${depth}:\n`;
    text += `${'  '.repeat(41)}leaf\n`;
    const d = only(parse(text).diagnostics);
    expect(d.code).toBe('LOAD.TOO_DEEP');
    expect(d.message).toBe('value nests more than 32 levels deep');
    expect(d.hint).toBe('flatten the value; no spec field nests this deep');
    // root is depth 1, k1 holds depth 2 ... the value of k32 is depth 33: k33 on line 34.
    expect(d.range).toMatchObject({ line: 34, col: 67 });
  });
});

describe('parseSource on valid input', () => {
  it('parses a valid file to plain data in file.data with no diagnostics', () => {
    const parsed = parse('name: orders\nport: 8080\npaths: ["/", "/api"]\npublic: false\n');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.file?.data).toEqual({ name: 'orders', port: 8080, paths: ['/', '/api'], public: false });
    expect(parsed.file?.path).toBe('svc/service.yaml');
    expect(parsed.file?.kind).toBe('service');
  });

  it('reads yes, on and no as strings, since specs are YAML 1.2', () => {
    expect(parse('a: yes\nb: on\nc: no\n').file?.data).toEqual({ a: 'yes', b: 'on', c: 'no' });
  });

  it('strips a byte order mark from the text and the data', () => {
    const parsed = parse('\uFEFFname: orders\n');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.file?.data).toEqual({ name: 'orders' });
    expect(parsed.file?.text).toBe('name: orders\n');
  });

  it('accepts CRLF line endings and counts lines as the editor shows them', () => {
    const parsed = parse('\uFEFFa: 1\r\nb: 2\r\n');
    expect(parsed.file?.data).toEqual({ a: 1, b: 2 });
    const text = parsed.file!.text;
    expect(parsed.file!.lineCounter.linePos(text.indexOf('b'))).toEqual({ line: 2, col: 1 });
  });

  it('positions a diagnostic in a file with a BOM and CRLF endings on the right line and column', () => {
    const d = only(parse('\uFEFFa: 1\r\nb: 2\r\nb: 3\r\n').diagnostics);
    expect(d.code).toBe('LOAD.DUPLICATE_KEY');
    expect(d.range).toEqual({ line: 3, col: 1, endLine: 3, endCol: 2 });
  });
});

describe('parseSource size and encoding checks', () => {
  it('rejects a file one byte over 1 MiB with LOAD.TOO_LARGE and does not parse or decode it', () => {
    // Invalid UTF-8 and invalid YAML: any parsing would report something else.
    const parsed = parseSource('svc/service.yaml', new Uint8Array(MAX_FILE_BYTES + 1).fill(0xff), 'service');
    expect(parsed.diagnostics).toEqual([tooLarge('svc/service.yaml', MAX_FILE_BYTES + 1)]);
    expect(parsed.file).toBeUndefined();
    expect(parsed.text).toBeUndefined();
  });

  it('accepts a file of exactly 1 MiB as far as size goes', () => {
    const parsed = parseSource('svc/service.yaml', new Uint8Array(MAX_FILE_BYTES).fill(0x20), 'service');
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['LOAD.EMPTY']);
  });

  it('describes an oversized file with tooLarge: code, size, limit, hint and a line 1 range', () => {
    expect(MAX_FILE_BYTES).toBe(1048576);
    expect(tooLarge('big/service.yaml', 2_000_000)).toEqual({
      code: 'LOAD.TOO_LARGE',
      severity: 'error',
      message: 'file is 2000000 bytes; the limit is 1048576 bytes (1 MiB)',
      hint: 'a spec this large is almost certainly a mistake; keep data out of it',
      file: 'big/service.yaml',
      range: { line: 1, col: 1, endLine: 1, endCol: 2 },
    });
  });

  it('reports invalid UTF-8 as LOAD.ENCODING at the line and column of the bad byte', () => {
    const input = new Uint8Array([...bytes('name: orders\ndesc: ab'), 0xff, 0xfe, ...bytes('\n')]);
    const parsed = parseSource('svc/service.yaml', input, 'service');
    const d = only(parsed.diagnostics);
    expect(d.code).toBe('LOAD.ENCODING');
    expect(d.message).toBe('file is not valid UTF-8');
    expect(d.hint).toBe('save the file as UTF-8');
    expect(d.range).toEqual({ line: 2, col: 9, endLine: 2, endCol: 10 });
    expect(parsed.file).toBeUndefined();
  });

  it('counts the column of a bad byte after a CRLF from the start of its own line', () => {
    const d = only(parseSource('svc/service.yaml', new Uint8Array([...bytes('a: 1\r\nbb: x'), 0xc3]), 'service').diagnostics);
    expect(d.range).toEqual({ line: 2, col: 6, endLine: 2, endCol: 7 });
  });

  it('reports the bad byte, not an earlier genuine U+FFFD character, as the LOAD.ENCODING position', () => {
    const d = only(parseSource('svc/service.yaml', new Uint8Array([...bytes('a: \uFFFD\nb: x'), 0xff]), 'service').diagnostics);
    expect(d.range).toMatchObject({ line: 2, col: 5 });
  });
});

describe('parseSource rejects YAML features specs do not use', () => {
  it('rejects a %YAML 1.1 directive with LOAD.DIRECTIVE on line 1', () => {
    const d = only(parse('%YAML 1.1\n---\nenabled: yes\n').diagnostics);
    expect(d.code).toBe('LOAD.DIRECTIVE');
    expect(d.message).toBe('YAML directive "%YAML 1.1" is not allowed');
    expect(d.hint).toBe('remove the line: paved reads every spec as YAML 1.2');
    expect(d.range).toEqual({ line: 1, col: 1, endLine: 1, endCol: 10 });
  });

  it('rejects a second document with LOAD.MULTIPLE_DOCUMENTS on the line of the second ---', () => {
    const d = only(parse('a: 1\nb: 2\n---\nc: 3\n').diagnostics);
    expect(d.code).toBe('LOAD.MULTIPLE_DOCUMENTS');
    expect(d.message).toBe('file contains more than one YAML document');
    expect(d.hint).toBe('keep one document per file: one service.yaml per service');
    expect(d.range).toEqual({ line: 3, col: 1, endLine: 3, endCol: 4 });
  });

  it('reports only the second --- when the first document also starts with ---, and not the third', () => {
    const d = only(parse('---\na: 1\n---\nb: 2\n---\nc: 3\n').diagnostics);
    expect(d.code).toBe('LOAD.MULTIPLE_DOCUMENTS');
    expect(d.range?.line).toBe(3);
  });

  it('reports anchors and aliases once, as LOAD.ALIAS at the first anchor, counting the others', () => {
    const d = only(parse('base: &b 250m\ncpu: *b\nlimit: *b\nother: &c x\n').diagnostics);
    expect(d.code).toBe('LOAD.ALIAS');
    expect(d.message).toBe('anchor "&b" is not allowed (nor are the 3 other anchors and aliases in this file)');
    expect(d.hint).toBe('write values out in full: anchors and aliases make specs hard to review and can explode in size');
    expect(d.range).toMatchObject({ line: 1, col: 10 });
  });

  it('reports a lone anchor as LOAD.ALIAS without counting others', () => {
    const d = only(parse('cpu: &b 250m\n').diagnostics);
    expect(d.code).toBe('LOAD.ALIAS');
    expect(d.message).toBe('anchor "&b" is not allowed');
  });

  it('rejects a << merge key with LOAD.MERGE_KEY at the key', () => {
    const d = only(parse('resources:\n  <<: { cpu: 250m }\n').diagnostics);
    expect(d.code).toBe('LOAD.MERGE_KEY');
    expect(d.message).toBe('merge key "<<" is not allowed');
    expect(d.hint).toBe('write the keys out in full; YAML 1.2 has no merge keys');
    expect(d.range).toEqual({ line: 2, col: 3, endLine: 2, endCol: 5 });
  });

  it.each([
    ['a custom !Ref tag', 'description: !Ref Name\n', 'tag "!Ref" is not allowed', 1],
    ['a !!binary tag', 'banner: !!binary aGVsbG8=\n', 'tag "!!binary" is not allowed', 1],
    ['a !!str tag', 'env:\n  PORT: !!str 8080\n', 'tag "!!str" is not allowed', 2],
  ])('rejects %s with LOAD.TAG', (_, text, message, line) => {
    const d = only(parse(text).diagnostics);
    expect(d.code).toBe('LOAD.TAG');
    expect(d.message).toBe(message);
    expect(d.hint).toBe('remove the tag; if you need a string, quote the value');
    expect(d.range?.line).toBe(line);
  });

  it('rejects duplicate keys with LOAD.DUPLICATE_KEY at the second key', () => {
    const d = only(parse('runtime:\n  port: 8080\n  language: go\n  port: 9090\n').diagnostics);
    expect(d.code).toBe('LOAD.DUPLICATE_KEY');
    expect(d.message).toBe('map keys must be unique');
    expect(d.hint).toBe('remove or rename one of the two keys; YAML keeps only one of them');
    expect(d.range).toMatchObject({ line: 4, col: 3 });
  });

  it('reports any other YAML syntax error as LOAD.YAML_SYNTAX where it is', () => {
    const d = only(parse('env:\n  LOG_LEVEL: [info, debug\n').diagnostics);
    expect([d.code, d.hint, d.range?.line]).toEqual(['LOAD.YAML_SYNTAX', 'fix the YAML syntax at this position', 3]);
  });

  it('rejects tab indentation with LOAD.TAB on the tab-indented line', () => {
    const d = only(parse('env:\n\tLOG_LEVEL: info\n').diagnostics);
    expect(d.code).toBe('LOAD.TAB');
    expect(d.message).toBe('tabs are not allowed as indentation');
    expect(d.hint).toBe('indent with spaces; YAML forbids tabs in indentation');
    expect(d.range).toMatchObject({ line: 2, col: 1 });
  });

  it('rejects a complex key ? [a, b] : c with LOAD.NON_STRING_KEY at the key', () => {
    const d = only(parse('env:\n  ? [a, b]\n  : c\n').diagnostics);
    expect(d.code).toBe('LOAD.NON_STRING_KEY');
    expect(d.message).toBe('with stringKeys, all keys must be strings');
    expect(d.hint).toBe('use plain strings as keys');
    expect(d.range).toMatchObject({ line: 2, col: 5 });
  });
});

describe('parseSource on empty documents', () => {
  it.each([
    ['an empty file', ''],
    ['a file with only a comment', '# nothing yet\n'],
    ['a ~ document', '~\n'],
    ['a null document', 'null\n'],
  ])('reports %s as LOAD.EMPTY at line 1 and keeps the text for the snippet', (_, text) => {
    const parsed = parse(text);
    const d = only(parsed.diagnostics);
    expect(d.code).toBe('LOAD.EMPTY');
    expect(d.message).toBe('file is empty');
    expect(d.hint).toBe('start from `paved init`, or write at least apiVersion, kind, name, owner and runtime');
    expect(d.range).toEqual({ line: 1, col: 1, endLine: 1, endCol: 2 });
    expect(parsed.file).toBeUndefined();
    expect(parsed.text).toBe(text);
  });

  it('hints at the embedded default platform for an empty platform.yaml', () => {
    const d = only(parseSource('svc/service.yaml', bytes(''), 'platform').diagnostics);
    expect(d.hint).toBe('write at least `apiVersion: paved/v1` and `kind: Platform`, or delete the file to use the embedded default platform');
  });
});
