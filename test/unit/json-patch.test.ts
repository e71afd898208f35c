import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../emitters/shared/json-patch.js';

const doc = { spec: { template: { spec: { containers: [{ name: 'app', args: ['a'] }] } } }, metadata: { labels: { 'a/b': 'x', 'c~d': 'y' } } };

describe('applyPatch (RFC 6902)', () => {
  it('adds, replaces and removes members and list items without touching the input', () => {
    const result = applyPatch(doc, [
      { op: 'add', path: '/spec/template/spec/priorityClassName', value: 'high' },
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: 'b' },
      { op: 'add', path: '/spec/template/spec/containers/0/args/0', value: 'z' },
      { op: 'replace', path: '/metadata/labels/a~1b', value: 'changed' },
      { op: 'remove', path: '/metadata/labels/c~0d' },
    ]);
    expect(result).toEqual({
      ok: true,
      value: {
        spec: { template: { spec: { priorityClassName: 'high', containers: [{ name: 'app', args: ['z', 'a', 'b'] }] } } },
        metadata: { labels: { 'a/b': 'changed' } },
      },
    });
    expect(doc.metadata.labels).toEqual({ 'a/b': 'x', 'c~d': 'y' });
  });

  it('patches one place of a part the document holds at two, and the other place keeps its value', () => {
    // An emitter may build an object so: one labels map in metadata and in a selector.
    const labels = { app: 'orders' };
    const shared = { metadata: { labels }, spec: { selector: { matchLabels: labels }, ports: [labels, labels] } };
    const result = applyPatch(shared, [
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'replace', path: '/spec/ports/0/app', value: 'x' },
    ]);
    expect(result).toEqual({
      ok: true,
      value: {
        metadata: { labels: { app: 'orders', tier: 'web' } },
        spec: { selector: { matchLabels: { app: 'orders' } }, ports: [{ app: 'x' }, { app: 'orders' }] },
      },
    });
    expect(labels).toEqual({ app: 'orders' });
  });

  it('moves, copies and tests', () => {
    const result = applyPatch({ a: { b: 1 }, c: [1, 2] }, [
      { op: 'test', path: '/a', value: { b: 1 } },
      { op: 'copy', from: '/a/b', path: '/c/-' },
      { op: 'move', from: '/a', path: '/d' },
    ]);
    expect(result).toEqual({ ok: true, value: { c: [1, 2, 1], d: { b: 1 } } });
  });

  it.each([
    [{ op: 'remove', path: '/spec/missing' } as const, 0, '/spec/missing does not exist'],
    [{ op: 'replace', path: '/spec/template/spec/containers/3/name', value: 'x' } as const, 0, 'index 3 is past the end of a list of 1'],
    [{ op: 'add', path: '/spec/nope/deeper', value: 1 } as const, 0, '/spec/nope does not exist'],
    [{ op: 'test', path: '/metadata/labels/a~1b', value: 'y' } as const, 0, 'test failed: /metadata/labels/a~1b is not "y"'],
    [{ op: 'add', path: 'spec', value: 1 } as const, 0, 'path "spec" must start with "/"'],
    [{ op: 'add', path: '', value: 1 } as const, 0, 'the whole object cannot be replaced by an override'],
    [{ op: 'move', from: '/spec', path: '/spec/x' } as const, 0, 'cannot move /spec into itself'],
  ])('fails %j with a reason', (operation, index, message) => {
    expect(applyPatch(doc, [{ op: 'test', path: '/spec', value: doc.spec }, operation])).toEqual({ ok: false, index: index + 1, message });
  });
});
