import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { random, syntheticRepo } from '../../bench/synthetic.js';
import { HOSTILE_STRINGS } from '../../scripts/fuzz.js';
import { blockEnds, readBlockYaml } from '../../compiler/block-yaml.js';
import { YAML_OPTIONS } from '../../compiler/parse.js';
import { propertyCases, REPO } from '../support/helpers.js';

/** What paved reads of a node: kind, value, source, the first two range offsets, flow. */
function shape(node: unknown): unknown {
  if (isMap(node))
    return {
      map: node.items.map((pair) => [shape(pair.key), shape(pair.value)]),
      range: node.range?.slice(0, 2),
      flow: node.flow ?? false,
    };
  if (isSeq(node)) return { seq: node.items.map(shape), range: node.range?.slice(0, 2), flow: node.flow ?? false };
  if (isScalar(node)) return { value: node.value, source: node.source, type: node.type, tag: node.tag, anchor: node.anchor, range: node.range?.slice(0, 2) };
  if (isPair(node)) throw new Error('a pair outside a map');
  return { other: String(node) };
}

/** The yaml library's reading, as parse.ts takes it, or undefined when it reports anything. */
function library(text: string): { shape: unknown; data: unknown; lineStarts: readonly number[] } | undefined {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  if (!Array.isArray(documents) || documents.length !== 1) return undefined;
  const doc = documents[0]!;
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  blockEnds(doc.contents);
  return { shape: shape(doc.contents), data: doc.toJS({ maxAliasCount: 0 }), lineStarts: lineCounter.lineStarts };
}

/** Every spec file the repository holds: examples, fixtures, scaffolding. */
function specTexts(): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/^(service|platform|releases)\.yaml$/.test(entry.name)) found.push({ path, text: readFileSync(join(REPO, path), 'utf8') });
    }
  };
  for (const dir of ['examples', 'fixtures']) walk(dir);
  return found;
}

const EDGES = [
  'a: 1\n',
  'a: 1',
  '# lead\n\na: 1 # trailing\n# tail\n',
  'a:\n  b: 1\n    # deep\n\n  # mid\n\nc: 2\n\n\n',
  'a:\n- x\n- y\nb: 2\n',
  'a:\n  - \n  -\n  - # c\n  - b: \n    c:\nz: [ ]\nw: {}\nv: [ a , b ]\nu: { a: 1 , b: }\n',
  'a:   # c\nb:\nc:  \n- \n',
  "q: 'it''s'\nr: \"x y\"\ns: ''\nt: \"\"\n",
  // One scalar each, so that one the reader declines does not hide the others.
  ...[
    '-0',
    '+5',
    '1.50',
    '.5',
    '-.5',
    '007',
    '1.',
    '~',
    'Null',
    'NULL',
    'null',
    'TRUE',
    'False',
    'yes',
    '1e3',
    '0x1F',
    '0o17',
    '.inf',
    '.NaN',
    '9007199254740993',
    '1_000',
    '12:30',
    '-',
    '-x',
    '0.0.1',
    '"1"',
    "'true'",
  ].map((value) => `v: ${value}\nw: [${value}]\n`),
  'constructor: 1\n__proto__: 2\ntoString: [a]\n',
  'a: b: c\n',
  'a: b #c\nd: e#f\ng: h # i # j\n',
  'list:\n  - name: x\n    env:\n      A: "1"\n  - name: y\n',
  '- a\n- b\n',
  '  a: 1\n',
  'a: 1\n---\nb: 2\n',
  'a: |\n  text\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: [a, [b, { c: [] }], {}]\n',
  'a: [a, [b]\n',
  'a: [a, b,]\n',
  'a: {a: 1}\n',
  'a: "unterminated\n',
  'a: b\n  c\n',
  'a: 1\na: 2\n',
  'a:\n  - x\n   - y\n',
  'a:\n    b: 1\n  c: 2\n',
  'k: "a\\"b"\n',
  'k: [ "a", \'b\' ] # c\n',
  'k: [a]#c\n',
  'k: -\n',
  'k: - x\n',
  'k: :x\n',
  'k: a:b\n',
  'k: x:\n',
  'k: @x\n',
  'k: 1 2\n',
  'k: "x" y\n',
  'true: 1\n',
  'a b: 1\n',
  'a:b: 1\n',
  'a :1\n',
  'é: 1\nv: "ü ✓"\n',
  'a: \u202ehidden\n',
  'a:\n  -\n    b: 1\n  - - x\n',
  '- x\n',
  '',
  '# only\n',
];

const ALPHABET = [
  ' ',
  ' ',
  '  ',
  '\n',
  ':',
  ': ',
  '-',
  '- ',
  '#',
  ' #',
  "'",
  '"',
  '[',
  ']',
  '{',
  '}',
  ',',
  '0',
  '1',
  '.',
  'a',
  'Z',
  '\t',
  '~',
  '&',
  '*',
  '!',
  '|',
  '>',
  '\r',
  '\\',
  '?',
  '%',
  '@',
  'é',
];

/** One seeded edit: a character deleted, a YAML-significant string inserted, a line re-indented, duplicated or moved. */
function mutate(next: () => number, text: string): string {
  const at = Math.floor(next() * (text.length + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const lines = text.split('\n');
  const line = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 6)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
    case 2:
      return text.slice(0, at) + pick(ALPHABET) + text.slice(at);
    case 3:
      lines[line] = next() < 0.5 ? ` ${lines[line]}` : lines[line]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    case 4:
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
    default: {
      const [moved] = lines.splice(line, 1);
      lines.splice(Math.floor(next() * lines.length), 0, moved!);
      return lines.join('\n');
    }
  }
}

/** The reader's answer for `text`, held to the library's: the same reading, or none. */
function compare(text: string): 'read' | 'declined' {
  const fast = readBlockYaml(text);
  if (fast === undefined) return 'declined';
  const slow = library(text);
  expect(slow, `the reader read what the yaml library rejects:\n${text}`).toBeDefined();
  expect({ shape: shape(fast.contents), data: fast.data, lineStarts: fast.lineCounter.lineStarts }, text).toEqual(slow);
  return 'read';
}

describe('the block YAML reader', () => {
  const specs = specTexts();

  it('reads what the yaml library reads, node for node, or declines, on every spec the repository holds', () => {
    const outcomes = specs.map(({ path, text }) => ({ path, outcome: compare(text) }));
    expect(specs.length).toBeGreaterThan(100);
    // The examples are what specs look like: each is read here, or the reader has stopped paying for itself.
    expect(outcomes.filter((o) => o.path.startsWith('examples/') && o.outcome === 'declined').map((o) => o.path)).toEqual([]);
  });

  it('reads every synthetic spec (the benchmark repos) as the yaml library does', () => {
    for (const { text } of syntheticRepo(80, 20261205, { everything: true })) expect(compare(text)).toBe('read');
    for (const { text } of syntheticRepo(80, 7)) expect(compare(text)).toBe('read');
  });

  it('reads edge cases as the yaml library does, or declines them', () => {
    const outcomes = EDGES.map((text) => `${compare(text)}: ${JSON.stringify(text)}`);
    expect(outcomes.filter((o) => o.startsWith('read')).length).toBeGreaterThan(12);
    expect(outcomes).toContain(`declined: ${JSON.stringify('a: b: c\n')}`);
  });

  it("reads the fuzzer's hostile strings as the yaml library does, as keys and as plain, quoted and flow values", () => {
    let read = 0;
    for (const hostile of HOSTILE_STRINGS) {
      const texts = [
        `k: ${hostile}\n`,
        `k: "${hostile}"\n`,
        `k: '${hostile}'\n`,
        `k: [${hostile}, "${hostile}"]\n`,
        `k: { a: ${hostile} }\n`,
        `${hostile}: 1\n`,
        `k:\n  - ${hostile}\n  - n: ${hostile} # ${hostile}\n`,
      ];
      for (const text of texts) if (compare(text) === 'read') read++;
    }
    expect(read).toBeGreaterThan(HOSTILE_STRINGS.length);
  });

  const cases = propertyCases(20_000);
  it(`agrees with the yaml library on ${cases} seeded mutations of those specs`, () => {
    const next = random(20261205);
    const bases = [...specs.map((s) => s.text), ...syntheticRepo(20, 11, { everything: true }).map((s) => s.text), ...EDGES];
    let read = 0;
    for (let i = 0; i < cases; i++) {
      let text = bases[Math.floor(next() * bases.length)]!;
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) text = mutate(next, text);
      if (compare(text) === 'read') read++;
    }
    // Both answers must be exercised: a quarter of the edited texts are valid YAML the reader reads.
    expect(read).toBeGreaterThan(cases / 5);
    expect(read).toBeLessThan(cases);
  }, 120_000);
});
