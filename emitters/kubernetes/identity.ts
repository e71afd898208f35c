import { names } from '../../spec/naming.js';
import type { RenderContext } from './context.js';
import { annotations, labels, metadata } from './labels.js';
import { kubeObject } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/**
 * The namespace, with Pod Security Admission enforcing "restricted" so the
 * cluster itself rejects a pod that drifts from the hardened spec, and the
 * ServiceAccount that EKS Pod Identity binds to the service's IAM role.
 */
export function namespace(ctx: RenderContext): KubeJson {
  // Added to the fresh labels object rather than spread into another: spreading a map of computed keys is slow.
  const podSecurity = labels(ctx);
  podSecurity['pod-security.kubernetes.io/enforce'] = 'restricted';
  podSecurity['pod-security.kubernetes.io/enforce-version'] = 'latest';
  podSecurity['pod-security.kubernetes.io/audit'] = 'restricted';
  podSecurity['pod-security.kubernetes.io/warn'] = 'restricted';
  return kubeObject('Namespace', {
    metadata: { name: ctx.namespace, labels: podSecurity, annotations: annotations(ctx) },
  });
}

export function serviceAccount(ctx: RenderContext): KubeJson {
  return kubeObject('ServiceAccount', {
    metadata: metadata(ctx, names.serviceAccount(ctx.service.name)),
    // Pods never call the Kubernetes API. EKS Pod Identity injects its own projected token.
    automountServiceAccountToken: false,
  });
}
