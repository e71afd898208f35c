import { spawnSync } from 'node:child_process';
import { gitArguments, gitEnvironment, gitWorkTreePrefix } from './git.js';
import { forEachListed } from './git-listing.js';

/**
 * What git's index says about the files under some folders of the root,
 * without paved reading a byte of them: `paved check --base` keeps a file
 * whose index blob is the base commit's blob and which git finds unchanged in
 * the work tree (cache.ts reuseFromCheckRecord).
 *
 * A path is in the answer only when git can vouch for its bytes:
 * - a stage-0 entry, so no merge conflict, of a regular file (mode 100644 or
 *   100755: not a link, 120000, nor a submodule, 160000);
 * - tagged `H` by `git ls-files -v`: an entry marked assume-unchanged (lower
 *   case) or skip-worktree (`S`) is one git no longer compares with the disk;
 * - not named by `git diff-files`, which compares each entry's lstat with the
 *   stat the index recorded, and the bytes themselves when those cannot be
 *   trusted (racy git), so a file changed, deleted, replaced by a link or a
 *   folder, or reached through a link, is named;
 * - with no attribute that converts bytes between the index and the work tree
 *   (end of line, filters, ident, encodings) and `core.autocrlf` off: only then
 *   are the work tree's bytes the blob's very bytes.
 * Each git runs with the settings that could make it trust a file it did not
 * look at turned off (an fsmonitor, stat comparisons relaxed).
 * Undefined when git cannot answer (not a work tree, git missing or failing):
 * the caller then reads and hashes the files itself.
 */
export function cleanIndexBlobs(root: string, folders: readonly string[]): Map<string, string> | undefined {
  const git = (args: readonly string[], input?: string): string | undefined => {
    const run = spawnSync('git', [...STRICT, ...gitArguments(root, args)], {
      encoding: 'utf8',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
      maxBuffer: 1024 * 1024 * 1024,
      env: gitEnvironment(),
      ...(input === undefined ? {} : { input }),
    });
    return run.status === 0 && run.error === undefined ? run.stdout : undefined;
  };
  // As git reads it: unset, or one of git's spellings of false. Anything else converts line endings on checkout or on
  // add: true (a bare `autocrlf` in a config file is true) and `input`, which is no boolean and makes this fail.
  const autocrlf = git(['config', '--get', '--type=bool', '--default=false', 'core.autocrlf']);
  if (autocrlf?.trim() !== 'false') return undefined;
  const prefix = gitWorkTreePrefix(git(['rev-parse', '--is-inside-work-tree', '--show-prefix']));
  // `<tag> <mode> <object> <stage>\t<path>`, paths relative to the root: --full-name and the prefix would name the same.
  const listed = prefix === undefined ? undefined : git(['ls-files', '-s', '-v', '-z', '--', ...folders]);
  if (listed === undefined) return undefined;
  const blobs = new Map<string, string>();
  const conflicted = new Set<string>();
  forEachListed(listed, (at, tab, end) => {
    const path = listed.slice(tab + 1, end);
    const stageAt = listed.lastIndexOf(' ', tab) + 1;
    if (listed.slice(stageAt, tab) !== '0') conflicted.add(path);
    else if (listed.startsWith('H ', at) && (listed.startsWith('100644 ', at + 2) || listed.startsWith('100755 ', at + 2)) && stageAt > at + 9)
      blobs.set(path, listed.slice(at + 9, stageAt - 1));
  });
  for (const path of conflicted) blobs.delete(path);
  if (blobs.size === 0) return blobs;
  // Names paths from the top of the work tree, whatever the current folder.
  const dirty = git(['diff-files', '--name-only', '-z', '--', ...folders]);
  if (dirty === undefined) return undefined;
  for (const full of dirty.split('\0')) if (full.startsWith(prefix!)) blobs.delete(full.slice(prefix!.length));
  // Only attributes that are set are listed: `<path>\0<attribute>\0<value>\0`.
  const attributes = git(['check-attr', '--all', '-z', '--stdin'], `${[...blobs.keys()].join('\0')}\0`);
  if (attributes === undefined) return undefined;
  const fields = attributes.split('\0');
  for (let i = 0; i + 2 < fields.length; i += 3) if (CONVERTING.has(fields[i + 1]!)) blobs.delete(fields[i]!);
  return blobs;
}

/**
 * Settings a repository or a user may hold that let git call a file unchanged
 * without comparing it: paved asks for the strict comparison, and reads
 * pathspecs as plain paths (an output folder's name is a platform team's text).
 */
const STRICT = [
  '--literal-pathspecs',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.checkStat=default',
  '-c',
  'core.trustctime=true',
  '-c',
  'core.ignoreStat=false',
];

/** The attributes under which the work tree may hold other bytes than the blob (gitattributes(5), "Effects"). */
const CONVERTING = new Set(['text', 'crlf', 'eol', 'filter', 'ident', 'working-tree-encoding']);
