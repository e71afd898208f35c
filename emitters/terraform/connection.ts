import type { ConnectionKind } from '../../spec/naming.js';
import { attributes, call, object, raw, type Block, type Expression } from '../shared/hcl.js';
import { KMS_KEY_ARN, localName, resource } from './context.js';
import { waiverComments, WAIVERS } from './waivers.js';

/**
 * The connection-secret contract with the Kubernetes emitter (README, "Connection
 * secrets"): Terraform writes each resource's connection details as one JSON
 * object into Secrets Manager, and an ExternalSecret reads exactly these keys.
 * Never a password: databases and caches authenticate with IAM.
 */
export interface ConnectionDetails {
  readonly database: { readonly host: Expression; readonly port: Expression; readonly dbname: Expression; readonly username: Expression; readonly region: Expression };
  readonly cache: { readonly host: Expression; readonly port: Expression; readonly username: Expression; readonly replication_group_id: Expression; readonly region: Expression };
  readonly topic: { readonly arn: Expression; readonly region: Expression };
  readonly queue: { readonly url: Expression; readonly arn: Expression; readonly dlq_url: Expression; readonly region: Expression };
  readonly bucket: { readonly bucket: Expression; readonly arn: Expression; readonly region: Expression };
}

/** The JSON keys per kind, in the order the secrets hold them; README's table lists the same. */
export const CONNECTION_KEYS: { readonly [K in ConnectionKind]: readonly (keyof ConnectionDetails[K])[] } = {
  database: ['host', 'port', 'dbname', 'username', 'region'],
  cache: ['host', 'port', 'username', 'replication_group_id', 'region'],
  topic: ['arn', 'region'],
  queue: ['url', 'arn', 'dlq_url', 'region'],
  bucket: ['bucket', 'arn', 'region'],
};

/** The local name of a connection secret: `<kind>_<name>`, never that of a declared secret (`secret_<NAME>`). */
export const connectionSecretLocal = (kind: ConnectionKind, name: string): string => localName(kind, name);

export const REGION = raw('var.aws_region');

/** The secret (named by `names.connectionSecret`, passed in as `secretName`) and its one version. */
export function connectionSecret<K extends ConnectionKind>(kind: K, name: string, secretName: Expression, details: ConnectionDetails[K]): Block[] {
  const local = connectionSecretLocal(kind, name);
  const values = details as unknown as Readonly<Record<string, Expression>>;
  const json = object(Object.fromEntries(CONNECTION_KEYS[kind].map((key) => [key, values[key as string]!])));
  return [
    resource(
      'aws_secretsmanager_secret',
      local,
      attributes({
        name: secretName,
        description: `Connection details of the ${kind} ${name}, written by Terraform; no password.`,
        kms_key_id: KMS_KEY_ARN,
      }),
      waiverComments(WAIVERS.connectionSecretRotation),
    ),
    resource('aws_secretsmanager_secret_version', local, attributes({ secret_id: raw(`aws_secretsmanager_secret.${local}.id`), secret_string: call('jsonencode', json) })),
  ];
}
