import type { JsonPatchOperation } from '../../spec/model.js';

/**
 * Allow-list mode of the override policy (platform.yaml
 * `overridePolicy.<target>.allow`): every operation must write (and move or
 * copy from) a path at or under an allowed pattern. A pattern is a JSON pointer
 * into the patched object or resource body, optionally qualified by the kind
 * or resource type it applies to (`Deployment:/spec/replicas`,
 * `aws_db_instance:/instance_class`); `*` matches exactly one segment.
 */

interface Pattern {
  readonly qualifier?: string;
  readonly segments: readonly string[];
}

function parsePattern(text: string): Pattern {
  const slash = text.indexOf('/');
  const qualifier = slash > 0 && text[slash - 1] === ':' ? text.slice(0, slash - 1) : undefined;
  return { ...(qualifier ? { qualifier } : {}), segments: text.slice(slash).split('/').slice(1) };
}

/** Whether `path` is at or under the pattern. */
function covers(pattern: Pattern, segments: readonly string[]): boolean {
  if (segments.length < pattern.segments.length) return false;
  return pattern.segments.every((s, i) => s === '*' || s === segments[i]);
}

/** The first operation that writes or reads outside the allow list, with the offending path; undefined when there is no list or all are inside. */
export function outsideAllowList(
  allow: readonly string[] | undefined,
  qualifier: string,
  patch: readonly JsonPatchOperation[],
): { readonly index: number; readonly path: string } | undefined {
  if (allow === undefined) return undefined;
  const patterns = allow.map(parsePattern).filter((p) => p.qualifier === undefined || p.qualifier === qualifier);
  for (const [index, operation] of patch.entries()) {
    if (operation.op === 'test') continue;
    const paths = [operation.path, ...((operation.op === 'move' || operation.op === 'copy') && operation.from !== undefined ? [operation.from] : [])];
    for (const path of paths) {
      const segments = path === '' ? [] : path.split('/').slice(1);
      if (!patterns.some((p) => covers(p, segments))) return { index, path };
    }
  }
  return undefined;
}

/** The allow list as a message shows it. */
export const showAllowList = (allow: readonly string[]): string => (allow.length === 0 ? 'nothing' : allow.join(', '));
