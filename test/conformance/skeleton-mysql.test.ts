import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connectionEnv, PASSWORD_KEY } from '../../spec/runtime-env.js';
import { readTree, runCli, scratchCopy } from '../support/helpers.js';
import { startMariadb, type MariadbServer } from '../support/mariadb-server.js';
import { freePort } from '../support/processes.js';

/**
 * Issue 19: the node skeleton `paved new --with mysql` writes runs against a real
 * MySQL-compatible server (Debian's MariaDB, a throwaway instance on loopback)
 * with nothing but the runtime contract's variables: DATABASE_<NAME>_HOST, _PORT,
 * _DBNAME, _USERNAME and, for `auth: password`, _PASSWORD, named by
 * spec/runtime-env.ts from the service.yaml paved wrote. As in preview, where the
 * database is an in-cluster stand-in, the connection is plain; the host is
 * 127.0.0.1 instead of the stand-in's Service. mysql2 and the skeleton's other
 * optional dependencies come from the npm registry, as in skeleton-metrics.test.ts.
 */

const SERVICE = 'orders';
const DBNAME = 'orders';
const USER = 'orders_app';
/** Random per run: it appears nowhere but in the server and in DATABASE_MYSQL_PASSWORD. */
const PASSWORD = randomBytes(18).toString('base64url');

interface RunningApp {
  readonly base: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts the skeleton as its Dockerfile does (telemetry preloaded, exporters off: no collector here). */
async function startApp(dir: string, variables: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...variables,
  };
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(join(dir, 'Dockerfile'), 'utf8'))![1]!) as string[];
  const child: ChildProcess = spawn(process.execPath, cmd, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + 30_000;
  while (!output.includes('"listening"')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the skeleton did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base: `http://127.0.0.1:${port}`, output: () => output, stop };
}

const status = async (url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
};

describe('the node skeleton with a MySQL database, against a real MariaDB server', () => {
  let server: MariadbServer | undefined;
  let scratch: { dir: string; cleanup: () => void } | undefined;
  let dir = '';
  /** The contract's variables for the scaffolded service.yaml, by key: host, port, dbname, username, password. */
  let names: Record<string, string> = {};

  beforeAll(async () => {
    server = await startMariadb();
    server.sql(
      `CREATE DATABASE \`${DBNAME}\`; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON \`${DBNAME}\`.* TO '${USER}'@'127.0.0.1';`,
    );
    scratch = scratchCopy();
    dir = join(scratch.dir, 'services', SERVICE);
    const created = await runCli(['new', SERVICE, '--language', 'node', '--dir', 'services/orders', '--with', 'mysql'], scratch.dir);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const spec = parse(readFileSync(join(dir, 'service.yaml'), 'utf8')) as {
      resources: { databases: Array<{ name: string; engine: 'postgres' | 'mysql'; auth: 'iam' | 'password' }> };
    };
    expect(spec.resources.databases).toEqual([expect.objectContaining({ name: 'mysql', engine: 'mysql', auth: 'password' })]);
    names = Object.fromEntries(connectionEnv(spec.resources).map((v) => [v.key, v.name]));
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    expect(install.status, install.stderr).toBe(0);
  }, 400_000);

  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      scratch?.cleanup();
    }
  }, 60_000);

  /** The contract's variables for the test server: host rewritten to loopback, the password only when asked. */
  const contract = (password: string | undefined): Record<string, string> => ({
    [names.host!]: '127.0.0.1',
    [names.port!]: String(server!.port),
    [names.dbname!]: DBNAME,
    [names.username!]: USER,
    ...(password === undefined ? {} : { [names[PASSWORD_KEY]!]: password }),
  });

  it('names the variables by the runtime contract, the password among them, and writes the password nowhere', () => {
    expect(names).toEqual({
      host: 'DATABASE_MYSQL_HOST',
      port: 'DATABASE_MYSQL_PORT',
      dbname: 'DATABASE_MYSQL_DBNAME',
      username: 'DATABASE_MYSQL_USERNAME',
      password: 'DATABASE_MYSQL_PASSWORD',
    });
    const written = [...readTree(dir, (path) => path === 'node_modules').values()].join('\n');
    for (const name of Object.values(names)) expect(written).toContain(`'${name}'`);
    expect(written).not.toContain(PASSWORD);
  });

  it('passes its own unit tests with its dependencies installed (TLS against the RDS authorities in staging and production)', () => {
    const tests = spawnSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/^# pass 4$/m);
    expect(tests.stdout).toContain('ok 4 - the database uses TLS in staging and production only');
  });

  it('is ready while the database answers, stores a row through POST /notes and reads it back with GET /notes/<id>', async () => {
    const app = await startApp(dir, { ...contract(PASSWORD), PAVED_ENVIRONMENT: 'preview' });
    try {
      expect(await status(`${app.base}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
      const text = `order ${randomBytes(4).toString('hex')} "quoted"; DROP TABLE notes; --`;
      const created = await status(`${app.base}/notes`, { method: 'POST', body: JSON.stringify({ text }), headers: { 'content-type': 'application/json' } });
      expect(created.status).toBe(201);
      const id = (created.body as { id: number }).id;
      expect(await status(`${app.base}/notes/${id}`)).toEqual({ status: 200, body: { id, text } });
      expect((await status(`${app.base}/notes/${id + 1000}`)).status).toBe(404);
      // The row is in the server, as written: read back by the server's own client, not through the app.
      expect(server!.sql(`SELECT text FROM \`${DBNAME}\`.notes WHERE id = ${Number(id)}`).trim()).toBe(text);
      expect(app.output()).not.toContain(PASSWORD);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 60_000);

  it('gets the password from DATABASE_MYSQL_PASSWORD only: without it, or with another value, the database refuses and /readyz says 503', async () => {
    // Locally (no PAVED_ENVIRONMENT) a missing variable is allowed, so the app starts without the password.
    for (const password of [undefined, `${PASSWORD}x`]) {
      const app = await startApp(dir, contract(password));
      try {
        expect(await status(`${app.base}/readyz`)).toEqual({ status: 503, body: { status: 'database unavailable' } });
        expect(app.output()).toMatch(/"message":"database not answering".*Access denied for user/);
      } finally {
        expect(await app.stop()).toBe(0);
      }
    }
    // Deployed, the loader refuses to start without it, naming the variable.
    const missing = spawnSync(process.execPath, ['src/main.js'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...contract(undefined), PAVED_ENVIRONMENT: 'preview' },
      timeout: 30_000,
    });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('missing configuration: DATABASE_MYSQL_PASSWORD');
  }, 60_000);

  it('requires TLS in staging and production: against this plain server it does not connect', async () => {
    const app = await startApp(dir, { ...contract(PASSWORD), PAVED_ENVIRONMENT: 'staging' });
    try {
      expect(await status(`${app.base}/readyz`)).toEqual({ status: 503, body: { status: 'database unavailable' } });
      expect(app.output()).toMatch(/"message":"database not answering".*(SSL|secure connection)/i);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 60_000);

  // Last: it stops the server.
  it('stops being ready when the database stops answering', async () => {
    const app = await startApp(dir, { ...contract(PASSWORD), PAVED_ENVIRONMENT: 'preview' });
    try {
      expect((await status(`${app.base}/readyz`)).status).toBe(200);
      await server!.stop();
      expect(server!.running()).toBe(false);
      expect(await status(`${app.base}/readyz`)).toEqual({ status: 503, body: { status: 'database unavailable' } });
      expect((await status(`${app.base}/healthz`)).status).toBe(200);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 60_000);
});
