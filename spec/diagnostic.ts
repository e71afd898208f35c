import { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostic-codes.js';
import { specPath } from './pointer.js';

/** One problem found in the user's input, positioned in its source file. */
export type Severity = 'error' | 'warning';

export interface Range {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export interface Diagnostic {
  /** Stable, dotted identifier such as `SPEC.UNKNOWN_KEY`, from the registry (spec/diagnostic-codes.ts); tests and users match on it. */
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** Starts with the spec path of the offending value when there is one (`runtime.port: …`). */
  readonly message: string;
  /** How to fix it, when paved knows. */
  readonly hint?: string;
  /** Repo-relative POSIX path of the file at fault; absent for project-wide problems. */
  readonly file?: string;
  /** 1-based line and column of the offending YAML node. */
  readonly range?: Range;
  /** JSON pointer of the offending value inside the file (`/runtime/port`). */
  readonly pointer?: string;
}

/**
 * The one way to report a value in a spec file: the message starts with the
 * value's spec path (`runtime.port: ...`), and a diagnostic that brings no hint
 * of its own gets its code's (spec/diagnostic-codes.ts). The caller adds the
 * range when it has the parsed file (compiler/positions.ts locate).
 */
export function specDiagnostic(
  code: DiagnosticCode,
  file: string,
  pointer: string,
  message: string,
  options: { readonly hint?: string | undefined; readonly severity?: Severity; readonly range?: Range | undefined } = {},
): Diagnostic {
  const where = specPath(pointer);
  return {
    code,
    severity: options.severity ?? 'error',
    message: where === '' ? message : `${where}: ${message}`,
    hint: options.hint ?? DIAGNOSTIC_CODES[code].hint,
    file,
    ...(options.range ? { range: options.range } : {}),
    pointer,
  };
}
