import type { Language, MetricsConvention } from '../../spec/model.js';

/**
 * The metric contract: every metric a generated dashboard or rule reads, its
 * labels, and who emits it. The emitter can only name metrics listed here (the
 * `MetricName` type), a test checks every generated query against this list,
 * and the table in docs/targets/observability.md must match it row for row.
 *
 * A service's own server metrics are named by its runtime's OpenTelemetry
 * Prometheus exporter, and the exporters disagree: the JavaScript one appends
 * no unit suffix (`http_server_request_duration_bucket`; scraped from the node
 * skeleton with the 0.223 line, and read in exporter-prometheus 0.301, which only
 * ever appends `_total`; test/conformance/skeleton-metrics.test.ts),
 * while the Python, Go and Java ones follow the OpenTelemetry compatibility
 * specification and append the unit (`s` becomes `_seconds`, `ms`
 * `_milliseconds`: opentelemetry-python's `map_unit`, opentelemetry-go's
 * default translation strategy, opentelemetry-java's
 * UNDERSCORE_ESCAPING_WITH_SUFFIXES). So each application metric lists the
 * runtimes that export it under that name, and the rules and dashboards of a
 * service read the names of its runtime (`serverHistogram`).
 *
 * A service that declares `observability.metrics.convention: prometheus`
 * exports Prometheus client names instead, whatever its runtime: HTTP as
 * client_golang's promhttp and prom-client middlewares name it
 * (`http_request_duration_seconds`, the status in `code` as promhttp labels it,
 * the method in `method`, the endpoint in a `handler` label the app adds), gRPC
 * as go-grpc-prometheus (and its Java and Node ports) name it: calls and their
 * status in `grpc_server_handled_total{grpc_code}`, latency in
 * `grpc_server_handling_seconds`, which carries no code.
 *
 * Besides the labels listed, every series carries `env` (the environment), the
 * external label each environment's Prometheus sets, so dashboards reading all
 * environments through one data source can tell them apart.
 */

export type MetricSource = 'application' | 'kube-state-metrics' | 'cadvisor' | 'cloudwatch' | 'prometheus' | 'paved';

/** The server duration histograms of the OpenTelemetry semantic conventions that paved reads. */
export type ServerInstrument = 'http.server.request.duration' | 'rpc.server.duration';

export interface MetricContractEntry {
  readonly name: string;
  readonly labels: readonly string[];
  readonly source: MetricSource;
  /** Application metrics: the naming convention (observability.metrics.convention) that names it so. */
  readonly convention?: MetricsConvention;
  /** Application metrics: the instrument and histogram series this name is, and the runtimes that export it so. */
  readonly instrument?: ServerInstrument;
  readonly series?: 'bucket' | 'count';
  readonly runtimes?: readonly Language[];
}

/** Who emits each source's metrics, in words, for docs/targets/observability.md. */
export const METRIC_SOURCES: Readonly<Record<MetricSource, string>> = {
  application:
    "the service, on the port and path of its observability.metrics (by default the OpenTelemetry SDK's Prometheus exporter on the container port `metrics`, the platform's observability.metricsPort (9464), at /metrics), scraped by the ServiceMonitor (a worker's PodMonitor) with `job` = service name",
  'kube-state-metrics': 'kube-state-metrics in each cluster',
  cadvisor: "the kubelet's cAdvisor endpoint in each cluster",
  cloudwatch: "the CloudWatch exporter (YACE) in each environment's account; AWS dimensions become `dimension_<Name>` labels",
  prometheus: 'Prometheus itself',
  paved: 'the recording rules in `alerts/rules.yaml` (Sloth naming)',
};

// Generic in the name so `MetricName` is the union of the literal names below.
const entry =
  (source: MetricSource) =>
  <N extends string>(name: N, labels: readonly string[]) => ({ name, labels, source });
/** An application histogram series as the given runtimes' exporters name it. */
const app =
  (instrument: ServerInstrument, series: 'bucket' | 'count', runtimes: readonly Language[]) =>
  <N extends string>(name: N, labels: readonly string[]) => ({
    ...entry('application')(name, labels),
    convention: 'opentelemetry' as const,
    instrument,
    series,
    runtimes,
  });
/** An application metric under Prometheus client names (convention: prometheus), whatever the runtime. */
const client = <N extends string>(name: N, labels: readonly string[]) => ({ ...entry('application')(name, labels), convention: 'prometheus' as const });
const ksm = entry('kube-state-metrics');
const cadvisor = entry('cadvisor');
const aws = entry('cloudwatch');
const slo = <N extends string>(name: N) => entry('paved')(name, ['sloth_id', 'sloth_service', 'sloth_slo', 'sloth_window']);

const HTTP_LABELS = ['job', 'namespace', 'http_request_method', 'http_route', 'http_response_status_code'] as const;
const RPC_LABELS = ['job', 'namespace', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code'] as const;
const PROMETHEUS_HTTP_LABELS = ['job', 'namespace', 'method', 'handler', 'code'] as const;
const PROMETHEUS_GRPC_LABELS = ['job', 'namespace', 'grpc_type', 'grpc_service', 'grpc_method'] as const;
const CONTAINER = ['namespace', 'pod', 'container'] as const;
const HPA = ['namespace', 'horizontalpodautoscaler'] as const;
const CRONJOB = ['namespace', 'cronjob'] as const;

/**
 * Runtimes whose exporter appends the unit. `container` is an image paved knows
 * nothing about: it must export the semantic-convention names with the unit
 * suffixes of the OpenTelemetry Prometheus compatibility specification, as the
 * OpenTelemetry Collector's Prometheus exporter also writes them.
 */
const UNIT_SUFFIXED: readonly Language[] = ['python', 'go', 'java', 'container'];
/** Runtimes whose exporter writes the instrument name alone: the JavaScript SDK. */
const UNSUFFIXED: readonly Language[] = ['node'];
const HTTP = 'http.server.request.duration';
const RPC = 'rpc.server.duration';

export const METRIC_CONTRACT = [
  // OpenTelemetry HTTP server semantic conventions (stable since v1.23): seconds.
  app(HTTP, 'bucket', UNIT_SUFFIXED)('http_server_request_duration_seconds_bucket', [...HTTP_LABELS, 'le']),
  app(HTTP, 'count', UNIT_SUFFIXED)('http_server_request_duration_seconds_count', HTTP_LABELS),
  app(HTTP, 'bucket', UNSUFFIXED)('http_server_request_duration_bucket', [...HTTP_LABELS, 'le']),
  app(HTTP, 'count', UNSUFFIXED)('http_server_request_duration_count', HTTP_LABELS),
  // OpenTelemetry RPC conventions as instrumentations emit them by default (v1.37 and before): milliseconds.
  app(RPC, 'bucket', UNIT_SUFFIXED)('rpc_server_duration_milliseconds_bucket', [...RPC_LABELS, 'le']),
  app(RPC, 'count', UNIT_SUFFIXED)('rpc_server_duration_milliseconds_count', RPC_LABELS),
  app(RPC, 'bucket', UNSUFFIXED)('rpc_server_duration_bucket', [...RPC_LABELS, 'le']),
  app(RPC, 'count', UNSUFFIXED)('rpc_server_duration_count', RPC_LABELS),
  // Prometheus client names (convention: prometheus): client_golang / prom-client HTTP, go-grpc-prometheus gRPC; seconds.
  client('http_request_duration_seconds_bucket', [...PROMETHEUS_HTTP_LABELS, 'le']),
  client('http_request_duration_seconds_count', PROMETHEUS_HTTP_LABELS),
  client('grpc_server_handled_total', [...PROMETHEUS_GRPC_LABELS, 'grpc_code']),
  client('grpc_server_handling_seconds_bucket', [...PROMETHEUS_GRPC_LABELS, 'le']),
  client('grpc_server_handling_seconds_count', PROMETHEUS_GRPC_LABELS),
  ksm('kube_namespace_status_phase', ['namespace', 'phase']),
  ksm('kube_pod_container_status_waiting_reason', [...CONTAINER, 'reason']),
  ksm('kube_pod_container_status_restarts_total', CONTAINER),
  ksm('kube_pod_container_resource_requests', [...CONTAINER, 'resource', 'unit']),
  ksm('kube_pod_container_resource_limits', [...CONTAINER, 'resource', 'unit']),
  ksm('kube_horizontalpodautoscaler_status_current_replicas', HPA),
  ksm('kube_horizontalpodautoscaler_status_desired_replicas', HPA),
  ksm('kube_horizontalpodautoscaler_spec_min_replicas', HPA),
  ksm('kube_horizontalpodautoscaler_spec_max_replicas', HPA),
  ksm('kube_cronjob_status_active', CRONJOB),
  ksm('kube_cronjob_status_last_schedule_time', CRONJOB),
  ksm('kube_cronjob_status_last_successful_time', CRONJOB),
  ksm('kube_cronjob_next_schedule_time', CRONJOB),
  ksm('kube_cronjob_spec_suspend', CRONJOB),
  ksm('kube_job_status_failed', ['namespace', 'job_name']),
  cadvisor('container_cpu_usage_seconds_total', CONTAINER),
  cadvisor('container_memory_working_set_bytes', CONTAINER),
  aws('aws_sqs_approximate_number_of_messages_visible_maximum', ['dimension_QueueName']),
  aws('aws_sqs_approximate_age_of_oldest_message_maximum', ['dimension_QueueName']),
  aws('aws_sns_number_of_messages_published_sum', ['dimension_TopicName']),
  aws('aws_sns_number_of_notifications_failed_sum', ['dimension_TopicName']),
  aws('aws_rds_cpuutilization_average', ['dimension_DBInstanceIdentifier']),
  aws('aws_rds_database_connections_average', ['dimension_DBInstanceIdentifier']),
  aws('aws_rds_free_storage_space_average', ['dimension_DBInstanceIdentifier']),
  aws('aws_rds_read_latency_average', ['dimension_DBInstanceIdentifier']),
  aws('aws_rds_write_latency_average', ['dimension_DBInstanceIdentifier']),
  aws('aws_elasticache_engine_cpuutilization_average', ['dimension_CacheClusterId']),
  aws('aws_elasticache_database_memory_usage_percentage_average', ['dimension_CacheClusterId']),
  aws('aws_elasticache_cache_hits_sum', ['dimension_CacheClusterId']),
  aws('aws_elasticache_cache_misses_sum', ['dimension_CacheClusterId']),
  aws('aws_elasticache_evictions_sum', ['dimension_CacheClusterId']),
  aws('aws_elasticache_curr_connections_average', ['dimension_CacheClusterId']),
  entry('prometheus')('ALERTS', ['alertname', 'alertstate', 'service', 'severity']),
  slo('slo:sli_error:ratio_rate5m'),
  slo('slo:sli_error:ratio_rate30m'),
  slo('slo:sli_error:ratio_rate1h'),
  slo('slo:sli_error:ratio_rate2h'),
  slo('slo:sli_error:ratio_rate6h'),
  slo('slo:sli_error:ratio_rate1d'),
  slo('slo:sli_error:ratio_rate3d'),
  slo('slo:objective:ratio'),
  slo('slo:error_budget:ratio'),
  slo('slo:time_period:days'),
  slo('slo:current_burn_rate:ratio'),
  slo('slo:period_burn_rate:ratio'),
  slo('slo:period_error_budget_remaining:ratio'),
] as const satisfies readonly MetricContractEntry[];

export type MetricName = (typeof METRIC_CONTRACT)[number]['name'];

/** The names under which a runtime exports a server histogram: one bucket and one count series per runtime. */
export function serverHistogram(instrument: ServerInstrument, language: Language): { readonly bucket: MetricName; readonly count: MetricName } {
  const find = (series: 'bucket' | 'count'): MetricName => {
    const found = METRIC_CONTRACT.filter(
      (m): m is Extract<(typeof METRIC_CONTRACT)[number], { series: unknown }> =>
        'series' in m && m.convention === 'opentelemetry' && m.instrument === instrument && m.series === series && m.runtimes.includes(language),
    );
    if (found.length !== 1) throw new Error(`METRIC_CONTRACT names ${instrument} ${series} for ${language} ${found.length} times; it must name it once`);
    return found[0]!.name;
  };
  return { bucket: find('bucket'), count: find('count') };
}
