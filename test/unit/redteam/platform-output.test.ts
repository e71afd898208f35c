import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { compileTexts, type CompileResult } from '../../../compiler/compile.js';
import type { Diagnostic } from '../../../spec/diagnostic.js';
import { REPO } from '../../support/helpers.js';

/**
 * Red team, class "platform output directories": platform.yaml `output.dir`
 * and `output.workflowsDir` say where paved writes. The repository root, git's
 * own `.git`, "." or empty segments and two directories nested in each other
 * are refused at the key, with a position, before anything is planned.
 */

const SHOP = readFileSync(join(REPO, 'examples/shop/platform.yaml'), 'utf8');
const SERVICE = `apiVersion: paved/v1
kind: Service
name: api
owner: team-api
description: Output directory target
runtime:
  language: node
  port: 8080
  command: ["node", "server.js"]
`;
const HINT = 'name a folder of its own below the repository root, e.g. output.dir: generated and output.workflowsDir: .github/workflows';

/** The shop's platform.yaml with its `output:` block replaced by `block` (YAML lines under `output:`). */
function platformWith(block: string): string {
  const start = SHOP.indexOf('output:\n  dir: generated\n  workflowsDir: .github/workflows\n');
  expect(start).toBeGreaterThan(0);
  return `${SHOP.slice(0, start)}output:\n${block}${SHOP.slice(start + 'output:\n  dir: generated\n  workflowsDir: .github/workflows\n'.length)}`;
}

function compileWith(platform: string): CompileResult {
  return compileTexts(
    [
      { path: 'platform.yaml', kind: 'platform', text: platform },
      { path: 'services/api/service.yaml', kind: 'service', text: SERVICE },
    ],
    emitters,
  );
}

const shown = (d: Diagnostic): string[] => [d.code, `${d.file}:${d.range?.line}:${d.range?.col}`, d.message, d.hint ?? ''];
/** 1-based line of the first line of `text` equal to `line`, and the column just after `key: `. */
function at(text: string, line: string, key: string): string {
  const n = text.split('\n').indexOf(line);
  expect(n).toBeGreaterThanOrEqual(0);
  return `platform.yaml:${n + 1}:${line.indexOf(`${key}: `) + key.length + 3}`;
}

describe('output.dir and output.workflowsDir', () => {
  const cases: ReadonlyArray<readonly [string, string, 'dir' | 'workflowsDir', string]> = [
    // what, the value as written, the key, the problem after the value
    ['the repository root', '"."', 'dir', '"." is the repository root; paved needs a folder of its own'],
    ['the repository root with a slash', '"./"', 'dir', '"./" is the repository root; paved needs a folder of its own'],
    ["git's own folder", '.git', 'dir', `".git" is inside .git, git's own database; paved would write into the repository's history`],
    ['a folder inside .git', '.git/hooks', 'dir', `".git/hooks" is inside .git, git's own database; paved would write into the repository's history`],
    ['.git in another case', '.GIT', 'dir', `".GIT" is inside .git, git's own database; paved would write into the repository's history`],
    ['a nested .git', 'vendor/.git/x', 'dir', `"vendor/.git/x" is inside .git, git's own database; paved would write into the repository's history`],
    ['a "." segment', './generated', 'dir', '"./generated" has an empty, "." or ".." segment; write each folder once, separated by one "/"'],
    ['an empty segment', 'gen//erated', 'dir', '"gen//erated" has an empty, "." or ".." segment; write each folder once, separated by one "/"'],
    ['a trailing slash', 'generated/', 'dir', '"generated/" has an empty, "." or ".." segment; write each folder once, separated by one "/"'],
    [
      'workflows in .git',
      '.git/workflows',
      'workflowsDir',
      `".git/workflows" is inside .git, git's own database; paved would write into the repository's history`,
    ],
    ['workflows at the root', '"."', 'workflowsDir', '"." is the repository root; paved needs a folder of its own'],
  ];

  it.each(cases)('%s (%s) is refused at output.%s', (_what, value, key, problem) => {
    const lines = key === 'dir' ? [`  dir: ${value}`, '  workflowsDir: .github/workflows'] : ['  dir: generated', `  workflowsDir: ${value}`];
    const platform = platformWith(`${lines.join('\n')}\n`);
    const result = compileWith(platform);
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map(shown)).toEqual([['SPEC.OUTPUT_DIR', at(platform, lines[key === 'dir' ? 0 : 1]!, key), `output.${key}: ${problem}`, HINT]]);
  });

  it('both keys wrong: one diagnostic at each', () => {
    const platform = platformWith('  dir: .git\n  workflowsDir: "."\n');
    expect(compileWith(platform).diagnostics.map(shown)).toEqual([
      [
        'SPEC.OUTPUT_DIR',
        at(platform, '  dir: .git', 'dir'),
        `output.dir: ".git" is inside .git, git's own database; paved would write into the repository's history`,
        HINT,
      ],
      [
        'SPEC.OUTPUT_DIR',
        at(platform, '  workflowsDir: "."', 'workflowsDir'),
        'output.workflowsDir: "." is the repository root; paved needs a folder of its own',
        HINT,
      ],
    ]);
  });

  const overlaps: ReadonlyArray<readonly [string, string, string, string]> = [
    ['one folder for both', 'out', 'out', 'output.dir: output.dir "out" and output.workflowsDir "out" are one folder; paved needs them apart'],
    [
      'workflows inside the output',
      'generated',
      'generated/workflows',
      'output.dir: output.dir "generated" and output.workflowsDir "generated/workflows": the workflows folder is inside the output folder; paved needs them apart',
    ],
    [
      'the output inside the workflows',
      '.github/workflows/generated',
      '.github/workflows',
      'output.dir: output.dir ".github/workflows/generated" and output.workflowsDir ".github/workflows": the output folder is inside the workflows folder; paved needs them apart',
    ],
    [
      'the output holding .github',
      '.github',
      '.github/workflows',
      'output.dir: output.dir ".github" and output.workflowsDir ".github/workflows": the workflows folder is inside the output folder; paved needs them apart',
    ],
  ];

  it.each(overlaps)('%s is refused at output.dir', (_what, dir, workflowsDir, message) => {
    const platform = platformWith(`  dir: ${dir}\n  workflowsDir: ${workflowsDir}\n`);
    const result = compileWith(platform);
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map(shown)).toEqual([['SPEC.OUTPUT_DIR', at(platform, `  dir: ${dir}`, 'dir'), message, HINT]]);
  });

  it('a folder sharing only a prefix with the other is fine', () => {
    const result = compileWith(platformWith('  dir: gen\n  workflowsDir: generated/../x\n'));
    // ".." is the schema's to refuse, before this module runs.
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SPEC.PATTERN']);
    const ok = compileWith(platformWith('  dir: gen\n  workflowsDir: generated\n'));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.files.some((f) => f.path.startsWith('gen/'))).toBe(true);
    expect(ok.files.some((f) => f.path.startsWith('generated/'))).toBe(true);
  });

  it('an overlap written only in workflowsDir is reported there', () => {
    const platform = platformWith('  workflowsDir: generated/ci\n');
    expect(compileWith(platform).diagnostics.map(shown)).toEqual([
      [
        'SPEC.OUTPUT_DIR',
        at(platform, '  workflowsDir: generated/ci', 'workflowsDir'),
        'output.workflowsDir: output.dir "generated" and output.workflowsDir "generated/ci": the workflows folder is inside the output folder; paved needs them apart',
        HINT,
      ],
    ]);
  });

  it("the shop's own output directories compile", () => {
    const result = compileWith(SHOP);
    expect(result.diagnostics).toEqual([]);
    expect(result.files.length).toBeGreaterThan(10);
  });
});
