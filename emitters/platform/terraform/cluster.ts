import type { ResolvedProject } from '../../../spec/model.js';
import { raw } from '../../shared/hcl.js';
import { networkPolicyChecks } from '../network-policy-check.js';
import { clusterNameVariable, type PlatformConcern } from './context.js';

/**
 * cluster.tf: what the root can check of the environment's cluster from the
 * AWS API, today that its CNI enforces NetworkPolicies. Undefined when there
 * is nothing to check (an engine the AWS provider cannot see).
 */
export function clusterConcern(project: ResolvedProject): PlatformConcern | undefined {
  const blocks = networkPolicyChecks(project.platform.kubernetes.networkPolicy.enforcement, raw('var.cluster_name'));
  if (blocks.length === 0) return undefined;
  return { file: 'cluster.tf', blocks, variables: [clusterNameVariable(project)], outputs: [] };
}
