import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { random } from '../../bench/synthetic.js';
import { pick } from '../../scripts/fuzz.js';
import { checkRecordLocation, type CheckRecord } from '../../compiler/cache.js';
import { propertyCases, waiveOrdersFinding } from '../support/helpers.js';
import { forge, git, paved, recordedShop } from '../support/recorded-shop.js';
import { changeService, putBack, SHOP, withWaivedFinding, writeSpecs } from '../support/spec-walk.js';

/**
 * `paved check --base` anchored on the base commit's check record, against the
 * same check with no record to anchor on, over a seeded walk of changes on top
 * of a base with a waived policy finding (a warning on every check): specs
 * changed (validly or not, compiled or not, and put back), files the record
 * vouches for edited (with the manifest's hash forged to match, or not),
 * deleted or touched, files added beside paved's, the work tree staged,
 * committed or reset to the base. Anchoring only saves work: after every step
 * both checks must exit alike and print the same, but for the line naming what
 * was kept.
 */
const unchangedLine = /^paved: \d+ of \d+ services unchanged since the check of .*\n/m;
/** The base's specs: examples/shop with the waived finding in orders. */
const ORIGINAL = withWaivedFinding(SHOP);

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

const ACTIONS = [
  'change',
  'change and compile',
  'break',
  'put back',
  'compile',
  'edit',
  'forge',
  'delete',
  'touch',
  'add',
  'stage',
  'commit',
  'reset',
] as const;

describe('check --base anchored on a record, over a seeded walk of changes', () => {
  const steps = propertyCases(24);
  it(`exits and reports as the same check without the record, after each of ${steps} steps`, () => {
    const shop = recordedShop(waiveOrdersFinding);
    cleanups.push(shop.cleanup);
    const { root, base } = shop;
    const record = checkRecordLocation(root, base);
    const recordedFiles = Object.values((JSON.parse(readFileSync(record, 'utf8')) as CheckRecord).units).flatMap((unit) => unit.files.map((f) => f.path));
    const next = random(20261205);
    let files = [...ORIGINAL];
    const seen = { kept: 0, failed: 0, passed: 0 };

    for (let step = 0; step < steps; step++) {
      const action = pick(next, ACTIONS);
      // Tampering aims at the files the record vouches for: the ones an anchored check does not emit again.
      const vouched = recordedFiles.filter((path) => existsSync(join(root, path)));
      if (action === 'change' || action === 'change and compile' || action === 'break') files = changeService(next, files, action !== 'break', ORIGINAL);
      else if (action === 'put back') files = putBack(next, files, ORIGINAL);
      else if (action === 'reset') {
        git(root, 'reset', '-q', '--hard', base);
        // Untracked files go; the ignored cache folder, where the record is, stays.
        git(root, 'clean', '-q', '-f', '-d');
        files = [...ORIGINAL];
      } else if (action === 'stage') git(root, 'add', '-A');
      else if (action === 'commit') {
        git(root, 'add', '-A');
        git(root, 'commit', '-q', '--allow-empty', '-m', `step ${step}`);
      } else if (action === 'edit') appendFileSync(join(root, pick(next, vouched)), '# edited by hand\n');
      else if (action === 'forge') forge(root, pick(next, vouched));
      else if (action === 'delete') rmSync(join(root, pick(next, vouched)));
      else if (action === 'touch') utimesSync(join(root, pick(next, vouched)), new Date(2001, 0, 1), new Date(2001, 0, 1));
      else if (action === 'add') writeFileSync(join(root, 'generated', `extra-${step}.yaml`), 'kind: Extra\n');
      writeSpecs(root, files);
      if (action === 'change and compile' || action === 'compile') paved(root, 'compile');

      const anchored = paved(root, 'check', '--base', base);
      renameSync(record, `${record}.aside`);
      const unanchored = paved(root, 'check', '--base', base);
      renameSync(`${record}.aside`, record);
      const context = `step ${step} (${action}):\n${anchored.stdout}${anchored.stderr}`;
      expect(anchored.code, context).toBe(unanchored.code);
      expect(anchored.stdout.replace(unchangedLine, ''), context).toBe(unanchored.stdout);
      expect(anchored.stderr, context).toBe(unanchored.stderr);
      if (unchangedLine.test(anchored.stdout)) seen.kept++;
      if (anchored.code === 0) seen.passed++;
      else seen.failed++;
    }
    // Otherwise the walk proved little: the anchor must have kept services, and checks must both pass and fail.
    expect(seen.kept).toBeGreaterThan(0);
    expect(seen.passed).toBeGreaterThan(0);
    expect(seen.failed).toBeGreaterThan(0);
  }, 300_000);
});
