import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { compile, compileTexts, type SpecText } from '../compiler/compile.js';
import { diffMarkdown, diffText, diffTrees } from '../compiler/diff.js';
import { unlistedFiles, WriteError } from '../compiler/write.js';
import { PLATFORM_FILE, RELEASES_FILE, SERVICE_FILE } from '../compiler/source.js';
import { emitters } from './emitters.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './main.js';

/**
 * `paved diff --base <git-ref>`: compiles the specs of a git revision and the
 * working tree in memory and summarizes what changes in the generated tree.
 */
export function runDiff(rootArg: string, base: string, format: 'text' | 'json' | 'markdown', io: Io): number {
  const root = resolve(io.cwd, rootArg);
  const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  let prefix: string;
  let baseFiles: SpecText[];
  try {
    prefix = git('rev-parse', '--show-prefix').trim();
    git('rev-parse', '--verify', '--quiet', `${base}^{commit}`);
    // `.` is the root's own folder (git runs in it); --full-name keeps paths repo-relative.
    const listed = git('ls-tree', '-r', '-z', '--full-name', '--name-only', base, '--', '.').split('\0').filter((p) => p !== '');
    baseFiles = listed.flatMap((full) => {
      const path = full.slice(prefix.length);
      const kind = path === PLATFORM_FILE ? 'platform' : path === RELEASES_FILE ? 'releases' : path === SERVICE_FILE || path.endsWith(`/${SERVICE_FILE}`) ? 'service' : undefined;
      return kind ? [{ path, kind, text: git('show', `${base}:${full}`) } as SpecText] : [];
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    io.stderr(`paved: cannot read ${JSON.stringify(base)} from git: ${stderr || 'not a git revision'}\n`);
    return EXIT_USAGE;
  }
  const head = compile({ root, emitters, keepValues: true });
  // The base is read from git, so the working tree's output directories are skipped the same way.
  const inOutput = (path: string): boolean => path.startsWith(`${head.output.dir}/`) || path.startsWith(`${head.output.workflowsDir}/`);
  const before = compileTexts(baseFiles.filter((f) => !inOutput(f.path)), emitters, undefined, true);
  for (const [label, result] of [[base, before], ['the working tree', head]] as const) {
    if (result.diagnostics.some((d) => d.severity === 'error')) {
      io.stderr(formatText(result.diagnostics, result.sources));
      io.stderr(`paved: ${label} does not compile\n`);
      return EXIT_PROBLEMS;
    }
  }
  const services = [...(before.project?.services ?? []), ...(head.project?.services ?? [])].map((s) => s.name);
  const changes = diffTrees(before.files, head.files, head.output, services);
  // Files in the working tree's output folders that nobody generated: listed, never read.
  let unlisted;
  try {
    unlisted = unlistedFiles(root, head.output, head.files).map(({ path, type }) => ({ path, ...(type === undefined ? {} : { type }) }));
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    io.stderr(`paved: ${error.message}\n`);
    return EXIT_PROBLEMS;
  }
  io.stdout(format === 'json' ? `${JSON.stringify({ base, changes, unlisted }, null, 2)}\n` : format === 'markdown' ? diffMarkdown(changes, unlisted) : diffText(changes, unlisted));
  return EXIT_OK;
}
