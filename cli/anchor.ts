import { readCheckRecord, recordedManifest, type Anchor } from '../compiler/cache.js';
import { layout } from '../spec/layout.js';
import { prepareTexts, specKeys, type LoadedSources, type PreparedCompile } from '../compiler/compile.js';
import { cleanIndexBlobs } from './git-index.js';
import { changedSince, gitCommit, readRevision, revisionBlobOf, revisionManifest, revisionSpecs } from './revision.js';

/**
 * What the check may be anchored on (docs/incremental.md): the base commit's
 * check record, made by this build, held to the base commit itself (its keys
 * as this build computes them from the base's specs, its generated files' git
 * blobs), with git's word on which of those blobs the work tree holds. None,
 * and the check is a full one, when the change touches the package files at
 * the root, which pin the paved a repository's CI runs: the base was then
 * checked by another paved. The base is validated, resolved and keyed once:
 * the data-loss comparison emits from the same (check-base.ts). `head`: the
 * working tree's specs, whose parse serves every base spec of the same text.
 */
export function anchorRecord(root: string, base: string, build: string, outDir: string | undefined, head: LoadedSources): AnchoredBase | undefined {
  const commit = gitCommit(root, base);
  const record = commit === undefined ? undefined : readCheckRecord(root, commit, build);
  if (record === undefined) return undefined;
  const read = readRevision(root, commit!);
  if ('problem' in read || changedSince(root, read.revision, PAVED_PINS)) return undefined;
  const prepared = prepareTexts(revisionSpecs(read.revision, record.output, outDir), outDir, build, head);
  const baseKeys = specKeys(prepared);
  if (baseKeys === undefined) return undefined;
  const baseBlob = revisionBlobOf(read.revision, [record.output.dir, record.output.workflowsDir]);
  // Without the base's own manifest nothing is kept: it is what holds the record to the base.
  const baseManifest =
    recordedManifest(record, read.revision.files.get(layout.manifest(record.output))) ?? revisionManifest(root, read.revision, record.output);
  if (baseManifest === undefined) return undefined;
  const clean = cleanIndexBlobs(root, [record.output.dir, record.output.workflowsDir]);
  return { anchor: { record, baseKeys, baseBlob, baseManifest, ...(clean ? { clean } : {}) }, prepared };
}

/** The anchor of a check, and the base commit's specs compiled up to emission under the same build. */
export interface AnchoredBase {
  readonly anchor: Anchor;
  readonly prepared: PreparedCompile;
}

/**
 * The files at the paved root that pin which paved a repository runs and how:
 * the generated workflows install it there with `npm ci`, which takes
 * npm-shrinkwrap.json over package-lock.json, and run it with `npm exec`, which
 * reads .npmrc (`node-options` among its settings).
 */
export const PAVED_PINS = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc'];
