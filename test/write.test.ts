import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GENERATED_MARKER } from '../spec/marker.js';
import { pathProblem } from '../compiler/emit.js';
import { REPO, readTree, runCli, scratchCopy } from './helpers.js';

const SHOP = join(REPO, 'examples', 'shop');
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function shopCopy(): string {
  const scratch = scratchCopy(SHOP);
  cleanups.push(scratch.cleanup);
  rmSync(join(scratch.dir, 'generated'), { recursive: true, force: true });
  rmSync(join(scratch.dir, '.github'), { recursive: true, force: true });
  return scratch.dir;
}

function mtimes(root: string): Map<string, number> {
  return new Map([...readTree(root).keys()].map((path) => [path, statSync(join(root, path)).mtimeMs]));
}

/** Deletes a service's folder and its entry in releases.yaml, as a team retiring it would. */
function removeService(root: string, name: string): void {
  rmSync(join(root, 'services', name), { recursive: true });
  const releases = join(root, 'releases.yaml');
  const kept = readFileSync(releases, 'utf8').split('\n').filter((line, i, lines) => {
    const owner = lines.slice(0, i + 1).reverse().find((l) => /^  \S/.test(l));
    return owner !== `  ${name}:`;
  });
  writeFileSync(releases, kept.join('\n'));
}

const firstGenerated = (root: string): string => [...readTree(join(root, 'generated')).keys()].find((p) => p.endsWith('.yaml'))!;

describe('compile writes the tree and its manifest', () => {
  it('writes every file and the manifest, then changes nothing on a second run (same bytes, same mtimes)', async () => {
    const root = shopCopy();
    const first = await runCli(['compile', root], root);
    expect(first.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, 'generated', '.paved-manifest.json'), 'utf8')) as { files: Array<{ path: string; sha256: string; source: string }> };
    expect(manifest.files.length).toBeGreaterThan(0);
    for (const entry of manifest.files) expect(existsSync(join(root, entry.path)), entry.path).toBe(true);
    const tree = readTree(root);
    const times = mtimes(root);
    const second = await runCli(['compile', root], root);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 written, 0 deleted/);
    expect(readTree(root)).toEqual(tree);
    expect(mtimes(root)).toEqual(times);
  });

  it('never touches a file in the output directory that it does not own', async () => {
    const root = shopCopy();
    mkdirSync(join(root, 'generated'), { recursive: true });
    writeFileSync(join(root, 'generated', 'NOTES.md'), 'mine\n');
    expect((await runCli(['compile', root], root)).code).toBe(0);
    removeService(root, 'notifier');
    expect((await runCli(['compile', root], root)).code).toBe(0);
    expect(readFileSync(join(root, 'generated', 'NOTES.md'), 'utf8')).toBe('mine\n');
  });

  it('deletes the files of a removed service and their emptied folders, and nothing else', async () => {
    const root = shopCopy();
    expect((await runCli(['compile', root], root)).code).toBe(0);
    writeFileSync(join(root, 'generated', 'keep.txt'), 'kept\n');
    const victim = 'notifier';
    const victimSpec = readFileSync(join(root, 'services', victim, 'service.yaml'), 'utf8');
    expect(victimSpec).toContain(`name: ${victim}`);
    removeService(root, victim);
    const run = await runCli(['compile', root], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`deleted generated/${victim}/`));
    expect(existsSync(join(root, 'generated', victim))).toBe(false);
    expect(readFileSync(join(root, 'generated', 'keep.txt'), 'utf8')).toBe('kept\n');
  });

  it('refuses to overwrite a file it does not own, and writes nothing at all', async () => {
    const root = shopCopy();
    mkdirSync(join(root, 'generated', 'orders'), { recursive: true });
    writeFileSync(join(root, 'generated', 'orders', 'catalog-info.yaml'), 'hand written\n');
    const run = await runCli(['compile', root], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/paved does not own them[\s\S]*generated\/orders\/catalog-info\.yaml/);
    expect(readTree(join(root, 'generated'))).toEqual(new Map([['orders/catalog-info.yaml', 'hand written\n']]));
  });

  it('refuses an output directory that is a symbolic link, writing nothing through it', async () => {
    const root = shopCopy();
    const outside = scratchCopy();
    cleanups.push(outside.cleanup);
    symlinkSync(outside.dir, join(root, 'generated'));
    const run = await runCli(['compile', root], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generated is a symbolic link/);
    expect(readTree(outside.dir).size).toBe(0);
  });

  it('refuses a symbolic link inside the output directory, writing nothing through it', async () => {
    const root = shopCopy();
    const outside = scratchCopy();
    cleanups.push(outside.cleanup);
    mkdirSync(join(root, 'generated'));
    symlinkSync(outside.dir, join(root, 'generated', 'orders'));
    const run = await runCli(['compile', root], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generated\/orders is a symbolic link/);
    expect(readTree(outside.dir).size).toBe(0);
    expect(existsSync(join(root, 'generated', '.paved-manifest.json'))).toBe(false);
  });

  it('compiles examples/minimal, which has no platform.yaml, with the embedded default platform', async () => {
    const scratch = scratchCopy(join(REPO, 'examples', 'minimal'));
    cleanups.push(scratch.cleanup);
    const run = await runCli(['compile', scratch.dir], scratch.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(scratch.dir, 'generated', 'hello', 'catalog-info.yaml'), 'utf8')).toMatch(new RegExp(`^# ${GENERATED_MARKER} from services/hello/service\\.yaml\\. DO NOT EDIT\\.\n`));
  });

  it('refuses a manifest that claims files outside the output directories', async () => {
    const root = shopCopy();
    expect((await runCli(['compile', root], root)).code).toBe(0);
    writeFileSync(join(root, 'README.md'), 'precious\n');
    const manifestFile = join(root, 'generated', '.paved-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: unknown[] };
    manifest.files.push({ path: 'generated/../README.md', sha256: 'x', source: 'x' });
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const run = await runCli(['compile', root], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a file inside generated/);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('precious\n');
  });

  it('rejects an --out directory outside the repository', async () => {
    const root = shopCopy();
    const run = await runCli(['compile', root, '--out', '../elsewhere'], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CLI\.BAD_OUT --out "\.\.\/elsewhere" must be a relative directory inside the repository/);
  });

  it('plans only plain relative paths inside an output directory', () => {
    const roots = ['generated', '.github/workflows'];
    expect(pathProblem('generated/orders/x.yaml', roots)).toBeUndefined();
    expect(pathProblem('generated/../../etc/passwd', roots)).toMatch(/"\.\." segment/);
    expect(pathProblem('/etc/passwd', roots)).toMatch(/not a relative POSIX path/);
    expect(pathProblem('src/index.ts', roots)).toMatch(/not inside an output directory/);
    expect(pathProblem('generated/.paved-manifest.json', roots)).toMatch(/is the manifest/);
  });
});

describe('check reports drift and never writes', () => {
  async function compiled(): Promise<string> {
    const root = shopCopy();
    expect((await runCli(['compile', root], root)).code).toBe(0);
    return root;
  }

  it('exits 0 right after a compile', async () => {
    const root = await compiled();
    const run = await runCli(['check', root], root);
    expect(run.stdout).toMatch(/up to date/);
    expect(run.code).toBe(0);
  });

  it('exits 1 with a unified diff when a generated file is edited', async () => {
    const root = await compiled();
    const path = firstGenerated(root);
    appendFileSync(join(root, 'generated', path), '# tweak\n');
    const before = readTree(root);
    const run = await runCli(['check', root], root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`generated/${path}: hand-edited`);
    expect(run.stdout).toContain('-# tweak');
    expect(readTree(root)).toEqual(before);
  });

  it('exits 1 when a generated file is deleted', async () => {
    const root = await compiled();
    const path = firstGenerated(root);
    unlinkSync(join(root, 'generated', path));
    const run = await runCli(['check', root], root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`generated/${path}: missing`);
    expect(existsSync(join(root, 'generated', path))).toBe(false);
  });

  it('exits 1 when a spec changes, naming the stale file', async () => {
    const root = await compiled();
    const spec = join(root, 'services', 'orders', 'service.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^description: .*$/m, 'description: Orders, now with a new description'));
    const run = await runCli(['check', root], root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('generated/orders/catalog-info.yaml: stale');
    expect(run.stdout).toContain('+  description: Orders, now with a new description');
  });

  it('annotates drift for GitHub Actions', async () => {
    const root = await compiled();
    unlinkSync(join(root, 'generated', firstGenerated(root)));
    const run = await runCli(['check', root, '--format', 'github'], root);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error file=generated\/.+,title=paved check::missing: paved would create it; run paved compile and commit the result$/m);
  });
});
