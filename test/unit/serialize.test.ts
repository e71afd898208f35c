import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { random } from '../../bench/synthetic.js';
import { attribute } from '../../emitters/shared/hcl.js';
import {
  commented,
  hclFile,
  isPlainText,
  jsonFile,
  ordered,
  referenceYaml,
  toJson,
  toYaml,
  yamlDocumentsFile,
  yamlFile,
} from '../../emitters/shared/serialize.js';
import { GENERATED_MARKER } from '../../spec/marker.js';
import { CASES, compileDir, REPO } from '../support/helpers.js';

describe('the YAML serializer', () => {
  it('sorts map keys by code unit, at every depth, quoting what YAML 1.1 reads as a boolean', () => {
    expect(toYaml({ b: 1, a: { z: 1, B: 2, a: 3 }, A: [{ y: 1, x: 2 }] })).toBe('A:\n  - x: 2\n    "y": 1\na:\n  B: 2\n  a: 3\n  z: 1\nb: 1\n');
  });

  it('keeps the insertion order of an object marked ordered, but still sorts the maps inside it', () => {
    const step = ordered({ name: 'Build', uses: 'x/y@1', with: { z: '1', a: '2' }, env: { B: 'no', A: 'on' } });
    expect(toYaml(step)).toBe('name: Build\nuses: x/y@1\nwith:\n  a: "2"\n  z: "1"\nenv:\n  A: "on"\n  B: "no"\n');
  });

  it('marks one object only: a copy of a marked object is sorted again', () => {
    const marked = ordered({ b: 1, a: 2 });
    expect(toYaml(marked)).toBe('b: 1\na: 2\n');
    expect(toYaml({ ...marked })).toBe('a: 2\nb: 1\n');
  });

  it('prints a commented scalar with its comment on the same line', () => {
    expect(toYaml(ordered({ uses: commented('actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8', 'v5.0.0') }))).toBe(
      'uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n',
    );
  });

  it('leaves out undefined values and writes multi-line strings as literal blocks', () => {
    expect(toYaml({ a: undefined, run: 'set -e\necho "${X}"\n' })).toBe('run: |\n  set -e\n  echo "${X}"\n');
    // A map left with no value is still a map, not an empty block that reads as null.
    expect(toYaml({ env: { A: undefined }, list: [{ B: undefined }] })).toBe('env: {}\nlist:\n  - {}\n');
  });

  it('keeps a trailing comment on one line whatever it holds: line breaks and hidden characters are escaped', () => {
    expect(toYaml({ k: commented('x', 'v1\nkey: injected\r\u2028\u0085\u202e') })).toBe('k: x # v1\\u000akey: injected\\u000d\\u2028\\u0085\\u202e\n');
  });
});

describe('the file builders', () => {
  const marker = GENERATED_MARKER;

  it('write the header, one comment line per line of every note, the body and one final newline', () => {
    const file = yamlFile({ path: 'a.yaml', source: 'services/a/service.yaml', comments: ['first', 'two\nlines', ''], value: { b: 1, a: 2 } });
    expect(file).toEqual({
      path: 'a.yaml',
      source: 'services/a/service.yaml',
      contents: `# ${marker} from services/a/service.yaml. DO NOT EDIT.\n# first\n# two\n# lines\n#\na: 2\nb: 1\n`,
      value: { b: 1, a: 2 },
    });
  });

  it('split notes at CR, CRLF, NEL, LS and PS too, and escape every other control or bidi character', () => {
    const file = yamlFile({
      path: 'a.yaml',
      source: 's.yaml',
      comments: ['a\r\nb\rc\u0085d\u2028e\u2029f', 'tab\tkept, bell \u0007, esc \u001b[2J, rlo \u202e, del \u007f'],
      value: {},
    });
    expect(file.contents).toBe(
      `# ${marker} from s.yaml. DO NOT EDIT.\n# a\n# b\n# c\n# d\n# e\n# f\n# tab\tkept, bell \\u0007, esc \\u001b[2J, rlo \\u202e, del \\u007f\n{}\n`,
    );
  });

  it('print the source path through the same comment writer, so a line break in it cannot start YAML', () => {
    const file = yamlFile({ path: 'a.yaml', source: 'x\n---\nkind: ClusterRoleBinding/service.yaml', value: { a: 1 } });
    expect(file.contents).toBe(`# ${marker} from x\n# ---\n# kind: ClusterRoleBinding/service.yaml. DO NOT EDIT.\na: 1\n`);
    expect(parseAllDocuments(file.contents).map((d) => d.toJS())).toEqual([{ a: 1 }]);
  });

  it('write several YAML documents, HCL with a blank line after the header, and JSON without one', () => {
    expect(yamlDocumentsFile({ path: 'c.yaml', source: 's.yaml', documents: [{ a: 1 }, { b: 2 }] }).contents).toBe(
      `# ${marker} from s.yaml. DO NOT EDIT.\n---\na: 1\n---\nb: 2\n`,
    );
    expect(hclFile({ path: 'm.tf', source: 's.yaml', comments: ['why'], items: [attribute('a', 1)] }).contents).toBe(
      `# ${marker} from s.yaml. DO NOT EDIT.\n# why\n\na = 1\n`,
    );
    expect(jsonFile({ path: 'd.json', source: 's.yaml', value: { b: 1, a: [] } }).contents).toBe('{\n  "a": [],\n  "b": 1\n}\n');
  });
});

/** toYaml's fast path must be byte-for-byte the yaml library's output, or fall back to it. */
describe("the YAML serializer's fast path", () => {
  it('writes exactly what the yaml library writes, for every YAML document of the golden cases and examples', () => {
    let documents = 0;
    for (const root of [join(CASES, 'full'), join(CASES, 'edges'), join(CASES, 'basic'), join(REPO, 'examples/shop')]) {
      for (const file of compileDir(root).files.filter((f) => f.path.endsWith('.yaml'))) {
        for (const doc of parseAllDocuments(file.contents)) {
          const value = doc.toJS();
          expect(toYaml(value), file.path).toBe(referenceYaml(value));
          documents++;
        }
      }
    }
    expect(documents).toBeGreaterThan(400);
  });

  it('writes exactly what the yaml library writes for scalars and keys that need quoting, and for shapes it leaves to the library', () => {
    const tricky = [
      'no',
      'on',
      'y',
      'Off',
      '0755',
      '1e3',
      '12:30',
      '~',
      '',
      ' x',
      'x ',
      '#x',
      'a: b',
      'a #b',
      '@x',
      '`x',
      "it's",
      '"q"',
      '-',
      '- x',
      '?',
      '.inf',
      'null',
      'True',
      '0x10',
      '1_000',
      '*a',
      '&a',
      '!t',
      '%x',
      '|',
      '>',
      '[x]',
      '{x}',
      'x,y',
      'é',
      '\u00a0',
      'tab\tx',
      'back\\slash',
      'two\nlines',
      'a:b',
      'http://x:1/y?z=1#f',
      '$$HOME',
    ];
    const values: unknown[] = [
      { list: tricky, ...Object.fromEntries(tricky.map((t, i) => [t, i])) },
      { nested: [[1, 2], [[]], [{}], { a: [{ b: { c: [] } }] }], numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER], flags: [true, false, null] },
      { script: '#!/bin/bash\nset -e\n' },
      {
        blocks: ['a\n\nb', 'x\ny\n', ' lead\nx', 'a \nb', 'a\tb\nc', 'kept\n\n', '\n', 'a\r\nb'],
        nested: { run: 'one\ntwo', steps: [{ run: 'echo a\necho b', name: 'x' }] },
      },
      { numbers: [1.5, 0.0144, 1e21, 1e-7, -2.5, -0] },
    ];
    for (const value of values) expect(toYaml(value)).toBe(referenceYaml(value));
  });

  it('writes plain exactly the text the library writes plain, as key and as value', () => {
    const next = random(7);
    const alphabet = 'aZyeEnxXbBoO_09+ ._/()-:#\'",!&*?|>%@`[]{}~';
    const samples = [
      'svc-0001-db-main',
      'PostgreSQL 16 (small) of svc-0000',
      'app.kubernetes.io/name',
      'a b',
      'x.',
      '-x',
      'x-',
      ...'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL yES oN x1e3 e3 inf nan Inf NaN'.split(' '),
    ];
    for (let i = 0; i < 50_000; i++)
      samples.push(Array.from({ length: 1 + Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
    let plain = 0;
    for (const text of samples) {
      const asValue = referenceYaml({ k: text }) === `k: ${text}\n`;
      const asKey = referenceYaml({ [text]: 0 }) === `${text}: 0\n`;
      if (isPlainText(text)) {
        expect([text, asValue, asKey]).toEqual([text, true, true]);
        plain++;
      }
      expect(toYaml({ k: text, [text]: text })).toBe(referenceYaml({ k: text, [text]: text }));
    }
    expect(plain).toBeGreaterThan(1000);
  });

  it('orders keys by code unit as the library does, for maps of every size, shuffled, with undefined values left out', () => {
    const next = random(11);
    // Upper before lower case, digits and punctuation first, a surrogate pair after U+E000 by code unit, not by code point.
    const pool = ['a', 'B', 'b', 'A', '0', 'z-1', 'z_1', 'z.1', 'é', '\u{1F600}', '\uE000', 'aa', 'a b', 'ab', 'Z', '_'];
    for (const size of [0, 1, 2, 3, 15, 16, 17, 40]) {
      for (let round = 0; round < 20; round++) {
        const keys = Array.from({ length: size }, (_, i) => `${pool[Math.floor(next() * pool.length)]}${i % 3 === 0 ? '' : i}`);
        const map: Record<string, unknown> = {};
        for (const key of keys) map[key] = next() < 0.2 ? undefined : key.length;
        const expected = Object.keys(map)
          .filter((k) => map[k] !== undefined)
          .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const text = toYaml({ map });
        expect(text).toBe(referenceYaml({ map }));
        expect([...((parse(text, { mapAsMap: true }) as Map<string, Map<string, unknown>>).get('map') ?? new Map()).keys()]).toEqual(expected);
        expect(toJson(map)).toBe(`${JSON.stringify(Object.fromEntries(expected.map((k) => [k, map[k]])), null, 2)}\n`);
      }
    }
  });

  it('writes marked and commented objects exactly as the library does', () => {
    const values = [
      ordered({ name: 'Build', uses: 'x/y@1', with: { z: '1', a: '2' } }),
      ordered({ uses: commented('actions/checkout@0', 'v5') }),
      { list: [ordered({ b: 1, a: 2 }), { b: 1, a: 2 }] },
      { steps: [ordered({ uses: commented('a/b@0', 'v1.0.0'), with: { x: 'no' } }), commented('on', 'quoted'), commented('two\nlines', 'block')] },
    ];
    for (const value of values) expect(toYaml(value)).toBe(referenceYaml(value));
  });
});
