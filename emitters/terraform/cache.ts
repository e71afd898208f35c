import type { ResolvedCache } from '../../spec/model.js';
import { deployedName, FINAL_SNAPSHOT_TIME_FORMAT, names } from '../../spec/naming.js';
import { attributes, block, map, object, quote, raw, template, type Block } from '../shared/hcl.js';
import { connectionSecret } from './connection.js';
import { entry, KMS_KEY_ARN, localName, mapOfNames, namesByResource, resource, withMoves, type Concern, type StackContext } from './context.js';
import { dataPolicyVariables, networkVariables } from './inputs.js';
import { podIngressSecurityGroup } from './network.js';
import { sidPart } from './policy.js';

const REDIS_PORT = 6379;
const REDIS_VERSION = '7.1';

/**
 * Redis on ElastiCache, one replication group per declared cache, meeting
 * security-rules.md §1 rows 10-12: encrypted at rest with the service key and in
 * transit, and an ElastiCache user group whose one enabled user authenticates
 * with IAM, so no auth token exists, in state or anywhere. Two nodes with
 * automatic failover in every environment (CKV2_AWS_50); the platform's policy
 * decides whether the replica sits in another availability zone.
 */
export function cacheConcern(context: StackContext): Concern | undefined {
  const { service } = context;
  const caches = service.resources.caches;
  if (caches.length === 0) return undefined;
  return {
    file: 'cache.tf',
    blocks: [defaultUser(), ...caches.flatMap((cache) => withMoves(`caches.${cache.name}`, cache, cacheBlocks))],
    variables: [
      ...networkVariables(context),
      ...dataPolicyVariables(context),
      {
        name: 'caches',
        description: 'Names of the ElastiCache objects of each cache, derived by paved.',
        type: mapOfNames('replication_group_id', 'user_id', 'user_group_id', 'security_group', 'connection_secret'),
        value: (env) =>
          namesByResource(
            caches,
            (c) => c.name,
            (c) => ({
              replication_group_id: names.cacheReplicationGroup(service.name, env, deployedName(c)),
              user_id: names.cacheUser(service.name, env, deployedName(c)),
              user_group_id: names.cacheUserGroup(service.name, env, deployedName(c)),
              security_group: names.securityGroup(service.name, env, 'cache', deployedName(c)),
              connection_secret: names.connectionSecret(service.name, env, 'cache', deployedName(c)),
            }),
          ),
      },
      {
        name: 'cache_default_user_id',
        description: 'Id of the disabled "default" user every user group must hold.',
        type: raw('string'),
        value: (env) => names.cacheDefaultUser(service.name, env),
      },
    ],
    statements: caches.map((c) => ({
      Sid: `ConnectToCache${sidPart(c.name)}`,
      Effect: 'Allow' as const,
      Action: ['elasticache:Connect'],
      Resource: [raw(`aws_elasticache_replication_group.${localName(c.name)}.arn`), raw(`aws_elasticache_user.${userLocal(c)}.arn`)],
    })),
    outputs: [
      {
        name: 'caches',
        description: 'Primary endpoint of each cache; the pods read them from the connection secrets.',
        value: map(
          Object.fromEntries(
            caches.map((c) => [
              c.name,
              object({
                host: raw(`aws_elasticache_replication_group.${localName(c.name)}.primary_endpoint_address`),
                port: raw(`aws_elasticache_replication_group.${localName(c.name)}.port`),
              }),
            ]),
          ),
        ),
      },
    ],
  };
}

/** ElastiCache requires a user named "default" in every group: this one is switched off and can run nothing. */
function defaultUser(): Block {
  return resource('aws_elasticache_user', 'default', [
    ...attributes({ user_id: raw('var.cache_default_user_id'), user_name: 'default', engine: 'REDIS', access_string: 'off -@all' }),
    block('authentication_mode', [], attributes({ type: 'no-password-required' })),
  ]);
}

/** `<cache>-iam`: never `default`, the disabled user's local name, whatever the cache is called. */
const userLocal = (cache: ResolvedCache): string => localName(cache.name, 'iam');

/** Addresses and tfvars keys follow the spec name; every name and description AWS holds, the deployed one. */
function cacheBlocks(cache: ResolvedCache): Block[] {
  const local = localName(cache.name);
  const name = (field: string) => entry('caches', cache.name, field);
  const deployed = deployedName(cache);
  const what = `Redis cache ${deployed}`;
  return [
    resource(
      'aws_elasticache_subnet_group',
      local,
      attributes({ name: name('replication_group_id'), description: `Private subnets of the ${what}`, subnet_ids: raw('var.private_subnet_ids') }),
    ),
    ...podIngressSecurityGroup(localName('cache', cache.name), name('security_group'), what, [REDIS_PORT]),
    // The pods' user: IAM authentication needs user_name = user_id. Every command but the dangerous ones (FLUSHALL, CONFIG, KEYS, ...).
    resource('aws_elasticache_user', userLocal(cache), [
      ...attributes({ user_id: name('user_id'), user_name: name('user_id'), engine: 'REDIS', access_string: 'on ~* +@all -@dangerous' }),
      block('authentication_mode', [], attributes({ type: 'iam' })),
    ]),
    resource(
      'aws_elasticache_user_group',
      local,
      attributes({
        user_group_id: name('user_group_id'),
        engine: 'REDIS',
        user_ids: [raw('aws_elasticache_user.default.user_id'), raw(`aws_elasticache_user.${userLocal(cache)}.user_id`)],
      }),
    ),
    resource('aws_elasticache_replication_group', local, [
      ...attributes({
        replication_group_id: name('replication_group_id'),
        description: what,
        engine: 'redis',
        engine_version: REDIS_VERSION,
        node_type: cache.nodeType,
        port: REDIS_PORT,
        parameter_group_name: 'default.redis7',
        num_cache_clusters: 2,
        automatic_failover_enabled: true,
        multi_az_enabled: raw('var.multi_az'),
        subnet_group_name: raw(`aws_elasticache_subnet_group.${local}.name`),
        security_group_ids: [raw(`aws_security_group.${localName('cache', cache.name)}.id`)],
        at_rest_encryption_enabled: true,
        kms_key_id: KMS_KEY_ARN,
        transit_encryption_enabled: true,
        user_group_ids: [raw(`aws_elasticache_user_group.${local}.user_group_id`)],
        snapshot_retention_limit: raw('var.backup_retention_days'),
        auto_minor_version_upgrade: true,
        // Deleting the group (a retired cache, a replacement) keeps its data as a snapshot, named for the
        // group's creation time like a database's final snapshot (database.ts), so no two deletions collide.
        final_snapshot_identifier: template(name('replication_group_id'), '-final-', raw(`formatdate(${quote(FINAL_SNAPSHOT_TIME_FORMAT)}, timestamp())`)),
      }),
      block('lifecycle', [], attributes({ ignore_changes: [raw('final_snapshot_identifier')] })),
    ]),
    ...connectionSecret(
      'cache',
      cache.name,
      name('connection_secret'),
      {
        host: raw(`aws_elasticache_replication_group.${local}.primary_endpoint_address`),
        port: raw(`aws_elasticache_replication_group.${local}.port`),
        username: raw(`aws_elasticache_user.${userLocal(cache)}.user_name`),
      },
      deployed,
    ),
  ];
}
