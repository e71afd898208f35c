import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { caseRoot, compileDir, goldenCases, REPO, scratchCopy } from '../support/helpers.js';
import type { ParsedJob, ParsedStep, ParsedWorkflow } from '../support/workflows.js';
import { actionOf, allGeneratedWorkflows } from '../support/workflows.js';

/**
 * The release flow as CI runs it: the jobs' `run:` scripts are read from the
 * workflow YAML that paved generates for a project, and run with bash, step by
 * step, against a bare `origin` whose pre-receive hook protects `main` (no
 * direct push; only the test's "merge button" moves it, as a merged pull request
 * would). What stands in for GitHub, said here once:
 *
 * - actions/checkout is a clone of origin at the run's commit with all history
 *   (the release jobs ask for fetch-depth 0) and no stored credentials;
 *   actions/setup-node is the test's own Node.js.
 * - `npm` is a shim doing what npm does for the two commands the steps use:
 *   `npm ci` installs the paved version that the checked-out commit's
 *   package.json pins (from a local "registry" of real paved builds, copies of
 *   this worktree's bin/ and dist/ that differ only in their version), and
 *   `npm exec --offline --no -- paved` runs the paved installed in
 *   node_modules, logging which build ran. paved itself is never faked.
 * - `${{ }}` expressions are replaced with the values GitHub would give them
 *   (github.sha, the publish job's digest, the secret, the dispatch inputs).
 */

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const TOKEN = 'ghs_not-a-real-token';
const digestOf = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the steps wrote to GITHUB_OUTPUT. */
  readonly output?: string;
}

/** A git that reads no user or system configuration. */
function baseEnv(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', TMPDIR: join(home, 'tmp'), ...extra };
}

const AUTHOR = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.invalid', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.invalid' };

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const run = spawnSync('git', args, { cwd, env: { ...env, ...AUTHOR }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** A service spec like examples/minimal's, named `name`, with optional extra YAML. */
const serviceSpec = (name: string, extra = ''): string =>
  `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-${name}\nruntime:\n  language: node\n  port: 8080\n${extra}`;

interface World {
  readonly root: string;
  readonly origin: string;
  readonly dev: string;
  readonly env: NodeJS.ProcessEnv;
  readonly calls: string;
  /** Commits the dev clone's changes, compiles with the paved that the commit pins, and merges to main (the hook lets only this through). */
  merge(message: string, files: Readonly<Record<string, string>>, pavedVersion?: string): string;
  /** The service workflow of `service` as generated at `commit` (read from the commit, as the runner would). */
  workflow(commit: string, file: string): ParsedWorkflow;
  /** Runs one job of a generated workflow at `commit`, step by step; returns the last step's result (or the first failing one). */
  runJob(commit: string, file: string, jobId: string, values: Readonly<Record<string, string>>): Run;
  /** The same, started now and finished later: for concurrent runs. */
  runJobAsync(commit: string, file: string, jobId: string, values: Readonly<Record<string, string>>): Promise<Run>;
  show(ref: string, path: string): string;
  files(ref: string): string[];
}

/** The paved "registry": real builds of this worktree, each a copy of bin/ and dist/ with its own version. */
function pavedBuild(root: string, version: string): string {
  const dir = join(root, 'registry', `paved-${version}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
  mkdirSync(join(dir, 'spec'));
  for (const f of readdirSync(join(REPO, 'spec')).filter((f) => f.endsWith('.json'))) cpSync(join(REPO, 'spec', f), join(dir, 'spec', f));
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** `npm ci` and `npm exec --offline --no -- paved`, as npm does them for a project that depends on paved; anything else fails. */
function npmShim(root: string, calls: string): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const script = [
    '#!/bin/bash',
    'set -euo pipefail',
    'if [ "$*" = "ci --no-audit --no-fund" ]; then',
    `  version="$("${process.execPath}" -e 'process.stdout.write(require("./package.json").devDependencies.paved)')"`,
    `  build="${join(root, 'registry')}/paved-\${version}"`,
    '  [ -d "${build}" ] || { echo "npm: no paved@${version} in the registry" >&2; exit 1; }',
    '  rm -rf node_modules && mkdir -p node_modules/.bin',
    '  ln -s "${build}" node_modules/paved && ln -s ../paved/bin/paved.js node_modules/.bin/paved',
    '  exit 0',
    'fi',
    'if [ "$1 $2 $3 $4 $5" = "exec --offline --no -- paved" ]; then',
    '  shift 5',
    `  echo "$(basename "$(readlink node_modules/paved)") $* token=\${PUSH_TOKEN:-unset} auth=\${auth:-unset}" >> "${calls}"`,
    `  exec "${process.execPath}" node_modules/.bin/paved "$@"`,
    'fi',
    'echo "unexpected npm $*" >&2',
    'exit 97',
  ].join('\n');
  writeFileSync(join(bin, 'npm'), `${script}\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

/** A repository whose paved root is `prefix` (gitops.path; the repository root when empty), with `services` in it. */
function world(services: readonly string[], prefix = ''): World {
  const s = scratchCopy();
  cleanups.push(s.cleanup);
  const root = s.dir;
  const [origin, dev] = [join(root, 'origin.git'), join(root, 'dev')];
  mkdirSync(join(root, 'tmp'));
  const calls = join(root, 'calls.log');
  const bin = npmShim(root, calls);
  const env = baseEnv(root, { PATH: `${bin}:${process.env.PATH}` });
  git(root, env, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  // Protected main: pull requests only. The hook refuses every direct push to main; a merge sets MERGE_BUTTON.
  const hook = join(origin, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    '#!/bin/sh\nwhile read -r old new ref; do\n  if [ "$ref" = refs/heads/main ] && [ "${MERGE_BUTTON:-}" != 1 ]; then echo "refs/heads/main is protected: changes must go through a pull request" >&2; exit 1; fi\ndone\n',
  );
  chmodSync(hook, 0o755);
  git(root, env, 'init', '--quiet', '--initial-branch=main', dev);
  writeFileSync(join(dev, '.gitignore'), 'node_modules/\n');
  const pavedRoot = join(dev, prefix);
  for (const name of services) {
    mkdirSync(join(pavedRoot, 'services', name), { recursive: true });
    writeFileSync(join(pavedRoot, 'services', name, 'service.yaml'), serviceSpec(name));
  }
  if (prefix !== '') writeFileSync(join(pavedRoot, 'platform.yaml'), `apiVersion: paved/v1\nkind: Platform\ngitops:\n  path: ${prefix}\n`);

  const pavedIn = (cwd: string, ...args: string[]): void => {
    const run = spawnSync('npm', ['exec', '--offline', '--no', '--', 'paved', ...args], { cwd, env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`paved ${args.join(' ')} failed: ${run.stderr}`);
  };
  const merge = (message: string, files: Readonly<Record<string, string>>, pavedVersion = '1.0.0'): string => {
    pavedBuild(root, pavedVersion);
    writeFileSync(join(pavedRoot, 'package.json'), `${JSON.stringify({ private: true, devDependencies: { paved: pavedVersion } }, null, 2)}\n`);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(pavedRoot, path, '..'), { recursive: true });
      writeFileSync(join(pavedRoot, path), text);
    }
    const installed = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: pavedRoot, env, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(installed.stderr);
    // The pull request commits the generated tree, as paved check requires.
    pavedIn(pavedRoot, 'compile');
    git(dev, env, 'add', '--all');
    git(dev, env, 'commit', '--quiet', '--allow-empty', '--message', message);
    git(dev, { ...env, MERGE_BUTTON: '1' }, 'push', '--quiet', origin, 'HEAD:main');
    return git(dev, env, 'rev-parse', 'HEAD');
  };

  const workflow = (commit: string, file: string): ParsedWorkflow =>
    parse(git(origin, env, 'show', `${commit}:${prefix === '' ? '' : `${prefix}/`}.github/workflows/${file}`)) as ParsedWorkflow;

  let runs = 0;
  /** The job's steps as bash commands: checkout, then each run: step in its working directory with its env, expressions replaced. */
  const jobScript = (
    commit: string,
    file: string,
    jobId: string,
    values: Readonly<Record<string, string>>,
  ): { dir: string; script: string; stepEnv: Array<Record<string, string>> } => {
    const job: ParsedJob | undefined = workflow(commit, file).jobs[jobId];
    if (!job) throw new Error(`${file} has no job ${jobId}`);
    const dir = join(root, `runner-${++runs}`);
    const expression = (text: string): string =>
      text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, name: string) => {
        if (!(name in values)) throw new Error(`${jobId}: no value for \${{ ${name} }}`);
        return values[name]!;
      });
    const lines: string[] = [];
    const stepEnv: Array<Record<string, string>> = [];
    job.steps.forEach((step: ParsedStep, i: number) => {
      const action = actionOf(step.uses);
      if (action === 'actions/checkout') {
        expect(step.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
        lines.push(`rmdir "${dir}"`, `git clone --quiet --no-checkout "${origin}" "${dir}"`, `git -C "${dir}" checkout --quiet --detach "${commit}"`);
        return;
      }
      if (action === 'actions/setup-node') return;
      if (step.run === undefined) throw new Error(`${jobId}: step ${step.name} is neither a run: step nor an action the test stands in for`);
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expression(String(v))]));
      stepEnv.push(env);
      const scriptFile = join(root, `${jobId}-${runs}-step-${i}.sh`);
      writeFileSync(scriptFile, step.run);
      const cwd = join(dir, String(step['working-directory'] ?? '.'));
      // The runner's own variables the scripts read: the step's outputs file, and the run's commit (the apply guard reads it).
      const runner = { GITHUB_OUTPUT: `${dir}.output`, ...(values['github.sha'] === undefined ? {} : { GITHUB_SHA: values['github.sha'] }) };
      const exports = Object.entries({ ...env, ...runner })
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
      // Each step in its own bash, as the runner does (`bash --noprofile --norc -eo pipefail {0}`).
      lines.push(`(cd "${cwd}" && env ${exports} bash --noprofile --norc -eo pipefail "${scriptFile}")`);
    });
    // The runner's workspace exists, empty, before the first step.
    return { dir, script: `set -e\nmkdir "${dir}"\n${lines.join('\n')}\n`, stepEnv };
  };
  const runJob = (commit: string, file: string, jobId: string, values: Readonly<Record<string, string>>): Run => {
    const { dir, script } = jobScript(commit, file, jobId, values);
    const run = spawnSync('bash', ['-c', script], { cwd: root, env, encoding: 'utf8' });
    const output = existsSync(`${dir}.output`) ? readFileSync(`${dir}.output`, 'utf8') : '';
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, output };
  };
  const runJobAsync = (commit: string, file: string, jobId: string, values: Readonly<Record<string, string>>): Promise<Run> => {
    const { script } = jobScript(commit, file, jobId, values);
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', script], { cwd: root, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  };
  const show = (ref: string, path: string): string => git(origin, env, 'show', `${ref}:${path}`);
  const files = (ref: string): string[] => git(origin, env, 'ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean);
  return { root, origin, dev, env, calls, merge, workflow, runJob, runJobAsync, show, files };
}

/** The values GitHub gives a push run's release job of `commit`. */
const pushRun = (commit: string, digest: string): Record<string, string> => ({
  'github.sha': commit,
  'needs.publish.outputs.digest': digest,
  'secrets.PAVED_RELEASE_TOKEN': TOKEN,
});

const STAGING = 'paved/deploy/staging';
const PRODUCTION = 'paved/deploy/production';

/** What a deploy branch may hold after releases of `services` to `env`: their manifests, their Applications, releases.yaml. */
const onlyReleased = (paths: readonly string[], services: readonly string[], env: string): string[] =>
  paths.filter(
    (p) => p !== 'releases.yaml' && !services.some((s) => p.startsWith(`generated/${s}/kubernetes/${env}/`) || p === `generated/argocd/${s}-${env}.yaml`),
  );

describe('releases to the deploy branches under a protected main', () => {
  it('a merge reaches staging, then production, without any push to main', { timeout: 120_000 }, () => {
    const w = world(['hello']);
    const c1 = w.merge('hello', {});
    const mainBefore = git(w.origin, w.env, 'rev-parse', 'main');

    // The hook protects main: the runner's own push to it is refused.
    const clone = join(w.root, 'probe');
    git(w.root, w.env, 'clone', '--quiet', w.origin, clone);
    git(clone, w.env, 'commit', '--quiet', '--allow-empty', '--message', 'straight to main');
    const direct = spawnSync('git', ['push', 'origin', 'HEAD:main'], { cwd: clone, env: { ...w.env, ...AUTHOR }, encoding: 'utf8' });
    expect(direct.status).not.toBe(0);
    expect(direct.stderr).toContain('refs/heads/main is protected');

    const staging = w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1)));
    expect(staging.stderr).not.toContain('fatal');
    expect(staging.status, staging.stdout + staging.stderr).toBe(0);
    expect(staging.stdout).toContain(`released hello ${c1} to staging`);
    const production = w.runJob(c1, 'paved-hello.yml', 'production-release', pushRun(c1, digestOf(1)));
    expect(production.status, production.stdout + production.stderr).toBe(0);

    expect(git(w.origin, w.env, 'rev-parse', 'main')).toBe(mainBefore);
    for (const [branch, env] of [
      [STAGING, 'staging'],
      [PRODUCTION, 'production'],
    ] as const) {
      const releases = parse(w.show(branch, 'releases.yaml')) as { services: Record<string, Record<string, unknown>> };
      expect(releases.services).toEqual({ hello: { [env]: { tag: c1, digest: digestOf(1) } } });
      const deployment = w.show(branch, `generated/hello/kubernetes/${env}/deployment.yaml`);
      expect(deployment).toContain(`app.kubernetes.io/version: ${c1}`);
      expect(deployment).toContain(`@${digestOf(1)}`);
      const app = parse(w.show(branch, `generated/argocd/hello-${env}.yaml`)) as { spec: { source: { targetRevision: string; path: string } } };
      expect(app.spec.source).toMatchObject({ targetRevision: branch, path: `generated/hello/kubernetes/${env}` });
      // Nothing else is swept in: not the other environment, not Terraform, not the manifest of generated files.
      expect(onlyReleased(w.files(branch), ['hello'], env)).toEqual([]);
      expect(git(w.origin, w.env, 'log', '--format=%s', branch).split('\n')[0]).toBe(`paved: release hello ${c1} to ${env}`);
    }
    // The token reached git only: never paved.
    const logged = readFileSync(w.calls, 'utf8');
    expect(logged).toContain('release hello --env staging --tag');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toMatch(/token=(?!unset)|auth=(?!unset)/);
  });

  it('a release with an empty token stops with an annotation before touching anything', { timeout: 60_000 }, () => {
    const w = world(['hello']);
    const c1 = w.merge('hello', {});
    const run = w.runJob(c1, 'paved-hello.yml', 'staging-release', { ...pushRun(c1, digestOf(1)), 'secrets.PAVED_RELEASE_TOKEN': '' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::the release token is empty: create the Actions secret named by platform.yaml ci.releaseToken');
    expect(git(w.origin, w.env, 'branch', '--list', STAGING)).toBe('');
  });
});

describe('a paved root below the repository root (gitops.path)', () => {
  it('releases at the same paths as on main, and reads the records there', { timeout: 240_000 }, () => {
    const w = world(['hello'], 'infra/paved');
    const c1 = w.merge('hello', {});
    const first = w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1)));
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(
      w
        .files(STAGING)
        .filter(
          (p) =>
            p !== 'infra/paved/releases.yaml' &&
            !p.startsWith('infra/paved/generated/hello/kubernetes/staging/') &&
            p !== 'infra/paved/generated/argocd/hello-staging.yaml',
        ),
    ).toEqual([]);
    const app = parse(w.show(STAGING, 'infra/paved/generated/argocd/hello-staging.yaml')) as { spec: { source: { targetRevision: string; path: string } } };
    expect(app.spec.source).toMatchObject({ targetRevision: STAGING, path: 'infra/paved/generated/hello/kubernetes/staging' });
    const c2 = w.merge('second', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: second\n') });
    expect(w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2))).status).toBe(0);
    expect((parse(w.show(STAGING, 'infra/paved/releases.yaml')) as { services: unknown }).services).toEqual({
      hello: { staging: { tag: c2, digest: digestOf(2) } },
    });
    const rerun = w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1)));
    expect(rerun.status).toBe(1);
    expect(rerun.stdout).toContain(`::error::hello was released from ${c2} in staging, which is newer than ${c1}`);
  });
});

describe('ten concurrent releases', () => {
  it('ten services released to staging at once against one origin all land, each exactly once', { timeout: 400_000 }, async () => {
    const services = Array.from({ length: 10 }, (_, i) => `svc${i}`);
    const w = world(services);
    const c1 = w.merge('ten services', {});
    const runs = await Promise.all(services.map((s, i) => w.runJobAsync(c1, `paved-${s}.yml`, 'staging-release', pushRun(c1, digestOf(100 + i)))));
    runs.forEach((run, i) => expect(run.status, `${services[i]}: ${run.stdout}${run.stderr}`).toBe(0));
    const releases = parse(w.show(STAGING, 'releases.yaml')) as { services: Record<string, { staging: { tag: string; digest: string } }> };
    expect(Object.keys(releases.services).sort()).toEqual(services);
    services.forEach((s, i) => expect(releases.services[s]!.staging).toEqual({ tag: c1, digest: digestOf(100 + i) }));
    for (const s of services) expect(w.show(STAGING, `generated/${s}/kubernetes/staging/deployment.yaml`)).toContain(`@${digestOf(100 + services.indexOf(s))}`);
    expect(onlyReleased(w.files(STAGING), services, 'staging')).toEqual([]);
    // One commit per release on top of the branch's first, empty commit: no release was lost or doubled.
    const subjects = git(w.origin, w.env, 'log', '--format=%s', STAGING).split('\n');
    expect(subjects.filter((m) => m.startsWith('paved: release ')).sort()).toEqual(services.map((s) => `paved: release ${s} ${c1} to staging`).sort());
    expect(subjects).toHaveLength(11);
    // At least one push lost a race and went round again from the new head.
    expect(runs.some((r) => r.stdout.includes('another release landed first; starting again from its new head'))).toBe(true);
  });
});

describe('never backwards', () => {
  it(
    'a re-run of an old run is refused; a re-run of the current one does nothing; a rollback goes only to a recorded release, with its digest',
    { timeout: 240_000 },
    () => {
      const w = world(['hello']);
      const c1 = w.merge('first', {});
      expect(w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1))).status).toBe(0);
      // Merged between the two releases; its own run is slow and has not released yet.
      const between = w.merge('between', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: between\n') });
      const c2 = w.merge('second', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: second\n') });
      expect(w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2))).status).toBe(0);
      const head = git(w.origin, w.env, 'rev-parse', STAGING);

      const rerun = w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1)));
      expect(rerun.status).toBe(1);
      expect(rerun.stdout).toContain(
        `::error::hello was released from ${c2} in staging, which is newer than ${c1}: refusing to move staging backwards (a re-run of an older run, or a stale commit); to go back on purpose, run the Roll back job`,
      );
      expect(git(w.origin, w.env, 'rev-parse', STAGING)).toBe(head);

      const same = w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2)));
      expect(same.status).toBe(0);
      expect(same.stdout).toContain(`hello already runs ${c2} in staging (${STAGING}); nothing to release`);
      expect(git(w.origin, w.env, 'rev-parse', STAGING)).toBe(head);

      // Rollback (dispatched on main's head, c2): the approval job checks the inputs, the release job takes the digest from the branch's history.
      const dispatch = (tag: string): Record<string, string> => ({ 'inputs.environment': 'staging', 'inputs.tag': tag, 'secrets.PAVED_RELEASE_TOKEN': TOKEN });
      expect(w.runJob(c2, 'paved-hello.yml', 'rollback', dispatch(c1)).status).toBe(0);
      const back = w.runJob(c2, 'paved-hello.yml', 'rollback-release', dispatch(c1));
      expect(back.status, back.stdout + back.stderr).toBe(0);
      expect((parse(w.show(STAGING, 'releases.yaml')) as { services: { hello: unknown } }).services.hello).toEqual({
        staging: { tag: c1, digest: digestOf(1) },
      });
      const deployment = w.show(STAGING, 'generated/hello/kubernetes/staging/deployment.yaml');
      expect(deployment).toContain(`:${c1}@${digestOf(1)}`);

      // The slow run of the commit between finishes after the rollback: it must not undo it, though c1 is older than it.
      const rolledBack = git(w.origin, w.env, 'rev-parse', STAGING);
      const late = w.runJob(between, 'paved-hello.yml', 'staging-release', pushRun(between, digestOf(3)));
      expect(late.status).toBe(1);
      expect(late.stdout).toContain(`::error::hello was released from ${c2} in staging, which is newer than ${between}: refusing to move staging backwards`);
      expect(git(w.origin, w.env, 'rev-parse', STAGING)).toBe(rolledBack);

      // Never released to staging: refused, whatever the registry holds under that tag.
      const never = w.runJob(c2, 'paved-hello.yml', 'rollback-release', dispatch('e'.repeat(40)));
      expect(never.status).toBe(1);
      expect(never.stdout).toContain(
        `::error::hello never ran ${'e'.repeat(40)} in staging: ${STAGING} has no release of it, and a rollback goes only to an earlier release`,
      );
      // Production never ran c1 either: its branch's history decides, not staging's.
      const production = w.runJob(c2, 'paved-hello.yml', 'rollback-release', { ...dispatch(c1), 'inputs.environment': 'production' });
      expect(production.status).toBe(1);
      expect(production.stdout).toContain(`::error::hello never ran ${c1} in production`);
    },
  );
});

describe('a manual job run', () => {
  it(
    "puts the run's Job on the deploy branch, with the running release's image and template; a re-run commits nothing; the next release takes it off",
    { timeout: 240_000 },
    () => {
      const jobs = 'jobs:\n  - name: backfill\n    command: ["node", "backfill.js"]\n    when: manual\n';
      const w = world(['hello']);
      const c1 = w.merge('first', { 'services/hello/service.yaml': serviceSpec('hello', `env:\n  GREETING: first\n${jobs}`) });
      expect(w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1))).status).toBe(0);
      // main moves on, unreleased: the run must not carry its config to staging.
      const c2 = w.merge('second', { 'services/hello/service.yaml': serviceSpec('hello', `env:\n  GREETING: second\n${jobs}`) });
      const dispatch = {
        'inputs.environment': 'staging',
        'inputs.tag': '',
        'inputs.job': 'backfill',
        'github.run_number': '7',
        'secrets.PAVED_RELEASE_TOKEN': TOKEN,
      };

      const approve = w.runJob(c2, 'paved-hello.yml', 'run-approve', dispatch);
      expect(approve.status, approve.stdout + approve.stderr).toBe(0);
      const run = w.runJob(c2, 'paved-hello.yml', 'run', dispatch);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('started run 7 of backfill in staging: Argo CD creates its Job');
      const job = parse(w.show(STAGING, 'generated/hello/kubernetes/staging/run-backfill.yaml')) as {
        metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
        spec: { template: { spec: { containers: Array<{ image: string; command: string[]; env: Array<{ name: string; value?: string }> }> } } };
      };
      expect(job.metadata.name).toBe('hello-backfill-7');
      expect(job.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/sync-options': 'Prune=false',
        'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
      });
      expect(job.metadata.labels['paved.dev/run']).toBe('7');
      const [container] = job.spec.template.spec.containers;
      expect(container!.image).toMatch(new RegExp(`:${c1}@${digestOf(1)}$`));
      expect(container!.command).toEqual(['node', 'backfill.js']);
      expect(container!.env.find((e) => e.name === 'GREETING')?.value).toBe('first');
      // The run commit names the release it ran with, so the release flow's ancestor checks see nothing new.
      expect(git(w.origin, w.env, 'log', '-1', '--format=%s%n%(trailers:key=Released-From,valueonly)', STAGING)).toBe(
        `paved: run backfill of hello in staging (run 7)\n${c1}`,
      );
      expect(onlyReleased(w.files(STAGING), ['hello'], 'staging')).toEqual([]);

      const head = git(w.origin, w.env, 'rev-parse', STAGING);
      const again = w.runJob(c2, 'paved-hello.yml', 'run', dispatch);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain(`${STAGING} already holds run 7 of backfill; nothing to commit`);
      expect(git(w.origin, w.env, 'rev-parse', STAGING)).toBe(head);

      // The approval refuses what is not a manual job, or a tag beside a job; production has no release to run with.
      const notAJob = w.runJob(c2, 'paved-hello.yml', 'run-approve', { ...dispatch, 'inputs.job': 'backfill x' });
      expect(notAJob.status).toBe(1);
      expect(notAJob.stdout).toContain('::error::job must be one of the manual jobs of this service: backfill');
      const both = w.runJob(c2, 'paved-hello.yml', 'run-approve', { ...dispatch, 'inputs.tag': c1 });
      expect(both.status).toBe(1);
      expect(both.stdout).toContain('::error::give a tag to roll back to, or a job to run, not both');
      const production = w.runJob(c2, 'paved-hello.yml', 'run', { ...dispatch, 'inputs.environment': 'production' });
      expect(production.status).toBe(1);
      expect(production.stdout).toContain(
        '::error::hello has no release in production (paved/deploy/production): a manual job runs with the image the environment runs, so release it first',
      );

      // The next release replaces the folder: the run leaves the branch (its Job stays in the cluster: Prune=false).
      expect(w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2))).status).toBe(0);
      expect(w.files(STAGING)).not.toContain('generated/hello/kubernetes/staging/run-backfill.yaml');
      expect(w.files(STAGING)).toContain('generated/hello/kubernetes/staging/cronjob-backfill.yaml');
    },
  );
});

describe('a deleted service', () => {
  it('leaves the deploy branch with the next release: its record, manifests and Application go, and releases keep working', { timeout: 240_000 }, () => {
    const w = world(['hello', 'gone']);
    const c1 = w.merge('first', {});
    for (const service of ['hello', 'gone']) expect(w.runJob(c1, `paved-${service}.yml`, 'staging-release', pushRun(c1, digestOf(1))).status).toBe(0);
    expect(w.files(STAGING)).toContain('generated/argocd/gone-staging.yaml');

    rmSync(join(w.dev, 'services', 'gone'), { recursive: true });
    const c2 = w.merge('retire gone', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: second\n') });
    const run = w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2)));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('releases.yaml: gone dropped: no service.yaml declares it any more');
    expect(run.stdout).toContain('gone is no longer deployed (deleted or retired): its manifests and Application leave paved/deploy/staging');
    expect(w.files(STAGING).filter((p) => p.includes('gone'))).toEqual([]);
    expect(Object.keys((parse(w.show(STAGING, 'releases.yaml')) as { services: Record<string, unknown> }).services)).toEqual(['hello']);
  });
});

describe('a retired service', () => {
  const teardownRun = (commit: string): Record<string, string> => ({ 'github.sha': commit, 'secrets.PAVED_RELEASE_TOKEN': TOKEN });
  const OLD = 'resources:\n  buckets:\n    - name: files\n';

  it(
    'its teardown takes it off each deploy branch before its stacks go; a re-run and a release that took it off first do nothing; its record is dropped; a run main has moved past is refused',
    { timeout: 300_000 },
    () => {
      const w = world(['hello', 'old']);
      const c1 = w.merge('first', { 'services/old/service.yaml': serviceSpec('old', OLD) });
      for (const service of ['hello', 'old'])
        for (const job of ['staging-release', 'production-release']) expect(w.runJob(c1, `paved-${service}.yml`, job, pushRun(c1, digestOf(1))).status).toBe(0);
      expect(w.files(STAGING)).toContain('generated/argocd/old-staging.yaml');
      expect(w.files(PRODUCTION)).toContain('generated/old/kubernetes/production/deployment.yaml');

      const c2 = w.merge('retire old', { 'services/old/service.yaml': serviceSpec('old', `${OLD}retired:\n  reason: "Folded into hello (OPS-9)"\n`) });
      expect(Object.keys(w.workflow(c2, 'paved-old.yml').jobs)).toEqual([
        'retire-staging-apps',
        'retire-staging',
        'retire-production-approve',
        'retire-production-apps',
        'retire-production',
      ]);
      const staging = w.runJob(c2, 'paved-old.yml', 'retire-staging-apps', teardownRun(c2));
      expect(staging.status, staging.stdout + staging.stderr).toBe(0);
      expect(staging.stdout).toContain(`${c2} has the Terraform of main (${c2}) for: generated/old/terraform`);
      expect(staging.stdout).toContain('took old off staging: Argo CD prunes its workload (paved/deploy/staging is now ');
      expect(w.files(STAGING).filter((p) => p.startsWith('generated/old/') || p.startsWith('generated/argocd/old-'))).toEqual([]);
      expect(onlyReleased(w.files(STAGING), ['hello', 'old'], 'staging')).toEqual([]);
      expect(w.files(STAGING)).toContain('generated/argocd/hello-staging.yaml');
      expect(git(w.origin, w.env, 'log', '-1', '--format=%s|%(trailers:key=Released-From,valueonly,separator=)', STAGING)).toBe(
        `paved: retire old from staging at ${c2}|${c2}`,
      );
      // Production keeps it until its own job, after staging's teardown and production's approval.
      expect(w.files(PRODUCTION)).toContain('generated/argocd/old-production.yaml');

      const again = w.runJob(c2, 'paved-old.yml', 'retire-staging-apps', teardownRun(c2));
      expect(again.status, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toContain('paved/deploy/staging holds no manifests or Application of old; nothing to take off');

      // A release of another service to production first: its removal loop takes the retired service off too, and drops its record.
      const release = w.runJob(c2, 'paved-hello.yml', 'production-release', pushRun(c2, digestOf(2)));
      expect(release.status, release.stdout + release.stderr).toBe(0);
      expect(release.stdout).toContain('releases.yaml: old dropped: it is retired, so it runs nowhere');
      expect(release.stdout).toContain('old is no longer deployed (deleted or retired): its manifests and Application leave paved/deploy/production');
      expect(w.files(PRODUCTION).filter((p) => p.startsWith('generated/old/') || p.startsWith('generated/argocd/old-'))).toEqual([]);
      expect(Object.keys((parse(w.show(PRODUCTION, 'releases.yaml')) as { services: Record<string, unknown> }).services)).toEqual(['hello']);
      const production = w.runJob(c2, 'paved-old.yml', 'retire-production-apps', teardownRun(c2));
      expect(production.status, production.stdout + production.stderr).toBe(0);
      expect(production.stdout).toContain('paved/deploy/production holds no manifests or Application of old; nothing to take off');

      // Kept after all: main un-retires it, and a re-run of the old teardown stops before it touches a deploy branch.
      const c3 = w.merge('keep old', { 'services/old/service.yaml': serviceSpec('old', OLD) });
      const late = w.runJob(c2, 'paved-old.yml', 'retire-staging-apps', teardownRun(c2));
      expect(late.status).toBe(1);
      expect(late.stdout).toContain(
        `::error::main has changed this service's Terraform since ${c2} (now ${c3}): a newer run applies it; re-running this old run would apply old Terraform`,
      );
      expect(late.stdout).not.toContain('took old off');
    },
  );
});

describe("a release renders with its own commit's paved", () => {
  it("a commit pinning an older paved, released while main's head pins a newer one, renders its own specs with its own paved", { timeout: 240_000 }, () => {
    const w = world(['hello']);
    const c1 = w.merge('hello with paved 1.0.0', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: from-c1\n') }, '1.0.0');
    // main moves on before c1's release job runs: a newer paved and a changed spec.
    const c2 = w.merge('upgrade paved', { 'services/hello/service.yaml': serviceSpec('hello', 'env:\n  GREETING: from-c2\n') }, '2.0.0');
    expect(git(w.origin, w.env, 'rev-parse', 'main')).toBe(c2);
    writeFileSync(w.calls, '');

    const run = w.runJob(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1)));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // Every paved the release job ran was the build c1's package.json pins.
    const ran = readFileSync(w.calls, 'utf8').trim().split('\n');
    expect(ran.length).toBeGreaterThanOrEqual(3);
    expect(ran.filter((line) => !line.startsWith('paved-1.0.0 '))).toEqual([]);
    expect(ran.some((line) => line.startsWith('paved-1.0.0 compile'))).toBe(true);
    // And it rendered c1's specs, not main's head.
    const deployment = w.show(STAGING, 'generated/hello/kubernetes/staging/deployment.yaml');
    expect(deployment).toContain('from-c1');
    expect(deployment).not.toContain('from-c2');

    writeFileSync(w.calls, '');
    expect(w.runJob(c2, 'paved-hello.yml', 'staging-release', pushRun(c2, digestOf(2))).status).toBe(0);
    expect(
      readFileSync(w.calls, 'utf8')
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('paved-2.0.0 ')),
    ).toEqual([]);
    expect(w.show(STAGING, 'generated/hello/kubernetes/staging/deployment.yaml')).toContain('from-c2');
  });
});

describe('the platform layer release (paved-check.yml)', () => {
  it(
    'a push to main releases _platform to staging, then, when it differs, to production; a service release lands beside it; an older commit is refused',
    { timeout: 300_000 },
    async () => {
      const w = world(['hello']);
      // A secret: the platform layer then has a ClusterSecretStore per environment under _platform/kubernetes/<env>/.
      const c1 = w.merge('hello', { 'services/hello/service.yaml': serviceSpec('hello', 'secrets:\n  - API_KEY\n') });
      const values = (commit: string): Record<string, string> => ({ 'github.sha': commit, 'secrets.PAVED_RELEASE_TOKEN': TOKEN });
      const platform = (ref: string, env: string): string[] =>
        w
          .files(ref)
          .filter((p) => p.startsWith('generated/_platform/'))
          .filter((p) => !p.startsWith(`generated/_platform/kubernetes/${env}/`) && !p.startsWith('generated/_platform/argocd/'));

      // The platform release and a service release at once, on the same deploy branch: both land.
      const [staging, service] = await Promise.all([
        w.runJobAsync(c1, 'paved-check.yml', 'platform-staging', values(c1)),
        w.runJobAsync(c1, 'paved-hello.yml', 'staging-release', pushRun(c1, digestOf(1))),
      ]);
      expect(staging.status, staging.stdout + staging.stderr).toBe(0);
      expect(service.status, service.stdout + service.stderr).toBe(0);
      const files = w.files(STAGING);
      expect(files).toContain('generated/_platform/argocd/staging-services.yaml');
      expect(files).toContain('generated/_platform/kubernetes/staging/clustersecretstore-aws-secrets-manager.yaml');
      expect(files).toContain('generated/hello/kubernetes/staging/deployment.yaml');
      expect(platform(STAGING, 'staging')).toEqual([]);
      expect(files.filter((p) => p.startsWith('generated/_platform/kubernetes/') && !p.startsWith('generated/_platform/kubernetes/staging/'))).toEqual([]);
      // The app-of-apps on the branch tracks the branch.
      expect(
        (parse(w.show(STAGING, 'generated/_platform/argocd/staging-services.yaml')) as { spec: { source: { targetRevision: string } } }).spec.source
          .targetRevision,
      ).toBe(STAGING);

      // Production's branch does not hold it yet: the approval job and the production release run.
      const first = w.runJob(c1, 'paved-check.yml', 'platform-staging', values(c1));
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('nothing to commit');
      expect(first.output).toBe('production=true\n');
      expect(w.runJob(c1, 'paved-check.yml', 'platform-approve', values(c1)).status).toBe(0);
      const production = w.runJob(c1, 'paved-check.yml', 'platform-production', values(c1));
      expect(production.status, production.stdout + production.stderr).toBe(0);
      expect(w.files(PRODUCTION)).toContain('generated/_platform/kubernetes/production/clustersecretstore-aws-secrets-manager.yaml');
      expect(platform(PRODUCTION, 'production')).toEqual([]);
      // Now production's matches: the next push asks its reviewers nothing.
      expect(w.runJob(c1, 'paved-check.yml', 'platform-staging', values(c1)).output).toBe('production=false\n');

      // A newer commit changes the platform layer (a second service in the AppProject); then an old run's re-run is refused.
      const c2 = w.merge('a second service', { 'services/other/service.yaml': serviceSpec('other') });
      expect(w.runJob(c2, 'paved-check.yml', 'platform-staging', values(c2)).status).toBe(0);
      const head = git(w.origin, w.env, 'rev-parse', STAGING);
      const old = w.runJob(c1, 'paved-check.yml', 'platform-staging', values(c1));
      expect(old.status).toBe(1);
      expect(old.stdout).toContain(`::error::${STAGING} holds the platform layer of ${c2}, which is newer than ${c1}: refusing to move staging backwards`);
      expect(git(w.origin, w.env, 'rev-parse', STAGING)).toBe(head);
    },
  );
});

describe('Argo CD never tracks main for staging or production', () => {
  interface Application {
    kind: string;
    metadata: { name: string; labels?: Record<string, string> };
    spec: { source: { targetRevision: string; path: string } };
  }

  it('every Application every golden case and examples/shop compile to tracks its deploy branch; only the preview cluster follows main', () => {
    const cases = goldenCases().map(caseRoot);
    const seen = new Set<string>();
    for (const root of [...cases, join(REPO, 'examples', 'shop')]) {
      for (const file of compileDir(root).files) {
        if (!file.path.endsWith('.yaml')) continue;
        for (const one of parseAllDocuments(file.contents)) {
          const doc = one.toJS() as Application | null;
          if (doc?.kind !== 'Application') continue;
          const where = `${root}: ${file.path}`;
          const revision = doc.spec.source.targetRevision;
          const env = /\.(preview|staging|production)\.|-(staging|production)$/.exec(doc.metadata.name);
          const which = env?.[1] ?? env?.[2];
          if (which === 'preview') expect(revision, where).toBe('HEAD');
          else if (which === undefined) expect(revision, `${where} (the bootstrap syncs the production Applications)`).toBe(PRODUCTION);
          else expect(revision, where).toBe(`paved/deploy/${which}`);
          seen.add(which === undefined ? 'bootstrap' : file.path.includes('/_platform/') ? `${which} platform` : `${which} service`);
        }
      }
    }
    // Every kind of Application was looked at: bootstrap, the platform's per environment, and services' (the golden cases with a releases.yaml).
    expect([...seen].sort()).toEqual(['bootstrap', 'preview platform', 'production platform', 'production service', 'staging platform', 'staging service']);
  });

  it('the workflows never push to main: no release step names it, and every push goes through the release script', () => {
    for (const w of allGeneratedWorkflows()) {
      for (const [id, job] of Object.entries(w.doc.jobs)) {
        for (const step of job.steps) {
          if (step.run?.includes('git push') || step.run?.includes(' push --quiet'))
            expect(step.env?.DEPLOY_BRANCH, `${w.name} ${id}`).toMatch(/^paved\/deploy\//);
        }
      }
    }
  });
});
