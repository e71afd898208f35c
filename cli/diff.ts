import { resolve } from 'node:path';
import { compile } from '../compiler/compile.js';
import { diffMarkdown, diffText, diffTrees } from '../compiler/diff.js';
import { WriteError } from '../compiler/write/errors.js';
import { unlistedFiles } from '../compiler/write/inspect.js';
import { emitters } from './emitters.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';
import { compileRevision } from './revision.js';

/**
 * `paved diff --base <git-ref>`: compiles the specs of a git revision and the
 * working tree in memory and summarizes what changes in the generated tree.
 */
export function runDiff(rootArg: string, base: string, format: 'text' | 'json' | 'markdown', io: Io): number {
  const root = resolve(io.cwd, rootArg);
  const head = compile({ root, emitters, keepValues: true });
  const revision = compileRevision(root, base, head.output, undefined);
  if ('problem' in revision) {
    io.stderr(`paved: ${revision.problem}\n`);
    return EXIT_USAGE;
  }
  const before = revision.compiled;
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
  const changes = diffTrees(before.files, head.files, head.output, new Map([...before.owners, ...head.owners]));
  // Files in the working tree's output folders that nobody generated: listed, never read.
  let unlisted;
  try {
    unlisted = unlistedFiles(root, head.output, head.files).map(({ path, type }) => ({ path, ...(type === undefined ? {} : { type }) }));
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    io.stderr(`paved: ${error.message}\n`);
    return EXIT_PROBLEMS;
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
