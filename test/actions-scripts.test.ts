import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_SUMMARY, RELEASE_COMMIT, ROLLBACK_VALIDATE, TERRAFORM_PLAN_SUMMARY } from '../emitters/actions/scripts.js';
import { REPO, scratchCopy } from './helpers.js';

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

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A git that reads no user or system configuration, so the machine's settings cannot leak in. */
function isolatedEnv(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra };
}

function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv): Run {
  const file = join(cwd, '..', `script-${cleanups.length}-${Math.abs(script.length)}.sh`);
  writeFileSync(file, script);
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
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
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "npm $* token=\${PUSH_TOKEN:-unset}" >> "${calls}"\nif [ "$1 $2 $3 $4 $5" != "exec --offline --no -- paved" ]; then echo "unexpected npm $*" >&2; exit 97; fi\nshift 5\nexec "${process.execPath}" "${join(REPO, 'bin', 'paved.js')}" "$@"\n`);
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
  const good = { ENVIRONMENT: 'production', TAG: 'a'.repeat(40), DIGEST: `sha256:${'b'.repeat(64)}` };
  const check = (inputs: Readonly<Record<string, string>>): Run => {
    const dir = join(scratch(), 'work');
    mkdirSync(dir);
    return runScript(ROLLBACK_VALIDATE, dir, isolatedEnv(dir, inputs));
  };

  it('accepts an environment, a full commit SHA and a digest, or no digest', () => {
    expect(check(good).status).toBe(0);
    expect(check({ ...good, ENVIRONMENT: 'staging', DIGEST: '' }).status).toBe(0);
  });

  it.each([
    ['an unknown environment', { ENVIRONMENT: 'preview' }, 'environment must be staging or production'],
    ['a short tag', { TAG: 'abc1234' }, 'tag must be the full 40-character commit SHA'],
    ['a tag carrying shell code', { TAG: `${'a'.repeat(40)}$(id)` }, 'tag must be the full 40-character commit SHA'],
    ['an uppercase digest', { DIGEST: `sha256:${'B'.repeat(64)}` }, 'digest must be sha256:'],
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
    const run = runScript(CHECK_SUMMARY, dir, env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = readFileSync(join(root, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^### Generated files\n/);
    expect(summary).toMatch(/^\| hello \| catalog-info \| 0 \| 1 \| 0 \|$/m);
  });
});

describe('the GitOps release commit', () => {
  const TAG = 'c'.repeat(40);
  const DIGEST = `sha256:${'d'.repeat(64)}`;

  /** origin (bare) with a compiled minimal project; a runner's clone; origin then moves ahead, and rejects the next push once. */
  function setUp(): { work: string; origin: string; env: NodeJS.ProcessEnv; calls: string } {
    const root = scratch();
    const [origin, seed, work, bin] = ['origin.git', 'seed', 'work', 'bin'].map((name) => join(root, name)) as [string, string, string, string];
    const env = isolatedEnv(root);
    git(root, env, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    cpSync(join(REPO, 'examples', 'minimal'), seed, { recursive: true });
    const compiled = spawnSync(process.execPath, [join(REPO, 'bin', 'paved.js'), 'compile'], { cwd: seed, encoding: 'utf8' });
    expect(compiled.status, compiled.stderr).toBe(0);
    git(seed, env, 'init', '--quiet', '--initial-branch=main');
    git(seed, env, 'add', '--all');
    git(seed, env, 'commit', '--quiet', '--message', 'seed');
    git(seed, env, 'push', '--quiet', origin, 'main');
    git(root, env, 'clone', '--quiet', origin, work);
    // Another change lands on main after the runner checked out.
    writeFileSync(join(seed, 'NOTES.md'), 'landed meanwhile\n');
    git(seed, env, 'add', '--all');
    git(seed, env, 'commit', '--quiet', '--message', 'meanwhile');
    git(seed, env, 'push', '--quiet', origin, 'main');
    // The next push loses a race once, as when another service's release lands first.
    const hook = join(origin, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\nif [ ! -f "$GIT_DIR/raced" ]; then touch "$GIT_DIR/raced"; echo "rejected: fetch first" >&2; exit 1; fi\n');
    chmodSync(hook, 0o755);
    const calls = join(root, 'calls.log');
    pavedShim(root, calls);
    const scriptEnv = isolatedEnv(root, {
      PATH: `${bin}:${process.env.PATH}`,
      SERVICE: 'hello',
      ENVIRONMENT: 'staging',
      TAG,
      DIGEST,
      OUT: 'generated',
      BRANCH: 'main',
      PUSH_TOKEN: 'ghs_not-a-real-token',
    });
    return { work, origin, env: scriptEnv, calls };
  }

  it('records the release on the newest main, retries after a lost push race, and keeps the token from paved', () => {
    const { work, origin, env, calls } = setUp();
    const run = runScript(RELEASE_COMMIT, work, env);
    expect(run.stderr).not.toContain('fatal');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('::warning::pushing the release was rejected (attempt 1 of 5)');
    const log = git(origin, env, 'log', '--format=%s|%an', 'main');
    expect(log.split('\n')).toEqual([`paved: release hello ${TAG} to staging|github-actions[bot]`, 'meanwhile|test', 'seed|test']);
    const releases = git(origin, env, 'show', 'main:releases.yaml');
    expect(releases).toContain(`hello:\n    staging: { tag: ${TAG}, digest: ${DIGEST} }`);
    // The release and what it renders: the environment's manifests name the new image, and its Argo CD Application appears.
    const changed = git(origin, env, 'show', '--name-only', '--format=', 'main').split('\n');
    expect(changed).toContain('releases.yaml');
    expect(changed).toContain('generated/hello/kubernetes/staging/deployment.yaml');
    // The environment's first release also brings its app-of-apps (generated/_platform/argocd/staging-services.yaml).
    expect(changed.filter((path) => !/^(releases\.yaml|generated\/\.paved-manifest\.json|generated\/argocd\/hello-staging\.yaml|generated\/_platform\/argocd\/staging-services\.yaml|generated\/hello\/kubernetes\/staging\/.*)$/.test(path))).toEqual([]);
    expect(changed).toContain('generated/_platform/argocd/staging-services.yaml');
    const logged = readFileSync(calls, 'utf8');
    expect(logged).toContain('sleep 5');
    expect(logged.match(/^npm exec --offline --no -- paved release hello --env staging --tag c+ --digest sha256:d+ token=unset$/gm)).toHaveLength(2);
    expect(logged).not.toContain('ghs_not-a-real-token');
  });

  it('commits nothing when the environment already runs that image', () => {
    const { work, origin, env } = setUp();
    expect(runScript(RELEASE_COMMIT, work, env).status).toBe(0);
    const head = git(origin, env, 'rev-parse', 'main');
    const again = runScript(RELEASE_COMMIT, work, env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`hello already runs ${TAG} in staging; nothing to commit`);
    expect(git(origin, env, 'rev-parse', 'main')).toBe(head);
    expect(existsSync(join(work, 'releases.yaml'))).toBe(true);
  });
});

describe('the Terraform plan summary', () => {
  /** Runs the summary with a `terraform` that prints a one-line plan of the root it is pointed at; returns the job summary. */
  const summary = (extra: Readonly<Record<string, string>>): string => {
    const root = scratch();
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    mkdirSync(work);
    mkdirSync(bin);
    writeFileSync(join(bin, 'terraform'), '#!/bin/sh\n[ "$1" = "-chdir=$STACK" ] && [ "$2 $3 $4" = "show -no-color tfplan" ] || exit 97\necho "Plan: 1 to add, 0 to change, 0 to destroy."\n');
    chmodSync(join(bin, 'terraform'), 0o755);
    const file = join(root, 'summary.md');
    const run = runScript(TERRAFORM_PLAN_SUMMARY, work, isolatedEnv(root, { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: root, GITHUB_STEP_SUMMARY: file, SERVICE: 'orders', ENVIRONMENT: 'staging', ...extra }));
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
