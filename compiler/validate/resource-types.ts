import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import type { JsonSchema } from '../../spec/json-schema.js';
import { resourceName, renamedFrom } from '../../spec/service-schema.js';
import type { PlatformSpec, ResourceTypeSpec } from '../../spec/types.js';
import { didYouMean } from '../diagnostics.js';
import { locate, pointerJoin } from '../positions.js';
import type { SourceFile } from '../source.js';
import { schemaErrorDiagnostics } from './schema.js';
import { showString } from './text.js';

/**
 * Platform resource types (platform.yaml `resourceTypes`, docs/resource-types.md):
 * the checks of the type definitions and of the entries services write under
 * `resources.<type>`. A type's `inputs` is a JSON Schema the platform team
 * writes, so it is compiled here at run time; ajv's compiler is loaded only when
 * a platform declares a type, so the common path never pays for it (the
 * built-in schemas use the validators `npm run build` generated).
 */

/** The `resources` keys paved defines itself. */
export const BUILT_IN_RESOURCE_KINDS: readonly string[] = ['databases', 'caches', 'topics', 'subscriptions', 'buckets', 'cron'];

/**
 * Names a type may not take: the built-in lists, the connection kinds (their
 * secrets, Kubernetes Secrets and variables are `<kind>-<name>` and `<KIND>_…`),
 * declared secrets' `secret-` objects and the `service` of dataLoss.
 */
const RESERVED_TYPE_NAMES: readonly string[] = [...BUILT_IN_RESOURCE_KINDS, 'database', 'cache', 'topic', 'queue', 'bucket', 'secret', 'service', 'job'];

/** The module variables paved sets on every entry; no input may take one of these names, nor a module block's meta-arguments. */
export const MODULE_INTERFACE: readonly string[] = ['name', 'service', 'environment', 'kms_key_arn', 'subnet_ids', 'security_group_ids', 'tags'];
const MODULE_META_ARGUMENTS: readonly string[] = ['source', 'version', 'count', 'for_each', 'providers', 'depends_on', 'lifecycle'];

/** The output a module exports its policy document in, when its type says `iamPolicy: true`. */
export const IAM_POLICY_OUTPUT = 'iam_policy_json';

/** What the loader found in a local module's folder (compiler/load.ts loadModules). */
export interface ModuleFolder {
  /** The folder exists inside the repository and holds at least one `.tf` file. */
  readonly found: boolean;
  /** Why not, when not found: `does not exist`, `holds no .tf file`, `leaves the repository`. */
  readonly problem?: string;
  readonly variables: readonly string[];
  readonly outputs: readonly string[];
}

/** Local module folders by their path from the root; absent when the specs came from memory (another revision), so the folders are not checked. */
export type ModuleFolders = ReadonlyMap<string, ModuleFolder>;

/** Whether a type's module is a folder of the repository: a registry source always has a version constraint. */
export function isLocalModule(type: Pick<ResourceTypeSpec, 'version'>): boolean {
  return (type.version ?? '') === '';
}

/** The local module paths a platform.yaml names, for the loader. */
export function localModulePaths(platformData: unknown): string[] {
  const types = (platformData as { resourceTypes?: unknown } | undefined)?.resourceTypes;
  if (typeof types !== 'object' || types === null || Array.isArray(types)) return [];
  return Object.values(types as Record<string, Partial<ResourceTypeSpec>>)
    .filter((t) => typeof t === 'object' && t !== null && typeof t.module === 'string' && isLocalModule(t))
    .map((t) => t.module!);
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction | string>();

/** ajv for the platform's schemas, created on first use; `useDefaults` fills in the defaults resolve passes on. */
function typeAjv(): Ajv2020 {
  if (!ajv) {
    const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true, useDefaults: true });
  }
  return ajv;
}

/** A type's inputs schema compiled, or ajv's complaint about it; compiled once per distinct schema. */
export function compileInputs(schema: unknown): ValidateFunction | string {
  const key = JSON.stringify(schema);
  let result = compiled.get(key);
  if (result === undefined) {
    try {
      result = typeAjv().compile(schema as object);
    } catch (error) {
      result = error instanceof Error ? error.message : String(error);
    }
    compiled.set(key, result);
  }
  return result;
}

/** A service's inputs for one entry with the type's defaults applied, keys sorted; the entry was validated. */
export function inputsWithDefaults(type: ResourceTypeSpec, entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const inputs = structuredClone(inputsOf(entry));
  const validate = compileInputs(type.inputs ?? CLOSED);
  if (typeof validate !== 'string') validate(inputs);
  return Object.fromEntries(
    Object.keys(inputs)
      .sort(compare)
      .map((key) => [key, inputs[key]]),
  );
}

const CLOSED = { type: 'object', additionalProperties: false };
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function inputsOf(entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { name: _name, renamedFrom: _renamedFrom, ...inputs } = entry;
  return inputs;
}

/** The type definitions of a platform.yaml: names, inputs schemas, modules. */
export function checkResourceTypes(file: SourceFile, platform: PlatformSpec, modules: ModuleFolders | undefined): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [name, type] of Object.entries(platform.resourceTypes ?? {})) {
    const at = `/resourceTypes/${name}`;
    const base = { severity: 'error' as const, file: file.path };
    if (RESERVED_TYPE_NAMES.includes(name)) {
      diagnostics.push({
        ...base,
        code: 'SPEC.RESOURCE_TYPE_NAME',
        message: `resourceTypes.${name}: the name ${showString(name)} belongs to a built-in resource kind`,
        hint: `rename the type, e.g. "${name}-${name.endsWith('s') ? 'custom' : 'x'}"; taken: ${RESERVED_TYPE_NAMES.join(', ')}`,
        range: locate(file, at, { key: true }),
        pointer: at,
      });
    }
    diagnostics.push(...checkInputsSchema(file, name, type), ...checkModule(file, name, type, modules));
  }
  return diagnostics;
}

function checkInputsSchema(file: SourceFile, name: string, type: ResourceTypeSpec): Diagnostic[] {
  if (type.inputs === undefined) return [];
  const at = `/resourceTypes/${name}/inputs`;
  const problem = (message: string, pointer = at, hint?: string): Diagnostic => ({
    severity: 'error',
    file: file.path,
    code: 'SPEC.RESOURCE_TYPE_SCHEMA',
    message: `resourceTypes.${name}.inputs: ${message}`,
    ...(hint ? { hint } : {}),
    range: locate(file, pointer),
    pointer,
  });
  const schema = type.inputs as JsonSchema & { additionalProperties?: unknown };
  // Against the draft 2020-12 meta-schema first, so a mistake is pointed at where it is written.
  if (!typeAjv().validateSchema(schema)) {
    const errors = (typeAjv().errors ?? []).filter((e, i, all) => all.findIndex((o) => o.instancePath === e.instancePath) === i);
    return errors.map((e) =>
      problem(
        `is not a valid JSON Schema (draft 2020-12): ${e.instancePath === '' ? 'the schema' : e.instancePath.slice(1).replace(/\//g, '.')} ${e.message ?? 'is invalid'}${e.keyword === 'enum' ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})` : ''}`,
        `${at}${e.instancePath}`,
        'see https://json-schema.org/draft/2020-12 for the keywords; paved checks the schema as ajv does, in strict mode',
      ),
    );
  }
  const compiledSchema = compileInputs(schema);
  if (typeof compiledSchema === 'string')
    return [
      problem(
        `is not a valid JSON Schema (draft 2020-12): ${compiledSchema}`,
        at,
        'paved compiles the schema with ajv in strict mode: unknown keywords and formats are errors',
      ),
    ];
  const found: Diagnostic[] = [];
  if (schema.type !== 'object') found.push(problem('must be a schema of type object: an entry is a mapping', at, 'write type: object'));
  if (schema.additionalProperties !== false)
    found.push(
      problem(
        'must say additionalProperties: false, so a misspelled input is an error with a suggestion instead of a value the module never reads',
        at,
        'add additionalProperties: false and list every input under properties',
      ),
    );
  for (const key of Object.keys(schema.properties ?? {})) {
    const pointer = pointerJoin(pointerJoin(at, 'properties'), key);
    if (!/^[a-z][a-z0-9_]*$/.test(key))
      found.push(problem(`input ${showString(key)} must be a module variable name: lowercase letters, digits and "_"`, pointer, 'e.g. "instance_count"'));
    else if ([...MODULE_INTERFACE, ...MODULE_META_ARGUMENTS, 'renamed_from'].includes(key))
      found.push(
        problem(
          `input ${showString(key)} is a name paved sets itself or a module meta-argument`,
          pointer,
          `rename it; paved passes ${MODULE_INTERFACE.join(', ')}`,
        ),
      );
  }
  // Defaults reach the module as written: each must be valid against the schema, or a service leaving the input out gets a value the platform forbids.
  const defaults = Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([, p]) => typeof p === 'object' && p !== null && 'default' in p)
      .map(([key, p]) => [key, (p as { default: unknown }).default]),
  );
  const { required: _required, ...optional } = schema as JsonSchema & { required?: unknown };
  const checkDefaults = compileInputs(optional);
  if (typeof checkDefaults !== 'string' && !checkDefaults(structuredClone(defaults)))
    found.push(
      problem(`the defaults are not valid against the schema: ${(checkDefaults.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`),
    );
  return found;
}

function checkModule(file: SourceFile, name: string, type: ResourceTypeSpec, modules: ModuleFolders | undefined): Diagnostic[] {
  const at = `/resourceTypes/${name}/module`;
  const problem = (message: string, hint: string, pointer = at): Diagnostic => ({
    severity: 'error',
    file: file.path,
    code: 'SPEC.RESOURCE_TYPE_MODULE',
    message: `resourceTypes.${name}.module: ${message}`,
    hint,
    range: locate(file, pointer),
    pointer,
  });
  if (!isLocalModule(type)) {
    return /^([a-z0-9][-a-z0-9.]*[a-z0-9]\/)?[A-Za-z0-9][-A-Za-z0-9_]*\/[A-Za-z0-9][-A-Za-z0-9_]*\/[a-z0-9]+$/.test(type.module)
      ? []
      : [
          problem(
            `${showString(type.module)} is not a registry source (namespace/name/provider, optionally after a host), though version is set`,
            'for a module in the repository, remove version; for a registry module, write its source, e.g. "terraform-aws-modules/rds/aws"',
          ),
        ];
  }
  const folder = modules?.get(type.module);
  if (modules === undefined || folder === undefined) return [];
  if (!folder.found)
    return [
      problem(
        `the module folder ${showString(type.module)} ${folder.problem ?? 'does not exist'}`,
        'write the path of the module folder from the repository root (e.g. platform/modules/documentdb), or set version for a registry module',
      ),
    ];
  const found: Diagnostic[] = [];
  const passed = [...MODULE_INTERFACE, ...Object.keys((type.inputs as JsonSchema | undefined)?.properties ?? {})];
  const undeclared = passed.filter((v) => !folder.variables.includes(v));
  if (undeclared.length > 0)
    found.push(
      problem(
        `the module at ${showString(type.module)} declares no variable ${undeclared.map((v) => `"${v}"`).join(', ')}, which paved passes`,
        `add a variable block for each: paved passes ${MODULE_INTERFACE.join(', ')} and every input`,
      ),
    );
  (type.connection ?? []).forEach((output, i) => {
    if (!folder.outputs.includes(output)) {
      const suggestion = didYouMean(output, folder.outputs);
      found.push(
        problem(
          `connection output ${showString(output)} is not an output of the module at ${showString(type.module)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          folder.outputs.length > 0 ? `its outputs: ${folder.outputs.join(', ')}` : 'the module declares no output',
          `/resourceTypes/${name}/connection/${i}`,
        ),
      );
    }
  });
  const exports = folder.outputs.includes(IAM_POLICY_OUTPUT);
  if (exports !== (type.iamPolicy ?? false))
    found.push(
      problem(
        exports
          ? `the module at ${showString(type.module)} exports ${IAM_POLICY_OUTPUT}, but the type does not say iamPolicy: true, so the service's role would not get it`
          : `iamPolicy: true, but the module at ${showString(type.module)} exports no ${IAM_POLICY_OUTPUT}`,
        exports ? 'add iamPolicy: true to the type' : `add an output "${IAM_POLICY_OUTPUT}" to the module, or remove iamPolicy`,
        `/resourceTypes/${name}`,
      ),
    );
  return found;
}

/**
 * The service's `resources` without the platform's types, for the built-in
 * schema, and the diagnostics of the typed entries: the list's shape, each
 * entry's name, and its inputs against the type's schema, positioned and with
 * did-you-mean as any schema error.
 */
export function checkTypedEntries(
  file: SourceFile,
  data: unknown,
  types: Readonly<Record<string, ResourceTypeSpec | undefined>>,
): { data: unknown; diagnostics: Diagnostic[] } {
  const resources = (data as { resources?: unknown } | undefined)?.resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) return { data, diagnostics: [] };
  const builtIn: Record<string, unknown> = {};
  const diagnostics: Diagnostic[] = [];
  for (const [key, value] of Object.entries(resources as Record<string, unknown>)) {
    if (!Object.hasOwn(types, key) || BUILT_IN_RESOURCE_KINDS.includes(key)) {
      builtIn[key] = value;
      continue;
    }
    const type = types[key];
    if (type === undefined) continue;
    const listPointer = `/resources/${key}`;
    const shape = compileInputs(entryListSchema(key));
    if (typeof shape === 'string') throw new Error(`resource types: entry schema of ${key}: ${shape}`);
    if (!shape(value)) diagnostics.push(...schemaErrorDiagnostics(file, prefixed(shape.errors ?? [], listPointer)));
    const validate = compileInputs(type.inputs ?? CLOSED);
    if (typeof validate === 'string' || !Array.isArray(value)) continue; // a bad schema is reported on the platform
    // Every entry's inputs, also beside an entry that lacks its name: all errors in one pass.
    value.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return;
      if (!validate(structuredClone(inputsOf(entry as Record<string, unknown>))))
        diagnostics.push(...schemaErrorDiagnostics(file, prefixed(validate.errors ?? [], `${listPointer}/${i}`)));
    });
  }
  return { data: { ...(data as object), resources: builtIn }, diagnostics };
}

function entryListSchema(type: string): JsonSchema {
  return {
    type: 'array',
    maxItems: 20,
    items: {
      type: 'object',
      required: ['name'],
      properties: { name: resourceName(type), renamedFrom: renamedFrom(type) },
    },
  };
}

function prefixed(errors: readonly ErrorObject[], prefix: string): ErrorObject[] {
  return errors.map((e) => ({ ...e, instancePath: `${prefix}${e.instancePath}` }));
}

/** A `resources` key that is neither built in nor a platform type: the error lists the platform's types, with a suggestion. */
export function unknownResourceKind(file: SourceFile, diagnostic: Diagnostic, types: readonly string[]): Diagnostic {
  const key = diagnostic.pointer!.slice('/resources/'.length).replace(/~1/g, '/').replace(/~0/g, '~');
  const suggestion = didYouMean(key, [...BUILT_IN_RESOURCE_KINDS, ...types]);
  return {
    ...diagnostic,
    code: 'SPEC.UNKNOWN_RESOURCE_TYPE',
    message: `resources: ${showString(key)} is neither a built-in resource kind nor one of the platform's resource types${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
    hint: `${suggestion ? `rename it to "${suggestion}"; ` : ''}built in: ${BUILT_IN_RESOURCE_KINDS.join(', ')}; the platform's types: ${types.length > 0 ? types.join(', ') : 'none (platform.yaml resourceTypes declares them)'}`,
    range: diagnostic.range ?? locate(file, diagnostic.pointer!, { key: true }),
  };
}
