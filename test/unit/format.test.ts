import { describe, expect, it } from 'vitest';
import { formatGithub, formatJson, formatText } from '../../cli/format.js';
import type { Diagnostic } from '../../spec/diagnostic.js';

const FILE = 'services/orders/service.yaml';

const diagnostic = (range: Diagnostic['range'], extra: Partial<Diagnostic> = {}): Diagnostic => ({
  code: 'SPEC.UNKNOWN_KEY',
  severity: 'error',
  message: 'unknown key "resorces" (did you mean "resources"?)',
  file: FILE,
  range,
  ...extra,
});

const text = (d: Diagnostic, source: string): string => formatText([d], new Map([[FILE, source]]));

/** The snippet of a one-diagnostic output: code and caret lines, each cut after its "| " gutter. */
function snippet(out: string): { code: string; carets: string; lines: string[] } {
  const lines = out.split('\n');
  const body = (line: string): string => line.slice(line.indexOf('| ') + 2);
  return { code: body(lines[2]!), carets: body(lines[3]!), lines };
}

describe('formatText', () => {
  it('prints file:line:col: error CODE message, the source line, one caret per column of the range, and the hint', () => {
    const source = 'name: orders\nresorces:\n  cpu: 1\n';
    const out = text(diagnostic({ line: 2, col: 1, endLine: 2, endCol: 9 }, { hint: 'rename it to "resources"' }), source);
    const { code, carets, lines } = snippet(out);
    expect(lines[0]).toBe(`${FILE}:2:1: error SPEC.UNKNOWN_KEY unknown key "resorces" (did you mean "resources"?)`);
    expect(lines[2]).toBe(' 2 | resorces:');
    expect(code).toBe('resorces:');
    expect(carets).toBe('^^^^^^^^');
    expect(lines[4]).toBe('  hint: rename it to "resources"');
    expect(lines.slice(5)).toEqual(['']);
  });

  it('lines the caret gutter up with the code gutter, so carets sit under the marked characters on screen', () => {
    const out = text(diagnostic({ line: 2, col: 1, endLine: 2, endCol: 9 }), 'name: orders\nresorces:\n');
    const lines = out.split('\n');
    expect(lines[3]!.indexOf('^')).toBe(lines[2]!.indexOf('resorces'));
  });

  it('puts carets under a range in the middle of a CRLF line, with a two-digit line number', () => {
    const source = `${'# x\r\n'.repeat(11)}  port: 70000\r\n`;
    const out = text(diagnostic({ line: 12, col: 9, endLine: 12, endCol: 14 }, { code: 'SPEC.RANGE', message: 'runtime.port: must be <= 65535' }), source);
    const { code, carets, lines } = snippet(out);
    expect(lines[0]).toBe(`${FILE}:12:9: error SPEC.RANGE runtime.port: must be <= 65535`);
    expect(lines[2]).toBe(' 12 |   port: 70000');
    expect(carets).toBe(`${' '.repeat(8)}^^^^^`);
    expect(code.slice(carets.indexOf('^'), carets.length)).toBe('70000');
  });

  it('draws one caret for an empty range and runs a multi-line range to the end of the first line', () => {
    const source = 'env:\n  A: b\n';
    expect(snippet(text(diagnostic({ line: 1, col: 1, endLine: 1, endCol: 1 }), source)).carets).toBe('^');
    expect(snippet(text(diagnostic({ line: 1, col: 1, endLine: 2, endCol: 7 }), source)).carets).toBe('^^^^');
  });

  it('clips a long line with ... on both sides, keeping the carets under the range', () => {
    const line = `k: ${'v'.repeat(200)}END`;
    const { code, carets } = snippet(text(diagnostic({ line: 1, col: 190, endLine: 1, endCol: 206 }), `${line}\n`));
    expect(code).toBe(`...${line.slice(169)}`);
    expect(carets).toBe(`${' '.repeat(23)}${'^'.repeat(16)}`);
    expect(code.slice(23, 23 + 16)).toBe(line.slice(189, 205));
  });

  it('clips the end of a long line with ... when the range is near its start', () => {
    const line = `k: ${'v'.repeat(200)}`;
    const { code, carets } = snippet(text(diagnostic({ line: 1, col: 4, endLine: 1, endCol: 5 }), line));
    expect(code).toBe(`${line.slice(0, 100)}...`);
    expect(carets).toBe('   ^');
  });

  it.each([
    ['U+202E (bidi override)', '\u202E'],
    ['U+2066 (bidi isolate)', '\u2066'],
    ['U+200B (zero-width space)', '\u200B'],
    ['U+0007 (bell)', '\u0007'],
    ['a tab', '\t'],
  ])('replaces %s in the snippet with a middle dot, one column per character', (_, char) => {
    const { code, carets } = snippet(text(diagnostic({ line: 1, col: 14, endLine: 1, endCol: 28 }), `description: "a${char}b // admin"\n`));
    expect(code).toBe('description: "a\u00b7b // admin"');
    expect(carets).toBe(`${' '.repeat(13)}${'^'.repeat(14)}`);
  });

  it('replaces U+061C (Arabic letter mark) in the snippet with a middle dot', () => {
    expect(snippet(text(diagnostic({ line: 1, col: 1, endLine: 1, endCol: 2 }), 'a\u061Cb\n')).code).toBe('a\u00b7b');
  });

  it('prints no snippet without a range or source, and no location without a file', () => {
    expect(formatText([diagnostic(undefined, { hint: 'h' })], new Map())).toBe(
      `${FILE}: error SPEC.UNKNOWN_KEY unknown key "resorces" (did you mean "resources"?)\n  hint: h\n`,
    );
    expect(formatText([diagnostic({ line: 1, col: 1, endLine: 1, endCol: 2 })], new Map())).toBe(
      `${FILE}:1:1: error SPEC.UNKNOWN_KEY unknown key "resorces" (did you mean "resources"?)\n`,
    );
    expect(formatText([{ code: 'LOAD.NO_SERVICES', severity: 'error', message: 'no service.yaml found under the root' }], new Map())).toBe(
      'error LOAD.NO_SERVICES no service.yaml found under the root\n',
    );
  });

  it('prints warnings with their severity and concatenates diagnostics in order', () => {
    const out = formatText(
      [diagnostic(undefined, { severity: 'warning', code: 'SPEC.TYPE', message: 'one' }), diagnostic(undefined, { code: 'SPEC.ENUM', message: 'two' })],
      new Map(),
    );
    expect(out).toBe(`${FILE}: warning SPEC.TYPE one\n${FILE}: error SPEC.ENUM two\n`);
  });
});

describe('formatGithub', () => {
  it('writes one workflow command per diagnostic with file, line, col, endLine, endColumn and the code as title', () => {
    const out = formatGithub([diagnostic({ line: 2, col: 1, endLine: 2, endCol: 9 }, { hint: 'rename it to "resources"' })]);
    expect(out).toBe(
      `::error file=${FILE},line=2,col=1,endLine=2,endColumn=9,title=SPEC.UNKNOWN_KEY::unknown key "resorces" (did you mean "resources"?)%0Arename it to "resources"\n`,
    );
  });

  it('omits endColumn for a range over several lines', () => {
    expect(formatGithub([diagnostic({ line: 2, col: 3, endLine: 4, endCol: 1 })])).toBe(
      `::error file=${FILE},line=2,col=3,endLine=4,title=SPEC.UNKNOWN_KEY::unknown key "resorces" (did you mean "resources"?)\n`,
    );
  });

  it('escapes % in the message, and also : and , in properties; a line break or hidden character in the message is shown, as in the text format', () => {
    const out = formatGithub([
      {
        code: 'SPEC.INVALID',
        severity: 'warning',
        message: '100% sure\r\nreally \u001b[8m',
        hint: 'a: b, c',
        file: 'we:ird,dir/service.yaml',
        range: { line: 1, col: 1, endLine: 1, endCol: 2 },
      },
    ]);
    expect(out).toBe(
      '::warning file=we%3Aird%2Cdir/service.yaml,line=1,col=1,endLine=1,endColumn=2,title=SPEC.INVALID::100%25 sure\\u000d\\u000areally \\u001b[8m%0Aa: b, c\n',
    );
  });

  it("shows a folder name's escape and bidi characters in the file property, and keeps its line break, escaped", () => {
    const out = formatGithub([{ code: 'SPEC.INVALID', severity: 'error', message: 'bad', file: 'services/\u001b[2Jpay\u202Estneg\nx/service.yaml' }]);
    expect(out).toBe('::error file=services/\u00b7[2Jpay\u00b7stneg%0Ax/service.yaml,title=SPEC.INVALID::bad\n');
  });

  it('writes only the title for a diagnostic without file or range', () => {
    expect(formatGithub([{ code: 'LOAD.NO_SERVICES', severity: 'error', message: 'none' }])).toBe('::error title=LOAD.NO_SERVICES::none\n');
  });
});

describe('formatJson', () => {
  it('round-trips the diagnostics as { diagnostics } with a final newline', () => {
    const diagnostics: Diagnostic[] = [
      diagnostic({ line: 2, col: 1, endLine: 2, endCol: 9 }, { hint: 'rename it to "resources"', pointer: '/resorces' }),
      { code: 'LOAD.NO_SERVICES', severity: 'error', message: 'no "service.yaml" \u202E found' },
    ];
    const out = formatJson(diagnostics);
    expect(out.endsWith('}\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({ diagnostics });
  });

  it('prints an empty list as { "diagnostics": [] }', () => {
    expect(formatJson([])).toBe('{\n  "diagnostics": []\n}\n');
  });
});
