import { WHOLE_SERVICE } from '../emitters/shared/data-loss.js';
import { declaredEntry, type DataLoss } from './data-loss.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { ResolvedProject } from '../spec/model.js';
import { specPath } from '../spec/pointer.js';
import { showString } from '../spec/text.js';

/**
 * `paved check --base`: a `dataLoss:` entry the change adds for a resource it
 * still declares (the first of the two steps that remove a protected one) and
 * of which no acknowledged destroy, replacement or module change of the
 * change's (`losses`) says so already. From its merge until the entry goes,
 * Terraform's prevent_destroy is off for what it names, a database has no
 * deletion protection and a bucket is force-destroyed: a later change that
 * removes or replaces it passes the check as acknowledged. Nothing is lost
 * yet, so the check passes; the warning says what the reviewed line arms,
 * once, in the pull request that adds it. Pure.
 */
export function protectionsLifted(base: ResolvedProject, head: ResolvedProject, losses: readonly DataLoss[]): Diagnostic[] {
  const before = new Map(base.services.map((s) => [s.name, s]));
  return head.services.flatMap((service) =>
    service.retired !== undefined
      ? []
      : service.dataLoss.flatMap((entry): Diagnostic[] => {
          const added = before.get(service.name)?.dataLoss.some((d) => d.resource === entry.resource) !== true;
          // Only a loss the entry acknowledges says so already: a shortened retention is warned of whatever the entry says.
          const lostNow = losses.some(
            (l) =>
              l.acknowledged !== undefined &&
              l.action !== 'shorten' &&
              l.service === service.name &&
              (entry.resource === WHOLE_SERVICE || l.resource === entry.resource),
          );
          const declared = entry.resource === WHOLE_SERVICE || declaredEntry(service, entry.resource) !== undefined;
          if (!added || lostNow || !declared) return [];
          const what = entry.resource === WHOLE_SERVICE ? `every stateful resource of service ${showString(service.name)}` : showString(entry.resource);
          return [
            {
              code: 'CHECK.PROTECTION_LIFTED',
              severity: 'warning',
              file: service.specPath,
              pointer: entry.pointer,
              message: `${specPath(entry.pointer)}: while this entry stays, ${what} loses its protection against a destroy (prevent_destroy, a database's deletion protection; a bucket is emptied on destroy): a later change that removes or replaces it passes the check as acknowledged`,
              hint: 'merge it only to remove or replace the resource next, and take the entry out once that change has reached every environment',
            },
          ];
        }),
  );
}
