import { attributes, block, map, object, raw, type Block } from '../shared/hcl.js';
import type { StackContext } from './context.js';

/**
 * 1.10 brought S3 state locking without DynamoDB (`use_lockfile`, backend.ts);
 * 1.7 `removed` blocks, with which a stack forgets the subscriptions that moved
 * to its subscriptions root without unsubscribing them (messaging.ts). The
 * tests run 1.11.
 */
export const REQUIRED_TERRAFORM = '>= 1.10';

/** versions.tf: Terraform and provider constraints, and an S3 backend configured per environment by env/<env>.s3.tfbackend. */
export function versionsBlocks({ project }: StackContext): Block[] {
  return [
    block(
      'terraform',
      [],
      [
        ...attributes({ required_version: REQUIRED_TERRAFORM }),
        block('required_providers', [], attributes({ aws: object({ source: 'hashicorp/aws', version: project.platform.terraform.awsProviderVersion }) })),
        block('backend', ['s3'], []),
      ],
    ),
  ];
}

/**
 * providers.tf: the region and the one account the environment's credentials
 * must belong to (a staging plan can never touch production), and tags on
 * everything the stack creates.
 */
export function providerBlocks(context: StackContext): Block[] {
  return [providerBlock(context), block('data', ['aws_partition', 'current'], [])];
}

/** The provider alone, for a root that builds no ARN of its own (subscriptions/). */
export function providerBlock({ service }: StackContext): Block {
  return block(
    'provider',
    ['aws'],
    [
      ...attributes({ region: raw('var.aws_region'), allowed_account_ids: [raw('var.aws_account_id')] }),
      block(
        'default_tags',
        [],
        attributes({
          tags: map({ 'managed-by': 'paved', service: service.name, owner: service.owner, tier: service.tier, environment: raw('var.environment') }),
        }),
      ),
    ],
  );
}
