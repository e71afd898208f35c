import { describe, expect, it } from 'vitest';
import { commented, ordered, toYaml } from '../emitters/shared/serialize.js';

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

  it('refuses a comment of more than one line, which would turn its second line into YAML', () => {
    expect(() => commented('x', 'v1\nkey: injected')).toThrow('a YAML comment is one line');
  });

  it('leaves out undefined values and writes multi-line strings as literal blocks', () => {
    expect(toYaml({ a: undefined, run: 'set -e\necho "${X}"\n' })).toBe('run: |\n  set -e\n  echo "${X}"\n');
  });
});
