import type { Plain } from './policy/view.js';

/**
 * Settings whose lowering deletes data in place, at the apply: no destroy and no
 * replacement, so nothing else of the data-loss check sees it. An override
 * setting a dead-letter queue's message_retention_seconds to 60 makes SQS drop
 * every older message; backup_retention_period 0 deletes every automated
 * backup of the database.
 */
export interface Shortening {
  /** The attribute, or `rule "<id>"` of a bucket's lifecycle configuration. */
  readonly setting: string;
  readonly from: string;
  readonly to: string;
  /** What the cloud deletes once the apply lowers it. */
  readonly deletes: string;
}

interface RetentionSetting {
  readonly attribute: string;
  /** What an unset attribute means, when the provider fills in a fixed default. */
  readonly unset?: number;
  readonly deletes: string;
}

const RETENTION: Readonly<Record<string, readonly RetentionSetting[]>> = {
  aws_sqs_queue: [{ attribute: 'message_retention_seconds', unset: 345600, deletes: 'SQS deletes every message older than the new period' }],
  aws_db_instance: [{ attribute: 'backup_retention_period', deletes: 'RDS deletes the automated backups older than the new period, and at 0 all of them' }],
  aws_elasticache_replication_group: [
    { attribute: 'snapshot_retention_limit', deletes: 'ElastiCache deletes the automatic snapshots older than the new limit, and at 0 all of them' },
  ],
};

const LIFECYCLE = 'aws_s3_bucket_lifecycle_configuration';
const EXPIRES = 'S3 deletes the objects or versions the rule now expires';

/** The types whose updates can shorten a retention. */
export const RETENTION_TYPES: ReadonlySet<string> = new Set([...Object.keys(RETENTION), LIFECYCLE]);

/**
 * What an in-place update of a resource of `type` from `before` to `after`
 * (bodies with the environment's variables resolved) shortens, of the
 * attributes the plan would change (`changed`: not those its lifecycle
 * ignores). A value that is not a number (an expression) is taken for shorter
 * when it changes: the check fails toward saying so.
 */
export function shortenings(type: string, before: Plain, after: Plain, changed: ReadonlySet<string>): Shortening[] {
  if (type === LIFECYCLE) return changed.has('rule') ? expirations(before, after) : [];
  return (RETENTION[type] ?? []).flatMap(({ attribute, unset, deletes }): Shortening[] => {
    if (!changed.has(attribute)) return [];
    const was = before[attribute] ?? unset;
    const now = after[attribute] ?? unset;
    if (JSON.stringify(was) === JSON.stringify(now)) return [];
    if (typeof was === 'number' && typeof now === 'number' && now >= was) return [];
    return [{ setting: attribute, from: shown(was), to: shown(now), deletes }];
  });
}

const shown = (value: unknown): string => (value === undefined ? 'not set' : typeof value === 'string' ? value : JSON.stringify(value));

type Rule = Plain & { readonly id?: unknown };

/**
 * Each lifecycle rule, matched by id, that expires objects or versions and is
 * new, or changed other than by expiring later under the same filter.
 */
function expirations(before: Plain, after: Plain): Shortening[] {
  const rules = (body: Plain): Rule[] => (Array.isArray(body.rule) ? (body.rule as Rule[]) : []);
  const old = new Map(rules(before).map((r) => [JSON.stringify(r.id), r]));
  return rules(after).flatMap((rule): Shortening[] => {
    const was = old.get(JSON.stringify(rule.id));
    if (!expiring(rule) || (was !== undefined && expiresNoSooner(was, rule))) return [];
    return [{ setting: `rule ${JSON.stringify(rule.id)}`, from: was === undefined ? 'no such rule' : expiry(was), to: expiry(rule), deletes: EXPIRES }];
  });
}

const EXPIRY_BLOCKS = ['expiration', 'noncurrent_version_expiration'] as const;
/** The numbers of an expiry that delete later as they grow. */
const LATER_WHEN_LARGER = ['days', 'noncurrent_days', 'newer_noncurrent_versions'];

const first = (rule: Rule, block: string): Plain | undefined => (Array.isArray(rule[block]) ? (rule[block] as Plain[])[0] : undefined);
const expiring = (rule: Rule): boolean => rule.status === 'Enabled' && EXPIRY_BLOCKS.some((b) => first(rule, b) !== undefined);

/** Same status and filter, no expiry it did not have, and every number of each expiry at least what it was. */
function expiresNoSooner(was: Rule, now: Rule): boolean {
  if (was.status !== now.status || JSON.stringify(was.filter) !== JSON.stringify(now.filter)) return false;
  return EXPIRY_BLOCKS.every((block) => {
    const before = first(was, block);
    const after = first(now, block);
    if (after === undefined) return true;
    if (before === undefined) return false;
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names].every((name) =>
      LATER_WHEN_LARGER.includes(name) && typeof before[name] === 'number' && typeof after[name] === 'number'
        ? (after[name] as number) >= (before[name] as number)
        : JSON.stringify(before[name]) === JSON.stringify(after[name]),
    );
  });
}

/** `expiration {"days":30}; noncurrent_version_expiration {"noncurrent_days":90}`, or `disabled`. */
function expiry(rule: Rule): string {
  if (rule.status !== 'Enabled') return 'disabled';
  const parts = EXPIRY_BLOCKS.flatMap((block) => {
    const found = first(rule, block);
    return found === undefined ? [] : [`${block} ${JSON.stringify(found)}`];
  });
  const filter = JSON.stringify(rule.filter ?? []);
  return `${parts.join('; ') || 'no expiry'}${filter === '[{}]' || filter === '[]' ? '' : ` for filter ${filter}`}`;
}
