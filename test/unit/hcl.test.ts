import { describe, expect, it } from 'vitest';
import {
  attribute,
  attributes,
  block,
  call,
  escapeString,
  map,
  object,
  printFile,
  raw,
  ref,
  template,
  toPlain,
  type Expression,
} from '../../emitters/shared/hcl.js';

describe('HCL strings', () => {
  it('escapes Terraform template sequences: ${ becomes $${ and %{ becomes %%{', () => {
    expect(escapeString('a ${var.x} b %{ if true } c')).toBe('a $${var.x} b %%{ if true } c');
  });

  it('leaves a lone $ or % alone, since only ${ and %{ start a template', () => {
    expect(escapeString('cost $5, 100% done, {braces}')).toBe('cost $5, 100% done, {braces}');
  });

  it('escapes quotes, backslashes, line breaks, tabs and other control characters', () => {
    expect(escapeString('say "hi" \\ there\nnext\r\tend\u0007\u007f')).toBe('say \\"hi\\" \\\\ there\\nnext\\r\\tend\\u0007\\u007f');
  });

  it('escapes a template sequence that follows a backslash, and $${ already doubled stays literal text', () => {
    expect(escapeString('\\${x}')).toBe('\\\\$${x}');
    expect(escapeString('$${x}')).toBe('$$${x}');
  });

  it('keeps non-ASCII text as it is', () => {
    expect(escapeString('Größe 東京')).toBe('Größe 東京');
  });

  it('escapes the literal parts of a template but not its interpolations', () => {
    expect(printFile([attribute('a', template('${not} "q" ', ref('var', 'x'), '/*'))])).toBe('a = "$${not} \\"q\\" ${var.x}/*"\n');
  });
});

describe('HCL printer', () => {
  it('aligns = across a run of single-line attributes, as terraform fmt does', () => {
    expect(printFile([block('resource', ['a', 'b'], attributes({ x: 1, longer_name: true, s: 'v' }))])).toBe(
      'resource "a" "b" {\n  x           = 1\n  longer_name = true\n  s           = "v"\n}\n',
    );
  });

  it('ends a run at a multi-line attribute, which is not padded, and starts a new one after it', () => {
    const text = printFile([block('r', [], attributes({ a: 1, long_name: object({ k: 'v' }), b: 2, cc: 3 }))]);
    expect(text).toBe('r {\n  a = 1\n  long_name = {\n    k = "v"\n  }\n  b  = 2\n  cc = 3\n}\n');
  });

  it('separates attributes from nested blocks and blocks from each other with one blank line', () => {
    const text = printFile([block('r', [], [attribute('a', 1), block('inner', [], [attribute('b', 2)]), block('empty', [], []), attribute('c', 3)])]);
    expect(text).toBe('r {\n  a = 1\n\n  inner {\n    b = 2\n  }\n\n  empty {}\n\n  c = 3\n}\n');
  });

  it('prints jsonencode of an object with the object on the call line and its keys quoted only when needed', () => {
    const text = printFile([
      attribute('policy', call('jsonencode', object({ Version: '2012-10-17', Statement: [object({ 'aws:SourceArn': ref('var', 'arn') })] }))),
    ]);
    expect(text).toBe('policy = jsonencode({\n  Version = "2012-10-17"\n  Statement = [\n    {\n      "aws:SourceArn" = var.arn\n    },\n  ]\n})\n');
  });

  it('keeps one element or up to three literals on one line, and puts anything longer one element per line, whatever the width', () => {
    expect(printFile([attribute('a', ['x', 'y', 3])])).toBe('a = ["x", "y", 3]\n');
    expect(printFile([attribute('a', [ref('var', 'y')])])).toBe('a = [var.y]\n');
    expect(printFile([attribute('a', ['x', ref('var', 'y')])])).toBe('a = [\n  "x",\n  var.y,\n]\n');
    const four = ['a', 'b', 'c', 'd'];
    expect(printFile([attribute('a', four)])).toBe(`a = [\n${four.map((s) => `  "${s}",\n`).join('')}]\n`);
    expect(printFile([attribute('a', ['x'.repeat(200)])])).toBe(`a = ["${'x'.repeat(200)}"]\n`);
  });

  it('sorts map keys by code unit, and keeps object keys in author order', () => {
    expect(toPlain(map({ b: 1, B: 2, a: 3 }))).toEqual({ B: 2, a: 3, b: 1 });
    expect(Object.keys(toPlain(map({ b: 1, B: 2, a: 3 })) as object)).toEqual(['B', 'a', 'b']);
    expect(Object.keys(toPlain(object({ b: 1, a: 2 })) as object)).toEqual(['b', 'a']);
  });

  it("reads a `__proto__` key of an object as a key, not as the plain object's prototype", () => {
    // Built as entries: an object literal's `__proto__` key would set its prototype before toPlain sees it.
    const inner: Expression = { kind: 'object', entries: [['__proto__', 1]] };
    const plain = toPlain({
      kind: 'object',
      entries: [
        ['__proto__', object({ Effect: 'Allow' })],
        ['a', call('jsonencode', inner)],
      ],
    });
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(JSON.stringify(plain)).toBe('{"__proto__":{"Effect":"Allow"},"a":{"__proto__":1}}');
  });

  it('quotes object keys that are not identifiers or that are keywords', () => {
    expect(printFile([attribute('m', map({ 'order-created': 1, 'a.b': 2, true: 3, x_1: 4 }))])).toBe(
      'm = {\n  "a.b"         = 2\n  order-created = 1\n  "true"        = 3\n  x_1           = 4\n}\n',
    );
  });

  it('prints comments above a block, and an empty object as {}', () => {
    expect(printFile([block('r', [], [attribute('o', object({}))], ['why', ''])])).toBe('# why\n#\nr {\n  o = {}\n}\n');
  });

  it('prints decimals in their shortest exact form and -0 as 0, and refuses numbers Terraform would read differently', () => {
    expect(printFile([attribute('a', 1.5), attribute('b', 0.1), attribute('c', 1e-7), attribute('d', -0)])).toBe('a = 1.5\nb = 0.1\nc = 1e-7\nd = 0\n');
    expect(() => printFile([attribute('a', 2 ** 53)])).toThrow('HCL printer: 9007199254740992 is too large to write exactly (over 2^53)');
    expect(() => printFile([attribute('a', Number.NaN)])).toThrow('HCL printer: NaN is not a number HCL can write');
    expect(() => printFile([attribute('a', Number.POSITIVE_INFINITY)])).toThrow('HCL printer: Infinity is not a number HCL can write');
  });

  it('refuses an attribute name, block type or function name that is not an identifier, since it would print syntax', () => {
    expect(() => printFile([attribute('a\nresource "x" "y" {}\nb', 1)])).toThrow(
      'HCL printer: "a\\nresource \\"x\\" \\"y\\" {}\\nb" is not an identifier, so it cannot be an attribute name',
    );
    expect(() => printFile([attribute('a = 1', 1)])).toThrow(/is not an identifier, so it cannot be an attribute name/);
    expect(() => printFile([block('r {', [], [])])).toThrow('HCL printer: "r {" is not an identifier, so it cannot be a block type');
    expect(() => printFile([attribute('a', call('f) + g(', 1))])).toThrow('HCL printer: "f) + g(" is not an identifier, so it cannot be a function name');
  });

  it('prints multi-line and control-character comments as comment lines only', () => {
    expect(printFile([block('r', [], [], ['one\ntwo', 'cr\rnel\u0085ls\u2028end', 'bell\u0007'])])).toBe(
      '# one\n# two\n# cr\n# nel\n# ls\n# end\n# bell\\u0007\nr {}\n',
    );
  });

  it('reads references and templates back as ${...} text, and jsonencode as its argument', () => {
    expect(toPlain(call('jsonencode', object({ a: raw('var.x'), b: template('p-', raw('var.y')) })))).toEqual({ a: '${var.x}', b: 'p-${var.y}' });
  });
});
