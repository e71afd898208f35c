/** One problem found in the user's input, positioned in its source file. */
export type Severity = 'error' | 'warning';

export interface Range {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export interface Diagnostic {
  /** Stable, dotted identifier such as `SPEC.UNKNOWN_KEY`; tests and users match on it. */
  readonly code: string;
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
