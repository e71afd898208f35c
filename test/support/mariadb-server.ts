import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ran } from './processes.js';

/**
 * A throwaway MariaDB server for tests: Debian's `mariadb-server` package
 * (installed by .ci/install-tools), a data directory of its own made by
 * mariadb-install-db in a temporary directory, its own socket, and TCP on
 * 127.0.0.1 at a free port. Under root (CI, containers) the server runs as the
 * `mysql` OS user the package creates, as PostgreSQL runs as `postgres`
 * (test/support/postgres-server.ts). Only root@localhost exists at first, with
 * no password, reached through the socket; the `mariadb` client runs as whoever
 * runs the tests. The package's own service is never started or touched.
 */

export const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';

export interface MariadbServer {
  readonly port: number;
  /** Runs SQL as root over the socket; throws when the client fails. Returns tab-separated rows. */
  sql(statements: string): string;
  /** Whether mariadbd still runs. */
  running(): boolean;
  /** Stops the server (if it runs) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** The argv that runs a server binary as the OS user that may own the data directory. */
function asOwner(bin: string, args: readonly string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'mysql', '--', bin, ...args]] : [bin, [...args]];
}

/** Fails, never skips, when the server is not installed. */
export function requireMariadb(): void {
  for (const bin of [MARIADBD, INSTALL_DB, CLIENT])
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run bash .ci/install-tools (Debian package mariadb-server)`);
  if (asRoot() && spawnSync('id', ['-u', 'mysql']).status !== 0)
    throw new Error('running as root without a mysql OS user: run bash .ci/install-tools (Debian package mariadb-server creates it)');
}

export async function startMariadb(): Promise<MariadbServer> {
  requireMariadb();
  const dir = mkdtempSync(join(tmpdir(), 'paved-mariadb-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGTERM to mariadbd itself (its pid file), so a runuser in between does not matter; SIGKILL if it lingers.
      const pidFile = join(dir, 'mariadbd.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
      const signal = (name: NodeJS.Signals): void => {
        try {
          if (pid) process.kill(pid, name);
        } catch {
          // Already gone: the exit event follows.
        }
        child?.kill(name);
      };
      signal('SIGTERM');
      const timeout = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timeout);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot()) {
      const uid = Number(ran(spawnSync('id', ['-u', 'mysql'], { encoding: 'utf8' }), 'id -u mysql').stdout.trim());
      const gid = Number(ran(spawnSync('id', ['-g', 'mysql'], { encoding: 'utf8' }), 'id -g mysql').stdout.trim());
      chownSync(dir, uid, gid);
    }
    const data = join(dir, 'data');
    const socket = join(dir, 'mariadbd.sock');
    const [install, installArgs] = asOwner(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ]);
    ran(spawnSync(install, installArgs, { encoding: 'utf8' }), 'mariadb-install-db');
    const port = await freePort();
    const [server, serverArgs] = asOwner(MARIADBD, [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadbd.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
    ]);
    const started = spawn(server, serverArgs, { stdio: 'ignore' });
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const sql = (statements: string): string =>
      ran(
        spawnSync(CLIENT, ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names', `--execute=${statements}`], {
          encoding: 'utf8',
        }),
        'mariadb',
      ).stdout;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`mariadbd exited (${started.exitCode}):\n${readLog(dir)}`);
      try {
        sql('SELECT 1');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`mariadbd did not answer in 30 s: ${(error as Error).message}\n${readLog(dir)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return { port, sql, running: () => started.exitCode === null && started.signalCode === null, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readLog(dir: string): string {
  const log = join(dir, 'error.log');
  return existsSync(log) ? readFileSync(log, 'utf8') : '(no error log)';
}
