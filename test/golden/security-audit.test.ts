import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { embedReference } from '../../scripts/generate-spec.js';
import { CHECKED_ELSEWHERE, DOC_ROWS, NOT_ENCODABLE } from '../../compiler/policy/doc-rows.js';
import { POLICY_RULES as AUDIT_RULES, runPolicy as runAudit } from '../../compiler/policy/registry.js';
import { AUDITED_KINDS, hasKind, podCount } from '../../compiler/policy/rules-kubernetes.js';
import { AUDITED_RESOURCE_TYPES } from '../../compiler/policy/rules-terraform.js';
import { renderAuditTable, renderRuleList, renderWaivers } from '../../compiler/policy/table.js';
import { ruleLabel, type Finding } from '../../compiler/policy/types.js';
import type { GeneratedWorkflow, ParsedWorkflow, PolicyTarget as AuditTarget } from '../../compiler/policy/view.js';
import { DECLARED_WAIVERS } from '../../emitters/shared/waivers.js';
import { BREAKAGES } from '../support/audit/breakages.js';
import { auditRoots, auditTarget, auditTargets, TARGET_ROOTS } from '../support/audit/targets.js';
import { FIXTURES, goldenCases, REPO } from '../support/helpers.js';

/**
 * The secure-output audit (issue 10): every rule of security-rules.md §1–§3, by
 * rule id, over every golden fixture and both examples. A finding passes only
 * when a waiver declared in emitters/<emitter>/waivers.ts is printed in the
 * output; every rule must check something and must fire on a broken sample.
 * The rules × targets table is fixtures/security-audit.md, and docs/security.md
 * embeds the rule list; `npm run fixtures:update` rewrites both.
 */
const UPDATE = process.env.PAVED_UPDATE_FIXTURES === '1';
const TABLE = join(FIXTURES, 'security-audit.md');

const targets = auditTargets();
const results = runAudit(targets);
const resultsOf = (label: string) => results.filter((r) => ruleLabel(r.rule) === label);
const show = (target: string, f: Finding): string => `${target}: ${f.where}: ${f.problem}`;

describe('the audit targets', () => {
  it('are every golden case, examples/shop and examples/minimal', () => {
    expect(goldenCases().length).toBeGreaterThanOrEqual(3);
    expect(targets.map((t) => t.name)).toEqual([...goldenCases().map((c) => `fixtures/cases/${c}`), 'examples/shop', 'examples/minimal']);
  });

  it('hold the Terraform resources every §1 rule reads', () => {
    const missing = AUDITED_RESOURCE_TYPES.filter((type) => !targets.some((t) => t.resources.some((r) => r.type === type)));
    expect(missing).toEqual([]);
  });

  it('hold many pod specs, CronJobs among them, and every kind the §2 rules read', () => {
    expect(targets.reduce((n, t) => n + podCount(t), 0)).toBeGreaterThan(40);
    expect(AUDITED_KINDS.filter((kind) => !targets.some((t) => hasKind(t, kind)))).toEqual([]);
  });

  it('are read from the very files the compile planned, byte for byte', () => {
    for (const { target, planned, files } of auditRoots()) {
      expect(
        files.filter((f) => planned.get(f.path) !== f.contents).map((f) => f.path),
        target.name,
      ).toEqual([]);
      expect(files.length, target.name).toBe(planned.size);
    }
  });

  it('hold one workflow per service plus paved-check.yml each, and paved-previews.yml where a service has previews', () => {
    expect(targets.reduce((n, t) => n + t.workflows.length, 0)).toBeGreaterThanOrEqual(12);
    for (const t of targets) {
      expect(
        t.workflows.map((w) => w.name).filter((n) => n.endsWith('/paved-check.yml')),
        t.name,
      ).toEqual([`${t.name}/.github/workflows/paved-check.yml`]);
      const previews = t.project.services.some((s) => s.environments.preview.enabled);
      expect(
        t.workflows.map((w) => w.name).filter((n) => n.endsWith('/paved-previews.yml')),
        t.name,
      ).toEqual(previews ? [`${t.name}/.github/workflows/paved-previews.yml`] : []);
      expect(t.workflows.length, t.name).toBe(t.stacks.length + 1 + (previews ? 1 : 0));
    }
  });
});

describe('the registry covers security-rules.md §1–§3', () => {
  it('maps every id of every row to a rule of the same section, or says where else it is checked or why it cannot be', () => {
    const uncovered = DOC_ROWS.flatMap((row) =>
      row.ids
        .filter((id) => !AUDIT_RULES.some((r) => r.section === row.section && r.ids.includes(id)) && !(id in CHECKED_ELSEWHERE) && !(id in NOT_ENCODABLE))
        .map((id) => `${row.section} ${id}`),
    );
    expect(uncovered).toEqual([]);
  });

  it('has at least one rule for every row', () => {
    const empty = DOC_ROWS.filter((row) => !AUDIT_RULES.some((r) => r.section === row.section && row.ids.some((id) => r.ids.includes(id))));
    expect(empty.map((row) => `${row.section} ${row.ids[0]}`)).toEqual([]);
  });

  it("names no id the document does not give for that section; paved's own §4 rules use PAVED_ ids only", () => {
    const known = (section: string, id: string): boolean =>
      DOC_ROWS.some((row) => row.section === section && row.ids.includes(id)) || (section === '§4 paved' && /^PAVED_[A-Z_]+$/.test(id));
    expect(AUDIT_RULES.flatMap((r) => r.ids.filter((id) => !known(r.section, id)).map((id) => `${r.section} ${id}`))).toEqual([]);
  });

  it('gives every rule a distinct label, so results and test names cannot mix two rules up', () => {
    const labels = AUDIT_RULES.map(ruleLabel);
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
  });

  it('covers all 24 rows of §1, 17 Pod Security controls, 22 kube-score/polaris rows and 14 rows of §3', () => {
    const count = (prefix: string) => DOC_ROWS.filter((row) => row.section.startsWith(prefix)).length;
    expect([count('§1 #'), count('§2 PSS'), count('§2 kube-score'), count('§3')]).toEqual([24, 17, 22, 14]);
  });
});

describe('every rule over every target', () => {
  it.each(AUDIT_RULES.map((r) => [ruleLabel(r)]))('%s: no unwaived finding, and something was checked', (label) => {
    const own = resultsOf(label);
    expect(own.flatMap((r) => r.result.findings.filter((f) => f.waiver === undefined).map((f) => show(r.target, f)))).toEqual([]);
    expect(
      own.reduce((n, r) => n + r.result.checked, 0),
      'the rule checked nothing in any target',
    ).toBeGreaterThan(0);
  });

  it('excuses findings only with waivers declared in code, and every declared waiver excuses something', () => {
    const used = new Set(results.flatMap((r) => r.result.findings.flatMap((f) => (f.waiver ? [f.waiver] : []))));
    expect([...used].filter((id) => !DECLARED_WAIVERS.some((w) => w.id === id))).toEqual([]);
    expect(DECLARED_WAIVERS.map((w) => w.id).filter((id) => !used.has(id))).toEqual([]);
  });

  it('a waiver excuses only findings of the rules it names', () => {
    const stray = results.flatMap((r) =>
      r.result.findings
        .filter(
          (f) =>
            f.waiver &&
            !DECLARED_WAIVERS.find((w) => w.id === f.waiver)!.rules.some((id) =>
              r.rule.ids.some((ruleId) => ruleId === id || ruleId.endsWith(` ${id}`) || id.endsWith(` ${ruleId}`)),
            ),
        )
        .map((f) => `${ruleLabel(r.rule)}: ${show(r.target, f)} (${f.waiver})`),
    );
    expect(stray).toEqual([]);
  });
});

describe('every rule fires on a broken sample', () => {
  it('has at least one breakage for every rule, and none for a rule the registry does not have', () => {
    expect(AUDIT_RULES.filter((r) => (BREAKAGES[ruleLabel(r)] ?? []).length === 0).map(ruleLabel)).toEqual([]);
    expect(Object.keys(BREAKAGES).filter((label) => !AUDIT_RULES.some((r) => ruleLabel(r) === label))).toEqual([]);
  });

  const cases = AUDIT_RULES.flatMap((rule) =>
    (BREAKAGES[ruleLabel(rule)] ?? []).map((breakage) => [`${ruleLabel(rule)}: ${breakage.what}`, rule, breakage] as const),
  );

  it.each(cases)('%s', (_name, rule, breakage) => {
    const sample: AuditTarget = auditTarget(breakage.sample ?? 'examples/shop');
    expect(
      rule.check(sample).findings.filter((f) => f.waiver === undefined),
      'the unbroken sample already fails',
    ).toEqual([]);
    const findings = rule.check(breakage.apply(sample)).findings;
    expect(findings.filter((f) => f.waiver === undefined).length).toBeGreaterThan(0);
    // A finding raised under its own ids names some of its rule's, never another's (a platform waiver matches on them).
    expect(
      findings.filter((f) => f.ids !== undefined && (f.ids.length === 0 || f.ids.some((id) => !rule.ids.includes(id)))).map((f) => [f.problem, f.ids]),
    ).toEqual([]);
  });
});

describe('the §3 rules on a hand-written bad workflow', () => {
  const BAD_TEXT = `name: bad
on:
  pull_request_target: {}
  workflow_run: { workflows: [x], types: [completed] }
permissions: write-all
jobs:
  reuse:
    uses: org/repo/.github/workflows/x.yml@main
    secrets: inherit
  bad:
    if: github.actor == 'dependabot[bot]'
    needs: [missing]
    runs-on: ubuntu-latest
    permissions: { contents: write, id-token: write, bogus: read }
    container:
      image: node:latest
      credentials: { username: u, password: hunter2 }
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: "true"
      ALL: \${{ toJSON(secrets) }}
      TOKEN: \${{ secrets.TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
      - uses: actions/setup-node@2028fbc5c25fe9cf00d9f06a71cc4710d4507903 # v6.0.0
        with: { cache: npm }
      - uses: actions/github-script@v8
        with: { script: "console.log('\${{ github.event.issue.title }}')" }
      - run: echo "\${{ github.event.pull_request.title }}" >> "$GITHUB_ENV"; echo "::set-output name=x::y"
      - run: terraform -chdir=x apply -auto-approve
      - uses: docker://alpine:3
`;
  const bad: GeneratedWorkflow = { name: 'bad.yml', text: BAD_TEXT, waivers: [], doc: parse(BAD_TEXT) as ParsedWorkflow };
  const target: AuditTarget = { name: 'bad', project: auditTarget('examples/shop').project, stacks: [], resources: [], objects: [], workflows: [bad] };

  it.each(AUDIT_RULES.filter((r) => r.kind === 'actions').map((r) => [ruleLabel(r), r] as const))('%s: finds the problem', (_label, rule) => {
    expect(rule.check(target).findings.length).toBeGreaterThan(0);
  });
});

describe('the rules × targets table', () => {
  it('is fixtures/security-audit.md, byte for byte (npm run fixtures:update)', () => {
    const table = renderAuditTable(results, TARGET_ROOTS, AUDIT_RULES);
    if (UPDATE) writeFileSync(TABLE, table);
    expect(existsSync(TABLE), `missing ${TABLE}; run npm run fixtures:update`).toBe(true);
    expect(table).toBe(readFileSync(TABLE, 'utf8'));
  });

  it('is embedded in docs/security.md as the rule list and the waivers (npm run fixtures:update)', () => {
    const path = join(REPO, 'docs', 'security.md');
    const doc = readFileSync(path, 'utf8');
    const regenerated = embedReference(
      embedReference(doc, 'audit-rules', renderRuleList(AUDIT_RULES), 'docs/security.md'),
      'audit-waivers',
      renderWaivers(),
      'docs/security.md',
    );
    if (UPDATE) writeFileSync(path, regenerated);
    expect(readFileSync(path, 'utf8')).toBe(regenerated);
  });
});
