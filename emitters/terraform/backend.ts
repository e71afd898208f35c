import { names, type TerraformRoot } from '../../spec/naming.js';
import { attributes, type Attribute } from '../shared/hcl.js';
import type { CloudEnvironment, StackContext } from './context.js';

/**
 * env/<env>.s3.tfbackend: `terraform init -backend-config=env/<env>.s3.tfbackend`
 * puts each root of each service and environment in its own state object of
 * that environment's state bucket (platform.yaml terraform.stateBucket, one per
 * account; the platform root creates it), encrypted, and locked with a lock
 * file next to the state object (`use_lockfile`, S3 conditional writes,
 * Terraform >= 1.10) rather than the deprecated DynamoDB table.
 */
export function backendAttributes({ service, project }: StackContext, env: CloudEnvironment, root: TerraformRoot = 'main'): Attribute[] {
  const { terraform, cloud } = project.platform;
  return attributes({
    bucket: terraform.stateBucket[env],
    key: names.terraformState(service.name, env, root),
    region: cloud.region,
    encrypt: true,
    use_lockfile: true,
  });
}
