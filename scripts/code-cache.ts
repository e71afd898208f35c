/**
 * Writes the code caches of the CLI's bundles (spec/code-cache.ts), the last
 * step of `npm run build`: runs the bundles over what a run of paved does
 * first (help, then validate, compile twice, the second incrementally, and
 * check each example) and keeps what V8 compiled doing it. The work is the
 * real CLI's, on copies of the examples in a temporary folder; its output is
 * dropped.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../cli/io.js';
import { codeCacheFile, codeCacheOf, loadBundle } from '../spec/code-cache.js';
import { applyV8Flags } from '../spec/v8-flags.js';

type Main = (argv: readonly string[], io: Io) => Promise<number>;

const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = ['minimal', 'shop'];
const MAIN = join(dist, 'bundle', 'main.cjs');
const GRAFANA = join(dist, 'bundle', 'grafana-sdk.cjs');
const VALIDATORS = join(dist, 'spec', 'validators.cjs');

/** What `paved` is most often asked, each example in its own copy. */
async function work(main: Main): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
  try {
    const io: Io = { stdout: () => undefined, stderr: () => undefined, cwd: scratch };
    await main(['--help'], io);
    for (const example of EXAMPLES) {
      cpSync(join(dist, '..', 'examples', example), join(scratch, example), { recursive: true });
      for (const command of ['validate', 'compile', 'compile', 'check']) {
        const status = await main([command, example], io);
        if (status !== 0) throw new Error(`paved ${command} ${example} exited with ${status} while making the code cache`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Under the flags bin/paved.js runs with: V8 refuses a cache made under others.
applyV8Flags();
// Made afresh: a cache left from an earlier build would be used while running, if it still fit.
for (const bundle of [MAIN, GRAFANA, VALIDATORS]) rmSync(codeCacheOf(bundle), { force: true });
// The CLI's bundle, run as bin/paved.js runs it.
await work((loadBundle(MAIN) as { main: Main }).main);
// The Grafana SDK and the validators are loaded through spec/code-cache.ts: above, the bundle's own copy of it; dist/'s modules share this one.
await work((await import('../cli/main.js')).main);
for (const bundle of [MAIN, GRAFANA, VALIDATORS]) writeFileSync(codeCacheOf(bundle), codeCacheFile(bundle));
