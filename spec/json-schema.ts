/** A JSON value, as found in a schema's `default` or `const`. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The subset of JSON Schema draft 2020-12 that paved's schemas use. Keeping it
 * closed means a keyword that scripts/generate-spec.ts cannot turn into a type is
 * a compile error here first.
 */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly title?: string;
  readonly description?: string;
  readonly default?: JsonValue;
  /** Sample values, for editors and the README. */
  readonly examples?: readonly JsonValue[];

  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly const?: JsonValue;
  readonly enum?: readonly string[];

  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: false | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly maxProperties?: number;

  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;

  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;

  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;

  /** Alternatives of different types, e.g. one value or a map per environment; the type is their union. */
  readonly anyOf?: readonly JsonSchema[];

  /** Only for conditional requirements (`if` / `then: { required }`); they do not change the type. */
  readonly allOf?: readonly JsonSchema[];
  readonly if?: JsonSchema;
  readonly then?: JsonSchema;
}
