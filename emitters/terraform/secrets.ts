import { names } from '../../spec/naming.js';
import { attributes, call, map, raw } from '../shared/hcl.js';
import { entry, KMS_KEY_ARN, localName, resource, type Concern, type StackContext } from './context.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../shared/waivers.js';

/** A declared secret's local name: `secret-<NAME>`, apart from the connection secrets' `<kind>-<name>`. */
const secretLocal = (secret: string): string => localName('secret', secret);

/**
 * Days a removed declared secret can still be restored. Its value exists only in
 * Secrets Manager, so a line deleted from service.yaml by mistake must not destroy
 * it at once; Secrets Manager's least window keeps the name blocked for the
 * shortest time (README "Secrets": restoring and re-adding within it).
 */
export const DECLARED_SECRET_RECOVERY_DAYS = 7;

/**
 * The service's declared `secrets:`, one Secrets Manager entry each, encrypted
 * with the service key (CKV_AWS_149, AVD-AWS-0098). Terraform creates the entry
 * and never its value: the owning team sets that out of band, so no secret
 * value ever reaches Terraform state or this repository.
 */
export function secretsConcern({ service }: StackContext): Concern | undefined {
  if (service.secrets.length === 0) return undefined;
  return {
    file: 'secrets.tf',
    blocks: service.secrets.map((secret) =>
      resource(
        'aws_secretsmanager_secret',
        secretLocal(secret),
        attributes({
          name: entry('secrets', secret),
          description: `${secret} of ${service.name}; its value is set out of band, never by Terraform.`,
          kms_key_id: KMS_KEY_ARN,
          recovery_window_in_days: DECLARED_SECRET_RECOVERY_DAYS,
        }),
        [waiverText(WAIVERS.secretRotation)],
      ),
    ),
    variables: [
      {
        name: 'secrets',
        description: 'Secrets Manager name of each declared secret, derived by paved.',
        type: call('map', raw('string')),
        value: (env) => map(Object.fromEntries(service.secrets.map((secret) => [secret, names.secret(service.name, env, secret)]))),
      },
    ],
    statements: [],
    outputs: [],
  };
}
