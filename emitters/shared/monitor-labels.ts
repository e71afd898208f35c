import type { ResolvedPlatform } from '../../spec/model.js';

/**
 * The labels of every object a Prometheus Operator selects for the service:
 * ServiceMonitor and PodMonitor (Kubernetes emitter) and PrometheusRule
 * (observability emitter). kube-prometheus-stack selects all three by the same
 * `release: <name>` label, so they must carry the same set; the platform's
 * monitorLabels come last and win.
 */
export function withMonitorLabels(labels: Readonly<Record<string, string>>, platform: ResolvedPlatform): Record<string, string> {
  return { ...labels, ...platform.kubernetes.monitorLabels };
}
