import { createHash } from 'node:crypto';
import type { GeneratedFile } from '../../spec/emitter.js';
import type { OutputDirectories } from '../../spec/model.js';
import { compareText } from '../../spec/pointer.js';
import { printable } from '../../spec/text.js';
import { WriteError } from './errors.js';
import { Blocked, describeType, ownablePathProblem, Resolver } from './resolver.js';
import { layout } from '../../spec/layout.js';
import { PIECE_LENGTH } from './pieces.js';

/**
 * The manifest, `<output.dir>/.paved-manifest.json`: every file paved owns, with
 * its sha256 and the spec it comes from. paved owns exactly what it lists.
 * Reading it never follows a link; a tampered entry is refused, never used.
 */

export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
  readonly source: string;
}

export function sha256(contents: string): string {
  return createHash('sha256').update(contents, 'utf8').digest('hex');
}

/** The manifest of `files` (and `kept`), whole: for in-memory callers (tests); the writer writes it in pieces. */
export function renderManifest(files: readonly GeneratedFile[], kept: readonly ManifestEntry[] = []): string {
  const entries = files.map((f) => ({ path: f.path, sha256: sha256(f.contents), source: f.source }));
  const planned = kept.length === 0 ? entries : [...entries, ...kept].sort((a, b) => compareText(a.path, b.path));
  return [...manifestPieces(planned, false)].join('');
}

/**
 * A manifest's text, `JSON.stringify({ version: 1, [pending: true,] files }, null, 2)`
 * and a newline, in pieces (pieces.ts): only the entries' fields are printed
 * (`previousSha256` only in a pending manifest), each string by JSON.stringify.
 */
export function* manifestPieces(entries: readonly PendingEntry[], pending: boolean): Generator<string> {
  const head = `{\n  "version": 1,\n${pending ? '  "pending": true,\n' : ''}  "files": [`;
  if (entries.length === 0) {
    yield `${head}]\n}\n`;
    return;
  }
  let piece = `${head}\n`;
  for (const [i, { path, sha256, source, previousSha256 }] of entries.entries()) {
    const previous = !pending || previousSha256 === undefined ? '' : `,\n      "previousSha256": ${JSON.stringify(previousSha256)}`;
    piece += `    {\n      "path": ${JSON.stringify(path)},\n      "sha256": ${JSON.stringify(sha256)},\n      "source": ${JSON.stringify(source)}${previous}\n    }`;
    piece += i + 1 < entries.length ? ',\n' : '\n';
    if (piece.length >= PIECE_LENGTH) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}  ]\n}\n`;
}

/**
 * The length in bytes of the final manifest of `entries` (manifestPieces), counted
 * without rendering it: git's blob id of the manifest starts with it (cache.ts
 * recordedManifest), and the text is then rendered once, to be hashed.
 */
export function manifestByteLength(entries: readonly ManifestEntry[]): number {
  const open = '{\n  "version": 1,\n  "files": ['.length;
  if (entries.length === 0) return open + ']\n}\n'.length;
  const fixed = '    {\n      "path": ,\n      "sha256": ,\n      "source": \n    },\n'.length;
  let bytes = open + '\n'.length + entries.length * fixed - ','.length + '  ]\n}\n'.length;
  for (const { path, sha256, source } of entries) bytes += jsonByteLength(path) + jsonByteLength(sha256) + jsonByteLength(source);
  return bytes;
}

/** Printable ASCII but `"` and the backslash: JSON.stringify adds the quotes and nothing else. */
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const jsonByteLength = (text: string): number => (PLAIN_JSON.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text)));

export interface OwnedFiles {
  readonly entries: ReadonlyMap<string, ManifestEntry & { readonly previousSha256?: string }>;
  /** The last compile stopped before finishing. */
  readonly pending: boolean;
}

/** The last manifest parsed: a compile reads it before planning and again under the lock, usually unchanged. */
let lastManifest: { readonly key: string; readonly text: string; readonly owned: OwnedFiles } | undefined;

export function readManifest(root: string, output: OutputDirectories): OwnedFiles {
  return ownedFiles(root, output, readManifestText(new Resolver(root), output));
}

/** The files the manifest text of `root` read by `readManifestText` lists; none without a manifest. */
export function ownedFiles(root: string, output: OutputDirectories, text: string | undefined): OwnedFiles {
  if (text === undefined) return { entries: new Map(), pending: false };
  const key = JSON.stringify([root, output]);
  if (lastManifest?.key === key && lastManifest.text === text) return lastManifest.owned;
  const owned = parseManifest(text, output);
  lastManifest = { key, text, owned };
  return owned;
}

/** The manifest's text, or undefined when there is none; a link or FIFO in its place is refused, never followed. */
export function readManifestText(resolver: Resolver, output: OutputDirectories): string | undefined {
  const path = layout.manifest(output);
  const found = resolver.read(path);
  if (found instanceof Blocked) throw new WriteError(`${printable(found.at)} ${found.what}; paved reads its manifest ${path} only from a real directory`, true);
  if (!('kind' in found)) return found.text;
  if (found.kind === 'other')
    throw new WriteError(
      `${path} is ${describeType(found.stat)}${found.stat.isFile() ? '' : ', not a regular file'}; paved will not read it. Restore the manifest from version control or delete it`,
      true,
    );
  return undefined;
}

/** A manifest's text as paved reads it: refused (WriteError) when it is not JSON or lists a path paved can never own. */
export function parseManifest(text: string, output: OutputDirectories): OwnedFiles {
  const path = layout.manifest(output);
  const owned = new Map<string, ManifestEntry & { previousSha256?: string }>();
  const invalid = (): WriteError =>
    new WriteError(
      `${path} is not valid JSON; restore it from version control or delete it (paved will then refuse to overwrite files it no longer knows it owns)`,
      true,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!text.startsWith(JOURNAL_HEAD)) throw invalid();
    parsed = { pending: true, files: parseJournal(text.slice(JOURNAL_HEAD.length), invalid) };
  }
  const entries = (parsed as { files?: unknown } | null)?.files;
  if (!Array.isArray(entries)) throw new WriteError(`${path} has no "files" list; restore it from version control or delete it`, true);
  const refused: string[] = [];
  for (const entry of entries as Array<Partial<PendingEntry> | null>) {
    // A tampered manifest must not let paved read or delete files outside its output directories.
    const problem =
      typeof entry?.path !== 'string'
        ? 'an entry without a path'
        : typeof entry.sha256 !== 'string'
          ? 'an entry without a sha256'
          : ownablePathProblem(entry.path, output);
    if (problem !== undefined) {
      refused.push(`  ${printable(String(JSON.stringify(entry?.path)))}: ${problem}`);
      continue;
    }
    // A journal claims a file again when the compile creates it where an owned one went missing: either version is paved's.
    const earlier = owned.get(entry!.path!);
    const previousSha256 = entry!.previousSha256 ?? (earlier && earlier.sha256 !== entry!.sha256 ? earlier.sha256 : undefined);
    owned.set(entry!.path!, {
      path: entry!.path!,
      sha256: entry!.sha256!,
      source: String(entry!.source ?? ''),
      ...(typeof previousSha256 === 'string' ? { previousSha256 } : {}),
    });
  }
  if (refused.length > 0) {
    throw new WriteError(
      `${path} lists paths paved can never own; it neither reads nor deletes them:\n${refused.join('\n')}\nremove these entries (or restore the manifest from version control), then run paved again`,
      true,
    );
  }
  return { entries: owned, pending: (parsed as { pending?: unknown }).pending === true };
}

/**
 * The pending manifest of a commit (tree.ts), in pieces (manifestPieces): every
 * planned file, those changing with the hash they had (`previousSha256`), and
 * every previously owned file no longer planned. `changing` tells a path that
 * is written by this commit. `files` are in path order.
 */
export function pendingManifestPieces(
  files: readonly ManifestEntry[],
  previous: ReadonlyMap<string, ManifestEntry>,
  changing: (path: string) => boolean,
): Generator<string> {
  const entries: PendingEntry[] = files.map(({ path, sha256, source }) => {
    const old = previous.get(path);
    return changing(path) && old && old.sha256 !== sha256 ? { path, sha256, source, previousSha256: old.sha256 } : { path, sha256, source };
  });
  if (previous.size > 0) {
    const planned = new Set(files.map((f) => f.path));
    for (const old of previous.values()) if (!planned.has(old.path)) entries.push({ path: old.path, sha256: old.sha256, source: old.source });
    entries.sort((a, b) => compareText(a.path, b.path));
  }
  return manifestPieces(entries, true);
}

export interface PendingEntry extends ManifestEntry {
  /** In a pending manifest: the hash the file had before the interrupted compile. */
  readonly previousSha256?: string;
}

/**
 * A streaming compile's pending manifest (tree.ts TreeWriter): this head, the
 * previous manifest's entries, then one line per file the compile creates,
 * appended before the file is. It is never closed: the commit replaces it with a
 * whole pending manifest, a rollback with the previous one. A line cut short by
 * a kill is the last one and names a file not yet created, so it is dropped.
 */
export const JOURNAL_HEAD = '{\n  "version": 1,\n  "pending": true,\n  "files": [\n';

export function renderJournalHead(previous: Iterable<PendingEntry>): string {
  return JOURNAL_HEAD + journalLines([...previous]);
}

export function journalLines(entries: readonly PendingEntry[]): string {
  let text = '';
  for (const { path, sha256, source, previousSha256 } of entries)
    text += `    ${JSON.stringify({ path, sha256, source, ...(previousSha256 === undefined ? {} : { previousSha256 }) })},\n`;
  return text;
}

function parseJournal(body: string, invalid: () => WriteError): unknown[] {
  const lines = body.split('\n');
  lines.pop();
  return lines.map((line) => {
    try {
      return JSON.parse(line.trim().replace(/,$/, '')) as unknown;
    } catch {
      throw invalid();
    }
  });
}
