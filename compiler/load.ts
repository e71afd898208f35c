import { lstatSync, readdirSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative as relativePath, resolve } from 'node:path';
import type { Diagnostic } from '../spec/diagnostic.js';
import { isGeneratedText } from '../spec/marker.js';
import { showString } from '../spec/text.js';
import { MAX_FILE_BYTES, parseSource, tooLarge } from './parse.js';
import type { ModuleFolder, ModuleFolders } from './validate/resource-types.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE, type SourceFile } from './source.js';
import { describeType, lstatOrUndefined, readRegular, readRegularBytes } from './write/resolver.js';
import { append } from '../spec/append.js';

/** Directories never searched for specs, besides the output directories. */
// .paved-cache: paved's own cache folder (compiler/cache.ts CACHE_FOLDER), never specs.
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.paved-cache']);

/** Whether the walk for specs leaves out a root-relative path: one inside a folder it never searches (SKIPPED_DIRECTORIES). */
export function inSkippedDirectory(path: string): boolean {
  return path
    .split('/')
    .slice(0, -1)
    .some((folder) => SKIPPED_DIRECTORIES.has(folder));
}

export interface Loaded {
  readonly files: readonly SourceFile[];
  /** Texts of every file read, parsed or not, by path: for caret snippets. */
  readonly texts: ReadonlyMap<string, string>;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads `platform.yaml` at the root, if there is one. */
export function loadPlatform(root: string): Loaded {
  return loadRootFile(root, PLATFORM_FILE, 'platform');
}

/** Reads `releases.yaml` at the root, if there is one. */
export function loadReleases(root: string): Loaded {
  return loadRootFile(root, RELEASES_FILE, 'releases');
}

function loadRootFile(root: string, name: string, kind: SourceFile['kind']): Loaded {
  const stat = lstatOrUndefined(join(root, name));
  if (stat === undefined) return { files: [], texts: new Map(), diagnostics: [] };
  if (!stat.isFile()) return { files: [], texts: new Map(), diagnostics: [notAFile(name, stat)] };
  return readSpec(root, name, kind);
}

/**
 * A spec's name on something that is not a regular file: an error, not a file
 * left out. A platform.yaml left out compiles with the embedded platform, a
 * releases.yaml left out with no release, a service.yaml left out deletes the
 * service's generated files.
 */
function notAFile(path: string, stat: Stats | Dirent): Diagnostic {
  return {
    code: 'LOAD.NOT_A_FILE',
    severity: 'error',
    message: `this is ${describeType(stat)}, not a regular file; paved reads a spec only from a regular file`,
    hint: 'replace it with the file itself: paved reads no spec through a link, and never a FIFO or a device',
    file: path,
  };
}

/**
 * Reads every `service.yaml` below the root, in sorted path order. Symbolic links
 * are not followed (no loops, no specs from outside the repo). `skip` lists
 * root-relative directories to leave out: the output directories.
 */
export function loadServices(root: string, skip: readonly string[]): Loaded {
  const files: SourceFile[] = [];
  const texts = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const skipped = new Set(skip);
  const walk = (relative: string): void => {
    let listed: Dirent[];
    try {
      listed = readdirSync(relative === '' ? root : join(root, relative), { withFileTypes: true });
    } catch (error) {
      // The folder's specs are not read; an error, so no compile deletes their generated trees.
      if (!isErrno(error)) throw error;
      diagnostics.push(unreadable(relative === '' ? '.' : relative, 'folder', error));
      return;
    }
    for (const entry of listed)
      if (entry.name === SERVICE_FILE && !entry.isFile() && !entry.isDirectory())
        diagnostics.push(notAFile(relative === '' ? SERVICE_FILE : `${relative}/${SERVICE_FILE}`, entry));
    const entries = listed
      .map((entry) => ({ name: entry.name, dir: entry.isDirectory(), file: entry.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (!entries.some((entry) => entry.file && entry.name === SERVICE_FILE)) {
      for (const entry of entries.filter((e) => e.file && isNearMissSpecName(e.name)))
        diagnostics.push(nearMissSpec(relative === '' ? entry.name : `${relative}/${entry.name}`, entry.name));
    }
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.dir) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !skipped.has(path)) walk(path);
      } else if (entry.file && entry.name === SERVICE_FILE) {
        const loaded = readSpec(root, path, 'service');
        files.push(...loaded.files);
        for (const [path, text] of loaded.texts) texts.set(path, text);
        append(diagnostics, loaded.diagnostics);
      }
    }
  };
  walk('');
  return { files, texts, diagnostics };
}

/** A Node file system error (ENAMETOOLONG, EACCES, ELOOP, ...), not a bug of paved's. */
function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * A folder the walk for specs cannot list, or a service.yaml it cannot open:
 * its path is longer than the system allows (a tree nested deep, or a clone
 * into a long path), or it cannot be read. An error: the specs in it are not
 * read, and a compile without them would delete their generated trees.
 */
function unreadable(path: string, what: 'folder' | 'file', error: NodeJS.ErrnoException): Diagnostic {
  const action = what === 'folder' ? 'searched for service.yaml files' : 'read';
  // Node's message: "EACCES: permission denied, scandir '/abs/path'"; the path is the diagnostic's file.
  const why = /^[A-Z0-9]+: ([^,]+),/.exec(error.message)?.[1] ?? 'system error';
  const tooLong = error.code === 'ENAMETOOLONG';
  return {
    code: 'LOAD.UNREADABLE',
    severity: 'error',
    message: tooLong
      ? `this ${what} cannot be ${action}: its absolute path is longer than the system allows (ENAMETOOLONG)`
      : `this ${what} cannot be ${action}: ${why} (${error.code})`,
    hint: tooLong
      ? 'nest the folders less deeply or give them shorter names, or clone the repository into a shorter path'
      : `make the ${what} readable, or move it out of the repository`,
    file: path,
  };
}

/**
 * A file that was meant to be a service spec but is not named exactly
 * `service.yaml`: another case, the .yml extension, a suffix. Without this a
 * rename to `service.yml` makes the service disappear, and the next compile
 * deletes its generated tree. Only reported where no `service.yaml` sits
 * beside it, so editor and merge backups of a real spec stay quiet.
 */
function isNearMissSpecName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return name !== SERVICE_FILE && /^services?\.(ya?ml|json)(\..*|~)?$/.test(lower);
}

function nearMissSpec(path: string, name: string): Diagnostic {
  return {
    code: 'LOAD.SPEC_FILE_NAME',
    severity: 'error',
    message: `${showString(name)} is not read: paved reads a service's spec only from a file named exactly "service.yaml", so this folder would have no service and its generated files would be deleted`,
    hint: `did you mean service.yaml? Rename the file (git mv ${path} ${path.slice(0, path.length - name.length)}${SERVICE_FILE})`,
    file: path,
    range: { line: 1, col: 1, endLine: 1, endCol: 2 },
  };
}

/**
 * A root without platform.yaml inside a repository whose enclosing folder has
 * one: compiling there would use the embedded example platform and write a
 * second generated tree beside the real one. Looks up to the repository's top
 * (the first folder with a .git entry); outside a repository it does not look.
 */
export function enclosingPlatformRoot(root: string): string | undefined {
  const start = resolve(root);
  const ancestors: string[] = [];
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    ancestors.push(dir);
    if (dir === dirname(dir)) break;
  }
  if (exists(join(start, '.git'))) return undefined;
  const top = ancestors.findIndex((dir) => exists(join(dir, '.git')));
  if (top === -1) return undefined;
  const found = ancestors.slice(0, top + 1).find((dir) => isFile(join(dir, PLATFORM_FILE)));
  return found === undefined ? undefined : relativePath(start, found) || '.';
}

/** The diagnostic for enclosingPlatformRoot. */
export function nestedRoot(enclosing: string): Diagnostic {
  return {
    code: 'LOAD.NESTED_ROOT',
    severity: 'error',
    message: `this folder has no platform.yaml, but ${showString(`${enclosing}/${PLATFORM_FILE}`)} does: compiling here would use paved's embedded example platform and write a second generated tree`,
    hint: `compile the repository's root instead: paved compile ${enclosing} (or --root ${enclosing})`,
  };
}

function readSpec(root: string, relative: string, kind: SourceFile['kind']): Loaded {
  const absolute = join(root, relative);
  const refused = (diagnostic: Diagnostic): Loaded => ({ files: [], texts: new Map(), diagnostics: [diagnostic] });
  let bytes: Buffer;
  try {
    const stat = lstatSync(absolute);
    if (stat.size > MAX_FILE_BYTES) return refused(tooLarge(relative, stat.size));
    // Opened as the file lstat saw, through no link: one swapped in since (a link, a FIFO) is never read.
    const read = readRegularBytes(absolute, stat, MAX_FILE_BYTES);
    if (read === undefined) return refused(changedWhileRead(relative));
    bytes = read.bytes;
  } catch (error) {
    // A folder just short of the system's path limit can be listed, and its service.yaml still be too long a path to
    // open; a file paved may not read (EACCES).
    if (!isErrno(error)) throw error;
    return refused(unreadable(relative, 'file', error));
  }
  // The Kubernetes emitter writes Service objects to service.yaml too; a copy of
  // the output (a golden fixture, a moved output.dir) must not read as specs.
  if (kind === 'service' && isGeneratedText(bytes.subarray(0, 200).toString('utf8'))) return { files: [], texts: new Map(), diagnostics: [] };
  const parsed = parseSource(relative, bytes, kind);
  return {
    files: parsed.file ? [parsed.file] : [],
    texts: new Map(parsed.text === undefined ? [] : [[relative, parsed.text]]),
    diagnostics: parsed.diagnostics,
  };
}

/** A spec replaced, removed or grown past the limit between its lstat and its open: what is there now was never checked. */
function changedWhileRead(path: string): Diagnostic {
  return {
    code: 'LOAD.UNREADABLE',
    severity: 'error',
    message: 'this file changed while paved read it (replaced, removed or grown past 1 MiB)',
    hint: 'run paved again once nothing else is writing to it',
    file: path,
  };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The local module folders of the platform's resource types (compiler/validate/resource-types.ts):
 * whether each exists inside the root, and the variables and outputs its `.tf`
 * files declare, so validation can say which is missing before Terraform does.
 * Top-level blocks are found by their opening line (`variable "x" {`), as
 * `terraform fmt` writes them; a module is read, never run.
 */
export function loadModules(root: string, paths: readonly string[]): ModuleFolders {
  const folders = new Map<string, ModuleFolder>();
  const top = resolve(root);
  for (const path of [...new Set(paths)].sort()) {
    const absolute = resolve(top, path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      folders.set(path, { found: false, problem: 'does not exist', variables: [], outputs: [] });
      continue;
    }
    const inside = relativePath(realpathSync(top), real);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      folders.set(path, { found: false, problem: 'leaves the repository (through a symbolic link)', variables: [], outputs: [] });
      continue;
    }
    if (!lstatSync(real).isDirectory()) {
      folders.set(path, { found: false, problem: 'is not a folder', variables: [], outputs: [] });
      continue;
    }
    let listed: Dirent[];
    try {
      listed = readdirSync(real, { withFileTypes: true });
    } catch (error) {
      if (!isErrno(error)) throw error;
      folders.set(path, { found: false, problem: `cannot be read (${error.code})`, variables: [], outputs: [] });
      continue;
    }
    const files = listed
      .filter((e) => e.isFile() && e.name.endsWith('.tf'))
      .map((e) => e.name)
      .sort();
    if (files.length === 0) {
      folders.set(path, { found: false, problem: 'holds no .tf file', variables: [], outputs: [] });
      continue;
    }
    const declared = readModuleFiles(real, files);
    if (typeof declared === 'string') {
      folders.set(path, { found: false, problem: declared, variables: [], outputs: [] });
      continue;
    }
    folders.set(path, { found: true, ...declared });
  }
  return folders;
}

/**
 * The variables and outputs a module folder's `.tf` files declare, each file
 * read on its own (through no link, never a FIFO) and only up to
 * MAX_FILE_BYTES, so a module folder costs at most one such file in memory at
 * a time; or why the folder cannot be read. A file that is no longer a regular
 * file of at most that size when opened (a race) is left out, as the listing
 * would have left it.
 */
function readModuleFiles(folder: string, files: readonly string[]): { variables: string[]; outputs: string[] } | string {
  const variables: string[] = [];
  const outputs: string[] = [];
  for (const name of files) {
    const absolute = join(folder, name);
    let read: ReturnType<typeof readRegular>;
    try {
      const stat = lstatOrUndefined(absolute);
      if (stat === undefined || !stat.isFile()) continue;
      if (stat.size > MAX_FILE_BYTES) return tfTooLarge(name);
      read = readRegular(absolute, stat, MAX_FILE_BYTES);
    } catch (error) {
      if (!isErrno(error)) throw error;
      return `cannot be read (${error.code} on ${showString(name)})`;
    }
    if (read === undefined) continue;
    // A loop, not push(...): a file of a megabyte can declare more names than a call takes arguments.
    for (const [kind, names] of [['variable', variables] as const, ['output', outputs] as const])
      for (const match of read.text.matchAll(new RegExp(`^${kind}\\s+"([^"]+)"\\s*\\{`, 'gm'))) names.push(match[1]!);
  }
  return { variables: variables.sort(), outputs: outputs.sort() };
}

function tfTooLarge(name: string): string {
  return `holds a .tf file over 1 MiB (${showString(name)}); paved reads a module's variables and outputs from files up to that size: split the file`;
}
