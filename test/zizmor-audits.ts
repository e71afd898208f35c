import { actionOf, stepsOf, type GeneratedWorkflow } from './workflows.js';

/**
 * The zizmor audits of shared/design/security-rules.md §3, each as a function
 * from a workflow to its findings (zizmor itself cannot run here). Stricter than
 * zizmor where paved can afford it: caches are off in every job, not only in
 * publishing ones, and every job states its concurrency.
 */
export type Audit = (workflow: GeneratedWorkflow) => string[];

const EXPRESSION = /\$\{\{/;
const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
/** Every scope GitHub accepts in `permissions:` (actionlint's list). */
const SCOPES = new Set(['actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'models', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses']);

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const at = (w: GeneratedWorkflow, jobId: string, step?: { readonly name?: string }): string => `${w.name}: ${jobId}${step ? ` / ${step.name ?? '(unnamed step)'}` : ''}`;

/** Jobs that only ever run for a pull request (their `if` requires the event). */
const pullRequestOnly = (condition: string | undefined): boolean => condition !== undefined && condition.startsWith("github.event_name == 'pull_request'");

export const AUDITS: Readonly<Record<string, Audit>> = {
  'template-injection': (w) =>
    stepsOf(w.doc).flatMap(({ jobId, step }) => [
      ...(step.run !== undefined && EXPRESSION.test(step.run) ? [`${at(w, jobId, step)}: \${{ }} inside run:`] : []),
      ...(actionOf(step.uses) === 'actions/github-script' && EXPRESSION.test(String(step.with?.script ?? '')) ? [`${at(w, jobId, step)}: \${{ }} inside a github-script`] : []),
    ]),

  'unpinned-uses': (w) => {
    const lines = w.text.split('\n');
    const uses = [...stepsOf(w.doc).map(({ jobId, step }) => [jobId, step.uses] as const), ...Object.entries(w.doc.jobs).map(([jobId, job]) => [jobId, job.uses] as const)];
    return uses.flatMap(([jobId, ref]) => {
      if (ref === undefined) return [];
      if (!SHA_PINNED.test(ref)) return [`${at(w, jobId)}: ${ref} is not pinned to a full commit SHA`];
      const line = lines.find((l) => l.trimStart().replace(/^- /, '').startsWith(`uses: ${ref}`));
      return line && / # v\d+(\.\d+)*$/.test(line) ? [] : [`${at(w, jobId)}: ${ref} has no version comment`];
    });
  },

  'excessive-permissions': (w) => {
    const findings: string[] = [];
    if (!isRecord(w.doc.permissions) || Object.keys(w.doc.permissions).length > 0) findings.push(`${w.name}: top-level permissions are not {}`);
    for (const [jobId, job] of Object.entries(w.doc.jobs)) {
      if (!isRecord(job.permissions)) {
        findings.push(`${at(w, jobId)}: no explicit permissions map (inherits or uses read-all/write-all)`);
        continue;
      }
      const actions = (job.steps ?? []).map((s) => actionOf(s.uses));
      const runs = (job.steps ?? []).map((s) => s.run ?? '').join('\n');
      const needs: Readonly<Record<string, (level: unknown) => boolean>> = {
        'id-token': () => actions.includes('aws-actions/configure-aws-credentials'),
        // Only the GitOps commit pushes to the repository.
        contents: (level) => level === 'read' || /\bgit\b.* push /.test(runs),
        packages: (level) => actions.includes('docker/login-action') && (level === 'read' || actions.includes('docker/build-push-action')),
      };
      for (const [scope, level] of Object.entries(job.permissions)) {
        if (!SCOPES.has(scope)) findings.push(`${at(w, jobId)}: unknown permission ${scope}`);
        else if (level !== 'read' && level !== 'write') findings.push(`${at(w, jobId)}: ${scope}: ${String(level)}`);
        else if (!needs[scope]?.(level)) findings.push(`${at(w, jobId)}: ${scope}: ${level} without a step that needs it`);
      }
    }
    return findings;
  },

  'dangerous-triggers': (w) => ['pull_request_target', 'workflow_run'].filter((t) => t in w.doc.on).map((t) => `${w.name}: triggered by ${t}`),

  artipacked: (w) =>
    stepsOf(w.doc)
      .filter(({ step }) => actionOf(step.uses) === 'actions/checkout' && step.with?.['persist-credentials'] !== false)
      .map(({ jobId, step }) => `${at(w, jobId, step)}: checkout persists credentials`),

  'cache-poisoning': (w) =>
    stepsOf(w.doc).flatMap(({ jobId, step }) => {
      const action = actionOf(step.uses);
      const input = step.with ?? {};
      const problem =
        action === 'actions/cache' || action?.startsWith('actions/cache/')
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
    stepsOf(w.doc)
      .filter(({ step }) => /GITHUB_(ENV|PATH)\b/.test(step.run ?? ''))
      .map(({ jobId, step }) => `${at(w, jobId, step)}: writes GITHUB_ENV or GITHUB_PATH`),

  'secrets-inherit': (w) => [
    ...Object.entries(w.doc.jobs)
      .filter(([, job]) => job.secrets !== undefined || job.uses !== undefined)
      .map(([jobId]) => `${at(w, jobId)}: passes secrets to a reusable workflow`),
    ...(/toJSON\(\s*secrets\s*\)|fromJSON\(\s*secrets\./.test(w.text) ? [`${w.name}: serializes the secrets context`] : []),
  ],

  'insecure-commands': (w) => [
    ...(/ACTIONS_ALLOW_UNSECURE_COMMANDS/.test(w.text) ? [`${w.name}: ACTIONS_ALLOW_UNSECURE_COMMANDS`] : []),
    ...stepsOf(w.doc)
      .filter(({ step }) => /::(set-env|add-path|set-output)\b/.test(step.run ?? ''))
      .map(({ jobId, step }) => `${at(w, jobId, step)}: deprecated workflow command`),
  ],

  'hardcoded-container-credentials': (w) =>
    Object.entries(w.doc.jobs).flatMap(([jobId, job]) => {
      const containers = [job.container, ...(isRecord(job.services) ? Object.values(job.services) : [])].filter(isRecord);
      return containers
        .filter((c) => isRecord(c.credentials) && !/^\$\{\{\s*secrets\.[A-Za-z0-9_]+\s*\}\}$/.test(String(c.credentials.password)))
        .map(() => `${at(w, jobId)}: container credentials not from a secret`);
    }),

  'unpinned-images': (w) =>
    Object.entries(w.doc.jobs).flatMap(([jobId, job]) => {
      const images = [job.container, ...(isRecord(job.services) ? Object.values(job.services) : [])].map((c) => (isRecord(c) ? c.image : c)).filter((i) => i !== undefined);
      const dockerUses = (job.steps ?? []).map((s) => s.uses).filter((u): u is string => u?.startsWith('docker://') ?? false);
      return [...images.map(String), ...dockerUses].filter((image) => !/@sha256:[0-9a-f]{64}$/.test(image)).map((image) => `${at(w, jobId)}: image ${image} not pinned by digest`);
    }),

  'bot-conditions': (w) =>
    Object.entries(w.doc.jobs).flatMap(([jobId, job]) =>
      [job.if, ...(job.steps ?? []).map((s) => s.if)].filter((c) => c !== undefined && /github\.(actor|triggering_actor)\b/.test(c)).map((c) => `${at(w, jobId)}: condition on ${c}`),
    ),

  'concurrency-limits': (w) =>
    Object.entries(w.doc.jobs).flatMap(([jobId, job]) => {
      if (!job.concurrency && !w.doc.concurrency) return [`${at(w, jobId)}: no concurrency group`];
      const cancel = job.concurrency?.['cancel-in-progress'];
      const changesState = (job.steps ?? []).some((s) => /terraform[^\n]* apply |\bgit\b[^\n]* push /.test(s.run ?? ''));
      if (changesState && cancel !== false) return [`${at(w, jobId)}: a running apply or release commit can be cancelled`];
      if (pullRequestOnly(job.if) && cancel === false) return [`${at(w, jobId)}: superseded pull request runs are not cancelled`];
      return [];
    }),
};
