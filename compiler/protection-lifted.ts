import { WHOLE_SERVICE } from '../emitters/shared/data-loss.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { ResolvedProject, ResolvedService } from '../spec/model.js';
import { specPath } from '../spec/pointer.js';
import { showString } from '../spec/text.js';

/**
 * `paved check --base`: a `dataLoss:` entry the change adds for a resource it
 * still declares (the first of the two steps that remove a protected one) and
 * loses nothing of yet (`losing`: the services and entries whose loss the
 * change acknowledges, `<service>\u0000<entry>`, said as such already).
 * From its merge until the entry goes, Terraform's prevent_destroy is off for
 * what it names, a database has no deletion protection and a bucket is
 * force-destroyed: a later change that removes or replaces it passes the check
 * as acknowledged. Nothing is lost yet, so the check passes; the warning says
 * what the reviewed line arms, once, in the pull request that adds it. Pure.
 */
export function protectionsLifted(base: ResolvedProject, head: ResolvedProject, losing: ReadonlySet<string>): Diagnostic[] {
  const before = new Map(base.services.map((s) => [s.name, s]));
  return head.services.flatMap((service) =>
    service.retired !== undefined
      ? []
      : service.dataLoss.flatMap((entry): Diagnostic[] => {
          const added = before.get(service.name)?.dataLoss.some((d) => d.resource === entry.resource) !== true;
          const lostNow = losing.has(`${service.name}\u0000${entry.resource}`) || (entry.resource === WHOLE_SERVICE && losing.has(service.name));
          if (!added || lostNow || !declares(service, entry.resource)) return [];
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

/** Whether the service still declares what a `dataLoss:` entry names (`databases.orders`, `secrets.API_KEY`, `<type>.<name>`, `service`). */
function declares(service: ResolvedService, resource: string): boolean {
  if (resource === WHOLE_SERVICE) return true;
  const [list, ...rest] = resource.split('.');
  const name = rest.join('.');
  const { resources } = service;
  switch (list) {
    case 'databases':
    case 'caches':
    case 'topics':
    case 'buckets':
      return resources[list].some((e) => e.name === name);
    case 'subscriptions':
      return resources.subscriptions.some((s) => `${s.from}.${s.topic}` === name);
    case 'secrets':
      return service.secrets.includes(name);
    default:
      return resources.typed.some((e) => e.type === list && e.name === name);
  }
}
