/**
 * Writes spec/service.schema.json, spec/platform.schema.json, spec/types.ts and
 * the reference tables of docs/reference/ from the schemas in spec/*-schema.ts,
 * their single source of truth, and the command reference of docs/cli.md from
 * the command table (cli/command-table.ts) that `paved --help` prints too.
 * Run: tsc -p tsconfig.build.json && node dist/scripts/generate-spec.js
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderCliReference } from '../cli/help.js';
import type { JsonSchema, JsonValue } from '../spec/json-schema.js';
import { platformSchema } from '../spec/platform-schema.js';
import { releasesSchema } from '../spec/releases-schema.js';
import { serviceSchema } from '../spec/service-schema.js';

export function renderSchemaJson(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * TypeScript names of schema locations (JSON pointers). Every object with
 * `properties` needs one; anything else named here becomes a type alias.
 */
const serviceTypeNames: Readonly<Record<string, string>> = {
  '': 'ServiceSpec',
  '/properties/runtime': 'RuntimeSpec',
  '/properties/runtime/properties/build': 'BuildSpec',
  '/properties/runtime/properties/language': 'Language',
  '/properties/runtime/properties/protocol': 'Protocol',
  '/properties/runtime/properties/health': 'HealthSpec',
  '/properties/runtime/properties/ports/items': 'PortSpec',
  '/properties/runtime/properties/ports/items/properties/protocol': 'PortProtocol',
  '/properties/ingress': 'IngressSpec',
  '/properties/resources': 'ResourcesSpec',
  '/properties/resources/properties/databases/items': 'DatabaseSpec',
  '/properties/resources/properties/caches/items': 'CacheSpec',
  '/properties/resources/properties/topics/items': 'TopicSpec',
  '/properties/resources/properties/subscriptions/items': 'SubscriptionSpec',
  '/properties/resources/properties/buckets/items': 'BucketSpec',
  '/properties/resources/properties/cron/items': 'CronJobSpec',
  '/properties/egress/items': 'EgressEntrySpec',
  '/properties/jobs/items': 'JobSpec',
  '/properties/environments': 'EnvironmentsSpec',
  '/properties/observability': 'ObservabilitySpec',
  '/properties/observability/properties/slo': 'SloSpec',
  '/properties/observability/properties/slo/properties/latency': 'LatencySloSpec',
  '/properties/observability/properties/alerts': 'AlertsSpec',
  '/properties/observability/properties/metrics': 'MetricsSpec',
  '/properties/observability/properties/metrics/properties/convention': 'MetricsConvention',
  '/properties/dataLoss/items': 'DataLossSpec',
  '/properties/overrides': 'OverridesSpec',
  '/properties/retired': 'RetiredSpec',
  '/$defs/environmentName': 'EnvironmentName',
  '/$defs/size': 'SizeName',
  '/$defs/envMap': 'EnvMap',
  '/$defs/computeResources': 'ComputeResourcesSpec',
  '/$defs/scaling': 'ScalingSpec',
  '/$defs/previewEnvironment': 'PreviewEnvironmentSpec',
  '/$defs/environment': 'EnvironmentSpec',
  '/$defs/override': 'OverrideSpec',
  '/$defs/jsonPatchOperation': 'JsonPatchOperation',
};

const platformTypeNames: Readonly<Record<string, string>> = {
  '': 'PlatformSpec',
  '/properties/ingress': 'PlatformIngressSpec',
  '/properties/cloud': 'CloudSpec',
  '/properties/network': 'NetworkSpec',
  '/properties/kubernetes': 'KubernetesSpec',
  '/properties/kubernetes/properties/egress': 'EgressSpec',
  '/properties/kubernetes/properties/egress/properties/allow': 'EgressAllowSpec',
  '/properties/kubernetes/properties/networkPolicy': 'NetworkPolicySpec',
  '/properties/kubernetes/properties/limits': 'ContainerLimitsSpec',
  '/properties/kubernetes/properties/preview': 'PreviewPlatformSpec',
  '/properties/kubernetes/properties/externalSecrets': 'ExternalSecretsOperatorSpec',
  '/properties/terraform': 'TerraformSpec',
  '/properties/network/properties/vpcId/oneOf/1': 'VpcIdsSpec',
  '/properties/network/properties/privateSubnetIds/oneOf/1': 'PrivateSubnetIdsSpec',
  '/properties/terraform/properties/stateBucket/oneOf/1': 'StateBucketsSpec',
  '/properties/terraform/properties/lockTable/oneOf/1': 'LockTablesSpec',
  '/properties/gitops': 'GitopsSpec',
  '/properties/observability': 'PlatformObservabilitySpec',
  '/properties/tiers/additionalProperties': 'TierSpec',
  '/properties/tiers/additionalProperties/properties/minReplicas': 'MinReplicasSpec',
  '/properties/sizes': 'SizesSpec',
  '/properties/sizes/properties/databaseStorageGiB': 'DatabaseStorageSpec',
  '/properties/policy/additionalProperties': 'EnvironmentPolicySpec',
  '/properties/ci': 'CiSpec',
  '/properties/ci/properties/releaseApp': 'ReleaseAppSpec',
  '/properties/output': 'OutputSpec',
  '/properties/scaffold': 'ScaffoldSpec',
  '/properties/resourceTypes/additionalProperties': 'ResourceTypeSpec',
  '/properties/resourceTypes/additionalProperties/properties/standIn': 'ResourceTypeStandInSpec',
  '/properties/overridePolicy': 'OverridePolicySpec',
  '/properties/overridePolicy/properties/kubernetes': 'KubernetesOverridePolicySpec',
  '/properties/overridePolicy/properties/terraform': 'TerraformOverridePolicySpec',
  '/properties/overridePolicy/properties/waivers/items': 'PolicyWaiverSpec',
  '/$defs/environmentName': 'EnvironmentName',
  '/$defs/size': 'SizeName',
};

const releasesTypeNames: Readonly<Record<string, string>> = {
  '': 'ReleasesSpec',
  '/properties/services/additionalProperties': 'ServiceReleasesSpec',
  '/properties/services/additionalProperties/properties/staging': 'ReleaseSpec',
  '/properties/services/additionalProperties/properties/production': 'ReleaseSpec',
};

/** Keywords that only constrain or annotate values, so they do not change the type. */
const ignoredKeywords = new Set([
  '$schema',
  '$id',
  '$defs',
  'title',
  'description',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'allOf',
  'maxProperties',
  'examples',
]);
const typeKeywords = new Set(['$ref', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'oneOf']);

interface Context {
  readonly root: JsonSchema;
  readonly names: Readonly<Record<string, string>>;
  /** Declarations by name, in the order they were first met. */
  readonly declarations: Map<string, string>;
}

export function renderTypes(): string {
  const declarations = new Map<string, string>();
  typeAt({ root: serviceSchema, names: serviceTypeNames, declarations }, serviceSchema, '');
  typeAt({ root: platformSchema, names: platformTypeNames, declarations }, platformSchema, '');
  typeAt({ root: releasesSchema, names: releasesTypeNames, declarations }, releasesSchema, '');
  const header = '// Generated by scripts/generate-spec.ts from spec/*-schema.ts; run npm run spec:generate.\n';
  return `${header}\n${[...declarations.values()].join('\n\n')}\n`;
}

/** The type of the schema at `pointer`: its name if it has one, else an inline type. */
function typeAt(ctx: Context, schema: JsonSchema, pointer: string): string {
  const name = ctx.names[pointer];
  if (name === undefined) return inlineType(ctx, schema, pointer);
  const first = !ctx.declarations.has(name);
  if (first) ctx.declarations.set(name, ''); // reserve the slot so a type precedes the ones it uses
  const doc = schema.description === undefined ? '' : jsDoc({ description: schema.description }, '');
  const text = `${doc}${declaration(ctx, schema, pointer, name)}`;
  // The two schemas share some $defs; a shared name must mean the same type.
  if (!first && ctx.declarations.get(name) !== text) throw new Error(`generate-spec: two different types named ${name}`);
  ctx.declarations.set(name, text);
  return name;
}

function declaration(ctx: Context, schema: JsonSchema, pointer: string, name: string): string {
  if (schema.type !== 'object' || schema.properties === undefined) {
    return `export type ${name} = ${inlineType(ctx, schema, pointer)};`;
  }
  checkKeywords(schema, pointer);
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties).map(([key, property]) => {
    const type = typeAt(ctx, property, `${pointer}/properties/${key}`);
    const annotated = property.$ref === undefined ? property : { ...resolveRef(ctx, property.$ref), ...property };
    const optional = required.has(key) ? '' : '?';
    return `${jsDoc(annotated, '  ')}  readonly ${propertyKey(key)}${optional}: ${type};`;
  });
  return `export interface ${name} {\n${members.join('\n')}\n}`;
}

function inlineType(ctx: Context, schema: JsonSchema, pointer: string): string {
  checkKeywords(schema, pointer);
  if (schema.$ref !== undefined) return typeAt(ctx, resolveRef(ctx, schema.$ref), schema.$ref.slice(1));
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum !== undefined) return schema.enum.map(literal).join(' | ');
  if (schema.oneOf !== undefined) return schema.oneOf.map((branch, i) => typeAt(ctx, branch, `${pointer}/oneOf/${i}`)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      if (schema.items === undefined) throw new Error(`generate-spec: ${pointer} is an array without items`);
      return `readonly ${parenthesize(typeAt(ctx, schema.items, `${pointer}/items`))}[]`;
    case 'object':
      return mapType(ctx, schema, pointer);
    case undefined:
      return 'unknown';
  }
}

/** An object without fixed properties: a map from its property names to its additionalProperties. */
function mapType(ctx: Context, schema: JsonSchema, pointer: string): string {
  if (schema.properties !== undefined) {
    throw new Error(`generate-spec: ${pointer} has properties, so it needs a name in the type-name table`);
  }
  const values = schema.additionalProperties;
  if (values === undefined || values === false) throw new Error(`generate-spec: ${pointer} is a map without a value schema`);
  const value = typeAt(ctx, values, `${pointer}/additionalProperties`);
  const keys = schema.propertyNames ?? {};
  const keySchema = keys.$ref === undefined ? keys : resolveRef(ctx, keys.$ref);
  if (keySchema.enum === undefined) return `Readonly<Record<string, ${value}>>`;
  return `Readonly<Partial<Record<${typeAt(ctx, keys, `${pointer}/propertyNames`)}, ${value}>>>`;
}

function resolveRef(ctx: Context, ref: string): JsonSchema {
  const match = /^#\/\$defs\/([A-Za-z0-9]+)$/.exec(ref);
  const target = match?.[1] === undefined ? undefined : ctx.root.$defs?.[match[1]];
  if (target === undefined) throw new Error(`generate-spec: cannot resolve $ref ${ref}`);
  return target;
}

function checkKeywords(schema: JsonSchema, pointer: string): void {
  for (const keyword of Object.keys(schema)) {
    if (!ignoredKeywords.has(keyword) && !typeKeywords.has(keyword)) {
      throw new Error(`generate-spec: keyword ${keyword} at ${pointer || '/'} has no TypeScript mapping`);
    }
  }
}

function jsDoc(schema: JsonSchema, indent: string): string {
  const lines: string[] = [];
  if (schema.description !== undefined) lines.push(schema.description);
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (lines.length === 0) return '';
  const body = lines.map((line) => `${indent} * ${line.replaceAll('*/', '*\\/')}\n`).join('');
  return `${indent}/**\n${body}${indent} */\n`;
}

function literal(value: JsonValue): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`generate-spec: no literal type for ${JSON.stringify(value)}`);
}

function parenthesize(type: string): string {
  return /^[A-Za-z0-9_]+$/.test(type) ? type : `(${type})`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : literal(key);
}

/**
 * A Markdown table of every key: path, type, default, description. docs/reference/
 * embeds it between `<!-- reference:<name> -->` markers, so the documentation
 * cannot drift from the schema.
 */
export function renderReference(schema: JsonSchema): string {
  const rows: string[] = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  const resolve = (node: JsonSchema): JsonSchema => (node.$ref ? { ...resolveRefIn(schema, node.$ref), ...withoutRef(node) } : node);
  const walk = (node: JsonSchema, path: string, required: boolean): void => {
    const resolved = resolve(node);
    if (path !== '') {
      const fallback = required ? 'required' : '';
      const shown = resolved.default === undefined ? fallback : `\`${JSON.stringify(resolved.default)}\``;
      rows.push(`| \`${path}\` | ${typeName(resolve, resolved)} | ${shown} | ${(resolved.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    for (const [key, child] of Object.entries(resolved.properties ?? {})) {
      walk(child, path === '' ? key : `${path}.${key}`, (resolved.required ?? []).includes(key));
    }
    if (resolved.items) {
      const items = resolve(resolved.items);
      if (items.properties) for (const [key, child] of Object.entries(items.properties)) walk(child, `${path}[].${key}`, (items.required ?? []).includes(key));
    }
    if (resolved.additionalProperties && resolve(resolved.additionalProperties).properties) {
      const values = resolve(resolved.additionalProperties);
      for (const [key, child] of Object.entries(values.properties ?? {})) walk(child, `${path}.<name>.${key}`, (values.required ?? []).includes(key));
    }
  };
  walk(schema, '', false);
  return `${rows.join('\n')}\n`;
}

function resolveRefIn(root: JsonSchema, ref: string): JsonSchema {
  const name = ref.replace(/^#\/\$defs\//, '');
  const target = root.$defs?.[name];
  if (!target) throw new Error(`generate-spec: unresolved ${ref}`);
  return target;
}

function withoutRef(node: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = node;
  return rest;
}

function typeName(resolve: (node: JsonSchema) => JsonSchema, node: JsonSchema): string {
  if (node.oneOf) return node.oneOf.map((branch) => typeName(resolve, resolve(branch))).join(' or ');
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.type === 'array') return `list of ${node.items ? typeName(resolve, resolve(node.items)) : 'values'}`;
  if (node.type === 'object' && !node.properties) return node.additionalProperties ? `map of ${typeName(resolve, resolve(node.additionalProperties))}` : 'map';
  if (node.type === 'object') return 'mapping';
  return node.type ?? 'any';
}

/** Replaces the text between a reference's markers in a Markdown file (`file` names it in the error). */
export function embedReference(readme: string, name: string, table: string, file = 'README.md'): string {
  const start = `<!-- reference:${name} -->\n`;
  const end = `<!-- /reference:${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`generate-spec: ${file} lacks the ${start.trim()} … ${end} markers`);
  return readme.slice(0, from + start.length) + table + readme.slice(to);
}

/** Each Markdown file with generated blocks, and the blocks by marker name. */
export function generatedDocs(): ReadonlyArray<{ readonly path: string; readonly blocks: ReadonlyArray<readonly [string, string]> }> {
  return [
    { path: 'docs/reference/service.md', blocks: [['service', renderReference(serviceSchema)]] },
    { path: 'docs/reference/platform.md', blocks: [['platform', renderReference(platformSchema)]] },
    { path: 'docs/reference/releases.md', blocks: [['releases', renderReference(releasesSchema)]] },
    { path: 'docs/cli.md', blocks: [['cli', renderCliReference()]] },
  ];
}

/** A file's text with each of its generated blocks replaced by what the sources give now. */
export function regenerateDoc(path: string, text: string): string {
  const doc = generatedDocs().find((d) => d.path === path);
  if (doc === undefined) throw new Error(`generate-spec: ${path} has no generated blocks`);
  return doc.blocks.reduce((current, [name, block]) => embedReference(current, name, block, path), text);
}

/** The nearest folder above this file with a package.json: the repo root from src or dist alike. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('generate-spec: no package.json above this script');
    dir = parent;
  }
  return dir;
}

function main(): void {
  const root = repoRoot();
  const outputs: ReadonlyArray<readonly [string, string]> = [
    ['spec/service.schema.json', renderSchemaJson(serviceSchema)],
    ['spec/platform.schema.json', renderSchemaJson(platformSchema)],
    ['spec/releases.schema.json', renderSchemaJson(releasesSchema)],
    ['spec/types.ts', renderTypes()],
  ];
  for (const [path, contents] of outputs) {
    writeFileSync(join(root, path), contents);
    process.stdout.write(`wrote ${path}\n`);
  }
  for (const { path } of generatedDocs()) {
    writeFileSync(join(root, path), regenerateDoc(path, readFileSync(join(root, path), 'utf8')));
    process.stdout.write(`wrote ${path} (generated blocks)\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
