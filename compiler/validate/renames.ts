import type { Diagnostic } from '../../spec/diagnostic.js';
import { reporter, type Report, type ServiceInput } from './rules.js';
import { showString } from './text.js';

/**
 * `renamedFrom` (docs/day-2.md, Renaming): an entry renamed in the spec keeps every
 * cloud and Kubernetes name derived from the name it was deployed under. Two
 * entries deployed under one name would be one resource, and a renamedFrom
 * that is the entry's own name moves nothing, so each deployed name is held
 * by exactly one entry of a list, and each service's by exactly one service.
 * A subscription follows its publisher's topic: its queues are named after
 * the topic's deployed name, so it must say the same renamedFrom.
 */
export function checkRenames(services: readonly ServiceInput[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  for (const service of services) {
    const resources = service.spec.resources ?? {};
    for (const [list, what] of [
      ['databases', 'database'],
      ['caches', 'cache'],
      ['topics', 'topic'],
      ['buckets', 'bucket'],
      ['cron', 'cron job'],
    ] as const) {
      checkList(
        service,
        `/resources/${list}`,
        what,
        (resources[list] ?? []).map((entry) => ({ name: entry.name, renamedFrom: entry.renamedFrom })),
        report,
      );
    }
    // A subscription is one of its publisher's topics: renames are per publisher, of the topic's name.
    const subscriptions = (resources.subscriptions ?? []).map((s, index) => ({ ...s, index }));
    for (const from of [...new Set(subscriptions.map((s) => s.from))]) {
      const of = subscriptions.filter((s) => s.from === from);
      checkList(
        service,
        '/resources/subscriptions',
        `subscription to ${from}'s topic`,
        of.map((s) => ({ name: s.topic, renamedFrom: s.renamedFrom, index: s.index, field: '/topic' })),
        report,
      );
    }
    checkSubscriptionsFollowTopics(service, services, report);
  }
  checkServiceRenames(services, report);
  return diagnostics;
}

/** A service deployed under its renamedFrom holds that name alone: another service's namespace, state and AWS names would be its. */
function checkServiceRenames(services: readonly ServiceInput[], report: Report): void {
  const renamedBy = new Map<string, ServiceInput>();
  for (const service of services) {
    const { name, renamedFrom } = service.spec;
    if (renamedFrom === undefined) continue;
    if (renamedFrom === name) {
      report(
        service.file,
        '/renamedFrom',
        'SPEC.RENAME_SAME',
        `${showString(renamedFrom)} is the service's own name, so nothing was renamed`,
        'remove renamedFrom, or set it to the name the service was deployed under',
      );
      continue;
    }
    const holder = services.find((other) => other.spec.name === renamedFrom);
    if (holder) {
      report(
        service.file,
        '/renamedFrom',
        'SPEC.RENAME_TAKEN',
        `${showString(renamedFrom)} is the name of the service in ${holder.file.path}, so both would be deployed as one service`,
        `a renamed service keeps every name derived from its old name, which no other service may hold: rename ${holder.file.path}'s service in a change of its own, or remove renamedFrom if this service is new`,
      );
      continue;
    }
    const first = renamedBy.get(renamedFrom);
    if (first) {
      report(
        service.file,
        '/renamedFrom',
        'SPEC.RENAME_DUPLICATE',
        `${showString(renamedFrom)} is also the renamedFrom of the service in ${first.file.path}; only one service can take over what was deployed under it`,
        'keep renamedFrom on the service that is the deployed one, and remove it from the other',
      );
      continue;
    }
    renamedBy.set(renamedFrom, service);
  }
}

interface Entry {
  readonly name: string;
  readonly renamedFrom?: string | undefined;
  /** Its index in the spec list, when the entries checked are a part of it. */
  readonly index?: number;
  /** The field holding the name: `/name`, or `/topic` for a subscription. */
  readonly field?: string;
}

function checkList(service: ServiceInput, list: string, what: string, entries: readonly Entry[], report: Report): void {
  const at = (entry: Entry, i: number): number => entry.index ?? i;
  const path = (entry: Entry, i: number): string => `${list.slice(1).replaceAll('/', '.')}[${at(entry, i)}]`;
  const renamedBy = new Map<string, { entry: Entry; i: number }>();
  entries.forEach((entry, i) => {
    if (entry.renamedFrom === undefined) return;
    const pointer = `${list}/${at(entry, i)}/renamedFrom`;
    if (entry.renamedFrom === entry.name) {
      report(
        service.file,
        pointer,
        'SPEC.RENAME_SAME',
        `${showString(entry.renamedFrom)} is the ${what}'s own name, so nothing was renamed`,
        `remove renamedFrom, or set it to the name the ${what} was deployed under`,
      );
      return;
    }
    const holder = entries.findIndex((other) => other.name === entry.renamedFrom);
    if (holder >= 0) {
      report(
        service.file,
        pointer,
        'SPEC.RENAME_TAKEN',
        `${showString(entry.renamedFrom)} is the name of ${path(entries[holder]!, holder)}, so both would be deployed as one ${what}`,
        `a renamed ${what} keeps the cloud names of its old name, which no other entry may hold: rename ${path(entries[holder]!, holder)} in a change of its own, or remove renamedFrom if this ${what} is new`,
      );
      return;
    }
    const first = renamedBy.get(entry.renamedFrom);
    if (first) {
      report(
        service.file,
        pointer,
        'SPEC.RENAME_DUPLICATE',
        `${showString(entry.renamedFrom)} is also the renamedFrom of ${path(first.entry, first.i)}; only one ${what} can take over what was deployed under it`,
        `keep renamedFrom on the entry that is the deployed ${what}, and remove it from the other`,
      );
      return;
    }
    renamedBy.set(entry.renamedFrom, { entry, i });
  });
}

/** A subscription names its queues after the topic's deployed name: it says the topic's renamedFrom, or none if the topic has none. */
function checkSubscriptionsFollowTopics(service: ServiceInput, services: readonly ServiceInput[], report: Report): void {
  for (const [index, subscription] of (service.spec.resources?.subscriptions ?? []).entries()) {
    const publisher = services.find((s) => s.spec.name === subscription.from);
    const topic = publisher?.spec.resources?.topics?.find((t) => t.name === subscription.topic);
    // An unknown publisher or topic is reported by the reference checks.
    if (!topic || topic.renamedFrom === subscription.renamedFrom || subscription.renamedFrom === subscription.topic) continue;
    const pointer = `/resources/subscriptions/${index}/${subscription.renamedFrom === undefined ? 'topic' : 'renamedFrom'}`;
    const topicSays = topic.renamedFrom === undefined ? 'was not renamed' : `was renamed from ${showString(topic.renamedFrom)}`;
    report(
      service.file,
      pointer,
      'REF.RENAME_MISMATCH',
      `topic ${showString(subscription.topic)} of ${subscription.from} ${topicSays}, but this subscription says ${subscription.renamedFrom === undefined ? 'no renamedFrom' : `renamedFrom ${showString(subscription.renamedFrom)}`}; it would subscribe to the topic under a name it is not deployed as`,
      topic.renamedFrom === undefined
        ? 'remove renamedFrom from the subscription'
        : `add renamedFrom: ${topic.renamedFrom} to the subscription, as the topic says`,
    );
  }
}
