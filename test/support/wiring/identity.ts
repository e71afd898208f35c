import { quoteList, type ServiceEnv, type WiringProblem } from './context.js';
import { describe, namespaceOf, podsOf } from './kube.js';
import type { ManifestFolder } from './output.js';
import { evaluate, isObject, referencedResource, resourceExpr, resourceValue, showValue, Unknown, type Value } from './terraform.js';

/**
 * EKS Pod Identity: an `aws_eks_pod_identity_association` binds a role to a
 * namespace and ServiceAccount by name (docs: EKS User Guide, "Assign an IAM role
 * to a Kubernetes service account"; the association does not check that either
 * exists). So the Namespace and ServiceAccount must be in the manifests of the
 * same environment, some workload must run as that ServiceAccount, and the role
 * must be one of the root's roles that trusts `pods.eks.amazonaws.com`.
 */

function mentions(value: Value, text: string): boolean {
  if (value === text) return true;
  if (Array.isArray(value)) return value.some((v) => mentions(v, text));
  if (isObject(value)) return Object.values(value).some((v) => mentions(v, text));
  return false;
}

export function checkPodIdentity(ctx: ServiceEnv): WiringProblem[] {
  const problems: WiringProblem[] = [];
  for (const stack of ctx.stacks) {
    for (const association of stack.resources.filter((r) => r.type === 'aws_eks_pod_identity_association')) {
      ctx.followed('pod-identity');
      const namespace = resourceValue(association, 'namespace');
      const account = resourceValue(association, 'service_account');
      const base = { check: 'pod-identity' as const, file: association.file, object: `${association.address} (${stack.tfvars.path})` };
      const from = `namespace = ${showValue(namespace)}, service_account = ${showValue(account)}`;
      const cluster = resourceValue(association, 'cluster_name');
      const expected = ctx.platform.clusters?.[ctx.env];
      if (expected !== undefined && cluster !== expected) {
        problems.push({
          ...base,
          from: `cluster_name = ${showValue(cluster)}`,
          to: `platform kubernetes.clusters.${ctx.env} = ${JSON.stringify(expected)}`,
          message: 'the role is bound in another cluster than the one the environment deploys to',
        });
      }
      const eso = ctx.platform.externalSecrets;
      // Only `_platform/` binds the operator the platform installs itself: its
      // Namespace, ServiceAccount and pods are not in the output. A service's
      // association naming the operator is checked like any other (and fails).
      const bindsOperator = ctx.unit === ctx.tree.platform && eso !== undefined && namespace === eso.namespace && account === eso.serviceAccount;
      // For the operator, the Kubernetes end is outside the output; the role end below is not.
      // A service with no manifests in any environment is retired: its teardown takes the workloads off, then destroys the role; the role end is still checked.
      const retired = ctx.unit !== ctx.tree.platform && ctx.unit.kubernetes.size === 0;
      if (!bindsOperator && !retired) {
        if (!ctx.folder) {
          problems.push({
            ...base,
            from,
            to: `no manifests for ${ctx.env} in ${ctx.unit.name}/kubernetes`,
            message: 'the role is bound in an environment with no workloads',
          });
          continue;
        }
        problems.push(...checkKubernetesEnd(ctx, ctx.folder, base, from, namespace, account));
      }
      const roleRef = referencedResource(resourceExpr(association, 'role_arn'));
      const role = roleRef?.type === 'aws_iam_role' ? stack.resources.find((r) => r.type === 'aws_iam_role' && r.name === roleRef.name) : undefined;
      const roleExpr = resourceExpr(association, 'role_arn');
      if (!role) {
        problems.push({
          ...base,
          from: `role_arn = ${roleExpr ? showValue(evaluate(roleExpr, association.scope)) : '(unset)'}`,
          to: `aws_iam_role resources of ${stack.root.dir}: ${quoteList(stack.resources.filter((r) => r.type === 'aws_iam_role').map((r) => r.address))}`,
          message: 'the association binds a role this root does not create',
        });
        continue;
      }
      const trust = resourceExpr(role, 'assume_role_policy');
      const policy = trust?.kind === 'call' && trust.name === 'jsonencode' && trust.args[0] ? evaluate(trust.args[0], role.scope) : new Unknown('');
      if (!mentions(policy, 'pods.eks.amazonaws.com')) {
        problems.push({
          ...base,
          from: `role_arn = ${role.address}.arn`,
          to: `${role.address} assume_role_policy (${role.file}) does not trust pods.eks.amazonaws.com`,
          message: 'the bound role cannot be assumed through Pod Identity',
        });
      }
    }
  }
  return problems;
}

/** The Kubernetes end of an association: the Namespace and ServiceAccount exist in the environment, and a workload runs as it. */
function checkKubernetesEnd(
  ctx: ServiceEnv,
  folder: ManifestFolder,
  base: Omit<WiringProblem, 'from' | 'to' | 'message'>,
  from: string,
  namespace: Value | undefined,
  account: Value | undefined,
): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const namespaces = ctx.envFolders.flatMap((f) => f.objects.filter((o) => o.kind === 'Namespace').map((o) => o.name));
  if (!namespaces.includes(String(namespace))) {
    problems.push({
      ...base,
      from,
      to: `Namespaces in the ${ctx.env} manifests: ${quoteList(namespaces)}`,
      message: 'the association names a namespace the manifests do not create',
    });
  }
  const accounts = folder.objects.filter((o) => o.kind === 'ServiceAccount');
  if (!accounts.some((o) => o.name === account && namespaceOf(o, folder) === namespace)) {
    problems.push({
      ...base,
      from,
      to: `ServiceAccounts in ${folder.dir}: ${quoteList(accounts.map((o) => `${namespaceOf(o, folder)}/${o.name}`))}`,
      message: 'the association names a ServiceAccount the manifests do not create',
    });
  } else {
    const pods = podsOf(folder).filter((p) => p.namespace === namespace);
    if (!pods.some((p) => (p.spec.serviceAccountName ?? 'default') === account)) {
      problems.push({
        ...base,
        from,
        to: `serviceAccountName of the workloads in ${folder.dir}: ${quoteList(pods.map((p) => `${describe(p.owner)}: ${p.spec.serviceAccountName ?? 'default'}`))}`,
        message: 'no workload runs as the ServiceAccount the role is bound to',
      });
    }
  }
  return problems;
}
