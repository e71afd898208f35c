import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeCacheOf } from '../../spec/code-cache.js';
import { readTree, REPO, scratchCopy } from '../support/helpers.js';

const CACHED_BUNDLES = ['bundle/main.cjs', 'bundle/grafana-sdk.cjs', 'spec/validators.cjs'];

/**
 * The build's code caches (scripts/code-cache.ts) are taken by a `node` under
 * the V8 flags bin/paved.js sets (spec/v8-flags.ts), and the CLI does exactly
 * the same without them: caches missing, damaged, or refused by V8 because
 * node runs with other flags. Runs a copy of the built package (`npm test`
 * builds it first), so the copy's caches can be broken.
 */
describe('the bundles code caches', () => {
  let scratch: { dir: string; cleanup: () => void };
  const pkg = (): string => join(scratch.dir, 'pkg');

  beforeAll(() => {
    scratch = scratchCopy();
    for (const part of ['bin', 'dist', 'scaffold', 'package.json']) cpSync(join(REPO, part), join(pkg(), part), { recursive: true });
    mkdirSync(join(pkg(), 'spec'));
    for (const schema of readdirSync(join(REPO, 'spec')).filter((f) => f.endsWith('.json'))) cpSync(join(REPO, 'spec', schema), join(pkg(), 'spec', schema));
    symlinkSync(join(REPO, 'node_modules'), join(pkg(), 'node_modules'));
  });
  afterAll(() => scratch.cleanup());

  it('are taken by node under the flags bin/paved.js sets, as the build made them', () => {
    const script = [
      `const { applyV8Flags } = await import(${JSON.stringify(join(REPO, 'dist/spec/v8-flags.js'))});`,
      'applyV8Flags();',
      `const { loadBundle, ranWithCodeCache } = await import(${JSON.stringify(join(REPO, 'dist/spec/code-cache.js'))});`,
      `const bundles = ${JSON.stringify(CACHED_BUNDLES.map((b) => join(REPO, 'dist', b)))};`,
      'for (const b of bundles) loadBundle(b);',
      'console.log(JSON.stringify(bundles.map((b) => ranWithCodeCache(b))));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(CACHED_BUNDLES.map(() => true));
  });

  /** A compile of a fresh copy of examples/shop through the copy's bin/paved.js: its exit, output and tree. */
  const compileShop = (nodeFlags: readonly string[] = []): unknown => {
    const repo = join(scratch.dir, 'shop');
    rmSync(repo, { recursive: true, force: true });
    cpSync(join(REPO, 'examples', 'shop'), repo, { recursive: true });
    const run = spawnSync(process.execPath, [...nodeFlags, join(pkg(), 'bin', 'paved.js'), 'compile', repo], { encoding: 'utf8' });
    // The incremental cache records files' times and inodes; everything else must match.
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, tree: readTree(repo, (path) => path === '.paved-cache') };
  };

  it('change nothing when missing, damaged or refused by V8', () => {
    const caches = CACHED_BUNDLES.map((b) => codeCacheOf(join(pkg(), 'dist', b)));
    const intact = caches.map((c) => readFileSync(c));
    const withCaches = compileShop();
    expect((withCaches as { status: number }).status).toBe(0);

    // Other V8 flags: V8 refuses the caches itself.
    expect(compileShop(['--max-old-space-size=1024'])).toEqual(withCaches);

    caches.forEach((c, i) => {
      const damaged = Buffer.from(intact[i]!);
      for (let at = 64; at < damaged.length; at += 4099) damaged[at]! ^= 0x5a;
      writeFileSync(c, damaged);
    });
    expect(compileShop()).toEqual(withCaches);

    for (const c of caches) rmSync(c);
    expect(compileShop()).toEqual(withCaches);
  });
});
