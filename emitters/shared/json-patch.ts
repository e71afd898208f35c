import type { JsonPatchOperation } from '../../spec/model.js';

/**
 * RFC 6902 JSON Patch, applied to a copy: the engine of `overrides`. Returns the
 * patched value, or which operation failed and why (an override must apply).
 */
export type PatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly index: number; readonly message: string };

class PatchError extends Error {}

export function applyPatch(document: unknown, operations: readonly JsonPatchOperation[]): PatchResult {
  let root = treeCopy(document);
  for (const [index, operation] of operations.entries()) {
    try {
      root = applyOne(root, operation);
    } catch (error) {
      if (error instanceof PatchError) return { ok: false, index, message: error.message };
      throw error;
    }
  }
  return { ok: true, value: root };
}

/**
 * A copy of JSON data in which every place is its own: a part the document
 * holds at two places (an emitter may build an object so) is copied twice, so
 * an operation at one place never shows at the other. structuredClone would
 * keep the two places one object. The one copy of the patch: of the document,
 * and of each value an operation adds or copies.
 */
function treeCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(treeCopy);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines each key, so an own `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, treeCopy(item)]));
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`path ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A place an operation writes: its index in the patch, the pointer as written and decoded. */
export interface WrittenPointer {
  readonly index: number;
  readonly path: string;
  readonly segments: readonly string[];
}

/**
 * Every place the patch writes, in order: each operation's `path`, and the
 * `from` of a move (it removes); `test` writes nothing and the `from` of a copy
 * only reads. A pointer that does not parse is left out: applyPatch reports it.
 */
export function* writtenPointers(operations: readonly JsonPatchOperation[]): Generator<WrittenPointer> {
  for (const [index, operation] of operations.entries()) {
    if (operation.op === 'test') continue;
    for (const path of [operation.path, ...(operation.op === 'move' && operation.from !== undefined ? [operation.from] : [])]) {
      let segments: string[];
      try {
        segments = parsePointer(path);
      } catch {
        continue;
      }
      yield { index, path, segments };
    }
  }
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

/** The container holding the last segment of `pointer`, and that segment. */
function parentOf(root: unknown, pointer: string): { parent: Container; key: string } {
  const segments = parsePointer(pointer);
  if (segments.length === 0) throw new PatchError('the whole object cannot be replaced by an override');
  let node: unknown = root;
  for (const [i, segment] of segments.slice(0, -1).entries()) {
    node = child(node, segment, segments.slice(0, i + 1));
  }
  if (!isContainer(node)) throw new PatchError(`${pointer}: its parent is not an object or a list`);
  return { parent: node, key: segments[segments.length - 1]! };
}

function child(node: unknown, segment: string, walked: readonly string[]): unknown {
  const at = `/${walked.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  if (Array.isArray(node)) {
    const index = arrayIndex(segment, node.length, false);
    return node[index];
  }
  if (isContainer(node) && Object.hasOwn(node, segment)) return (node as Record<string, unknown>)[segment];
  throw new PatchError(`${at} does not exist`);
}

function arrayIndex(segment: string, length: number, forAdd: boolean): number {
  if (forAdd && segment === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) throw new PatchError(`"${segment}" is not a list index`);
  const index = Number(segment);
  if (index > length || (!forAdd && index === length)) throw new PatchError(`index ${index} is past the end of a list of ${length}`);
  return index;
}

function get(root: unknown, pointer: string): unknown {
  const segments = parsePointer(pointer);
  let node = root;
  for (const [i, segment] of segments.entries()) node = child(node, segment, segments.slice(0, i + 1));
  return node;
}

function add(root: unknown, pointer: string, value: unknown): void {
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else parent[key] = value;
}

function remove(root: unknown, pointer: string): unknown {
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new PatchError(`${pointer} does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function applyOne(root: unknown, operation: JsonPatchOperation): unknown {
  switch (operation.op) {
    case 'add':
      add(root, operation.path, treeCopy(operation.value));
      return root;
    case 'remove':
      remove(root, operation.path);
      return root;
    case 'replace':
      remove(root, operation.path);
      add(root, operation.path, treeCopy(operation.value));
      return root;
    case 'move': {
      const from = operation.from ?? '';
      if (operation.path.startsWith(`${from}/`)) throw new PatchError(`cannot move ${from} into itself`);
      add(root, operation.path, remove(root, from));
      return root;
    }
    case 'copy':
      add(root, operation.path, treeCopy(get(root, operation.from ?? '')));
      return root;
    case 'test':
      if (JSON.stringify(canonical(get(root, operation.path))) !== JSON.stringify(canonical(operation.value)))
        throw new PatchError(`test failed: ${operation.path} is not ${JSON.stringify(operation.value)}`);
      return root;
  }
}

/** Key order does not matter when comparing for `test`. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isContainer(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}
