import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitBlobId } from '../../compiler/cache.js';
import { inspectTree, TreeInspector } from '../../compiler/write/inspect.js';
import { TreeWriter, writeTree } from '../../compiler/write/tree.js';
import type { GeneratedFile } from '../../spec/emitter.js';

const OUTPUT = { dir: 'generated', workflowsDir: '.github/workflows' };

const file = (path: string, contents: string): GeneratedFile => ({ path, source: `services/${path.split('/')[1]}/service.yaml`, contents });

describe('TreeInspector, the streaming check', () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  /** A tree written by paved, then changed: one file edited, one deleted, one put in the way, one no longer planned. */
  function drifted(): GeneratedFile[] {
    root = mkdtempSync(join(tmpdir(), 'paved-inspector-'));
    const written = ['a', 'b', 'c', 'd'].flatMap((s) => [file(`generated/${s}/one.yaml`, `${s} one\n`), file(`generated/${s}/two.yaml`, `${s} two\n`)]);
    writeTree(root, OUTPUT, written);
    const put = (path: string, text: string): void => {
      mkdirSync(dirname(join(root!, path)), { recursive: true });
      writeFileSync(join(root!, path), text);
    };
    put('generated/b/two.yaml', 'edited by hand\n');
    rmSync(join(root, 'generated/c/one.yaml'));
    put('generated/e/one.yaml', 'not paved\n');
    return [
      ...written.filter((f) => !f.path.startsWith('generated/d/')),
      file('generated/e/one.yaml', 'e one\n'),
      file('generated/a/three.yaml', 'new\n'),
    ].sort((x, y) => (x.path < y.path ? -1 : 1));
  }

  it('reports, from files staged service by service in any order, exactly what the whole-tree inspection reports', () => {
    const planned = drifted();
    const whole = inspectTree(root!, OUTPUT, planned);
    expect(whole.differences.map((d) => `${d.kind} ${d.path}`)).toEqual([
      'missing generated/a/three.yaml',
      'edited generated/b/two.yaml',
      'missing generated/c/one.yaml',
      'unowned generated/e/one.yaml',
      'orphaned generated/d/one.yaml',
      'orphaned generated/d/two.yaml',
    ]);
    const inspector = new TreeInspector(root!).open(OUTPUT);
    for (const service of ['e', 'c', 'b', 'a']) inspector.stage(planned.filter((f) => f.path.startsWith(`generated/${service}/`)));
    expect(inspector.finish()).toEqual(whole);
    expect(whole.manifestCurrent).toBe(false);
    expect(whole.unchanged).toBe(4);
  });

  it('keeps each file as its entry, with its git blob id only when asked (check --record)', () => {
    const planned = drifted();
    const plain = new TreeInspector(root!).open(OUTPUT);
    const recording = new TreeInspector(root!, { blobs: true }).open(OUTPUT);
    plain.stage(planned);
    recording.stage(planned);
    expect(plain.emitted.every((e) => e.blob === undefined)).toBe(true);
    expect(recording.emitted.map((e) => e.blob)).toEqual(planned.map((f) => gitBlobId(Buffer.from(f.contents, 'utf8'))));
    expect(recording.emitted.map((e) => e.path)).toEqual(planned.map((f) => f.path));
  });

  it('reads nothing through an output folder that is a link, and says so when finished', () => {
    root = mkdtempSync(join(tmpdir(), 'paved-inspector-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'paved-elsewhere-'));
    try {
      writeFileSync(join(elsewhere, 'secret.yaml'), 'not yours\n');
      symlinkSync(elsewhere, join(root, 'generated'));
      const inspector = new TreeInspector(root).open(OUTPUT);
      inspector.stage([file('generated/secret.yaml', 'planned\n')]);
      expect(() => inspector.finish()).toThrow(/generated is a symbolic link/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('stages more files in one call than a spread of arguments holds, as inspectTree does with a whole tree', () => {
    // push(...entries) threw RangeError past ~125,000 entries: `check --base` without a record staged 131,028 files at once and crashed.
    const many = Array.from({ length: 150_000 }, (_, i) => file(`generated/s${i % 1000}/f${i}.yaml`, `${i}\n`));
    expect(new TreeInspector('/nonexistent').stage(many)).toHaveLength(150_000);
    expect(new TreeWriter('/nonexistent').stage(many)).toHaveLength(150_000);
  });
});
