import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANGES, GATE, PAVED_CHECK, PREVIEW_STILL_OPEN, PREVIEW_SWEEP } from '../../emitters/actions/check-scripts.js';
import { GATED } from '../../emitters/actions/checks.js';
import { previewSelector, SWEEP_CRON } from '../../emitters/actions/preview-sweep.js';
import { PREVIEW_TEARDOWN } from '../../emitters/actions/scripts.js';
import { conditionHolds, evaluate, interpolate, simulate, type Contexts, type JobResult } from '../support/expressions.js';
import { caseRoot, CASES, compileDir, REPO, runCli, scratchCopy, serviceYaml } from '../support/helpers.js';
import { workflowsOf, type ParsedJob, type ParsedStep } from '../support/workflows.js';

/**
 * The required-check and preview-lifetime paths of the generated workflows,
 * taken from the compiled fixtures' YAML: every `if:`, `needs:` and
 * `concurrency:` they rely on, evaluated for each event shape GitHub sends
 * (test/support/expressions.ts, GitHub's documented expression semantics), and every
 * script run with bash the way a runner runs it: the changes script against a
 * bare origin with pull request and merge group commits; the gate, the sweep and
 * the still-open check against stub `gh` and `kubectl` commands that stand in
 * for GitHub's API and the preview cluster and record every call.
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

const basic = compileDir(join(CASES, 'basic'));
const workflow = (name: string) => {
  const found = workflowsOf(basic, 'basic').find((w) => w.name.endsWith(`/${name}`));
  if (!found) throw new Error(`no ${name}`);
  return found.doc;
};
const hello = workflow('paved-hello.yml');
const check = workflow('paved-check.yml');
const previews = workflow('paved-previews.yml');

const REPOSITORY = 'example/platform';
const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const MERGE = 'd'.repeat(40);

/** The contexts of one event, as GitHub documents its payload. */
function event(name: string, github: Record<string, unknown>, inputs: Record<string, string> = {}): Contexts {
  return {
    github: { event_name: name, repository: REPOSITORY, token: 'workflow-token', run_id: '1', actor: 'someone', ...github } as never,
    inputs,
    vars: {},
    secrets: {},
    steps: {},
  };
}
const pullRequest = (action: string, options: { fork?: boolean; number?: number } = {}): Contexts => {
  const number = options.number ?? 7;
  return event('pull_request', {
    ref: `refs/pull/${number}/merge`,
    sha: MERGE,
    event: {
      action,
      number,
      pull_request: { number, head: { sha: HEAD, repo: { full_name: options.fork ? 'someone/fork' : REPOSITORY } }, base: { sha: BASE } },
    },
  });
};
const mergeGroup = (): Contexts =>
  event('merge_group', {
    ref: 'refs/heads/gh-readonly-queue/main/pr-7-' + BASE,
    sha: HEAD,
    event: { action: 'checks_requested', merge_group: { base_sha: BASE, head_sha: HEAD, head_ref: 'refs/heads/gh-readonly-queue/main/pr-7-' + BASE } },
  });
const push = (): Contexts => event('push', { ref: 'refs/heads/main', sha: HEAD, event: { before: BASE, after: HEAD } });
const dispatch = (): Contexts =>
  event(
    'workflow_dispatch',
    { ref: 'refs/heads/main', sha: HEAD, event: { inputs: { environment: 'staging', tag: BASE } } },
    { environment: 'staging', tag: BASE, digest: '' },
  );
const schedule = (): Contexts => event('schedule', { ref: 'refs/heads/main', sha: HEAD, event: { schedule: SWEEP_CRON } });

/** The jobs of hello's workflow that run, given what the changes job reports. */
function ran(contexts: Contexts, affected: 'true' | 'false' = 'true', result: (id: string) => JobResult = () => 'success'): string[] {
  const results = simulate(hello.jobs, contexts, {
    result,
    outputs: (id): Record<string, string> => (id === 'changes' ? { affected } : id === 'build' ? { digest: `sha256:${'e'.repeat(64)}` } : {}),
  });
  return Object.entries(results)
    .filter(([, r]) => r !== 'skipped')
    .map(([id]) => id);
}

describe('the service workflow: which jobs run for each event', () => {
  it('runs on every pull request and merge group (no paths filter), and on pushes to main under its paths', () => {
    const on = hello.on as Record<string, Record<string, unknown>>;
    expect(on.pull_request).toEqual({ types: ['opened', 'synchronize', 'reopened', 'closed'] });
    expect(on.merge_group).toEqual({ types: ['checks_requested'] });
    expect(on.push).toEqual({
      branches: ['main'],
      paths: ['services/hello/**', 'platform.yaml', 'generated/hello/terraform/**', '.github/workflows/paved-hello.yml'],
    });
  });

  it.each(['opened', 'synchronize', 'reopened'])('a pull request %s that touches the service: changes, test, build, plan and preview', (action) => {
    expect(ran(pullRequest(action))).toEqual(['changes', 'test', 'build', 'plan', 'preview']);
  });

  it('a pull request that does not touch the service: only the changes job runs; the rest are skipped, which reports success', () => {
    expect(ran(pullRequest('synchronize'), 'false')).toEqual(['changes']);
  });

  it('a fork pull request: changes, test and build, nothing that needs the preview role', () => {
    expect(ran(pullRequest('opened', { fork: true }))).toEqual(['changes', 'test', 'build']);
  });

  it('a closed pull request: the teardown alone, whatever the final diff touched (no changes job, no path)', () => {
    expect(ran(pullRequest('closed'), 'false')).toEqual(['teardown']);
    expect(ran(pullRequest('closed'), 'true')).toEqual(['teardown']);
    expect(hello.jobs.teardown!.needs).toBeUndefined();
    expect(ran(pullRequest('closed', { fork: true }))).toEqual([]);
  });

  it('a merge group: changes, test and build (not pushed), nothing that deploys', () => {
    expect(ran(mergeGroup())).toEqual(['changes', 'test', 'build']);
    expect(ran(mergeGroup(), 'false')).toEqual(['changes']);
  });

  it('a push to main: changes reports affected, then test and the production image; no pull request job', () => {
    const jobs = ran(push());
    expect(jobs.slice(0, 3)).toEqual(['changes', 'test', 'publish']);
    for (const id of ['build', 'plan', 'preview', 'teardown', 'rollback']) expect(jobs, id).not.toContain(id);
  });

  it('a failed changes job fails its own check and skips the rest (paved gate requires it)', () => {
    expect(ran(pullRequest('opened'), 'true', (id) => (id === 'changes' ? 'failure' : 'success'))).toEqual(['changes']);
    expect(Object.values(GATED)).toContain('Changes');
  });

  it('a dispatch runs none of the pull request or image jobs', () => {
    const jobs = ran(dispatch());
    for (const id of ['changes', 'test', 'build', 'plan', 'preview', 'teardown', 'publish']) expect(jobs, id).not.toContain(id);
  });

  it('a dispatch of a service with manual jobs rolls back by default, or runs the job chosen, never both', () => {
    const full = compileDir(join(CASES, 'full'));
    const mailer = workflowsOf(full, 'full').find((w) => w.name.endsWith('/paved-mailer.yml'))!.doc;
    const inputs = (mailer.on as { workflow_dispatch: { inputs: Record<string, { required: boolean; options?: string[] }> } }).workflow_dispatch.inputs;
    expect(inputs.job).toMatchObject({ required: true, options: ['(roll back)', 'resend-receipts'] });
    expect(inputs.tag!.required).toBe(false);
    const dispatched = (job: string): string[] => {
      const contexts = event(
        'workflow_dispatch',
        { ref: 'refs/heads/main', sha: HEAD, run_number: '12', event: { inputs: { environment: 'production', tag: '', job } } },
        { environment: 'production', tag: '', job },
      );
      const results = simulate(mailer.jobs, contexts, { result: () => 'success', outputs: () => ({}) });
      return Object.entries(results)
        .filter(([, r]) => r !== 'skipped')
        .map(([id]) => id);
    };
    expect(dispatched('(roll back)')).toEqual(['rollback', 'rollback-release']);
    expect(dispatched('resend-receipts')).toEqual(['run-approve', 'run']);
    // The approval runs in the chosen environment, so production's reviewers approve a production run.
    expect(mailer.jobs['run-approve']!.environment).toBe('${{ inputs.environment }}');
    expect(mailer.jobs.run!.environment).toBe('paved-release');
    // A service without manual jobs keeps its dispatch form and jobs as they were.
    expect(Object.keys((hello.on as { workflow_dispatch: { inputs: object } }).workflow_dispatch.inputs)).toEqual(['environment', 'tag']);
    expect(hello.jobs['run']).toBeUndefined();
  });

  it('every job name starts with the service, so one service`s checks can be required', () => {
    for (const [id, job] of Object.entries(hello.jobs)) expect(job.name, id).toMatch(/^hello: [A-Z]/);
    expect(hello.jobs.test!.name).toBe('hello: Test');
    expect(hello.jobs.build!.name).toBe('hello: Build image');
  });
});

describe('images: pull requests push only to the preview repository, production only from main', () => {
  const buildStep = (job: ParsedJob): ParsedStep => job.steps.find((s) => s.id === 'build')!;

  it.each([
    ['a pull request from this repository', 'true', pullRequest('opened')],
    ['a fork pull request', 'false', pullRequest('opened', { fork: true })],
    ['a merge group', 'false', mergeGroup()],
  ] as const)('%s: push is %s, to <registry>/preview/hello only', (_, pushes, contexts) => {
    const step = buildStep(hello.jobs.build!);
    expect(interpolate(String(step.with!.push), contexts)).toBe(pushes);
    expect(interpolate(String(step.with!.tags), contexts)).toMatch(/^ghcr\.io\/example\/preview\/hello:/);
    const login = hello.jobs.build!.steps.find((s) => s.uses?.startsWith('docker/login-action'))!;
    expect(conditionHolds(login.if, contexts, { needs: [] })).toBe(pushes === 'true');
  });

  it('the preview deploys the preview repository`s image; only the publish job, on a push to main, names the production repository', () => {
    const render = hello.jobs.preview!.steps.find((s) => s.name === 'Render the preview overlay')!;
    expect(interpolate(render.env!.IMAGE!, { ...pullRequest('opened'), needs: { build: { outputs: { digest: 'sha256:x' } } } })).toBe(
      `ghcr.io/example/preview/hello:pr-7-${MERGE}@sha256:x`,
    );
    const pushers = Object.entries(hello.jobs).filter(([, job]) =>
      job.steps.some((s) => s.with?.push === true || (typeof s.with?.tags === 'string' && s.with.tags.startsWith('ghcr.io/example/hello:'))),
    );
    expect(pushers.map(([id]) => id)).toEqual(['publish']);
    expect(hello.jobs.publish!.if).toBe("github.event_name == 'push'");
    expect(hello.on).toMatchObject({ push: { branches: ['main'] } });
  });
});

describe('concurrency: a teardown is never cancelled and never cancels', () => {
  const group = (id: string, contexts: Contexts): string => interpolate(hello.jobs[id]!.concurrency!.group, contexts);
  const cancels = (id: string, contexts: Contexts): string => interpolate(String(hello.jobs[id]!.concurrency!['cancel-in-progress']), contexts);

  it('the teardown has its own group per pull request, without cancel-in-progress', () => {
    expect(group('teardown', pullRequest('closed'))).toBe('paved-hello-teardown-7');
    expect(hello.jobs.teardown!.concurrency!['cancel-in-progress']).toBe(false);
    // A deploy of the same pull request is in another group: it can neither cancel the teardown nor be queued behind it.
    expect(group('preview', pullRequest('synchronize'))).toBe('paved-hello-preview-7');
    expect(group('preview', pullRequest('synchronize'))).not.toBe(group('teardown', pullRequest('closed')));
    // Every other job group of the workflow differs from the teardown's too.
    for (const id of Object.keys(hello.jobs).filter((id) => id !== 'teardown'))
      expect(group(id, pullRequest('synchronize')), id).not.toBe('paved-hello-teardown-7');
  });

  it('a newer push to the pull request replaces a running deploy, test and changes job; pull requests do not share groups', () => {
    expect(hello.jobs.preview!.concurrency!['cancel-in-progress']).toBe(true);
    for (const id of ['changes', 'test', 'build', 'plan']) {
      expect(cancels(id, pullRequest('synchronize')), id).toBe('true');
      expect(group(id, pullRequest('synchronize')), id).not.toBe(group(id, pullRequest('synchronize', { number: 8 })));
    }
  });

  it('merge groups and pushes are never cancelled by a newer run, and each merge group has its own group', () => {
    for (const id of ['changes', 'test', 'build']) {
      expect(cancels(id, mergeGroup()), id).toBe('false');
      expect(cancels(id, push()), id).toBe('false');
      expect(group(id, mergeGroup()), id).toContain('gh-readonly-queue');
    }
  });

  it('a deploy that starts after the pull request closed deploys nothing: every step after the open check depends on it', () => {
    const [first, ...rest] = hello.jobs.preview!.steps;
    expect(first!.run).toBe(PREVIEW_STILL_OPEN);
    for (const open of ['true', 'false']) {
      const contexts = { ...pullRequest('synchronize'), steps: { open: { outputs: { open } } } };
      expect(rest.map((s) => conditionHolds(s.if, contexts, { needs: [] }))).toEqual(rest.map(() => open === 'true'));
    }
  });
});

describe('paved-check.yml: the paved gate', () => {
  it('runs for pull requests (no paths filter), merge groups and pushes to main', () => {
    expect(check.on).toEqual({ pull_request: {}, merge_group: { types: ['checks_requested'] }, push: { branches: ['main'] } });
    // With a paved root below the repository root, only pushes keep the filter.
    const full = workflowsOf(compileDir(join(CASES, 'full')), 'full').find((w) => w.name.endsWith('/paved-check.yml'))!.doc;
    expect(full.on).toEqual({ pull_request: {}, merge_group: { types: ['checks_requested'] }, push: { branches: ['main'], paths: ['infra/paved/**'] } });
  });

  it.each(['success', 'failure'] as const)('always reports: it runs when paved check ends in %s, for every event; a cancelled run is replaced', (result) => {
    for (const contexts of [pullRequest('opened'), mergeGroup(), push()]) {
      const results = simulate(check.jobs, contexts, { result: (id) => (id === 'check' ? result : 'success') });
      expect(results.gate).toBe('success');
    }
    expect(conditionHolds(check.jobs.gate!.if, pullRequest('opened'), { needs: ['cancelled'], cancelled: true })).toBe(false);
  });

  it('waits for the head commit of the pull request or of the merge group, for each service`s gated checks', () => {
    const env = check.jobs.gate!.steps[0]!.env!;
    expect(interpolate(env.HEAD_SHA!, pullRequest('opened'))).toBe(HEAD);
    expect(interpolate(env.HEAD_SHA!, mergeGroup())).toBe(HEAD);
    expect(interpolate(env.HEAD_SHA!, push())).toBe(HEAD);
    expect(interpolate(env.EVENT!, mergeGroup())).toBe('merge_group');
    expect(env.CHECKS!.split('\n')).toEqual(['hello: Changes', 'hello: Test', 'hello: Build image', 'hello: Plan staging infrastructure']);
    // Every check the gate waits for is a job of the service's workflow.
    const names = Object.values(hello.jobs).map((j) => j.name);
    for (const name of env.CHECKS!.split('\n')) expect(names).toContain(name);
    expect(check.jobs.gate!.permissions).toEqual({ checks: 'read' });
  });

  it('the check steps work for a merge group: the checkout takes the event`s commit and the pull-request-only summary is skipped', () => {
    const steps = check.jobs.check!.steps;
    expect(steps[0]!.with).toEqual({ 'fetch-depth': 2, 'persist-credentials': false });
    // The record's restore runs on the base step's output, whatever the event; saving it is for pushes only.
    expect(steps.filter((s) => s.if !== undefined && !s.if.includes('steps.')).map((s) => conditionHolds(s.if, mergeGroup(), { needs: [] }))).toEqual([
      false,
      false,
    ]);
    expect(steps.filter((s) => s.if?.includes('steps.')).map((s) => s.if)).toEqual(["steps.base.outputs.sha != ''"]);
    expect(interpolate(check.jobs.check!.concurrency!.group, mergeGroup())).toBe(`paved-check-refs/heads/gh-readonly-queue/main/pr-7-${BASE}`);
  });
});

describe('paved-previews.yml: the scheduled sweep', () => {
  it('runs hourly and on demand, assumes the preview role and reads pull requests read-only', () => {
    expect(previews.on).toEqual({ schedule: [{ cron: SWEEP_CRON }], workflow_dispatch: {} });
    expect(previews.jobs.sweep!.permissions).toEqual({ 'id-token': 'write', 'pull-requests': 'read' });
    expect(previews.jobs.sweep!.concurrency).toEqual({ group: 'paved-preview-sweep', 'cancel-in-progress': false });
    expect(conditionHolds(previews.jobs.sweep!.if, schedule(), { needs: [] })).toBe(true);
  });

  it('selects by the labels paved puts on every preview namespace', () => {
    const namespace = parseAllDocuments(basic.files.find((f) => f.path === 'generated/hello/kubernetes/preview/namespace.yaml')!.contents)[0]!.toJS() as {
      metadata: { labels: Record<string, string> };
    };
    const selector = previewSweepEnv().SELECTOR!;
    for (const pair of selector.split(',')) {
      const [key, value] = pair.split('=');
      expect(namespace.metadata.labels[key!], key).toBe(value);
    }
    expect(namespace.metadata.labels['app.kubernetes.io/name']).toBe('hello');
    expect(selector).toBe(previewSelector(basic.project!));
  });
});

function previewSweepEnv(): Record<string, string> {
  return previews.jobs.sweep!.steps.find((s) => s.run === PREVIEW_SWEEP)!.env!;
}

// ---------------------------------------------------------------------------
// The scripts, run with bash.

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

const author = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
function isolated(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra };
}
function git(cwd: string, ...args: string[]): string {
  const run = spawnSync('git', args, { cwd, env: { ...isolated(cwd), ...author }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** A step's script as the runner runs it (`bash --noprofile --norc -eo pipefail`), with GITHUB_OUTPUT and RUNNER_TEMP. */
function runStep(script: string, cwd: string, env: Readonly<Record<string, string>>, bin?: string): Run {
  const temp = join(dirname(cwd), `runner-temp-${Math.random().toString(36).slice(2)}`);
  mkdirSync(temp, { recursive: true });
  const file = join(temp, 'step.sh');
  const output = join(temp, 'github-output');
  writeFileSync(file, script);
  writeFileSync(output, '');
  const path = bin ? `${bin}:${process.env.PATH}` : process.env.PATH!;
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd,
    env: { ...isolated(cwd), PATH: path, RUNNER_TEMP: temp, GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8',
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputs };
}

/** A step of the generated workflow: its script and its env as the runner would see it for this event. */
function generatedStep(job: ParsedJob, script: string, contexts: Contexts): { run: string; env: Record<string, string> } {
  const step = job.steps.find((s) => s.run === script)!;
  expect(step, 'the workflow runs this script').toBeDefined();
  return { run: step.run!, env: Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, contexts)])) };
}

describe('the changes script, against a bare origin', () => {
  /**
   * origin.git with main (a service folder, another folder, platform.yaml) and
   * uploadpack.allowReachableSHA1InWant, which GitHub allows: a commit is fetched
   * by SHA the way actions/checkout and the script fetch them.
   */
  function origin(): { root: string; url: string; work: string } {
    const root = scratch();
    const bare = join(root, 'origin.git');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    git(bare, 'config', 'uploadpack.allowReachableSHA1InWant', 'true');
    const work = join(root, 'work');
    git(root, 'clone', '--quiet', bare, work);
    git(work, 'checkout', '--quiet', '-b', 'main');
    write(work, { 'services/hello/index.js': 'one\n', 'services/hello-admin/index.js': 'one\n', 'README.md': 'one\n', 'platform.yaml': 'one\n' });
    git(work, 'commit', '--quiet', '--message', 'base');
    git(work, 'push', '--quiet', 'origin', 'main');
    return { root, url: `file://${bare}`, work };
  }
  function write(work: string, files: Readonly<Record<string, string>>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git(work, 'add', '--all');
  }
  /** A pull request's branch, GitHub's merge commit of it into main (refs/pull/<n>/merge), pushed; main itself may have moved on first. */
  function pullRequestMerge(
    repo: ReturnType<typeof origin>,
    n: number,
    files: Readonly<Record<string, string>>,
    mainMovesOn?: Readonly<Record<string, string>>,
  ): void {
    const { work } = repo;
    git(work, 'checkout', '--quiet', '-b', `pr-${n}`, 'main');
    write(work, files);
    git(work, 'commit', '--quiet', '--message', `pr ${n}`);
    git(work, 'checkout', '--quiet', 'main');
    if (mainMovesOn) {
      write(work, mainMovesOn);
      git(work, 'commit', '--quiet', '--message', 'main moves on');
      git(work, 'push', '--quiet', 'origin', 'main');
    }
    git(work, 'checkout', '--quiet', '--detach', 'main');
    git(work, 'merge', '--quiet', '--no-ff', '--message', `Merge pr-${n}`, `pr-${n}`);
    git(work, 'push', '--quiet', 'origin', `HEAD:refs/pull/${n}/merge`);
    git(work, 'checkout', '--quiet', 'main');
  }
  /** What actions/checkout with fetch-depth 2 leaves: a shallow repository at the ref's commit, with origin set. */
  function runnerCheckout(repo: ReturnType<typeof origin>, ref: string): string {
    const dir = join(repo.root, `runner-${ref.replace(/[^a-z0-9]/g, '-')}`);
    mkdirSync(dir);
    git(dir, 'init', '--quiet');
    git(dir, 'remote', 'add', 'origin', repo.url);
    git(dir, 'fetch', '--quiet', '--no-tags', '--depth=2', 'origin', ref);
    git(dir, 'checkout', '--quiet', '--detach', 'FETCH_HEAD');
    return dir;
  }
  const changes = (dir: string, contexts: Contexts): Run => {
    const step = generatedStep(hello.jobs.changes!, CHANGES, contexts);
    return runStep(step.run, dir, step.env);
  };

  it.each([
    ['a file in the service folder', 'true', { 'services/hello/index.js': 'two\n' }],
    ['platform.yaml', 'true', { 'platform.yaml': 'two\n' }],
    ['the service`s generated Terraform', 'true', { 'generated/hello/terraform/main.tf': 'x\n' }],
    ['the service`s workflow', 'true', { '.github/workflows/paved-hello.yml': 'x\n' }],
    ['a file with a space, quotes and a non-ASCII letter in the service folder', 'true', { 'services/hello/a "b" é.txt': 'x\n' }],
    ['only the README', 'false', { 'README.md': 'two\n' }],
    ['a folder whose name starts with the service`s', 'false', { 'services/hello-admin/index.js': 'two\n' }],
    ['another service`s Terraform', 'false', { 'generated/other/terraform/main.tf': 'x\n' }],
  ])('a pull request touching %s: affected=%s', (_, affected, files) => {
    const repo = origin();
    pullRequestMerge(repo, 7, files);
    const run = changes(runnerCheckout(repo, 'refs/pull/7/merge'), pullRequest('synchronize'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ affected });
  });

  it('compares with the base the pull request merges into, not the base it branched from: main`s own later change to the service does not count', () => {
    const repo = origin();
    pullRequestMerge(repo, 7, { 'README.md': 'two\n' }, { 'services/hello/index.js': 'main moved\n' });
    const run = changes(runnerCheckout(repo, 'refs/pull/7/merge'), pullRequest('synchronize'));
    expect(run.outputs).toEqual({ affected: 'false' });
  });

  it('a renamed file counts for the folder it left', () => {
    const repo = origin();
    git(repo.work, 'checkout', '--quiet', '-b', 'pr-9', 'main');
    mkdirSync(join(repo.work, 'lib'));
    git(repo.work, 'mv', 'services/hello/index.js', 'lib/index.js');
    git(repo.work, 'commit', '--quiet', '--message', 'move');
    git(repo.work, 'checkout', '--quiet', '--detach', 'main');
    git(repo.work, 'merge', '--quiet', '--no-ff', '--message', 'Merge pr-9', 'pr-9');
    git(repo.work, 'push', '--quiet', 'origin', 'HEAD:refs/pull/9/merge');
    const run = changes(runnerCheckout(repo, 'refs/pull/9/merge'), pullRequest('synchronize', { number: 9 }));
    expect(run.outputs).toEqual({ affected: 'true' });
  });

  it('a merge group compares its head with the group`s base, fetched by SHA (two rebased commits: HEAD^1 is not the base)', () => {
    for (const [files, affected] of [
      [{ 'services/hello/index.js': 'two\n' }, 'true'],
      [{ 'README.md': 'two\n' }, 'false'],
    ] as const) {
      const repo = origin();
      const base = git(repo.work, 'rev-parse', 'HEAD');
      // The service change is in the first of two commits the queue rebased onto main.
      write(repo.work, files);
      git(repo.work, 'commit', '--quiet', '--message', 'first');
      write(repo.work, { 'docs/notes.md': 'second\n' });
      git(repo.work, 'commit', '--quiet', '--message', 'second');
      const head = git(repo.work, 'rev-parse', 'HEAD');
      const ref = `refs/heads/gh-readonly-queue/main/pr-7-${base}`;
      git(repo.work, 'push', '--quiet', 'origin', `HEAD:${ref}`);
      const dir = runnerCheckout(repo, ref);
      const contexts = event('merge_group', { ref, sha: head, event: { merge_group: { base_sha: base, head_sha: head } } });
      const run = changes(dir, contexts);
      expect(run.stderr).toBe('');
      expect(run.outputs, JSON.stringify(files)).toEqual({ affected });
    }
  });

  it('a merge group without a base SHA fails the job, which fails the gate', () => {
    const repo = origin();
    const dir = runnerCheckout(repo, 'main');
    const run = changes(dir, event('merge_group', { ref: 'refs/heads/x', sha: HEAD, event: { merge_group: {} } }));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::the merge group has no base commit SHA');
  });

  /**
   * paved-check.yml's `paved check` step, with this checkout's paved behind the
   * runner's `npm exec`: a pull request (and a merge group) is checked against
   * what it merges into, so removing a database fails the job with the
   * annotation on the service.yaml; a push to main checks the tree alone.
   */
  it('the paved check step checks a pull request and a merge group against their base, and a push alone', async () => {
    const repo = origin();
    const database = 'resources:\n  databases:\n    - name: main\n';
    write(repo.work, {
      'platform.yaml': 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: "k3x9q2w8"\n',
      'services/orders/service.yaml': serviceYaml('orders', database),
    });
    const compiled = await runCli(['compile'], repo.work);
    expect(compiled.code, compiled.stderr).toBe(0);
    write(repo.work, {});
    git(repo.work, 'commit', '--quiet', '--message', 'orders');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const base = git(repo.work, 'rev-parse', 'HEAD');
    git(repo.work, 'checkout', '--quiet', '-b', 'pr-7');
    write(repo.work, { 'services/orders/service.yaml': serviceYaml('orders') });
    expect((await runCli(['compile'], repo.work)).code).toBe(0);
    write(repo.work, {});
    git(repo.work, 'commit', '--quiet', '--message', 'drop the database');
    const head = git(repo.work, 'rev-parse', 'HEAD');
    git(repo.work, 'push', '--quiet', 'origin', `HEAD:refs/heads/gh-readonly-queue/main/pr-7-${base}`);
    git(repo.work, 'checkout', '--quiet', '--detach', 'main');
    git(repo.work, 'merge', '--quiet', '--no-ff', '--message', 'Merge pr-7', 'pr-7');
    git(repo.work, 'push', '--quiet', 'origin', 'HEAD:refs/pull/7/merge');
    git(repo.work, 'checkout', '--quiet', 'main');

    const bin = join(repo.root, 'bin');
    mkdirSync(bin);
    // The step runs `npm exec --offline --no -- paved ...`: the stand-in drops the first five arguments.
    writeFileSync(join(bin, 'npm'), `#!/bin/bash\nshift 5\nexec node ${JSON.stringify(join(REPO, 'bin', 'paved.js'))} "$@"\n`, { mode: 0o755 });
    const checkStep = (dir: string, contexts: Contexts): Run => {
      const step = generatedStep(check.jobs.check!, PAVED_CHECK, contexts);
      return runStep(step.run, dir, step.env, bin);
    };
    const annotation =
      /^::error file=services\/orders\/service\.yaml,line=1,col=1,[^\n]*title=CHECK\.DATA_LOSS::resources\.databases: database "main" of service "orders" is no longer declared, so Terraform would destroy it in staging and production/m;

    const pr = checkStep(runnerCheckout(repo, 'refs/pull/7/merge'), pullRequest('synchronize'));
    expect(pr.status).toBe(1);
    expect(pr.stdout).toMatch(annotation);
    // The service's KMS key goes with its last resource: the snapshots it encrypted go with it.
    expect(pr.stdout).toContain(
      'title=CHECK.DATA_LOSS::with its last resource gone, Terraform would also destroy aws_kms_key.service of service "orders" in staging and production: once AWS deletes a key, the final snapshots and backups it encrypted cannot be read, and its data with it%0Aif losing it is intended, say so in a reviewed line: dataLoss: [{ resource: service,',
    );

    const queue = `refs/heads/gh-readonly-queue/main/pr-7-${base}`;
    const group = checkStep(
      runnerCheckout(repo, queue),
      event('merge_group', { ref: queue, sha: head, event: { merge_group: { base_sha: base, head_sha: head } } }),
    );
    expect(group.status, group.stderr).toBe(1);
    expect(group.stdout).toMatch(annotation);

    const pushed = checkStep(runnerCheckout(repo, 'main'), push());
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toBe('');
  });

  it.each([
    ['push', push()],
    ['workflow_dispatch', dispatch()],
  ] as const)('a %s is affected without looking at git (push keeps its paths filter)', (_, contexts) => {
    const dir = join(scratch(), 'empty');
    mkdirSync(dir);
    const run = changes(dir, contexts);
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ affected: 'true' });
  });
});

/**
 * `<dir>/bin` with a `gh` and a `kubectl` that stand in for GitHub's API and the
 * preview cluster: each logs its arguments to `calls`. gh answers
 * `repos/<repo>/pulls/<n>` from `pulls/<n>.json` (exit 1 when absent, as for an
 * API error) and `.../check-runs` from the next `check-runs-<i>.json`, applying
 * `--jq` with the real jq; kubectl answers `get namespaces` from
 * `namespaces.tsv` (what the sweep's jsonpath prints) and records deletes.
 */
function stubs(dir: string): { bin: string; calls: () => string[] } {
  const bin = join(dir, 'bin');
  const calls = join(dir, 'calls');
  mkdirSync(bin, { recursive: true });
  writeFileSync(calls, '');
  writeFileSync(
    join(bin, 'gh'),
    [
      '#!/bin/bash',
      'set -eu',
      `printf 'gh %s\\n' "$*" >> "${calls}"`,
      '[ "$1" = api ] || exit 90',
      'shift',
      'jqfilter=.; path=""',
      'while [ $# -gt 0 ]; do case "$1" in --jq) jqfilter="$2"; shift 2 ;; --paginate) shift ;; *) path="$1"; shift ;; esac; done',
      'case "${path}" in',
      `  repos/*/pulls/*) file="${dir}/pulls/\${path##*/}.json" ;;`,
      `  repos/*/check-runs*) n=$(cat "${dir}/polls" 2>/dev/null || echo 0); echo $((n + 1)) > "${dir}/polls"; file="${dir}/check-runs-$n.json"; [ -f "$file" ] || file="$(ls "${dir}"/check-runs-*.json | sort -V | tail -n 1)" ;;`,
      '  *) exit 91 ;;',
      'esac',
      '[ -f "${file}" ] || { echo "gh: HTTP 404" >&2; exit 1; }',
      'jq --raw-output "${jqfilter}" "${file}"',
    ].join('\n'),
  );
  writeFileSync(
    join(bin, 'kubectl'),
    ['#!/bin/bash', 'set -eu', `printf 'kubectl %s\\n' "$*" >> "${calls}"`, `if [ "$1" = get ]; then cat "${dir}/namespaces.tsv"; fi`].join('\n'),
  );
  writeFileSync(join(bin, 'sleep'), `#!/bin/bash\nprintf 'sleep %s\\n' "$*" >> "${calls}"\n`);
  for (const name of ['gh', 'kubectl', 'sleep']) chmodSync(join(bin, name), 0o755);
  return { bin, calls: () => readFileSync(calls, 'utf8').split('\n').filter(Boolean) };
}

describe('the gate script, against a stub GitHub API', () => {
  const checkRun = (name: string, status: string, conclusion: string | null) => ({ name, status, conclusion });
  const allGood = [
    checkRun('paved check', 'completed', 'success'),
    checkRun('hello: Changes', 'completed', 'success'),
    checkRun('hello: Test', 'completed', 'success'),
    checkRun('hello: Build image', 'completed', 'skipped'),
    checkRun('hello: Plan staging infrastructure', 'completed', 'success'),
  ];

  function gate(
    contexts: Contexts,
    checkResult: JobResult,
    polls: ReadonlyArray<ReadonlyArray<ReturnType<typeof checkRun>>>,
    overrides: Record<string, string> = {},
  ) {
    const dir = scratch();
    polls.forEach((runs, i) => writeFileSync(join(dir, `check-runs-${i}.json`), JSON.stringify({ total_count: runs.length, check_runs: runs })));
    const stub = stubs(dir);
    const step = generatedStep(check.jobs.gate!, GATE, { ...contexts, needs: { check: { result: checkResult } } });
    return { run: runStep(step.run, dir, { ...step.env, ...overrides }, stub.bin), calls: stub.calls() };
  }

  it('fails when paved check failed or was skipped, without asking GitHub', () => {
    for (const result of ['failure', 'skipped'] as const) {
      const { run, calls } = gate(pullRequest('opened'), result, []);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`::error::the check job did not succeed (${result})`);
      expect(calls).toEqual([]);
    }
  });

  it('on a push, succeeds with paved check alone', () => {
    const { run, calls } = gate(push(), 'success', []);
    expect(run.status).toBe(0);
    expect(calls).toEqual([]);
  });

  it.each([
    ['pull request', pullRequest('opened')],
    ['merge group', mergeGroup()],
  ] as const)('a %s whose service checks succeeded or were skipped passes; it reads the head commit`s check runs', (_, contexts) => {
    const { run, calls } = gate(contexts, 'success', [allGood]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(calls).toEqual([
      `gh api --paginate repos/${REPOSITORY}/commits/${HEAD}/check-runs?filter=latest&per_page=100 --jq .check_runs[] | [.name, .status, (.conclusion // "")] | @tsv`,
    ]);
  });

  it.each(['failure', 'cancelled', 'timed_out', 'action_required'])('a service check that concluded %s fails the gate, named', (conclusion) => {
    const runs = allGood.map((r) => (r.name === 'hello: Test' ? checkRun('hello: Test', 'completed', conclusion) : r));
    const { run } = gate(pullRequest('opened'), 'success', [runs]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`::error::hello: Test: ${conclusion}`);
  });

  it('waits while a check is queued, in progress or not yet created, then passes', () => {
    const first = allGood
      .filter((r) => r.name !== 'hello: Plan staging infrastructure')
      .map((r) => (r.name === 'hello: Test' ? checkRun('hello: Test', 'in_progress', null) : r));
    const second = allGood.map((r) => (r.name === 'hello: Test' ? checkRun('hello: Test', 'queued', null) : r));
    const { run, calls } = gate(pullRequest('opened'), 'success', [first, second, allGood]);
    expect(run.status).toBe(0);
    expect(calls.filter((c) => c.startsWith('gh '))).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith('sleep '))).toEqual(['sleep 30', 'sleep 30']);
  });

  it('fails, naming it, when a check has not reported by the deadline', () => {
    const { run } = gate(pullRequest('opened'), 'success', [allGood.filter((r) => r.name !== 'hello: Changes')], { WAIT_SECONDS: '0' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::hello: Changes did not report within 0 seconds');
  });

  it('a check of the same name from another service does not count', () => {
    const runs = allGood.map((r) => (r.name === 'hello: Test' ? checkRun('hello-admin: Test', 'completed', 'success') : r));
    const { run } = gate(pullRequest('opened'), 'success', [runs], { WAIT_SECONDS: '0' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::hello: Test did not report');
  });
});

describe('the preview sweep and the still-open check, against stub GitHub and kubectl', () => {
  const pull = (dir: string, n: number, state: string): void => {
    mkdirSync(join(dir, 'pulls'), { recursive: true });
    writeFileSync(join(dir, 'pulls', `${n}.json`), JSON.stringify({ number: n, state }));
  };

  it('deletes the preview namespaces of closed pull requests only, and nothing it cannot account for', () => {
    const dir = scratch();
    pull(dir, 1, 'closed');
    pull(dir, 2, 'open');
    pull(dir, 5, 'closed');
    // 3 is absent: the API fails for it.
    writeFileSync(
      join(dir, 'namespaces.tsv'),
      [
        'hello-pr-1\thello',
        'hello-pr-2\thello',
        'hello-pr-3\thello',
        'other-pr-5\tother',
        'hello-pr-0\thello',
        'hello-pr-05\thello',
        'hello-pr-x\thello',
        'shop\thello',
        'hello-pr-5\thello',
        '',
      ].join('\n'),
    );
    const stub = stubs(dir);
    const step = generatedStep(previews.jobs.sweep!, PREVIEW_SWEEP, schedule());
    const run = runStep(step.run, dir, step.env, stub.bin);
    expect(run.stderr).toBe('gh: HTTP 404\n');
    expect(run.status).toBe(0);
    const calls = stub.calls();
    expect(calls[0]).toBe(
      `kubectl get namespaces --selector ${previewSelector(basic.project!)} --output jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.app\\.kubernetes\\.io/name}{"\\n"}{end}`,
    );
    expect(calls.filter((c) => c.startsWith('kubectl delete'))).toEqual([
      'kubectl delete namespace hello-pr-1 --ignore-not-found --wait=false',
      'kubectl delete namespace hello-pr-5 --ignore-not-found --wait=false',
    ]);
    expect(calls.filter((c) => c.startsWith('gh '))).toEqual([1, 2, 3, 5].map((n) => `gh api repos/${REPOSITORY}/pulls/${n} --jq .state`));
    expect(run.stdout).toContain('::warning::could not read pull request 3; hello-pr-3 is left for the next sweep');
    expect(run.stdout).toContain("other-pr-5: not a preview of this repository's services; left alone");
    expect(run.stdout).toContain('deleted 2 preview namespace(s) of closed pull requests');
    expect(step.env.SERVICES).toBe('hello');
  });

  it("the sweep's jsonpath, per namespace, prints name and service with the real kubectl (offline: annotate --local on the generated preview namespace)", () => {
    const template = /--output jsonpath='\{range \.items\[\*\]\}(.*)\{end\}'/.exec(PREVIEW_SWEEP)![1]!;
    const dir = scratch();
    writeFileSync(join(dir, 'namespace.yaml'), basic.files.find((f) => f.path === 'generated/hello/kubernetes/preview/namespace.yaml')!.contents);
    const run = spawnSync('kubectl', ['annotate', '--local', '--filename', join(dir, 'namespace.yaml'), 'probe=1', '--output', `jsonpath=${template}`], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('hello-pr-0\thello\n');
  });

  it('does nothing on an empty cluster', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'namespaces.tsv'), '');
    const stub = stubs(dir);
    const step = generatedStep(previews.jobs.sweep!, PREVIEW_SWEEP, schedule());
    const run = runStep(step.run, dir, step.env, stub.bin);
    expect(run.status).toBe(0);
    expect(stub.calls().filter((c) => !c.startsWith('kubectl get'))).toEqual([]);
  });

  it.each([
    ['open', 'true'],
    ['closed', 'false'],
  ])('the deploy`s check reads a %s pull request as open=%s', (state, open) => {
    const dir = scratch();
    pull(dir, 7, state);
    const stub = stubs(dir);
    const step = generatedStep(hello.jobs.preview!, PREVIEW_STILL_OPEN, pullRequest('synchronize'));
    const run = runStep(step.run, dir, step.env, stub.bin);
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ open });
    expect(stub.calls()).toEqual([`gh api repos/${REPOSITORY}/pulls/7 --jq .state`]);
  });

  it('the deploy`s check fails the job when GitHub cannot be read, rather than deploying blind', () => {
    const dir = scratch();
    const stub = stubs(dir);
    const step = generatedStep(hello.jobs.preview!, PREVIEW_STILL_OPEN, pullRequest('synchronize'));
    expect(runStep(step.run, dir, step.env, stub.bin).status).toBe(1);
  });

  it('the teardown deletes the pull request`s namespace, whatever its diff', () => {
    const dir = scratch();
    const stub = stubs(dir);
    const step = generatedStep(hello.jobs.teardown!, PREVIEW_TEARDOWN, pullRequest('closed'));
    expect(runStep(step.run, dir, step.env, stub.bin).status).toBe(0);
    expect(stub.calls()).toEqual(['kubectl delete namespace hello-pr-7 --ignore-not-found --wait=false']);
  });
});

describe('the expression evaluator the tests rely on', () => {
  const contexts = pullRequest('opened');
  it('follows GitHub`s documented semantics for the subset paved writes', () => {
    expect(evaluate("github.event_name == 'PULL_REQUEST'", contexts)).toBe(true);
    expect(evaluate('github.event.missing.deeper', contexts)).toBe(null);
    expect(evaluate('github.event.pull_request.number || github.ref', contexts)).toBe(7);
    expect(evaluate('github.event.merge_group.head_sha || github.sha', contexts)).toBe(MERGE);
    expect(evaluate("github.event_name == 'push' || (github.event_name == 'pull_request' && github.event.action != 'closed')", contexts)).toBe(true);
    expect(evaluate('!cancelled()', contexts, { needs: ['failure'] })).toBe(true);
    expect(conditionHolds("github.event_name == 'pull_request'", contexts, { needs: ['skipped'] })).toBe(false);
    expect(conditionHolds('!cancelled()', contexts, { needs: ['failure'] })).toBe(true);
    expect(() => evaluate('toJSON(github)', contexts)).toThrow();
    expect(() => evaluate("github.x == 'a' ++", contexts)).toThrow();
  });

  it('reads every if: and ${{ }} of every generated workflow of the fixtures (nothing outside the subset)', () => {
    const all = ['basic', 'full', 'languages', 'edges'].flatMap((name) => workflowsOf(compileDir(caseRoot(name)), name));
    let seen = 0;
    for (const w of all) {
      for (const job of Object.values(w.doc.jobs)) {
        for (const condition of [job.if, ...job.steps.map((s) => s.if)]) {
          if (condition === undefined) continue;
          seen++;
          conditionHolds(condition, { ...contexts, needs: {}, steps: {} }, { needs: [] });
        }
      }
      for (const m of w.text.matchAll(/\$\{\{ (.*?) \}\}/g)) {
        seen++;
        evaluate(m[1]!, { ...contexts, needs: {}, steps: {} });
      }
    }
    expect(seen).toBeGreaterThan(100);
  });
});
