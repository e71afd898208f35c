import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, scratchCopy } from './helpers.js';

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
    expect((await runCli(['compile', '--format', 'xml'], REPO)).stderr).toMatch(/--format must be text, json or github/);
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
    expect(github.stdout).toMatch(/^::error file=services\/\S+\/service\.yaml,line=\d+,col=1,endLine=\d+,endColumn=9,title=SPEC\.UNKNOWN_KEY::unknown key "resorces"/);
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
