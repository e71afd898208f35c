import { HIDDEN_CHARACTER } from '../compiler/validate/text.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import { printable, uncommanded } from '../spec/text.js';

export type OutputFormat = 'text' | 'json' | 'github';

/** `file:line:col: error CODE message`, a caret snippet, and the hint. */
export function formatText(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  // Each file is split into lines once, however many diagnostics point into it.
  const lines = new Map<string, readonly string[]>();
  const linesOf = (file: string): readonly string[] | undefined => {
    const text = sources.get(file);
    if (text === undefined) return undefined;
    if (!lines.has(file)) lines.set(file, text.split(/\r?\n/));
    return lines.get(file);
  };
  return diagnostics.map((d) => formatOne(d, linesOf(d.file ?? ''))).join('');
}

function formatOne(d: Diagnostic, lines: readonly string[] | undefined): string {
  // A file path may hold a line break (a folder name): shown as one line too.
  const where = d.file ? `${uncommanded(visible(d.file).replace(/\n/g, '\u00b7'))}${d.range ? `:${d.range.line}:${d.range.col}` : ''}: ` : '';
  // A message quotes a team's text (a reason, a value): one line, as every diagnostic is.
  let out = `${where}${d.severity} ${d.code} ${printable(d.message)}\n`;
  if (d.range && lines !== undefined) {
    const line = lines[d.range.line - 1];
    if (line !== undefined) out += snippet(line, d.range, d.code === 'SEC.LITERAL_SECRET');
  }
  if (d.hint) out += `  hint: ${printable(d.hint)}\n`;
  return out;
}

const SNIPPET_WIDTH = 100;

/** The line with the flagged value starred out: a diagnostic must not copy a credential into CI logs. */
function masked(line: string, range: NonNullable<Diagnostic['range']>, endsOnLine: boolean): string {
  const start = range.col - 1;
  const end = endsOnLine ? range.endCol - 1 : line.length;
  // A block scalar's header (`|`, `>-`) holds none of the value, which starts on the next line.
  if (/^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(start))) return line;
  return `${line.slice(0, start)}${'*'.repeat(Math.max(0, Math.min(end, line.length) - start))}${line.slice(end)}`;
}

/**
 * The offending line with carets under the range, clipped to a readable width;
 * with `mask`, the flagged value starred out. Only the shown window is copied,
 * so a 1 MiB line with many diagnostics costs little.
 */
function snippet(line: string, range: NonNullable<Diagnostic['range']>, mask = false): string {
  const start = range.col - 1;
  const end = range.endLine === range.line ? Math.max(range.endCol - 1, start + 1) : line.length;
  // Shift the window so the start of the range stays visible on long lines.
  const from = start > SNIPPET_WIDTH - 20 ? start - 20 : 0;
  const to = Math.min(line.length, from + SNIPPET_WIDTH);
  const window = line.slice(from, to);
  const text = mask
    ? masked(
        window,
        { ...range, col: range.col - from, endCol: range.endLine === range.line ? range.endCol - from : range.endCol },
        range.endLine === range.line,
      )
    : window;
  const visibleLine = `${from > 0 ? '...' : ''}${visible(text)}${to < line.length ? '...' : ''}`;
  const caretFrom = start - from + (from > 0 ? 3 : 0);
  const caretTo = caretFrom + Math.max(1, Math.min(end, to) - start);
  // A source line (a comment too) may hold GitHub's `##[`: shown broken up, and the carets still under the range.
  const shown = uncommanded(visibleLine);
  const widened = (column: number): number => column + uncommanded(visibleLine.slice(0, column)).length - Math.min(column, visibleLine.length);
  const caretStart = widened(caretFrom);
  const caretWidth = widened(caretTo) - caretStart;
  const gutter = String(range.line);
  const pad = ' '.repeat(gutter.length + 2);
  return `${pad}|\n ${gutter} | ${shown}\n${pad}| ${' '.repeat(caretStart)}${'^'.repeat(caretWidth)}\n`;
}

/**
 * Makes invisible and control characters visible in a snippet, so a Trojan-Source
 * line cannot reorder or hide what the terminal shows. Keeps one column per character.
 */
function visible(line: string): string {
  return line.replace(new RegExp(`${HIDDEN_CHARACTER.source}|\\t`, 'gu'), '\u00b7');
}

/**
 * A patch of a file in the output folders, whose bytes a pull request may have
 * written, shown line by line: hidden characters (a CR, a terminal's escape)
 * as `\uXXXX`, `##[` broken up, and the colon of a line that GitHub's runner,
 * trimming its spaces, would read as a `::command` escaped.
 */
export function printablePatch(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      const shown = printable(line);
      return /^\s*::/.test(shown) ? shown.replace(':', '\\u003a') : shown;
    })
    .join('\n');
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ diagnostics }, null, 2)}\n`;
}

/** GitHub Actions workflow commands, shown as annotations on the pull request. */
export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const properties = [
        // A folder name may hold a terminal's escape or a bidi override: shown as in the text format, a line break kept (escaped).
        d.file ? `file=${escapeProperty(visible(d.file))}` : undefined,
        d.range ? `line=${d.range.line}` : undefined,
        d.range ? `col=${d.range.col}` : undefined,
        d.range ? `endLine=${d.range.endLine}` : undefined,
        d.range && d.range.endLine === d.range.line ? `endColumn=${d.range.endCol}` : undefined,
        `title=${escapeProperty(d.code)}`,
      ].filter((p) => p !== undefined);
      const message = d.hint ? `${printable(d.message)}\n${printable(d.hint)}` : printable(d.message);
      return `::${d.severity} ${properties.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
