import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  ftruncateSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCacheLocation, CACHE_FOLDER, checkRecordLocation } from '../../compiler/cache.js';
import { MAX_FILE_BYTES } from '../../compiler/parse.js';
import { MAX_READ_BYTES } from '../../compiler/write/resolver.js';
import { caseRoot, REPO, runCli, scratchCopy, serviceYaml } from '../support/helpers.js';

/**
 * Repository content that crashed the loader or `check --record`: a module
 * folder's `.tf` file of hundreds of megabytes, a tree nested deeper than the
 * system's path limit, a folder standing where the check record goes. Each is
 * now a diagnostic or a warning, never an internal error.
 */

// `check --record` writes only under a build identity (dist/build-id.txt), which the TypeScript sources run by vitest lack.
vi.mock('../../compiler/cache.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../compiler/cache.js')>()),
  pavedBuild: () => 'test-build',
}));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A scratch root holding the resource-types case's specs and modules (platform.yaml, platform/, services/). */
function resourceTypesRoot(): string {
  const scratch = scratchCopy();
  cleanups.push(scratch.cleanup);
  for (const path of ['platform.yaml', 'platform', 'services']) cpSync(join(caseRoot('resource-types'), path), join(scratch.dir, path), { recursive: true });
  return scratch.dir;
}

/** Creates (or cuts) a file of `size` bytes, a sparse one: nothing is written. */
function sizedFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

describe("a module folder's .tf files", () => {
  it('are read up to 1 MiB each: a larger one makes the module folder a problem, and the rest of validation goes on', async () => {
    const root = resourceTypesRoot();
    const folder = join(root, 'platform/modules/documentdb');
    // Read through no link and never as a FIFO: a FIFO opened for reading waits for a writer, a link can lead out of the repository.
    execFileSync('mkfifo', [join(folder, 'fifo.tf')]);
    sizedFile(join(root, 'outside.tf'), 2 * MAX_FILE_BYTES);
    symlinkSync('../../../outside.tf', join(folder, 'link.tf'));
    const huge = join(folder, 'zz-huge.tf');
    sizedFile(huge, MAX_FILE_BYTES);
    expect(await runCli(['validate'], root)).toEqual({ code: 0, stdout: 'paved: 2 services valid\n', stderr: '' });
    // One byte more (the audit's reproduction had 600 MB, an internal error and 1.1 GB of memory).
    sizedFile(huge, MAX_FILE_BYTES + 1);
    const run = await runCli(['validate', '--format', 'json'], root);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      diagnostics: [
        {
          code: 'SPEC.RESOURCE_TYPE_MODULE',
          severity: 'error',
          file: 'platform.yaml',
          pointer: '/resourceTypes/documentdb/module',
          message:
            'resourceTypes.documentdb.module: the module folder "platform/modules/documentdb" holds a .tf file over 1 MiB ("zz-huge.tf"); paved reads a module\'s variables and outputs from files up to that size: split the file',
        },
      ],
    });
    expect(run.stderr).toBe('');
    expect(await runCli(['validate'], root)).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'platform.yaml:10:13: error SPEC.RESOURCE_TYPE_MODULE resourceTypes.documentdb.module: the module folder "platform/modules/documentdb" holds a .tf file over 1 MiB ("zz-huge.tf"); paved reads a module\'s variables and outputs from files up to that size: split the file',
        '    |',
        ' 10 |     module: platform/modules/documentdb',
        '    |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  hint: write the path of the module folder from the repository root (e.g. platform/modules/documentdb), or set version for a registry module',
        'paved: 1 error; nothing written',
        '',
      ].join('\n'),
    });
  });
});

describe('the walk for service.yaml files', () => {
  /**
   * `deep/<folders>/F`, F's absolute path exactly 4090 bytes: F can be listed,
   * but its service.yaml and its folder sub-too-long (4103 bytes) are past
   * Linux's PATH_MAX (4096, the terminating NUL included), as in a repository
   * nested deep (git allows 4096-byte paths) cloned into a long path. Built
   * inside out, each level renamed into a new parent, so no call names a long
   * path (vitest's workers cannot chdir); taken apart the same way.
   */
  function deepTree(root: string): { folder: string; unwrap: () => void } {
    const target = 4090;
    const names: string[] = [];
    // root + "/deep" + "/" + name per level
    let left = target - root.length - '/deep'.length;
    while (left > 0) {
      const length = left - 1 > 255 ? 200 : left - 1;
      names.push(String.fromCharCode(97 + (names.length % 26)).repeat(length));
      left -= length + 1;
    }
    let inner = join(root, 'stage-0');
    mkdirSync(inner);
    writeFileSync(join(inner, 'service.yaml'), serviceYaml('deep'));
    mkdirSync(join(inner, 'sub-too-long'));
    names.forEach((name, i) => {
      const outer = join(root, `stage-${i + 1}`);
      mkdirSync(outer);
      renameSync(inner, join(outer, name));
      inner = outer;
    });
    renameSync(inner, join(root, 'deep'));
    const folder = ['deep', ...[...names].reverse()].join('/');
    expect(join(root, folder).length).toBe(target);
    const unwrap = (): void => {
      let top = join(root, 'deep');
      for (const [i, name] of [...names].reverse().entries()) {
        const next = join(root, `unwrap-${i}`);
        renameSync(join(top, name), next);
        top = next;
      }
    };
    return { folder, unwrap };
  }

  // Linux's PATH_MAX; macOS's is 1024, so the folders past it would differ.
  it.runIf(process.platform === 'linux')('reports a folder or spec whose path is longer than the system allows, and reads the rest', async () => {
    const root = resourceTypesRoot();
    const { folder, unwrap } = deepTree(root);
    cleanups.push(unwrap);
    // Found after the deep tree (the walk goes in path order): the walk went on.
    mkdirSync(join(root, 'services/zz'));
    writeFileSync(join(root, 'services/zz/service.yml'), serviceYaml('zz'));
    const run = await runCli(['validate', '--format', 'json'], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const tooLong = (what: string, action: string): string =>
      `this ${what} cannot be ${action}: its absolute path is longer than the system allows (ENAMETOOLONG)`;
    const hint = 'nest the folders less deeply or give them shorter names, or clone the repository into a shorter path';
    expect((JSON.parse(run.stdout) as { diagnostics: unknown[] }).diagnostics).toEqual([
      { code: 'LOAD.UNREADABLE', severity: 'error', message: tooLong('file', 'read'), hint, file: `${folder}/service.yaml` },
      { code: 'LOAD.UNREADABLE', severity: 'error', message: tooLong('folder', 'searched for service.yaml files'), hint, file: `${folder}/sub-too-long` },
      expect.objectContaining({ code: 'LOAD.SPEC_FILE_NAME', file: 'services/zz/service.yml' }),
    ]);
    // Nothing else was wrong: taken apart into short paths, the tree's spec is read and valid beside the case's two.
    unwrap();
    cleanups.pop();
    rmSync(join(root, 'services/zz'), { recursive: true });
    expect(await runCli(['validate'], root)).toEqual({ code: 0, stdout: 'paved: 3 services valid\n', stderr: '' });
  });
});

describe('check --record', () => {
  function git(root: string, ...args: string[]): string {
    return execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], {
      encoding: 'utf8',
    }).trim();
  }

  it("leaves no record, and keeps the check passing, when a folder stands at the record's name", async () => {
    const root = resourceTypesRoot();
    git(root, 'init', '-q', '-b', 'main');
    expect((await runCli(['compile'], root)).code).toBe(0);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
    const commit = git(root, 'rev-parse', 'HEAD');
    const location = checkRecordLocation(root, commit);
    mkdirSync(location, { recursive: true });
    writeFileSync(join(location, 'kept'), "not paved's\n");
    const run = await runCli(['check', '--record'], root);
    expect(run.stderr).toBe(
      `paved: warning: no check record written: .paved-cache/check-${commit}.json cannot be written there (is something other than a folder at .paved-cache, or at the record's name?)\n`,
    );
    expect(run.stdout).toMatch(/^paved: \d+ generated files up to date\n$/);
    expect(run.code).toBe(0);
    // The folder is left as it was, and no temporary file beside it.
    expect(lstatSync(location).isDirectory()).toBe(true);
    expect(readdirSync(location)).toEqual(['kept']);
    expect(readdirSync(join(root, '.paved-cache')).filter((name) => name.startsWith('.') && name !== '.gitignore')).toEqual([]);
    // Where it can be written, it is.
    rmSync(location, { recursive: true });
    expect(await runCli(['check', '--record'], root)).toMatchObject({ code: 0, stderr: '' });
    expect(lstatSync(location).isFile()).toBe(true);
    expect(existsSync(location)).toBe(true);
  });
});

describe('the record of the last compile', () => {
  /** examples/shop in a scratch folder that is no git work tree (no .git above it either: the system's temp folder). */
  function shop(): string {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = join(scratch.dir, 'shop');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    return root;
  }

  it('is kept in no folder a .git file names unless that folder is a git directory', async () => {
    const root = shop();
    const outside = join(root, '..', 'outside');
    mkdirSync(outside);
    writeFileSync(join(root, '.git'), 'gitdir: ../outside\n');
    expect((await runCli(['compile'], root)).code).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(join(root, CACHE_FOLDER)).filter((name) => name.startsWith('compile-'))).toHaveLength(1);
  });

  it('is read only as a regular file: a FIFO or a link at its name is not opened, and the compile is a full one', async () => {
    const root = shop();
    expect((await runCli(['compile'], root)).code).toBe(0);
    const location = buildCacheLocation(root, { dir: 'generated', workflowsDir: '.github/workflows' })!;
    expect(existsSync(location)).toBe(true);
    const recorded = readFileSync(location, 'utf8');
    for (const plant of ['fifo', 'link'] as const) {
      rmSync(location);
      if (plant === 'fifo') execFileSync('mkfifo', [location]);
      else {
        writeFileSync(join(root, '..', 'elsewhere.json'), recorded);
        symlinkSync(join(root, '..', 'elsewhere.json'), location);
      }
      const started = Date.now();
      const run = await runCli(['compile'], root);
      expect(run.code, plant).toBe(0);
      // Nothing kept from a record paved did not read.
      expect(run.stdout, plant).not.toMatch(/kept from the last compile/);
      expect(Date.now() - started, plant).toBeLessThan(30_000);
    }
  });
});

describe('files in the output folders larger than paved reads', () => {
  it('are refused unread, a generated file or the manifest, by check and compile alike, with no internal error', async () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = join(scratch.dir, 'shop');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    expect((await runCli(['compile'], root)).code).toBe(0);
    const grow = (path: string): void => {
      // Sparse: no disk is used, and lstat reports the size.
      const fd = openSync(join(root, path), 'r+');
      ftruncateSync(fd, MAX_READ_BYTES + 1);
      closeSync(fd);
    };
    grow('generated/orders/catalog-info.yaml');
    for (const command of ['check', 'compile']) {
      const run = await runCli([command], root);
      expect(run.code, command).toBe(1);
      expect(run.stderr + run.stdout, command).toContain(
        `generated/orders/catalog-info.yaml exists and is not a regular file (a file of ${MAX_READ_BYTES + 1} bytes, more than paved reads); paved will not replace it`,
      );
      expect(run.stderr, command).not.toContain('internal error');
    }
    rmSync(join(root, 'generated/orders/catalog-info.yaml'));
    grow('generated/.paved-manifest.json');
    for (const command of ['check', 'compile']) {
      const run = await runCli([command], root);
      expect(run.code, command).toBe(1);
      expect(run.stderr, command).toContain(
        `generated/.paved-manifest.json is a file of ${MAX_READ_BYTES + 1} bytes, more than paved reads; paved will not read it. Restore the manifest from version control or delete it`,
      );
      expect(run.stderr, command).not.toContain('internal error');
    }
  });
});

describe('a spec name on something that is not a regular file', () => {
  it('is an error at its path, never a file silently left out: platform.yaml, releases.yaml or a service.yaml', async () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = join(scratch.dir, 'shop');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    const message = (path: string, what: string): string =>
      `${path}: error LOAD.NOT_A_FILE this is ${what}, not a regular file; paved reads a spec only from a regular file\n  hint: replace it with the file itself: paved reads no spec through a link, and never a FIFO or a device\n`;
    const plant = (path: string, how: 'link' | 'fifo'): void => {
      const absolute = join(root, path);
      renameSync(absolute, `${absolute}.real`);
      if (how === 'link') symlinkSync(`${absolute}.real`, absolute);
      else execFileSync('mkfifo', [absolute]);
    };
    plant('platform.yaml', 'link');
    plant('releases.yaml', 'fifo');
    plant('services/orders/service.yaml', 'link');
    const run = await runCli(['validate'], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message('platform.yaml', 'a symbolic link'));
    expect(run.stderr).toContain(message('releases.yaml', 'a FIFO'));
    expect(run.stderr).toContain(message('services/orders/service.yaml', 'a symbolic link'));
  });
});

describe('a spec paved may not read', () => {
  it('is LOAD.UNREADABLE at its path, not an internal error: platform.yaml, releases.yaml or a service.yaml', () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = join(scratch.dir, 'shop');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    const specs = ['platform.yaml', 'releases.yaml', 'services/orders/service.yaml'];
    for (const path of specs) chmodSync(join(root, path), 0o000);
    const run = pavedHeldToModes(['validate', root]);
    for (const path of specs)
      expect(run.stderr).toContain(
        `${path}: error LOAD.UNREADABLE this file cannot be read: permission denied (EACCES)\n  hint: make the file readable, or move it out of the repository\n`,
      );
    expect(run.stderr).not.toContain('internal error');
    expect(run.status).toBe(1);
  });
});

/** The built CLI, held to the files' modes: root reads any file, but not without the capabilities that let it. */
function pavedHeldToModes(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const paved = [process.execPath, join(REPO, 'bin/paved.js'), ...args];
  const [command, ...rest] = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...paved] : paved;
  return spawnSync(command!, rest, { encoding: 'utf8' });
}

describe('generated files or folders paved may not read', () => {
  it('are a refusal naming the path, not an internal error: compile, check, check --base and diff --base', () => {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const root = join(scratch.dir, 'shop');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], {
        encoding: 'utf8',
      });
    git('init', '-q');
    expect(pavedHeldToModes(['compile', root]).status).toBe(0);
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    for (const [path, operation] of [
      ['generated/.paved-manifest.json', 'open'],
      ['generated/orders/kubernetes/staging', 'scandir'],
    ] as const) {
      chmodSync(join(root, path), 0o000);
      for (const [args, verb] of [
        [['compile'], 'write'],
        [['check'], 'read'],
        [['check', '--base', 'HEAD'], 'read'],
        [['diff', '--base', 'HEAD'], 'read'],
      ] as const) {
        const run = pavedHeldToModes([...args, root]);
        expect(run.stderr, `${args.join(' ')} with ${path} unreadable`).toMatch(
          new RegExp(`^paved: cannot ${verb} the generated tree: EACCES: permission denied, (${operation}|lstat) '${root}/${path}(/[a-z-]+\\.yaml)?'\n$`, 'm'),
        );
        expect(run.stderr).not.toContain('internal error');
        expect(run.status).toBe(2);
      }
      chmodSync(join(root, path), path.endsWith('.json') ? 0o644 : 0o755);
    }
  });
});
