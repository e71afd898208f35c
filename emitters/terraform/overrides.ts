import type { Diagnostic } from '../../spec/diagnostic.js';
import type { ResolvedService } from '../../spec/model.js';
import { attribute, block, object, type Attribute, type Block, type BodyItem, type Expression } from '../shared/hcl.js';
import { specPath } from '../../spec/pointer.js';
import { applyPatch } from '../shared/json-patch.js';
import { outsideAllowList, showAllowList } from '../shared/override-allow.js';
import type { StackFile } from './stack.js';

/**
 * `overrides.terraform`: RFC 6902 patches to a resource block, seen as JSON
 * (attributes as values, label-less nested blocks as lists of objects). Values
 * paved wrote as references, templates or function calls are opaque: an
 * override may replace or remove them, not reach inside. The stack is shared by
 * staging and production (their differences live in tfvars), so an override
 * applies to both.
 */

/** Resources whose every attribute is security policy: identity, encryption keys, network and access policies. */
const FORBIDDEN_TYPES = new Set([
  'aws_iam_role', 'aws_iam_role_policy', 'aws_iam_policy', 'aws_eks_pod_identity_association', 'aws_kms_key', 'aws_kms_alias',
  'aws_s3_bucket_public_access_block', 'aws_s3_bucket_policy', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_ownership_controls',
  'aws_sqs_queue_policy', 'aws_sns_topic_policy', 'aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule',
  'aws_elasticache_user', 'aws_elasticache_user_group',
]);

/** Attributes that keep encryption, authentication and isolation on, wherever they appear. */
const FORBIDDEN_ATTRIBUTES = new Set([
  'storage_encrypted', 'kms_key_id', 'kms_master_key_id', 'publicly_accessible', 'iam_database_authentication_enabled', 'manage_master_user_password',
  'at_rest_encryption_enabled', 'transit_encryption_enabled', 'user_group_ids', 'performance_insights_kms_key_id', 'vpc_security_group_ids', 'security_group_ids',
  'master_user_secret_kms_key_id', 'policy',
]);

/** `allow`: the platform's allow list (overridePolicy.terraform.allow), when it sets one. */
export function applyTerraformOverrides(service: ResolvedService, files: readonly StackFile[], allow?: readonly string[]): { files: StackFile[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (pointer: string, code: string, message: string, hint: string): void => {
    diagnostics.push({ code, severity: 'error', message: `${specPath(pointer)}: ${message}`, hint, file: service.specPath, pointer });
  };
  let result = files.map((f) => ({ path: f.path, items: [...f.items] }));
  for (const override of service.overrides.terraform) {
    if (!override.environments.includes('staging') || !override.environments.includes('production')) {
      fail(`${override.pointer}/environments`, 'EMIT.OVERRIDE_ENVIRONMENTS', 'a Terraform override applies to staging and production alike: both use the same stack', 'list both environments or leave environments out; per-environment values belong in platform policy');
      continue;
    }
    const location = findResource(result, override.target);
    if (!location) {
      const known = result.flatMap((f) => f.items.filter(isResource).map((b) => `${b.labels[0]}.${b.labels[1]}`));
      fail(`${override.pointer}/target`, 'EMIT.OVERRIDE_TARGET', `paved generates no resource ${override.target}`, `resources of this service: ${known.join(', ')}`);
      continue;
    }
    const target = result[location.file]!.items[location.item] as Block;
    const forbidden = FORBIDDEN_TYPES.has(target.labels[0]!) ? { index: 0, what: `${target.labels[0]} resources` } : forbiddenPath(override.patch);
    if (forbidden) {
      fail(`${override.pointer}/patch/${forbidden.index}`, 'EMIT.OVERRIDE_FORBIDDEN', `the platform forbids patching ${forbidden.what}`, 'encryption, identity, access policies and network isolation stay on the golden path; ask the platform team if this must change');
      continue;
    }
    const outside = outsideAllowList(allow, target.labels[0]!, override.patch);
    if (outside) {
      fail(
        `${override.pointer}/patch/${outside.index}`,
        'EMIT.OVERRIDE_FORBIDDEN',
        `the platform allows overrides only at overridePolicy.terraform.allow (${showAllowList(allow!)}); ${outside.path} of ${target.labels[0]} is not at or under any of them`,
        'patch only the allowed paths, or ask the platform team to allow this one',
      );
      continue;
    }
    const opaque: Expression[] = [];
    const patched = applyPatch(toJson(target.body, opaque), override.patch);
    if (!patched.ok) {
      fail(`${override.pointer}/patch/${patched.index}`, 'EMIT.OVERRIDE_PATCH', `the patch does not apply to ${override.target}: ${patched.message}`, 'paths are JSON pointers into the resource: /attribute, /nested_block/0/attribute');
      continue;
    }
    let body: BodyItem[];
    try {
      body = fromJson(patched.value, target.body, opaque);
    } catch (error) {
      fail(`${override.pointer}/patch`, 'EMIT.OVERRIDE_PATCH', `the patched ${override.target} is not a resource body: ${(error as Error).message}`, 'attributes take values; nested blocks take lists of objects');
      continue;
    }
    const comments = [...target.comments, `paved override (a reported deviation): ${override.reason}`];
    const items = [...result[location.file]!.items];
    items[location.item] = block(target.type, target.labels, body, comments);
    result = result.map((f, i) => (i === location.file ? { path: f.path, items } : f));
  }
  return { files: result, diagnostics };
}

function isResource(item: BodyItem): item is Block {
  return item.kind === 'block' && item.type === 'resource';
}

function findResource(files: readonly StackFile[], target: string): { file: number; item: number } | undefined {
  for (const [file, f] of files.entries()) {
    const item = f.items.findIndex((i) => isResource(i) && `${i.labels[0]}.${i.labels[1]}` === target);
    if (item >= 0) return { file, item };
  }
  return undefined;
}

function forbiddenPath(patch: ResolvedService['overrides']['terraform'][number]['patch']): { index: number; what: string } | undefined {
  for (const [index, operation] of patch.entries()) {
    if (operation.op === 'test') continue;
    const paths = [operation.path, ...(operation.op === 'move' && operation.from ? [operation.from] : [])];
    for (const path of paths) {
      const segments = path.split('/').slice(1);
      if (segments.length === 0) return { index, what: 'the whole resource' };
      const hit = segments.find((s) => FORBIDDEN_ATTRIBUTES.has(s));
      if (hit) return { index, what: `${hit} (encryption, authentication and isolation settings)` };
    }
  }
  return undefined;
}

/** A block body as JSON; expressions JSON cannot hold become `{ "$hcl": n }` tokens. */
function toJson(body: readonly BodyItem[], opaque: Expression[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of body) {
    if (item.kind === 'attribute') out[item.name] = valueToJson(item.value, opaque);
    else if (item.labels.length === 0) ((out[item.type] ??= []) as unknown[]).push(toJson(item.body, opaque));
  }
  return out;
}

function valueToJson(value: Expression, opaque: Expression[]): unknown {
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: Expression) => valueToJson(v, opaque));
  if ((value as { kind: string }).kind === 'object') return Object.fromEntries((value as { entries: ReadonlyArray<readonly [string, Expression]> }).entries.map(([k, v]) => [k, valueToJson(v, opaque)]));
  opaque.push(value as Expression);
  return { $hcl: opaque.length - 1 };
}

/** Back to HCL, keeping the original order of attributes and blocks; new keys go last. */
function fromJson(json: unknown, original: readonly BodyItem[], opaque: readonly Expression[]): BodyItem[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('expected an object');
  const value = json as Record<string, unknown>;
  const blockTypes = new Set(original.filter((i): i is Block => i.kind === 'block' && i.labels.length === 0).map((b) => b.type));
  const keyed = original.filter((i) => i.kind === 'attribute' || i.labels.length === 0);
  const order = [...new Set([...keyed.map((i) => (i.kind === 'attribute' ? i.name : i.type)), ...Object.keys(value)])].filter((k) => Object.hasOwn(value, k));
  const items: BodyItem[] = [...original.filter((i): i is Block => i.kind === 'block' && i.labels.length > 0)];
  for (const key of order) {
    if (blockTypes.has(key)) {
      if (!Array.isArray(value[key])) throw new Error(`${key} is a nested block: give a list of objects`);
      const originals = original.filter((i): i is Block => i.kind === 'block' && i.type === key);
      (value[key] as unknown[]).forEach((entry, i) => items.push(block(key, [], fromJson(entry, originals[i]?.body ?? [], opaque), originals[i]?.comments ?? [])));
    } else {
      items.push(attribute(key, jsonToValue(value[key], opaque)) as Attribute);
    }
  }
  return items;
}

function jsonToValue(value: unknown, opaque: readonly Expression[]): Expression {
  if (value === null) throw new Error('null is not an HCL value paved writes; remove the attribute instead');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => jsonToValue(v, opaque));
  const record = value as Record<string, unknown>;
  if (Object.keys(record).length === 1 && typeof record.$hcl === 'number' && opaque[record.$hcl] !== undefined) return opaque[record.$hcl]!;
  return object(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, jsonToValue(v, opaque)])));
}
