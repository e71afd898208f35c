import { call, raw, type Expression } from '../shared/hcl.js';
import type { StackContext, Variable } from './context.js';

/**
 * Inputs every stack or several concerns share. A concern lists the ones it
 * reads; variables.ts declares each once.
 */
const string = raw('string');

export function commonVariables({ project }: StackContext): Variable[] {
  const { platform } = project;
  return [
    {
      name: 'environment',
      description: 'The environment this copy of the stack serves.',
      type: string,
      validation: {
        condition: call('contains', ['staging', 'production'], raw('var.environment')),
        errorMessage: 'environment is staging or production; preview runs in-cluster stand-ins and has no stack.',
      },
      value: (env) => env,
    },
    { name: 'aws_region', description: 'Region the stack deploys to.', type: string, value: () => platform.cloud.region },
    {
      name: 'aws_account_id',
      description: "AWS account of the environment; the provider refuses any other account's credentials.",
      type: string,
      validation: {
        condition: call('can', call('regex', '^[0-9]{12}$', raw('var.aws_account_id'))),
        errorMessage: 'aws_account_id is a 12-digit AWS account id.',
      },
      value: (env) => platform.cloud.accounts[env],
    },
  ];
}

/** Where databases and caches live, and the one source they admit. */
export function networkVariables({ project }: StackContext): Variable[] {
  const { network } = project.platform;
  return [
    { name: 'vpc_id', description: 'VPC of the databases and caches.', type: string, value: (env) => network.vpcId[env] },
    {
      name: 'private_subnet_ids',
      description: 'Private subnets of the databases and caches, one per availability zone.',
      type: call('list', string),
      value: (env) => [...network.privateSubnetIds[env]],
    },
    {
      name: 'pod_security_group_id',
      description: "Security group of the cluster's pods: the only source databases and caches admit.",
      type: string,
      value: (env) => network.podSecurityGroupIds[env],
    },
  ];
}

/** The platform's data protection policy for the environment (platform.yaml policy.<env>). */
export function dataPolicyVariables({ service }: StackContext): Variable[] {
  const policy = (env: 'staging' | 'production') => service.environments[env].policy;
  return [
    {
      name: 'deletion_protection',
      description: 'Whether databases refuse deletion.',
      type: raw('bool'),
      value: (env): Expression => policy(env).deletionProtection,
    },
    {
      name: 'multi_az',
      description: 'Whether databases and caches keep a standby in another availability zone.',
      type: raw('bool'),
      value: (env): Expression => policy(env).multiAz,
    },
    {
      name: 'backup_retention_days',
      description: 'Days automated backups and snapshots are kept.',
      type: raw('number'),
      // CKV_AWS_133 and AVD-AWS-0077 accept less; a week is the least worth restoring from.
      validation: { condition: raw('var.backup_retention_days >= 7 && var.backup_retention_days <= 35'), errorMessage: 'backup_retention_days is 7 to 35.' },
      value: (env): Expression => policy(env).backupRetentionDays,
    },
  ];
}
