import { diffArrays, diffLines } from 'diff';

/**
 * What changed inside one Kubernetes object between two revisions, attribute
 * path by attribute path, for `paved diff`: `spec.replicas 2 -> 3`,
 * `spec.template.spec.containers[app].resources.limits.memory 256Mi -> 512Mi`.
 * List items that carry a `name` are keyed by it (a container, an env var, a
 * port), others by index, items inserted or removed counted as such rather
 * than as every later index changing. Values are shown short and escaped,
 * since they may be a service team's text: a long one around where it
 * changed, a multi-line one as lines added and removed; a Secret's values are
 * never shown, only its keys.
 */

/** At most this many paths per object; the rest are counted. */
export const MAX_PATHS_PER_OBJECT = 6;
/** Longer values keep their start and end (an image's registry and its tag or digest). */
const MAX_VALUE_LENGTH = 64;

type Value = unknown;

/** The changed paths of an object, each `path old -> new`, `path added` or `path removed`, capped with `and N more`. */
export function objectChanges(kind: string | undefined, old: Value, now: Value): string[] {
  const found: string[] = [];
  walk(old, now, '', kind === 'Secret', found);
  return found.length > MAX_PATHS_PER_OBJECT ? [...found.slice(0, MAX_PATHS_PER_OBJECT), `and ${found.length - MAX_PATHS_PER_OBJECT} more`] : found;
}

const isRecord = (value: Value): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `secret`: the object is a Secret, whose `data` and `stringData` values stay unprinted. */
function walk(old: Value, now: Value, path: string, secret: boolean, out: string[]): void {
  if (same(old, now)) return;
  const hidden = secret && /^(data|stringData)(\.|\[|$)/.test(path);
  if (old === undefined || now === undefined) {
    const scalar = now === undefined ? old : now;
    const what = `${path} ${now === undefined ? 'removed' : 'added'}`;
    if (hidden) out.push(what);
    else if (isRecord(scalar) || Array.isArray(scalar)) {
      // A small object or list says what it is: `spec.destinations[1] removed {"namespace":"notifier",...}`.
      const compact = asciiOnly(JSON.stringify(scalar));
      out.push(compact.length <= MAX_VALUE_LENGTH ? `${what} ${compact}` : what);
    } else out.push(`${path} ${shown(old)} -> ${shown(now)}`);
    return;
  }
  if (isRecord(old) && isRecord(now)) {
    for (const key of [...Object.keys(now), ...Object.keys(old).filter((k) => !(k in now))])
      walk(old[key], now[key], `${path}${keySegment(key, path === '')}`, secret, out);
    return;
  }
  if (Array.isArray(old) && Array.isArray(now)) {
    const byName = named(old) && named(now);
    if (byName) {
      const before = new Map(old.map((item) => [(item as { name: string }).name, item]));
      const after = new Map(now.map((item) => [(item as { name: string }).name, item]));
      for (const name of [...after.keys(), ...[...before.keys()].filter((n) => !after.has(n))])
        walk(before.get(name), after.get(name), `${path}[${nameText(name)}]`, secret, out);
    } else {
      // Items in place compare by index; a run removed and a run added of one length are the same items changed.
      let [i, j] = [0, 0];
      const parts = diffArrays(
        old.map((x) => JSON.stringify(x)),
        now.map((x) => JSON.stringify(x)),
      );
      for (let k = 0; k < parts.length; k++) {
        const part = parts[k]!;
        const next = parts[k + 1];
        const count = part.value.length;
        if (part.removed && next?.added && next.value.length === count) {
          for (let n = 0; n < count; n++) walk(old[i + n], now[j + n], `${path}[${j + n}]`, secret, out);
          [i, j, k] = [i + count, j + count, k + 1];
        } else if (part.removed) {
          for (let n = 0; n < count; n++) walk(old[i + n], undefined, `${path}[${i + n}]`, secret, out);
          i += count;
        } else if (part.added) {
          for (let n = 0; n < count; n++) walk(undefined, now[j + n], `${path}[${j + n}]`, secret, out);
          j += count;
        } else [i, j] = [i + count, j + count];
      }
    }
    return;
  }
  if (hidden) out.push(`${path} changed`);
  else if (
    typeof old === 'string' &&
    typeof now === 'string' &&
    (old.includes('\n') || now.includes('\n')) &&
    Math.max(quoted(old).length, quoted(now).length) > MAX_VALUE_LENGTH
  )
    out.push(`${path} ${lineCounts(old, now)}`);
  else if (typeof old === 'string' && typeof now === 'string') out.push(`${path} ${aroundChange(old, now)}`);
  else out.push(`${path} ${shown(old)} -> ${shown(now)}`);
}

/** Multi-line text (a script, a config file) as the lines that changed: `+2 -1 lines`. */
function lineCounts(old: string, now: string): string {
  let [added, removed] = [0, 0];
  for (const part of diffLines(old, now)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return `+${added} -${removed} lines`;
}

/** Context kept either side of where two long strings differ. */
const CONTEXT = 20;

/** Two strings, shortened to where they differ when either is long: `...and lifecycle" -> "..., lifecycle and refunds"`. */
function aroundChange(old: string, now: string): string {
  if (shown(old) === old && shown(now) === now && old.length <= MAX_VALUE_LENGTH && now.length <= MAX_VALUE_LENGTH) return `${old} -> ${now}`;
  if (JSON.stringify(old).length <= MAX_VALUE_LENGTH && JSON.stringify(now).length <= MAX_VALUE_LENGTH) return `${shown(old)} -> ${shown(now)}`;
  let prefix = 0;
  while (prefix < old.length && prefix < now.length && old[prefix] === now[prefix]) prefix++;
  let suffix = 0;
  while (suffix < old.length - prefix && suffix < now.length - prefix && old[old.length - 1 - suffix] === now[now.length - 1 - suffix]) suffix++;
  const start = Math.max(0, prefix - CONTEXT);
  const cut = (text: string): string => {
    const end = Math.min(text.length, text.length - suffix + CONTEXT);
    return `${start > 0 ? '...' : ''}${shown(text.slice(start, end), true)}${end < text.length ? '...' : ''}`;
  };
  return `${cut(old)} -> ${cut(now)}`;
}

/** Every item an object with a string name, no name twice: the list is keyed by name. */
function named(list: readonly Value[]): boolean {
  const names = list.map((item) => (isRecord(item) && typeof item.name === 'string' ? item.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `.key`, or `["app.kubernetes.io/name"]` for a key that is not a plain name. */
function keySegment(key: string, first: boolean): string {
  if (IDENTIFIER.test(key)) return first ? key : `.${key}`;
  return `[${quoted(key)}]`;
}

const nameText = (name: string): string => (/^[A-Za-z0-9_.-]+$/.test(name) ? name : quoted(name));

/** A JSON string with everything outside printable ASCII escaped: no control or bidirectional character reaches a terminal. */
const quoted = (text: string): string => asciiOnly(JSON.stringify(text));

/** JSON text with every character outside printable ASCII as a \u escape (JSON.stringify leaves bidirectional controls and the like). */
const asciiOnly = (json: string): string => json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A value as a reviewer reads it: plain words bare, other text quoted and
 * escaped (always, for a piece of a longer string), long text shortened in the middle.
 */
function shown(value: Value, piece = false): string {
  let text: string;
  if (value === undefined) return 'none';
  if (isRecord(value)) return '{...}';
  if (Array.isArray(value)) return '[...]';
  if (typeof value === 'string') text = !piece && /^[\x21-\x7e]+$/.test(value) && !/[";]/.test(value) ? value : quoted(value);
  else text = String(value);
  if (text.length <= MAX_VALUE_LENGTH) return text;
  const half = (MAX_VALUE_LENGTH - 3) / 2;
  return `${text.slice(0, Math.ceil(half))}...${text.slice(text.length - Math.floor(half))}`;
}
