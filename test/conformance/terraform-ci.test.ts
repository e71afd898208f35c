import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as SCRIPTS from '../../emitters/actions/scripts.js';
import * as TF from '../../emitters/actions/terraform-scripts.js';
import { isolatedEnv, runScript, type ScriptRun } from '../support/run-script.js';
import { allGeneratedWorkflows, type GeneratedWorkflow } from '../support/workflows.js';

/**
 * Issue 16, Terraform in CI: the infrastructure jobs' scripts run for real
 * under bash, the way a runner runs them, against a bare repository standing
 * for GitHub (the checkout is a full clone, as `fetch-depth: 0` makes it) and
 * a `terraform` stub standing for Terraform and AWS, which records how it was
 * called. The scripts are taken from the generated workflow of examples/shop,
 * so the test runs exactly what CI runs.
 */

const workflows = allGeneratedWorkflows();
const byName = (suffix: string): GeneratedWorkflow => workflows.find((w) => w.name.endsWith(suffix))!;
interface Step {
  readonly name: string;
  readonly id?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly 'working-directory'?: string;
}
interface Job {
  readonly needs?: readonly string[];
  readonly environment?: string;
  readonly steps: readonly Step[];
}
const jobsOf = (suffix: string): Record<string, Job> => byName(suffix).doc.jobs as Record<string, Job>;
const payments = jobsOf('examples/shop/.github/workflows/paved-payments.yml');
/** The script of the first step of `job` whose name starts with `name`. */
const scriptOf = (job: string, name: string): string => payments[job]!.steps.find((s) => s.name.startsWith(name))!.run!;

const work = mkdtempSync(join(tmpdir(), 'paved-tfci-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const author = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
  const run = spawnSync('git', args, { cwd, env: { ...env, ...author }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout.trim();
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/**
 * A bare origin whose main holds two services' stacks; `commit` adds a commit
 * on main there; `clone` makes the runner's checkout of a commit, with every
 * branch fetched (actions/checkout with fetch-depth: 0).
 */
function origin() {
  const root = join(work, `repo-${counter++}`);
  const [bare, seed] = [join(root, 'origin.git'), join(root, 'seed')];
  const env = isolatedEnv(root);
  mkdirSync(root, { recursive: true });
  git(root, env, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, env, 'clone', '--quiet', bare, seed);
  const commit = (files: Readonly<Record<string, string>>, message: string): string => {
    for (const [path, text] of Object.entries(files)) write(join(seed, path), text);
    git(seed, env, 'add', '--all');
    git(seed, env, 'commit', '--quiet', '--message', message);
    git(seed, env, 'push', '--quiet', 'origin', 'HEAD:main');
    return git(seed, env, 'rev-parse', 'HEAD');
  };
  const clone = (sha: string): string => {
    const dir = join(root, `checkout-${counter++}`);
    git(root, env, 'clone', '--quiet', '--no-checkout', bare, dir);
    git(dir, env, 'checkout', '--quiet', '--detach', sha);
    return dir;
  };
  return { root, env, commit, clone };
}

const STACK = 'generated/payments/terraform';
const SUBSCRIPTIONS = 'generated/payments/terraform/subscriptions';
const ORDERS_SUBSCRIPTIONS = 'generated/orders/terraform/subscriptions';

function firstCommit(repo: ReturnType<typeof origin>): string {
  return repo.commit(
    {
      [`${STACK}/main.tf`]: 'one\n',
      [`${SUBSCRIPTIONS}/subscriptions.tf`]: 'one\n',
      [`${ORDERS_SUBSCRIPTIONS}/subscriptions.tf`]: 'one\n',
      'services/payments/app.py': 'one\n',
    },
    'first',
  );
}

describe('the apply guard: a re-run of an old run never applies old Terraform', () => {
  const guard = scriptOf('production-infra', 'Refuse Terraform older than main');
  const stacks = payments['production-infra']!.steps.find((s) => s.run === guard)!.env!.STACKS!;

  it("is the same script, over the service's own roots, first in every infra job", () => {
    expect(guard).toBe(TF.APPLY_GUARD);
    expect(stacks).toBe(`${STACK}\n${SUBSCRIPTIONS}`);
    for (const id of ['staging-infra', 'production-plan', 'production-infra']) {
      const steps = payments[id]!.steps;
      expect(steps[0]!.with, id).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
      expect(steps[1]!.run, id).toBe(TF.APPLY_GUARD);
      expect(steps[1]!.env, id).toEqual({ MAIN: 'main', STACKS: stacks });
    }
  });

  it("goes ahead on main's head", () => {
    const repo = origin();
    const head = firstCommit(repo);
    const run = runScript(guard, repo.clone(head), isolatedEnv(repo.root, { GITHUB_SHA: head, MAIN: 'main', STACKS: stacks }), work);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${head} has the Terraform of main (${head}) for: ${STACK} ${SUBSCRIPTIONS}\n`);
  });

  it("goes ahead when main moved on without touching this service's roots (code, another service's root)", () => {
    const repo = origin();
    const old = firstCommit(repo);
    repo.commit({ 'services/payments/app.py': 'two\n', [`${ORDERS_SUBSCRIPTIONS}/subscriptions.tf`]: 'two\n' }, 'code and orders');
    const run = runScript(guard, repo.clone(old), isolatedEnv(repo.root, { GITHUB_SHA: old, MAIN: 'main', STACKS: stacks }), work);
    expect(run.status).toBe(0);
  });

  it.each([
    ['the main stack', STACK, 'main.tf'],
    ['the subscriptions root', SUBSCRIPTIONS, 'subscriptions.tf'],
  ])('refuses, naming both commits, when main has changed %s since', (_what, dir, file) => {
    const repo = origin();
    const old = firstCommit(repo);
    const head = repo.commit({ [`${dir}/${file}`]: 'two\n' }, 'newer Terraform');
    const run = runScript(guard, repo.clone(old), isolatedEnv(repo.root, { GITHUB_SHA: old, MAIN: 'main', STACKS: stacks }), work);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      `::error::main has changed this service's Terraform since ${old} (now ${head}): a newer run applies it; re-running this old run would apply old Terraform\n`,
    );
  });

  it('refuses when main was not fetched, rather than guessing', () => {
    const repo = origin();
    const head = firstCommit(repo);
    const dir = repo.clone(head);
    git(dir, repo.env, 'update-ref', '-d', 'refs/remotes/origin/main');
    const run = runScript(guard, dir, isolatedEnv(repo.root, { GITHUB_SHA: head, MAIN: 'main', STACKS: stacks }), work);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`::error::origin/main is not fetched; cannot tell whether ${head} is still current\n`);
  });
});

describe("a subscriber's root in the publisher's workflow", () => {
  const check = scriptOf('staging-infra', 'Is orders subscriptions current');

  function current(moved: boolean): { run: ScriptRun; output: string } {
    const repo = origin();
    const old = firstCommit(repo);
    if (moved) repo.commit({ [`${ORDERS_SUBSCRIPTIONS}/subscriptions.tf`]: 'two\n' }, 'orders moved on');
    const output = join(repo.root, 'output');
    writeFileSync(output, '');
    const run = runScript(
      check,
      repo.clone(old),
      isolatedEnv(repo.root, { GITHUB_SHA: old, MAIN: 'main', STACK: ORDERS_SUBSCRIPTIONS, GITHUB_OUTPUT: output }),
      work,
    );
    return { run, output: readFileSync(output, 'utf8') };
  }

  it('is applied while main still has this version of it', () => {
    const { run, output } = current(false);
    expect(run.status).toBe(0);
    expect(output).toBe('current=true\n');
  });

  it("is left to its own service's newer run when main has changed it since, without failing this run", () => {
    const { run, output } = current(true);
    expect(run.status).toBe(0);
    expect(output).toBe('current=false\n');
    expect(run.stdout).toContain(`::notice::${ORDERS_SUBSCRIPTIONS} changed on main since`);
  });

  it('gates its init and apply (plan in production) on that output', () => {
    for (const id of ['staging-infra', 'production-plan', 'production-infra']) {
      const steps = payments[id]!.steps;
      const at = steps.findIndex((s) => s.run === TF.SUBSCRIBER_CURRENT);
      expect(steps[at]!.env, id).toEqual({ MAIN: 'main', STACK: ORDERS_SUBSCRIPTIONS });
      const gated = steps.slice(at + 1).filter((s) => s.env?.STACK === ORDERS_SUBSCRIPTIONS);
      expect(gated.length, id).toBe(2);
      for (const step of gated) expect(step.if, `${id} ${step.name}`).toBe(`steps.${steps[at]!.id}.outputs.current == 'true'`);
      // Nothing of payments' own roots is gated: the guard alone decides for them.
      for (const step of steps.filter((s) => s.env?.STACK?.startsWith('generated/payments/'))) expect(step.if, `${id} ${step.name}`).toBeUndefined();
    }
  });
});

/** A `terraform` on PATH that logs its arguments and, for plan -out, writes the plan file. */
function terraformStub(root: string): { bin: string; calls: string } {
  const bin = join(root, 'bin');
  const calls = join(root, 'terraform-calls.log');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'terraform'),
    [
      '#!/bin/bash',
      `echo "$*" >> "${calls}"`,
      'dir="${1#-chdir=}"',
      'case "$2" in',
      '  plan) echo "plan of ${dir}" > "${dir}/tfplan" ;;',
      '  show) echo "Plan: 1 to add, 0 to change, 0 to destroy." ; cat "${dir}/$4" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'terraform'), 0o755);
  return { bin, calls };
}

describe('production: the plan approvers see is the plan that is applied', () => {
  it('plans each root with -out, shows it in the job summary, and packs every plan at its path', () => {
    const repo = origin();
    const head = firstCommit(repo);
    const dir = repo.clone(head);
    const { bin, calls } = terraformStub(repo.root);
    const summary = join(repo.root, 'summary.md');
    const env = (step: Step) =>
      isolatedEnv(repo.root, { ...step.env, PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: repo.root, GITHUB_STEP_SUMMARY: summary });
    const job = payments['production-plan']!;
    for (const step of job.steps.filter((s) => s.run === TF.TERRAFORM_SAVED_PLAN || s.run === TF.PACK_PLANS)) {
      const run = runScript(step.run!, dir, env(step), work);
      expect(run.status, `${step.name}: ${run.stderr}`).toBe(0);
    }
    expect(readFileSync(calls, 'utf8')).toBe(
      [STACK, SUBSCRIPTIONS, ORDERS_SUBSCRIPTIONS]
        .flatMap((stack) => [
          `-chdir=${stack} plan -input=false -lock=false -no-color -var-file=env/production.tfvars -out=tfplan`,
          `-chdir=${stack} show -no-color tfplan`,
        ])
        .map((line) => `${line}\n`)
        .join(''),
    );
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('### Terraform plan: payments in production\n\nPlan: 1 to add, 0 to change, 0 to destroy.\n');
    expect(text).toContain('### Terraform plan: payments subscriptions in production\n');
    expect(text).toContain('### Terraform plan: orders subscriptions in production\n');
    expect(text).toContain(`<details><summary>Full plan</summary>\n\n~~~\nPlan: 1 to add, 0 to change, 0 to destroy.\nplan of ${STACK}\n~~~\n</details>\n`);
    const listed = spawnSync('tar', ['--list', '--file', join(dir, 'paved-production-plans.tar')], { encoding: 'utf8' }).stdout;
    expect(listed).toBe(`${ORDERS_SUBSCRIPTIONS}/tfplan\n${SUBSCRIPTIONS}/tfplan\n${STACK}/tfplan\n`);

    // The apply job, in a fresh checkout of the same commit: unpack, then apply exactly the saved plans.
    const applyDir = repo.clone(head);
    writeFileSync(join(applyDir, 'paved-production-plans.tar'), readFileSync(join(dir, 'paved-production-plans.tar')));
    writeFileSync(calls, '');
    const apply = payments['production-infra']!;
    for (const step of apply.steps.filter((s) => s.run === TF.UNPACK_PLANS || s.run === TF.TERRAFORM_APPLY_SAVED)) {
      const run = runScript(step.run!, applyDir, env(step), work);
      expect(run.status, `${step.name}: ${run.stderr}`).toBe(0);
    }
    expect(readFileSync(join(applyDir, STACK, 'tfplan'), 'utf8')).toBe(`plan of ${STACK}\n`);
    expect(readFileSync(calls, 'utf8')).toBe(
      [STACK, SUBSCRIPTIONS, ORDERS_SUBSCRIPTIONS].map((stack) => `-chdir=${stack} apply -input=false -lock-timeout=10m tfplan\n`).join(''),
    );
  });

  it('fails an apply whose plan is missing rather than planning anew', () => {
    const repo = origin();
    const dir = repo.clone(firstCommit(repo));
    const { bin, calls } = terraformStub(repo.root);
    const run = runScript(TF.TERRAFORM_APPLY_SAVED, dir, isolatedEnv(repo.root, { STACK, PATH: `${bin}:${process.env.PATH}` }), work);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`::error::no saved plan for ${STACK}: the production plan job did not plan it\n`);
    expect(() => readFileSync(calls, 'utf8')).toThrow();
  });

  it('wires plan → approval → apply: the artifact passes the plans, only the apply job is in the production environment', () => {
    const plan = payments['production-plan']!;
    const apply = payments['production-infra']!;
    expect(plan.needs).toEqual(['staging-release']);
    expect(plan.environment).toBe('production-plan');
    expect(apply.needs).toEqual(['production-plan']);
    expect(apply.environment).toBe('production');
    expect(payments['production-release']!.needs).toContain('production-infra');
    const upload = plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = apply.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(upload.with).toEqual({
      name: 'paved-payments-production-plans',
      path: 'examples/shop/paved-production-plans.tar',
      'retention-days': 5,
      'if-no-files-found': 'error',
      overwrite: true,
    });
    expect(download.with).toEqual({ name: 'paved-payments-production-plans', path: 'examples/shop' });
    const names = apply.steps.map((s) => s.name);
    expect(names.indexOf('Unpack the approved plans')).toBeGreaterThan(names.indexOf('Fetch the approved plans'));
    // No apply in production plans anew or auto-approves.
    for (const step of apply.steps) expect(step.run ?? '', step.name).not.toContain('-auto-approve');
    expect(apply.steps.filter((s) => s.run === TF.TERRAFORM_APPLY_SAVED).length).toBe(3);
  });
});

describe('the state lock', () => {
  it('every init and apply the workflows run waits for a held lock; plans read without it', () => {
    const commands = workflows.flatMap((w) =>
      Object.values(w.doc.jobs as Record<string, Job>).flatMap((job) =>
        job.steps.flatMap((s) => (s.run ?? '').split('\n').filter((line) => /\bterraform -chdir="\$\{STACK\}" (init|plan|apply)\b/.test(line))),
      ),
    );
    expect(commands.length).toBeGreaterThan(100);
    for (const line of commands) {
      if (/ plan /.test(line)) expect(line).toContain('-lock=false');
      else expect(line).toContain(`-lock-timeout=${TF.LOCK_TIMEOUT}`);
    }
    expect(SCRIPTS.TERRAFORM_INIT).toContain('-lock-timeout=10m');
    expect(SCRIPTS.TERRAFORM_APPLY).toContain('-lock-timeout=10m');
  });
});
