import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_COMPOSE } from '../../cli/dev.js';
import { REPO, runCli, scratchCopy } from '../support/helpers.js';

/**
 * Issue 21: `paved dev [service...]`, run through main() in a compiled copy of
 * the example shop. Compose itself is whichever is on PATH: Debian's
 * docker-compose (.ci/install-tools), or a script standing in for `docker`
 * that records its arguments, since no container daemon runs here.
 */

const scratch = scratchCopy(join(REPO, 'examples', 'shop'));
const tools = scratchCopy();
const savedPath = process.env.PATH;

/** A directory holding one executable `name` that answers `version` (and `compose version`), records other calls to `calls.txt` and exits `code`. */
function fakeTool(name: string, code: number): string {
  const dir = join(tools.dir, `${name}-${code}`);
  mkdirSync(dir, { recursive: true });
  const calls = join(dir, 'calls.txt');
  writeFileSync(join(dir, name), `#!/bin/sh\ncase "$*" in version|"compose version") exit 0;; esac\nprintf '%s\\n' "$*" >> '${calls}'\nexit ${code}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}

beforeAll(async () => {
  const compiled = await runCli(['compile'], scratch.dir);
  expect(compiled.code, compiled.stderr).toBe(0);
});
afterEach(() => {
  process.env.PATH = savedPath;
});
afterAll(() => {
  scratch.cleanup();
  tools.cleanup();
});

describe('paved dev', () => {
  it('--print lists the service and its dependencies, transitively (storefront-api -> orders -> payments, and catalog)', async () => {
    process.env.PATH = '/usr/bin:/bin';
    const run = await runCli(['dev', '--print', 'storefront-api'], scratch.dir);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('docker-compose -f generated/dev/compose.yaml -p shop-dev up --build storefront-api catalog orders payments\n');
    expect(run.code).toBe(0);
  });

  it('--print orders lists orders and payments, with docker compose when the Compose plugin answers', async () => {
    process.env.PATH = `${fakeTool('docker', 0)}:/usr/bin:/bin`;
    const run = await runCli(['dev', '--print', 'orders'], scratch.dir);
    expect(run.stdout).toBe('docker compose -f generated/dev/compose.yaml -p shop-dev up --build orders payments\n');
    expect(run.code).toBe(0);
  });

  it('says exactly what to install when no Compose is on PATH, and runs nothing', async () => {
    const empty = join(tools.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    process.env.PATH = empty;
    const run = await runCli(['dev', 'orders'], scratch.dir);
    expect(run.stderr).toBe(`paved: ${INSTALL_COMPOSE}\n`);
    expect(INSTALL_COMPOSE).toContain('apt-get install docker-compose');
    expect(run.code).toBe(1);
  });

  it('names the env file of each service whose secrets are missing, and starts nothing', async () => {
    const dir = fakeTool('docker-compose', 0);
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    const run = await runCli(['dev', 'orders'], scratch.dir);
    expect(run.stderr).toBe(
      [
        'paved: orders declares secrets (TAX_SERVICE_API_KEY); write them as NAME=value lines into services/orders/.paved-dev.env, which git must ignore (docs/dev.md)',
        'paved: payments declares secrets (STRIPE_API_KEY); write them as NAME=value lines into services/payments/.paved-dev.env, which git must ignore (docs/dev.md)',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(() => readFileSync(join(dir, 'calls.txt'), 'utf8')).toThrow();
  });

  it('runs Compose in the foreground with the services and their dependencies, and exits with its code', async () => {
    const dir = fakeTool('docker-compose', 3);
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    writeFileSync(join(scratch.dir, 'services/orders/.paved-dev.env'), 'TAX_SERVICE_API_KEY=local\n');
    writeFileSync(join(scratch.dir, 'services/payments/.paved-dev.env'), 'STRIPE_API_KEY=local\n');
    try {
      const run = await runCli(['dev', 'orders'], scratch.dir);
      expect(run.code).toBe(3);
      expect(readFileSync(join(dir, 'calls.txt'), 'utf8')).toBe('-f generated/dev/compose.yaml -p shop-dev up --build orders payments\n');
    } finally {
      rmSync(join(scratch.dir, 'services/orders/.paved-dev.env'));
      rmSync(join(scratch.dir, 'services/payments/.paved-dev.env'));
    }
  });

  it('rejects a service that does not exist, naming the ones that do', async () => {
    const run = await runCli(['dev', '--print', 'ordres'], scratch.dir);
    expect(run.stderr).toBe('paved: no service named "ordres"; the services are catalog, notifier, orders, payments, storefront-api\n');
    expect(run.code).toBe(2);
  });

  it('asks for paved compile when the Compose project was never written', async () => {
    const bare = scratchCopy(join(REPO, 'examples', 'shop'));
    try {
      rmSync(join(bare.dir, 'generated'), { recursive: true, force: true });
      const run = await runCli(['dev', '--print'], bare.dir);
      expect(run.stderr).toBe('paved: generated/dev/compose.yaml does not exist: run paved compile first (it writes the Compose project)\n');
      expect(run.code).toBe(1);
    } finally {
      bare.cleanup();
    }
  });

  it('has help from the command table', async () => {
    const run = await runCli(['dev', '--help'], scratch.dir);
    expect(run.stdout).toContain('paved dev [service...] [--print]');
    expect(run.stdout).toContain('--print');
    expect(run.code).toBe(0);
  });
});
