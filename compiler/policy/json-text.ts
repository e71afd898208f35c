/**
 * Whether `JSON.stringify(value)` may contain `word`, answered without building
 * the JSON: a few rules search a whole job's or resource's JSON for a word
 * (`secrets`, `:iam::aws:policy/`), and most values hold none of it.
 *
 * `false` is exact for such words: each holds a run of letters that true,
 * false, null and numbers do not, so it can only appear inside one key or
 * string; and it starts with a character no escape holds after its backslash
 * (not `"\/bfnrtu` or a hex digit) and holds no backslash, so it appears there
 * as it is in the key or string itself. `true` means "search the JSON":
 * anything the walk does not know as plain data (a toJSON, a class instance,
 * a value deeper than any generated one, a cycle) answers `true`.
 */
export function mayContain(value: unknown, word: string): boolean {
  return holds(value, word, 0);
}

/** Deeper than any generated value: past it the walk gives up (and says `true`). */
const MAX_DEPTH = 64;

function holds(value: unknown, word: string, depth: number): boolean {
  if (typeof value === 'string') return value.includes(word);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return false;
  if (typeof value !== 'object' || depth >= MAX_DEPTH || 'toJSON' in value) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (holds(item, word, depth + 1)) return true;
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return true;
  for (const key in value) if (key.includes(word) || holds((value as Record<string, unknown>)[key], word, depth + 1)) return true;
  return false;
}
