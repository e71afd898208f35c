import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { Block, BodyItem } from '../../emitters/shared/hcl.js';
import { PLUGIN_DIR, terraform } from './terraform-helpers.js';

/**
 * Planning a generated root offline against the real AWS provider from the
 * local mirror, and building the state an apply would leave from that plan
 * (issue 17): shared by the replacement probe (terraform-replacement.test.ts)
 * and the rename proof (renames-terraform.test.ts).
 */

// The subscriptions roots look their topics up through the tagging API; a local stand-in (taggingApiStandIn) says each exists.
export const offlineOverride = (tagging: string): string => `provider "aws" {
  allowed_account_ids         = null
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    resourcegroupstaggingapi = "${tagging}"
  }
}

terraform {
  backend "local" {}
}
`;
export const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-only-not-a-key', AWS_EC2_METADATA_DISABLED: 'true' };

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly mode: string;
  /** Set on the old object of a create-before-destroy replacement, listed beside the new one. */
  readonly deposed?: string;
  /** The for_each key of one instance. */
  readonly index?: string | number;
  /** The address the state held it under, for a resource a moved block moves. */
  readonly previous_address?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after: Record<string, unknown> | null;
    readonly after_unknown: Record<string, unknown> | null;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  };
}

export type Schemas = Record<string, { version?: number; block: { attributes?: Record<string, { type: unknown }> } }>;

export const resourceBlocks = (items: readonly BodyItem[]): Block[] => items.filter((i): i is Block => i.kind === 'block' && i.type === 'resource');

/** Runs terraform with the fake credentials and fails the test, with its output, unless it exits 0. */
export const run = (args: readonly string[], dir: string): string => {
  const result = terraform(args, dir, FAKE_CREDENTIALS);
  expect(result.code, `terraform ${args.join(' ')} in ${dir}:\n${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
};

/** The managed resource changes of an offline staging plan of the root in `dir`. */
export const plan = (dir: string): Change[] => {
  run(['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color', '-var-file=env/staging.tfvars', '-out=tfplan'], dir);
  return (JSON.parse(run(['show', '-json', 'tfplan'], dir)) as { resource_changes?: Change[] }).resource_changes?.filter((c) => c.mode === 'managed') ?? [];
};

/** The resource blocks that carry prevent_destroy (emitters/terraform/protect.ts). */
export const guardedBlocks = (items: readonly BodyItem[]): Block[] =>
  items.filter(
    (b): b is Block =>
      b.kind === 'block' &&
      b.type === 'resource' &&
      b.body.some((i) => i.kind === 'block' && i.type === 'lifecycle' && i.body.some((a) => a.kind === 'attribute' && a.name === 'prevent_destroy')),
  );

/**
 * Writes a root's printed files into `dir` (replacing those of a root written
 * there before, state kept), with the offline override, which also lifts
 * prevent_destroy from the `guarded` resources so a plan can show what it guards.
 */
export function writeRoot(dir: string, printed: ReadonlyMap<string, string>, tagging: string, guarded: readonly Block[] = []): void {
  for (const [path, text] of printed) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(
    join(dir, 'zz_offline_override.tf'),
    [
      offlineOverride(tagging),
      ...guarded.map((b) => `resource "${b.labels[0]}" "${b.labels[1]}" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n`),
    ].join('\n'),
  );
}

/** `terraform init` from the mirror, then the AWS provider's resource schemas. */
export function initRoot(dir: string): Schemas {
  run(['init', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
  return (JSON.parse(run(['providers', 'schema', '-json'], dir)) as { provider_schemas: Record<string, { resource_schemas: Schemas }> }).provider_schemas[
    'registry.terraform.io/hashicorp/aws'
  ]!.resource_schemas;
}

/**
 * The state an apply of the root in `dir` would leave, as far as the plan knows
 * it: planned values, re-planned until references settle (three passes);
 * written to terraform.tfstate and returned.
 */
export function settledState(dir: string, schemas: Schemas): State {
  let changes = plan(dir);
  for (let pass = 0; pass < 3; pass++) {
    writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(stateOf(changes, schemas)));
    changes = plan(dir);
  }
  return JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as State;
}

export interface State {
  readonly resources: Array<{ type: string; name: string; instances: Array<{ attributes: Record<string, unknown> }> }>;
}

/** A computed identifier the plan could not know, filled so the resources that reference it see a value. */
function placeholder(type: unknown, name: string, address: string): string | undefined {
  if (type !== 'string') return undefined;
  const slug = address.replace(/[^A-Za-z0-9]+/g, '-');
  if (name === 'arn' || name.endsWith('_arn')) return `arn:aws:kms:eu-west-1:123456789012:key/${slug}-${name}`;
  if (name === 'id' || name.endsWith('_id') || name === 'name') return `${slug}-${name.replace(/_/g, '-')}`;
  return undefined;
}

/**
 * A computed set or list the plan could not know is empty after an apply, not
 * null: ElastiCache's security_group_names, left null, would read as a change
 * and replace the replication group in every later plan.
 */
function emptyCollection(type: unknown): [] | null {
  return Array.isArray(type) && (type[0] === 'set' || type[0] === 'list') ? [] : null;
}

function stateOf(changes: readonly Change[], schemas: Schemas): unknown {
  const resources = new Map<string, { mode: string; type: string; name: string; provider: string; instances: unknown[] }>();
  for (const c of changes.filter((c) => c.deposed === undefined && c.change.after !== null)) {
    const schema = schemas[c.type]!;
    const attributes: Record<string, unknown> = { ...(c.change.after ?? {}) };
    for (const [name, unknown] of Object.entries(c.change.after_unknown ?? {})) {
      if (unknown === true)
        attributes[name] = placeholder(schema.block.attributes?.[name]?.type, name, c.address) ?? emptyCollection(schema.block.attributes?.[name]?.type);
    }
    const key = `${c.type}.${c.name}`;
    if (!resources.has(key))
      resources.set(key, { mode: 'managed', type: c.type, name: c.name, provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [] });
    resources
      .get(key)!
      .instances.push({ ...(c.index === undefined ? {} : { index_key: c.index }), schema_version: schema.version ?? 0, attributes, sensitive_attributes: [] });
  }
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: '5f0c1f43-2a4b-4c7d-9e8f-0a1b2c3d4e5f',
    outputs: {},
    resources: [...resources.values()],
  };
}
