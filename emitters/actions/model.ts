import type { PinnedAction } from './pins.js';

/**
 * A typed model of the GitHub Actions workflow syntax, restricted to what paved
 * emits. https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
 * Builders produce these objects; render.ts alone turns them into YAML, so key
 * order and the shape of every workflow are decided in one place.
 */

/** A `${{ … }}` expression or plain text; expressions never reach a `run:` script. */
export type Value = string;

export interface Workflow {
  readonly name: string;
  readonly on: Triggers;
  /** Always `{}`: every job states the minimum it needs. */
  readonly permissions: Permissions;
  /** Left out by the emitters: render.ts gives every workflow the same (GIT_ENVIRONMENT). */
  readonly env?: Readonly<Record<string, string>>;
  readonly defaults?: { readonly run: { readonly shell: 'bash' } };
  /** In the order the jobs run, which is the order a reviewer reads them. */
  readonly jobs: ReadonlyArray<readonly [id: string, job: Job]>;
}

export interface Triggers {
  readonly pull_request?: { readonly types?: readonly PullRequestActivity[]; readonly paths?: readonly string[] };
  /** A merge queue asks for the required checks of the group's merge commit. */
  readonly merge_group?: { readonly types: readonly ['checks_requested'] };
  readonly push?: { readonly branches: readonly string[]; readonly paths?: readonly string[] };
  readonly schedule?: ReadonlyArray<{ readonly cron: string }>;
  readonly workflow_dispatch?: { readonly inputs?: ReadonlyArray<readonly [id: string, input: DispatchInput]> };
}

export type PullRequestActivity = 'opened' | 'synchronize' | 'reopened' | 'closed';

export type DispatchInput =
  | { readonly description: string; readonly required: boolean; readonly type: 'string'; readonly default?: string }
  | { readonly description: string; readonly required: boolean; readonly type: 'choice'; readonly options: readonly string[] };

/** https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions */
export type PermissionScope = 'checks' | 'contents' | 'id-token' | 'packages' | 'pull-requests';
export type Permissions = Readonly<Partial<Record<PermissionScope, 'read' | 'write'>>>;

export interface Concurrency {
  readonly group: Value;
  /** `true` only for jobs that a newer run supersedes and that change nothing when stopped half-way. */
  readonly 'cancel-in-progress': boolean | Value;
}

export interface Job {
  readonly name: string;
  readonly if?: Value;
  readonly needs?: readonly string[];
  readonly 'runs-on': string;
  /** A GitHub environment: its protection rules gate the job, and it names the OIDC subject. */
  readonly environment?: Value;
  readonly permissions: Permissions;
  readonly 'timeout-minutes': number;
  readonly concurrency: Concurrency;
  readonly outputs?: Readonly<Record<string, Value>>;
  readonly steps: readonly Step[];
}

interface StepBase {
  readonly name: string;
  readonly id?: string;
  readonly if?: Value;
  /** Every value a script reads; the script itself is constant text. */
  readonly env?: Readonly<Record<string, Value>>;
}

export interface UsesStep extends StepBase {
  readonly uses: PinnedAction;
  readonly with?: Readonly<Record<string, Value | boolean | number>>;
}

export interface RunStep extends StepBase {
  /** A constant script from scripts.ts: it reads inputs as "${VAR}" from `env`, never through `${{ }}`. */
  readonly run: string;
  /** Paved-root- or service-relative folders; absent means the repository root. */
  readonly 'working-directory'?: string;
}

export type Step = UsesStep | RunStep;
