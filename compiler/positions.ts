import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { specDiagnostic, type Diagnostic, type Range, type Severity } from '../spec/diagnostic.js';
import type { DiagnosticCode } from '../spec/diagnostic-codes.js';
import { pointerSegments } from '../spec/pointer.js';
import type { SourceFile } from './source.js';

export { pointerJoin, pointerSegments, specPath } from '../spec/pointer.js';

export function offsetRange(file: SourceFile, start: number, end: number): Range {
  const from = file.lineCounter.linePos(start);
  const to = file.lineCounter.linePos(Math.max(start, end));
  return { line: from.line, col: from.col, endLine: to.line, endCol: to.col };
}

function nodeRange(file: SourceFile, node: Node | Pair): Range | undefined {
  const range = isPair(node) ? (node.key as Node | null)?.range : node.range;
  if (!range) return undefined;
  return offsetRange(file, range[0], range[1]);
}

const pairIndex = new WeakMap<YAMLMap, ReadonlyMap<string, Pair>>();

/** A map's pairs by key, built once per map: a file with thousands of diagnostics in one map stays linear. */
function pairsByKey(node: YAMLMap): ReadonlyMap<string, Pair> {
  let index = pairIndex.get(node);
  if (!index) {
    const built = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      // The first pair with a key wins, as a search from the front would find it.
      if (key !== undefined && !built.has(key)) built.set(key, pair as Pair);
    }
    pairIndex.set(node, built);
    index = built;
  }
  return index;
}

/**
 * Finds the YAML node a pointer names. With `key`, the last segment's map key is
 * returned instead of its value (unknown keys are reported on the key). When the
 * pointer runs past the document (a missing property), the deepest existing node is
 * used, preferring the key that introduced it.
 */
export function locate(file: SourceFile, pointer: string, options: { key?: boolean } = {}): Range | undefined {
  let node: unknown = file.contents;
  let lastPair: Pair | undefined;
  const segments = pointerSegments(pointer);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (isMap(node)) {
      const pair = pairsByKey(node).get(segment);
      if (!pair) break;
      if (options.key && i === segments.length - 1) return nodeRange(file, pair);
      lastPair = pair;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      lastPair = undefined;
      node = item;
    } else {
      break;
    }
  }
  if (isMap(node) || isSeq(node)) {
    // A whole block: point at the key that opens it, which reads better than the block's first child.
    if (lastPair) return nodeRange(file, lastPair);
    const first = node.range;
    if (first) return offsetRange(file, first[0], first[0] + 1);
  }
  if (node && typeof node === 'object' && 'range' in node) return nodeRange(file, node as Node);
  return undefined;
}

/** A diagnostic about the value at `pointer` in a parsed spec file, positioned there (spec/diagnostic.ts specDiagnostic). */
export function positioned(
  file: SourceFile,
  pointer: string,
  code: DiagnosticCode,
  message: string,
  options: { readonly hint?: string | undefined; readonly severity?: Severity; readonly key?: boolean | undefined } = {},
): Diagnostic {
  return specDiagnostic(code, file.path, pointer, message, {
    hint: options.hint,
    severity: options.severity,
    range: locate(file, pointer, { key: options.key }),
  });
}
