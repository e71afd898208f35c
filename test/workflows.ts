import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileSources, type CompileResult } from '../compiler/compile.js';
import { emitters } from '../cli/emitters.js';
import { compileDir, FIXTURES, REPO, sourceFile } from './helpers.js';

/** A generated workflow, as text and as parsed by a YAML 1.2 reader. */
export interface GeneratedWorkflow {
  /** `<case>/<path>`, for messages. */
  readonly name: string;
  readonly text: string;
  readonly doc: ParsedWorkflow;
}

export interface ParsedStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly run?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly 'working-directory'?: string;
}

export interface ParsedJob {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: readonly string[];
  readonly environment?: string;
  readonly permissions?: unknown;
  readonly 'timeout-minutes'?: number;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean | string };
  readonly uses?: string;
  readonly secrets?: unknown;
  readonly container?: unknown;
  readonly services?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  /** paved's jobs always have steps; a job calling a reusable workflow (audit samples) has none, which the audits allow for. */
  readonly steps: readonly ParsedStep[];
}

export interface ParsedWorkflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, ParsedJob>>;
}

/** The workflows a compile planned, with the path under the workflows directory. */
export function workflowsOf(result: CompileResult, label: string): GeneratedWorkflow[] {
  return result.files
    .filter((file) => file.path.startsWith(`${result.output.workflowsDir}/`))
    .map((file) => ({ name: `${label}/${file.path}`, text: file.contents, doc: parse(file.contents) as ParsedWorkflow }));
}

/** Every workflow that every golden case (a folder with an expected tree) and examples/shop compile to. */
export function allGeneratedWorkflows(): GeneratedWorkflow[] {
  const cases = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURES, e.name, 'expected')))
    .map((e) => e.name)
    .sort();
  const roots = [...cases.map((name) => [`fixtures/${name}`, join(FIXTURES, name)] as const), ['examples/shop', join(REPO, 'examples', 'shop')] as const];
  return roots.flatMap(([label, root]) => workflowsOf(compileDir(root), label));
}

/** Compiles in-memory specs (path → text) with an optional platform.yaml and releases.yaml. */
export function compileTexts(services: Readonly<Record<string, string>>, platform?: string, releases?: string): CompileResult {
  return compileSources(
    {
      platform: platform === undefined ? undefined : sourceFile('platform.yaml', platform, 'platform'),
      releases: releases === undefined ? undefined : sourceFile('releases.yaml', releases, 'releases'),
      services: Object.entries(services).map(([path, text]) => sourceFile(path, text)),
      loadDiagnostics: [],
      sources: new Map(),
    },
    { emitters },
  );
}

export const stepsOf = (doc: ParsedWorkflow): Array<{ readonly jobId: string; readonly job: ParsedJob; readonly step: ParsedStep }> =>
  Object.entries(doc.jobs).flatMap(([jobId, job]) => (job.steps ?? []).map((step) => ({ jobId, job, step })));

/** `owner/repo` of a `uses:` reference. */
export const actionOf = (uses: string | undefined): string | undefined => uses?.split('@')[0];
