import { describe, expect, it } from 'vitest';
import { fact, sharingFacts } from '../../compiler/policy/facts.js';
import { checkTarget, POLICY_RULES, runRule } from '../../compiler/policy/registry.js';
import type { CheckResult } from '../../compiler/policy/types.js';
import { policyTarget, type PolicyTarget } from '../../compiler/policy/view.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { auditRoots, TARGET_ROOTS } from '../support/audit/targets.js';

/**
 * The rules share facts derived once per target (compiler/policy/facts.ts):
 * a rule's result must not depend on which rules ran before it on the same
 * target, a fact that throws must throw for every rule that reads it, and no
 * rule may change what the others read.
 */

const ROOTS = ['examples/shop', 'examples/minimal', TARGET_ROOTS[0]!];

function rootOf(name: string) {
  const root = auditRoots().find((r) => r.target.name === name);
  if (!root) throw new Error(`no audit root ${name}`);
  return root;
}

const fresh = (name: string, files: readonly GeneratedFile[]): PolicyTarget => policyTarget(name, rootOf(name).target.project, files);

/** Every rule over one target, one after another as the compile runs them, sharing facts. */
const shared = (target: PolicyTarget): CheckResult[] => checkTarget(target);

/** Every rule over a target of its own, so no fact is derived before the rule reads it. */
const alone = (name: string, files: readonly GeneratedFile[]): CheckResult[] => POLICY_RULES.map((rule) => runRule(rule, fresh(name, files)));

function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const items: unknown[] = value instanceof Map ? [...value.keys(), ...value.values()] : Object.values(value);
  for (const item of items) deepFreeze(item, seen);
  Object.freeze(value);
}

/** The files with one tfvars file of a stack made unreadable: an attribute whose value is null. */
function withBrokenTfvars(files: readonly GeneratedFile[]): { files: GeneratedFile[]; path: string } {
  const index = files.findIndex((f) => /\/terraform\/env\/staging\.tfvars$/.test(f.path) && Array.isArray(f.value));
  expect(index).toBeGreaterThanOrEqual(0);
  const file = files[index]!;
  const items = (file.value as Array<Record<string, unknown>>).map((item, i) => (i === 0 ? { ...item, value: null } : item));
  return { files: files.map((f, i) => (i === index ? { ...f, value: items } : f)), path: file.path };
}

describe('policy facts shared between rules', () => {
  it.each(ROOTS)('%s: each rule finds over a shared target what it finds over a target of its own', (name) => {
    const { files } = rootOf(name);
    expect(shared(fresh(name, files))).toEqual(alone(name, files));
  });

  it('a fact that throws throws for every rule that reads it, and only for those', () => {
    const { files } = withBrokenTfvars(rootOf('examples/shop').files);
    const results = shared(fresh('examples/shop', files));
    const failed = results.filter((r) => r.findings.some((f) => f.problem.startsWith('the output is not shaped as this rule reads it')));
    // The tfvars are read by several rules (deletion protection, backups, Multi-AZ, snapshots, bucket names...): each fails on its own.
    expect(failed.length).toBeGreaterThan(1);
    expect(failed.length).toBeLessThan(POLICY_RULES.length);
    expect(results).toEqual(alone('examples/shop', files));
  });

  it.each(ROOTS)('%s: no rule changes what it reads (every rule over frozen output finds what it finds over live output)', (name) => {
    const { files, target: audited } = rootOf(name);
    const expected = shared(fresh(name, files));
    // In place: the waivers a file carries are the table's own objects, compared by identity.
    deepFreeze(files);
    deepFreeze(audited.project);
    const target = fresh(name, files);
    deepFreeze(target);
    expect(shared(target)).toEqual(expected);
  });
});

describe('how long a fact is kept', () => {
  /** A fact that counts its derivations. */
  function counted(): { read: (key: object) => number; derived: () => number } {
    let count = 0;
    const read = fact((_key: object) => ++count);
    return { read, derived: () => count };
  }

  it('is derived once per key within a run, and again in the next run', () => {
    const { read, derived } = counted();
    const a = {};
    const b = {};
    sharingFacts(() => {
      expect([read(a), read(a), read(b), read(a)]).toEqual([1, 1, 2, 1]);
      // A run inside a run joins it.
      sharingFacts(() => expect(read(b)).toBe(2));
    });
    expect(derived()).toBe(2);
    expect(sharingFacts(() => read(a))).toBe(3);
  });

  it('is derived at each read outside a run', () => {
    const { read } = counted();
    const a = {};
    expect([read(a), read(a)]).toEqual([1, 2]);
  });

  it('is not kept when its derivation throws, and a run that throws leaves no facts behind', () => {
    let count = 0;
    const broken = fact((_key: object): number => {
      count++;
      throw new Error('unreadable');
    });
    const { read } = counted();
    const a = {};
    expect(() =>
      sharingFacts(() => {
        expect(read(a)).toBe(1);
        expect(() => broken(a)).toThrow('unreadable');
        expect(() => broken(a)).toThrow('unreadable');
        return broken(a);
      }),
    ).toThrow('unreadable');
    expect(count).toBe(3);
    expect(sharingFacts(() => read(a))).toBe(2);
  });
});
