import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatText } from '../../cli/format.js';
import { writeTree } from '../../compiler/write/tree.js';
import { caseRoot, compileDir, FIXTURES, goldenCases, plannedTree, readTree, REPO, runCli, scratchCopy } from '../support/helpers.js';

/**
 * The golden harness. `npm run fixtures:update` (PAVED_UPDATE_FIXTURES=1) is the
 * only way expected files change; otherwise every byte must match.
 */
const UPDATE = process.env.PAVED_UPDATE_FIXTURES === '1';
const MIN_VALID_CASES = 3;
const MIN_INVALID_CASES = 30;

const sortedDirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

const validCases = goldenCases();
const invalidCases = sortedDirs(join(FIXTURES, 'invalid'));

function renderTree(tree: ReadonlyMap<string, string>): string {
  return [...tree]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, contents]) => `=== ${path}\n${contents}`)
    .join('');
}

describe('valid fixtures', () => {
  it(`has at least ${MIN_VALID_CASES} cases, so none can silently vanish`, () => {
    expect(validCases.length).toBeGreaterThanOrEqual(MIN_VALID_CASES);
  });

  describe.each(validCases)('%s', (name) => {
    const root = caseRoot(name);
    const expectedDir = join(root, 'expected');

    it('compiles without diagnostics to exactly the expected tree', () => {
      const result = compileDir(root);
      expect(formatText(result.diagnostics, result.sources)).toBe('');
      const planned = plannedTree(result);
      if (UPDATE) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const [path, contents] of planned) {
          mkdirSync(dirname(join(expectedDir, path)), { recursive: true });
          writeFileSync(join(expectedDir, path), contents);
        }
      }
      expect(existsSync(expectedDir), `missing ${expectedDir}; run npm run fixtures:update`).toBe(true);
      // One string per tree, so a failure prints a unified diff of paths and contents.
      expect(renderTree(planned)).toBe(renderTree(readTree(expectedDir)));
    });

    it('compiles to identical bytes twice', () => {
      expect(renderTree(plannedTree(compileDir(root)))).toBe(renderTree(plannedTree(compileDir(root))));
    });

    it('writes exactly the expected tree to disk, and nothing on a second compile', () => {
      const scratch = scratchCopy(root);
      try {
        rmSync(join(scratch.dir, 'expected'), { recursive: true, force: true });
        const result = compileDir(scratch.dir);
        const first = writeTree(scratch.dir, result.output, result.files);
        expect(first.written.length).toBe(result.files.length);
        const inputs = new Set(readTree(root, (path) => path === 'expected').keys());
        const onDisk = readTree(scratch.dir, (path) => inputs.has(path));
        expect(renderTree(onDisk)).toBe(renderTree(readTree(join(root, 'expected'))));
        const second = writeTree(scratch.dir, result.output, compileDir(scratch.dir).files);
        expect(second).toEqual({ written: [], deleted: [], unchanged: result.files.length, unlisted: [] });
      } finally {
        scratch.cleanup();
      }
    });
  });
});

describe('invalid fixtures', () => {
  it(`has at least ${MIN_INVALID_CASES} cases, so none can silently vanish`, () => {
    expect(invalidCases.length).toBeGreaterThanOrEqual(MIN_INVALID_CASES);
  });

  describe.each(invalidCases)('%s', (name) => {
    const root = join(FIXTURES, 'invalid', name);

    it('fails with exactly the expected positioned diagnostics', () => {
      const result = compileDir(root);
      const text = formatText(result.diagnostics, result.sources);
      if (UPDATE) writeFileSync(join(root, 'expected.txt'), text);
      expect(result.files).toEqual([]);
      expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      expect(text).toBe(readTree(root, (p) => p !== 'expected.txt').get('expected.txt'));
      for (const d of result.diagnostics) if (d.file) expect(d.range, `${d.code} has no position`).toBeDefined();
    });

    it('exits 1 through the CLI, writes nothing and prints no stack trace', async () => {
      const scratch = scratchCopy(root);
      try {
        const before = readTree(scratch.dir);
        const run = await runCli(['compile', scratch.dir], scratch.dir);
        expect(run.code).toBe(1);
        expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        expect(run.stderr).toMatch(/nothing written/);
        expect(renderTree(readTree(scratch.dir))).toBe(renderTree(before));
      } finally {
        scratch.cleanup();
      }
    });
  });
});

describe('the built CLI', () => {
  it('uses the prebuilt validators and reports exactly the golden diagnostics of every invalid case', () => {
    // One process over every case: dist/ is what `npx paved` runs, with the standalone ajv code.
    const script = `
      const { main } = await import(${JSON.stringify(join(REPO, 'dist', 'cli', 'main.js'))});
      const { validatorSource } = await import(${JSON.stringify(join(REPO, 'dist', 'compiler', 'validate', 'ajv.js'))});
      const out = { source: validatorSource(), cases: {} };
      for (const name of ${JSON.stringify(invalidCases)}) {
        let stderr = '';
        const io = { cwd: ${JSON.stringify(join(FIXTURES, 'invalid'))}, stdout: () => {}, stderr: (t) => (stderr += t) };
        await main(['validate', name], io);
        out.cases[name] = stderr;
      }
      process.stdout.write(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { source: string; cases: Record<string, string> };
    expect(result.source).toBe('prebuilt');
    for (const name of invalidCases) {
      const expected = readTree(join(FIXTURES, 'invalid', name), (p) => p !== 'expected.txt').get('expected.txt')!;
      const printed = result.cases[name]!;
      expect(printed.slice(0, expected.length), name).toBe(expected);
      expect(printed.slice(expected.length), name).toMatch(/^paved: \d+ errors?; nothing written\n$/);
    }
  });
});
