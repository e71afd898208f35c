import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { referenceYaml, toYaml } from '../emitters/shared/serialize.js';
import { compileDir, FIXTURES, REPO } from './helpers.js';

/** toYaml's fast path must be byte-for-byte the yaml library's output, or fall back to it. */
describe('toYaml', () => {
  it('writes exactly what the yaml library writes, for every YAML document of the golden cases and examples', () => {
    let documents = 0;
    for (const root of [join(FIXTURES, 'full'), join(FIXTURES, 'edges'), join(FIXTURES, 'basic'), join(REPO, 'examples/shop')]) {
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
    const tricky = ['no', 'on', 'y', 'Off', '0755', '1e3', '12:30', '~', '', ' x', 'x ', '#x', 'a: b', 'a #b', '@x', '`x', "it's", '"q"', '-', '- x', '?', '.inf', 'null', 'True', '0x10', '1_000', '*a', '&a', '!t', '%x', '|', '>', '[x]', '{x}', 'x,y', 'é', '\u00a0', 'tab\tx', 'back\\slash', 'two\nlines', 'a:b', 'http://x:1/y?z=1#f', '$$HOME'];
    const values: unknown[] = [
      { list: tricky, ...Object.fromEntries(tricky.map((t, i) => [t, i])) },
      { nested: [[1, 2], [[]], [{}], { a: [{ b: { c: [] } }] }], numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER], flags: [true, false, null] },
      { script: '#!/bin/bash\nset -e\n' },
    ];
    for (const value of values) expect(toYaml(value)).toBe(referenceYaml(value));
  });
});
