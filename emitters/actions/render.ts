import type { GeneratedFile } from '../../spec/emitter.js';
import { commented, isCommented, ordered, yamlFile } from '../shared/serialize.js';
import type { Waiver } from '../shared/waivers.js';
import type { Concurrency, DispatchInput, Job, Step, Triggers, Workflow } from './model.js';

/**
 * The model in GitHub's conventional key order, which is how workflows are
 * written by hand and read in review (name, on, permissions, jobs; a job's name,
 * if, needs, runs-on before its steps; a step's name, uses, with before env).
 * Maps inside (`with`, `env`, `permissions`, `outputs`) stay sorted by the serializer.
 */
const WORKFLOW_KEYS = ['name', 'on', 'permissions', 'env', 'defaults', 'jobs'] as const satisfies readonly (keyof Workflow)[];
const TRIGGER_KEYS = ['pull_request', 'merge_group', 'push', 'schedule', 'workflow_dispatch'] as const satisfies readonly (keyof Triggers)[];
const FILTER_KEYS = ['types', 'branches', 'paths'] as const;
const INPUT_KEYS = ['description', 'required', 'type', 'options', 'default'] as const;
const JOB_KEYS = [
  'name',
  'if',
  'needs',
  'runs-on',
  'environment',
  'permissions',
  'timeout-minutes',
  'concurrency',
  'outputs',
  'steps',
] as const satisfies readonly (keyof Job)[];
const CONCURRENCY_KEYS = ['group', 'cancel-in-progress'] as const satisfies readonly (keyof Concurrency)[];
const STEP_KEYS = ['name', 'id', 'if', 'uses', 'with', 'run', 'env', 'working-directory'] as const;

// A key added to a model type but missing from its list above fails to compile here.
type Missing<T, Listed> = Exclude<keyof T, Listed>;
const complete: [
  Missing<Workflow, (typeof WORKFLOW_KEYS)[number]>,
  Missing<Job, (typeof JOB_KEYS)[number]>,
  Missing<Triggers, (typeof TRIGGER_KEYS)[number]>,
] extends [never, never, never]
  ? true
  : never = true;
void complete;

/** A workflow file: the generated-file header, its waivers, then the workflow. */
export function workflowFile(path: string, source: string, workflow: Workflow, waivers: readonly Waiver[] = []): GeneratedFile {
  const rendered = renderWorkflow(workflow);
  // The policy reads the data, without the trailing comments; one walk makes it and checks every expression.
  const data = checkedData(rendered, path);
  return { ...yamlFile({ path, source, waivers, value: rendered }), value: data };
}

/**
 * The expressions paved writes: a context paved reads (github, inputs, needs,
 * steps, vars, secrets) with a property path, optionally compared or or-ed with
 * another such reference or a quoted literal. No function calls, no whole
 * context: `${{ toJSON(secrets) }}` cannot pass.
 */
const REFERENCE = '(?:github|inputs|needs|steps|vars|secrets)(?:\\.[A-Za-z0-9_-]+)+';
const OPERAND = `(?:${REFERENCE}|'[A-Za-z0-9_./-]*')`;
const PAVED_EXPRESSION = new RegExp(`\\$\\{\\{ ${REFERENCE}(?: (?:==|!=|\\|\\||&&) ${OPERAND})* \\}\\}`, 'g');

/**
 * A second line of defence behind validation (which rejects `${{` in specs and
 * checks folder names): every `${{` in a generated workflow must open one of
 * paved's own expressions. Anything else came from text that escaped
 * validation, and paved stops rather than write it.
 */
export function checkExpressions(value: unknown, where: string): void {
  checkedData(value, where);
}

function checkText(text: string, where: string): void {
  // Most strings open no expression; counting would split every one of them.
  if (!text.includes('${{')) return;
  const opened = text.split('${{').length - 1;
  const known = text.match(PAVED_EXPRESSION)?.length ?? 0;
  if (opened !== known) throw new Error(`workflow renderer: ${where} would carry a GitHub expression paved did not write: ${JSON.stringify(text)}`);
}

/**
 * The data a rendered workflow stands for, as the policy reads it: each
 * commented value (a pinned `uses:`) as its text, keys
 * without a value left out. Every string is checked on the way
 * (checkExpressions), in key order, a comment after its value. What needs no
 * change is shared, not copied: only the objects and arrays on the way to a
 * pin or a missing value are new.
 */
function checkedData(value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    checkText(value, where);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return checkedItems(value, where);
  if (isCommented(value)) {
    const pin = value;
    checkText(pin.value, where);
    checkText(pin.comment, where);
    return pin.value;
  }
  return checkedEntries(value as Record<string, unknown>, where);
}

function checkedItems(items: readonly unknown[], where: string): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const data = checkedData(items[i], where);
    if (copy === undefined && data !== items[i]) copy = items.slice(0, i);
    copy?.push(data);
  }
  return copy ?? items;
}

/** Walked with for...in, which makes no array of keys per object: these are plain objects, with no inherited keys. */
function checkedEntries(record: Record<string, unknown>, where: string): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const data = checkedData(item, where);
    if (copy === undefined && (data !== item || item === undefined)) copy = entriesBefore(record, key);
    if (copy !== undefined && data !== undefined) defineKey(copy, key, data);
  }
  return copy ?? record;
}

/** A new object holding the record's keys before `key`, with their values: the start of a copy. */
function entriesBefore(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const kept in record) {
    if (kept === key) break;
    defineKey(copy, kept, record[kept]);
  }
  return copy;
}

/** Sets a key as Object.fromEntries would: one named `__proto__` becomes a key, not the prototype. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

export function renderWorkflow(workflow: Workflow): object {
  const jobs = ordered(Object.fromEntries(workflow.jobs.map(([id, job]) => [id, renderJob(job)])));
  return pick(workflow, WORKFLOW_KEYS, { on: renderTriggers(workflow.on), env: GIT_ENVIRONMENT, jobs });
}

/**
 * git in every step of every workflow, actions' own included, takes a
 * repository only as the checkout's `.git` (configuration from the
 * environment, which git trusts as it trusts `-c`): the steps run in the paved
 * root, and a root folder holding committed `HEAD`, `objects/` and `refs/` is
 * otherwise a bare repository to git, found before the real one, whose
 * commits and `remote.origin.url` the committer chose (the check's "Find the
 * base" would resolve the base there and fetch from that URL with the job's
 * token). paved itself passes the same setting (cli/git.ts).
 */
const GIT_ENVIRONMENT = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'safe.bareRepository', GIT_CONFIG_VALUE_0: 'explicit' };

function renderTriggers(on: Triggers): object {
  const inputs = on.workflow_dispatch?.inputs;
  const dispatch = on.workflow_dispatch && {
    ...(inputs
      ? { inputs: ordered(Object.fromEntries(inputs.map(([id, input]) => [id, pick(input as DispatchInput & Record<string, unknown>, INPUT_KEYS)]))) }
      : {}),
  };
  return pick(
    {
      pull_request: on.pull_request && pick(on.pull_request, FILTER_KEYS),
      merge_group: on.merge_group && pick(on.merge_group, FILTER_KEYS),
      push: on.push && pick(on.push, FILTER_KEYS),
      schedule: on.schedule?.map((entry) => pick(entry, ['cron'])),
      workflow_dispatch: dispatch,
    },
    TRIGGER_KEYS,
  );
}

function renderJob(job: Job): object {
  return pick(job, JOB_KEYS, { concurrency: pick(job.concurrency, CONCURRENCY_KEYS), steps: job.steps.map(renderStep) });
}

function renderStep(step: Step): object {
  if (!('uses' in step)) return pick(step, STEP_KEYS);
  return pick(step, STEP_KEYS, { uses: commented(`${step.uses.repo}@${step.uses.sha}`, step.uses.version) });
}

const NONE_REPLACED: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The listed keys of `value`, in list order, as an object the serializer keeps
 * in that order; `replaced` gives the rendered form of some of them. Built key
 * by key rather than from a spread copy, which V8 extends slowly, for every step.
 */
function pick<T extends object>(value: T, keys: readonly string[], replaced: Readonly<Record<string, unknown>> = NONE_REPLACED): object {
  const record = value as Record<string, unknown>;
  for (const key in record) if (!keys.includes(key)) throw new Error(`render: ${key} has no place in the key order`);
  const picked: Record<string, unknown> = {};
  for (const key of keys) {
    const item = Object.hasOwn(replaced, key) ? replaced[key] : record[key];
    if (item !== undefined) picked[key] = item;
  }
  return ordered(picked);
}
