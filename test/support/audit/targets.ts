import { join } from 'node:path';
import { emitters } from '../../../cli/emitters.js';
import { scopedProject } from '../../../compiler/emit.js';
import { policyTarget, type PolicyTarget } from '../../../compiler/policy/view.js';
import type { GeneratedFile } from '../../../spec/emitter.js';
import { compileDir, goldenCases, REPO } from '../helpers.js';

/**
 * Every golden case and both examples. examples/minimal compiles the embedded
 * default platform, which no fixture does, so it is audited too.
 */
export const TARGET_ROOTS: readonly string[] = [...goldenCases().map((name) => `fixtures/cases/${name}`), 'examples/shop', 'examples/minimal'];

export interface AuditTarget {
  readonly target: PolicyTarget;
  /** What the compile planned, path → contents: the files the policy's view was read from must be these. */
  readonly planned: ReadonlyMap<string, string>;
  /** The files as the emitters made them, structured values included. */
  readonly files: readonly GeneratedFile[];
}

let cached: AuditTarget[] | undefined;

/**
 * Compiles each root once (which runs the policy: it must pass) and emits it
 * again with the structured values the compile drops, as one target.
 */
export function auditRoots(): AuditTarget[] {
  cached ??= TARGET_ROOTS.map((name) => {
    const result = compileDir(join(REPO, name));
    if (!result.project || result.diagnostics.length > 0) throw new Error(`${name} does not compile: ${JSON.stringify(result.diagnostics)}`);
    const project = result.project;
    const byName = new Map(project.services.map((s) => [s.name, s]));
    const files = [
      ...project.services.flatMap((s) => emitters.flatMap((e) => e.emitService(s, scopedProject(project, s, byName)).files)),
      ...emitters.flatMap((e) => e.emitProject?.(project).files ?? []),
    ];
    return { target: policyTarget(name, project, files), planned: new Map(result.files.map((f) => [f.path, f.contents])), files };
  });
  return cached;
}

export const auditTargets = (): PolicyTarget[] => auditRoots().map((r) => r.target);

export function auditTarget(name: string): PolicyTarget {
  const found = auditTargets().find((t) => t.name === name);
  if (!found) throw new Error(`no audit target ${name}`);
  return found;
}
