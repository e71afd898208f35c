import type { ResolvedProject } from '../../../spec/model.js';
import { names } from '../../../spec/naming.js';
import { attributes, block, map, object, raw, type Block, type BodyItem } from '../../shared/hcl.js';
import { ciConcern } from './ci.js';
import { clusterConcern } from './cluster.js';
import { tfvarsItems, uniqueVariables, variableBlocks } from '../../shared/terraform-variables.js';
import { commonVariables, ROOT_ENVIRONMENTS, type Output, type PlatformConcern } from './context.js';
import { declaredSecretsVariable, esoConcern } from './eso.js';
import { stateConcern } from './state.js';

/** One file of the root, relative to `<output>/_platform/terraform/`, before printing. */
export interface RootFile {
  readonly path: string;
  readonly items: readonly BodyItem[];
  /** Notes printed under the file's header. */
  readonly comments?: readonly string[];
}

/** The floor the service stacks set too: 1.10 locks S3 state without DynamoDB (`use_lockfile`). */
const REQUIRED_TERRAFORM = '>= 1.10';

/** The file the first apply adds to keep state locally (`*_override.tf` replaces the backend block). */
export const BOOTSTRAP_OVERRIDE = 'bootstrap_override.tf';

/**
 * How the root's own state comes to be: it lives in the bucket the root
 * creates, which does not exist before the first apply.
 */
export const BOOTSTRAP_NOTE = [
  'Apply this root once per environment, before any service stack. Its state lives in the bucket it creates, so the first apply',
  'runs with local state, through an override file that Terraform merges over the s3 backend below:',
  `  printf 'terraform {\\n  backend "local" {}\\n}\\n' > ${BOOTSTRAP_OVERRIDE}`,
  '  terraform init',
  '  terraform apply -var-file=env/<env>.tfvars',
  `  rm ${BOOTSTRAP_OVERRIDE}`,
  '  terraform init -backend-config=env/<env>.s3.tfbackend -migrate-state',
  'From then on, init with -backend-config=env/<env>.s3.tfbackend like any stack; delete the local terraform.tfstate once it is migrated.',
];

/**
 * The platform root: Terraform for the platform side of each cloud
 * environment, derived from every service of the project. State storage
 * (state.tf), the External Secrets Operator's identity (eso.tf), the CI
 * roles (ci.tf) and checks of the cluster (cluster.tf); a platform team applies it once per environment, then the
 * service stacks.
 */
export function platformTerraform(project: ResolvedProject): RootFile[] {
  const cluster = clusterConcern(project);
  const concerns: PlatformConcern[] = [stateConcern(project), esoConcern(project), ciConcern(project), ...(cluster ? [cluster] : [])];
  const variables = uniqueVariables([...commonVariables(project), ...concerns.flatMap((c) => c.variables), declaredSecretsVariable(project)]);
  return [
    { path: 'versions.tf', items: versionsBlocks(project), comments: BOOTSTRAP_NOTE },
    { path: 'providers.tf', items: providerBlocks(project) },
    { path: 'variables.tf', items: variableBlocks(variables) },
    ...concerns.map((c) => ({ path: c.file, items: c.blocks })),
    { path: 'outputs.tf', items: outputBlocks(concerns.flatMap((c) => c.outputs)) },
    ...ROOT_ENVIRONMENTS.flatMap((env) => [
      { path: `env/${env}.tfvars`, items: tfvarsItems(variables, env) },
      {
        path: `env/${env}.s3.tfbackend`,
        items: attributes({
          bucket: project.platform.terraform.stateBucket[env],
          key: names.platformState(),
          region: project.platform.cloud.region,
          encrypt: true,
          use_lockfile: true,
        }),
      },
    ]),
  ];
}

function versionsBlocks(project: ResolvedProject): Block[] {
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
 * The region and the one account of the environment, and tags on everything:
 * `managed-by = paved-platform`, not the services' `paved`, so the CI roles
 * (whose rights on roles and keys require `paved`) cannot change this root's.
 */
function providerBlocks(project: ResolvedProject): Block[] {
  return [
    block(
      'provider',
      ['aws'],
      [
        ...attributes({ region: raw('var.aws_region'), allowed_account_ids: [raw('var.aws_account_id')] }),
        block(
          'default_tags',
          [],
          attributes({ tags: map({ 'managed-by': 'paved-platform', platform: project.platform.name, environment: raw('var.environment') }) }),
        ),
      ],
    ),
    block('data', ['aws_partition', 'current'], []),
  ];
}

function outputBlocks(outputs: readonly Output[]): Block[] {
  return outputs.map((output) => block('output', [output.name], attributes({ description: output.description, value: output.value })));
}
