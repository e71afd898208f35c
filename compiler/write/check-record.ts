import type { GeneratedFile } from '../../spec/emitter.js';
import type { OutputDirectories } from '../../spec/model.js';
import { checkRecordLocation, gitBlobId, type CachedUnit, type CheckRecord } from '../cache.js';
import { prepareCacheFolder } from './cache-folder.js';
import { realDisk, replaceFile } from './disk.js';
import { sha256, type ManifestEntry } from './manifest.js';

/**
 * Writes what a passing `paved check --record` found (cache.ts CheckRecord) into
 * the root's cache folder, under the commit checked. Each unit's files carry the
 * sha256 and git blob id of the bytes this build emitted for its key (or, for a
 * file kept from the base's record, those it was verified against: the recorded
 * hash and the base commit's blob), never a hash read from the committed
 * manifest. False when the cache folder cannot be made.
 */
export function writeCheckRecord(
  root: string,
  commit: string,
  build: string,
  output: OutputDirectories,
  units: Readonly<Record<string, CachedUnit>>,
  files: readonly GeneratedFile[],
  kept: readonly (ManifestEntry & { readonly blob: string })[],
): boolean {
  const hashes = new Map<string, string>([...kept.map((k) => [k.path, k.sha256] as const)]);
  const blobs = new Map<string, string>([...kept.map((k) => [k.path, k.blob] as const)]);
  for (const file of files) {
    const bytes = Buffer.from(file.contents, 'utf8');
    hashes.set(file.path, sha256(file.contents));
    blobs.set(file.path, gitBlobId(bytes));
  }
  // A unit's files may come from other specs too (a preview's dependency bases): the manifest names each file's own.
  const sources = new Map<string, string>([...kept.map((k) => [k.path, k.source] as const), ...files.map((f) => [f.path, f.source] as const)]);
  const record: CheckRecord = {
    build,
    commit,
    output: { dir: output.dir, workflowsDir: output.workflowsDir },
    units: Object.fromEntries(
      Object.entries(units).map(([spec, unit]) => [
        spec,
        { key: unit.key, files: unit.files.map((path) => ({ path, sha256: hashes.get(path)!, blob: blobs.get(path)!, source: sources.get(path)! })) },
      ]),
    ),
  };
  const location = checkRecordLocation(root, commit);
  if (!prepareCacheFolder(location)) return false;
  replaceFile(location, JSON.stringify(record), realDisk, false);
  return true;
}
