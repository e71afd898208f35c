import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { freePort } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { runCli, scratchCopy, writeEmbeddedPlatform } from '../support/helpers.js';

/**
 * Issue 21: the contract of generated/dev/compose.yaml, proven against real
 * servers. The node and python skeletons `paved new --with postgres,redis`
 * writes run with exactly the environment the Compose file gives its container, against
 * Debian's PostgreSQL and Redis started on loopback. Only what a machine
 * without Compose's network must change is rewritten: the stand-ins' host names
 * become 127.0.0.1, and the ports (the stand-ins', the app's and its metrics
 * port) the free ports the test servers and the app listen on. The skeleton's
 * drivers come from the npm registry for node (pg, redis), as in
 * skeleton-mysql.test.ts, and from Debian for python (python3-psycopg2,
 * python3-redis), as prometheus_client does in skeleton-metrics.test.ts.
 */

const SERVICE = 'orders';
type Language = 'node' | 'python';

interface RunningApp {
  readonly base: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Debian's interpreter, which has python3-psycopg2 and python3-redis (.ci/install-tools): PyPI cannot be reached here. */
const DEBIAN_PYTHON = '/usr/bin/python3';

/** Starts the skeleton as its Dockerfile's CMD does (node's is node's arguments; python's is `python -m app`), with exactly `variables` (and PATH, HOME). */
async function startApp(language: Language, dir: string, variables: Record<string, string>, port: number): Promise<RunningApp> {
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(join(dir, 'Dockerfile'), 'utf8'))![1]!) as string[];
  const [program, args] = language === 'node' ? [process.execPath, cmd] : [DEBIAN_PYTHON, cmd.slice(1)];
  if (language === 'python') expect(cmd).toEqual(['python', '-m', 'app']);
  const child: ChildProcess = spawn(program, args, {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(language === 'python' ? { PYTHONDONTWRITEBYTECODE: '1' } : {}), ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

const request = async (url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
};

/** A Compose value as the container sees it: `$$` is a literal `$`. */
const unescape = (value: string): string => value.replace(/\$\$/g, '$');

describe.each(['node', 'python'] as const)(
  'the %s skeleton with PostgreSQL and Redis, run with the environment of generated/dev/compose.yaml against real servers',
  (language) => {
    let postgres: PostgresServer | undefined;
    let redis: RedisServer | undefined;
    let scratch: { dir: string; cleanup: () => void } | undefined;
    let dir = '';
    /** The service's environment in the Compose file, unescaped. */
    let composed: Record<string, string> = {};

    beforeAll(async () => {
      [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
      scratch = scratchCopy();
      writeEmbeddedPlatform(scratch.dir);
      dir = join(scratch.dir, 'services', SERVICE);
      const created = await runCli(['new', SERVICE, '--language', language, '--dir', 'services/orders', '--with', 'postgres,redis'], scratch.dir);
      expect(created.code, created.stderr).toBe(0);
      const compiled = await runCli(['compile'], scratch.dir);
      expect(compiled.code, compiled.stderr).toBe(0);
      const compose = parse(readFileSync(join(scratch.dir, 'generated/dev/compose.yaml'), 'utf8')) as {
        services: Record<string, { environment: Record<string, string> }>;
      };
      composed = Object.fromEntries(Object.entries(compose.services[SERVICE]!.environment).map(([name, value]) => [name, unescape(value)]));
      // The stand-ins' database: the name and role the Compose file gives the app.
      postgres.query('postgres', 'postgres', `CREATE ROLE ${composed.DATABASE_MAIN_USERNAME} LOGIN`);
      postgres.query('postgres', 'postgres', `CREATE DATABASE ${composed.DATABASE_MAIN_DBNAME} OWNER ${composed.DATABASE_MAIN_USERNAME}`);
      if (language === 'node') {
        const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
        expect(install.status, install.stderr).toBe(0);
      } else {
        // The drivers requirements.txt names, as Debian packages them.
        const drivers = spawnSync(DEBIAN_PYTHON, ['-c', 'import psycopg2, redis'], { encoding: 'utf8' });
        expect(drivers.status, `install python3-psycopg2 and python3-redis (.ci/install-tools): ${drivers.stderr}`).toBe(0);
        expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toMatch(/^psycopg2-binary.*\n(.*\n)*redis/m);
      }
    }, 400_000);

    afterAll(async () => {
      try {
        postgres?.stop();
        await redis?.stop();
      } finally {
        scratch?.cleanup();
      }
    }, 60_000);

    it('is given the stand-ins by the Compose file: PostgreSQL and Redis containers of its own, at their ports', () => {
      expect(composed).toMatchObject({
        DATABASE_MAIN_HOST: 'postgres-main.orders',
        DATABASE_MAIN_PORT: '5432',
        DATABASE_MAIN_DBNAME: 'main',
        DATABASE_MAIN_USERNAME: 'app',
        CACHE_CACHE_HOST: 'redis-cache.orders',
        CACHE_CACHE_PORT: '6379',
        PAVED_ENVIRONMENT: 'dev',
        PORT: '8080',
      });
    });

    it('is ready while PostgreSQL and Redis answer, writes a row and reads it back, sets a Redis key and reads it back', async () => {
      const port = await freePort();
      const env = {
        ...composed,
        DATABASE_MAIN_HOST: '127.0.0.1',
        DATABASE_MAIN_PORT: String(postgres!.port),
        CACHE_CACHE_HOST: '127.0.0.1',
        CACHE_CACHE_PORT: String(redis!.port),
        PORT: String(port),
        OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      };
      // Exactly the Compose file's names: nothing added, nothing left out.
      expect(Object.keys(env).sort()).toEqual(Object.keys(composed).sort());
      const app = await startApp(language, dir, env, port);
      try {
        expect(await request(`${app.base}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });

        const text = `order ${randomBytes(4).toString('hex')} 'quoted'; DROP TABLE notes; --`;
        const created = await request(`${app.base}/notes`, { method: 'POST', body: JSON.stringify({ text }), headers: { 'content-type': 'application/json' } });
        expect(created.status).toBe(201);
        const id = (created.body as { id: number }).id;
        expect(await request(`${app.base}/notes/${id}`)).toEqual({ status: 200, body: { id, text } });
        // In the server, as written: read by psql, not through the app.
        expect(postgres!.query('app', 'main', `SELECT text FROM notes WHERE id = ${Number(id)}`)).toBe(text);

        const key = `cart-${randomBytes(4).toString('hex')}`;
        const value = `three items, "one" $HOME`;
        expect(await request(`${app.base}/cache/${key}`, { method: 'PUT', body: value })).toEqual({ status: 200, body: { key } });
        expect(await request(`${app.base}/cache/${key}`)).toEqual({ status: 200, body: { key, value } });
        expect(redis!.cli(['GET', key])).toBe(value);
        expect((await request(`${app.base}/cache/absent`)).status).toBe(404);

        // Readiness follows the servers: Redis stopped, the app is up but not ready.
        await redis!.stop();
        expect(await request(`${app.base}/readyz`)).toEqual({ status: 503, body: { status: 'cache unavailable' } });
        expect((await request(`${app.base}/healthz`)).status).toBe(200);
      } finally {
        expect(await app.stop()).toBe(0);
      }
    }, 90_000);
  },
);
