import { join } from 'node:path';
import { compileDir, goldenCases, REPO } from '../helpers.js';
import { objectsOf } from '../kubernetes-helpers.js';
import { allResourcesOf, stacksOf } from '../terraform-helpers.js';
import { workflowsOf } from '../workflows.js';
import type { AuditTarget } from './types.js';

/**
 * Every golden case and both examples. examples/minimal compiles the embedded
 * default platform, which no fixture does, so it is audited too.
 */
export const TARGET_ROOTS: readonly string[] = [...goldenCases().map((name) => `fixtures/${name}`), 'examples/shop', 'examples/minimal'];

let cached: AuditTarget[] | undefined;

/** Compiles each root once and reads its Terraform, Kubernetes and workflow output. */
export function auditTargets(): AuditTarget[] {
  cached ??= TARGET_ROOTS.map((name) => {
    const result = compileDir(join(REPO, name));
    const stacks = stacksOf(result, name);
    return { name, stacks, resources: allResourcesOf(stacks), objects: objectsOf(result, name), workflows: workflowsOf(result, name) };
  });
  return cached;
}

export function auditTarget(name: string): AuditTarget {
  const found = auditTargets().find((t) => t.name === name);
  if (!found) throw new Error(`no audit target ${name}`);
  return found;
}
