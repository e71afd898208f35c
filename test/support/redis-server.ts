import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ran } from './processes.js';

/**
 * A throwaway Redis server for tests: Debian's `redis-server` package (installed
 * by .ci/install-tools), on 127.0.0.1 at a free port, nothing saved to disk, in a
 * directory of its own. Under root (CI, containers) it runs as the `redis` OS
 * user the package creates, as PostgreSQL runs as `postgres`. The package's own
 * service is never started or touched.
 */

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

export interface RedisServer {
  readonly port: number;
  /** redis-cli against the server with argv (never a shell); its trimmed output, or an error when it fails. */
  cli(args: readonly string[]): string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'paved-redis-'));
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(ran(spawnSync('id', ['-u', 'redis'], { encoding: 'utf8' }), 'id -u redis').stdout.trim());
    const gid = Number(ran(spawnSync('id', ['-g', 'redis'], { encoding: 'utf8' }), 'id -g redis').stdout.trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const child: ChildProcess = root
    ? spawn('runuser', ['-u', 'redis', '--', REDIS_SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cli = (argv: readonly string[]): string =>
    ran(spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...argv], { encoding: 'utf8' }), 'redis-cli').stdout.trim();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ping = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG') break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    cli,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
