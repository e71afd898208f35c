import type { Diagnostic } from '../../spec/diagnostic.js';
import { defaultPlatform } from '../../spec/default-platform.js';
import { MYSQL_MAJOR_VERSIONS } from '../../spec/naming.js';
import { serviceDefaults } from '../../spec/service-schema.js';
import type { PlatformSpec } from '../../spec/types.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import type { ServiceInput } from './rules.js';
import { showString } from './text.js';

/**
 * What the schema cannot say about a database: whether its version exists for
 * its engine, and whether its storage lies within the platform's bounds
 * (sizes.databaseStorageGiB), which the platform, not the schema, sets.
 */
export function checkDatabases(services: readonly ServiceInput[], platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const bounds = storageBounds(platform);
  for (const { file, spec } of services) {
    for (const [index, database] of (spec.resources?.databases ?? []).entries()) {
      const engine = database.engine ?? serviceDefaults.database.engine;
      const at = (key: string) => `/resources/databases/${index}/${key}`;
      const problem = database.version === undefined ? undefined : versionProblem(engine, database.version);
      if (problem)
        diagnostics.push(
          positioned(file, at('version'), 'SPEC.DATABASE_VERSION', `database ${showString(database.name)}: ${problem}`, {
            hint:
              engine === 'mysql'
                ? `write "${MYSQL_MAJOR_VERSIONS.join('" or "')}" (RDS applies minor upgrades), or pin a minor such as "8.0.39"`
                : 'write a PostgreSQL major version such as "16" (RDS applies minor upgrades), or pin a minor such as "16.4"',
          }),
        );
      const storage = database.storageGiB;
      if (storage !== undefined && (storage < bounds.min || storage > bounds.max))
        diagnostics.push(
          positioned(
            file,
            at('storageGiB'),
            'POLICY.DATABASE_STORAGE',
            `database ${showString(database.name)}: storageGiB ${storage} is outside the platform's bounds, ${bounds.min} to ${bounds.max} GiB`,
            {
              hint: `ask for ${bounds.min} to ${bounds.max} GiB; RDS grows storage up to ${bounds.max} GiB on its own, and platform.yaml sizes.databaseStorageGiB sets the bounds`,
            },
          ),
        );
    }
  }
  return diagnostics;
}

/** The platform's bounds must hold a value: min above max would reject every database. */
export function checkDatabaseStorageBounds(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const { min, max } = storageBounds(platform);
  return min <= max
    ? []
    : [
        positioned(file, '/sizes/databaseStorageGiB/min', 'SPEC.RANGE', `sizes.databaseStorageGiB.min (${min}) is above its max (${max})`, {
          hint: 'set min at or below max: min is the storage of a database that asks for none, max the most any may have',
        }),
      ];
}

function storageBounds(platform: PlatformSpec): { min: number; max: number } {
  const bounds = platform.sizes?.databaseStorageGiB;
  const fallback = defaultPlatform.sizes.databaseStorageGiB;
  return { min: bounds?.min ?? fallback.min, max: bounds?.max ?? fallback.max };
}

/**
 * Why a version does not exist for an engine on RDS, if it does not. MySQL:
 * 8.0 and 8.4 with an optional minor (5.7 is out of standard support);
 * PostgreSQL: a major of 11 or later with an optional minor ("16", "16.4"),
 * since "8.0" or "16.4.1" name no RDS PostgreSQL release.
 */
export function versionProblem(engine: 'postgres' | 'mysql', version: string): string | undefined {
  const parts = version.split('.');
  if (engine === 'mysql') {
    const major = parts.slice(0, 2).join('.');
    if (parts.length < 2 || parts.length > 3 || !MYSQL_MAJOR_VERSIONS.includes(major))
      return `MySQL version ${showString(version)} is not one RDS offers; paved supports MySQL ${MYSQL_MAJOR_VERSIONS.join(' and ')}`;
    return undefined;
  }
  if (parts.length > 2 || Number(parts[0]) < 11)
    return `PostgreSQL version ${showString(version)} is not one RDS offers (a major of 11 or later, e.g. "16" or "16.4")`;
  return undefined;
}
