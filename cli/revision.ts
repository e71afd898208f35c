import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gitBlobId } from '../compiler/cache.js';
import { forEachListed } from './git-listing.js';
import { gitArguments, gitEnvironment, gitWorkTreePrefix } from './git.js';
import { emitPrepared, prepareTexts, sharedKeys, type CompileResult, type PreparedCompile, type RevisionSpec } from '../compiler/compile.js';
import { inSkippedDirectory } from '../compiler/load.js';
import { MAX_FILE_BYTES, parseSource } from '../compiler/parse.js';
import { parseManifest, type ManifestEntry } from '../compiler/write/manifest.js';
import { outputDirectories } from '../compiler/resolve.js';
import { lstatOrUndefined, MAX_READ_BYTES, readRegularBytes } from '../compiler/write/resolver.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE } from '../compiler/source.js';
import { layout } from '../spec/layout.js';
import type { OutputDirectories } from '../spec/model.js';
import { emitters } from './emitters.js';

/** The full SHA of a git revision of the work tree holding `root`, or undefined when git cannot name one. */
export function gitCommit(root: string, ref: string): string | undefined {
  try {
    return execFileSync('git', gitArguments(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: gitEnvironment(),
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * What a change does, emitted with the values the comparisons read: the
 * revision's specs are validated, resolved and keyed under `build` beside the
 * working tree's (`head`, prepared under the same build; a spec of the same
 * text is not parsed again), and every service is emitted on both sides with
 * every target, but one whose key is the same on both: a key emits the same
 * files, which hold no change. `paved diff` and `paved check --base` without a
 * record compare what this gives. Without a build nothing is keyed and every
 * service is emitted.
 */
export function emitChanged(
  revision: Revision,
  head: PreparedCompile,
  outDir: string | undefined,
  build: string | undefined,
): { readonly base: CompileResult; readonly head: CompileResult } {
  const base = prepareTexts(revisionSpecs(revision, head.output, outDir), outDir, build, head.loaded);
  const same = sharedKeys(head, base);
  const options = { emitters, outDir, keepValues: true, ...(same.size > 0 ? { unchanged: same } : {}) };
  return { base: emitPrepared(base, options), head: emitPrepared(head, options) };
}

/** A git revision's tree under the root, listed once: its spec texts, and the blob id of each of its regular files. */
export interface Revision {
  /** Every platform.yaml, releases.yaml and service.yaml under the root, output folders included (revisionSpecs leaves those out). */
  readonly specs: readonly RevisionSpec[];
  /** Root-relative path -> git blob id, regular files only: a link or a submodule at a generated path is never what paved wrote. */
  readonly files: ReadonlyMap<string, string>;
}

/** Lists a revision's tree under the root and reads its specs from git's objects: four git processes whatever the size. */
export function readRevision(root: string, ref: string): { revision: Revision } | { problem: string } {
  const git = (...args: string[]): string =>
    execFileSync('git', gitArguments(root, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, env: gitEnvironment() });
  try {
    const prefix = gitWorkTreePrefix(git('rev-parse', '--is-inside-work-tree', '--show-prefix'));
    if (prefix === undefined) return { problem: `cannot read ${JSON.stringify(ref)} from git: ${root} is not inside a git work tree` };
    // The commit, named once: a branch that moves while the check runs does not mix two trees.
    const commit = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`).trim();
    // `.` is the root's own folder (git runs in it); --full-name keeps paths repo-relative.
    // `<mode> <type> <object>\t<path>`: blobs are read by object name, so no path needs quoting.
    const files = new Map<string, string>();
    const wanted: { object: string; path: string; kind: RevisionSpec['kind'] }[] = [];
    const listing = git('ls-tree', '-r', '-z', '--full-name', commit, '--', '.');
    forEachListed(listing, (at, tab, end) => {
      const typeAt = listing.indexOf(' ', at) + 1;
      if (typeAt <= at || !listing.startsWith('blob ', typeAt)) return;
      const mode = listing.slice(at, typeAt - 1);
      const object = listing.slice(typeAt + 5, tab);
      const path = listing.slice(tab + 1 + prefix.length, end);
      // As in the work tree (compiler/load.ts), a spec is a regular file: a link, however named, is none.
      if (mode !== '100644' && mode !== '100755') return;
      files.set(path, object);
      const kind =
        path === PLATFORM_FILE
          ? 'platform'
          : path === RELEASES_FILE
            ? 'releases'
            : path === SERVICE_FILE || path.endsWith(`/${SERVICE_FILE}`)
              ? 'service'
              : undefined;
      if (kind) wanted.push({ object, path, kind });
    });
    // Sizes first, so a spec over the limit is never read (a committed 450 MB service.yaml cost 1.4 GB), as in the work tree;
    // then one git process for every spec that is not: a process per file cost seconds at a thousand services.
    const sizes = blobSizes(
      root,
      wanted.map((w) => w.object),
    );
    const readable = wanted.filter((_, i) => sizes[i]! <= MAX_FILE_BYTES);
    const texts = readBlobs(
      root,
      readable.map((w) => w.object),
      readable.length * (MAX_FILE_BYTES + HEADER_BYTES),
    );
    let next = 0;
    const specs = wanted.map((w, i): RevisionSpec =>
      sizes[i]! <= MAX_FILE_BYTES ? { path: w.path, kind: w.kind, text: texts[next++]! } : { path: w.path, kind: w.kind, size: sizes[i]! },
    );
    return { revision: { specs, files } };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    return { problem: `cannot read ${JSON.stringify(ref)} from git: ${stderr || 'not a git revision'}` };
  }
}

/** A revision's specs outside the output folders: `output` (the working tree's) and those its own platform.yaml sets. */
export function revisionSpecs(revision: Revision, output: OutputDirectories, outDir: string | undefined): RevisionSpec[] {
  // The base's own output folders, as its platform.yaml set them, hold generated YAML named service.yaml too.
  const platform = revision.specs.find((f) => f.kind === 'platform');
  const parsed =
    platform === undefined || !('text' in platform) ? undefined : parseSource(platform.path, new TextEncoder().encode(platform.text), 'platform').file;
  const outputs = [output, outputDirectories(parsed?.data, outDir)].flatMap((o) => [o.dir, o.workflowsDir]);
  const inOutput = (path: string): boolean => outputs.some((dir) => path.startsWith(`${dir}/`));
  // As the working tree's walk (compiler/load.ts): specs under node_modules/ or .paved-cache/ are none.
  return revision.specs.filter((f) => !inOutput(f.path) && !inSkippedDirectory(f.path));
}

/** `git cat-file` of each object name, in order, with `--batch-check` (a header line each) or `--batch` (each header followed by the contents). */
function catFile(root: string, mode: '--batch-check' | '--batch', names: readonly string[], maxBuffer: number): Buffer {
  return execFileSync('git', gitArguments(root, ['cat-file', mode]), {
    input: names.map((n) => `${n}\n`).join(''),
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer,
    env: gitEnvironment(),
  });
}

/** The size of the blob at `at` in cat-file's output, from its header line `<object> blob <size>`; throws with git's words when it is none. */
function blobHeader(out: Buffer, at: number, name: string): { size: number; end: number } {
  const end = out.indexOf(0x0a, at);
  const header = out.subarray(at, end < 0 ? undefined : end).toString('utf8');
  const match = /^[0-9a-f]+ blob (\d+)$/.exec(header);
  if (end < 0 || !match) throw Object.assign(new Error(`git cat-file: ${name}: ${header}`), { stderr: `${name}: ${header}` });
  return { size: Number(match[1]), end };
}

/** The size in bytes of each blob, in order, read from git's object headers without reading the blobs. */
function blobSizes(root: string, names: readonly string[]): number[] {
  if (names.length === 0) return [];
  const out = catFile(root, '--batch-check', names, 64 * 1024 * 1024);
  let at = 0;
  return names.map((name) => {
    const { size, end } = blobHeader(out, at, name);
    at = end + 1;
    return size;
  });
}

/** Room for one blob's header line and the newline after its contents. */
const HEADER_BYTES = 128;

/** The contents of each blob, in order, decoded as UTF-8 (as `git show` prints them); throws when git prints more than `maxBytes`. */
function readBlobs(root: string, names: readonly string[], maxBytes: number): string[] {
  if (names.length === 0) return [];
  const out = catFile(root, '--batch', names, maxBytes);
  const texts: string[] = [];
  let at = 0;
  for (const name of names) {
    const { size, end } = blobHeader(out, at, name);
    texts.push(out.subarray(end + 1, end + 1 + size).toString('utf8'));
    at = end + 1 + size + 1;
  }
  return texts;
}

/**
 * The manifest a revision holds in its output folder, read from git's objects;
 * undefined when it has none, it is pending (an interrupted compile was
 * committed) or paved would refuse it.
 */
export function revisionManifest(root: string, revision: Revision, output: OutputDirectories): ReadonlyMap<string, ManifestEntry> | undefined {
  const blob = revision.files.get(layout.manifest(output));
  if (blob === undefined) return undefined;
  try {
    // Under the limit a manifest in the work tree is read with (compiler/write/resolver.ts): git is stopped past it.
    const owned = parseManifest(readBlobs(root, [blob], MAX_READ_BYTES + HEADER_BYTES)[0]!, output);
    return owned.pending ? undefined : owned.entries;
  } catch {
    return undefined;
  }
}

/** The git blob id of a regular file a revision holds under one of the given folders of the root (root-relative path); undefined for any other path. */
export function revisionBlobOf(revision: Revision, folders: readonly string[]): (path: string) => string | undefined {
  const prefixes = folders.map((folder) => `${folder}/`);
  return (path) => (prefixes.some((prefix) => path.startsWith(prefix)) ? revision.files.get(path) : undefined);
}

/**
 * Whether any of the files (relative to the root) differs between a revision
 * and the work tree, a file added or removed included. Anything but a regular
 * file in the work tree (a link, a FIFO) counts as changed and is not read.
 */
export function changedSince(root: string, revision: Revision, paths: readonly string[]): boolean {
  return paths.some((path) => {
    try {
      const stat = lstatOrUndefined(join(root, path));
      if (stat === undefined) return revision.files.has(path);
      const read = stat.isFile() ? readRegularBytes(join(root, path), stat) : undefined;
      return read === undefined || gitBlobId(read.bytes) !== revision.files.get(path);
    } catch {
      return true;
    }
  });
}
