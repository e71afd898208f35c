import { describe, expect, it } from 'vitest';
import { random } from '../../bench/synthetic.js';
import { emitters } from '../../cli/emitters.js';
import { compile } from '../../compiler/compile.js';
import { isPlainText, referenceYaml, toYaml } from '../../emitters/shared/serialize.js';
import { serializerProbe } from '../../emitters/shared/serializer-probe.js';
import { keyLine, scalarLine } from '../../emitters/shared/yaml-scalar.js';
import { caseRoot, goldenCases } from '../support/helpers.js';

/*
 * yaml-scalar.ts writes scalars and keys by the `yaml` library's rules instead
 * of asking it. The library (referenceYaml, a whole Document) is the judge:
 * every answer must be its bytes, and every value declined must be one the
 * library writes over several lines.
 */

/** The library's text for `value` under a key at column 0, if one line. */
function libraryLine(value: string | number | boolean): string | undefined {
  const text = referenceYaml({ k: value });
  return text.startsWith('k: ') && text.indexOf('\n') === text.length - 1 ? text.slice(3, -1) : undefined;
}

/** The library's text for a key of the document's map, or of a nested one; undefined when it writes `? `. */
function libraryKey(name: string, root: boolean): string | undefined {
  const text = root ? referenceYaml({ [name]: 0 }) : referenceYaml({ k: { [name]: 0 } }).slice('k:\n  '.length);
  return text.endsWith(': 0\n') && text.indexOf('\n') === text.length - 1 && !text.startsWith('? ') ? text.slice(0, -4) : undefined;
}

/** Holds scalarLine and keyLine to the library for one string; scalarLine declines exactly the strings with a line feed. */
function expectLibraryBytes(text: string): void {
  const line = scalarLine(text);
  expect([text, line]).toEqual([text, text.includes('\n') ? undefined : libraryLine(text)]);
  expect([text, keyLine(text, true), keyLine(text, false)]).toEqual([text, libraryKey(text, true), libraryKey(text, false)]);
}

/** Strings of the kinds service teams and platforms write, and of the kinds an attacker would. */
function adversarialCorpus(seed: number, count: number): string[] {
  const next = random(seed);
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const words = [
    ...'y Y yes Yes YES yEs n N no No NO true True TRUE tRUE false False FALSE on On ON oN off Off OFF null Null NULL nULL ~ <<'.split(' '),
    ...'.inf .Inf .INF -.inf +.inf .nan .NaN .NAN inf nan e3 E3 0o17 0o8 0x1F 0xg 0b101 -0b1 0b2 0755 0789 -0755 +12 1_000 1__0 _1 1e3 1E+3 1.e3 .5e-3 1.5 1. .5 ._ 1.2.3'.split(
      ' ',
    ),
    ...'12:30 1:30:59 190:20:30.15 -1:60 1:5 2024-01-01 2024-1-1 2024-01-01T10:00:00Z 2024-01-01 10:00:00.5 -05:00 2024-01-01t1:2:3+5'.split(' '),
    ...'8080 080 25% 0.0.0.0 10.0.0.0/8 ::1 [::1]:80 500m 1Gi 30s 1h 3d'.split(' '),
    'ghcr.io/x/y:tag',
    'ghcr.io/x/y@sha256:0123abcd',
    'http://x:1/y?z=1#f',
    'https://example.com/a b',
    '${{ github.sha }}',
    '${{ secrets.TOKEN }}',
    '$$HOME',
    'team=a,b',
    '*.example.com',
    "'quoted'",
    '"quoted"',
    "it's",
    'say "hi"',
    `both ' and "`,
    'key: value',
    'a #comment',
    'a#b',
    'a:b',
    'a:',
    '---',
    '--- x',
    '...',
    '...x',
    '\u2028---',
    'a\u2029...x',
    '%YAML 1.2',
    '- item',
    '-',
    '?',
    '? x',
    ':',
    '::',
    '|',
    '|-',
    '>',
    '!tag',
    '!!str',
    '&anchor',
    '*alias',
    '@at',
    '`tick`',
    '{a: 1}',
    '[1, 2]',
    'a,b',
    '',
    ' ',
    '  ',
    '\t',
    'é',
    'naïve café',
    '日本語',
    '😀',
    '\u00a0',
    '\ufeff',
    '\u200b',
    '\u202e',
    '\u2028',
    '\u2029',
    '\u0085',
    'back\\slash',
    '\\n',
    '\\u0041',
  ];
  const alphabet = [
    ...'aZeEnoOyYxXbB019_+-.:/ #,[]{}&*!|>\'"%@`?~=$()<\\'.split(''),
    '\t',
    '\n',
    '\r',
    '\r\n',
    ' \n',
    '\n ',
    '\u0000',
    '\u0007',
    '\u0008',
    '\u000b',
    '\u000c',
    '\u001b',
    '\u001f',
    '\u007f',
    '\u0080',
    '\u0085',
    '\u009f',
    '\u00a0',
    '\u00ad',
    '\u2028',
    '\u2029',
    '\u202e',
    '\ufeff',
    'é',
    '日',
    '😀',
    '\ud800',
    '\udfff',
    '\udc00\ud800',
  ];
  const mixed = (length: number): string => Array.from({ length }, () => pick(alphabet)).join('');
  const numberText = (): string => {
    const digits = String(int(10 ** (1 + int(9))));
    return (
      pick(['', '', '-', '+']) +
      pick([digits, `0${digits}`, `${digits}.${int(100)}`, `${digits}e${int(40)}`, `0x${int(1e6).toString(16)}`, digits.replace(/\B/, '_')])
    );
  };
  const corpus = [...words];
  while (corpus.length < count) {
    switch (int(6)) {
      case 0:
        corpus.push(mixed(1 + int(8)));
        break;
      case 1:
        corpus.push(pick(words) + mixed(int(3)) + pick(words));
        break;
      case 2:
        corpus.push(mixed(int(3)) + pick(words) + mixed(int(3)));
        break;
      case 3:
        corpus.push(numberText() + pick(['', '', '%', 'm', ' ', ':', 'e', '.0', '_']));
        break;
      case 4:
        corpus.push([pick(words), pick(words), pick(words)].join(pick([' ', ': ', ' #', ',', '/', '', '\n', '\t'])));
        break;
      default:
        // Around the 1,024 characters a key may take before the library writes `? `.
        corpus.push(pick(['', '"', "'", '\u0001', 'a: ']) + 'x'.repeat(1015 + int(12)) + pick(['', '"', '\u0001', ' ']));
    }
  }
  return corpus;
}

describe('the native YAML scalar writer', () => {
  it('writes every key and one-line scalar exactly as the library does, over 30,000 generated hostile strings', () => {
    const corpus = adversarialCorpus(22, 30_000);
    let native = 0;
    for (const text of corpus) {
      expectLibraryBytes(text);
      if (scalarLine(text) !== undefined) native++;
    }
    // Only text with a line feed is left to the library.
    expect(native).toBeGreaterThan(25_000);
  });

  it('writes numbers and booleans as the library does: integers, floats, exponents, extremes, not -0', () => {
    const next = random(5);
    const numbers = [
      0,
      1,
      -1,
      8080,
      0.5,
      -2.5,
      1e21,
      1e-7,
      5e-324,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_VALUE,
      0.1 + 0.2,
      123456789012345680000,
    ];
    for (let i = 0; i < 3000; i++)
      numbers.push((next() - 0.5) * 10 ** Math.floor(next() * 60 - 30), Math.floor((next() - 0.5) * 10 ** Math.floor(next() * 20)));
    for (const value of [...numbers, true, false]) expect([value, scalarLine(value)]).toEqual([value, libraryLine(value)]);
    expect([-0, NaN, Infinity, -Infinity].map(scalarLine)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('pins the shapes: plain, single quotes for a double quote, double quotes with YAML escapes, and keys escaping line feeds', () => {
    expect(['8080', 'no', '~', '<<', '2024-01-01', '1:30', '0o17', '.inf', '1_000', ''].map(scalarLine)).toEqual([
      '"8080"',
      '"no"',
      '"~"',
      '"<<"',
      '"2024-01-01"',
      '"1:30"',
      '"0o17"',
      '".inf"',
      '"1_000"',
      '""',
    ]);
    expect(['${{ github.sha }}', '"hi" she said', `'q'`, 'a: b', 'x #y', 'ghcr.io/x/y:tag', '---x', '\u2028'].map(scalarLine)).toEqual([
      '${{ github.sha }}',
      `'"hi" she said'`,
      `"'q'"`,
      '"a: b"',
      '"x #y"',
      'ghcr.io/x/y:tag',
      '---x',
      '\u2028',
    ]);
    expect(scalarLine('\u0000\u0007\u000b\u001b\u0001\t\u0085\ud800 "\'')).toBe('"\\0\\a\\v\\e\\x01\\t\u0085\\ud800 \\"\'"');
    expect([keyLine('a \nb', false), keyLine('say "hi"\n', false), keyLine('---x', true), keyLine('---x', false), keyLine('%x', false)]).toEqual([
      '"a\\ \\nb"',
      '"say \\"hi\\"\\n"',
      '"---x"',
      '---x',
      '"%x"',
    ]);
    expect([keyLine('x'.repeat(1024), true), keyLine(`"${'x'.repeat(1022)}`, false)]).toEqual(['x'.repeat(1024), undefined]);
  });

  it('leaves a nested key that starts like a document marker plain, as the library does, and quotes it at the root, after U+2028 too', () => {
    const value = { '---': { '...x': [{ '---y': 1 }] }, 'a\u2028...': 1 };
    expect(toYaml(value)).toBe('"---":\n  ...x:\n    - ---y: 1\n"a\u2028...": 1\n');
    expect(toYaml(value)).toBe(referenceYaml(value));
  });

  it('writes whole documents as the library does with the generated strings as keys and values at every depth', () => {
    const corpus = adversarialCorpus(23, 4_000);
    for (let i = 0; i + 4 <= corpus.length; i += 4) {
      const [a, b, c, d] = corpus.slice(i, i + 4) as [string, string, string, string];
      const value = { [a]: b, k: { [c]: [d, { [b]: a }], [d]: c } };
      expect(toYaml(value)).toBe(referenceYaml(value));
    }
  });
});

describe('the native YAML scalar writer on the golden cases', () => {
  /** Every value the golden cases' compiles handed to toYaml, with the text it returned. */
  const documents: { value: unknown; text: string }[] = [];
  serializerProbe.record = (serializer, value, text) => {
    if (serializer === 'yaml') documents.push({ value, text });
  };
  try {
    for (const name of goldenCases()) compile({ root: caseRoot(name), emitters });
  } finally {
    serializerProbe.record = undefined;
  }
  const scalars = new Set<string | number | boolean>();
  /** Each key with where it stood: the document's own map quotes more. */
  const keys = new Map<string, { name: string; root: boolean }>();
  const walk = (value: unknown, root: boolean): void => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, false));
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') scalars.add(value);
    else if (value !== null && typeof value === 'object')
      for (const [name, child] of Object.entries(value)) {
        // A commented scalar is { value, comment }: its value is walked as a scalar like any other.
        if (child === undefined) continue;
        keys.set(`${root}:${name}`, { name, root });
        walk(child, false);
      }
  };
  for (const { value } of documents) walk(value, true);

  it('the library writes every YAML document of the golden cases as toYaml did', () => {
    expect(documents.length).toBeGreaterThan(1500);
    for (const { value, text } of documents) expect(text).toBe(referenceYaml(value));
  });

  it('writes every scalar and key of the golden cases as the library does, and most of those the library used to write', () => {
    let native = 0;
    let quoted = 0;
    for (const value of scalars) {
      const line = scalarLine(value);
      expect([value, line]).toEqual([value, typeof value === 'string' && value.includes('\n') ? undefined : libraryLine(value)]);
      if (typeof value === 'string' && isPlainText(value)) continue;
      quoted++;
      if (line !== undefined) native++;
    }
    for (const { name, root } of keys.values()) expect([name, keyLine(name, root)]).toEqual([name, libraryKey(name, root)]);
    expect(scalars.size).toBeGreaterThan(3000);
    // Numbers, booleans and quoted or unusual one-line strings: all but the multi-line scripts and documents.
    expect(native / quoted).toBeGreaterThan(0.9);
  });
});
