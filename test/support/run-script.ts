import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workflow scripts run the way a runner runs them, against local repositories and stub commands. */
export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A git that reads no user or system configuration, so the machine's settings cannot leak in. */
export function isolatedEnv(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra };
}

let written = 0;

/** `bash --noprofile --norc -eo pipefail <file>` in `cwd`, as a runner runs a step; the script file is written into `dir`, outside the repository under test. */
export function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv, dir: string): ScriptRun {
  const file = join(dir, `script-${written++}.sh`);
  writeFileSync(file, script);
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
