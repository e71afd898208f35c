import { CONNECTION_KEYS, type ConnectionKind } from '../../spec/naming.js';
import { attributes, call, object, raw, type Block, type Expression } from '../shared/hcl.js';
import { KMS_KEY_ARN, localName, resource } from './context.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../shared/waivers.js';

/**
 * The connection-secret contract with the Kubernetes emitter (`CONNECTION_KEYS`
 * in spec/naming.ts, README "Connection secrets"): Terraform writes each
 * resource's connection details as one JSON object into Secrets Manager, and an
 * ExternalSecret reads exactly these keys. Never a password: databases and
 * caches authenticate with IAM.
 */
export type ConnectionDetails = Readonly<Record<string, Expression>>;

/** The local name of a connection secret: `<kind>-<name>`, never that of a declared secret (`secret-<NAME>`). */
const connectionSecretLocal = (kind: ConnectionKind | string, name: string): string => localName(kind, name);

/**
 * The secret (named by `names.connectionSecret`, passed in as `secretName`) and its one version; `name` gives
 * their address, `deployed` (the resource's deployedName) their description, which a rename leaves alone.
 */
export function connectionSecret(
  kind: ConnectionKind | string,
  name: string,
  secretName: Expression,
  details: ConnectionDetails,
  deployed: string = name,
  /** A platform resource type's connection outputs; a built-in kind's keys are CONNECTION_KEYS. */
  typeKeys?: readonly string[],
): Block[] {
  const keys = typeKeys ?? CONNECTION_KEYS[kind as ConnectionKind];
  const given = Object.keys(details);
  // A programming error, not a user's: the contract and the emitter must list the same keys.
  if (given.length !== keys.length || keys.some((key) => !given.includes(key)))
    throw new Error(`terraform emitter: ${kind} connection details ${given.join(', ')} differ from the contract ${keys.join(', ')}`);
  const local = connectionSecretLocal(kind, name);
  const json = object(Object.fromEntries(keys.map((key) => [key, details[key]!])));
  return [
    resource(
      'aws_secretsmanager_secret',
      local,
      attributes({
        name: secretName,
        description:
          typeKeys === undefined
            ? `Connection details of the ${kind} ${deployed}, written by Terraform; no password.`
            : `Connection details of the ${kind} ${deployed}: outputs of its module, written by Terraform.`,
        kms_key_id: KMS_KEY_ARN,
        // Terraform rewrites the details from the resource, so nothing is lost by deleting at once,
        // and a resource removed and added again gets its secret back instead of a name held for 30 days.
        recovery_window_in_days: 0,
      }),
      [waiverText(WAIVERS.connectionSecretRotation)],
    ),
    resource(
      'aws_secretsmanager_secret_version',
      local,
      attributes({ secret_id: raw(`aws_secretsmanager_secret.${local}.id`), secret_string: call('jsonencode', json) }),
    ),
  ];
}
