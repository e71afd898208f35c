import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../compiler/parse.js';
import { REPO, runCli, scratchCopy } from '../support/helpers.js';

/**
 * releases.yaml is committed by the service teams, so `paved release --tag` and
 * `--show` read it as hostile input: only a regular file at the root, up to the
 * spec size limit, is read; a link, a FIFO or a directory there is refused with
 * exit 1 and a message saying how to fix it, promptly, and nothing is written.
 * What it holds is read by the compiler's strict reader, as the compile reads it.
 */

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

/** A releases.yaml a team could commit: records for the shop's orders service. */
const OUTSIDE_RELEASES = `apiVersion: paved/v1\nkind: Releases\nservices:\n  orders:\n    staging: { tag: 0badc0de }\n    production: { tag: 0badc0de }\n`;

/** A scratch copy of examples/shop (the repository) beside a folder outside it. */
function world(): { root: string; outside: string } {
  const scratch = scratchCopy();
  cleanups.push(scratch.cleanup);
  const root = join(scratch.dir, 'repo');
  const outside = join(scratch.dir, 'outside');
  execFileSync('cp', ['-r', join(REPO, 'examples', 'shop'), root]);
  rmSync(join(root, 'generated'), { recursive: true, force: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.yaml'), OUTSIDE_RELEASES);
  return { root, outside };
}

/** What the root holds, and what stands at releases.yaml, to show nothing was written. */
function snapshot(root: string, outside: string): unknown {
  const path = join(root, 'releases.yaml');
  const stat = lstatSync(path);
  return {
    names: readdirSync(root).sort(),
    releases: {
      ino: stat.ino,
      mode: stat.mode,
      mtimeMs: stat.mtimeMs,
      link: stat.isSymbolicLink() ? readlinkSync(path) : undefined,
      entries: stat.isDirectory() ? readdirSync(path).sort() : undefined,
    },
    outside: readdirSync(outside)
      .sort()
      .map((name) => [name, readFileSync(join(outside, name), 'utf8')]),
  };
}

/**
 * A FIFO blocks a reader until a writer opens it: without the fix the CLI would
 * hang the test process for good. This writer opens it after `ms`, writes
 * releases, and closes, so an old paved that reads the FIFO comes back late
 * (and fails the promptness check) rather than never. Killed at cleanup.
 */
function unblockLater(fifo: string, ms: number): void {
  const writer = spawn(
    process.execPath,
    ['-e', `setTimeout(() => require('node:fs').writeFileSync(process.argv[1], process.argv[2]), ${ms})`, fifo, OUTSIDE_RELEASES],
    {
      stdio: 'ignore',
    },
  );
  cleanups.push(() => writer.kill('SIGKILL'));
}

const UNBLOCK_AFTER_MS = 4000;
const PROMPT_MS = 2000;

const LINK = 'paved: releases.yaml is a symbolic link; paved reads and writes only a regular file there: replace the link with the file itself\n';
const notRegular = (what: string): string =>
  `paved: releases.yaml is ${what}; paved reads and writes only a regular file there: remove it, and restore the file CI wrote from version control (without one, no service has a release yet)\n`;

const hostile: ReadonlyArray<{ readonly name: string; readonly message: string; readonly plant: (path: string, outside: string) => void }> = [
  { name: 'a symbolic link to a file outside the repository', message: LINK, plant: (path, outside) => symlinkSync(join(outside, 'secret.yaml'), path) },
  {
    name: 'a FIFO',
    message: notRegular('a FIFO'),
    plant: (path) => {
      execFileSync('mkfifo', [path]);
      unblockLater(path, UNBLOCK_AFTER_MS);
    },
  },
  {
    name: 'a directory',
    message: notRegular('a directory'),
    plant: (path) => {
      mkdirSync(path);
      writeFileSync(join(path, 'inside.yaml'), OUTSIDE_RELEASES);
    },
  },
];

const commands: ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }> = [
  { name: 'release --show', args: ['release', 'orders', '--env', 'staging', '--show'] },
  { name: 'release --tag', args: ['release', 'orders', '--env', 'staging', '--tag', 'abc1234'] },
  { name: 'release --tag --record-only', args: ['release', 'orders', '--env', 'staging', '--tag', 'abc1234', '--record-only'] },
];

describe('paved release refuses a releases.yaml that is not a regular file', () => {
  for (const kind of hostile) {
    for (const command of commands) {
      it(`${command.name}: ${kind.name}`, { timeout: 20_000 }, async () => {
        const { root, outside } = world();
        const path = join(root, 'releases.yaml');
        rmSync(path);
        kind.plant(path, outside);
        const before = snapshot(root, outside);
        const started = Date.now();
        const run = await runCli(command.args, root);
        const elapsed = Date.now() - started;
        expect(run).toEqual({ code: 1, stdout: '', stderr: kind.message });
        expect(elapsed).toBeLessThan(PROMPT_MS);
        expect(snapshot(root, outside)).toEqual(before);
      });
    }
  }

  it('refuses a file over the spec size limit, and reads one at the limit', async () => {
    const { root, outside } = world();
    const path = join(root, 'releases.yaml');
    const padded = (size: number): string => `${OUTSIDE_RELEASES}#${'x'.repeat(size - OUTSIDE_RELEASES.length - 2)}\n`;
    writeFileSync(path, padded(MAX_FILE_BYTES + 1));
    expect(lstatSync(path).size).toBe(MAX_FILE_BYTES + 1);
    const message = `paved: releases.yaml is ${MAX_FILE_BYTES + 1} bytes; the limit is ${MAX_FILE_BYTES} bytes (1 MiB), as for every spec: restore the file CI wrote from version control\n`;
    for (const command of commands) {
      const before = snapshot(root, outside);
      expect(await runCli(command.args, root)).toEqual({ code: 1, stdout: '', stderr: message });
      expect(snapshot(root, outside)).toEqual(before);
    }
    writeFileSync(path, padded(MAX_FILE_BYTES));
    expect(await runCli(commands[0]!.args, root)).toEqual({ code: 0, stdout: '0badc0de\n', stderr: '' });
  });

  it('still reads a regular releases.yaml, and treats a missing one as no releases', async () => {
    const { root } = world();
    const path = join(root, 'releases.yaml');
    writeFileSync(path, OUTSIDE_RELEASES);
    expect(await runCli(commands[0]!.args, root)).toEqual({ code: 0, stdout: '0badc0de\n', stderr: '' });
    rmSync(path);
    expect(await runCli(commands[0]!.args, root)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('paved release reads releases.yaml as the compile does', () => {
  // Each of these the yaml library's defaults read as records; the compile refuses it, so no command may act on it.
  const differing: ReadonlyArray<{ readonly name: string; readonly text: string; readonly code: string }> = [
    {
      name: 'an alias that gives production the staging record',
      text: 'apiVersion: paved/v1\nkind: Releases\nservices:\n  orders:\n    staging: &r { tag: 0badc0de }\n    production: *r\n',
      code: 'LOAD.ALIAS',
    },
    {
      name: 'a tag on a record',
      text: 'apiVersion: paved/v1\nkind: Releases\nservices:\n  orders:\n    production: !!map { tag: 0badc0de }\n',
      code: 'LOAD.TAG',
    },
  ];
  for (const file of differing) {
    it(`refuses ${file.name} in every command, and writes nothing`, async () => {
      const { root, outside } = world();
      writeFileSync(join(root, 'releases.yaml'), file.text);
      const validated = await runCli(['validate'], root);
      expect(validated.code).toBe(1);
      expect(validated.stderr).toContain(` error ${file.code} `);
      const before = snapshot(root, outside);
      for (const command of commands) {
        expect(await runCli([...command.args.slice(0, 3), 'production', ...command.args.slice(4)], root)).toEqual({
          code: 1,
          stdout: '',
          stderr: 'paved: releases.yaml does not parse; run paved validate to see why\n',
        });
        expect(snapshot(root, outside)).toEqual(before);
      }
    });
  }
});
