import type { ResolvedProject, ResolvedService, ResolvedSubscription } from '../../spec/model.js';
import { asDeployed, CLOUD_ENVIRONMENTS, deployedName, deployedTopic, type Renameable } from '../../spec/naming.js';
import { attribute, block, call, map, object, quote, raw, type Block, type BodyItem, type Expression, type Raw } from '../shared/hcl.js';
import type { CloudEnvironment, Output, Variable } from '../shared/terraform-variables.js';
import type { PolicyStatement } from './policy.js';

export type { CloudEnvironment, Output, Variable };

/** What every part of a stack reads. */
export interface StackContext {
  readonly service: ResolvedService;
  readonly project: ResolvedProject;
}

/** Environments with a stack of their own; preview runs in-cluster stand-ins instead (docs/targets/terraform.md). */
export const STACK_ENVIRONMENTS = CLOUD_ENVIRONMENTS as readonly CloudEnvironment[];

/** One concern of a stack (databases, caches, ...): the blocks of its file and what it adds elsewhere. */
export interface Concern {
  /** File name under terraform/, e.g. `database.tf`. */
  readonly file: string;
  readonly blocks: readonly Block[];
  readonly variables: readonly Variable[];
  /** What the service's role may do with this concern's resources. */
  readonly statements: readonly PolicyStatement[];
  readonly outputs: readonly Output[];
}

/**
 * A Terraform local name: the spec's names verbatim, joined with "-" (HCL
 * identifiers allow it). Not underscored: a service's name then appears in its
 * stack only as written, so two services differing only in name get Terraform
 * differing only in name, and `var.databases["stock-history"]` and
 * `aws_db_instance.stock-history` spell the resource alike.
 */
export const localName = (...parts: readonly string[]): string => parts.join('-');

export const resource = (type: string, name: string, body: readonly BodyItem[], comments: readonly string[] = []): Block =>
  block('resource', [type, name], body, comments);

/** `var.<name>["<key>"].<field>`: one entry of a map variable. */
export const entry = (variable: string, key: string, field?: string): Raw => raw(`var.${variable}[${quote(key)}]${field ? `.${field}` : ''}`);

/** The service's customer-managed key: every resource of the stack is encrypted with it. */
export const KMS_KEY_ARN = raw('aws_kms_key.service.arn');
export const ROLE_ARN = raw('aws_iam_role.service.arn');
export const PARTITION = raw('data.aws_partition.current.partition');

/** `map(object({ field = string, ... }))`: the type of a map variable holding names per resource. */
export const mapOfNames = (...fields: readonly string[]): Expression =>
  call('map', call('object', object(Object.fromEntries(fields.map((field) => [field, raw('string')])))));

/** The value of such a variable: per resource (by spec name), its names in this environment. */
export const namesByResource = <T>(items: readonly T[], key: (item: T) => string, fields: (item: T) => Readonly<Record<string, string>>): Expression =>
  map(Object.fromEntries(items.map((item) => [key(item), object(fields(item))])));

/**
 * An entry's blocks and, when it was renamed (renamedFrom), the moves of its
 * state from the addresses it was deployed under. One never renamed is built
 * once: built again under the same name it would differ in nothing, and
 * movedBlocks would find nothing to move.
 */
export function withMoves<T extends Renameable>(what: string, entry: T, build: (entry: T) => Block[]): Block[] {
  const blocks = build(entry);
  return deployedName(entry) === entry.name ? blocks : [...blocks, ...movedBlocks(what, build(asDeployed(entry)), blocks)];
}

/** Whether a subscription's topic was deployed under another name: its queues then move (messaging.ts deployedSubscription). */
export const topicRenamed = (subscription: ResolvedSubscription): boolean => deployedTopic(subscription) !== subscription.topic;

/**
 * `moved` blocks for an entry renamed in the spec (renamedFrom): `before` and
 * `after` are the entry's blocks built under its old and its new spec name,
 * which differ only in their addresses, so their resources pair one to one and
 * Terraform moves each state entry instead of destroying it and creating
 * another. Nothing when the addresses are the same.
 */
export function movedBlocks(what: string, before: readonly Block[], after: readonly Block[]): Block[] {
  const addresses = (blocks: readonly Block[]) => blocks.filter((b) => b.type === 'resource').map((b) => `${b.labels[0]}.${b.labels[1]}`);
  const from = addresses(before);
  const to = addresses(after);
  // A programming error, not a user's: a rename must not change what the entry is made of.
  if (from.length !== to.length || from.some((address, i) => address.split('.')[0] !== to[i]!.split('.')[0]))
    throw new Error(`terraform emitter: ${what} has other resources under its old name`);
  const moves = from.map((address, i) => [address, to[i]!] as const).filter(([a, b]) => a !== b);
  return moves.map(([a, b], i) =>
    block(
      'moved',
      [],
      [attribute('from', raw(a)), attribute('to', raw(b))],
      i === 0 ? [`${what} was renamed (renamedFrom): its state moves, its cloud names stay.`] : [],
    ),
  );
}
