import { asDeployed, names } from '../../spec/naming.js';
import { hasPassword, PASSWORD_KEY } from '../../spec/runtime-env.js';
import { ownedName, type RenderContext } from './context.js';
import { customResource, PASSWORD_GENERATOR_API_VERSION } from './custom-resources.js';
import { deployedDatabases, masterField, masterSecretSources } from './database-bootstrap.js';
import { metadata } from './labels.js';
import type { KubeJson } from './overrides.js';

/**
 * The password of a database with `auth: password`, as the Secret
 * `db-password-<database>` the service's pods read as `<KIND>_<NAME>_PASSWORD`
 * (spec/runtime-env.ts connectionEnv). Never in Terraform, its state or the
 * output: only its source is.
 *
 * Staging and production: the RDS-managed master password. RDS names its
 * secret `rds!db-<uuid>`, unknown at compile time, so the ExternalSecret finds
 * it as the database bootstrap does, by the tag RDS sets on it
 * (`aws:rds:primaryDBInstanceArn` = the instance ARN, which paved derives);
 * the platform's ESO role may read exactly the master secrets so tagged with
 * its services' instances (emitters/platform/terraform/eso.ts).
 *
 * Rotation: RDS rotates a managed master password (every 7 days unless set
 * otherwise), and the old one stops working at once. The Secret follows within
 * PASSWORD_REFRESH; a variable in a running container does not, but a
 * restarted container reads the Secret anew. Open connections survive
 * rotation; an app that fails to authenticate should exit, so Kubernetes
 * restarts it with the new password (docs/targets/kubernetes.md).
 *
 * Preview: a password External Secrets generates once (a Password generator,
 * refreshInterval 0), which the stand-in is created with and the app reads.
 * A MySQL database gets one whatever its auth, since its stand-in cannot take
 * IAM tokens (connectionEnv).
 */

/** How soon the Secret follows a rotation: each refresh costs one ListSecrets and one GetSecretValue call. */
export const PASSWORD_REFRESH = '5m';

/** The password Secrets of a cloud environment: one per `auth: password` database. */
export function cloudPasswordSecrets(ctx: RenderContext): KubeJson[] {
  return deployedDatabases(ctx)
    .filter((d) => d.auth === 'password')
    .map((database) => {
      const name = names.databasePasswordSecret(database.name);
      return customResource('ExternalSecret', metadata(ctx, name), {
        refreshInterval: PASSWORD_REFRESH,
        secretStoreRef: { kind: 'ClusterSecretStore', name: ctx.project.platform.kubernetes.secretStores[ctx.env] },
        target: {
          name,
          creationPolicy: 'Owner',
          deletionPolicy: 'Retain',
          template: { engineVersion: 'v2', data: { [PASSWORD_KEY]: masterField('password') } },
        },
        dataFrom: masterSecretSources(ctx, database),
      });
    });
}

/** Preview's password Secrets: a generator and the ExternalSecret that runs it once, per database with a password there. */
export function previewPasswordSecrets(ctx: RenderContext): KubeJson[] {
  return ctx.service.resources.databases
    .filter((d) => hasPassword(d, 'preview'))
    .map(asDeployed)
    .flatMap((database) => {
      const name = ownedName(ctx, names.databasePasswordSecret(database.name));
      return [
        // Letters and digits only: the password goes into connection strings unescaped more often than it should.
        customResource('Password', metadata(ctx, name), {
          length: 32,
          digits: 8,
          symbols: 0,
          noUpper: false,
          allowRepeat: true,
        }),
        customResource('ExternalSecret', metadata(ctx, name), {
          refreshInterval: '0',
          target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          dataFrom: [{ sourceRef: { generatorRef: { apiVersion: PASSWORD_GENERATOR_API_VERSION, kind: 'Password', name } } }],
        }),
      ];
    });
}
