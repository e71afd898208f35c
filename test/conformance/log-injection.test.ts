import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printablePatch } from '../../cli/format.js';
import { REPO, runCli, scratchCopy } from '../support/helpers.js';
import { executedCommands } from '../support/runner-commands.js';

/**
 * What paved prints lands in GitHub Actions logs, in the run summary and in
 * terminals. Text a pull request controls (a file name or a file in the output
 * folders, a manifest entry, a reason, a comment in a spec, releases.yaml) must
 * not become a workflow command of the runner's, forge a line of paved's, or
 * send a terminal a sequence. Each case is one the audit of 2026-12-06
 * reproduced against the built CLI.
 */
const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let copies = 0;

/** A terminal's escape, a C1 control or a bidi override: nothing paved prints may hold one. */
const TERMINAL_CONTROL = /[\u001b\u0007\u0080-\u009f\u202a-\u202e\u2066-\u2069]/u;

function expectInert(text: string): void {
  expect(executedCommands(text)).toEqual([]);
  expect(text).not.toMatch(TERMINAL_CONTROL);
}

/** A line that would forge one of paved's own. */
const FORGED_LINE = /^paved: 439 generated files up to date$/m;

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });

/** examples/shop compiled and committed in a git repository of its own. */
async function shop(): Promise<string> {
  const root = join(scratch.dir, `shop-${copies++}`);
  cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  const compiled = await runCli(['compile'], root);
  expect(compiled.code, compiled.stderr).toBe(0);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  return root;
}

const INJECTED = '\n::add-mask::paved\n::error title=CHECK.FORGED::forged\r::stop-commands::pwned\npaved: 439 generated files up to date\n';
const TERMINAL = '\u001b]0;pwned\u0007\u001b[2K\u001b[8m\u202eevil';

function addToManifest(root: string, path: string): void {
  const manifestPath = join(root, 'generated', '.paved-manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: unknown[] };
  manifest.files.push({ path, sha256: '0'.repeat(64), source: 'services/orders/service.yaml' });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

describe('what paved prints of text a pull request controls', () => {
  it('a manifest entry: its path in the refusal of check --format github is one inert line', async () => {
    const root = await shop();
    const linked = `generated/orders/x${INJECTED}${TERMINAL}`;
    symlinkSync('target', join(root, linked));
    addToManifest(root, linked);
    addToManifest(root, `x ##[error title=Approved]LGTM ${TERMINAL}`);
    const check = await runCli(['check', '--format', 'github'], root);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('"x ##\\[error title=Approved]LGTM \\u001b]0;pwned\\u0007\\u001b[2K\\u001b[8m\\u202eevil": it is not inside generated/');
    expectInert(check.stderr);
    expect(check.stderr).not.toMatch(FORGED_LINE);
  });

  it('a file added to the output folders: its name in diff (text and the run summary) and compile is one inert line', async () => {
    const root = await shop();
    const name = `generated/orders/x${INJECTED}### All clear\n\n${TERMINAL}`;
    writeFileSync(join(root, name), 'x');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'pr');
    for (const format of ['text', 'markdown']) {
      const diff = await runCli(['diff', '--base', 'HEAD^1', '--format', format], root);
      expect(diff.code, diff.stderr).toBe(0);
      expect(diff.stdout).toContain('generated/orders/x\\u000a::add-mask::paved\\u000a::error title=CHECK.FORGED::forged\\u000d::stop-commands');
      expectInert(diff.stdout);
      expect(diff.stdout).not.toMatch(FORGED_LINE);
      expect(diff.stdout).not.toMatch(/^### All clear/m);
    }
    const compile = await runCli(['compile'], root);
    expect(compile.code, compile.stderr).toBe(0);
    expect(compile.stderr).toMatch(/^paved: warning: generated\/orders\/x\\u000a::add-mask::paved\\u000a/m);
    expectInert(compile.stderr);
    expect(compile.stderr).not.toMatch(FORGED_LINE);
  });

  it("a generated file's edited bytes: the patch check prints shows them escaped", async () => {
    const root = await shop();
    const file = join(root, 'generated/orders/kubernetes/staging/deployment.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('\n', `\n# note\r::add-mask::paved\n    ::error title=CHECK.FORGED::forged\n# ${TERMINAL} ##[warning]x\n`));
    const check = await runCli(['check'], root);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      '-# note\\u000d::add-mask::paved\n-    ::error title=CHECK.FORGED::forged\n-# \\u001b]0;pwned\\u0007\\u001b[2K\\u001b[8m\\u202eevil ##\\[warning]x\n',
    );
    expectInert(check.stdout);
  });

  it('a line of a patch the runner would read as a command once it trims the line: its colon is escaped', () => {
    expect(printablePatch(' ::add-mask::paved\n-  ::error::x\n+\t::warning::y\n  \u00a0::notice::z')).toBe(
      ' \\u003a:add-mask::paved\n-  ::error::x\n+\\u0009::warning::y\n  \u00a0\\u003a:notice::z',
    );
  });

  it('a reason: a data-loss acknowledgement in check --base and an override in report stay on their line', async () => {
    const root = await shop();
    const spec = join(root, 'services/orders/service.yaml');
    const reason = 'migrated to the ledger, OPS-1\\npaved: 439 generated files up to date\\n::add-mask::paved\\n##[error]forged';
    writeFileSync(
      spec,
      readFileSync(spec, 'utf8')
        .replace('  databases:\n    - name: orders\n      engine: postgres\n      version: "16"\n      size: medium\n', '')
        .replace(
          'environments:\n',
          `dataLoss:\n  - resource: databases.orders\n    reason: "${reason}"\n\noverrides:\n  kubernetes:\n    - target: Deployment/orders\n      reason: "Must not be preempted (INC-142)\\n  overrides: none\\n::add-mask::paved"\n      patch:\n        - { op: add, path: /metadata/annotations, value: { a: b } }\n\nenvironments:\n`,
        ),
    );
    const compiled = await runCli(['compile'], root);
    expect(compiled.code, compiled.stderr).toBe(0);
    const check = await runCli(['check', '--base', 'HEAD'], root);
    expect(check.stderr).toContain(
      'as acknowledged: migrated to the ledger, OPS-1\\u000apaved: 439 generated files up to date\\u000a::add-mask::paved\\u000a##\\[error]forged\n',
    );
    expectInert(check.stderr + check.stdout);
    expect(check.stderr).not.toMatch(FORGED_LINE);
    const report = await runCli(['report'], root);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('Must not be preempted (INC-142)\\u000a  overrides: none\\u000a::add-mask::paved\n');
    expectInert(report.stdout);
  });

  it("a comment in a spec that does not compile: the diff step's diagnostics show it with ##[ broken up, the carets under the value", async () => {
    const root = await shop();
    const spec = join(root, 'services/orders/service.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('tier: standard', 'tier: Standard # ##[warning title=paved check]all clear'));
    const diff = await runCli(['diff', '--base', 'HEAD', '--format', 'markdown'], root);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toContain(' 10 | tier: Standard # ##\\[warning title=paved check]all clear\n    |       ^^^^^^^^\n');
    expectInert(diff.stderr);
  });

  it('releases.yaml: release --show refuses a tag the compile refuses without printing its source line, and release names a dropped service on one line', async () => {
    const root = await shop();
    const releases = join(root, 'releases.yaml');
    const original = readFileSync(releases, 'utf8');
    writeFileSync(releases, `${original}  y: !bad "##[error title=forged]x ${TERMINAL}"\n`);
    const show = spawnSync(process.execPath, [join(REPO, 'bin/paved.js'), 'release', 'orders', '--env', 'staging', '--show'], { cwd: root, encoding: 'utf8' });
    expect(show.status).toBe(1);
    expect(show.stdout).toBe('');
    expect(show.stderr).toBe('paved: releases.yaml does not parse; run paved validate to see why\n');
    writeFileSync(releases, `${original}  "gone\\n::add-mask::paved\\n##[error]x":\n    staging: { tag: v1 }\n`);
    const release = await runCli(['release', 'orders', '--env', 'staging', '--tag', '0123456789012345678901234567890123456789'], root);
    expect(release.code, release.stderr).toBe(0);
    expect(release.stdout).toContain('releases.yaml: gone\\u000a::add-mask::paved\\u000a##\\[error]x dropped: no service.yaml declares it any more\n');
    expectInert(release.stdout);
  });
});
