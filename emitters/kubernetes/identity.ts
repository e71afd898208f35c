import type { k8s } from 'cdk8s-plus-32';
import type { Construct } from 'constructs';
import { names } from '../../spec/naming.js';
import { kube } from './cdk8s.js';
import type { RenderContext } from './context.js';
import { annotations, labels, metadata } from './labels.js';

/**
 * The namespace, with Pod Security Admission enforcing "restricted" so the
 * cluster itself rejects a pod that drifts from the hardened spec, and the
 * ServiceAccount that EKS Pod Identity binds to the service's IAM role.
 */
export function namespace(scope: Construct, ctx: RenderContext): k8s.KubeNamespace {
  return new (kube().KubeNamespace)(scope, 'namespace', {
    metadata: {
      name: ctx.namespace,
      labels: {
        ...labels(ctx),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      annotations: annotations(ctx),
    },
  });
}

export function serviceAccount(scope: Construct, ctx: RenderContext): k8s.KubeServiceAccount {
  return new (kube().KubeServiceAccount)(scope, 'service-account', {
    metadata: metadata(ctx, names.serviceAccount(ctx.service.name)),
    // Pods never call the Kubernetes API. EKS Pod Identity injects its own projected token.
    automountServiceAccountToken: false,
  });
}
