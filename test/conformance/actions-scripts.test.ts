import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_SUMMARY, ROLLBACK_VALIDATE, TERRAFORM_PLAN_SUMMARY } from '../../emitters/actions/scripts.js';
import { REPO, scratchCopy } from '../support/helpers.js';
import { isolatedEnv, runScript, type ScriptRun } from '../support/run-script.js';

/**
 * The workflow scripts run for real, the way a runner runs them
 * (`bash --noprofile --norc -eo pipefail <file>`), against local git repositories.
 */
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function scratch(): string {
  const s = scratchCopy();
  cleanups.push(s.cleanup);
  return s.dir;
}

/**
 * `<root>/bin` with an `npm` that runs the built paved, as `npm exec --offline --no -- paved`
 * does in a repository depending on paved, and a `sleep` that returns at once. Both log
 * their calls, and whether PUSH_TOKEN reached them, to `calls`.
 */
function pavedShim(root: string, calls: string): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  // Only the exact form the scripts use (scripts.ts PAVED) reaches paved; anything else fails loudly.
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh\necho "npm $* token=\${PUSH_TOKEN:-unset}" >> "${calls}"\nif [ "$1 $2 $3 $4 $5" != "exec --offline --no -- paved" ]; then echo "unexpected npm $*" >&2; exit 97; fi\nshift 5\nexec "${process.execPath}" "${join(REPO, 'bin', 'paved.js')}" "$@"\n`,
  );
  writeFileSync(join(bin, 'sleep'), `#!/bin/sh\necho "sleep $*" >> "${calls}"\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  chmodSync(join(bin, 'sleep'), 0o755);
  return bin;
}

/** The test's own git commands, as an author named "test"; the scripts under test set their own identity. */
function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const author = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
  const run = spawnSync('git', args, { cwd, env: { ...env, ...author }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout.trim();
}

describe('the rollback input check', () => {
  const good = { ENVIRONMENT: 'production', TAG: 'a'.repeat(40) };
  const check = (inputs: Readonly<Record<string, string>>): ScriptRun => {
    const dir = join(scratch(), 'work');
    mkdirSync(dir);
    return runScript(ROLLBACK_VALIDATE, dir, isolatedEnv(dir, inputs), join(dir, '..'));
  };

  it('accepts an environment and a full commit SHA', () => {
    expect(check(good).status).toBe(0);
    expect(check({ ...good, ENVIRONMENT: 'staging' }).status).toBe(0);
  });

  it.each([
    ['an unknown environment', { ENVIRONMENT: 'preview' }, 'environment must be staging or production'],
    ['a short tag', { TAG: 'abc1234' }, 'tag must be the full 40-character commit SHA'],
    ['a tag carrying shell code', { TAG: `${'a'.repeat(40)}$(id)` }, 'tag must be the full 40-character commit SHA'],
  ])('rejects %s with an annotation', (_what, inputs, message) => {
    const run = check({ ...good, ...inputs });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`::error::${message}`);
  });
});

describe('the paved-check summary', () => {
  it("writes paved diff's per-service table of the pull request's generated changes, against the merge commit's first parent", () => {
    const root = scratch();
    const dir = join(root, 'repo');
    const bin = pavedShim(root, join(root, 'calls.log'));
    const env = isolatedEnv(root, { PATH: `${bin}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: join(root, 'summary.md') });
    cpSync(join(REPO, 'examples', 'minimal'), dir, { recursive: true });
    git(dir, env, 'init', '--quiet', '--initial-branch=main');
    git(dir, env, 'add', '--all');
    git(dir, env, 'commit', '--quiet', '--message', 'base');
    const spec = join(dir, 'services', 'hello', 'service.yaml');
    writeFileSync(spec, `${readFileSync(spec, 'utf8')}resources:\n  topics: [{ name: greetings }]\n`);
    git(dir, env, 'commit', '--quiet', '--all', '--message', 'a topic');
    const run = runScript(CHECK_SUMMARY, dir, env, join(dir, '..'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = readFileSync(join(root, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^### Generated files\n/);
    expect(summary).toMatch(/^\| hello \| catalog-info \| 0 \| 1 \| 0 \|$/m);
  });
});

// The release to the deploy branches runs, with everything around it, in test/conformance/release-flow.test.ts.

describe('the Terraform plan summary', () => {
  /** Runs the summary with a `terraform` that prints a one-line plan of the root it is pointed at; returns the job summary. */
  const summary = (extra: Readonly<Record<string, string>>): string => {
    const root = scratch();
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    mkdirSync(work);
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'terraform'),
      '#!/bin/sh\n[ "$1" = "-chdir=$STACK" ] && [ "$2 $3 $4" = "show -no-color tfplan" ] || exit 97\necho "Plan: 1 to add, 0 to change, 0 to destroy."\n',
    );
    chmodSync(join(bin, 'terraform'), 0o755);
    const file = join(root, 'summary.md');
    const run = runScript(
      TERRAFORM_PLAN_SUMMARY,
      work,
      isolatedEnv(root, {
        PATH: `${bin}:${process.env.PATH}`,
        RUNNER_TEMP: root,
        GITHUB_STEP_SUMMARY: file,
        SERVICE: 'orders',
        ENVIRONMENT: 'staging',
        ...extra,
      }),
      join(work, '..'),
    );
    expect(run.status, run.stderr).toBe(0);
    return readFileSync(file, 'utf8');
  };

  it("heads the main stack's plan with the service, and a subscriptions root's with the root's name too", () => {
    const main = summary({ STACK: 'generated/orders/terraform' });
    expect(main.split('\n').slice(0, 3)).toEqual(['### Terraform plan: orders in staging', '', 'Plan: 1 to add, 0 to change, 0 to destroy.']);
    const subscriptions = summary({ STACK: 'generated/orders/terraform/subscriptions', ROOT: 'subscriptions' });
    expect(subscriptions.split('\n')[0]).toBe('### Terraform plan: orders subscriptions in staging');
  });
});
