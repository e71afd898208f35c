import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatText } from '../../cli/format.js';
import { MAX_FILE_BYTES } from '../../compiler/parse.js';
import { CASES, compileDir, FIXTURES, REPO, runCli, scratchCopy, serviceYaml } from '../support/helpers.js';

/**
 * Keeps fixtures/invalid/README.md honest about security-rules.md §5 (hostile and
 * malformed inputs): every row is mapped to the cases or golden outputs that prove
 * it, every case is listed and pinned with a positioned error, and the rows whose
 * answer is escaping rather than rejection are checked on the golden bytes.
 */
const INVALID = join(FIXTURES, 'invalid');
const README = readFileSync(join(INVALID, 'README.md'), 'utf8');
const SECTION_5_ROWS = 29;

const caseFolders = readdirSync(INVALID, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** Table rows (`| a | b |`) of the README below a heading, as cell lists. */
function tableRows(heading: string): string[][] {
  const start = README.indexOf(`\n## ${heading}\n`);
  expect(start, `README has no "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of README.slice(start + 1)
    .split('\n')
    .slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('| ') || /^\|[-| ]+\|$/.test(line)) continue;
    rows.push(line.slice(2, -2).split(' | '));
  }
  return rows.slice(1); // The header.
}

const caseTable = (): string[] => {
  const start = README.indexOf('| Case |');
  return README.slice(start)
    .split('\n')
    .map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
};

const backticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('fixtures/invalid/README.md', () => {
  it('lists every case folder exactly once, and no case that does not exist', () => {
    const listed = caseTable();
    expect(
      listed.filter((name, i) => listed.indexOf(name) !== i),
      'listed twice',
    ).toEqual([]);
    expect([...listed].sort()).toEqual(caseFolders);
  });

  it('maps every row of security-rules.md §5, 1 to 29, exactly once', () => {
    const numbers = tableRows('§5 coverage').map((cells) => Number(cells[0]));
    expect(numbers).toEqual(Array.from({ length: SECTION_5_ROWS }, (_, i) => i + 1));
  });

  it('names only cases, golden cases and tests that exist, and at least one per row', () => {
    for (const [row, , covered] of tableRows('§5 coverage')) {
      const names = backticked(covered!);
      const cases = names.filter((n) => /^[a-z0-9][a-z0-9-]*$/.test(n));
      const paths = names.filter((n) => /^(fixtures|test)\/[\w./-]+$/.test(n));
      expect(cases.length + paths.length, `row ${row} names no case, golden case or test`).toBeGreaterThan(0);
      for (const name of cases) expect(caseFolders, `row ${row}`).toContain(name);
      for (const path of paths) expect(existsSync(join(REPO, path)), `row ${row}: ${path}`).toBe(true);
    }
  });

  it('covers the rows the design document lists, as security-rules.md numbers them', () => {
    const section = readFileSync(join(INVALID, 'design-section-5.md'), 'utf8');
    const rows = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(Array.from({ length: SECTION_5_ROWS }, (_, i) => i + 1));
  });
});

describe('invalid cases', () => {
  it.each(caseFolders)('%s: expected.txt pins at least one error at file:line:col with a hint', (name) => {
    const expected = readFileSync(join(INVALID, name, 'expected.txt'), 'utf8');
    expect(expected).toMatch(/^[^\s:]+:\d+:\d+: error [A-Z]+\.[A-Z_]+ \S/m);
    // Every error says how to fix it.
    const errors = expected.split(/^(?=\S+:\d+:\d+: error )/m).filter((block) => block.trim() !== '');
    for (const block of errors) expect(block, `${name}: an error without a hint`).toMatch(/\n {2}hint: \S/);
  });

  it('never copies a flagged credential into a diagnostic: the snippet stars it out', () => {
    const values = ['hunter2', 'AKIAIOSFODNN7EXAMPLE', 'sk_live_not-a-real-key', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'Zx8Qm2LpR7vT4nW9cY3bK6hJ1sD5fG0a'];
    const secretCases = caseFolders.filter((name) => readFileSync(join(INVALID, name, 'expected.txt'), 'utf8').includes('SEC.LITERAL_SECRET'));
    expect(secretCases.length).toBeGreaterThanOrEqual(6);
    for (const name of secretCases) {
      const expected = readFileSync(join(INVALID, name, 'expected.txt'), 'utf8');
      for (const value of values) expect(expected, name).not.toContain(value);
    }
    expect(readFileSync(join(INVALID, 'password-in-env', 'expected.txt'), 'utf8')).toContain('DB_PASSWORD: *******\n');
  });
});

describe('file size cap (§5 #7), with files too big to commit', () => {
  const oversized = (size: number, fill: (path: string) => void): void => {
    const scratch = scratchCopy();
    try {
      const path = join(scratch.dir, 'services', 'api', 'service.yaml');
      mkdirSync(join(scratch.dir, 'services', 'api'), { recursive: true });
      fill(path);
      const result = compileDir(scratch.dir);
      expect(result.files).toEqual([]);
      expect(formatText(result.diagnostics, result.sources)).toBe(
        `services/api/service.yaml:1:1: error LOAD.TOO_LARGE file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes (1 MiB)\n  hint: a spec this large is almost certainly a mistake; keep data out of it\n`,
      );
    } finally {
      scratch.cleanup();
    }
  };

  it('rejects a valid-looking service.yaml one byte over 1 MiB at 1:1', () => {
    const size = MAX_FILE_BYTES + 1;
    oversized(size, (path) => {
      const head = serviceYaml('api', 'description: ');
      writeFileSync(path, head + 'x'.repeat(size - head.length));
    });
  });

  it('rejects a 1 GiB service.yaml from its size alone, without reading it', () => {
    // A sparse file: the size is real to stat, the disk holds nothing.
    const size = 1024 ** 3;
    oversized(size, (path) => {
      writeFileSync(path, serviceYaml('api'));
      truncateSync(path, size);
    });
  });

  it('exits 1 through the CLI for an oversized file and writes nothing', async () => {
    const scratch = scratchCopy();
    try {
      mkdirSync(join(scratch.dir, 'svc'));
      writeFileSync(join(scratch.dir, 'svc', 'service.yaml'), serviceYaml('api'));
      truncateSync(join(scratch.dir, 'svc', 'service.yaml'), MAX_FILE_BYTES + 1);
      const run = await runCli(['compile', scratch.dir], scratch.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('svc/service.yaml:1:1: error LOAD.TOO_LARGE');
      expect(existsSync(join(scratch.dir, 'generated'))).toBe(false);
    } finally {
      scratch.cleanup();
    }
  });
});

describe('rows answered by escaping, on the golden bytes', () => {
  const golden = (path: string): string => readFileSync(join(CASES, path), 'utf8');

  it('§5 #21: ${ and %{ from a description reach Terraform as $${ and %%{', () => {
    const kms = golden('terraform-every-primitive/expected/generated/inventory/terraform/kms.tf');
    expect(kms).toContain('"Encrypts the data of inventory: Stock levels, \\"reservations\\" and $${literal} %%{directives} \\\\ kept as text"');
    // No template sequence of the spec survives unescaped anywhere in the stack.
    const dir = join(CASES, 'terraform-every-primitive/expected/generated/inventory/terraform');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/(^|[^$])\$\{literal\}/);
      expect(text, file).not.toMatch(/(^|[^%])%\{directives\}/);
    }
  });

  it('§5 #22: {{ in a description reaches alert annotations as {{ "{{" }}, and $var the dashboard as a fullwidth dollar', () => {
    const rules = golden('cron-only/expected/generated/reports/alerts/rules.yaml');
    expect(rules).toContain('About reports: Nightly {{ "{{" }} .Value }} exports for $env and [[dashboard]] readers');
    expect(rules).not.toContain('Nightly {{ .Value');
    for (const env of ['staging', 'production']) {
      expect(golden(`cron-only/expected/generated/reports/kubernetes/${env}/prometheusrule.yaml`)).toContain('Nightly {{ "{{" }} .Value }} exports');
    }
    const dashboard = golden('cron-only/expected/generated/reports/grafana/dashboard.json');
    expect(dashboard).toContain('"description": "Nightly {{ .Value }} exports for \uff04env and \uff3b\uff3bdashboard]] readers"');
    // `$env` stays only where it is the dashboard's own variable: in queries, never in spec text.
    expect(dashboard).not.toContain('exports for $env');
  });

  it('§5 #20 and #9: literal dollars reach Kubernetes doubled, and YAML 1.1 words quoted', () => {
    const deployment = golden('edges/expected/generated/api/kubernetes/production/deployment.yaml');
    expect(deployment).toContain('- --banner=$$HOME\n');
    expect(deployment).toContain('value: costs $$5\n');
    expect(deployment).toContain('value: "no"\n');
    expect(deployment).toContain('value: "on"\n');
  });
});
