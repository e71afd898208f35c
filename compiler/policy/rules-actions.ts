import { ACTIONS_WAIVERS as WAIVERS, waiverComment } from '../../emitters/shared/waivers.js';
import { perItem } from './findings.js';
import type { CheckResult, Finding, PolicyRule } from './types.js';
import { fact } from './facts.js';
import { mayContain } from './json-text.js';
import { matches } from './search.js';
import { actionOf, stepsOf, type GeneratedWorkflow, type ParsedJob, type ParsedStep, type PolicyTarget } from './view.js';

/**
 * security-rules.md §3 (GitHub Actions): the zizmor audits, each as a function
 * from a workflow to its problems (zizmor itself cannot run here), plus the
 * structural part of actionlint's hygiene row. actionlint and shellcheck
 * themselves run over every workflow in test/conformance/actions.test.ts. Stricter than
 * zizmor where paved can afford it: caches are off in every job, not only in
 * publishing ones, and every job states its concurrency.
 */
export type Audit = (workflow: GeneratedWorkflow) => string[];

const EXPRESSION = /\$\{\{/;
/** The one cache a generated job may use, under its waiver: the check record of a commit (spec/layout.ts checkRecordFile). */
const CHECK_RECORD_PATH = /^([A-Za-z0-9._/-]+\/)?\.paved-cache\/check-\$\{\{ (steps\.base\.outputs\.sha|github\.sha) \}\}\.json$/;
const CHECK_RECORD_CACHE = "caches paved's check record";
const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
/** Every scope GitHub accepts in `permissions:` (actionlint's list). */
const SCOPES = new Set([
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
]);
/** Job keys of the workflow syntax (actionlint's syntax-check). */
const JOB_KEYS = new Set([
  'name',
  'permissions',
  'needs',
  'if',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets',
]);
const STEP_KEYS = new Set(['id', 'if', 'name', 'uses', 'run', 'working-directory', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes']);
/** The events paved may use (a subset of actionlint's list; the dangerous ones are left to dangerous-triggers). */
const EVENTS = new Set([
  'push',
  'pull_request',
  'workflow_dispatch',
  'schedule',
  'workflow_call',
  'merge_group',
  'release',
  'pull_request_target',
  'workflow_run',
]);
/** GitHub-hosted runner labels (actionlint's runner-label); paved pins ubuntu-24.04. */
const RUNNER_LABEL = /^(ubuntu|windows|macos)-(latest|\d+(\.\d+)?)(-arm)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A condition that is always true or false as written: `true`, `false`, or text beside a ${{ }} (a non-empty string, so always true). */
const CONSTANT_CONDITION = /^(true|false)$/;
const WHOLE_EXPRESSION = /^\$\{\{[^]*\}\}$/;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const at = (w: GeneratedWorkflow, jobId: string, step?: { readonly name?: string }): string =>
  `${w.name}: ${jobId}${step ? ` / ${step.name ?? '(unnamed step)'}` : ''}`;
/** A workflow's jobs and its steps (view.ts stepsOf), read once per workflow for every audit. */
const jobsOf = fact((w: GeneratedWorkflow): ReadonlyArray<[string, ParsedJob]> => Object.freeze(Object.entries(w.doc.jobs)));
const stepsIn = fact((w: GeneratedWorkflow): ReadonlyArray<{ readonly jobId: string; readonly job: ParsedJob; readonly step: ParsedStep }> =>
  Object.freeze(stepsOf(w.doc)),
);

/**
 * The first line of a workflow's text whose `uses:` (the line's first key,
 * after indentation and a list's `- `) names `ref` (what follows `uses: ` up
 * to a space); found by searching for `uses: <ref>`, so only lines holding
 * it are cut out of the text.
 */
function usesLine(text: string, ref: string): string | undefined {
  const needle = `uses: ${ref}`;
  for (let at = text.indexOf(needle); at >= 0;) {
    const newline = text.indexOf('\n', at);
    const line = text.slice(text.lastIndexOf('\n', at) + 1, newline < 0 ? text.length : newline);
    const rest = line.trimStart().replace(/^- /, '');
    if (rest.startsWith('uses: ') && rest.slice(6).split(' ')[0] === ref) return line;
    at = newline < 0 ? -1 : text.indexOf(needle, newline + 1);
  }
  return undefined;
}

/** Jobs that only ever run for a pull request (their `if` requires the event). */
const pullRequestOnly = (condition: string | undefined): boolean => condition !== undefined && condition.startsWith("github.event_name == 'pull_request'");

/** A job's steps as excessive-permissions reads them: the action of each, and its scripts as one text. */
interface JobSteps {
  readonly actions: ReadonlyArray<string | undefined>;
  readonly runs: () => string;
}

const GIT_PUSH = /\bgit\b.* push /;
const GH_API_PULLS = /\bgh api [^\n]*\/pulls\//;
const GH_API_CHECK_RUNS = /\bgh api [^\n]*\/check-runs/;

/** For each scope a job may hold, whether a step needs it at `level`. */
const NEEDS: Readonly<Record<string, (level: unknown, steps: JobSteps) => boolean>> = {
  'id-token': (_level, { actions }) => actions.includes('aws-actions/configure-aws-credentials'),
  // Only the GitOps commit pushes to the repository.
  contents: (level, { runs }) => level === 'read' || GIT_PUSH.test(runs()),
  packages: (level, { actions }) => actions.includes('docker/login-action') && (level === 'read' || actions.includes('docker/build-push-action')),
  // Reading through the GitHub API: a pull request's state, a commit's check runs.
  'pull-requests': (level, { runs }) => level === 'read' && GH_API_PULLS.test(runs()),
  checks: (level, { runs }) => level === 'read' && GH_API_CHECK_RUNS.test(runs()),
};
/** The zizmor audits by name, with the actionlint and checkov ids of the same row. */
export const AUDITS: Readonly<Record<string, Audit>> = {
  'template-injection': (w) => {
    const problems: string[] = [];
    for (const { jobId, step } of stepsIn(w)) {
      if (step.run !== undefined && matches(EXPRESSION, '${{', step.run)) problems.push(`${at(w, jobId, step)}: \${{ }} inside run:`);
      if (actionOf(step.uses) === 'actions/github-script' && EXPRESSION.test(String(step.with?.script ?? '')))
        problems.push(`${at(w, jobId, step)}: \${{ }} inside a github-script`);
    }
    return problems;
  },

  'unpinned-uses': (w) => {
    const lines = new Map<string, string | undefined>();
    const lineOf = (ref: string): string | undefined => {
      if (!lines.has(ref)) lines.set(ref, usesLine(w.text, ref));
      return lines.get(ref);
    };
    const uses = [...stepsIn(w).map(({ jobId, step }) => [jobId, step.uses] as const), ...jobsOf(w).map(([jobId, job]) => [jobId, job.uses] as const)];
    return uses.flatMap(([jobId, ref]) => {
      if (ref === undefined) return [];
      if (!SHA_PINNED.test(ref)) return [`${at(w, jobId)}: ${ref} is not pinned to a full commit SHA`];
      const line = lineOf(ref);
      return line && / # v\d+(\.\d+)*$/.test(line) ? [] : [`${at(w, jobId)}: ${ref} has no version comment`];
    });
  },

  'excessive-permissions': (w) => {
    const findings: string[] = [];
    if (!isRecord(w.doc.permissions) || Object.keys(w.doc.permissions).length > 0) findings.push(`${w.name}: top-level permissions are not {}`);
    for (const [jobId, job] of jobsOf(w)) {
      if (!isRecord(job.permissions)) {
        findings.push(`${at(w, jobId)}: no explicit permissions map (inherits or uses read-all/write-all)`);
        continue;
      }
      const actions = (job.steps ?? []).map((s) => actionOf(s.uses));
      // Every script of the job as one text, joined only for a scope that searches it (most jobs read contents only).
      let runs: string | undefined;
      const steps: JobSteps = { actions, runs: () => (runs ??= (job.steps ?? []).map((s) => s.run ?? '').join('\n')) };
      for (const [scope, level] of Object.entries(job.permissions)) {
        if (!SCOPES.has(scope)) findings.push(`${at(w, jobId)}: unknown permission ${scope}`);
        else if (level !== 'read' && level !== 'write') findings.push(`${at(w, jobId)}: ${scope}: ${String(level)}`);
        else if (!NEEDS[scope]?.(level, steps)) findings.push(`${at(w, jobId)}: ${scope}: ${level} without a step that needs it`);
      }
    }
    return findings;
  },

  'dangerous-triggers': (w) => ['pull_request_target', 'workflow_run'].filter((t) => t in w.doc.on).map((t) => `${w.name}: triggered by ${t}`),

  artipacked: (w) =>
    stepsIn(w)
      .filter(({ step }) => actionOf(step.uses) === 'actions/checkout' && step.with?.['persist-credentials'] !== false)
      .map(({ jobId, step }) => `${at(w, jobId, step)}: checkout persists credentials`),

  'cache-poisoning': (w) =>
    stepsIn(w).flatMap(({ jobId, step }) => {
      const action = actionOf(step.uses);
      const input = step.with ?? {};
      const problem =
        (action === 'actions/cache/restore' || action === 'actions/cache/save') && CHECK_RECORD_PATH.test(String(input.path))
          ? CHECK_RECORD_CACHE
          : action === 'actions/cache' || action?.startsWith('actions/cache/')
            ? 'uses actions/cache'
            : action === 'actions/setup-node' && (input['package-manager-cache'] !== false || 'cache' in input)
              ? 'setup-node may cache'
              : action === 'actions/setup-go' && input.cache !== false
                ? 'setup-go caches unless cache: false'
                : (action === 'actions/setup-python' || action === 'actions/setup-java') && 'cache' in input
                  ? `${action} caches`
                  : action === 'docker/setup-buildx-action' && input['cache-binary'] !== false
                    ? 'setup-buildx caches its binary'
                    : action === 'docker/build-push-action' && ('cache-from' in input || 'cache-to' in input)
                      ? 'build-push uses a build cache'
                      : undefined;
      return problem ? [`${at(w, jobId, step)}: ${problem}`] : [];
    }),

  'github-env': (w) =>
    stepsIn(w)
      .filter(({ step }) => matches(/GITHUB_(ENV|PATH)\b/, 'GITHUB_', step.run ?? ''))
      .map(({ jobId, step }) => `${at(w, jobId, step)}: writes GITHUB_ENV or GITHUB_PATH`),

  'secrets-inherit': (w) => [
    ...jobsOf(w)
      .filter(([, job]) => job.secrets !== undefined || job.uses !== undefined)
      .map(([jobId]) => `${at(w, jobId)}: passes secrets to a reusable workflow`),
    ...(matches(/toJSON\(\s*secrets\s*\)|fromJSON\(\s*secrets\./, 'JSON(', w.text) ? [`${w.name}: serializes the secrets context`] : []),
  ],

  'insecure-commands': (w) => [
    ...(w.text.includes('ACTIONS_ALLOW_UNSECURE_COMMANDS') ? [`${w.name}: ACTIONS_ALLOW_UNSECURE_COMMANDS`] : []),
    ...stepsIn(w)
      .filter(({ step }) => matches(/::(set-env|add-path|set-output)\b/, '::', step.run ?? ''))
      .map(({ jobId, step }) => `${at(w, jobId, step)}: deprecated workflow command`),
  ],

  'hardcoded-container-credentials': (w) =>
    jobsOf(w).flatMap(([jobId, job]) => {
      const containers = [job.container, ...(isRecord(job.services) ? Object.values(job.services) : [])].filter(isRecord);
      return containers
        .filter((c) => isRecord(c.credentials) && !/^\$\{\{\s*secrets\.[A-Za-z0-9_]+\s*\}\}$/.test(String(c.credentials.password)))
        .map(() => `${at(w, jobId)}: container credentials not from a secret`);
    }),

  'unpinned-images': (w) =>
    jobsOf(w).flatMap(([jobId, job]) => {
      const images = [job.container, ...(isRecord(job.services) ? Object.values(job.services) : [])]
        .map((c) => (isRecord(c) ? c.image : c))
        .filter((i) => i !== undefined);
      const dockerUses = (job.steps ?? []).map((s) => s.uses).filter((u): u is string => u?.startsWith('docker://') ?? false);
      return [...images.map(String), ...dockerUses]
        .filter((image) => !/@sha256:[0-9a-f]{64}$/.test(image))
        .map((image) => `${at(w, jobId)}: image ${image} not pinned by digest`);
    }),

  'bot-conditions': (w) =>
    jobsOf(w).flatMap(([jobId, job]) =>
      [job.if, ...(job.steps ?? []).map((s) => s.if)]
        .filter((c) => c !== undefined && /github\.(actor|triggering_actor)\b/.test(c))
        .map((c) => `${at(w, jobId)}: condition on ${c}`),
    ),

  'concurrency-limits': (w) =>
    jobsOf(w).flatMap(([jobId, job]) => {
      if (!job.concurrency && !w.doc.concurrency) return [`${at(w, jobId)}: no concurrency group`];
      const cancel = job.concurrency?.['cancel-in-progress'];
      const changesState = (job.steps ?? []).some((s) => matches(/terraform[^\n]* apply |\bgit\b[^\n]* push /, [' apply ', ' push '], s.run ?? ''));
      // A preview teardown is the last run of its pull request: nothing supersedes it, and a stopped one leaks the namespace.
      const tearsDown = (job.steps ?? []).some((s) => matches(/\bkubectl delete namespace /, 'kubectl delete namespace ', s.run ?? ''));
      if (changesState && cancel !== false) return [`${at(w, jobId)}: a running apply or release commit can be cancelled`];
      if (tearsDown && cancel !== false) return [`${at(w, jobId)}: a running preview teardown can be cancelled`];
      if (pullRequestOnly(job.if) && !tearsDown && cancel === false) return [`${at(w, jobId)}: superseded pull request runs are not cancelled`];
      return [];
    }),
};

/** The structural checks of actionlint's hygiene row that need no type checker. */
const actionlintHygiene: Audit = (w) => {
  const jobs = jobsOf(w);
  const ids = new Set(jobs.map(([id]) => id));
  const envMaps = [w.doc.env, ...jobs.flatMap(([, job]) => [job.env, ...(job.steps ?? []).map((s) => s.env)])].filter(
    (env): env is Readonly<Record<string, string>> => env !== undefined,
  );
  // One list, filled in the order the checks are listed (a loop, not spreads: it runs over every job and step).
  const problems: string[] = [];
  for (const e of Object.keys(w.doc.on)) if (!EVENTS.has(e)) problems.push(`${w.name}: [events] unknown event ${e}`);
  for (const env of envMaps) for (const k of Object.keys(env)) if (!ENV_NAME.test(k)) problems.push(`${w.name}: [env-var] invalid name ${k}`);
  for (const [jobId, job] of jobs) {
    for (const k of Object.keys(job)) if (!JOB_KEYS.has(k)) problems.push(`${at(w, jobId)}: [syntax-check] unexpected key ${k}`);
    for (const s of job.steps ?? [])
      for (const k of Object.keys(s)) if (!STEP_KEYS.has(k)) problems.push(`${at(w, jobId, s)}: [syntax-check] unexpected key ${k}`);
    // A call on `needs` as written, outside the loop, so that one that is no list fails with the message it always did.
    const unknownNeeds = (job.needs ?? []).filter((n) => !ids.has(n) || n === jobId);
    for (const n of unknownNeeds) problems.push(`${at(w, jobId)}: [job-needs] needs ${n}`);
    const runsOn = (job as { 'runs-on'?: unknown })['runs-on'];
    if (job.uses === undefined && !RUNNER_LABEL.test(String(runsOn))) problems.push(`${at(w, jobId)}: [runner-label] ${String(runsOn)}`);
    for (const c of [job.if, ...(job.steps ?? []).map((s) => s.if)])
      if (c !== undefined && (typeof c !== 'string' || CONSTANT_CONDITION.test(c.trim()) || (c.includes('${{') && !WHOLE_EXPRESSION.test(c.trim()))))
        problems.push(`${at(w, jobId)}: [if-cond] constant condition ${String(c)}`);
  }
  return problems;
};

/** A secret read by a job with no `environment:` (zizmor auditor persona), unless the emitter attached a declared waiver. */
const secretsOutsideEnvironment = (w: GeneratedWorkflow): Finding[] =>
  jobsOf(w)
    .filter(([, job]) => job.environment === undefined && mayContain(job, 'secrets') && /\$\{\{[^}]*\bsecrets\b/.test(JSON.stringify(job)))
    .map(([jobId]) => actionsFinding(w, `${jobId}: reads a secret outside an environment`, ['ZZ secrets-outside-env']));

/** Each declared waiver with the line that prints it, made once. */
const PRINTED = Object.entries(WAIVERS).map(([name, w]) => [name, w, waiverComment(w)] as const);

/**
 * A finding of the workflow, excused when a waiver of emitters/shared/waivers.ts
 * for one of `ids` is attached to it by the emitter (GeneratedFile.waivers) and
 * printed in it; the text alone never counts.
 */
function actionsFinding(w: GeneratedWorkflow, problem: string, ids: readonly string[]): Finding {
  const found = PRINTED.find(([, waiver, line]) => waiver.rules.some((r) => ids.includes(r)) && w.waivers.includes(waiver) && w.text.includes(line));
  return found ? { where: w.name, problem, waiver: `actions:${found[0]}` } : { where: w.name, problem };
}

/** The problems of one workflow, as findings at the workflow (the audits prefix their messages with its name). */
const byWorkflow =
  (audit: Audit) =>
  (t: PolicyTarget): CheckResult =>
    perItem(
      t.workflows,
      (w) => w.name,
      (w) => audit(w).map((problem) => ({ where: w.name, problem: problem.startsWith(`${w.name}: `) ? problem.slice(w.name.length + 2) : problem })),
    );

const rule = (ids: readonly string[], title: string, check: (t: PolicyTarget) => CheckResult): PolicyRule => ({
  section: '§3',
  ids,
  title,
  kind: 'actions',
  check,
});
const audit = (name: string, ids: readonly string[], title: string): PolicyRule => rule([`ZZ ${name}`, ...ids], title, byWorkflow(AUDITS[name]!));

export const ACTIONS_RULES: readonly PolicyRule[] = [
  audit('template-injection', ['AL expression', 'CKV_GHA_2'], 'no ${{ }} inside run: or a github-script; values reach scripts through env:'),
  audit('unpinned-uses', ['AL action'], 'every uses: is owner/repo@<40-hex SHA> # vX.Y.Z'),
  audit(
    'excessive-permissions',
    ['AL permissions', 'CKV2_GHA_1'],
    'permissions: {} at the top; per job only what a step needs (id-token only where an AWS role is assumed, contents: write only where a step pushes with the workflow token, which no generated job does: releases push with the release token)',
  ),
  audit('dangerous-triggers', [], 'no pull_request_target or workflow_run'),
  audit('artipacked', [], 'every checkout sets persist-credentials: false'),
  rule(
    ['ZZ cache-poisoning'],
    "no cache-aware step in any job (stricter than publishing jobs only), but the paved check job's check record under the printed waiver",
    (t) =>
      perItem(
        t.workflows,
        (w) => w.name,
        (w) =>
          AUDITS['cache-poisoning']!(w).map((problem) => {
            const local = problem.startsWith(`${w.name}: `) ? problem.slice(w.name.length + 2) : problem;
            return local.endsWith(CHECK_RECORD_CACHE) ? actionsFinding(w, local, ['ZZ cache-poisoning']) : { where: w.name, problem: local };
          }),
      ),
  ),
  audit('github-env', [], 'no script writes $GITHUB_ENV or $GITHUB_PATH; outputs go through $GITHUB_OUTPUT'),
  audit(
    'secrets-inherit',
    ['ZZ overprovisioned-secrets', 'ZZ unredacted-secrets'],
    'no reusable workflow inheriting secrets, no toJSON(secrets) or fromJSON(secrets.X)',
  ),
  rule(['ZZ secrets-outside-env'], 'secrets only in jobs with an environment:, or the printed registry waiver (zizmor auditor persona)', (t) =>
    perItem(t.workflows, (w) => w.name, secretsOutsideEnvironment),
  ),
  audit('insecure-commands', ['AL deprecated-commands', 'CKV_GHA_1'], 'no ACTIONS_ALLOW_UNSECURE_COMMANDS, no ::set-env / ::add-path / ::set-output'),
  audit('hardcoded-container-credentials', ['AL credentials'], 'container and service credentials come from secrets'),
  audit('unpinned-images', [], 'container, service and docker:// images pinned by digest (pedantic)'),
  audit('bot-conditions', [], 'no condition on github.actor or github.triggering_actor'),
  audit(
    'concurrency-limits',
    [],
    'every job in a concurrency group; superseded pull request runs cancelled, a running apply, release or preview teardown never',
  ),
  rule(
    ['AL syntax-check', 'AL if-cond', 'AL job-needs', 'AL events', 'AL runner-label', 'AL env-var'],
    'actionlint hygiene: known keys, events and runner labels, valid env names, needs that exist, no constant if (actionlint and shellcheck themselves: test/conformance/actions.test.ts)',
    byWorkflow(actionlintHygiene),
  ),
];
