import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { checkRecordLocation } from '../../compiler/cache.js';
import { REPO, scratchCopy, type CliRun } from './helpers.js';

/**
 * `paved check --base` needs the built CLI: the check record names the build
 * (dist/build-id.txt), which only the built paved has.
 */
const PAVED = join(REPO, 'bin/paved.js');

export function paved(root: string, ...args: string[]): CliRun {
  const run = spawnSync(process.execPath, [PAVED, ...args], { cwd: root, encoding: 'utf8' });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

export function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8',
  }).trim();
}

/**
 * examples/shop (changed by `prepare`) compiled and committed in a scratch git
 * work tree, its passing check recorded: the root, the base commit's SHA, and
 * the function that removes it all.
 */
export function recordedShop(prepare: (root: string) => void = () => undefined): { root: string; base: string; cleanup: () => void } {
  const scratch = scratchCopy(join(REPO, 'examples/shop'));
  const root = scratch.dir;
  for (const output of ['generated', '.github']) rmSync(join(root, output), { recursive: true, force: true });
  prepare(root);
  git(root, 'init', '-q', '-b', 'main');
  expect(paved(root, 'compile').code).toBe(0);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  const base = git(root, 'rev-parse', 'HEAD');
  const recorded = paved(root, 'check', '--record');
  expect(recorded.code, recorded.stdout + recorded.stderr).toBe(0);
  expect(existsSync(checkRecordLocation(root, base))).toBe(true);
  return { root, base, cleanup: scratch.cleanup };
}

/** A generated file forged, with the manifest's hash for it forged to match. */
export function forge(root: string, path: string): void {
  const forged = `${readFileSync(join(root, path), 'utf8')}# forged\n`;
  writeFileSync(join(root, path), forged);
  const manifestPath = join(root, 'generated/.paved-manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string }[] };
  const entry = manifest.files.find((f) => f.path === path)!;
  entry.sha256 = createHash('sha256').update(forged).digest('hex');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
