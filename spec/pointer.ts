/**
 * JSON pointers (RFC 6901) as paved uses them: to name a place in a spec, in the
 * resolved model or in a generated object. One module for the compiler and the
 * emitters alike.
 */

/** Splits a JSON pointer into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerJoin(base: string, segment: string | number): string {
  return `${base}/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * `/runtime/resources/cpu` → `runtime.resources.cpu`; array indexes as `[0]`:
 * how diagnostics spell a place in a spec. Keys come from user input: anything
 * but printable ASCII is escaped.
 */
export function specPath(pointer: string): string {
  let out = '';
  for (const segment of pointerSegments(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether plain data holds a value at the pointer. */
export function hasPointer(data: unknown, pointer: string): boolean {
  let node = data;
  for (const segment of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

/** Plain code-unit order, never locale order: the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
