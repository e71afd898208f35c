import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import { offsetRange, pointerJoin } from '../positions.js';
import type { SourceFile } from '../source.js';
import { secretProblem } from './secrets.js';
import { codePointName, HIDDEN_CHARACTER, KEY_CONTROL_CHARACTER } from '../../spec/text.js';

/** The `path` and `from` of a patch operation: JSON pointers, checked like keys. */
const PATCH_POINTER = /^\/overrides\/(?:kubernetes|terraform)\/[0-9]+\/patch\/[0-9]+\/(?:path|from)$/;

/**
 * Checks that apply to every scalar, wherever it sits: characters that hide or
 * reorder text (Trojan Source), GitHub expressions, number spellings that are
 * not plain decimals, and values that look like credentials.
 *
 * The rule for characters, in every key and value of every spec file: no
 * control, bidi or invisible character (spec/text.ts), with two exceptions for
 * values only: tab and line feed. A multi-line description or reason is text
 * (the comment writer prints one comment line per line); keys and JSON pointer
 * paths name things, so they hold neither.
 */
export function scanScalars(file: SourceFile): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (node: Node, pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    diagnostics.push(
      specDiagnostic(code, file.path, pointer, message, { hint, range: node.range ? offsetRange(file, node.range[0], node.range[1]) : undefined }),
    );
  };

  const visitScalar = (node: Node, pointer: string, key: string | undefined, isKey: boolean): void => {
    if (!isScalar(node)) return;
    const value = node.value;
    if (typeof value === 'number') {
      const source = node.source ?? String(value);
      if (!Number.isFinite(value) || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(source)) {
        report(
          node,
          pointer,
          'SPEC.NUMBER_FORMAT',
          `number ${JSON.stringify(source)} is not a plain decimal`,
          'write numbers as plain decimals (1000, not 1e3, 0x3e8 or .inf); quote it if you meant text',
        );
      } else if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        report(node, pointer, 'SPEC.NUMBER_FORMAT', `number ${source} is too large to represent exactly`, 'use a value below 2^53; no paved field needs more');
      }
      return;
    }
    if (typeof value !== 'string') return;
    const hidden = HIDDEN_CHARACTER.exec(value);
    if (hidden) {
      report(
        node,
        pointer,
        'SEC.HIDDEN_CHARACTER',
        `${isKey ? 'key' : 'value'} contains the invisible or control character ${codePointName(hidden[0])}`,
        'delete it: such characters can make text read differently from what it does (Trojan Source, CVE-2021-42574)',
      );
      return;
    }
    const isName = isKey || PATCH_POINTER.test(pointer);
    const control = isName ? KEY_CONTROL_CHARACTER.exec(value) : null;
    if (control) {
      report(
        node,
        pointer,
        'SEC.HIDDEN_CHARACTER',
        `${isKey ? 'key' : 'JSON pointer'} contains the control character ${codePointName(control[0])}`,
        'keys and patch paths name things and stay on one line: only values may hold a tab or a line break',
      );
      return;
    }
    if (value.includes('${{')) {
      report(
        node,
        pointer,
        'SEC.GITHUB_EXPRESSION',
        'contains a GitHub Actions expression "${{"',
        'specs are data, never workflow code: remove the expression; secrets belong under `secrets:` by name',
      );
      return;
    }
    if (!isKey) {
      const problem = secretProblem(key, value);
      if (problem)
        report(
          node,
          pointer,
          'SEC.LITERAL_SECRET',
          problem,
          'never put a secret in a spec: list its name under `secrets:` and set the value in the secret store',
        );
    }
  };

  const walk = (node: unknown, pointer: string, key: string | undefined): void => {
    // `secrets` holds names; a mapping there is a name with its value.
    if (isMap(node) && (pointer === '/secrets' || /^\/secrets\/[0-9]+$/.test(pointer))) {
      report(
        node,
        pointer,
        'SEC.LITERAL_SECRET',
        'secrets lists names only, and this entry carries a value',
        'write only the name (`- STRIPE_API_KEY`) and set the value in the secret store; remove the value from version control history too',
      );
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        const childPointer = pointerJoin(pointer, name);
        if (isScalar(pair.key)) visitScalar(pair.key, childPointer, undefined, true);
        // Key names hint at secrets only in env maps (`env.DB_PASSWORD`).
        walk(pair.value, childPointer, pointer.endsWith('/env') ? name : undefined);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, pointerJoin(pointer, index), undefined));
    } else if (isScalar(node)) {
      visitScalar(node, pointer, key, false);
    }
  };
  walk(file.contents, '', undefined);
  return diagnostics;
}
