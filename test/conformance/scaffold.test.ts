import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES, LANGUAGES, planNew, renderSkeleton, templateContext } from '../../cli/scaffold.js';
import { renderStarterSpec, STARTER_RESOURCES } from '../../cli/starter.js';
import { connectionEnv } from '../../spec/runtime-env.js';
import { starterResources } from '../../cli/starter.js';
import { FIXTURES, readTree, REPO, runCli, scratchCopy } from '../support/helpers.js';

const UPDATE = process.env.PAVED_UPDATE_FIXTURES === '1';
const ALL = [...STARTER_RESOURCES];

/** The tree `paved new orders --language <language> --with <all>` writes, in memory, as in fixtures/scaffold/<language>/. */
function planned(language: (typeof LANGUAGES)[number], include: readonly (typeof STARTER_RESOURCES)[number][] = ALL): Map<string, string> {
  const plan = planNew({ name: 'orders', language, include, schemaPath: '../../../spec/service.schema.json', templates: BUILTIN_TEMPLATES });
  if ('problems' in plan) throw new Error(JSON.stringify(plan.problems));
  return new Map(plan.files.map((f) => [f.path, f.contents]));
}

/** A scaffolded service in a fresh scratch repository. */
async function scaffold(language: string, include = ALL.join(',')): Promise<{ repo: string; dir: string; cleanup: () => void }> {
  const scratch = scratchCopy();
  const run = await runCli(['new', 'orders', '--language', language, '--dir', 'services/orders', '--with', include], scratch.dir);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { repo: scratch.dir, dir: join(scratch.dir, 'services', 'orders'), cleanup: scratch.cleanup };
}

/** Starts a skeleton's server on a free port (PORT=0), checks the probes, sends SIGTERM; returns exit code and log lines. */
async function runServer(command: string, args: string[], cwd: string): Promise<{ code: number | null; lines: string[]; statuses: number[]; stopMs: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PAVED_ENVIRONMENT;
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 15_000;
    let port: number | undefined;
    while (port === undefined && Date.now() < deadline) {
      const listening = out.split('\n').find((l) => l.includes('"listening"'));
      if (listening) port = (JSON.parse(listening) as { port: number }).port;
      else await new Promise((r) => setTimeout(r, 50));
    }
    if (port === undefined) throw new Error(`server did not start: ${out}`);
    const statuses: number[] = [];
    for (const path of ['/healthz', '/readyz']) statuses.push((await fetch(`http://127.0.0.1:${port}${path}`)).status);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 5_000))]);
    return { code, lines: out.split('\n').filter((l) => l !== ''), statuses, stopMs: Date.now() - started };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;

describe('paved new', () => {
  describe.each(LANGUAGES)('the %s skeleton', (language) => {
    it('renders exactly the golden tree in fixtures/scaffold (npm run fixtures:update)', () => {
      const tree = planned(language);
      const dir = join(FIXTURES, 'scaffold', language);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const [path, contents] of tree) {
          mkdirSync(join(dir, path, '..'), { recursive: true });
          writeFileSync(join(dir, path), contents);
        }
      }
      expect(new Map([...tree].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(readTree(dir));
    });

    it('reads in its config loader exactly the variables the runtime contract gives each declared resource', () => {
      const tree = [...planned(language).values()].join('\n');
      const expected = connectionEnv(starterResources('orders', ALL)).map((v) => v.name);
      expect(expected).toContain('DATABASE_MAIN_HOST');
      for (const name of expected) expect(tree).toContain(`"${name}"`.replace(/"/g, language === 'node' ? "'" : '"'));
      const mentioned = new Set(tree.match(/\b(?:DATABASE|CACHE|TOPIC|QUEUE|BUCKET)_[A-Z0-9_]+\b/g));
      expect([...mentioned].sort()).toEqual([...expected].sort());
    });

    it('has a Dockerfile with two stages that runs as UID/GID 10001', () => {
      const dockerfile = planned(language).get('Dockerfile')!;
      expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
      expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    });
  });

  /** Both probes answer, every log line is JSON with a trace id on the request, and SIGTERM exits 0 promptly. */
  function expectServes(run: Awaited<ReturnType<typeof runServer>>): void {
    expect(run.statuses).toEqual([200, 200]);
    expect(run.code).toBe(0);
    expect(run.stopMs).toBeLessThan(3_000);
    for (const line of run.lines) expect(() => JSON.parse(line), line).not.toThrow();
    const request = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.message === 'request')!;
    expect(request.trace_id).toMatch(/^[0-9a-f]{32}$/);
  }

  // Without a database or cache: with one, the app needs its driver and /readyz waits for it (test/conformance/skeleton-mysql.test.ts
  // runs MySQL against MariaDB, skeleton-dev.test.ts PostgreSQL and Redis against Debian's servers).
  it('runs the node skeleton: its unit tests pass, it serves the probes, logs JSON and exits 0 promptly on SIGTERM', async () => {
    const repo = await scaffold('node', ALL.filter((r) => r !== 'mysql' && r !== 'postgres' && r !== 'redis').join(','));
    try {
      const tests = spawnSync(process.execPath, ['--test'], { cwd: repo.dir, encoding: 'utf8' });
      expect(tests.status, tests.stdout + tests.stderr).toBe(0);
      // As the Dockerfile runs it: OpenTelemetry preloaded (here not installed, so the app runs without it).
      expectServes(await runServer(process.execPath, ['--import', './src/telemetry.js', 'src/main.js'], repo.dir));
    } finally {
      repo.cleanup();
    }
  }, 30_000);

  it('runs the python skeleton: its unit tests pass, it serves the probes, logs JSON and exits 0 promptly on SIGTERM', async () => {
    expect(has('python3'), 'python3 is missing').toBe(true);
    // Without a database or cache, whose drivers this python may not have (skeleton-dev.test.ts runs those against real servers).
    const repo = await scaffold('python', ALL.filter((r) => r !== 'postgres' && r !== 'redis').join(','));
    try {
      const tests = spawnSync('python3', ['-m', 'unittest'], { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      expect(tests.status, tests.stdout + tests.stderr).toBe(0);
      expect(tests.stderr).toMatch(/Ran 3 tests/);
      expectServes(await runServer('python3', ['-m', 'app'], repo.dir));
    } finally {
      repo.cleanup();
    }
  }, 30_000);

  it('compiles the java skeleton with javac (standard library only) and its unit test passes', async () => {
    expect(has('javac') && has('java'), 'a JDK (javac, java) is missing').toBe(true);
    const repo = await scaffold('java');
    try {
      const sources = readTree(join(repo.dir, 'src')).keys();
      const out = join(repo.dir, 'out');
      const javac = spawnSync('javac', ['-d', out, ...[...sources].map((p) => join('src', p))], { cwd: repo.dir, encoding: 'utf8' });
      expect(javac.status, javac.stderr).toBe(0);
      const test = spawnSync('java', ['-cp', out, 'app.AppTest'], { cwd: repo.dir, encoding: 'utf8', timeout: 30_000 });
      expect(test.status, test.stderr).toBe(0);
      expect(test.stdout).toContain('AppTest: ok');
    } finally {
      repo.cleanup();
    }
  }, 60_000);

  // Debian's Go (1.19, installed by .ci/install-tools) predates log/slog, so it checks syntax
  // and formatting with gofmt; a toolchain of 1.21 or later also vets and tests the skeleton.
  it('checks the go skeleton: gofmt finds every file well formed and formatted, and go >= 1.21 vets and tests it', async () => {
    expect(has('gofmt'), 'gofmt is missing: run bash .ci/install-tools').toBe(true);
    const repo = await scaffold('go');
    try {
      const gofmt = spawnSync('gofmt', ['-e', '-l', '.'], { cwd: repo.dir, encoding: 'utf8' });
      expect(gofmt.stderr).toBe('');
      expect(gofmt.stdout, 'files gofmt would reformat').toBe('');
      expect(gofmt.status).toBe(0);
      // metrics.go needs nothing newer than Debian's Go: type-check it on its own.
      const vet = spawnSync('go', ['vet', 'metrics.go'], { cwd: repo.dir, encoding: 'utf8' });
      expect(vet.status, vet.stderr).toBe(0);
      const version = /go1\.(\d+)/.exec(spawnSync('go', ['version'], { encoding: 'utf8' }).stdout ?? '');
      if (version && Number(version[1]) >= 21) {
        for (const args of [
          ['vet', './...'],
          ['test', './...'],
        ]) {
          const run = spawnSync('go', args, { cwd: repo.dir, encoding: 'utf8' });
          expect(run.status, run.stderr).toBe(0);
        }
      }
    } finally {
      repo.cleanup();
    }
  }, 120_000);

  it('writes a service.yaml that compiles in a fresh repository to manifests that pass paved check and the Kubernetes rules', async () => {
    const repo = await scaffold('node');
    try {
      expect((await runCli(['compile'], repo.repo)).code).toBe(0);
      expect((await runCli(['check'], repo.repo)).code).toBe(0);
      const generated = readTree(join(repo.repo, 'generated', 'orders', 'kubernetes', 'production'));
      const objects = [...generated.values()]
        .flatMap((text) => text.split(/^---$/m))
        .map((t) => parse(t) as { kind?: string } | null)
        .filter((o) => o?.kind);
      const deployment = objects.find((o) => o!.kind === 'Deployment') as ConstructorParameters<typeof Deployment>[0];
      const cron = objects.find((o) => o!.kind === 'CronJob') as ConstructorParameters<typeof CronJob>[0];
      expect(deployment && cron).toBeTruthy();
      new Deployment(deployment).validate();
      new CronJob(cron).validate();
      const pod = deployment!.spec!.template.spec!;
      expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true });
      const container = pod.containers[0]!;
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      // The pods get exactly the variables the generated config loader reads.
      const env = new Set((container.env ?? []).map((e) => e.name));
      for (const name of connectionEnv(starterResources('orders', ALL)).map((v) => v.name)) expect(env, name).toContain(name);
      expect(env).toContain('PORT');
    } finally {
      repo.cleanup();
    }
  }, 30_000);

  it('writes with no --with exactly the service.yaml paved init writes: one writer for both', () => {
    const plan = planNew({ name: 'orders', language: 'node', include: [], schemaPath: 'schema.json', templates: BUILTIN_TEMPLATES });
    expect('files' in plan && plan.files[0]).toEqual({ path: 'service.yaml', contents: renderStarterSpec({ name: 'orders', schemaPath: 'schema.json' }) });
    const go = planNew({ name: 'orders', language: 'go', include: [], schemaPath: 'schema.json', templates: BUILTIN_TEMPLATES });
    expect('files' in go && go.files[0]!.contents).toContain('  language: go               # node | go | python | java | container');
  });

  it('refuses to overwrite an existing file unless --force, and then writes nothing', async () => {
    const scratch = scratchCopy();
    try {
      mkdirSync(join(scratch.dir, 'orders'));
      writeFileSync(join(scratch.dir, 'orders', 'Dockerfile'), 'mine\n');
      const run = await runCli(['new', 'orders', '--language', 'node'], scratch.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('never overwrites a file without --force');
      expect(run.stderr).toContain('  Dockerfile');
      expect(existsSync(join(scratch.dir, 'orders', 'service.yaml'))).toBe(false);
      expect((await runCli(['new', 'orders', '--language', 'node', '--force'], scratch.dir)).code).toBe(0);
      expect(readFileSync(join(scratch.dir, 'orders', 'Dockerfile'), 'utf8')).toContain('USER 10001:10001');
    } finally {
      scratch.cleanup();
    }
  });

  it('rejects a bad name, language or resource with nothing written', async () => {
    const scratch = scratchCopy();
    try {
      const bad = await runCli(['new', '../etc', '--language', 'node'], scratch.dir);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('cannot create a service named "../etc"');
      expect((await runCli(['new', 'orders', '--language', 'cobol'], scratch.dir)).code).toBe(2);
      expect((await runCli(['new', 'orders'], scratch.dir)).stderr).toContain('new needs --language');
      expect((await runCli(['new', 'orders', '--language', 'go', '--with', 'postgres,mongodb'], scratch.dir)).stderr).toContain('"mongodb" is not one of them');
      expect(spawnSync('ls', ['-A', scratch.dir], { encoding: 'utf8' }).stdout).toBe('');
    } finally {
      scratch.cleanup();
    }
  });

  it("renders the platform's own templates from scaffold.templates", async () => {
    const scratch = scratchCopy();
    try {
      writeFileSync(join(scratch.dir, 'platform.yaml'), 'apiVersion: paved/v1\nkind: Platform\nscaffold:\n  templates: platform/templates\n');
      mkdirSync(join(scratch.dir, 'platform', 'templates', 'go', 'cmd'), { recursive: true });
      writeFileSync(
        join(scratch.dir, 'platform', 'templates', 'go', 'cmd', 'main.go.njk'),
        'package main // {{ name }} reads {{ connectionEnv | join(",") }}\n',
      );
      const run = await runCli(['new', 'orders', '--language', 'go', '--with', 'bucket'], scratch.dir);
      expect(run.stderr).toBe('');
      expect(readFileSync(join(scratch.dir, 'orders', 'cmd', 'main.go'), 'utf8')).toBe(
        'package main // orders reads BUCKET_FILES_BUCKET,BUCKET_FILES_REGION\n',
      );
      const missing = await runCli(['new', 'billing', '--language', 'java'], scratch.dir);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('has no java/ folder');
      expect(existsSync(join(scratch.dir, 'billing'))).toBe(false);
    } finally {
      scratch.cleanup();
    }
  });

  it('validates a template folder before rendering: no links, no template reaching outside it, nothing written on a problem', () => {
    const root = join(tmpdir(), `paved-templates-${process.pid}`);
    rmSync(root, { recursive: true, force: true });
    try {
      mkdirSync(join(root, 'node'), { recursive: true });
      writeFileSync(join(root, 'node', 'a.txt.njk'), '{% include "../../secret.txt" %}');
      writeFileSync(join(root, 'secret.txt'), 'secret');
      expect(() => renderSkeleton(root, 'node', templateContext('orders', 'node', []))).toThrow(/template node\/a\.txt\.njk/);
      rmSync(join(root, 'node', 'a.txt.njk'));
      symlinkSync(join(root, 'secret.txt'), join(root, 'node', 'link.njk'));
      expect(() => renderSkeleton(root, 'node', templateContext('orders', 'node', []))).toThrow(/symbolic link/);
      rmSync(join(root, 'node', 'link.njk'));
      writeFileSync(join(root, 'node', 'service.yaml'), 'x');
      expect(() => renderSkeleton(root, 'node', templateContext('orders', 'node', []))).toThrow(/would replace service\.yaml/);
      expect(() => renderSkeleton(join(root, 'nope'), 'node', {})).toThrow(/does not exist/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the scaffolded golden case', () => {
  it('is exactly what paved new writes today, so every conformance suite over golden cases checks paved new output', () => {
    const written = renderStarterSpec({
      name: 'orders',
      schemaPath: '../../../../spec/service.schema.json',
      language: 'node',
      with: ['postgres', 'redis', 'topic', 'bucket', 'cron'],
    });
    expect(readFileSync(join(REPO, 'fixtures', 'cases', 'scaffolded', 'services', 'orders', 'service.yaml'), 'utf8')).toBe(written);
  });
});
