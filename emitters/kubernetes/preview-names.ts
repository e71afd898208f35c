/**
 * Names of preview's in-cluster stand-ins. Short Service names resolve inside
 * whatever namespace CI renders the preview into, so no value names a namespace.
 */
export const LOCALSTACK = 'localstack';
export const LOCALSTACK_PORT = 4566;
/** The Secret with LocalStack's fixed test credentials (LocalStack accepts any). */
export const LOCALSTACK_CREDENTIALS = 'localstack-credentials';
/** LocalStack's fixed account id, part of every ARN and queue URL it returns. */
export const LOCALSTACK_ACCOUNT = '000000000000';

export const POSTGRES_PORT = 5432;
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;

export const postgresName = (database: string): string => `postgres-${database}`;
export const mysqlName = (database: string): string => `mysql-${database}`;
export const redisName = (cache: string): string => `redis-${cache}`;

/** The component of a platform resource type's stand-in (resourceTypes.<type>.standIn), and the name of its port. */
export const STAND_IN_COMPONENT = 'stand-in';
/** A platform resource type's stand-in: `documentdb-carts`. */
export const standInName = (type: string, name: string): string => `${type}-${name}`;
