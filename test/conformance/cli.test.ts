import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_OPTIONS, type FormatName } from '../../cli/command-table.js';
import { renderCommandHelp } from '../../cli/help.js';
import { HELP, PARSE_OPTIONS } from '../../cli/main.js';
import { REPO, runCli, scratchCopy } from '../support/helpers.js';

describe('the paved command', () => {
  it('runs the compiled JavaScript from bin/ and prints help', () => {
    const out = execFileSync(process.execPath, [join(REPO, 'bin', 'paved.js'), '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^paved: compile service\.yaml files/);
    expect(out).toContain('init <dir> --name <svc>');
  });

  it('finishes a compile whose reader is gone (| true), without an EPIPE crash', () => {
    const scratch = scratchCopy(join(REPO, 'examples/shop'));
    try {
      // `true` exits without reading: everything paved prints meets a closed pipe.
      const run = spawnSync('sh', ['-c', `"${process.execPath}" "${join(REPO, 'bin', 'paved.js')}" compile . | true`], { cwd: scratch.dir, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const check = spawnSync(process.execPath, [join(REPO, 'bin', 'paved.js'), 'check', '.'], { cwd: scratch.dir, encoding: 'utf8' });
      expect(check.status, check.stdout).toBe(0);
    } finally {
      scratch.cleanup();
    }
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await runCli(['frobnicate'], REPO)).code).toBe(2);
    const run = await runCli(['compile', '--colour'], REPO);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--colour'/);
    expect((await runCli(['compile', '--format', 'xml'], REPO)).stderr).toBe(
      'paved: compile prints text, json or github, not "xml" (--format)\nRun "paved --help" for usage.\n',
    );
  });

  it('prints the JSON Schemas, draft 2020-12, for editors', async () => {
    for (const which of ['service', 'platform']) {
      const run = await runCli(['schema', which], REPO);
      expect(run.code).toBe(0);
      const schema = JSON.parse(run.stdout) as { $schema: string };
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(run.stdout).toBe(readFileSync(join(REPO, 'spec', `${which}.schema.json`), 'utf8'));
    }
  });

  it('init writes a commented starter that validates and compiles, and never overwrites', async () => {
    const scratch = scratchCopy();
    try {
      const run = await runCli(['init', 'services/billing', '--name', 'billing'], scratch.dir);
      expect(run.code).toBe(0);
      const text = readFileSync(join(scratch.dir, 'services', 'billing', 'service.yaml'), 'utf8');
      expect(text).toMatch(/^# yaml-language-server: \$schema=.*spec\/service\.schema\.json\n/);
      expect(text).toContain('name: billing');
      expect((await runCli(['validate'], scratch.dir)).stdout).toBe('paved: 1 service valid\n');
      expect((await runCli(['compile'], scratch.dir)).code).toBe(0);
      const again = await runCli(['init', 'services/billing', '--name', 'billing'], scratch.dir);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists; paved init never overwrites a file/);
    } finally {
      scratch.cleanup();
    }
  });

  it('init rejects a name that is not a DNS label, writing nothing', async () => {
    const scratch = scratchCopy();
    try {
      const run = await runCli(['init', 'svc', '--name', '../etc'], scratch.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('cannot create a service named "../etc"');
      expect(spawnSync('ls', [scratch.dir], { encoding: 'utf8' }).stdout).toBe('');
    } finally {
      scratch.cleanup();
    }
  });

  it('prints diagnostics as file:line:col text with a caret, as JSON, and as GitHub annotations', async () => {
    const root = join(REPO, 'fixtures', 'invalid', 'misspelled-key');
    const text = await runCli(['validate', root], REPO);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^services\/\S+\/service\.yaml:\d+:1: error SPEC\.UNKNOWN_KEY unknown key "resorces" \(did you mean "resources"\?\)\n/);
    expect(text.stderr).toMatch(/\n {2,}\| \^{8}\n/);
    const json = await runCli(['validate', root, '--format', 'json'], REPO);
    const parsed = JSON.parse(json.stdout) as { diagnostics: Array<{ code: string; range: { line: number } }> };
    expect(parsed.diagnostics[0]).toMatchObject({ code: 'SPEC.UNKNOWN_KEY', severity: 'error' });
    const github = await runCli(['validate', root, '--format', 'github'], REPO);
    expect(github.stdout).toMatch(
      /^::error file=services\/\S+\/service\.yaml,line=\d+,col=1,endLine=\d+,endColumn=9,title=SPEC\.UNKNOWN_KEY::unknown key "resorces"/,
    );
  });

  it('accepts a platform.yaml that sets a single key, taking the rest from the embedded default', async () => {
    const scratch = scratchCopy(join(REPO, 'examples', 'minimal'));
    try {
      writeFileSync(join(scratch.dir, 'platform.yaml'), 'name: acme\n');
      const run = await runCli(['validate'], scratch.dir);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      writeFileSync(join(scratch.dir, 'platform.yaml'), 'name: acme\nkind: Service\n');
      const wrongKind = await runCli(['validate'], scratch.dir);
      expect(wrongKind.stderr).toMatch(/^platform\.yaml:2:7: error SPEC\.CONST kind: must be "Platform", not "Service" \(a string\)\n/);
    } finally {
      scratch.cleanup();
    }
  });

  it('exits 1 with a clear message when no service.yaml exists', async () => {
    const scratch = scratchCopy();
    try {
      const run = await runCli(['compile'], scratch.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error LOAD.NO_SERVICES no service.yaml found under the root');
    } finally {
      scratch.cleanup();
    }
  });
});

describe('help, from the command table (cli/command-table.ts)', () => {
  it('paved --help, paved help and a bare paved list every usage of every command', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await runCli(args, REPO);
      expect([run.code, run.stderr, run.stdout]).toEqual([0, '', HELP]);
    }
    const bare = await runCli([], REPO);
    expect([bare.code, bare.stdout]).toEqual([2, HELP]);
    for (const usage of COMMANDS.flatMap((c) => c.usages)) expect(HELP).toContain(`  ${usage.synopsis}`);
    // Lines fit 80 columns, but for the title and the long synopses, which cannot wrap.
    expect(
      HELP.split('\n')
        .slice(1)
        .filter((line) => line.length > 80 && !COMMANDS.some((c) => c.usages.some((u) => line === `  ${u.synopsis}`))),
    ).toEqual([]);
  });

  it("paved <command> --help and paved help <command> print that command's help on stdout and exit 0", async () => {
    for (const command of COMMANDS) {
      const expected = renderCommandHelp(command);
      for (const args of [
        [command.name, '--help'],
        ['help', command.name],
      ]) {
        const run = await runCli(args, REPO);
        expect([args.join(' '), run.code, run.stderr, run.stdout]).toEqual([args.join(' '), 0, '', expected]);
      }
      for (const usage of command.usages) expect(expected).toContain(`  paved ${usage.synopsis}\n`);
      for (const option of command.options) expect(expected).toContain(`  ${option.flag}`);
    }
    const compile = await runCli(['compile', '--help'], REPO);
    expect(compile.stdout).toMatch(/^Usage:\n {2}paved compile \[root\]\n\n {2}Validate every spec/);
    expect(compile.stdout).toContain('\nFormats: text, json, github\n');
  });

  it('help for a command that does not exist is a usage error', async () => {
    for (const args of [
      ['help', 'frobnicate'],
      ['frobnicate', '--help'],
    ]) {
      const run = await runCli(args, REPO);
      expect([run.code, run.stdout, run.stderr]).toEqual([2, '', 'paved: unknown command "frobnicate"\nRun "paved --help" for usage.\n']);
    }
    const two = await runCli(['help', 'compile', 'check'], REPO);
    expect([two.code, two.stderr]).toEqual([2, 'paved: help takes at most one command\nRun "paved --help" for usage.\n']);
  });

  it('documents every option main() parses, and only those', () => {
    const documented = new Set(
      [...COMMANDS.flatMap((c) => c.options), ...GLOBAL_OPTIONS].flatMap((o) => [...o.flag.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!)),
    );
    expect([...documented].sort()).toEqual(Object.keys(PARSE_OPTIONS).sort());
  });

  it('refuses --format on a command that prints text only', async () => {
    expect((await runCli(['schema', 'service', '--format', 'json'], REPO)).stderr).toBe(
      'paved: schema prints text only; it takes no --format\nRun "paved --help" for usage.\n',
    );
  });

  it('declares for each command exactly the --format values main() accepts for it', async () => {
    // Arguments that get past each command's own checks to a root that does not exist: nothing is read or written.
    const missing = join(REPO, 'no-such-root-for-the-format-test');
    const argsOf: Readonly<Record<string, readonly string[]>> = {
      compile: ['compile', missing],
      check: ['check', missing],
      validate: ['validate', missing],
      report: ['report', missing],
      diff: ['diff', '--base', 'HEAD', missing],
      explain: ['explain', 'orders', '--root', missing],
    };
    expect(COMMANDS.filter((c) => c.formats !== undefined).map((c) => c.name)).toEqual(Object.keys(argsOf));
    const all: readonly FormatName[] = ['text', 'json', 'github', 'markdown'];
    for (const command of COMMANDS.filter((c) => c.formats !== undefined)) {
      const accepted: FormatName[] = [];
      for (const format of all) {
        const run = await runCli([...argsOf[command.name]!, '--format', format], REPO);
        const rejected = / prints text/.test(run.stderr);
        if (!rejected) accepted.push(format);
        expect(run.code, `${command.name} --format ${format}: ${run.stderr}`).not.toBe(0);
      }
      expect([command.name, accepted]).toEqual([command.name, command.formats]);
    }
  });
});
