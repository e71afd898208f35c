import { resolve } from 'node:path';
import { emitPrepared, loadSources, prepareSources } from '../compiler/compile.js';
import { diffMarkdown, diffText, diffTrees } from '../compiler/diff.js';
import { unlistedFiles } from '../compiler/write/inspect.js';
import { emitters } from './emitters.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, treeRefusal, type Io } from './io.js';
import { EMIT_IN_THREADS } from './emit-threads.js';
import { emitChanged, readRevision } from './revision.js';

/**
 * The build both revisions are keyed under: keys are compared within this
 * process only, where the same part of the project always emits the same files.
 */
const SAME_PROCESS = 'paved diff';

/**
 * `paved diff --base <git-ref>`: compiles the specs of a git revision and the
 * working tree in memory and summarizes what changes in the generated tree.
 *
 * A service whose key (its part of the project, compiler/cache.ts serviceKey)
 * is the same in both revisions emits the same files in both: it changes
 * nothing, and is emitted with its values on neither side. The working tree is
 * also compiled whole, in threads and without values, for what a full compile
 * reports and plans. At 1,000 services, a one-service change: 13.4 s and
 * 1.0 GB, against 26.1 s and 2.9 GB with both revisions compiled whole with
 * their values; the same bytes out.
 */
export function runDiff(rootArg: string, base: string, format: 'text' | 'json' | 'markdown', io: Io): number {
  const root = resolve(io.cwd, rootArg);
  const read = readRevision(root, base);
  if ('problem' in read) {
    io.stderr(`paved: ${read.problem}\n`);
    return EXIT_USAGE;
  }
  const loaded = loadSources(root);
  const headPrepared = prepareSources(loaded, undefined, SAME_PROCESS);
  const head = emitPrepared(headPrepared, { emitters, emitServices: EMIT_IN_THREADS });
  const { base: before, head: after } = emitChanged(read.revision, headPrepared, undefined, SAME_PROCESS);
  for (const [label, result] of [
    [base, before],
    ['the working tree', head],
  ] as const) {
    if (result.diagnostics.some((d) => d.severity === 'error')) {
      io.stderr(formatText(result.diagnostics, result.sources));
      io.stderr(`paved: ${label} does not compile\n`);
      return EXIT_PROBLEMS;
    }
  }
  const changes = diffTrees(before.files, after.files, head.output, new Map([...before.owners, ...after.owners]));
  // Files in the working tree's output folders that nobody generated: listed, never read.
  let unlisted;
  try {
    unlisted = unlistedFiles(root, head.output, head.files).map(({ path, type }) => ({ path, ...(type === undefined ? {} : { type }) }));
  } catch (error) {
    return treeRefusal(error, 'read', io);
  }
  io.stdout(
    format === 'json'
      ? `${JSON.stringify({ base, changes, unlisted }, null, 2)}\n`
      : format === 'markdown'
        ? diffMarkdown(changes, unlisted)
        : diffText(changes, unlisted),
  );
  return EXIT_OK;
}
