import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { main } from '../../../cli/main.js';
import { compile } from '../../../compiler/compile.js';
import { diskWriting, realDisk, type Disk, type WriteChunk } from '../../../compiler/write/disk.js';
import { WriteError } from '../../../compiler/write/errors.js';
import { inspectTree } from '../../../compiler/write/inspect.js';
import { lockOwner } from '../../../compiler/write/lock.js';
import { readManifest } from '../../../compiler/write/manifest.js';
import { LOCK_FILE } from '../../../spec/layout.js';
import { writeTree } from '../../../compiler/write/tree.js';
import { REPO, readTree, scratchCopy, writeEmbeddedPlatform } from '../../support/helpers.js';

/**
 * Red team, class "writer": a repository whose output folders were prepared by
 * a hostile commit (links to /elsewhere and /proc/self, FIFOs, a tampered
 * manifest, planted temporary names and locks, files nobody generated) and a
 * disk that fills up, fails or writes short. paved must never read, print,
 * change or delete anything outside what it owns, never hang, never keep a
 * truncated file, and report every file it did not generate.
 */

const BIN = join(REPO, 'bin', 'paved.js');
const MINIMAL = join(REPO, 'examples', 'minimal');
const SHOP = join(REPO, 'examples', 'shop');
const MANIFEST = 'generated/.paved-manifest.json';
/** The contents of every file outside the root: it must surface nowhere. */
const SECRET = 'TOPSECRET-outside-the-root-4b1d';
const ENV_SECRET = 'ghp_redteamTokenFromTheEnvironment0042';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

interface Sandbox {
  /** The repository paved compiles. */
  readonly root: string;
  /** A folder outside the root holding files a hostile commit points at. */
  readonly outside: string;
}

/** A copy of an example, compiled once (unless `compiled` is false), beside a folder of secrets. */
async function sandbox(example = MINIMAL, compiled = true): Promise<Sandbox> {
  const scratch = scratchCopy();
  cleanups.push(scratch.cleanup);
  const root = join(scratch.dir, 'repo');
  const outside = join(scratch.dir, 'outside');
  execFileSync('cp', ['-r', example, root]);
  for (const output of ['generated', '.github']) rmSync(join(root, output), { recursive: true, force: true });
  writeEmbeddedPlatform(root);
  mkdirSync(join(outside, 'c'), { recursive: true });
  for (const name of ['victim.txt', 'deployment.yaml', 'catalog-info.yaml', 'c/victim.txt', 'paved-hello.yml'])
    writeFileSync(join(outside, name), `${SECRET} ${name}\n`);
  if (compiled) {
    const first = await run(['compile', root], root);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
  }
  return { root, outside };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in this process, optionally writing through `disk`. */
async function run(args: readonly string[], cwd: string, disk?: Disk): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...(disk ? { disk } : {}) });
  return { code, stdout, stderr };
}

/** The real CLI in a child process, as CI runs it, with a credential in its environment. */
function cli(args: readonly string[], cwd: string): Run & { readonly ms: number } {
  const started = Date.now();
  const child = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI_TOKEN: ENV_SECRET } });
  expect(child.error, 'the CLI hung or could not start').toBeUndefined();
  return { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr, ms: Date.now() - started };
}

/** Every entry below `dir` as lstat sees it, following no link: links by target, files by contents. */
function snapshot(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = relative === '' ? name : `${relative}/${name}`;
      const stat = lstatSync(join(dir, path));
      if (stat.isSymbolicLink()) found.set(path, `-> ${readlinkSync(join(dir, path))}`);
      else if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) found.set(path, `${readFileSync(join(dir, path), 'utf8')} @${stat.mtimeMs}`);
      else found.set(path, `special @${stat.mtimeMs}`);
    }
  };
  walk('');
  return found;
}

function addToManifest(root: string, ...paths: unknown[]): void {
  const file = join(root, MANIFEST);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { files: unknown[] };
  for (const path of paths) manifest.files.push({ path, sha256: '0'.repeat(64), source: 'services/hello/service.yaml' });
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** The secrets outside the root appear in no output and in no file under the root. */
function expectNoSecret(sb: Sandbox, ...outputs: string[]): void {
  for (const output of outputs) {
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(ENV_SECRET);
  }
  for (const [path, contents] of snapshot(sb.root)) expect(contents.includes(SECRET) || contents.includes(ENV_SECRET), path).toBe(false);
}

const refusal = (...lines: string[]): string =>
  `paved: refused: paved follows no symbolic link, and reads, replaces or deletes only regular files:\n${lines.map((l) => `  ${l}\n`).join('')}remove what stands in the way (or the entries from ${MANIFEST}), then run paved again\n`;

const badManifest = (...lines: string[]): string =>
  `paved: ${MANIFEST} lists paths paved can never own; it neither reads nor deletes them:\n${lines.map((l) => `  ${l}\n`).join('')}remove these entries (or restore the manifest from version control), then run paved again\n`;

const LINK_PARENT = 'is a symbolic link; paved writes only into real directories inside the repository';

const unlistedMessage = (path: string, type?: string): string =>
  `not generated by paved${type ? ` (${type}, which paved never follows)` : ''}: ${MANIFEST} does not list it, yet Argo CD, kubectl and GitHub act on what is in these folders`;
const UNLISTED_HINT = 'delete it or move it out (paved never deletes what it does not own)';
/** How compile warns about such a file. */
const unlistedLine = (path: string, type?: string): string => `${path}: ${unlistedMessage(path, type)}; ${UNLISTED_HINT}`;
/** How check reports it: a CHECK.UNLISTED diagnostic. */
const unlistedCheck = (path: string, type?: string): string => `${path}: error CHECK.UNLISTED ${unlistedMessage(path, type)}\n  hint: ${UNLISTED_HINT}\n`;
const TEMPORARY = ['not generated by paved: a temporary file left by an interrupted compile', 'paved compile removes it'] as const;

describe('manifest entries that can never be paved files are refused, never read or deleted', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['a ".." escape to the repository', 'generated/../README.md', 'it has an empty, "." or ".." segment'],
    ['a deep ".." escape out of the root', 'generated/hello/../../../outside/victim.txt', 'it has an empty, "." or ".." segment'],
    ['a trailing ".."', 'generated/..', 'it has an empty, "." or ".." segment'],
    ['an absolute path', '/etc/passwd', 'not a relative POSIX path'],
    ['a /proc path', '/proc/self/environ', 'not a relative POSIX path'],
    ['a "." segment', 'generated/./hello/catalog-info.yaml', 'it has an empty, "." or ".." segment'],
    ['an empty segment', 'generated//README.md', 'it has an empty, "." or ".." segment'],
    ['an empty path', '', 'not a relative POSIX path'],
    ['backslashes', 'generated\\..\\README.md', 'not a relative POSIX path'],
    ['a NUL byte', 'generated/x\u0000/../../README.md', 'not a relative POSIX path'],
    ['a file beside the output folders', 'README.md', 'it is not inside generated/ and not a paved-* workflow in .github/workflows/'],
    ["the team's own workflow", '.github/workflows/ci.yml', 'it is not inside generated/ and not a paved-* workflow in .github/workflows/'],
    [
      'a paved-* name below the workflows folder',
      '.github/workflows/sub/paved-x.yml',
      'it is not inside generated/ and not a paved-* workflow in .github/workflows/',
    ],
    ['the output folder itself', 'generated', 'it is not inside generated/ and not a paved-* workflow in .github/workflows/'],
    ["paved's own manifest", MANIFEST, "it is paved's own .paved-manifest.json"],
    ["paved's own lock", `generated/${LOCK_FILE}`, "it is paved's own .paved-lock"],
  ];

  it.each(cases)('%s (%j): compile and check exit 1 naming the manifest and the entry, and touch nothing', async (_, entry, problem) => {
    const sb = await sandbox();
    writeFileSync(join(sb.root, 'README.md'), `${SECRET} readme\n`);
    mkdirSync(join(sb.root, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(sb.root, '.github', 'workflows', 'ci.yml'), `${SECRET} ci\n`);
    addToManifest(sb.root, entry);
    const before = snapshot(join(sb.root, '..'));
    const expected = badManifest(`${JSON.stringify(entry)}: ${problem}`);
    for (const command of ['compile', 'check']) {
      const result = await run([command, sb.root], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.stdout).toBe('');
      expect(result.code).toBe(1);
    }
    expect(snapshot(join(sb.root, '..'))).toEqual(before);
  });

  it('lists every bad entry at once, including entries without a path or hash', async () => {
    const sb = await sandbox();
    const file = join(sb.root, MANIFEST);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { files: unknown[] };
    manifest.files.push({ path: 42, sha256: 'x' }, { path: 'generated/ok.yaml' }, { path: '/root/.ssh/id_rsa', sha256: 'x' }, null);
    writeFileSync(file, JSON.stringify(manifest));
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(
      badManifest(
        '42: an entry without a path',
        '"generated/ok.yaml": an entry without a sha256',
        '"/root/.ssh/id_rsa": not a relative POSIX path',
        'undefined: an entry without a path',
      ),
    );
    expect(result.code).toBe(1);
  });

  it('paved diff refuses the same manifest instead of walking it', async () => {
    const sb = await sandbox();
    committed(sb.root);
    addToManifest(sb.root, '/proc/self/environ');
    const result = await run(['diff', '--base', 'HEAD', sb.root], sb.root);
    expect(result.stderr).toBe(badManifest('"/proc/self/environ": not a relative POSIX path'));
    expect(result.code).toBe(1);
  });
});

describe('manifest entries under a symbolic link are never read or deleted (the reproduction, through the real CLI)', () => {
  it('generated/zz -> /elsewhere with an entry generated/zz/victim.txt: compile deletes nothing outside, check prints nothing of it', async () => {
    const sb = await sandbox();
    symlinkSync(sb.outside, join(sb.root, 'generated', 'zz'));
    addToManifest(sb.root, 'generated/zz/victim.txt');
    const outside = snapshot(sb.outside);
    const expected = refusal(`${MANIFEST} lists generated/zz/victim.txt, but generated/zz is a symbolic link; paved will neither read nor delete it`);
    const compiled = cli(['compile', '.'], sb.root);
    expect(compiled.stderr).toBe(expected);
    expect(compiled.code).toBe(1);
    const checked = cli(['check', '.'], sb.root);
    expect(checked.stderr).toBe(expected);
    expect(checked.stdout).toBe('');
    expect(checked.code).toBe(1);
    expect(snapshot(sb.outside)).toEqual(outside);
    expectNoSecret(sb, compiled.stdout, compiled.stderr, checked.stdout);
  });

  it('generated/pp -> /proc/self with an entry generated/pp/environ: check never prints the environment (CI token)', async () => {
    const sb = await sandbox();
    symlinkSync('/proc/self', join(sb.root, 'generated', 'pp'));
    addToManifest(sb.root, 'generated/pp/environ');
    const expected = refusal(`${MANIFEST} lists generated/pp/environ, but generated/pp is a symbolic link; paved will neither read nor delete it`);
    for (const command of ['check', 'compile']) {
      const result = cli([command, '.'], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.code).toBe(1);
      expectNoSecret(sb, result.stdout, result.stderr);
    }
  });

  it('a link two folders down: generated/a/b -> /elsewhere with an entry generated/a/b/c/victim.txt', async () => {
    const sb = await sandbox();
    mkdirSync(join(sb.root, 'generated', 'a'));
    symlinkSync(sb.outside, join(sb.root, 'generated', 'a', 'b'));
    addToManifest(sb.root, 'generated/a/b/c/victim.txt');
    const outside = snapshot(sb.outside);
    const result = cli(['compile', '.'], sb.root);
    expect(result.stderr).toBe(
      refusal(`${MANIFEST} lists generated/a/b/c/victim.txt, but generated/a/b is a symbolic link; paved will neither read nor delete it`),
    );
    expect(result.code).toBe(1);
    expect(snapshot(sb.outside)).toEqual(outside);
  });

  it('a workflow entry under a linked .github folder', async () => {
    const sb = await sandbox();
    const real = join(sb.root, '.github');
    rmSync(real, { recursive: true });
    mkdirSync(join(sb.outside, 'workflows'));
    writeFileSync(join(sb.outside, 'workflows', 'paved-hello.yml'), `${SECRET} workflow\n`);
    symlinkSync(sb.outside, real);
    const outside = snapshot(sb.outside);
    for (const command of ['compile', 'check']) {
      const result = await run([command, sb.root], sb.root);
      expect(result.stderr).toBe(`paved: .github ${LINK_PARENT}\n`);
      expect(result.code).toBe(1);
      expectNoSecret(sb, result.stdout);
    }
    expect(snapshot(sb.outside)).toEqual(outside);
  });

  it('several bad entries are all named, in path order, and nothing is deleted', async () => {
    const sb = await sandbox();
    symlinkSync(sb.outside, join(sb.root, 'generated', 'zz'));
    symlinkSync(join(sb.outside, 'c'), join(sb.root, 'generated', 'hello', 'cc'));
    addToManifest(sb.root, 'generated/zz/victim.txt', 'generated/hello/cc/victim.txt', 'generated/zz/deployment.yaml');
    const outside = snapshot(sb.outside);
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(
      refusal(
        `${MANIFEST} lists generated/hello/cc/victim.txt, but generated/hello/cc is a symbolic link; paved will neither read nor delete it`,
        `${MANIFEST} lists generated/zz/deployment.yaml, but generated/zz is a symbolic link; paved will neither read nor delete it`,
        `${MANIFEST} lists generated/zz/victim.txt, but generated/zz is a symbolic link; paved will neither read nor delete it`,
      ),
    );
    expect(result.code).toBe(1);
    expect(snapshot(sb.outside)).toEqual(outside);
  });
});

describe('a symbolic link above a planned file: nothing written through it, nothing read through it', () => {
  it('generated/hello -> /elsewhere before the first compile: nothing created outside', async () => {
    const sb = await sandbox(MINIMAL, false);
    mkdirSync(join(sb.root, 'generated'));
    symlinkSync(sb.outside, join(sb.root, 'generated', 'hello'));
    const outside = snapshot(sb.outside);
    const result = cli(['compile', '.'], sb.root);
    expect(result.stderr).toBe(refusal(`generated/hello ${LINK_PARENT}`));
    expect(result.code).toBe(1);
    expect(snapshot(sb.outside)).toEqual(outside);
    expect(existsSync(join(sb.root, MANIFEST))).toBe(false);
  });

  it.each(['generated/hello/kubernetes/production', 'generated/hello', 'generated/grafana', 'generated/hello/terraform/env'])(
    '%s swapped for a link to a folder of secrets named like the planned files: check prints none of them, compile writes nothing',
    async (folder) => {
      const sb = await sandbox();
      const real = join(sb.root, folder);
      rmSync(real, { recursive: true });
      symlinkSync(sb.outside, real);
      const outside = snapshot(sb.outside);
      const expected = refusal(`${folder} ${LINK_PARENT}`);
      const checked = cli(['check', '.'], sb.root);
      expect(checked.stderr).toBe(expected);
      expect(checked.stdout).toBe('');
      expect(checked.code).toBe(1);
      const compiled = cli(['compile', '.'], sb.root);
      expect(compiled.stderr).toBe(expected);
      expect(compiled.code).toBe(1);
      expect(snapshot(sb.outside)).toEqual(outside);
      expectNoSecret(sb, checked.stdout, compiled.stdout);
    },
  );

  it('a regular file where a planned folder goes is refused, not written through', async () => {
    const sb = await sandbox();
    rmSync(join(sb.root, 'generated', 'hello', 'alerts'), { recursive: true });
    writeFileSync(join(sb.root, 'generated', 'hello', 'alerts'), 'a file\n');
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(refusal('generated/hello/alerts is not a directory; paved writes only into real directories inside the repository'));
    expect(result.code).toBe(1);
    expect(readFileSync(join(sb.root, 'generated', 'hello', 'alerts'), 'utf8')).toBe('a file\n');
  });

  it('an incremental compile does not keep files whose folder became a link', async () => {
    const sb = await sandbox(MINIMAL, false);
    execFileSync('git', ['init', '-q', sb.root]);
    expect((await run(['compile', sb.root], sb.root)).code).toBe(0);
    // The same files, moved and linked back: their stamps (inode, times) still match.
    const real = join(sb.root, 'generated', 'hello', 'kubernetes');
    renameSync(real, join(sb.outside, 'kubernetes'));
    symlinkSync(join(sb.outside, 'kubernetes'), real);
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(refusal(`generated/hello/kubernetes ${LINK_PARENT}`));
    expect(result.code).toBe(1);
  });
});

describe('a symbolic link or FIFO where a file is: never followed, opened or replaced', () => {
  it('a planned file that is a link to a secret outside: refused by compile and check, the secret never printed', async () => {
    const sb = await sandbox();
    const planned = join(sb.root, 'generated', 'hello', 'catalog-info.yaml');
    unlinkSync(planned);
    symlinkSync(join(sb.outside, 'catalog-info.yaml'), planned);
    const outside = snapshot(sb.outside);
    const expected = refusal('generated/hello/catalog-info.yaml exists and is not a regular file (a symbolic link); paved will not replace it');
    for (const command of ['check', 'compile']) {
      const result = cli([command, '.'], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.code).toBe(1);
      expectNoSecret(sb, result.stdout);
    }
    expect(snapshot(sb.outside)).toEqual(outside);
    expect(lstatSync(planned).isSymbolicLink()).toBe(true);
  });

  it('a planned file that is a link to /proc/self/environ: check never prints the environment', async () => {
    const sb = await sandbox();
    const planned = join(sb.root, 'generated', 'hello', 'kubernetes', 'production', 'deployment.yaml');
    unlinkSync(planned);
    symlinkSync('/proc/self/environ', planned);
    const result = cli(['check', '.'], sb.root);
    expect(result.stderr).toBe(
      refusal('generated/hello/kubernetes/production/deployment.yaml exists and is not a regular file (a symbolic link); paved will not replace it'),
    );
    expect(result.code).toBe(1);
    expectNoSecret(sb, result.stdout, result.stderr);
  });

  it('an owned file no longer planned (an orphan) that is now a link: neither read nor deleted, nor its target', async () => {
    const sb = await sandbox();
    symlinkSync(join(sb.outside, 'victim.txt'), join(sb.root, 'generated', 'old.yaml'));
    addToManifest(sb.root, 'generated/old.yaml');
    const outside = snapshot(sb.outside);
    const expected = refusal(`${MANIFEST} lists generated/old.yaml, but it is a symbolic link, not a regular file; paved will neither read nor delete it`);
    for (const command of ['check', 'compile']) {
      const result = cli([command, '.'], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.code).toBe(1);
      expectNoSecret(sb, result.stdout);
    }
    expect(snapshot(sb.outside)).toEqual(outside);
    expect(lstatSync(join(sb.root, 'generated', 'old.yaml')).isSymbolicLink()).toBe(true);
  });

  it('a manifest that is a link to a file outside is not read', async () => {
    const sb = await sandbox();
    const manifest = join(sb.root, MANIFEST);
    writeFileSync(join(sb.outside, 'manifest.json'), JSON.stringify({ version: 1, files: [{ path: 'generated/x', sha256: SECRET, source: SECRET }] }));
    unlinkSync(manifest);
    symlinkSync(join(sb.outside, 'manifest.json'), manifest);
    for (const command of ['check', 'compile']) {
      const result = await run([command, sb.root], sb.root);
      expect(result.stderr).toBe(
        `paved: ${MANIFEST} is a symbolic link, not a regular file; paved will not read it. Restore the manifest from version control or delete it\n`,
      );
      expect(result.code).toBe(1);
      expectNoSecret(sb, result.stdout);
    }
  });

  it('a FIFO at a planned path: compile and check refuse at once, without opening it', async () => {
    const sb = await sandbox();
    const planned = join(sb.root, 'generated', 'hello', 'kubernetes', 'staging', 'deployment.yaml');
    unlinkSync(planned);
    mkfifo(planned);
    const expected = refusal('generated/hello/kubernetes/staging/deployment.yaml exists and is not a regular file (a FIFO); paved will not replace it');
    for (const command of ['check', 'compile']) {
      const result = cli([command, '.'], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.code).toBe(1);
      expect(result.ms).toBeLessThan(30_000);
    }
    expect(lstatSync(planned).isFIFO()).toBe(true);
  });

  it('a FIFO at an orphan path: neither opened nor deleted', async () => {
    const sb = await sandbox();
    mkfifo(join(sb.root, 'generated', 'hello', 'gone.yaml'));
    addToManifest(sb.root, 'generated/hello/gone.yaml');
    const expected = refusal(`${MANIFEST} lists generated/hello/gone.yaml, but it is a FIFO, not a regular file; paved will neither read nor delete it`);
    for (const command of ['check', 'compile']) {
      const result = cli([command, '.'], sb.root);
      expect(result.stderr).toBe(expected);
      expect(result.code).toBe(1);
    }
    expect(lstatSync(join(sb.root, 'generated', 'hello', 'gone.yaml')).isFIFO()).toBe(true);
  });

  it('a FIFO as the manifest: refused, not opened', async () => {
    const sb = await sandbox();
    unlinkSync(join(sb.root, MANIFEST));
    mkfifo(join(sb.root, MANIFEST));
    const result = cli(['compile', '.'], sb.root);
    expect(result.stderr).toBe(
      `paved: ${MANIFEST} is a FIFO, not a regular file; paved will not read it. Restore the manifest from version control or delete it\n`,
    );
    expect(result.code).toBe(1);
  });

  it('a directory at an orphan path is neither read nor removed', async () => {
    const sb = await sandbox();
    mkdirSync(join(sb.root, 'generated', 'hello', 'gone.yaml'));
    writeFileSync(join(sb.root, 'generated', 'hello', 'gone.yaml', 'keep'), 'mine\n');
    addToManifest(sb.root, 'generated/hello/gone.yaml');
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(
      refusal(`${MANIFEST} lists generated/hello/gone.yaml, but it is a directory, not a regular file; paved will neither read nor delete it`),
    );
    expect(result.code).toBe(1);
    expect(readFileSync(join(sb.root, 'generated', 'hello', 'gone.yaml', 'keep'), 'utf8')).toBe('mine\n');
  });
});

/** A disk that records the temporary names the writer asks for. */
function recordingDisk(names: string[], inner: Disk = realDisk): Disk {
  return { ...inner, writeFile: (path, contents, durable) => (names.push(path), inner.writeFile(path, contents, durable)) };
}

/** Changes what every Kubernetes file of examples/minimal holds (the owner label). */
function changeOwner(root: string, owner: string): void {
  const spec = join(root, 'services', 'hello', 'service.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^owner: .*$/m, `owner: ${owner}`));
}

describe('temporary files: unpredictable names, created new, never following what is planted there', () => {
  it('names are .<file>.paved-<16 random hex>.tmp beside the target, never twice the same', async () => {
    const sb = await sandbox();
    const names: string[] = [];
    changeOwner(sb.root, 'team-one');
    expect((await run(['compile', sb.root], sb.root, recordingDisk(names))).code).toBe(0);
    changeOwner(sb.root, 'team-two');
    expect((await run(['compile', sb.root], sb.root, recordingDisk(names))).code).toBe(0);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(name.split('/').pop()).toMatch(/^\..+\.paved-[0-9a-f]{16}\.tmp$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => n.includes(`paved-${process.pid}.tmp`))).toBe(false);
  });

  it('links planted at the old predictable names (.<file>.paved-<pid>.tmp) are not followed: the targets outside are untouched', async () => {
    const sb = await sandbox();
    const outside = snapshot(sb.outside);
    const planted = ['generated/hello/catalog-info.yaml', 'generated/hello/kubernetes/production/deployment.yaml', MANIFEST].map((p) => {
      const [dir, file] = [p.slice(0, p.lastIndexOf('/')), p.slice(p.lastIndexOf('/') + 1)];
      const link = `${dir}/.${file}.paved-${process.pid}.tmp`;
      symlinkSync(join(sb.outside, 'victim.txt'), join(sb.root, link));
      return link;
    });
    changeOwner(sb.root, 'team-planted');
    const result = await run(['compile', sb.root], sb.root);
    expect(result.code).toBe(0);
    // Reported as what they are, and left alone.
    expect(result.stderr).toBe(
      planted
        .sort()
        .map((p) => `paved: warning: ${unlistedLine(p, 'a symbolic link')}\n`)
        .join(''),
    );
    expect(snapshot(sb.outside)).toEqual(outside);
  });

  it('a FIFO planted at the old predictable name does not hang the compile', async () => {
    const sb = await sandbox();
    mkfifo(join(sb.root, 'generated', 'hello', `.catalog-info.yaml.paved-${process.pid}.tmp`));
    changeOwner(sb.root, 'team-fifo');
    const result = await run(['compile', sb.root], sb.root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`paved: warning: ${unlistedLine(`generated/hello/.catalog-info.yaml.paved-${process.pid}.tmp`, 'a FIFO')}\n`);
  });

  it.each([
    ['a link to a file outside', (path: string, sb: Sandbox) => symlinkSync(join(sb.outside, 'victim.txt'), path)],
    ['a dangling link', (path: string, sb: Sandbox) => symlinkSync(join(sb.outside, 'not-yet'), path)],
    ['a FIFO', (path: string) => mkfifo(path)],
    ['a regular file', (path: string) => writeFileSync(path, 'planted\n')],
  ])('the disk refuses to create a temporary where %s stands (EEXIST), without following or opening it', async (_, plant) => {
    const sb = await sandbox();
    const path = join(sb.root, 'generated', '.x.paved-0123456789abcdef.tmp');
    plant(path, sb);
    const outside = snapshot(sb.outside);
    expect(() => realDisk.writeFile(path, 'written\n')).toThrow(/EEXIST/);
    expect(snapshot(sb.outside)).toEqual(outside);
    expect(existsSync(join(sb.outside, 'not-yet'))).toBe(false);
  });

  it('when something stands at the random name, the writer picks another and leaves the planted file alone', async () => {
    const sb = await sandbox();
    const planted: string[] = [];
    // Plants a file at the exact name the writer chose, as if the attacker had guessed it.
    const guessing: Disk = {
      ...realDisk,
      writeFile(path, contents, durable) {
        if (planted.length < 2) {
          writeFileSync(path, `${SECRET} guessed\n`);
          planted.push(path);
        }
        realDisk.writeFile(path, contents, durable);
      },
    };
    changeOwner(sb.root, 'team-guess');
    const result = await run(['compile', sb.root], sb.root, guessing);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const path of planted) expect(readFileSync(path, 'utf8')).toBe(`${SECRET} guessed\n`);
    expect(readFileSync(join(sb.root, MANIFEST), 'utf8')).not.toContain(SECRET);
    expect((await run(['check', sb.root], sb.root)).stdout).toContain(`error CHECK.UNLISTED ${TEMPORARY[0]}\n  hint: ${TEMPORARY[1]}\n`);
  });

  it('leftover temporaries (regular files with the name) are removed; a link with the name is reported, not followed', async () => {
    const sb = await sandbox();
    const leftovers = [
      'generated/hello/.catalog-info.yaml.paved-00112233445566ff.tmp',
      `generated/..paved-manifest.json.paved-aabbccddeeff0011.tmp`,
      '.github/workflows/.paved-hello.yml.paved-0f0f0f0f0f0f0f0f.tmp',
    ];
    for (const path of leftovers) writeFileSync(join(sb.root, path), 'half a fi');
    const link = 'generated/hello/.deployment.yaml.paved-ffffffffffffffff.tmp';
    symlinkSync(join(sb.outside, 'victim.txt'), join(sb.root, link));
    const checked = await run(['check', sb.root], sb.root);
    expect(checked.stdout).toBe(
      [
        ...leftovers.map((p) => [p, `${p}: error CHECK.UNLISTED ${TEMPORARY[0]}\n  hint: ${TEMPORARY[1]}\n`] as const),
        [link, unlistedCheck(link, 'a symbolic link')] as const,
      ]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([, text]) => text)
        .join('') + 'paved: 4 files in the generated folders are not generated by paved; remove them\n',
    );
    expect(checked.code).toBe(1);
    const outside = snapshot(sb.outside);
    const compiled = await run(['compile', sb.root], sb.root);
    expect(compiled.code).toBe(0);
    expect(compiled.stderr).toBe(`paved: warning: ${unlistedLine(link, 'a symbolic link')}\n`);
    for (const path of leftovers) expect(existsSync(join(sb.root, path))).toBe(false);
    expect(lstatSync(join(sb.root, link)).isSymbolicLink()).toBe(true);
    expect(snapshot(sb.outside)).toEqual(outside);
  });
});

const errno = (code: string, text: string): Error => Object.assign(new Error(`${code}: ${text}, write`), { code, syscall: 'write' });

/**
 * A disk whose `call`-th write(2) (counting from 0, over the whole compile) does
 * what `fail` says; every other write goes to the real disk.
 */
function faultyDisk(failAt: number, fail: (fd: number, buffer: Uint8Array, offset: number, length: number) => number): Disk & { readonly targets: string[] } {
  let calls = 0;
  const targets: string[] = [];
  const write: WriteChunk = (fd, buffer, offset, length) => (calls++ === failAt ? fail(fd, buffer, offset, length) : writeSync(fd, buffer, offset, length));
  const inner = diskWriting(write);
  return { ...inner, targets, writeFile: (path, contents, durable) => (targets.push(path), inner.writeFile(path, contents, durable)) };
}

/** The file a temporary stands for: `.deployment.yaml.paved-<hex>.tmp` -> `deployment.yaml`. */
const targetOf = (temporary: string): string => temporary.replace(/\/\.([^/]+)\.paved-[0-9a-f]{16}\.tmp$/, '/$1');

describe('a disk that fills up, fails or writes short: exit 2, old files intact, and the next compile converges', () => {
  /** The tree as compiled, the spec changed so every Kubernetes file is rewritten. */
  async function changedTree(): Promise<{ sb: Sandbox; before: Map<string, string> }> {
    const sb = await sandbox();
    const before = readTree(join(sb.root, 'generated'));
    changeOwner(sb.root, 'team-changed');
    return { sb, before };
  }

  async function expectConverges(sb: Sandbox): Promise<void> {
    const again = await run(['compile', sb.root], sb.root);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const checked = await run(['check', sb.root], sb.root);
    expect(checked.stdout).toMatch(/generated files up to date\n$/);
    expect(checked.code).toBe(0);
  }

  const noTemporaries = (root: string): string[] => [...snapshot(root).keys()].filter((p) => p.endsWith('.tmp') || p.endsWith(LOCK_FILE));

  it.each([
    ['ENOSPC', 'no space left on device'],
    ['EIO', 'i/o error'],
    ['EDQUOT', 'disk quota exceeded'],
  ])('%s on a generated file: exit 2, the tree and its manifest exactly as before (rolled back)', async (code, text) => {
    const { sb, before } = await changedTree();
    // Every file changes, so each goes to a temporary first: write 1 is the second one, cut off half-way.
    const disk = faultyDisk(1, (fd, buffer, offset, length) => {
      writeSync(fd, buffer, offset, Math.floor(length / 2));
      throw errno(code, text);
    });
    const result = await run(['compile', sb.root], sb.root, disk);
    expect(result.stderr).toBe(`paved: cannot write the generated tree: ${code}: ${text}, write\n`);
    expect(result.code).toBe(2);
    expect(readTree(join(sb.root, 'generated'))).toEqual(before);
    expect(readManifest(sb.root, { dir: 'generated', workflowsDir: '.github/workflows' }).pending).toBe(false);
    expect(noTemporaries(sb.root)).toEqual([]);
    await expectConverges(sb);
  });

  it('a short write followed by ENOSPC (what a filling disk does) fails the compile instead of leaving a truncated file with exit 0', async () => {
    const { sb, before } = await changedTree();
    // Write 3 (a generated file) is cut to a third, as a filling disk returns; write 4, the rest of it, finds the disk full.
    let short = false;
    let calls = 0;
    const write: WriteChunk = (fd, buffer, offset, length) => {
      const n = calls++;
      if (n === 3) {
        short = true;
        return writeSync(fd, buffer, offset, Math.floor(length / 3));
      }
      if (n === 4) throw errno('ENOSPC', 'no space left on device');
      return writeSync(fd, buffer, offset, length);
    };
    const targets: string[] = [];
    const inner = diskWriting(write);
    const result = await run(['compile', sb.root], sb.root, { ...inner, writeFile: (p, c, d) => (targets.push(p), inner.writeFile(p, c, d)) });
    expect(short).toBe(true);
    expect(result.stderr).toBe('paved: cannot write the generated tree: ENOSPC: no space left on device, write\n');
    expect(result.code).toBe(2);
    // The file being written when the disk filled up keeps its old bytes.
    const victim = targetOf(targets.at(-1)!).slice(join(sb.root, 'generated').length + 1);
    expect(readFileSync(join(sb.root, 'generated', victim), 'utf8')).toBe(before.get(victim));
    expect(noTemporaries(sb.root)).toEqual([]);
    await expectConverges(sb);
  });

  it('a disk that takes no more bytes (write returns 0) is an EIO, not an endless loop or a short file', async () => {
    const { sb, before } = await changedTree();
    const disk = faultyDisk(1, () => 0);
    const result = await run(['compile', sb.root], sb.root, disk);
    const target = targetOf(disk.targets[1]!);
    const planned = compile({ root: sb.root, emitters }).files.find((f) => join(sb.root, f.path) === target)!;
    expect(result.stderr).toBe(
      `paved: cannot write the generated tree: EIO: the disk took 0 of ${Buffer.byteLength(planned.contents)} bytes and then no more\n`,
    );
    expect(result.code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe(before.get(planned.path.slice('generated/'.length)));
    await expectConverges(sb);
  });

  it('ENOSPC while writing the pending manifest leaves the old manifest and every file as they were', async () => {
    const { sb, before } = await changedTree();
    const disk = faultyDisk(0, () => {
      throw errno('ENOSPC', 'no space left on device');
    });
    const result = await run(['compile', sb.root], sb.root, disk);
    expect(result.code).toBe(2);
    expect(readTree(join(sb.root, 'generated'))).toEqual(before);
    await expectConverges(sb);
  });

  it('EIO on the final manifest: files are new, the manifest still pending and knowing both hashes; the next compile converges', async () => {
    const { sb } = await changedTree();
    const counting = faultyDisk(Number.MAX_SAFE_INTEGER, () => 0);
    // How many writes a successful run makes, in a copy.
    const probe = await sandbox();
    changeOwner(probe.root, 'team-changed');
    expect((await run(['compile', probe.root], probe.root, counting)).code).toBe(0);
    const last = counting.targets.length - 1;
    const disk = faultyDisk(last, () => {
      throw errno('EIO', 'i/o error');
    });
    const result = await run(['compile', sb.root], sb.root, disk);
    expect(result.stderr).toBe('paved: cannot write the generated tree: EIO: i/o error, write\n');
    expect(result.code).toBe(2);
    expect(readManifest(sb.root, { dir: 'generated', workflowsDir: '.github/workflows' }).pending).toBe(true);
    await expectConverges(sb);
  });

  it('short writes that do complete (7 bytes at a time) produce whole files', async () => {
    const { sb } = await changedTree();
    const inner = diskWriting((fd, buffer, offset, length) => writeSync(fd, buffer, offset, Math.min(7, length)));
    const result = await run(['compile', sb.root], sb.root, inner);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const checked = await run(['check', sb.root], sb.root);
    expect(checked.code).toBe(0);
  });
});

describe('the incremental cache verifies what it keeps', () => {
  const BUILD = 'redteam-build';

  function compileWith(root: string, disk?: Disk): ReturnType<typeof compile> {
    const result = compile({ root, emitters, build: BUILD });
    writeTree(root, result.output, result.files, { kept: result.kept, ...(result.cache ? { cache: result.cache } : {}), ...(disk ? { disk } : {}) });
    return result;
  }

  /** A disk that reports success but keeps only the first half of one file: what an unchecked short write did. */
  const lyingDisk = (victim: string): Disk => ({
    ...realDisk,
    writeFile: (path, contents, durable) =>
      realDisk.writeFile(path, targetOf(path).endsWith(victim) ? contents.slice(0, contents.length >> 1) : contents, durable),
  });

  it.each(['kubernetes/production/deployment.yaml', 'catalog-info.yaml', 'terraform/iam.tf'])(
    'a truncated %s is never kept: the next compile re-emits and rewrites it',
    async (victim) => {
      const sb = await sandbox(MINIMAL, false);
      execFileSync('git', ['init', '-q', sb.root]);
      compileWith(sb.root, lyingDisk(victim));
      const path = join(sb.root, 'generated', 'hello', victim);
      const full = compile({ root: sb.root, emitters }).files.find((f) => join(sb.root, f.path) === path)!;
      expect(readFileSync(path, 'utf8').length).toBeLessThan(full.contents.length);
      const second = compileWith(sb.root);
      expect(second.kept.map((k) => k.path)).not.toContain(full.path);
      expect(readFileSync(path, 'utf8')).toBe(full.contents);
      expect(inspectTree(sb.root, second.output, compile({ root: sb.root, emitters }).files).differences).toEqual([]);
    },
  );

  it('the control: files written whole are kept by the next compile', async () => {
    const sb = await sandbox(MINIMAL, false);
    execFileSync('git', ['init', '-q', sb.root]);
    compileWith(sb.root);
    expect(compileWith(sb.root).kept.length).toBeGreaterThan(40);
  });
});

describe('a lock that no running paved compile holds does not block', () => {
  async function lockedTree(lock: (path: string, sb: Sandbox) => void): Promise<{ sb: Sandbox; result: ReturnType<typeof compile> }> {
    const sb = await sandbox();
    changeOwner(sb.root, 'team-locked');
    lock(join(sb.root, 'generated', LOCK_FILE), sb);
    return { sb, result: compile({ root: sb.root, emitters }) };
  }

  const record = (value: object) => (path: string) => writeFileSync(path, `${JSON.stringify(value)}\n`);
  const pid1 = lockOwner(1, 'committed');

  it.each([
    ['a committed lock in the old format naming pid 1', (path: string) => writeFileSync(path, '1\n')],
    ['pid 1 with a start time that is not its own', record({ ...pid1, start: '1' === pid1.start ? '2' : '1' })],
    ['pid 1 recorded on another boot (a lock committed elsewhere)', record({ ...pid1, boot: '00000000-0000-4000-8000-000000000000' })],
    ['pid 1 recorded on another host', record({ ...pid1, host: `${hostname()}-elsewhere` })],
    ['a live pid with no start time or boot', record({ pid: 1, host: hostname(), token: 'x' })],
    ['garbage', (path: string) => writeFileSync(path, '{"pid": "1; rm -rf /"')],
    ['a lock far too large to be a lock', (path: string) => writeFileSync(path, `${JSON.stringify({ ...pid1, pad: 'x'.repeat(10_000) })}`)],
    ['a link to a file outside', (path: string, sb: Sandbox) => symlinkSync(join(sb.outside, 'victim.txt'), path)],
    ['a FIFO', (path: string) => mkfifo(path)],
  ])('%s', async (_, lock) => {
    const { sb, result } = await lockedTree(lock);
    const outside = snapshot(sb.outside);
    const started = Date.now();
    const report = writeTree(sb.root, result.output, result.files, { lockTimeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.written.length).toBeGreaterThan(0);
    expect(existsSync(join(sb.root, 'generated', LOCK_FILE))).toBe(false);
    expect(snapshot(sb.outside)).toEqual(outside);
  });

  it.each([
    ['committed from another machine', { ...pid1, boot: '6f1e0c3a-0000-4000-8000-000000000001', host: 'laptop' }],
    ['naming pid 1 exactly as this machine would record it (boot id, start time): pid 1 is not node', pid1],
  ])('through the CLI: a lock %s does not cost the 30 s wait', async (_, lock) => {
    const sb = await sandbox();
    writeFileSync(join(sb.root, 'generated', LOCK_FILE), `${JSON.stringify(lock)}\n`);
    changeOwner(sb.root, 'team-cli');
    const result = cli(['compile', '.'], sb.root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(20_000);
  });

  it('a live non-paved process recorded on another host does not block', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(() => sleeper.kill('SIGKILL'));
    const { sb, result } = await lockedTree(record({ ...lockOwner(sleeper.pid!), host: 'ci-runner-42' }));
    expect(writeTree(sb.root, result.output, result.files, { lockTimeoutMs: 2_000 }).written.length).toBeGreaterThan(0);
  });

  it('a running process that is not node (sleep), recorded exactly, does not block', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(() => sleeper.kill('SIGKILL'));
    const { sb, result } = await lockedTree(record(lockOwner(sleeper.pid!)));
    expect(writeTree(sb.root, result.output, result.files, { lockTimeoutMs: 2_000 }).written.length).toBeGreaterThan(0);
  });

  it('the control: a lock naming a running node process on this machine, as recorded, blocks until the timeout', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    cleanups.push(() => sleeper.kill('SIGKILL'));
    const { sb, result } = await lockedTree(record(lockOwner(sleeper.pid!)));
    expect(() => writeTree(sb.root, result.output, result.files, { lockTimeoutMs: 300 })).toThrow(
      new WriteError(`another paved compile (pid ${sleeper.pid}) is writing generated; it holds generated/${LOCK_FILE}`, false),
    );
  });

  it('a directory at the lock path is refused with exit 1, not removed', async () => {
    const sb = await sandbox();
    mkdirSync(join(sb.root, 'generated', LOCK_FILE));
    changeOwner(sb.root, 'team-dir');
    const result = await run(['compile', sb.root], sb.root);
    expect(result.stderr).toBe(`paved: generated/${LOCK_FILE} is a directory; remove it, then compile again\n`);
    expect(result.code).toBe(1);
    expect(lstatSync(join(sb.root, 'generated', LOCK_FILE)).isDirectory()).toBe(true);
  });
});

/** Commits the sandbox as it is, so `paved diff --base HEAD` has a base. */
function committed(root: string): void {
  const git = (...args: string[]): void => void execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
}

describe('files nobody generated fail check, show in diff, and are left (with a warning) by compile', () => {
  const plant = {
    file: (path: string) => (root: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n');
    },
    link: (path: string) => (root: string, sb: Sandbox) => symlinkSync(join(sb.outside, 'victim.txt'), join(root, path)),
    dirLink: (path: string) => (root: string, sb: Sandbox) => symlinkSync(sb.outside, join(root, path)),
    fifo: (path: string) => (root: string) => mkfifo(join(root, path)),
  };

  const cases: ReadonlyArray<readonly [string, (root: string, sb: Sandbox) => void, string | undefined]> = [
    ['generated/hello/kubernetes/production/zz.yaml', plant.file('generated/hello/kubernetes/production/zz.yaml'), undefined],
    ['generated/hello/kubernetes/staging/zz.yaml', plant.file('generated/hello/kubernetes/staging/zz.yaml'), undefined],
    ['generated/hello/kubernetes/preview/.hidden.yaml', plant.file('generated/hello/kubernetes/preview/.hidden.yaml'), undefined],
    ['generated/argocd/zz.yaml', plant.file('generated/argocd/zz.yaml'), undefined],
    ['generated/hello/terraform/backdoor.tf', plant.file('generated/hello/terraform/backdoor.tf'), undefined],
    ['generated/NOTES.md', plant.file('generated/NOTES.md'), undefined],
    ['generated/new-folder/deep/x.yaml', plant.file('generated/new-folder/deep/x.yaml'), undefined],
    ['.github/workflows/paved-evil.yml', plant.file('.github/workflows/paved-evil.yml'), undefined],
    ['generated/hello/kubernetes/production/link.yaml', plant.link('generated/hello/kubernetes/production/link.yaml'), 'a symbolic link'],
    ['generated/hello/elsewhere', plant.dirLink('generated/hello/elsewhere'), 'a symbolic link'],
    ['.github/workflows/paved-link.yml', plant.link('.github/workflows/paved-link.yml'), 'a symbolic link'],
    ['generated/hello/kubernetes/production/pipe.yaml', plant.fifo('generated/hello/kubernetes/production/pipe.yaml'), 'a FIFO'],
  ];

  it.each(cases)('%s', async (path, planted, type) => {
    const sb = await sandbox();
    committed(sb.root);
    planted(sb.root, sb);
    const outside = snapshot(sb.outside);
    const line = unlistedLine(path, type);

    const checked = await run(['check', sb.root], sb.root);
    expect(checked.stdout).toBe(`${unlistedCheck(path, type)}paved: 1 file in the generated folders is not generated by paved; remove it\n`);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(1);

    const json = await run(['check', sb.root, '--format', 'json'], sb.root);
    expect((JSON.parse(json.stdout) as { differences: unknown[] }).differences).toEqual([{ path, kind: 'unlisted', ...(type ? { type } : {}) }]);
    const github = await run(['check', sb.root, '--format', 'github'], sb.root);
    expect(github.stdout).toBe(`::error file=${path},title=CHECK.UNLISTED::${unlistedMessage(path, type)}%0A${UNLISTED_HINT}\n`);

    const diffed = await run(['diff', '--base', 'HEAD', sb.root], sb.root);
    expect(diffed.stdout).toBe(
      `no change to generated files\nnot generated by paved (paved check fails until they are removed):\n  ${path}${type ? ` (${type})` : ''}\n`,
    );
    expect(diffed.code).toBe(0);
    const markdown = await run(['diff', '--base', 'HEAD', sb.root, '--format', 'markdown'], sb.root);
    expect(markdown.stdout).toBe(
      `### Generated files\n\nNo change to generated files.\n\n**Not generated by paved** (\`paved check\` fails until they are removed)\n\n- \`${path}${type ? ` (${type})` : ''}\`\n`,
    );

    const before = snapshot(sb.root);
    const compiled = await run(['compile', sb.root], sb.root);
    expect(compiled.stderr).toBe(`paved: warning: ${line}\n`);
    expect(compiled.code).toBe(0);
    expect(snapshot(sb.root)).toEqual(before);
    expect(snapshot(sb.outside)).toEqual(outside);
    expectNoSecret(sb, checked.stdout, diffed.stdout, compiled.stderr);
  });

  it('in examples/shop: a hand-added Argo CD Application beside the generated ones fails check', async () => {
    const sb = await sandbox(SHOP);
    expect(existsSync(join(sb.root, 'generated', 'argocd'))).toBe(true);
    writeFileSync(join(sb.root, 'generated', 'argocd', 'zz.yaml'), 'kind: Application\n');
    const checked = await run(['check', sb.root], sb.root);
    expect(checked.stdout).toBe(`${unlistedCheck('generated/argocd/zz.yaml')}paved: 1 file in the generated folders is not generated by paved; remove it\n`);
    expect(checked.code).toBe(1);
  });

  it("the team's own workflows, and files beside the output folder, are not paved's business", async () => {
    const sb = await sandbox();
    writeFileSync(join(sb.root, '.github', 'workflows', 'ci.yml'), 'on: push\n');
    mkdirSync(join(sb.root, '.github', 'workflows', 'nested'));
    writeFileSync(join(sb.root, '.github', 'workflows', 'nested', 'paved-x.yml'), 'on: push\n');
    writeFileSync(join(sb.root, 'generated.yaml'), 'mine\n');
    const checked = await run(['check', sb.root], sb.root);
    // examples/minimal's files, with its two app-of-apps (staging-services, production-services), emitted once a service runs in the environment, and its local-dev compose.yaml.
    expect(checked.stdout).toBe('paved: 64 generated files up to date\n');
    expect(checked.code).toBe(0);
  });

  it('a linked folder in the output tree is reported once and never walked', async () => {
    const sb = await sandbox();
    symlinkSync(sb.outside, join(sb.root, 'generated', 'zz'));
    const checked = cli(['check', '.'], sb.root);
    expect(checked.stdout).toBe(
      `${unlistedCheck('generated/zz', 'a symbolic link')}paved: 1 file in the generated folders is not generated by paved; remove it\n`,
    );
    expect(checked.code).toBe(1);
    expectNoSecret(sb, checked.stdout);
  });

  it('several at once, with drift: every one listed in path order after the drifted files', async () => {
    const sb = await sandbox();
    plant.file('generated/zz.yaml')(sb.root);
    plant.file('generated/argocd/a.yaml')(sb.root);
    plant.file('.github/workflows/paved-zz.yml')(sb.root);
    unlinkSync(join(sb.root, 'generated', 'hello', 'catalog-info.yaml'));
    const checked = await run(['check', sb.root], sb.root);
    const lines = checked.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'generated/hello/catalog-info.yaml: error CHECK.MISSING paved would create it, and it is not there',
      '  hint: run paved compile and commit the result',
    ]);
    expect(lines.filter((l) => l.includes('not generated by paved:'))).toEqual([
      unlistedCheck('.github/workflows/paved-zz.yml').split('\n')[0],
      unlistedCheck('generated/argocd/a.yaml').split('\n')[0],
      unlistedCheck('generated/zz.yaml').split('\n')[0],
    ]);
    expect(checked.stdout).toMatch(
      /paved: generated files are out of date; run "paved compile" and commit the result\npaved: 3 files in the generated folders are not generated by paved; remove them\n$/,
    );
    expect(checked.code).toBe(1);
  });
});
