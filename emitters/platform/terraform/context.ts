import type { ResolvedProject } from '../../../spec/model.js';
import { CLOUD_ENVIRONMENTS, ENVIRONMENT_SHORT } from '../../../spec/naming.js';
import { block, call, raw, template, type Block, type BodyItem, type Expression, type Raw, type Template } from '../../shared/hcl.js';
import type { CloudEnvironment, Output, Variable } from '../../shared/terraform-variables.js';

export type { CloudEnvironment, Output, Variable };

/**
 * The platform root's building blocks: like a service stack, the .tf files are
 * the same for staging and production and everything that differs is a
 * variable with a value per environment in env/<env>.tfvars
 * (emitters/shared/terraform-variables.ts).
 */

export const ROOT_ENVIRONMENTS = CLOUD_ENVIRONMENTS as readonly CloudEnvironment[];

/** One concern of the root: the blocks of its file and the inputs and outputs it adds. */
export interface PlatformConcern {
  readonly file: string;
  readonly blocks: readonly Block[];
  readonly variables: readonly Variable[];
  readonly outputs: readonly Output[];
}

export const resource = (type: string, name: string, body: readonly BodyItem[], comments: readonly string[] = []): Block =>
  block('resource', [type, name], body, comments);
export const data = (type: string, name: string, body: readonly BodyItem[], comments: readonly string[] = []): Block =>
  block('data', [type, name], body, comments);

export const PARTITION = raw('data.aws_partition.current.partition');
export const REGION = raw('var.aws_region');
export const ACCOUNT = raw('var.aws_account_id');
/** `stg` or `prd`: every name paved derives for a service in the environment holds `-<infix>-` after the service name. */
export const NAME_INFIX = raw('var.name_infix');

/** `arn:<partition>:<service>:<region>:<account>:<resource...>`; `global` services (IAM, S3) leave region (and S3 the account) empty. */
export function arn(service: string, scope: 'regional' | 'global' | 's3', ...resourceParts: readonly (string | Raw)[]): Template {
  const region = scope === 'regional' ? [REGION] : [];
  const account = scope === 's3' ? [] : [ACCOUNT];
  return template('arn:', PARTITION, `:${service}:`, ...region, ':', ...account, ':', ...resourceParts);
}

/** `formatlist(format, ...)` over a list variable: one ARN per name the tfvars list. */
export const everyName = (format: string, list: Raw, ...before: readonly Expression[]): Expression => call('formatlist', format, ...before, list);

export const STRING = raw('string');
export const LIST_OF_STRINGS: Expression = call('list', STRING);

/** The inputs every concern reads: where the root deploys and which of paved's names are this environment's. */
export function commonVariables(project: ResolvedProject): Variable[] {
  const { platform } = project;
  return [
    { name: 'environment', description: 'The environment this copy of the platform root serves: staging or production.', type: STRING, value: (env) => env },
    { name: 'aws_region', description: 'Region of the environment.', type: STRING, value: () => platform.cloud.region },
    {
      name: 'aws_account_id',
      description: "AWS account of the environment; the provider refuses any other account's credentials.",
      type: STRING,
      value: (env) => platform.cloud.accounts[env],
    },
    {
      name: 'name_infix',
      description: 'The environment part of every name paved derives for a service (<service>-<infix>-...).',
      type: STRING,
      value: (env) => ENVIRONMENT_SHORT[env],
    },
  ];
}

/** The environment's EKS cluster: where the External Secrets Operator runs and whose add-ons the checks read. */
export const clusterNameVariable = (project: ResolvedProject): Variable => ({
  name: 'cluster_name',
  description: 'EKS cluster of the environment, where the External Secrets Operator runs.',
  type: raw('string'),
  value: (env: CloudEnvironment): Expression => project.platform.kubernetes.clusters[env],
});
