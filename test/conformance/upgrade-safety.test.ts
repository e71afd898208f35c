import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compile } from '../../compiler/compile.js';
import { plainBody } from '../../compiler/policy/view.js';
import type { BodyItem } from '../../emitters/shared/hcl.js';
import { filesAt, upgradeBase, UpgradeBaseError } from '../support/upgrade/base-revision.js';
import { isTerraformSource, terraformFile } from '../support/upgrade/printed-terraform.js';
import { caseRevision, compareCase, losesData, upgradeFindingLines, type CaseRevision, type GoldenCase } from '../support/upgrade/upgrade-safety.js';
import { caseRoot, goldenCases, readTree, REPO, scratchCopy } from '../support/helpers.js';

/**
 * Issue 17, upgrade safety as a test: every golden case as the base revision's
 * paved committed it against the working tree's, and no stateful resource may
 * be destroyed or replaced in any root or environment. The base is
 * PAVED_UPGRADE_BASE, else the newest v* tag reachable from HEAD, else HEAD^.
 */

/** The golden cases (found as test/golden/fixtures.test.ts finds them), and examples/shop once it commits its output. */
function upgradeCases(): GoldenCase[] {
  const cases = goldenCases().map((name) => ({ name: `fixtures/cases/${name}`, root: `fixtures/cases/${name}`, output: `fixtures/cases/${name}/expected` }));
  const shop = join(REPO, 'examples', 'shop');
  if ([...readTree(shop).keys()].some(isTerraformSource)) cases.push({ name: 'examples/shop', root: 'examples/shop', output: 'examples/shop' });
  return cases;
}

/** Where a base revision from before the golden cases moved to fixtures/cases/ keeps a case. */
const beforeTheMove = (goldenCase: GoldenCase): GoldenCase => ({
  ...goldenCase,
  root: goldenCase.root.replace(/^fixtures\/cases\//, 'fixtures/'),
  output: goldenCase.output.replace(/^fixtures\/cases\//, 'fixtures/'),
});

/** The working tree's files of a case, repo-relative. */
function workingTree(goldenCase: GoldenCase): Map<string, string> {
  return new Map([...readTree(join(REPO, goldenCase.root))].map(([path, text]) => [`${goldenCase.root}/${path}`, text]));
}

describe('upgrade safety: the working tree against the base revision', () => {
  it('destroys or replaces no stateful resource of any golden case, in any root or environment', () => {
    // Throws UpgradeBaseError (not a checkout, shallow clone, unknown PAVED_UPGRADE_BASE): the test fails saying what to fetch.
    const base = upgradeBase(REPO, process.env.PAVED_UPGRADE_BASE);
    const cases = upgradeCases();
    expect(cases.length).toBeGreaterThanOrEqual(goldenCases().length);
    const committed = filesAt(REPO, base.commit, [...new Set(cases.flatMap((c) => [c.root, beforeTheMove(c).root]))]);
    const findings: string[] = [];
    let compared = 0;
    let statefulInBase = 0;
    for (const goldenCase of cases) {
      const at = caseRevision(goldenCase, committed);
      const before = at.generated.size > 0 ? at : caseRevision(beforeTheMove(goldenCase), committed);
      // A case new since the base has nothing an upgrade could destroy.
      if (before.generated.size === 0) continue;
      compared += 1;
      const comparison = compareCase(before, caseRevision(goldenCase, workingTree(goldenCase)));
      if (comparison.problem) findings.push(`${goldenCase.name}: ${comparison.problem}`);
      findings.push(...upgradeFindingLines(goldenCase.name, comparison, base.ref));
      statefulInBase += [...before.generated.values()].filter((text) => /^resource "(aws_db_instance|aws_s3_bucket|aws_sqs_queue)" /m.test(text)).length;
    }
    const header = `Upgrading paved from ${base.ref} (${base.commit.slice(0, 12)}, ${base.chosenBy}) to the working tree destroys or replaces stateful resources of the golden cases. Point the test at another base with PAVED_UPGRADE_BASE=<tag or commit>.`;
    expect(findings, header).toEqual([]);
    // Not vacuous: the base holds golden trees, with stateful resources in them.
    expect(compared, `${base.ref} holds none of the golden cases under fixtures/`).toBeGreaterThan(0);
    expect(statefulInBase).toBeGreaterThan(0);
  });
});

describe('printed Terraform read back', () => {
  it('gives exactly the values the compile printed it from, for every .tf and .tfvars file of every golden case', () => {
    let files = 0;
    for (const name of goldenCases()) {
      const result = compile({ root: caseRoot(name), emitters, keepValues: true });
      for (const file of result.files.filter((f) => isTerraformSource(f.path))) {
        const read = terraformFile(file.path, file.contents).value as BodyItem[];
        expect(plainBody(read), `${name}: ${file.path}`).toEqual(plainBody(file.value as BodyItem[]));
        files += 1;
      }
    }
    expect(files).toBeGreaterThan(100);
  });
});

describe('the upgrade check on seeded changes to a real golden case', () => {
  const FULL: GoldenCase = { name: 'fixtures/cases/full', root: 'fixtures/cases/full', output: 'fixtures/cases/full/expected' };
  const STORAGE = 'generated/checkout/terraform/storage.tf';
  const DATABASE = 'generated/checkout/terraform/database.tf';
  const PRODUCTION = 'generated/checkout/terraform/env/production.tfvars';
  const base = caseRevision(FULL, workingTree(FULL));

  /** The base with one generated file's text edited; the specs stay the same, as in an upgrade. */
  function seeded(path: string, edit: (text: string) => string): CaseRevision {
    const text = base.generated.get(path)!;
    const changed = edit(text);
    expect(changed, `the seed must change ${path}`).not.toBe(text);
    return { specs: base.specs, generated: new Map([...base.generated, [path, changed]]) };
  }
  const findings = (head: CaseRevision): string[] => {
    const comparison = compareCase(base, head);
    expect(comparison.head).toBe('golden');
    return upgradeFindingLines(FULL.name, comparison, 'v1.2.0');
  };
  const renamed = (text: string): string => text.replace('resource "aws_s3_bucket" "receipts" {', 'resource "aws_s3_bucket" "receipts_v2" {');

  it('reports a stateful resource renamed without a moved block, in both environments, with the moved block to add', () => {
    expect(findings(seeded(STORAGE, renamed))).toEqual([
      'fixtures/cases/full: generated/checkout/terraform [staging]: destroy aws_s3_bucket.receipts: it is no longer emitted at that address and no moved block says where it went; add a moved block (from = aws_s3_bucket.receipts, to = aws_s3_bucket.receipts_v2), or keep the address',
      'fixtures/cases/full: generated/checkout/terraform [production]: destroy aws_s3_bucket.receipts: it is no longer emitted at that address and no moved block says where it went; add a moved block (from = aws_s3_bucket.receipts, to = aws_s3_bucket.receipts_v2), or keep the address',
    ]);
  });

  it('reports a changed database engine, which replaces the instance', () => {
    expect(findings(seeded(DATABASE, (text) => text.replace(/(\n {2}engine +=) "postgres"\n/, '$1 "mysql"\n')))).toEqual([
      'fixtures/cases/full: generated/checkout/terraform [staging]: replace aws_db_instance.checkout: engine changed, which replaces it and loses its data; keep that attribute as v1.2.0 emits it',
      'fixtures/cases/full: generated/checkout/terraform [production]: replace aws_db_instance.checkout: engine changed, which replaces it and loses its data; keep that attribute as v1.2.0 emits it',
    ]);
  });

  it("reports a bucket name changed in one environment's tfvars, resolved through var.buckets, in that environment only", () => {
    const head = seeded(PRODUCTION, (text) => text.replace(/(\n {2}receipts = \{\n(?: {4}.*\n)*? {4}bucket += )"([^"]+)"/, '$1"$2-2"'));
    expect(findings(head)).toEqual([
      'fixtures/cases/full: generated/checkout/terraform [production]: replace aws_s3_bucket.receipts: bucket changed, which replaces it and loses its data; keep that attribute as v1.2.0 emits it',
    ]);
  });

  it('passes the same rename with a moved block, and reads it as a move', () => {
    const head = seeded(STORAGE, (text) => `${renamed(text)}\nmoved {\n  from = aws_s3_bucket.receipts\n  to   = aws_s3_bucket.receipts_v2\n}\n`);
    expect(findings(head)).toEqual([]);
    expect(
      compareCase(base, head)
        .changes.filter((c) => c.action === 'move')
        .map((c) => `${c.from} -> ${c.address} [${c.environment}]`),
    ).toEqual(['aws_s3_bucket.receipts -> aws_s3_bucket.receipts_v2 [staging]', 'aws_s3_bucket.receipts -> aws_s3_bucket.receipts_v2 [production]']);
  });

  it("reports a Kubernetes object deleted with its data: a service's namespace no longer emitted", () => {
    const path = 'generated/checkout/kubernetes/production/namespace.yaml';
    expect(base.generated.has(path)).toBe(true);
    const head: CaseRevision = { specs: base.specs, generated: new Map([...base.generated].filter(([p]) => p !== path)) };
    expect(findings(head)).toEqual([
      'fixtures/cases/full: generated/checkout/kubernetes/production/namespace.yaml [production]: delete Namespace/checkout: every object in it is deleted with it, secrets and volumes included; keep emitting it as v1.2.0 does',
    ]);
  });

  it('counts lifecycle blocks (prevent_destroy) as no change at all', () => {
    const head = seeded(STORAGE, (text) =>
      text.replace(
        '  bucket = var.buckets["receipts"].bucket\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}',
        '  bucket = var.buckets["receipts"].bucket\n}',
      ),
    );
    expect(compareCase(base, head).changes).toEqual([]);
  });

  it("compiles the base specs with the working tree when a case's specs changed, so a spec edit is not taken for an upgrade", () => {
    const service = base.specs.find((s) => s.path === 'services/checkout/service.yaml')!;
    const head: CaseRevision = {
      specs: base.specs.map((s) => (s === service ? { ...s, text: `${s.text}\n# edited\n` } : s)),
      generated: new Map([...base.generated].filter(([path]) => !path.startsWith('generated/checkout/'))),
    };
    const comparison = compareCase(base, head);
    expect(comparison.head).toBe('base specs compiled by the working tree');
    expect(comparison.changes.filter(losesData)).toEqual([]);
  });
});

describe('the base revision', () => {
  function repository(): { dir: string; git: (...args: string[]) => string; cleanup: () => void } {
    const scratch = scratchCopy();
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', scratch.dir, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'tag.gpgSign=false', '-c', 'commit.gpgSign=false', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    git('init', '-q');
    return { dir: scratch.dir, git, cleanup: scratch.cleanup };
  }
  const commit = (repo: ReturnType<typeof repository>, text: string): string => {
    writeFileSync(join(repo.dir, 'file.txt'), text);
    repo.git('add', 'file.txt');
    repo.git('commit', '-qm', text);
    return repo.git('rev-parse', 'HEAD').trim();
  };

  it("is the newest v* tag reachable from HEAD by version, not HEAD's own; else HEAD^; else PAVED_UPGRADE_BASE", () => {
    const repo = repository();
    try {
      const first = commit(repo, 'one');
      const second = commit(repo, 'two');
      expect(upgradeBase(repo.dir, undefined)).toEqual({ ref: 'HEAD^', commit: first, chosenBy: "HEAD's first parent (no v* tag is reachable from HEAD)" });
      repo.git('tag', 'v1.2.0', first);
      repo.git('tag', 'v1.10.0', first);
      repo.git('tag', 'other', first);
      const third = commit(repo, 'three');
      repo.git('tag', 'v1.11.0', third);
      expect(upgradeBase(repo.dir, undefined)).toEqual({ ref: 'v1.10.0', commit: first, chosenBy: 'the newest v* tag reachable from HEAD' });
      expect(upgradeBase(repo.dir, 'v1.2.0').commit).toBe(first);
      expect(upgradeBase(repo.dir, second).ref).toBe(second);
      expect(filesAt(repo.dir, first, ['.'])).toEqual(new Map([['file.txt', 'one']]));
      // paved inside a larger repository: paths are the folder's own.
      mkdirSync(join(repo.dir, 'tools', 'paved', 'fixtures'), { recursive: true });
      writeFileSync(join(repo.dir, 'tools', 'paved', 'fixtures', 'a.tf'), 'locals {}\n');
      repo.git('add', '-A');
      repo.git('commit', '-qm', 'nested');
      expect(filesAt(join(repo.dir, 'tools', 'paved'), 'HEAD', ['fixtures'])).toEqual(new Map([['fixtures/a.tf', 'locals {}\n']]));
    } finally {
      repo.cleanup();
    }
  });

  it('fails saying what to fetch: an unknown PAVED_UPGRADE_BASE, a shallow clone, a single commit, no git checkout', () => {
    const repo = repository();
    const clone = scratchCopy();
    const plain = scratchCopy();
    try {
      commit(repo, 'one');
      const fails = (dir: string, requested?: string): string => {
        try {
          upgradeBase(dir, requested);
        } catch (error) {
          expect(error).toBeInstanceOf(UpgradeBaseError);
          return (error as Error).message;
        }
        throw new Error('upgradeBase did not fail');
      };
      expect(fails(repo.dir, 'v9.9.9')).toBe(
        'PAVED_UPGRADE_BASE=v9.9.9 is not a commit in this clone: fetch it (git fetch --tags for a release tag, or git fetch origin v9.9.9), or set PAVED_UPGRADE_BASE to a revision you have',
      );
      expect(fails(repo.dir)).toBe(
        'HEAD has no parent and no v* tag is reachable from it, so the upgrade-safety test has no base revision: set PAVED_UPGRADE_BASE to a revision to compare with',
      );
      commit(repo, 'two');
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, join(clone.dir, 'shallow')], { stdio: 'ignore' });
      expect(fails(join(clone.dir, 'shallow'))).toBe(
        "this is a shallow clone without HEAD's parent and without release tags, so the upgrade-safety test has no base revision: fetch one (git fetch --deepen=1, or git fetch --tags for the releases, or git fetch --unshallow), or set PAVED_UPGRADE_BASE to a revision you have",
      );
      expect(existsSync(join(plain.dir, '.git'))).toBe(false);
      expect(fails(plain.dir)).toMatch(
        / is not a git checkout \(.*\), so the upgrade-safety test has no base revision to read golden files from: run the tests in a git clone of paved with its history \(git clone, not a tarball\)$/,
      );
    } finally {
      repo.cleanup();
      clone.cleanup();
      plain.cleanup();
    }
  });
});
