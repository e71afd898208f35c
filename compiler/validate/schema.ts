import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { didYouMean } from '../diagnostics.js';
import { locate, pointerJoin, specPath } from '../positions.js';
import type { SourceFile } from '../source.js';
import { validators } from './ajv.js';
import { describeValue, showString } from './text.js';

/** Known patterns, explained in words instead of as a regular expression, with a hint where one helps. */
const PATTERN_TEXT: ReadonlyArray<readonly [RegExp, string, string?]> = [
  [/^\^\[a-z\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\$$/, 'must be a DNS label: lowercase letters, digits and "-", starting with a letter and not ending with "-"'],
  [/^\^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$$/, 'must be an environment variable name: letters, digits and "_", not starting with a digit', 'e.g. "LOG_LEVEL"'],
  [
    /^\^\(\?=\.\*\[a-z\]\)/,
    'must be a port name (IANA_SVC_NAME): lowercase letters, digits and single "-", with a letter, not starting or ending with "-"',
    'e.g. "admin" or "grpc-api"',
  ],
  [/^\^\[0-9\]\{12\}\$$/, 'must be a 12-digit AWS account id, quoted', 'write all 12 digits in quotes, leading zeros included, e.g. "012345678901"'],
  [/^\^\(\?!\/\)\[/, 'must be a relative path (no leading "/") of letters, digits and "-_./"', 'e.g. "." or "docker/Dockerfile"'],
  [
    /^\^\(\?!\/\)\(\?!/,
    'must be a relative path inside the repository: no leading "/", no ".." segment',
    'write a path relative to the repository root without ".." segments; paved writes only inside the repository',
  ],
  [/^\^\[a-z\]\{2\}\(-\[a-z\]\+\)\+-\[0-9\]\+\$$/, 'must be an AWS region', 'e.g. "eu-west-1"'],
  [
    /^\^\(\?!latest\$\)/,
    'must be an image tag other than "latest": up to 128 letters, digits, "_", "." and "-"',
    'use the commit SHA CI built the image from, quoted if it could read as a number',
  ],
  [/^\^sha256:/, 'must be an image digest: "sha256:" and 64 lowercase hex digits', 'copy the digest the registry printed for the pushed image'],
  [/^\^\(\[a-z0-9\]\{8,16\}\)\?\$$/, 'must be 8 to 16 lowercase letters and digits, or empty', 'e.g. the output of `openssl rand -hex 4`'],
  [
    /^\^\(\?!GITHUB_\)/,
    'must be the name of an Actions secret: letters, digits and "_", not starting with a digit or "GITHUB_"',
    'name the secret that holds the release token, e.g. "PAVED_RELEASE_TOKEN"',
  ],
  [
    /^\^service\$\|/,
    'must name a resource of the service: databases.<name>, caches.<name>, topics.<name>, buckets.<name>, secrets.<NAME>, subscriptions.<from>.<topic>, <type>.<name> of a platform resource type, or service',
    'e.g. "databases.orders"',
  ],
  [/^\^\[\^\\n\\r\]\*\$$/, 'must be one line: no line break', 'write it on one line; say more in the pull request'],
  [
    /@sha256:\[a-f0-9\]\{64\}\$$/,
    'must be an image pinned by digest: registry/repository:tag@sha256: and 64 lowercase hex digits',
    'e.g. "docker.io/library/mongo:7.0.14@sha256:<the digest the registry printed>"',
  ],
  [
    /\+:\(\?!latest/,
    'must be an image with a pinned tag other than "latest" (registry/repository:tag, optionally @sha256:digest)',
    'e.g. "docker.io/library/redis:7.4.1"',
  ],
];

/** Checks a file against its JSON Schema; every error, positioned, in one pass. */
export function checkSchema(file: SourceFile, data: unknown = file.data): Diagnostic[] {
  const validate = validators()[file.kind];
  if (validate(data)) return [];
  return schemaErrorDiagnostics(file, validate.errors ?? []);
}

/** ajv's errors for a file (instance paths from its root) as positioned diagnostics, one per mistake: the platform's resource types reuse it. */
export function schemaErrorDiagnostics(file: SourceFile, all: readonly ErrorObject[]): Diagnostic[] {
  const errors = oneOfBranchErrors(all).filter((e) => !isNoise(e));
  // A value of the wrong type fails its other keywords too; the type error says it all.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'type' || !mistyped.has(e.instancePath)).map((error) => toDiagnostic(file, error));
}

/**
 * A `oneOf` whose branches differ by type (a string or a map): only the branch
 * of the value's type speaks. When no branch has its type, one type error names
 * them all ("must be a string or a mapping, not a number").
 */
function oneOfBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  let kept = [...errors];
  for (const oneOf of errors.filter((e) => e.keyword === 'oneOf')) {
    const branches = (oneOf.schema ?? []) as ReadonlyArray<{ type?: string }>;
    const matching = branches
      .map((b, i) => (jsonType(oneOf.data) === b.type || (b.type === 'integer' && Number.isInteger(oneOf.data)) ? i : -1))
      .filter((i) => i >= 0);
    const inBranch = (e: ErrorObject, i: number): boolean => e.schemaPath.startsWith(`${oneOf.schemaPath}/${i}/`);
    const others = branches.map((_, i) => i).filter((i) => !matching.includes(i));
    kept = kept.filter((e) => !others.some((i) => inBranch(e, i)));
    if (matching.length === 0) kept.push({ ...oneOf, keyword: 'type', params: { type: branches.map((b) => b.type).join(',') } });
  }
  return kept;
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
}

/** Branch errors of `if`/`anyOf` repeat what their subschemas already said. */
function isNoise(error: ErrorObject): boolean {
  if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'not') return true;
  // A bad key name is reported once, by the propertyNames error that names the key.
  return error.schemaPath.includes('/propertyNames/');
}

function toDiagnostic(file: SourceFile, error: ErrorObject): Diagnostic {
  const pointer = error.instancePath;
  const where = specPath(pointer);
  const prefix = where === '' ? '' : `${where}: `;
  const base = { severity: 'error' as const, file: file.path };
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as { properties?: Record<string, unknown>; enum?: unknown[] } | undefined;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const keyPointer = pointerJoin(pointer, key);
      const known = Object.keys(schema?.properties ?? {});
      const suggestion = didYouMean(key, known);
      const message =
        key === '<<'
          ? `${prefix}merge key "<<" is not allowed`
          : `${prefix}unknown key ${showString(key)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      const hint = suggestion ? `rename it to "${suggestion}"` : known.length > 0 ? `allowed keys here: ${known.join(', ')}` : 'remove it';
      return { ...base, code: 'SPEC.UNKNOWN_KEY', message, hint, range: locate(file, keyPointer, { key: true }), pointer: keyPointer };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        ...base,
        code: 'SPEC.REQUIRED',
        message: `${prefix}missing required key "${key}"`,
        hint: `add "${key}"${where === '' ? '' : ` under ${where}`}`,
        range: locate(file, pointer),
        pointer: pointerJoin(pointer, key),
      };
    }
    case 'type': {
      const expected = String(params.type);
      const value = error.data;
      return {
        ...base,
        code: 'SPEC.TYPE',
        message: `${prefix}must be ${expected.split(',').map(article).join(' or ')}, not ${describeValue(value)}`,
        hint: typeHint(expected, value, pointer),
        range: locate(file, pointer),
        pointer,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return {
        ...base,
        code: 'SPEC.ENUM',
        message: `${prefix}must be one of ${allowed.join(', ')}, not ${describeValue(error.data)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        hint: suggestion
          ? `write "${suggestion}"`
          : allowed.length === 1
            ? `paved supports only ${allowed[0]} here for now`
            : `choose one of ${allowed.join(', ')}`,
        range: locate(file, pointer),
        pointer,
      };
    }
    case 'const':
      return {
        ...base,
        code: 'SPEC.CONST',
        message: `${prefix}must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(error.data)}`,
        hint: `write ${JSON.stringify(params.allowedValue)}`,
        range: locate(file, pointer),
        pointer,
      };
    case 'pattern': {
      const value = String(error.data);
      const nonAscii = [...value].find((c) => c.charCodeAt(0) > 0x7e);
      if (nonAscii) {
        const codePoint = `U+${nonAscii.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
        return {
          ...base,
          code: 'SPEC.NON_ASCII',
          message: `${prefix}contains the non-ASCII character ${codePoint}; names must be plain ASCII`,
          hint: 'retype the name: a look-alike letter from another alphabet (a confusable) can hide here',
          range: locate(file, pointer),
          pointer,
        };
      }
      const known = PATTERN_TEXT.find(([re]) => re.test(String(params.pattern)));
      const text = known?.[1] ?? `must match ${String(params.pattern)}`;
      return {
        ...base,
        code: 'SPEC.PATTERN',
        message: `${prefix}${showString(value)} ${text.replace(/^must/, 'is invalid: it must')}`,
        hint: patternHint(value, String(params.pattern)) ?? known?.[2],
        range: locate(file, pointer),
        pointer,
      };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      const keyPointer = pointerJoin(pointer, key);
      const nonAscii = [...key].find((c) => c.charCodeAt(0) > 0x7e);
      if (nonAscii) {
        const codePoint = `U+${nonAscii.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
        return {
          ...base,
          code: 'SPEC.NON_ASCII',
          message: `${prefix}key ${showString(key)} contains the non-ASCII character ${codePoint}; names must be plain ASCII`,
          hint: 'retype the name: a look-alike letter from another alphabet (a confusable) can hide here',
          range: locate(file, keyPointer, { key: true }),
          pointer: keyPointer,
        };
      }
      return {
        ...base,
        code: 'SPEC.KEY_NAME',
        message: `${prefix}key ${showString(key)} is not allowed here`,
        hint: keyHint(error),
        range: locate(file, keyPointer, { key: true }),
        pointer: keyPointer,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const comparison = { minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<' }[error.keyword];
      return {
        ...base,
        code: 'SPEC.RANGE',
        message: `${prefix}must be ${comparison} ${String(params.limit)}, not ${describeValue(error.data)}`,
        hint: `use a value ${comparison} ${String(params.limit)}`,
        range: locate(file, pointer),
        pointer,
      };
    }
    case 'minLength':
    case 'maxLength':
      return {
        ...base,
        code: 'SPEC.LENGTH',
        message: `${prefix}must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters, not ${String(error.data).length}`,
        hint: error.keyword === 'maxLength' ? 'shorten it; derived cloud names need the room' : undefined,
        range: locate(file, pointer),
        pointer,
      };
    case 'minItems':
    case 'maxItems':
      return {
        ...base,
        code: 'SPEC.LENGTH',
        message: `${prefix}must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        range: locate(file, pointer),
        pointer,
      };
    case 'uniqueItems':
      return {
        ...base,
        code: 'SPEC.DUPLICATE',
        message: `${prefix}items ${String(params.j)} and ${String(params.i)} are the same`,
        hint: 'remove the duplicate',
        range: locate(file, pointerJoin(pointer, Number(params.i))),
        pointer,
      };
    default:
      return { ...base, code: 'SPEC.INVALID', message: `${prefix}${error.message ?? 'is invalid'}`, range: locate(file, pointer), pointer };
  }
}

/** For names, a corrected spelling to copy. */
function patternHint(value: string, pattern: string): string | undefined {
  if (!PATTERN_TEXT[0]![0].test(pattern)) return undefined;
  // Names are short; clipping first keeps `-+$` from rescanning a huge run of "-" from every start.
  const fixed = value
    .slice(0, 64)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .replace(/-{2,}/g, '-');
  return fixed !== '' && fixed !== value ? `e.g. "${fixed}"` : 'e.g. "orders" or "payment-api"';
}

function article(type: string): string {
  const name = type === 'integer' ? 'integer' : type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

function typeHint(expected: string, value: unknown, pointer: string): string | undefined {
  if (expected.includes('boolean') && typeof value === 'string' && /^(y|yes|n|no|on|off|true|false)$/i.test(value)) {
    return 'write true or false: YAML 1.2 reads yes/no/on/off as strings';
  }
  if (expected.includes('string') && typeof value === 'number')
    return `quote the value ("${String(value)}"): unquoted, YAML reads it as a number${/\./.test(String(value)) ? ' and drops trailing zeros' : ''}`;
  if (expected.includes('array') && typeof value === 'string' && /\/command$/.test(pointer))
    return 'write the command as a list of arguments, e.g. ["node", "dist/server.js"]; paved never runs a shell string';
  if (expected.includes('array') && typeof value === 'string') return 'write a list: [a, b]';
  if ((expected === 'integer' || expected === 'number') && typeof value === 'string') return 'remove the quotes';
  return undefined;
}

function keyHint(error: ErrorObject): string | undefined {
  const names = (error.parentSchema as { propertyNames?: { pattern?: string; enum?: unknown[] } } | undefined)?.propertyNames;
  if (names?.enum) return `allowed keys: ${names.enum.join(', ')}`;
  const text = PATTERN_TEXT.find(([re]) => re.test(String(names?.pattern)))?.[1];
  return text ? `a key ${text.replace(/^must/, 'must')}` : names?.pattern ? `keys must match ${names.pattern}` : undefined;
}
