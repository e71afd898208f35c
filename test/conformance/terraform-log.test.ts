import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDir, REPO, scratchCopy } from '../support/helpers.js';
import { executedCommands } from '../support/runner-commands.js';
import { requireTerraform, stacksOf, taggingApiStandIn, TERRAFORM, terraformEnv } from '../support/terraform-helpers.js';
import { FAKE_CREDENTIALS, initRoot, writeRoot } from '../support/terraform-offline.js';
import { allGeneratedWorkflows, stepsOf, workflowsOf } from '../support/workflows.js';

/**
 * Terraform prints what the configuration sets, and a service team's override
 * sets some of it: a multi-line string in a plan is an indented heredoc, and
 * GitHub's runner takes an indented `::add-mask::…` line for its own command.
 * Every workflow step runs terraform with the runner's commands stopped
 * (emitters/actions/scripts.ts withCommandsStopped).
 */
const scratch = scratchCopy();
let tagging: Awaited<ReturnType<typeof taggingApiStandIn>> | undefined;
beforeAll(async () => {
  requireTerraform();
  tagging = await taggingApiStandIn();
});
afterAll(() => {
  tagging?.stop();
  scratch.cleanup();
});

const STOP = 'echo "::stop-commands::${resume}"';
const RESUME = 'echo "::${resume}::"';
const DRAW = `resume="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')"`;
/**
 * A line of a script that prints what a pull request controls to the log: terraform (a `show` into a file
 * prints nothing there), and the preview's kubectl, which applies its manifests and prints its jobs' logs.
 */
const PRINTING = /^\s*(?:if ! )?(?:terraform\s(?!.*>\s*"\$\{plan\}"$)|kubectl (?:create namespace|apply|delete job|wait|logs)\b)/;

/** A note tag whose value forges an annotation, masks a word for the rest of the job and plants a legacy command. */
const NOTE = 'tracked\\n::add-mask::paved\\n::error title=plan::all clear\\n##[warning]forged';

describe('terraform in the generated workflows', () => {
  it("runs, as the preview's kubectl does, in every step of every workflow, only between a stop of the runner commands and its resume", () => {
    let seen = 0;
    let kubectl = 0;
    for (const workflow of allGeneratedWorkflows())
      for (const { jobId, step } of stepsOf(workflow.doc)) {
        if (typeof step.run !== 'string') continue;
        const lines = step.run.split('\n');
        lines.forEach((line, index) => {
          if (!PRINTING.test(line)) return;
          seen++;
          if (line.includes('kubectl')) kubectl++;
          const stop = lines.lastIndexOf(STOP, index);
          const where = `${workflow.name} ${jobId} "${step.name}": ${line}`;
          expect(stop, where).toBeGreaterThan(0);
          expect(lines[stop - 1], where).toBe(DRAW);
          // Not resumed between the stop and the line; resumed after it.
          expect(lines.lastIndexOf(RESUME, index), where).toBeLessThan(stop);
          expect(lines.indexOf(RESUME, index), where).toBeGreaterThan(index);
          expect(lines[0], where).toBe('set -euo pipefail');
        });
      }
    // init, plan, apply, the saved plan's apply, destroy and the preview's kubectl: in every golden case.
    expect(seen).toBeGreaterThan(100);
    expect(kubectl).toBeGreaterThan(10);
  });

  it("prints an override's multi-line value in the pull request's plan job as text: the runner executes none of its lines", () => {
    const root = join(scratch.dir, 'minimal');
    cpSync(join(REPO, 'examples/minimal'), root, { recursive: true });
    appendFileSync(
      join(root, 'services/hello/service.yaml'),
      [
        'resources:',
        '  buckets:',
        '    - name: uploads',
        'overrides:',
        '  terraform:',
        '    - target: aws_s3_bucket.uploads',
        '      reason: "cost allocation note"',
        '      patch:',
        `        - { op: add, path: /tags, value: { note: "${NOTE}" } }`,
        '',
      ].join('\n'),
    );
    const result = compileDir(root);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [stack] = stacksOf(result, 'minimal');
    const dir = join(scratch.dir, 'stack');
    mkdirSync(dir);
    writeRoot(dir, stack!.printed, tagging!.url);
    initRoot(dir);

    const [workflow] = workflowsOf(result, 'minimal').filter((w) => w.name.endsWith('/paved-hello.yml'));
    const planStep = workflow!.doc.jobs.plan!.steps.find((s) => s.name === 'Terraform plan')!;
    // The step's own script, as the runner's bash runs it; only the refresh is left out, for want of AWS.
    const path = isAbsolute(TERRAFORM) ? `${dirname(TERRAFORM)}:${process.env.PATH}` : process.env.PATH!;
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', planStep.run!], {
      encoding: 'utf8',
      env: { ...terraformEnv({ ...FAKE_CREDENTIALS, STACK: dir, ENVIRONMENT: 'staging', TF_CLI_ARGS_plan: '-refresh=false' }), PATH: path },
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);

    // Terraform printed the value as an indented heredoc: each injected line is in the log, as text.
    expect(run.stdout).toMatch(/^ +::add-mask::paved$/m);
    expect(run.stdout).toMatch(/^ +::error title=plan::all clear$/m);
    expect(run.stdout).toMatch(/^ +##\[warning\]forged$/m);
    const commands = executedCommands(run.stdout);
    const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(run.stdout)?.[1];
    expect(token).toBeDefined();
    expect(commands).toEqual([
      { name: 'stop-commands', data: token },
      { name: token, data: '' },
    ]);
    // Without the stop, the runner would have executed all three, as the plan prints them: in tags and in tags_all.
    const unguarded = run.stdout.replace(/^::(?:stop-commands::[0-9a-f]{32}|[0-9a-f]{32}::)$/gm, '');
    expect(executedCommands(unguarded).map((c) => c.name)).toEqual(['add-mask', 'error', 'warning', 'add-mask', 'error', 'warning']);
  });
});
