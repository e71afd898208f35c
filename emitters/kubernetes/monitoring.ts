import type { RenderContext } from './context.js';
import { withMonitorLabels } from '../shared/monitor-labels.js';
import { customResource } from './custom-resources.js';
import { LABEL, metadata, selectorLabels } from './labels.js';
import { metricsPortName } from './ports.js';
import type { KubeJson } from './overrides.js';

/**
 * The scrape config the observability emitter relies on: the metrics port and
 * path (observability.metrics, by default port `metrics`, 9464, /metrics), and `job` = the service name (taken from the name label). A service
 * is scraped through its Service; a worker, which has none, through its pods.
 */
export function monitor(ctx: RenderContext): KubeJson {
  const meta = metadata(ctx, ctx.service.name, 'server');
  const labelled = { ...meta, labels: withMonitorLabels(meta.labels, ctx.project.platform) };
  const endpoint = { port: metricsPortName(ctx.service), path: ctx.service.observability.metrics.path, interval: '30s' };
  const selector = { matchLabels: selectorLabels(ctx, 'server') };
  if (ctx.service.runtime.port === undefined) {
    return customResource('PodMonitor', labelled, { jobLabel: LABEL.name, selector, podMetricsEndpoints: [endpoint] });
  }
  return customResource('ServiceMonitor', labelled, { jobLabel: LABEL.name, selector, endpoints: [endpoint] });
}
