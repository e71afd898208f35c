import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import type { BodyItem } from '../shared/hcl.js';
import { backendAttributes } from './backend.js';
import { cacheConcern } from './cache.js';
import { STACK_ENVIRONMENTS, type Concern, type StackContext } from './context.js';
import { databaseConcern } from './database.js';
import { iamConcern } from './iam.js';
import { commonVariables } from './inputs.js';
import { kmsConcern } from './kms.js';
import { messagingConcern } from './messaging.js';
import { outputBlocks } from './outputs.js';
import { resourceTypesConcern } from './resource-types.js';
import { secretsConcern } from './secrets.js';
import { storageConcern } from './storage.js';
import { subscriptionsRoot } from './subscriptions.js';
import { tfvarsItems, uniqueVariables, variableBlocks } from '../shared/terraform-variables.js';
import { providerBlocks, versionsBlocks } from './versions.js';

/** One file of a stack, relative to `<output>/<service>/terraform/` (`subscriptions/...` for the subscriptions root), before printing. */
export interface StackFile {
  readonly path: string;
  readonly items: readonly BodyItem[];
}

/**
 * A service's Terraform as typed HCL, file by file: its main stack and, when it
 * subscribes to topics, its subscriptions root (subscriptions.ts). What the
 * emitter prints and what the security tests read. Only the files the service needs.
 */
export function terraformStack(service: ResolvedService, project: ResolvedProject): StackFile[] {
  const context: StackContext = { service, project };
  const resourceConcerns = [
    databaseConcern(context),
    cacheConcern(context),
    messagingConcern(context),
    storageConcern(context),
    secretsConcern(context),
    resourceTypesConcern(context),
  ].filter((c): c is Concern => c !== undefined);
  // The key exists when something is encrypted with it; a service with no resources and no secrets needs none.
  const kms = resourceConcerns.length > 0 ? kmsConcern(context) : undefined;
  const { topics, subscriptions, buckets } = service.resources;
  // Pods use the key only where AWS hands them encrypted data to decrypt or asks them for a data key:
  // SQS messages, SNS publishes and S3 objects. RDS, ElastiCache and Secrets Manager decrypt on their side.
  const podsUseKey = topics.length + subscriptions.length + buckets.length > 0;
  const iam = iamConcern(
    context,
    resourceConcerns.flatMap((c) => c.statements),
    kms && podsUseKey ? { encrypt: topics.length > 0 || buckets.length > 0 } : undefined,
  );
  const concerns = [...(kms ? [kms] : []), ...resourceConcerns, iam];
  const variables = uniqueVariables([...commonVariables(context), ...concerns.flatMap((c) => c.variables)]);
  return [
    { path: 'versions.tf', items: versionsBlocks(context) },
    { path: 'providers.tf', items: providerBlocks(context) },
    { path: 'variables.tf', items: variableBlocks(variables) },
    ...concerns.map((c) => ({ path: c.file, items: c.blocks })),
    { path: 'outputs.tf', items: outputBlocks(concerns.flatMap((c) => c.outputs)) },
    ...STACK_ENVIRONMENTS.flatMap((env) => [
      { path: `env/${env}.tfvars`, items: tfvarsItems(variables, env) },
      { path: `env/${env}.s3.tfbackend`, items: backendAttributes(context, env) },
    ]),
    ...subscriptionsRoot(context),
  ];
}
