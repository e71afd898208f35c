import type { OutputDirectories } from '../../spec/model.js';
import { checkRecordLocation, type CachedUnit, type CheckedFile, type CheckRecord } from '../cache.js';
import { prepareCacheFolder } from './cache-folder.js';
import { realDisk, replaceFile } from './disk.js';
import type { ManifestEntry } from './manifest.js';

/**
 * Writes what a passing `paved check --record` found (cache.ts CheckRecord) into
 * the root's cache folder, under the commit checked. Each unit's files carry the
 * sha256 and git blob id of the bytes this build emitted for its key (or, for a
 * file kept from the base's record, those it was verified against: the recorded
 * hash and the base commit's blob), never a hash read from the committed
 * manifest: `files` holds them for every file emitted or kept (TreeInspector
 * makes them as the files are compared). The files no unit lists are recorded
 * too (`others`), so the entries render the manifest the check found current
 * (cache.ts recordedManifest). False when the cache folder cannot be made or
 * the record cannot be written in it (a folder standing at its name, a
 * read-only folder): the record is then not written.
 */
export function writeCheckRecord(
  root: string,
  commit: string,
  build: string,
  output: OutputDirectories,
  units: Readonly<Record<string, CachedUnit>>,
  files: readonly (ManifestEntry & { readonly blob?: string })[],
): boolean {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const recorded = (path: string): CheckedFile => {
    const file = byPath.get(path);
    if (file?.blob === undefined) throw new Error(`writeCheckRecord: no git blob id for ${path}`);
    return { path, sha256: file.sha256, blob: file.blob, source: file.source };
  };
  const inUnits = new Set(Object.values(units).flatMap((unit) => unit.files));
  const record: CheckRecord = {
    build,
    commit,
    output: { dir: output.dir, workflowsDir: output.workflowsDir },
    units: Object.fromEntries(Object.entries(units).map(([spec, unit]) => [spec, { key: unit.key, files: unit.files.map(recorded) }])),
    others: files.filter((f) => !inUnits.has(f.path)).map(({ path, sha256, source }) => ({ path, sha256, source })),
  };
  const location = checkRecordLocation(root, commit);
  if (!prepareCacheFolder(location)) return false;
  try {
    replaceFile(location, JSON.stringify(record), realDisk, false);
  } catch {
    // As for the compile record (tree.ts): a record that cannot be written (a folder standing at its
    // name, a read-only cache folder) is not written; the check's result stands, and a later check is a full one.
    return false;
  }
  return true;
}
