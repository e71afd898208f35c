import { join } from 'node:path';
import { parse } from 'yaml';
import { compileSources, type CompileResult } from '../../compiler/compile.js';
import { emitters } from '../../cli/emitters.js';
import { caseRoot, compileDir, goldenCases, REPO, sourceFile } from './helpers.js';
import type { GeneratedWorkflow, ParsedWorkflow } from '../../compiler/policy/view.js';

// The workflow types and walkers are the policy's own (compiler/policy/view.ts): the tests read workflows as it does.
export type { GeneratedWorkflow, ParsedJob, ParsedStep, ParsedWorkflow } from '../../compiler/policy/view.js';
export { actionOf, stepsOf } from '../../compiler/policy/view.js';

/** The workflows a compile planned, with the path under the workflows directory, as written: text only, so no waiver attached. */
export function workflowsOf(result: CompileResult, label: string): GeneratedWorkflow[] {
  return result.files
    .filter((file) => file.path.startsWith(`${result.output.workflowsDir}/`))
    .map((file) => ({ name: `${label}/${file.path}`, text: file.contents, waivers: [], doc: parse(file.contents) as ParsedWorkflow }));
}

/** Every workflow that every golden case (a folder with an expected tree) and examples/shop compile to. */
export function allGeneratedWorkflows(): GeneratedWorkflow[] {
  const roots = [
    ...goldenCases().map((name) => [`fixtures/cases/${name}`, caseRoot(name)] as const),
    ['examples/shop', join(REPO, 'examples', 'shop')] as const,
  ];
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
