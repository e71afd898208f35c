/**
 * Large texts in pieces. The manifest and the build record of a tree of 100,000
 * files are tens of megabytes each; made whole, they and their garbage set the
 * compile's peak memory. Their writers yield pieces of about PIECE_LENGTH
 * characters, which disk.ts replaceFileInPieces writes as they come.
 */

/** Characters per piece, about: large enough that writing a piece costs one system call, small enough to be short-lived. */
export const PIECE_LENGTH = 1 << 16;

/** `JSON.stringify(Object.fromEntries(entries))` in pieces, for keys in a fixed order (no integer-like key, none repeated). */
export function* jsonObjectPieces(entries: Iterable<readonly [string, unknown]>): Generator<string> {
  let piece = '{';
  let first = true;
  for (const [key, value] of entries) {
    piece += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
    first = false;
    if (piece.length >= PIECE_LENGTH) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}}`;
}

/** Whether `pieces`, one after another, are exactly `text`. */
export function matchesPieces(text: string | undefined, pieces: Iterable<string>): boolean {
  if (text === undefined) return false;
  let at = 0;
  for (const piece of pieces) {
    if (!text.startsWith(piece, at)) return false;
    at += piece.length;
  }
  return at === text.length;
}
