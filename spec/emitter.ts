import type { Diagnostic } from './diagnostic.js';
import type { ResolvedProject, ResolvedService } from './model.js';

/** A file an emitter plans; `compiler/write` is the only code that puts it on disk. */
export interface GeneratedFile {
  /** Repo-root-relative POSIX path, inside the platform's output or workflows directory. */
  readonly path: string;
  readonly contents: string;
  /** Repo-relative path of the spec the file derives from (`platform.yaml` for repo-wide files). */
  readonly source: string;
  /**
   * The structured value `contents` was serialized from, for the compile-time
   * policy (compiler/policy): the HCL body items of a .tf or .tfvars file, the
   * plain object of a YAML manifest or workflow. The compiler drops it once the
   * policy has read it, so it never crosses a thread or reaches the writer.
   */
  readonly value?: unknown;
}

export interface EmitResult {
  readonly files: readonly GeneratedFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A target. Pure and synchronous: no disk, clock, environment or randomness, so
 * output is a function of the resolved model alone.
 */
export interface Emitter {
  readonly id: string;
  emitService(service: ResolvedService, project: ResolvedProject): EmitResult;
  /** Repo-wide files, emitted once per compile. */
  emitProject?(project: ResolvedProject): EmitResult;
}
