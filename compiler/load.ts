import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../spec/diagnostic.js';
import { isGeneratedText } from '../spec/marker.js';
import { MAX_FILE_BYTES, parseSource, tooLarge } from './parse.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE, type SourceFile } from './source.js';

/** Directories never searched for specs, besides the output directories. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

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
  if (!isFile(join(root, name))) return { files: [], texts: new Map(), diagnostics: [] };
  return readSpec(root, name, kind);
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
    const entries = readdirSync(relative === '' ? root : join(root, relative), { withFileTypes: true })
      .map((entry) => ({ name: entry.name, dir: entry.isDirectory(), file: entry.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.dir) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !skipped.has(path)) walk(path);
      } else if (entry.file && entry.name === SERVICE_FILE) {
        const loaded = readSpec(root, path, 'service');
        files.push(...loaded.files);
        for (const [path, text] of loaded.texts) texts.set(path, text);
        diagnostics.push(...loaded.diagnostics);
      }
    }
  };
  walk('');
  return { files, texts, diagnostics };
}

function readSpec(root: string, relative: string, kind: SourceFile['kind']): Loaded {
  const absolute = join(root, relative);
  const size = lstatSync(absolute).size;
  if (size > MAX_FILE_BYTES) return { files: [], texts: new Map(), diagnostics: [tooLarge(relative, size)] };
  const bytes = readFileSync(absolute);
  // The Kubernetes emitter writes Service objects to service.yaml too; a copy of
  // the output (a golden fixture, a moved output.dir) must not read as specs.
  if (kind === 'service' && isGeneratedText(bytes.subarray(0, 200).toString('utf8'))) return { files: [], texts: new Map(), diagnostics: [] };
  const parsed = parseSource(relative, bytes, kind);
  return { files: parsed.file ? [parsed.file] : [], texts: new Map(parsed.text === undefined ? [] : [[relative, parsed.text]]), diagnostics: parsed.diagnostics };
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}
