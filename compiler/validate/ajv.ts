import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { platformSchema, releasesSchema, serviceSchema } from '../../spec/index.js';
import type { SourceFile } from '../source.js';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../../spec/code-cache.js';
import { shipped } from '../../spec/code-root.js';

export type Validators = Readonly<Record<SourceFile['kind'], ValidateFunction>>;

export const SCHEMAS = { service: serviceSchema, platform: platformSchema, releases: releasesSchema } as const;

/**
 * The one ajv configuration, for the build-time standalone code and the runtime
 * fallback alike, and the lazy accessor for any schema compiled at run time.
 * The compiler is required on first use only: a compile runs the prebuilt
 * validators, and loading ajv's compiler cost ~50 ms of every start.
 */
export function newAjv(options: { source?: boolean } = {}): Ajv2020 {
  const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true, ...(options.source ? { code: { source: true } } : {}) });
}

export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify(SCHEMAS)).digest('hex');
}

let loaded: Validators | undefined;
let source: 'prebuilt' | 'compiled' | undefined;

/**
 * The validators: the standalone module `npm run build` generated when it
 * matches the current schemas, otherwise compiled now (tests running the
 * TypeScript sources, or a stale build).
 */
export function validators(): Validators {
  if (!loaded) {
    const built = prebuilt();
    source = built ? 'prebuilt' : 'compiled';
    loaded = built ?? compileNow();
  }
  return loaded;
}

/** Which validators this process uses; for tests of the build. */
export function validatorSource(): 'prebuilt' | 'compiled' {
  validators();
  return source!;
}

/** Loaded with its code cache (spec/code-cache.ts): the validators are large functions, and a compile runs them first thing. */
function prebuilt(): Validators | undefined {
  try {
    const module = loadBundle(fileURLToPath(shipped('spec/validators.cjs'))) as Validators & { schemaHash?: string };
    return module.schemaHash === schemaHash() ? { service: module.service, platform: module.platform, releases: module.releases } : undefined;
  } catch {
    return undefined;
  }
}

function compileNow(): Validators {
  const ajv = newAjv();
  return { service: ajv.compile(serviceSchema), platform: ajv.compile(platformSchema), releases: ajv.compile(releasesSchema) };
}
