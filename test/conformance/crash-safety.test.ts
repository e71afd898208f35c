import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTemporaryName } from '../../compiler/write/resolver.js';
import { realDisk, type Disk } from '../../compiler/write/disk.js';
import { WriteError } from '../../compiler/write/errors.js';
import { inspectTree } from '../../compiler/write/inspect.js';
import { lockOwner } from '../../compiler/write/lock.js';
import { readManifest, sha256 } from '../../compiler/write/manifest.js';
import { LOCK_FILE } from '../../spec/layout.js';
import { writeTree } from '../../compiler/write/tree.js';
import { emitters } from '../../cli/emitters.js';
import { catalogEmitter } from '../../emitters/catalog/index.js';
import { compile, type CompileResult } from '../../compiler/compile.js';
import { readTree, REPO, scratchCopy, writeEmbeddedPlatform } from '../support/helpers.js';

/**
 * Crash safety: whatever step a compile dies at, every file is in its old or its
 * new version, the manifest owns everything paved wrote, and the next compile converges.
 */
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function scratch(source?: string): string {
  const copy = scratchCopy(source);
  cleanups.push(copy.cleanup);
  return copy.dir;
}

/** `description` also picks the owner, a label on every Kubernetes object, so a change rewrites every file. */
function serviceYaml(name: string, description: string): string {
  const owner = `team-${description.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: ${owner}\ndescription: ${description}\nruntime:\n  language: node\n  port: 8080\nresources:\n  topics: [{ name: events }]\n`;
}

function writeServices(root: string, names: readonly string[], description: string): void {
  rmSync(join(root, 'services'), { recursive: true, force: true });
  writeEmbeddedPlatform(root);
  for (const name of names) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'service.yaml'), serviceYaml(name, description));
  }
}

const range = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

/** Every file under the output directory but the manifest, lock and leftover temporaries. */
function generatedFiles(root: string): Map<string, string> {
  if (!existsSync(join(root, 'generated'))) return new Map();
  return new Map(
    [...readTree(join(root, 'generated'))]
      .filter(([p]) => p !== '.paved-manifest.json' && p !== LOCK_FILE && !isTemporaryName(p.split('/').pop()!))
      .map(([p, c]) => [`generated/${p}`, c]),
  );
}

/** The invariants that must hold after a crash at any point. */
function expectConsistent(root: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): void {
  const owned = readManifest(root, { dir: 'generated', workflowsDir: '.github/workflows' }).entries;
  for (const [path, contents] of generatedFiles(root)) {
    expect(contents === before.get(path) || contents === after.get(path), `${path} is neither its old nor its new version`).toBe(true);
    const entry = owned.get(path);
    expect(entry, `${path} is on disk but not in the manifest`).toBeDefined();
    expect([entry!.sha256, entry!.previousSha256]).toContain(sha256(contents));
  }
}

/**
 * What the writer does is independent of which emitter planned a file, and the
 * every-step test replays the whole write once per disk operation, so it plans
 * one file per service (the catalog) rather than the ~40 the Kubernetes emitter adds.
 */
function compileDir(root: string): CompileResult {
  return compile({ root, emitters: [catalogEmitter] });
}

class Crash extends Error {}

/**
 * Enough services that writing takes a good share of a compile, few enough for
 * the suite's time: eight are ~300 files through every emitter, all rewritten
 * each round since the owner label changes with the description.
 */
const SIGKILL_SERVICES = 8;

/** A disk that dies (like SIGKILL: no clean-up of its own) after `steps` mutations. */
function crashingDisk(steps: number): Disk & { used: number } {
  const disk = {
    used: 0,
    step(): void {
      if (disk.used++ >= steps) throw new Crash(`crash after ${steps} steps`);
    },
    writeFile: (path: string, contents: string, durable?: boolean) => (disk.step(), realDisk.writeFile(path, contents, durable)),
    append: (path: string, text: string, durable?: boolean) => (disk.step(), realDisk.append(path, text, durable)),
    rename: (from: string, to: string) => (disk.step(), realDisk.rename(from, to)),
    unlink: (path: string) => (disk.step(), realDisk.unlink(path)),
    mkdir: (path: string) => realDisk.mkdir(path),
    rmdir: (path: string) => (disk.step(), realDisk.rmdir(path)),
  };
  return disk;
}

describe('a compile interrupted at any step', () => {
  it('leaves old-or-new files owned by the manifest, and the next compile converges, at every step', () => {
    const base = scratch();
    writeServices(base, range(6, 'svc'), 'first');
    const first = compileDir(base);
    writeTree(base, first.output, first.files);
    const before = generatedFiles(base);
    // The change: new descriptions, one service gone, one added.
    writeServices(base, [...range(5, 'svc'), 'svc-new'], 'second');
    const second = compileDir(base);
    const after = new Map(second.files.map((f) => [f.path, f.contents]));

    const probe = crashingDisk(Number.MAX_SAFE_INTEGER);
    const probeRoot = scratch(base);
    writeServices(probeRoot, range(6, 'svc'), 'first');
    writeTree(probeRoot, first.output, first.files);
    writeTree(probeRoot, second.output, second.files, { disk: probe });
    expect(probe.used).toBeGreaterThan(10);

    for (let steps = 0; steps < probe.used; steps++) {
      const root = scratch();
      writeServices(root, range(6, 'svc'), 'first');
      writeTree(root, first.output, first.files);
      expect(() => writeTree(root, second.output, second.files, { disk: crashingDisk(steps) })).toThrow(Crash);
      expectConsistent(root, before, after);
      const recovered = writeTree(root, second.output, second.files);
      expect(recovered.written.length + recovered.deleted.length + recovered.unchanged).toBeGreaterThan(0);
      const state = inspectTree(root, second.output, second.files);
      expect(state.differences, `step ${steps}`).toEqual([]);
      expect(state.manifestCurrent).toBe(true);
      expect(readdirSync(join(root, 'generated'), { recursive: true }).filter((p) => /\.tmp$/.test(String(p)))).toEqual([]);
    }
  });

  it('survives SIGKILL at random moments while writing a large repo', { timeout: 180_000 }, async () => {
    const root = scratch();
    const bin = join(REPO, 'bin', 'paved.js');
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    writeServices(root, range(SIGKILL_SERVICES, 'svc'), 'warm-up');
    spawnSync(process.execPath, [bin, 'compile', root]);
    let previous = generatedFiles(root);
    let interruptedWhileWriting = 0;
    for (let round = 0; round < 10; round++) {
      writeServices(root, range(SIGKILL_SERVICES, 'svc'), `round ${round}`);
      const planned = new Map(compile({ root, emitters }).files.map((f) => [f.path, f.contents]));
      const child = spawn(process.execPath, [bin, 'compile', root], { stdio: 'ignore' });
      let exitedEarly = false;
      const exited = new Promise((resolve) => child.once('exit', () => resolve((exitedEarly = true))));
      // Wait until the compile is writing (its manifest turns pending), then kill it a random moment later.
      const manifest = join(root, 'generated', '.paved-manifest.json');
      while (!exitedEarly && !(existsSync(manifest) && readFileSync(manifest, 'utf8').includes('"pending": true'))) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 15)));
      child.kill('SIGKILL');
      await exited;
      expectConsistent(root, previous, planned);
      if (readManifest(root, { dir: 'generated', workflowsDir: '.github/workflows' }).pending) interruptedWhileWriting++;
      const again = spawnSync(process.execPath, [bin, 'compile', root], { encoding: 'utf8' });
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect(spawnSync(process.execPath, [bin, 'check', root], { encoding: 'utf8' }).status).toBe(0);
      previous = generatedFiles(root);
    }
    // Otherwise the test proved nothing about writes.
    expect(interruptedWhileWriting).toBeGreaterThan(0);
  });
});

describe('a disk that refuses writes', () => {
  function failing(code: string, afterWrites: number): Disk {
    let writes = 0;
    return {
      ...realDisk,
      writeFile(path, contents, durable) {
        if (writes++ >= afterWrites) throw Object.assign(new Error(`${code}: simulated`), { code });
        realDisk.writeFile(path, contents, durable);
      },
    };
  }

  it.each(['ENOSPC', 'EROFS', 'EACCES'])('fails with %s, leaves no temporary file and a consistent tree, then converges', (code) => {
    const root = scratch();
    writeServices(root, range(4, 'svc'), 'first');
    const first = compileDir(root);
    writeTree(root, first.output, first.files);
    const before = generatedFiles(root);
    writeServices(root, range(4, 'svc'), 'second');
    const second = compileDir(root);
    expect(() => writeTree(root, second.output, second.files, { disk: failing(code, 2) })).toThrow(code);
    expectConsistent(root, before, new Map(second.files.map((f) => [f.path, f.contents])));
    expect(readdirSync(join(root, 'generated'), { recursive: true }).filter((p) => /\.tmp$|paved-lock/.test(String(p)))).toEqual([]);
    writeTree(root, second.output, second.files);
    expect(inspectTree(root, second.output, second.files).differences).toEqual([]);
  });

  it('refuses, through the CLI, a directory standing where a generated file goes, writing nothing', async () => {
    const { main } = await import('../../cli/main.js');
    const root = scratch();
    writeServices(root, ['svc'], 'first');
    mkdirSync(join(root, 'generated'));
    mkdirSync(join(root, 'generated', 'svc', 'catalog-info.yaml'), { recursive: true });
    let stderr = '';
    const code = await main(['compile', root], { cwd: root, stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toMatch(/generated\/svc\/catalog-info\.yaml exists and is not a regular file/);
    expect(existsSync(join(root, 'generated', '.paved-manifest.json'))).toBe(false);
  });
});

describe('two compiles at once', () => {
  it('waits for a live lock holder and fails clearly when it does not finish', () => {
    const root = scratch();
    writeServices(root, ['svc'], 'first');
    const result = compileDir(root);
    mkdirSync(join(root, 'generated'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      // What a running compile records: its pid, host, boot and start time (the holder is alive, so it blocks).
      writeFileSync(join(root, 'generated', LOCK_FILE), `${JSON.stringify(lockOwner(holder.pid!))}\n`);
      const started = Date.now();
      expect(() => writeTree(root, result.output, result.files, { lockTimeoutMs: 300 })).toThrow(
        new WriteError(`another paved compile (pid ${holder.pid}) is writing generated; it holds generated/${LOCK_FILE}`, false),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(existsSync(join(root, 'generated', 'svc'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('waits for a lock whose record its holder has not written yet, instead of taking it from under it', async () => {
    const root = scratch();
    writeServices(root, ['svc'], 'first');
    const result = compileDir(root);
    mkdirSync(join(root, 'generated'));
    const lock = join(root, 'generated', LOCK_FILE);
    // A compile that creates the lock file, is paused for 500 ms before it writes its record (a busy machine), holds
    // the lock 700 ms more, and exits 0 only if the lock is still its own when it releases it.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
const { lockOwner } = await import(${JSON.stringify(join(REPO, 'dist/compiler/write/lock.js'))});
const [lock] = process.argv.slice(1);
const record = JSON.stringify(lockOwner(process.pid)) + '\\n';
const fd = openSync(lock, 'wx');
setTimeout(() => {
  writeSync(fd, record);
  closeSync(fd);
  setTimeout(() => {
    let mine = false;
    try { mine = readFileSync(lock, 'utf8') === record; } catch {}
    if (mine) unlinkSync(lock);
    process.exit(mine ? 0 : 3);
  }, 700);
}, 500);`,
        lock,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
    for (let waited = 0; !existsSync(lock) && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(existsSync(lock)).toBe(true);
    expect(writeTree(root, result.output, result.files).written.length).toBe(result.files.length);
    expect(await exited).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock of a compile that died', () => {
    const root = scratch();
    writeServices(root, ['svc'], 'first');
    const result = compileDir(root);
    mkdirSync(join(root, 'generated'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(root, 'generated', LOCK_FILE), `${JSON.stringify({ ...lockOwner(process.pid), pid: Number(dead.stdout) })}\n`);
    expect(writeTree(root, result.output, result.files).written.length).toBe(result.files.length);
    expect(existsSync(join(root, 'generated', LOCK_FILE))).toBe(false);
  });

  it('serializes two CLI compiles of one tree: both succeed and the tree is consistent', async () => {
    const root = scratch();
    writeServices(root, range(80, 'svc'), 'first');
    const bin = join(REPO, 'bin', 'paved.js');
    const run = (): Promise<number | null> =>
      new Promise((resolve) => spawn(process.execPath, [bin, 'compile', root], { stdio: 'ignore' }).once('exit', resolve));
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    expect(spawnSync(process.execPath, [bin, 'check', root]).status).toBe(0);
    expect(readFileSync(join(root, 'generated', '.paved-manifest.json'), 'utf8')).not.toContain('pending');
  });
});
