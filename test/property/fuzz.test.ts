import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { random } from '../../bench/synthetic.js';
import { checkCase, fuzz, HOSTILE_STRINGS, mutateRepo, seedRepos } from '../../scripts/fuzz.js';
import { propertyCases, REPO } from '../support/helpers.js';

const seeds = seedRepos(REPO);

describe('the mutation fuzzer', () => {
  it('starts from seed repos that compile cleanly', () => {
    for (const seed of seeds) expect(checkCase(seed, emitters)).toEqual({ problems: [], compiled: true });
  });

  it('is reproducible: one seed, one sequence of cases', () => {
    const a = mutateRepo(random(5), seeds[0]!);
    const b = mutateRepo(random(5), seeds[0]!);
    expect(a).toEqual(b);
    expect(a).not.toEqual(seeds[0]);
  });

  // About 40 s on a 2-core CI machine now that every valid case also runs the output policy: the time bound is for a hang, not for speed.
  const cases = propertyCases(2000);
  it(`runs ${cases} seeded cases: each ends in output or in positioned diagnostics, never an exception`, () => {
    const report = fuzz(seeds, emitters, cases, 20261124);
    expect(report.failures.map((f) => `case ${f.index}: ${f.problems.join('; ')}`)).toEqual([]);
    // Both outcomes must be exercised, or the fuzzer tests nothing.
    // About one case in twenty compiles; the full run holds it to that, a short one to at least one.
    expect(report.valid).toBeGreaterThan(cases >= 2000 ? 100 : 0);
    expect(report.valid).toBeLessThan(report.cases);
  }, 180_000);

  it('catches what it is meant to: an exception, or diagnostics without positions', () => {
    const throwing = [
      {
        id: 'boom',
        emitService: () => {
          throw new Error('boom');
        },
      },
    ];
    expect(checkCase(seeds[1]!, throwing).problems[0]).toMatch(/^threw: Error: boom/);
    expect(HOSTILE_STRINGS.length).toBeGreaterThan(40);
  });
});
