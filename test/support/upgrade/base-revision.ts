import { spawnSync } from 'node:child_process';

/**
 * Which revision the upgrade-safety test compares the working tree with, and
 * that revision's committed files, read from git. Every way this can fail
 * (not a git checkout, a shallow clone, an unknown PAVED_UPGRADE_BASE) is an
 * UpgradeBaseError saying what to fetch: the test fails on it, never skips.
 */
export class UpgradeBaseError extends Error {}

export interface BaseRevision {
  /** What the base was named by: the env var's value, a tag, or `HEAD^`. */
  readonly ref: string;
  readonly commit: string;
  /** Why this revision, for the failure message. */
  readonly chosenBy: string;
}

interface GitResult {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

function run(repo: string, args: readonly string[], input?: string): GitResult {
  const result = spawnSync('git', ['-C', repo, ...args], { input, maxBuffer: 512 * 1024 * 1024 });
  if (result.error)
    throw new UpgradeBaseError(
      `the upgrade-safety test reads the base revision's golden files with git, and git cannot run here (${result.error.message}): install git and run the tests in a git clone`,
    );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8').trim() };
}

function git(repo: string, ...args: string[]): string {
  const result = run(repo, args);
  if (result.status !== 0) throw new UpgradeBaseError(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.toString('utf8');
}

/**
 * PAVED_UPGRADE_BASE if set; else the newest `v*` tag reachable from HEAD (by
 * version order, HEAD's own tags left out: a release is compared with the one
 * before it); else HEAD's first parent.
 */
export function upgradeBase(repo: string, requested: string | undefined): BaseRevision {
  const inside = run(repo, ['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0 || inside.stdout.toString().trim() !== 'true') {
    throw new UpgradeBaseError(
      `${repo} is not a git checkout (${inside.stderr || 'git rev-parse failed'}), so the upgrade-safety test has no base revision to read golden files from: run the tests in a git clone of paved with its history (git clone, not a tarball)`,
    );
  }
  const commitOf = (ref: string): string | undefined => {
    const found = run(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return found.status === 0 ? found.stdout.toString().trim() : undefined;
  };
  if (requested !== undefined && requested !== '') {
    const commit = commitOf(requested);
    if (commit === undefined)
      throw new UpgradeBaseError(
        `PAVED_UPGRADE_BASE=${requested} is not a commit in this clone: fetch it (git fetch --tags for a release tag, or git fetch origin ${requested}), or set PAVED_UPGRADE_BASE to a revision you have`,
      );
    return { ref: requested, commit, chosenBy: 'PAVED_UPGRADE_BASE' };
  }
  const tags = git(repo, 'tag', '--list', 'v*', '--merged', 'HEAD', '--no-contains', 'HEAD', '--sort=-v:refname')
    .split('\n')
    .filter((t) => t !== '');
  if (tags.length > 0) return { ref: tags[0]!, commit: commitOf(tags[0]!)!, chosenBy: 'the newest v* tag reachable from HEAD' };
  const parent = commitOf('HEAD^');
  if (parent !== undefined) return { ref: 'HEAD^', commit: parent, chosenBy: "HEAD's first parent (no v* tag is reachable from HEAD)" };
  const shallow = git(repo, 'rev-parse', '--is-shallow-repository').trim() === 'true';
  throw new UpgradeBaseError(
    shallow
      ? "this is a shallow clone without HEAD's parent and without release tags, so the upgrade-safety test has no base revision: fetch one (git fetch --deepen=1, or git fetch --tags for the releases, or git fetch --unshallow), or set PAVED_UPGRADE_BASE to a revision you have"
      : 'HEAD has no parent and no v* tag is reachable from it, so the upgrade-safety test has no base revision: set PAVED_UPGRADE_BASE to a revision to compare with',
  );
}

/** Every file committed under `folders` (relative to `repo`) at `commit`, path relative to `repo` → text, in one git process. */
export function filesAt(repo: string, commit: string, folders: readonly string[]): Map<string, string> {
  // Paths relative to `repo`, which may be a folder inside a larger repository.
  const paths = git(repo, 'ls-tree', '-r', '-z', '--name-only', commit, '--', ...folders)
    .split('\0')
    .filter((p) => p !== '');
  const files = new Map<string, string>();
  if (paths.length === 0) return files;
  const batch = run(repo, ['cat-file', '--batch'], paths.map((p) => `${commit}:./${p}\n`).join(''));
  if (batch.status !== 0) throw new UpgradeBaseError(`git cat-file --batch failed reading ${commit}: ${batch.stderr}`);
  // Each object: "<oid> <type> <size>\n", its bytes, "\n".
  let at = 0;
  for (const path of paths) {
    const newline = batch.stdout.indexOf(0x0a, at);
    const header = batch.stdout.subarray(at, newline).toString('utf8').split(' ');
    if (header[1] === 'missing')
      throw new UpgradeBaseError(`${commit}:${path} is listed but missing from this clone: fetch the full history (git fetch --unshallow)`);
    const size = Number(header[2]);
    if (header[1] === 'blob') files.set(path, batch.stdout.subarray(newline + 1, newline + 1 + size).toString('utf8'));
    at = newline + 1 + size + 1;
  }
  return files;
}
