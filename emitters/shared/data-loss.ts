import { toPlain, type BodyItem } from './hcl.js';
import { STATEFUL_RESOURCE_TYPES } from './terraform-replacement.js';

/**
 * Which service.yaml entry a Terraform resource belongs to, in the words of
 * `dataLoss:` (`databases.orders`, `subscriptions.checkout.order-placed`).
 * A stateful resource's first attribute is its cloud name (identifier, name,
 * bucket), read from its entry's tfvars (`var.databases["orders"].identifier`);
 * one whose name reads no entry (the service's KMS key) belongs to the service
 * as a whole; a platform resource type's, to `<type>.<name>`. `subscriptionEntries` maps a subscription's tfvars key
 * (`<from>-<topic>`, not splittable at its dash) back to its entry.
 */
const ENTRY_REFERENCE = /var\.(databases|caches|topics|subscriptions|buckets|secrets|platform_resources)\["([^"\\]+)"\]/;

export function resourceEntry(body: readonly BodyItem[], subscriptionEntries: ReadonlyMap<string, string>): string | undefined {
  const first = body[0];
  if (first?.kind !== 'attribute') return undefined;
  const found = ENTRY_REFERENCE.exec(JSON.stringify(toPlain(first.value)).replace(/\\"/g, '"'));
  if (!found) return undefined;
  const [, list, key] = found;
  // A platform resource type's objects are keyed `<type>.<name>` already (emitters/terraform/resource-types.ts).
  if (list === 'platform_resources') return key;
  return list === 'subscriptions' ? subscriptionEntries.get(key!) : `${list}.${key}`;
}

const STATEFUL = new Set<string>(STATEFUL_RESOURCE_TYPES);
export const isStateful = (type: string): boolean => STATEFUL.has(type);

/** `subscriptions.<from>.<topic>` by the tfvars key of the subscription, `<from>-<topic>`. */
export function subscriptionEntries(subscriptions: ReadonlyArray<{ readonly from: string; readonly topic: string }>): Map<string, string> {
  return new Map(subscriptions.map((s) => [`${s.from}-${s.topic}`, `subscriptions.${s.from}.${s.topic}`]));
}

/**
 * Whether the service acknowledges losing the entry: a `dataLoss:` entry naming
 * it or the whole service, or `retired:`, which gives up everything the service owns.
 */
export function acknowledgesLoss(
  service: { readonly dataLoss: ReadonlyArray<{ readonly resource: string }>; readonly retired?: unknown },
  entry: string,
): boolean {
  return service.retired !== undefined || service.dataLoss.some((d) => d.resource === entry || d.resource === WHOLE_SERVICE);
}

/** The reviewed reason for losing the entry, when the service gives one: its `dataLoss:` entry (by name, or the whole service), else `retired:`'s. */
export function lossReason(
  service: { readonly dataLoss: ReadonlyArray<{ readonly resource: string; readonly reason: string }>; readonly retired?: { readonly reason: string } },
  entry: string,
): string | undefined {
  return service.dataLoss.find((d) => d.resource === entry || d.resource === WHOLE_SERVICE)?.reason ?? service.retired?.reason;
}

/** The `dataLoss:` resource that stands for everything a service owns (a service is retired with `retired:`, which implies it). */
export const WHOLE_SERVICE = 'service';
