import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitBlobId } from '../compiler/cache.js';
import { compileTexts, type CompileResult, type SpecText } from '../compiler/compile.js';
import { parseSource } from '../compiler/parse.js';
import { outputDirectories } from '../compiler/resolve.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE } from '../compiler/source.js';
import type { Emitter } from '../spec/emitter.js';
import type { OutputDirectories } from '../spec/model.js';
import { emitters } from './emitters.js';

/**
 * The specs of a git revision under the root, compiled in memory with this
 * paved and their values kept: the base `paved diff` and `paved check --base`
 * compare the working tree with. Only spec files are read, straight from git's
 * objects; nothing is checked out. Both revisions' output folders are
 * skipped, as a compile skips its own.
 */
export function compileRevision(
  root: string,
  ref: string,
  output: OutputDirectories,
  outDir: string | undefined,
  skip?: { readonly build: string; readonly unchanged: ReadonlyMap<string, string> },
  using: readonly Emitter[] = emitters,
): { compiled: CompileResult } | { problem: string } {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  let specs: SpecText[];
  try {
    const prefix = git('rev-parse', '--show-prefix').trim();
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    // `.` is the root's own folder (git runs in it); --full-name keeps paths repo-relative.
    // `<mode> <type> <object>\t<path>`: blobs are read by object name, so no path needs quoting.
    const listed = git('ls-tree', '-r', '-z', '--full-name', ref, '--', '.')
      .split('\0')
      .filter((p) => p !== '')
      .flatMap((line) => {
        const tab = line.indexOf('\t');
        const [, type, object] = line.slice(0, tab).split(' ');
        return type === 'blob' ? [{ full: line.slice(tab + 1), object: object! }] : [];
      });
    const wanted = listed.flatMap(({ full, object }) => {
      const path = full.slice(prefix.length);
      const kind =
        path === PLATFORM_FILE
          ? 'platform'
          : path === RELEASES_FILE
            ? 'releases'
            : path === SERVICE_FILE || path.endsWith(`/${SERVICE_FILE}`)
              ? 'service'
              : undefined;
      return kind ? [{ object, path, kind }] : [];
    });
    // One git process for every spec: a process per file cost seconds at a thousand services.
    const texts = readBlobs(
      root,
      wanted.map((w) => w.object),
    );
    specs = wanted.map((w, i) => ({ path: w.path, kind: w.kind, text: texts[i]! }) as SpecText);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    return { problem: `cannot read ${JSON.stringify(ref)} from git: ${stderr || 'not a git revision'}` };
  }
  // The base's own output folders, as its platform.yaml set them, hold generated YAML named service.yaml too.
  const platform = specs.find((f) => f.kind === 'platform');
  const parsed = platform === undefined ? undefined : parseSource(platform.path, new TextEncoder().encode(platform.text), 'platform').file;
  const outputs = [output, outputDirectories(parsed?.data, outDir)].flatMap((o) => [o.dir, o.workflowsDir]);
  const inOutput = (path: string): boolean => outputs.some((dir) => path.startsWith(`${dir}/`));
  return {
    compiled: compileTexts(
      specs.filter((f) => !inOutput(f.path)),
      using,
      outDir,
      true,
      skip,
    ),
  };
}

/** The contents of `git cat-file --batch` for each object name, in order, decoded as UTF-8 (as `git show` prints them). */
function readBlobs(root: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const out = execFileSync('git', ['-C', root, 'cat-file', '--batch'], {
    input: names.map((n) => `${n}\n`).join(''),
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const texts: string[] = [];
  let at = 0;
  for (const name of names) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString('utf8');
    const match = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!match) throw Object.assign(new Error(`git cat-file: ${name}: ${header}`), { stderr: `${name}: ${header}` });
    const size = Number(match[1]);
    texts.push(out.subarray(end + 1, end + 1 + size).toString('utf8'));
    at = end + 1 + size + 1;
  }
  return texts;
}

/** Spec path -> service key of a revision's services under `build`: validated and resolved, nothing emitted. Undefined when it does not compile. */
export function revisionKeys(root: string, ref: string, output: OutputDirectories, outDir: string | undefined, build: string): Map<string, string> | undefined {
  const revision = compileRevision(root, ref, output, outDir, { build, unchanged: new Map() }, []);
  if ('problem' in revision || revision.compiled.units === undefined) return undefined;
  return new Map(Object.entries(revision.compiled.units).map(([spec, unit]) => [spec, unit.key]));
}

/**
 * Root-relative path -> git blob id of every file a revision holds under the
 * given folders of the root. Reads trees only: no blob is fetched.
 */
export function revisionBlobs(root: string, ref: string, folders: readonly string[]): Map<string, string> {
  const prefix = execFileSync('git', ['-C', root, 'rev-parse', '--show-prefix'], { encoding: 'utf8' }).trim();
  const listing = execFileSync('git', ['-C', root, 'ls-tree', '-r', '-z', '--full-name', ref, '--', ...folders], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const blobs = new Map<string, string>();
  for (const line of listing.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, object] = line.slice(0, tab).split(' ');
    // Regular files only: a link or a submodule at a generated path is never what paved wrote.
    if (type === 'blob' && (mode === '100644' || mode === '100755')) blobs.set(line.slice(tab + 1).slice(prefix.length), object!);
  }
  return blobs;
}

/** Whether any of the files (relative to the root) differs between a revision and the work tree, a file added or removed included. */
export function changedSince(root: string, ref: string, paths: readonly string[]): boolean {
  let before: Map<string, string>;
  try {
    before = revisionBlobs(root, ref, paths);
  } catch {
    return true;
  }
  return paths.some((path) => {
    let now: string | undefined;
    try {
      now = gitBlobId(readFileSync(join(root, path)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
    }
    return now !== before.get(path);
  });
}
