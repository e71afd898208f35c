import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PREVIEW_STAGING_RELEASES } from '../../emitters/actions/scripts.js';
import { scratchCopy } from '../support/helpers.js';

/**
 * The preview job's "Read staging's releases" step, run with bash as a runner
 * runs it, in a clone whose origin is a real repository: it leaves staging's
 * releases.yaml (from the deploy branch, at the paved root's place in the
 * repository) where `paved preview --releases` reads it, an empty record when
 * nothing was released yet, and fails when origin cannot be read.
 */

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
const EMPTY = 'apiVersion: paved/v1\nkind: Releases\nservices: {}\n';
const STAGING = 'apiVersion: paved/v1\nkind: Releases\nservices:\n  carts:\n    staging: { tag: abc123 }\n';
let runs = 0;

/** An origin with main (the paved root in `shop/`) and, if given, a deploy branch holding `files`; returns a clone's paved root. */
function clone(deployFiles?: Readonly<Record<string, string>>): string {
  const dir = join(scratch.dir, `repo-${runs++}`);
  const origin = join(dir, 'origin');
  mkdirSync(join(origin, 'shop'), { recursive: true });
  git(origin, 'init', '--quiet');
  writeFileSync(join(origin, 'shop', 'platform.yaml'), 'apiVersion: paved/v1\nkind: Platform\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '--quiet', '-m', 'main');
  if (deployFiles) {
    git(origin, 'checkout', '--quiet', '--orphan', 'paved/deploy/staging');
    git(origin, 'rm', '-r', '-f', '--quiet', '.');
    for (const [path, text] of Object.entries(deployFiles)) {
      mkdirSync(join(origin, path, '..'), { recursive: true });
      writeFileSync(join(origin, path), text);
      git(origin, 'add', path);
    }
    git(origin, 'commit', '--quiet', '--allow-empty', '-m', 'release');
    git(origin, 'checkout', '--quiet', 'main');
  }
  git(dir, 'clone', '--quiet', '--depth=1', `file://${origin}`, 'work');
  return join(dir, 'work', 'shop');
}

function run(root: string, env: Record<string, string> = {}): { code: number; stderr: string; stdout: string; releases: string } {
  const temp = join(root, '..', '..', 'temp');
  mkdirSync(temp, { recursive: true });
  const result = spawnSync('bash', ['-eo', 'pipefail', '-c', PREVIEW_STAGING_RELEASES], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: temp, RUNNER_TEMP: temp, DEPLOY_BRANCH: 'paved/deploy/staging', FETCH_TOKEN: 'workflow-token', ...env },
  });
  let releases = '';
  try {
    releases = readFileSync(join(temp, 'paved-staging-releases.yaml'), 'utf8');
  } catch {
    releases = '(none)';
  }
  return { code: result.status ?? -1, stderr: result.stderr, stdout: result.stdout, releases };
}

describe("the preview job's Read staging's releases step", () => {
  it("leaves the deploy branch's releases.yaml of the paved root", () => {
    const result = run(clone({ 'shop/releases.yaml': STAGING, 'other/releases.yaml': EMPTY }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.releases).toBe(STAGING);
  });

  it('leaves an empty record when staging has no deploy branch yet', () => {
    const result = run(clone());
    expect(result.code).toBe(0);
    expect(result.releases).toBe(EMPTY);
  });

  it('leaves an empty record when the deploy branch has no releases.yaml at the paved root', () => {
    const result = run(clone({ 'releases.yaml': STAGING }));
    expect(result.code).toBe(0);
    expect(result.releases).toBe(EMPTY);
  });

  it('fails, saying so, when origin cannot be read', () => {
    const root = clone();
    git(root, 'remote', 'set-url', 'origin', `file://${join(scratch.dir, 'no-such-origin')}`);
    const result = run(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('::error::could not read paved/deploy/staging from origin\n');
  });

  it('never leaves the token in the environment of what it runs', () => {
    expect(PREVIEW_STAGING_RELEASES.split('\n').slice(0, 3)).toEqual([
      'set -euo pipefail',
      'auth="AUTHORIZATION: basic $(printf "x-access-token:%s" "${FETCH_TOKEN}" | base64 --wrap=0)"',
      'unset FETCH_TOKEN',
    ]);
  });
});
