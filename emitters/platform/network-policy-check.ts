import type { NetworkPolicyEnforcement } from '../../spec/model.js';
import { attribute, block, call, raw, type Block, type Expression } from '../shared/hcl.js';

/**
 * A Terraform `check` that the cluster enforces the NetworkPolicies paved
 * generates (platform.yaml kubernetes.networkPolicy.enforcement). Without an
 * enforcing engine the API server accepts them and nothing is isolated.
 *
 * Only the Amazon VPC CNI can be read from the AWS API: its EKS add-on carries
 * its version and its configuration values. The CNI enforces policies from
 * v1.14.0 on (the aws-eks-nodeagent container, EKS 1.25 or later), and only
 * when `enableNetworkPolicy` is "true" in the add-on's configuration; it is off
 * by default (docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html,
 * aws.github.io/amazon-vpc-cni-k8s/docs/network-policy-faq.html). Calico and
 * Cilium run in the cluster, where Terraform's AWS provider cannot look, so
 * they get no check (an empty list).
 *
 * The data source is scoped to the check: if the add-on cannot be read (a
 * self-managed CNI, no permission), plan and apply warn instead of failing, like
 * a failed assertion does.
 */
export function networkPolicyChecks(enforcement: NetworkPolicyEnforcement, clusterName: Expression): readonly Block[] {
  if (enforcement !== 'vpc-cni') return [];
  const addon = 'data.aws_eks_addon.vpc_cni';
  // "v1.18.3-eksbuild.1" -> [1, 18]; anything unreadable fails the assertion, never the plan.
  const versionPart = (index: number): string => `tonumber(split(".", trimprefix(${addon}.addon_version, "v"))[${index}])`;
  return [
    block(
      'check',
      ['vpc_cni_network_policy'],
      [
        block('data', ['aws_eks_addon', 'vpc_cni'], [attribute('cluster_name', clusterName), attribute('addon_name', 'vpc-cni')]),
        block(
          'assert',
          [],
          [
            attribute('condition', call('try', raw(`${versionPart(0)} * 1000 + ${versionPart(1)} >= 1014`), false)),
            attribute(
              'error_message',
              'The vpc-cni add-on is older than v1.14.0, which cannot enforce NetworkPolicies: every policy paved generates is accepted and ignored. Update the add-on (platform.yaml kubernetes.networkPolicy.enforcement: vpc-cni).',
            ),
          ],
        ),
        block(
          'assert',
          [],
          [
            attribute('condition', call('try', raw(`lower(tostring(jsondecode(${addon}.configuration_values).enableNetworkPolicy)) == "true"`), false)),
            attribute(
              'error_message',
              'The vpc-cni add-on does not have enableNetworkPolicy set to "true" in its configuration values, so NetworkPolicies are accepted and ignored. Set configuration_values = jsonencode({ enableNetworkPolicy = "true" }) on the add-on (platform.yaml kubernetes.networkPolicy.enforcement: vpc-cni).',
            ),
          ],
        ),
      ],
    ),
  ];
}
