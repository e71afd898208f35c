import { names, type TerraformRoot } from '../../spec/naming.js';
import { attributes, type Attribute } from '../shared/hcl.js';
import type { CloudEnvironment, StackContext } from './context.js';

/**
 * env/<env>.s3.tfbackend: `terraform init -backend-config=env/<env>.s3.tfbackend`
 * puts each root of each service and environment in its own state object of
 * that environment's state bucket (platform.yaml terraform.stateBucket, one per
 * account when the accounts differ; the platform root creates it), encrypted,
 * locked with that environment's DynamoDB table.
 */
export function backendAttributes({ service, project }: StackContext, env: CloudEnvironment, root: TerraformRoot = 'main'): Attribute[] {
  const { terraform, cloud } = project.platform;
  return attributes({
    bucket: terraform.stateBucket[env],
    key: names.terraformState(service.name, env, root),
    region: cloud.region,
    dynamodb_table: terraform.lockTable[env],
    encrypt: true,
  });
}
