import { names, type TerraformRoot } from '../../spec/naming.js';
import { attributes, type Attribute } from '../shared/hcl.js';
import type { CloudEnvironment, StackContext } from './context.js';

/**
 * env/<env>.s3.tfbackend: `terraform init -backend-config=env/<env>.s3.tfbackend`
 * puts each root of each service and environment in its own state object of
 * the platform's state bucket, encrypted, locked with the platform's DynamoDB table.
 */
export function backendAttributes({ service, project }: StackContext, env: CloudEnvironment, root: TerraformRoot = 'main'): Attribute[] {
  const { terraform, cloud } = project.platform;
  return attributes({
    bucket: terraform.stateBucket,
    key: names.terraformState(service.name, env, root),
    region: cloud.region,
    dynamodb_table: terraform.lockTable,
    encrypt: true,
  });
}
