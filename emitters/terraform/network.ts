import { attributes, raw, type Block } from '../shared/hcl.js';
import { resource } from './context.js';

/**
 * A security group that admits only the cluster's pods, on its ports
 * (CKV_AWS_23/24/25/260/277, CKV2_AWS_5, AVD-AWS-0099/0104/0107/0124): a
 * description on the group and its rules, no CIDR, and no egress rule at all
 * (Terraform removes the allow-all egress AWS adds to a new group). A built-in's
 * one rule takes the group's local name; a resource type's rules are named per port.
 */
export function podIngressSecurityGroup(
  local: string,
  name: ReturnType<typeof raw>,
  what: string,
  ports: readonly number[],
  ruleName: (port: number) => string = () => local,
): Block[] {
  return [
    resource(
      'aws_security_group',
      local,
      attributes({
        name,
        description: `${what}: admits only the cluster's pods`,
        vpc_id: raw('var.vpc_id'),
      }),
    ),
    ...ports.map((port) =>
      resource(
        'aws_vpc_security_group_ingress_rule',
        ruleName(port),
        attributes({
          security_group_id: raw(`aws_security_group.${local}.id`),
          description: `${what} from the cluster's pods`,
          referenced_security_group_id: raw('var.pod_security_group_id'),
          ip_protocol: 'tcp',
          from_port: port,
          to_port: port,
        }),
      ),
    ),
  ];
}
