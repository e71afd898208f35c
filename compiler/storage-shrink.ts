import type { Diagnostic } from '../spec/diagnostic.js';
import type { ResolvedProject } from '../spec/model.js';
import { deployedName } from '../spec/naming.js';
import { specPath } from '../spec/pointer.js';
import { showString } from '../spec/text.js';

/**
 * `paved check --base`: a database whose allocated storage the change lowers.
 * RDS never shrinks storage: without storage autoscaling the apply fails
 * (ModifyDBInstance refuses a smaller AllocatedStorage), and with it the AWS
 * provider ignores a lower allocated_storage, so the spec would say what the
 * database is not. Either way the spec must not go down. Pure.
 */
export function storageShrinks(base: ResolvedProject, head: ResolvedProject): Diagnostic[] {
  const before = new Map(base.services.flatMap((s) => s.resources.databases.map((d) => [`${s.name}\u0000${deployedName(d)}`, d.storageGiB] as const)));
  return head.services.flatMap((service) =>
    service.resources.databases.flatMap((database, index): Diagnostic[] => {
      const was = before.get(`${service.name}\u0000${deployedName(database)}`);
      if (was === undefined || database.storageGiB >= was) return [];
      const declared = service.origins[`/resources/databases/${index}/storageGiB`]?.kind === 'spec';
      const pointer = `/resources/databases/${index}${declared ? '/storageGiB' : ''}`;
      return [
        {
          code: 'CHECK.STORAGE_SHRINK',
          severity: 'error',
          file: service.specPath,
          pointer,
          message: `${specPath(pointer)}: database ${showString(database.name)} would go from ${was} to ${database.storageGiB} GiB of storage, and RDS never shrinks storage: the apply would fail, or with storage autoscaling the provider would ignore it`,
          hint: `keep storageGiB at ${was} or more; to use less, move the data to a new database`,
        },
      ];
    }),
  );
}
