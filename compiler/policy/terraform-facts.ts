import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../../emitters/shared/waivers.js';
import type { Finding } from './types.js';
import { fact, groupedBy, NONE } from './facts.js';
import { tfvarsOf, type FoundResource, type Plain, type PolicyTarget } from './view.js';

/** Reading and breaking the typed Terraform stacks for the §1 rules. */

export const SERVICE_KEY = '${aws_kms_key.service.arn}';
export const ENVIRONMENTS = ['staging', 'production'] as const;
export type CloudEnvironment = (typeof ENVIRONMENTS)[number];
export type TerraformWaiver = keyof typeof WAIVERS;

const byType = fact((target: PolicyTarget) => groupedBy(target.resources, (r) => r.type));
/** The target's resources of `type`, in file order. */
export const ofType = (target: PolicyTarget, type: string): readonly FoundResource[] => byType(target).get(type) ?? NONE;
/** The resource of `type` in the same stack that configures `bucket` (its `bucket` argument). */
export const partOf = (target: PolicyTarget, type: string, bucket: FoundResource): FoundResource | undefined =>
  ofType(target, type).find((r) => r.stack === bucket.stack && r.body.bucket === `\${aws_s3_bucket.${bucket.name}.id}`);

export const where = (r: FoundResource): string => `${r.stack.service.name}/terraform/${r.file} ${r.type}.${r.name}`;

/** The only block of a kind in a resource, or undefined when there is not exactly one. */
export const only = (r: FoundResource, block: string): Plain | undefined => {
  const blocks = r.body[block];
  return Array.isArray(blocks) && blocks.length === 1 ? (blocks[0] as Plain) : undefined;
};

/**
 * `terraform:<name>` when the declared waiver `name` is attached to the resource
 * and printed above it in its file; otherwise undefined.
 */
export function attachedWaiver(r: FoundResource, name: TerraformWaiver): string | undefined {
  const lines = [waiverText(WAIVERS[name])];
  const printed = r.stack.printed.get(r.file) ?? '';
  return lines.every((line) => r.comments.includes(line) && printed.includes(`# ${line}\n`)) ? `terraform:${name}` : undefined;
}

/** A finding excused by the first of `names` that is attached, or an unwaived one. */
export const waivable = (r: FoundResource, problem: string, ...names: TerraformWaiver[]): Finding => {
  const waiver = names.map((n) => attachedWaiver(r, n)).find((w) => w !== undefined);
  return waiver ? { where: where(r), problem, waiver } : { where: where(r), problem };
};

export interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}
export const statements = (document: unknown): Statement[] => (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];
export const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** Every principal a statement names, flattened to strings. */
export const principals = (statement: Statement): string[] => {
  const p = statement.Principal;
  if (p === undefined) return [];
  if (typeof p === 'string') return [p];
  return Object.values(p as Record<string, string | string[]>).flatMap((v) => list(v));
};

/** The value a variable reference takes in an environment's tfvars, for `${var.name}` values. */
export function resolved(r: FoundResource, value: unknown, env: CloudEnvironment): unknown {
  const match = typeof value === 'string' ? /^\$\{var\.([a-z_]+)\}$/.exec(value) : null;
  return match ? tfvarsOf(r.stack, env)[match[1]!] : value;
}
