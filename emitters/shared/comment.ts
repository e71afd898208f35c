import { HIDDEN_CHARACTER, LINE_BREAK, unicodeEscape } from '../../spec/text.js';

/**
 * The comment writer of YAML and HCL (both use `#` to the end of the line).
 * Everything printed after a `#` comes through here: the generated-file
 * header, waivers, notes and override reasons. Whatever the text holds, the
 * result is comment lines only: each note is split at every line break a
 * reader might honour (LF, CR, CRLF, NEL, LS, PS) and each line becomes its own
 * `# ` line; any other control, bidi or invisible character is escaped as
 * `\uXXXX`. Validation rejects such characters with a position first; this
 * holds even if it ever misses one.
 */

const HIDDEN_GLOBAL = new RegExp(HIDDEN_CHARACTER.source, 'gu');
const LINE_BREAK_GLOBAL = new RegExp(LINE_BREAK.source, 'g');

/** One comment line's text with every hidden character and line break escaped; the input is one line or many. */
export function commentText(text: string): string {
  return text.replace(LINE_BREAK_GLOBAL, unicodeEscape).replace(HIDDEN_GLOBAL, unicodeEscape);
}

/** `# line` per line of every note (`#` alone for an empty line), without line endings. */
export function commentLines(notes: readonly string[]): string[] {
  return notes
    .flatMap((note) => note.split(LINE_BREAK_GLOBAL))
    .map((line) => {
      const text = commentText(line);
      return text === '' ? '#' : `# ${text}`;
    });
}

/** The comment lines of some notes as a block of text, each line ending in LF. */
export function commentBlock(notes: readonly string[]): string {
  let block = '';
  for (const note of notes) block += noteBlock(note);
  return block;
}

/**
 * One note's lines, memoized: every file starts with a header, and the same
 * headers, waivers and notes recur across a service's files and environments.
 * Emptied when full, so distinct notes without end cannot grow it.
 */
const NOTE_BLOCKS = new Map<string, string>();
const NOTE_BLOCKS_LIMIT = 10_000;

function noteBlock(note: string): string {
  let block = NOTE_BLOCKS.get(note);
  if (block === undefined) {
    block = commentLines([note])
      .map((line) => `${line}\n`)
      .join('');
    if (NOTE_BLOCKS.size >= NOTE_BLOCKS_LIMIT) NOTE_BLOCKS.clear();
    NOTE_BLOCKS.set(note, block);
  }
  return block;
}
