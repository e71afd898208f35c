import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import type { ResolvedService } from '../../spec/model.js';
import { pointerJoin } from '../../spec/pointer.js';
import { showString } from '../../spec/text.js';
import { attribute, block, isIdentifier, numberProblem, object, type Attribute, type Block, type BodyItem, type Expression } from '../shared/hcl.js';
import { applyPatch, writtenPointers } from '../shared/json-patch.js';
import { outsideAllowList, showAllowList } from '../shared/override-allow.js';
import type { StackFile } from './stack.js';

/**
 * `overrides.terraform`: RFC 6902 patches to a resource block, seen as JSON
 * (attributes as values, label-less nested blocks as lists of objects). Values
 * paved wrote as references, templates or function calls are opaque: an
 * override may replace or remove them, not reach inside. The stack is shared by
 * staging and production (their differences live in tfvars), so an override
 * applies to both.
 *
 * Identity is immutable: a block's type and labels are not in the JSON at all,
 * labelled nested blocks are kept as they are, a key can only become an
 * attribute or a nested block type the resource already has, and the
 * meta-arguments that decide which objects a block makes are out of reach.
 * Every key must be an HCL identifier and every value printable; what is not is
 * reported at the operation that introduced it.
 */

/** Meta-arguments that change which or how many objects a resource block makes, or where. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'provider', 'depends_on', 'provisioner', 'connection']);

/** Deeper values than this are not configuration. */
const MAX_DEPTH = 32;

/** Resources whose every attribute is security policy: identity, encryption keys, network and access policies. */
const FORBIDDEN_TYPES = new Set([
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_eks_pod_identity_association',
  'aws_kms_key',
  'aws_kms_alias',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_ownership_controls',
  'aws_sqs_queue_policy',
  'aws_sns_topic_policy',
  'aws_security_group',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
  'aws_elasticache_user',
  'aws_elasticache_user_group',
]);

/** Attributes that keep encryption, authentication and isolation on, wherever they appear. */
const FORBIDDEN_ATTRIBUTES = new Set([
  'storage_encrypted',
  'kms_key_id',
  'kms_master_key_id',
  'publicly_accessible',
  'iam_database_authentication_enabled',
  'manage_master_user_password',
  'at_rest_encryption_enabled',
  'transit_encryption_enabled',
  'user_group_ids',
  'performance_insights_kms_key_id',
  'vpc_security_group_ids',
  'security_group_ids',
  'master_user_secret_kms_key_id',
  'policy',
]);

/** `allow`: the platform's allow list (overridePolicy.terraform.allow), when it sets one. */
export function applyTerraformOverrides(
  service: ResolvedService,
  files: readonly StackFile[],
  allow?: readonly string[],
): { files: StackFile[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    diagnostics.push(specDiagnostic(code, service.specPath, pointer, message, { hint }));
  };
  let result = files.map((f) => ({ path: f.path, items: [...f.items] }));
  for (const override of service.overrides.terraform) {
    if (!override.environments.includes('staging') || !override.environments.includes('production')) {
      fail(
        `${override.pointer}/environments`,
        'EMIT.OVERRIDE_ENVIRONMENTS',
        'a Terraform override applies to staging and production alike: both use the same stack',
        'list both environments or leave environments out; per-environment values belong in platform policy',
      );
      continue;
    }
    const location = findResource(result, override.target);
    if (!location) {
      const known = result.flatMap((f) => f.items.filter(isResource).map((b) => `${b.labels[0]}.${b.labels[1]}`));
      fail(
        `${override.pointer}/target`,
        'EMIT.OVERRIDE_TARGET',
        `paved generates no resource ${override.target}`,
        `resources of this service: ${known.join(', ')}`,
      );
      continue;
    }
    const target = result[location.file]!.items[location.item] as Block;
    const forbidden = FORBIDDEN_TYPES.has(target.labels[0]!) ? { index: 0, what: `${target.labels[0]} resources` } : forbiddenPath(override.patch);
    if (forbidden) {
      fail(
        `${override.pointer}/patch/${forbidden.index}`,
        'EMIT.OVERRIDE_FORBIDDEN',
        `the platform forbids patching ${forbidden.what}`,
        'encryption, identity, access policies and network isolation stay on the golden path; ask the platform team if this must change',
      );
      continue;
    }
    const meta = metaArgument(override.patch);
    if (meta) {
      fail(
        `${override.pointer}/patch/${meta.index}`,
        'EMIT.OVERRIDE_IDENTITY',
        `${meta.path} is a Terraform meta-argument: it decides which objects ${override.target} makes, which no override may change`,
        'patch the attributes that configure the resource; count, for_each, provider, depends_on, provisioner and connection stay as paved writes them',
      );
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
    const json = bodyToJson(target.body, opaque);
    const patched = applyPatch(json, override.patch);
    if (!patched.ok) {
      fail(
        `${override.pointer}/patch/${patched.index}`,
        'EMIT.OVERRIDE_PATCH',
        `the patch does not apply to ${override.target}: ${patched.message}`,
        'paths are JSON pointers into the resource: /attribute, /nested_block/0/attribute',
      );
      continue;
    }
    const converted = convert(patched.value, target.body, opaque);
    if (!converted.ok) {
      const index = firstUnprintable(json, override.patch, target.body, opaque);
      fail(
        `${override.pointer}/patch/${index}`,
        'EMIT.OVERRIDE_VALUE',
        `the patched ${override.target} cannot be written as HCL: ${converted.at === '' ? '' : `at ${showString(converted.at)}, `}${converted.message}`,
        'attribute names are identifiers (letters, digits, "_", "-"); values are strings, numbers, booleans, lists and maps; nested blocks take lists of objects',
      );
      continue;
    }
    const body = converted.body;
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

/**
 * The key of an opaque token. It starts with NUL, which validation rejects in
 * every key of a spec, so a patch value can never forge a token to copy one of
 * paved's expressions elsewhere.
 */
const OPAQUE = '\u0000hcl';

/** A block body as JSON; expressions JSON cannot hold become `{ [OPAQUE]: n }` tokens. */
function bodyToJson(body: readonly BodyItem[], opaque: Expression[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of body) {
    if (item.kind === 'attribute') out[item.name] = valueToJson(item.value, opaque);
    else if (item.labels.length === 0) ((out[item.type] ??= []) as unknown[]).push(bodyToJson(item.body, opaque));
  }
  return out;
}

function valueToJson(value: Expression, opaque: Expression[]): unknown {
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: Expression) => valueToJson(v, opaque));
  if ((value as { kind: string }).kind === 'object')
    return Object.fromEntries((value as { entries: ReadonlyArray<readonly [string, Expression]> }).entries.map(([k, v]) => [k, valueToJson(v, opaque)]));
  opaque.push(value as Expression);
  return { [OPAQUE]: opaque.length - 1 };
}

/** Why a patched value cannot be printed, and where in the resource (a JSON pointer). */
class BodyError extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

function convert(
  json: unknown,
  original: readonly BodyItem[],
  opaque: readonly Expression[],
): { ok: true; body: BodyItem[] } | { ok: false; at: string; message: string } {
  try {
    return { ok: true, body: fromJson(json, original, opaque, '') };
  } catch (error) {
    if (error instanceof BodyError) return { ok: false, at: error.at, message: error.message };
    throw error;
  }
}

/** The operation after which the body first stops converting: the one to blame. */
function firstUnprintable(
  json: unknown,
  patch: ResolvedService['overrides']['terraform'][number]['patch'],
  original: readonly BodyItem[],
  opaque: readonly Expression[],
): number {
  for (let count = 1; count < patch.length; count++) {
    const partial = applyPatch(json, patch.slice(0, count));
    if (partial.ok && !convert(partial.value, original, opaque).ok) return count - 1;
  }
  return patch.length - 1;
}

/** The first operation writing a meta-argument at the top of the resource (a `from` of move too). */
function metaArgument(patch: ResolvedService['overrides']['terraform'][number]['patch']): { index: number; path: string } | undefined {
  for (const { index, path, segments } of writtenPointers(patch)) {
    if (segments.length > 0 && META_ARGUMENTS.has(segments[0]!)) return { index, path };
  }
  return undefined;
}

/** Back to HCL, keeping the original order of attributes and blocks; new keys go last. */
function fromJson(json: unknown, original: readonly BodyItem[], opaque: readonly Expression[], at: string): BodyItem[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new BodyError(at, `expected an object of attributes, got ${json === null ? 'null' : Array.isArray(json) ? 'a list' : typeof json}`);
  const value = json as Record<string, unknown>;
  const blockTypes = new Set(original.filter((i): i is Block => i.kind === 'block' && i.labels.length === 0).map((b) => b.type));
  const keyed = original.filter((i) => i.kind === 'attribute' || i.labels.length === 0);
  const order = [...new Set([...keyed.map((i) => (i.kind === 'attribute' ? i.name : i.type)), ...Object.keys(value)])].filter((k) => Object.hasOwn(value, k));
  const items: BodyItem[] = [...original.filter((i): i is Block => i.kind === 'block' && i.labels.length > 0)];
  for (const key of order) {
    const keyAt = pointerJoin(at, key);
    if (!isIdentifier(key)) throw new BodyError(at, `the key ${showString(key)} is not an HCL identifier (a letter or "_", then letters, digits, "_" or "-")`);
    if (depth(at) >= MAX_DEPTH) throw new BodyError(at, `nested deeper than ${MAX_DEPTH} levels`);
    if (blockTypes.has(key)) {
      if (!Array.isArray(value[key])) throw new BodyError(keyAt, `${key} is a nested block: give a list of objects`);
      const originals = original.filter((i): i is Block => i.kind === 'block' && i.type === key);
      (value[key] as unknown[]).forEach((entry, i) =>
        items.push(block(key, [], fromJson(entry, originals[i]?.body ?? [], opaque, pointerJoin(keyAt, i)), originals[i]?.comments ?? [])),
      );
    } else {
      items.push(attribute(key, jsonToValue(value[key], opaque, keyAt)) as Attribute);
    }
  }
  return items;
}

const depth = (pointer: string): number => (pointer.match(/\//g) ?? []).length;

/** A value as HCL; object keys are printed quoted where needed, so any key is safe inside a value. */
function jsonToValue(value: unknown, opaque: readonly Expression[], at: string): Expression {
  if (depth(at) > MAX_DEPTH) throw new BodyError(at, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null) throw new BodyError(at, 'null is not an HCL value paved writes; remove the attribute instead');
  if (typeof value === 'number') {
    const problem = numberProblem(value);
    if (problem) throw new BodyError(at, problem);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => jsonToValue(v, opaque, pointerJoin(at, i)));
  if (typeof value !== 'object') throw new BodyError(at, `${typeof value} is not an HCL value`);
  const record = value as Record<string, unknown>;
  const token = record[OPAQUE];
  if (Object.keys(record).length === 1 && typeof token === 'number' && opaque[token] !== undefined) return opaque[token]!;
  return object(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, jsonToValue(v, opaque, pointerJoin(at, k))])));
}
