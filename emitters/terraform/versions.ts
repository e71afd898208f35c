import { attributes, block, map, object, raw, type Block } from '../shared/hcl.js';
import type { StackContext } from './context.js';

/**
 * A floor, not a feature the stacks need (they use nothing past 1.1's `nullable`):
 * 1.6 reworked the S3 backend the stacks are initialised with. The tests run 1.11.
 */
const REQUIRED_TERRAFORM = '>= 1.6';

/** versions.tf: Terraform and provider constraints, and an S3 backend configured per environment by env/<env>.s3.tfbackend. */
export function versionsBlocks({ project }: StackContext): Block[] {
  return [
    block('terraform', [], [
      ...attributes({ required_version: REQUIRED_TERRAFORM }),
      block('required_providers', [], attributes({ aws: object({ source: 'hashicorp/aws', version: project.platform.terraform.awsProviderVersion }) })),
      block('backend', ['s3'], []),
    ]),
  ];
}

/**
 * providers.tf: the region and the one account the environment's credentials
 * must belong to (a staging plan can never touch production), and tags on
 * everything the stack creates.
 */
export function providerBlocks({ service }: StackContext): Block[] {
  return [
    block('provider', ['aws'], [
      ...attributes({ region: raw('var.aws_region'), allowed_account_ids: [raw('var.aws_account_id')] }),
      block('default_tags', [], attributes({ tags: map({ 'managed-by': 'paved', service: service.name, owner: service.owner, tier: service.tier, environment: raw('var.environment') }) })),
    ]),
    block('data', ['aws_partition', 'current'], []),
  ];
}
