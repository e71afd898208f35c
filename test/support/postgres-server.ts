import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ran } from './processes.js';

/**
 * A throwaway PostgreSQL cluster for tests: Debian's `postgresql` package
 * (installed by .ci/install-tools), initdb'd in a temporary directory and
 * listening on 127.0.0.1 only, with trust authentication. PostgreSQL refuses to
 * run as root, so under root (CI, containers) the server runs as the `postgres`
 * OS user the package creates; psql, the client, runs as whoever runs the tests.
 */

/** The newest server installed under /usr/lib/postgresql/<major>/bin, or PAVED_PG_BINDIR. */
export function serverBinDir(): string {
  const configured = process.env.PAVED_PG_BINDIR;
  if (configured) return configured;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0)
    throw new Error('no PostgreSQL server under /usr/lib/postgresql/<major>/bin: run .ci/install-tools (Debian package postgresql), or set PAVED_PG_BINDIR');
  return join(root, majors[0]!, 'bin');
}

export interface PsqlRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PostgresServer {
  readonly port: number;
  readonly version: number;
  /** psql as `user` on `database` over TCP, with extra argv; never a shell. */
  psql(user: string, database: string, args: readonly string[], env?: Readonly<Record<string, string>>): PsqlRun;
  /** One query's unaligned, tuple-only output; throws when psql fails. */
  query(user: string, database: string, sql: string): string;
  stop(): void;
}

/** Runs a server binary as the OS user that may own the cluster. */
function asOwner(bin: string, args: readonly string[]): SpawnSyncReturns<string> {
  const root = process.getuid?.() === 0;
  return root ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, [...args], { encoding: 'utf8' });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = serverBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'paved-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(ran(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }), 'id -u postgres').stdout.trim());
    const gid = Number(ran(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }), 'id -g postgres').stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  ran(asOwner(join(bin, 'initdb'), ['--pgdata', data, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--no-instructions']), 'initdb');
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
  ran(asOwner(join(bin, 'pg_ctl'), ['--pgdata', data, '--log', join(dir, 'server.log'), '--options', options, '--wait', 'start']), 'pg_ctl start');

  const psql = (user: string, database: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): PsqlRun => {
    const result = spawnSync(join(bin, 'psql'), [...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user, PGDATABASE: database, PGSSLMODE: 'disable', ...env },
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const query = (user: string, database: string, sql: string): string => {
    const result = psql(user, database, ['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--tuples-only', '--no-align', '--command', sql]);
    if (result.status !== 0) throw new Error(`psql as ${user} on ${database} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const version = Number(query('postgres', 'postgres', 'SHOW server_version_num')) / 10000;
  return {
    port,
    version: Math.floor(version),
    psql,
    query,
    stop() {
      asOwner(join(bin, 'pg_ctl'), ['--pgdata', data, '--mode', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
