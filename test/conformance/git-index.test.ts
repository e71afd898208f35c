import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanIndexBlobs } from '../../cli/git-index.js';
import { gitWorkTreePrefix } from '../../cli/git.js';
import { gitBlobId } from '../../compiler/cache.js';
import { scratchCopy } from '../support/helpers.js';

/**
 * cli/git-index.ts: which files of the output folders git vouches hold exactly
 * their index blob, so `paved check --base` keeps them without reading them
 * (compiler/cache.ts reuseFromCheckRecord). Every case here is one where the
 * work tree may hold other bytes than the index says: none may be vouched for.
 */

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const blobOf = (text: string): string => gitBlobId(Buffer.from(text, 'utf8'));

const FILES: Record<string, string> = {
  'generated/a/one.yaml': 'one: 1\n',
  'generated/a/two.yaml': 'two: 2\n',
  'generated/b/three.tf': 'three = 3\n',
  '.github/workflows/paved-a.yml': 'name: a\n',
  'services/a/service.yaml': 'name: a\n',
};
const FOLDERS = ['generated', '.github/workflows'];

/** A repository with FILES committed, outside the folders too; its root. */
function committed(): string {
  const scratch = scratchCopy();
  cleanups.push(scratch.cleanup);
  const root = scratch.dir;
  git(root, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(FILES)) write(root, path, text);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  return root;
}

/** What cleanIndexBlobs says for a committed, untouched tree, but for the paths left out. */
function allBut(...left: string[]): Map<string, string> {
  return new Map(
    Object.entries(FILES)
      .filter(([path]) => !path.startsWith('services/') && !left.includes(path))
      .map(([path, text]) => [path, blobOf(text)]),
  );
}

describe('cleanIndexBlobs: the files git vouches are byte for byte their index blob', () => {
  it('names every committed regular file of the folders with its blob id, and nothing outside them', () => {
    const root = committed();
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut());
  });

  it('leaves out a file modified but not staged, a deleted file and a file replaced by a folder', () => {
    const root = committed();
    write(root, 'generated/a/one.yaml', 'one: 11\n');
    rmSync(join(root, 'generated/a/two.yaml'));
    rmSync(join(root, 'generated/b/three.tf'));
    mkdirSync(join(root, 'generated/b/three.tf'));
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml', 'generated/a/two.yaml', 'generated/b/three.tf'));
  });

  it('names a file staged with other bytes under its new blob, never the committed one', () => {
    const root = committed();
    write(root, 'generated/a/one.yaml', 'one: forged\n');
    git(root, 'add', 'generated/a/one.yaml');
    expect(cleanIndexBlobs(root, FOLDERS)?.get('generated/a/one.yaml')).toBe(blobOf('one: forged\n'));
  });

  it('leaves out a file marked assume-unchanged or skip-worktree, even with its bytes untouched', () => {
    const root = committed();
    git(root, 'update-index', '--assume-unchanged', 'generated/a/one.yaml');
    git(root, 'update-index', '--skip-worktree', 'generated/a/two.yaml');
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml', 'generated/a/two.yaml'));
    write(root, 'generated/a/one.yaml', 'one: 11\n');
    write(root, 'generated/a/two.yaml', 'two: 22\n');
    // git itself now calls both unchanged.
    expect(git(root, 'diff-files', '--name-only')).toBe('');
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml', 'generated/a/two.yaml'));
  });

  it('leaves out a link committed as a generated file, a file replaced by a link, and a file reached through a linked folder', () => {
    const root = committed();
    symlinkSync('one.yaml', join(root, 'generated/a/link.yaml'));
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'link');
    rmSync(join(root, 'generated/a/two.yaml'));
    symlinkSync('one.yaml', join(root, 'generated/a/two.yaml'));
    execFileSync('mv', [join(root, 'generated/b'), join(root, 'elsewhere')]);
    symlinkSync('../elsewhere', join(root, 'generated/b'));
    expect(readFileSync(join(root, 'generated/b/three.tf'), 'utf8')).toBe(FILES['generated/b/three.tf']);
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/two.yaml', 'generated/b/three.tf'));
  });

  it('leaves out a file rewritten with the same size and its times set back', () => {
    const root = committed();
    const path = join(root, 'generated/a/one.yaml');
    const before = statSync(path);
    writeFileSync(path, 'one: 9\n');
    utimesSync(path, before.atime, before.mtime);
    expect(statSync(path).size).toBe(before.size);
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml'));
  });

  it('leaves out a conflicted path', () => {
    const root = committed();
    const blob = blobOf(FILES['generated/a/one.yaml']!);
    git(root, 'update-index', '--force-remove', 'generated/a/one.yaml');
    execFileSync('git', ['-C', root, 'update-index', '--index-info'], {
      input: [1, 2, 3].map((stage) => `100644 ${blob} ${stage}\tgenerated/a/one.yaml\n`).join(''),
    });
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml'));
  });

  it('leaves out files whose bytes an attribute converts, and answers nothing while core.autocrlf is on', () => {
    const root = committed();
    write(root, '.gitattributes', 'generated/a/one.yaml text eol=crlf\ngenerated/a/two.yaml filter=anything\ngenerated/b/** linguist-generated\n');
    // A harmless attribute (linguist-generated) leaves a file vouched for.
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut('generated/a/one.yaml', 'generated/a/two.yaml'));
    rmSync(join(root, '.gitattributes'));
    git(root, 'config', 'core.autocrlf', 'input');
    expect(cleanIndexBlobs(root, FOLDERS)).toBeUndefined();
    git(root, 'config', 'core.autocrlf', 'false');
    expect(cleanIndexBlobs(root, FOLDERS)).toEqual(allBut());
  });

  it('reads core.autocrlf as git does: a bare `autocrlf` is true, and every spelling of false is off', () => {
    const root = committed();
    const config = join(root, '.git', 'config');
    const before = readFileSync(config, 'utf8');
    writeFileSync(config, `${before}[core]\n\tautocrlf\n`);
    expect(git(root, 'config', '--get', '--type=bool', 'core.autocrlf')).toBe('true');
    expect(cleanIndexBlobs(root, FOLDERS)).toBeUndefined();
    for (const off of ['', 'no', 'Off', '0', 'FALSE']) {
      writeFileSync(config, `${before}[core]\n\tautocrlf = ${off}\n`);
      expect(cleanIndexBlobs(root, FOLDERS), off).toEqual(allBut());
    }
    for (const on of ['yes', '1', 'input']) {
      writeFileSync(config, `${before}[core]\n\tautocrlf = ${on}\n`);
      expect(cleanIndexBlobs(root, FOLDERS), on).toBeUndefined();
    }
  });

  it('answers for a root below the top of the work tree, with paths relative to that root, a space in its name kept', () => {
    for (const folder of ['repo', ' repo']) {
      const scratch = scratchCopy();
      cleanups.push(scratch.cleanup);
      git(scratch.dir, 'init', '-q', '-b', 'main');
      for (const [path, text] of Object.entries(FILES)) write(scratch.dir, `${folder}/${path}`, text);
      git(scratch.dir, 'add', '-A');
      git(scratch.dir, 'commit', '-q', '-m', 'base');
      write(scratch.dir, `${folder}/generated/a/one.yaml`, 'one: 11\n');
      expect(cleanIndexBlobs(join(scratch.dir, folder), FOLDERS), folder).toEqual(allBut('generated/a/one.yaml'));
    }
  });

  it('reads an output folder as a plain path, not a pattern', () => {
    const root = committed();
    write(root, 'gen*/x.yaml', 'x: 1\n');
    write(root, 'genx/y.yaml', 'y: 1\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'patterns');
    expect(cleanIndexBlobs(root, ['gen*'])).toEqual(new Map([['gen*/x.yaml', blobOf('x: 1\n')]]));
  });

  it('answers nothing outside a git work tree', () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    write(scratch.dir, 'generated/a/one.yaml', 'one: 1\n');
    expect(() => git(scratch.dir, 'rev-parse', '--git-dir')).toThrow();
    expect(cleanIndexBlobs(scratch.dir, FOLDERS)).toBeUndefined();
  });
});

describe('gitWorkTreePrefix: the root inside a work tree, from rev-parse', () => {
  it('gives the prefix as git printed it, a leading or trailing space kept, and nothing outside a work tree', () => {
    expect(gitWorkTreePrefix('true\n\n')).toBe('');
    expect(gitWorkTreePrefix('true\ninfra/\n')).toBe('infra/');
    expect(gitWorkTreePrefix('true\n infra /\n')).toBe(' infra /');
    // A bare repository, whichever git found it (gits before 2.38 ignore safe.bareRepository).
    expect(gitWorkTreePrefix('false\n\n')).toBeUndefined();
    expect(gitWorkTreePrefix('true\nin\nfra/\n')).toBeUndefined();
    expect(gitWorkTreePrefix(undefined)).toBeUndefined();
  });
});
