import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/helpers.js';

/**
 * Every file and folder committed to a repository is hostile input: `paved new`
 * and `paved init` read templates and write files only through real folders,
 * never through a symbolic link, never open a FIFO, and never crash on a file
 * standing where a folder should be.
 */

const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\n';

let scratch: string;
let repo: string;
let outside: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'paved-scaffold-hostile-'));
  repo = join(scratch, 'repo');
  outside = join(scratch, 'outside');
  mkdirSync(repo);
  mkdirSync(outside);
  writeFileSync(join(repo, 'platform.yaml'), PLATFORM);
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Every file under a folder, relative, sorted; links listed, not followed. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

function useTemplates(folder: string): void {
  writeFileSync(join(repo, 'platform.yaml'), `${PLATFORM}scaffold:\n  templates: ${folder}\n`);
}

describe('paved new reads platform templates only through real folders', () => {
  it('refuses a template folder that is a link out of the repository, and writes nothing of what it points at', async () => {
    mkdirSync(join(outside, 'node'));
    writeFileSync(join(outside, 'node', 'secret.txt'), 'secret\n');
    useTemplates('tpl');
    symlinkSync(outside, join(repo, 'tpl'));
    const run = await runCli(['new', 'newsvc', '--language', 'node', '--dir', 'services/newsvc'], repo);
    expect(run.stderr).toBe(
      'paved: scaffold.templates: tpl is a symbolic link; paved reads templates only through real folders inside the repository, never through a link: make tpl a real folder holding the templates, or point scaffold.templates in platform.yaml at one\npaved: nothing written\n',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(existsSync(join(repo, 'services'))).toBe(false);
  });

  it('refuses a language folder that is a link, even to a folder inside the repository', async () => {
    mkdirSync(join(repo, 'tpl'));
    mkdirSync(join(repo, 'elsewhere'));
    writeFileSync(join(repo, 'elsewhere', 'README.md.njk'), '# {{ name }}\n');
    symlinkSync('../elsewhere', join(repo, 'tpl', 'node'));
    useTemplates('tpl');
    const run = await runCli(['new', 'newsvc', '--language', 'node', '--dir', 'services/newsvc'], repo);
    expect(run.stderr).toBe(
      'paved: scaffold.templates: tpl/node is a symbolic link; paved reads templates only through real folders inside the repository, never through a link: make tpl/node a real folder holding the templates, or point scaffold.templates in platform.yaml at one\npaved: nothing written\n',
    );
    expect(run.code).toBe(1);
    expect(existsSync(join(repo, 'services'))).toBe(false);
  });

  it('refuses a FIFO among the templates at once, rather than hang opening it for an include', async () => {
    mkdirSync(join(repo, 'tpl', 'node'), { recursive: true });
    writeFileSync(join(repo, 'tpl', 'node', 'x.txt.njk'), 'x {% include "inc" %}\n');
    expect(spawnSync('mkfifo', [join(repo, 'tpl', 'node', 'inc')]).status).toBe(0);
    useTemplates('tpl');
    // A writer that lets a reader of the FIFO through, so that code which opens it ends (and fails) instead of hanging the test.
    const writer = spawn('sh', ['-c', ': > "$1"', 'sh', join(repo, 'tpl', 'node', 'inc')], { stdio: 'ignore' });
    try {
      const started = Date.now();
      const run = await runCli(['new', 'newsvc', '--language', 'node', '--dir', 'services/newsvc'], repo);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(run.stderr).toBe(
        'paved: template node/inc is a FIFO; templates must be regular files in real folders inside the template folder (paved follows no link and opens nothing else): replace or remove it\npaved: nothing written\n',
      );
      expect(run.code).toBe(1);
      expect(existsSync(join(repo, 'services'))).toBe(false);
    } finally {
      writer.kill();
    }
  });

  it('refuses a template over 1 MiB before reading it', async () => {
    mkdirSync(join(repo, 'tpl', 'node'), { recursive: true });
    writeFileSync(join(repo, 'tpl', 'node', 'big.txt'), Buffer.alloc(1024 * 1024 + 1, 0x61));
    useTemplates('tpl');
    const run = await runCli(['new', 'newsvc', '--language', 'node', '--dir', 'services/newsvc'], repo);
    expect(run.stderr).toBe('paved: template node/big.txt is 1048577 bytes; the limit is 1048576 bytes (1 MiB): make it smaller\npaved: nothing written\n');
    expect(run.code).toBe(1);
    expect(existsSync(join(repo, 'services'))).toBe(false);
  });

  it('lets a template include only another template it read, never a file by path', async () => {
    mkdirSync(join(repo, 'tpl', 'node', 'src'), { recursive: true });
    writeFileSync(join(repo, 'tpl', 'node', 'src', 'a.js.njk'), '// {% include "./part.njk" %}{% include "../top.njk" %}\n');
    writeFileSync(join(repo, 'tpl', 'node', 'src', 'part.njk'), 'part of {{ name }} ');
    writeFileSync(join(repo, 'tpl', 'node', 'top.njk'), 'top');
    useTemplates('tpl');
    const ok = await runCli(['new', 'newsvc', '--language', 'node', '--dir', 'services/newsvc'], repo);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // trimBlocks: the newline after a block tag goes.
    expect(readFileSync(join(repo, 'services', 'newsvc', 'src', 'a.js'), 'utf8')).toBe('// part of newsvc top');

    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    writeFileSync(join(repo, 'tpl', 'node', 'src', 'a.js.njk'), `{% include "${join(outside, 'secret.txt')}" %}\n`);
    const run = await runCli(['new', 'other', '--language', 'node', '--dir', 'services/other'], repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`paved: template node/src/a.js.njk: `);
    expect(run.stderr).toContain(`template not found: ${join(outside, 'secret.txt')}`);
    expect(run.stderr).not.toContain('secret\n');
    expect(existsSync(join(repo, 'services', 'other'))).toBe(false);
  });
});

describe('paved new writes only into real folders', () => {
  it('refuses a target below a linked folder, and writes nothing outside', async () => {
    symlinkSync(outside, join(repo, 'teams'));
    const run = await runCli(['new', 'evil', '--language', 'node', '--dir', 'teams/evil'], repo);
    expect(run.stderr).toBe(
      'paved: refused: teams is a symbolic link; paved writes only into real directories inside the repository: make teams a real folder, or create teams/evil somewhere else\npaved: nothing written\n',
    );
    expect(run.code).toBe(1);
    expect(listing(outside)).toEqual([]);
  });

  it('refuses a target whose folder is a file, with no internal error', async () => {
    writeFileSync(join(repo, 'afile'), 'hi\n');
    const run = await runCli(['new', 'sub', '--language', 'node', '--dir', 'afile/sub'], repo);
    expect(run.stderr).toBe(
      'paved: refused: afile is not a directory; paved writes only into real directories inside the repository: make afile a real folder, or create afile/sub somewhere else\npaved: nothing written\n',
    );
    expect(run.code).toBe(1);
  });
});

describe('paved init writes only into real folders', () => {
  it('refuses a target below a linked folder, and writes nothing outside', async () => {
    symlinkSync(outside, join(repo, 'teams'));
    const run = await runCli(['init', 'teams/evil2', '--name', 'evil2'], repo);
    expect(run.stderr).toBe(
      'paved: refused: teams is a symbolic link; paved writes only into real directories inside the repository: make teams a real folder, or create teams/evil2 somewhere else\npaved: nothing written\n',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(listing(outside)).toEqual([]);
  });

  it('refuses a file standing where a folder should be, with no internal error', async () => {
    writeFileSync(join(repo, 'afile'), 'hi\n');
    for (const dir of ['afile/sub', 'afile']) {
      const run = await runCli(['init', dir, '--name', 'sub'], repo);
      expect(run.stderr).toBe(
        `paved: refused: afile is not a directory; paved writes only into real directories inside the repository: make afile a real folder, or create ${dir} somewhere else\npaved: nothing written\n`,
      );
      expect(run.code).toBe(1);
    }
    expect(listing(repo)).toEqual(['afile', 'platform.yaml']);
  });

  it('still creates the folders it needs', async () => {
    const run = await runCli(['init', 'services/orders', '--name', 'orders'], repo);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(repo, 'services', 'orders', 'service.yaml'))).toBe(true);
  });
});
