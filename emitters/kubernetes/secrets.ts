import { deployedName, names } from '../../spec/naming.js';
import { connectionKeys, connectionObjectName, connectionsOf, secretObjectName } from '../../spec/runtime-env.js';
import { ownedName, type RenderContext } from './context.js';
import { customResource } from './custom-resources.js';
import { metadata } from './labels.js';
import type { KubeJson } from './overrides.js';

/**
 * Secrets reach the cluster only as ExternalSecrets: a name in Secrets Manager,
 * never a value. One per declared secret, so a missing entry blocks only its
 * own variable, and one per connection secret with exactly the keys Terraform
 * writes (CONNECTION_KEYS).
 */

function externalSecret(ctx: RenderContext, name: string, data: Array<{ secretKey: string; remoteRef: { key: string; property?: string } }>): KubeJson {
  return customResource('ExternalSecret', metadata(ctx, name), {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: ctx.project.platform.kubernetes.secretStores[ctx.env] },
    // Retain: a store outage or a deleted entry must not delete the Secret running pods read.
    target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data,
  });
}

/** The service's declared secrets, from the environment's store; in preview, a store of test values. */
export function declaredSecrets(ctx: RenderContext): KubeJson[] {
  return ctx.service.secrets.map((secret) =>
    externalSecret(ctx, ownedName(ctx, secretObjectName(secret)), [{ secretKey: secret, remoteRef: { key: names.secret(ctx.service.name, ctx.env, secret) } }]),
  );
}

/** Connection details Terraform stored for each cloud resource (staging and production only). */
export function connectionSecrets(ctx: RenderContext): KubeJson[] {
  return connectionsOf(ctx.service.resources).map((connection) => {
    const key = names.connectionSecret(ctx.service.name, ctx.env, connection.kind, deployedName(connection));
    return externalSecret(
      ctx,
      connectionObjectName(connection),
      connectionKeys(connection).map((property) => ({ secretKey: property, remoteRef: { key, property } })),
    );
  });
}
