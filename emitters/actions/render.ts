import type { GeneratedFile } from '../../spec/emitter.js';
import { commented, ordered, plainData, yamlFile } from '../shared/serialize.js';
import type { Waiver } from '../shared/waivers.js';
import type { Concurrency, DispatchInput, Job, Step, Triggers, Workflow } from './model.js';

/**
 * The model in GitHub's conventional key order, which is how workflows are
 * written by hand and read in review (name, on, permissions, jobs; a job's name,
 * if, needs, runs-on before its steps; a step's name, uses, with before env).
 * Maps inside (`with`, `env`, `permissions`, `outputs`) stay sorted by the serializer.
 */
const WORKFLOW_KEYS = ['name', 'on', 'permissions', 'defaults', 'jobs'] as const satisfies readonly (keyof Workflow)[];
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
  checkExpressions(rendered, path);
  // The policy reads the data, without the trailing comments.
  return { ...yamlFile({ path, source, waivers, value: rendered }), value: plainData(rendered) };
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
  if (typeof value === 'string') {
    // Most strings open no expression; counting would split every one of them.
    if (!value.includes('${{')) return;
    const opened = value.split('${{').length - 1;
    const known = value.match(PAVED_EXPRESSION)?.length ?? 0;
    if (opened !== known) throw new Error(`workflow renderer: ${where} would carry a GitHub expression paved did not write: ${JSON.stringify(value)}`);
  } else if (Array.isArray(value)) {
    for (const item of value) checkExpressions(item, where);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) checkExpressions((value as Record<string, unknown>)[key], where);
  }
}

export function renderWorkflow(workflow: Workflow): object {
  const jobs = ordered(Object.fromEntries(workflow.jobs.map(([id, job]) => [id, renderJob(job)])));
  return pick({ ...workflow, on: renderTriggers(workflow.on), jobs }, WORKFLOW_KEYS);
}

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
  return pick({ ...job, concurrency: pick(job.concurrency, CONCURRENCY_KEYS), steps: job.steps.map(renderStep) }, JOB_KEYS);
}

function renderStep(step: Step): object {
  const uses = 'uses' in step ? commented(`${step.uses.repo}@${step.uses.sha}`, step.uses.version) : undefined;
  return pick({ ...step, uses }, STEP_KEYS);
}

/** The listed keys of `value`, in list order, as an object the serializer keeps in that order. */
function pick<T extends object>(value: T, keys: readonly string[]): object {
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!keys.includes(key)) throw new Error(`render: ${key} has no place in the key order`);
  return ordered(Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, record[key]])));
}
