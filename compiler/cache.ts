import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { OutputDirectories, ResolvedProject, ResolvedService } from '../spec/model.js';
import type { Reuse } from './emit.js';
import type { ManifestEntry } from './write/manifest.js';

/**
 * Incremental compiles. A service's files are a function of its resolved model,
 * the models of the services it depends on, the platform and paved itself: emit
 * hands its emitters nothing else (`scopedProject`), and the hash of exactly
 * that project and the build is the service's key.
 * `paved compile` records each key with the size, times and inode of every file
 * whose bytes it verified (written whole, or read and found identical: write/tree.ts
 * `recordBuildCache`), so a file cut short is never vouched for; the next
 * compile skips the emitters of a
 * service whose key is unchanged and whose files are still exactly those. The
 * record is local state of one clone, never output: it lives in the git
 * directory (like git's own index), so no commit can pick it up, and without a
 * git work tree there is no incremental compile. `paved check` always emits
 * everything.
 */

/** What a file looked like right after paved wrote it; any edit changes its ctime. */
export interface FileStamp {
  readonly sha256: string;
  readonly size: number;
  /** Milliseconds with the file system's sub-millisecond part, as lstat reports them. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface BuildCache {
  /** Identifies the paved build (code and dependency versions) that wrote it. */
  readonly build: string;
  /** Spec path -> the key of its service when last emitted, and the paths its emitters produced. */
  readonly units: Readonly<Record<string, CachedUnit>>;
  readonly files: Readonly<Record<string, FileStamp>>;
}

/** What an incremental compile hands the writer to record (CompileResult.cache). */
export interface CacheRecord {
  /** An absolute path in the git directory (buildCacheLocation). */
  readonly location: string;
  readonly build: string;
  readonly units: BuildCache['units'];
  readonly previous?: BuildCache;
}

export interface CachedUnit {
  readonly key: string;
  readonly files: readonly string[];
}

/**
 * Where the record of compiles of `root` into `output` lives: a file in the git
 * directory of the work tree holding `root`, named after the root's place in
 * the work tree and the output directory. Undefined outside a git work tree.
 */
export function buildCacheLocation(root: string, output: OutputDirectories): string | undefined {
  let top: string;
  try {
    top = realpathSync(root);
  } catch {
    return undefined;
  }
  const start = top;
  for (;;) {
    const gitDir = gitDirectory(top);
    if (gitDir) {
      const id = createHash('sha256')
        .update(JSON.stringify([relative(top, start), output.dir, output.workflowsDir]))
        .digest('hex')
        .slice(0, 16);
      return join(gitDir, `paved-cache-${id}.json`);
    }
    const parent = dirname(top);
    if (parent === top) return undefined;
    top = parent;
  }
}

/** `.git` as a directory, or as a file pointing at one (worktrees, submodules). */
function gitDirectory(dir: string): string | undefined {
  const dotGit = join(dir, '.git');
  try {
    const stat = lstatSync(dotGit);
    if (stat.isDirectory()) return dotGit;
    if (!stat.isFile()) return undefined;
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!pointer) return undefined;
    const target = isAbsolute(pointer) ? pointer : resolve(dir, pointer);
    return lstatSync(target).isDirectory() ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The key of a service: the paved build and everything its emitters see (emit.ts `scopedProject`). */
export function serviceKey(build: string, scoped: ResolvedProject): string {
  return createHash('sha256')
    .update(JSON.stringify([build, scoped]))
    .digest('hex');
}

let buildIdentity: string | null | undefined;

/**
 * The identity of this paved build, written by `npm run build` (scripts/build-id.ts)
 * from the compiled code and the locked dependency versions. Without it there is
 * no incremental compile: a key must change whenever paved's output could.
 */
export function pavedBuild(): string | undefined {
  if (buildIdentity === undefined) {
    try {
      buildIdentity = readFileSync(new URL('../build-id.txt', import.meta.url), 'utf8').trim() || null;
    } catch {
      buildIdentity = null;
    }
  }
  return buildIdentity ?? undefined;
}

/** The record of the last compile, or undefined when there is none or it cannot be trusted. */
export function readBuildCache(location: string, build: string): BuildCache | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(location, 'utf8'));
  } catch {
    return undefined;
  }
  const cache = parsed as Partial<BuildCache> | null;
  if (cache?.build !== build || typeof cache.units !== 'object' || cache.units === null || typeof cache.files !== 'object' || cache.files === null)
    return undefined;
  return cache as BuildCache;
}

export function stampOf(root: string, path: string, sha256: string): FileStamp | undefined {
  try {
    const stat = lstatSync(join(root, path));
    if (!stat.isFile()) return undefined;
    return { sha256, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
  } catch {
    return undefined;
  }
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.sha256 === b.sha256 && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

/**
 * Vouches for the files of a service whose key is the one recorded, when the
 * manifest lists them with the recorded hashes and each file on disk still
 * carries the stamp it had when paved wrote it. The caller passes no manifest
 * entries after an interrupted compile.
 */
export function reuseFromCache(
  root: string,
  cache: BuildCache,
  owned: ReadonlyMap<string, ManifestEntry>,
  keys: ReadonlyMap<ResolvedService, string>,
  sources: ReadonlyMap<ResolvedService, ReadonlySet<string>>,
): Reuse {
  return (service) => {
    // A service's files come from its spec, and a preview's dependency bases from the dependencies' specs, all in its key.
    const allowed = sources.get(service);
    const unit = Object.hasOwn(cache.units, service.specPath) ? cache.units[service.specPath] : undefined;
    if (!unit || unit.key !== keys.get(service) || !Array.isArray(unit.files) || unit.files.length === 0) return undefined;
    const files: ManifestEntry[] = [];
    for (const path of unit.files) {
      const entry = owned.get(path);
      const recorded = Object.hasOwn(cache.files, path) ? cache.files[path] : undefined;
      if (!entry || (entry.source !== service.specPath && !allowed?.has(entry.source)) || !recorded || recorded.sha256 !== entry.sha256) return undefined;
      const current = stampOf(root, path, entry.sha256);
      if (!current || !sameStamp(recorded, current)) return undefined;
      files.push(entry);
    }
    return files;
  };
}
