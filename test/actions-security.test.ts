import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers.js';
import { AUDITS } from './zizmor-audits.js';
import { allGeneratedWorkflows, type GeneratedWorkflow, type ParsedWorkflow } from './workflows.js';

/**
 * security-rules.md §3: every zizmor audit, by name, over every workflow that
 * every fixture and examples/shop generate. Each audit is also run on a workflow
 * that breaks it, so a check that can never fire would fail here.
 */
const workflows = allGeneratedWorkflows();

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
    runs-on: ubuntu-latest
    permissions: { contents: write, id-token: write, bogus: read }
    container:
      image: node:latest
      credentials: { username: u, password: hunter2 }
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: "true"
      ALL: \${{ toJSON(secrets) }}
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
const bad: GeneratedWorkflow = { name: 'bad.yml', text: BAD_TEXT, doc: parse(BAD_TEXT) as ParsedWorkflow };

describe('zizmor audits (security-rules.md §3) over every generated workflow', () => {
  it('covers every fixture and examples/shop: one workflow per service plus paved-check.yml each', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(12);
    const cases = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(FIXTURES, e.name, 'expected'))).map((e) => `fixtures/${e.name}`);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    expect(workflows.filter((w) => w.name.endsWith('/paved-check.yml')).map((w) => w.name.split('/.github')[0])).toEqual([...cases.sort(), 'examples/shop']);
  });

  it.each(Object.keys(AUDITS))('%s: zero findings', (audit) => {
    expect(workflows.flatMap(AUDITS[audit]!)).toEqual([]);
  });

  it.each(Object.keys(AUDITS))('%s: finds the problem in a workflow that has it', (audit) => {
    expect(AUDITS[audit]!(bad).length).toBeGreaterThan(0);
  });
});
