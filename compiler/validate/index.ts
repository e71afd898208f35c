import { checkEgress, checkPlatformEgress } from './egress.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { defaultPlatform } from '../../spec/index.js';
import type { PlatformSpec, ReleasesSpec, ResourceTypeSpec, ServiceSpec } from '../../spec/types.js';
import { hasErrors } from '../diagnostics.js';
import { parseSource } from '../parse.js';
import type { SourceFile } from '../source.js';
import { checkBounds } from './bounds.js';
import { checkClaims } from './claims.js';
import { checkDatabases, checkDatabaseStorageBounds } from './databases.js';
import { checkServiceFolder } from './folder.js';
import { checkOutputDirectories, outputDirProblem } from './output-dirs.js';
import { checkPlatformChoices } from './platform-choices.js';
import { checkPlatformWaivers } from './policy-waivers.js';
import { checkRenames } from './renames.js';
import { checkPlatformPolicy, checkPlatformRoot, checkReleases, checkRules, type ServiceInput } from './rules.js';
import { scanScalars } from './scan.js';
import { checkResourceTypes, checkTypedEntries, unknownResourceKind, type ModuleFolders } from './resource-types.js';
import { checkSchema } from './schema.js';
import { checkPlatformTerraform } from './terraform.js';
import { showString } from './text.js';
import { append } from '../../spec/append.js';

export interface ValidProject {
  /** The platform.yaml deep-merged over the embedded default. */
  readonly platform: PlatformSpec;
  readonly platformFile?: SourceFile;
  readonly services: readonly ServiceInput[];
  /** The images CI released, by service and environment. */
  readonly releases: ReleasesSpec;
  readonly releasesFile?: SourceFile;
}

export interface Validation {
  readonly diagnostics: readonly Diagnostic[];
  /** Present only when there is no error. */
  readonly valid?: ValidProject;
}

/**
 * Schema first (every file, every error), then the rules across services.
 * Never throws for a user's mistake.
 */
export function validateProject(
  platformFile: SourceFile | undefined,
  serviceFiles: readonly SourceFile[],
  options: { loadFailed: boolean; outDir?: string; releasesFile?: SourceFile; modules?: ModuleFolders },
): Validation {
  const diagnostics: Diagnostic[] = [];
  const outProblem = options.outDir === undefined ? undefined : outputDirProblem(options.outDir);
  if (outProblem !== undefined) {
    diagnostics.push({
      code: 'CLI.BAD_OUT',
      severity: 'error',
      message: `--out ${showString(options.outDir!)} must be a relative directory inside the repository: it ${outProblem}`,
      hint: 'e.g. --out generated',
    });
  }
  if (serviceFiles.length === 0 && !options.loadFailed) {
    diagnostics.push({
      code: 'LOAD.NO_SERVICES',
      severity: 'error',
      message: 'no service.yaml found under the root',
      hint: 'run "paved init <dir> --name <service>" to create one, or point --root at your repository',
    });
  }
  const releasesFile = options.releasesFile;
  const platformChecked = platformFile ? checkFile(platformFile) : [];
  diagnostics.push(...platformChecked);
  // Services are checked against the platform's resource types only when the platform's own schema passed.
  const declared = (platformFile?.data as { resourceTypes?: unknown } | undefined)?.resourceTypes;
  // A broken platform.yaml is reported on its own; its types' entries are then left unchecked rather than called unknown.
  const types: ServiceTypes = hasErrors(platformChecked)
    ? { types: Object.fromEntries(Object.keys(typeof declared === 'object' && declared !== null ? declared : {}).map((name) => [name, undefined])) }
    : { types: mergeOverDefault(platformFile?.data ?? {}).resourceTypes ?? {} };
  for (const file of [...(releasesFile ? [releasesFile] : []), ...serviceFiles]) append(diagnostics, checkFile(file, types));
  if (hasErrors(diagnostics) || options.loadFailed) return { diagnostics };

  const platform = mergeOverDefault((platformFile?.data ?? {}) as Partial<PlatformSpec>);
  const services = serviceFiles.map((file) => ({ file, spec: file.data as ServiceSpec }));
  const releases = (releasesFile?.data ?? { apiVersion: 'paved/v1', kind: 'Releases' }) as ReleasesSpec;
  if (platformFile)
    diagnostics.push(
      ...checkPlatformPolicy(platformFile, platform),
      ...checkPlatformRoot(platformFile, platform),
      ...checkPlatformTerraform(platformFile, platform),
      ...checkPlatformWaivers(
        platformFile,
        platform,
        services.map((s) => s.spec.name),
      ),
      ...checkPlatformChoices(platformFile, platform, services),
      ...checkDatabaseStorageBounds(platformFile, platform),
      ...checkPlatformEgress(platformFile, platform),
      ...checkResourceTypes(platformFile, platform, options.modules),
    );
  append(diagnostics, checkRules(services, platform));
  append(diagnostics, checkDatabases(services, platform));
  append(diagnostics, checkEgress(services, platform));
  append(diagnostics, checkRenames(services));
  append(diagnostics, checkBounds(services));
  append(diagnostics, checkClaims(services, platform));
  if (releasesFile) append(diagnostics, checkReleases(releasesFile, releases, services));
  if (hasErrors(diagnostics)) return { diagnostics };
  return { diagnostics, valid: { platform, platformFile, services, releases, releasesFile } };
}

/**
 * Scalar checks and schema checks; a schema error under a value already reported
 * is noise. A platform is checked merged over the default, so it may leave out
 * anything, while every key it writes still points back at its own lines.
 */
/** The platform's resource types a service's entries are checked against; `undefined` for a type of a platform.yaml that failed its own checks. */
interface ServiceTypes {
  readonly types: Readonly<Record<string, ResourceTypeSpec | undefined>>;
}

function checkFile(file: SourceFile, serviceTypes?: ServiceTypes): Diagnostic[] {
  const types = serviceTypes?.types;
  const scanned = scanScalars(file);
  const flagged = new Set(scanned.map((d) => d.pointer ?? ''));
  const merged = file.kind === 'platform' ? mergeOverDefault(file.data) : file.data;
  // A service's entries of platform resource types are checked against their types' schemas, beside the built-in keys.
  const typed = file.kind === 'service' && types !== undefined ? checkTypedEntries(file, merged, types) : { data: merged, diagnostics: [] };
  const data = typed.data;
  const typeNames = Object.keys(types ?? {}).sort();
  const schema = [...checkSchema(file, data), ...typed.diagnostics]
    .map((d) =>
      file.kind === 'service' && d.code === 'SPEC.UNKNOWN_KEY' && /^\/resources\/[^/]+$/.test(d.pointer ?? '') ? unknownResourceKind(file, d, typeNames) : d,
    )
    .filter((d) => !underFlagged(d.pointer ?? '', flagged));
  // Checked with the file, before discovery's troubles: a bad output.dir is often why no service was found.
  const output =
    file.kind === 'platform' && scanned.length + schema.length === 0
      ? checkOutputDirectories(file, data as { output: { dir: string; workflowsDir: string } })
      : [];
  return [...(file.kind === 'service' ? checkServiceFolder(file) : []), ...scanned, ...schema, ...output];
}

/** Whether the pointer or one of its ancestors is flagged; a set lookup per ancestor, so thousands of diagnostics stay cheap. */
function underFlagged(pointer: string, flagged: ReadonlySet<string>): boolean {
  for (let at = pointer.length; at >= 0; at = pointer.lastIndexOf('/', at - 1)) {
    if (flagged.has(pointer.slice(0, at))) return true;
    if (at === 0) break;
  }
  return false;
}

/**
 * Keys whose default is a map per environment that a platform.yaml's own map
 * replaces whole rather than merges into: the default names one state bucket
 * per account, and a file naming only production's must get SPEC.REQUIRED for
 * staging, never the example's bucket.
 */
const REPLACED_WHOLE: ReadonlyArray<readonly [string, string]> = [['terraform', 'stateBucket']];

/** platform.yaml over the embedded default. */
function mergeOverDefault(data: unknown): PlatformSpec {
  const merged = mergePlatform(defaultPlatform as unknown as PlatformSpec, data) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, key] of REPLACED_WHOLE) {
    const written = (data as Record<string, Record<string, unknown> | undefined> | undefined)?.[section]?.[key];
    if (written !== undefined && isPlainObject(merged[section])) merged[section] = { ...merged[section], [key]: written };
  }
  return merged as unknown as PlatformSpec;
}

/** Deep merge of plain objects; lists and scalars from `over` replace. */
export function mergePlatform<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = key in base ? mergePlatform((base as Record<string, unknown>)[key], value) : value;
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A platform.yaml on its own, as `paved compile` checks it: scalars, schema (merged over the default), policy. */
export function validatePlatform(file: SourceFile): Diagnostic[] {
  const diagnostics = checkFile(file);
  if (hasErrors(diagnostics)) return diagnostics;
  const platform = mergeOverDefault(file.data);
  return [
    ...diagnostics,
    ...checkPlatformPolicy(file, platform),
    ...checkPlatformTerraform(file, platform),
    ...checkPlatformChoices(file, platform),
    ...checkDatabaseStorageBounds(file, platform),
    ...checkResourceTypes(file, platform, undefined),
  ];
}

/** Checks the text `paved init` is about to write, as if it were a one-service repo. */
export function validateStarter(text: string): Diagnostic[] {
  const parsed = parseSource('service.yaml', new TextEncoder().encode(text), 'service');
  if (!parsed.file) return [...parsed.diagnostics];
  return validateProject(undefined, [parsed.file], { loadFailed: false }).diagnostics.filter((d) => d.severity === 'error');
}
