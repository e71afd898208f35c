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
  /**
   * The waivers the file's builder printed at its top (emitters/shared/serialize.ts),
   * as the very objects of the waiver table: the only thing the policy accepts
   * as a waiver of a YAML file, so no text in the file (an override's reason)
   * can stand for one. Absent when there are none; dropped with `value`.
   */
  readonly waivers?: readonly Waiver[];
}

/**
 * A knowing failure of a rule of the security policy, with its reason
 * (emitters/shared/waivers.ts holds the one table of them).
 */
export interface Waiver {
  /** Rule ids as security-rules.md writes them, e.g. `CKV_AWS_21`, `KS deployment-replicas`. */
  readonly rules: readonly string[];
  readonly reason: string;
}

export interface EmitResult {
  readonly files: readonly GeneratedFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A target. Pure and synchronous: no disk, clock, environment or randomness, so
 * output is a function of the resolved model alone.
 */
/** Who planned a generated file: its emitter, and the service (by deployed name) it is for, or none for a repo-wide file. */
export interface FileOwner {
  readonly emitter: string;
  readonly service?: string;
}

export interface Emitter {
  readonly id: string;
  emitService(service: ResolvedService, project: ResolvedProject): EmitResult;
  /** Repo-wide files, emitted once per compile. */
  emitProject?(project: ResolvedProject): EmitResult;
}
