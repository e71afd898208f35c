import type { ResolvedService } from '../../spec/model.js';
import { type MetricName, serverHistogram } from './metrics.js';
import { anyOf, eq, re, type Matcher, rate, series, sumBy } from './promql.js';
import { decimal } from './text.js';

/**
 * Service level indicators from the server metrics (OpenTelemetry's or the Prometheus clients'), and the
 * multi-window multi-burn-rate alerting of the SRE Workbook as Sloth generates
 * it (security-rules.md §4).
 */

export type Severity = 'page' | 'ticket';

/** Every window an SLI is recorded over, shortest first. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SliWindow = (typeof SLI_WINDOWS)[number];

export interface BurnWindow {
  readonly severity: Severity;
  readonly long: SliWindow;
  readonly short: SliWindow;
  /** How many times faster than the objective allows the budget burns. */
  readonly burn: number;
  /** Share of the 30-day budget spent when the long window fires, in percent. */
  readonly budgetSpent: number;
}

/** security-rules.md §4, from Sloth's google-30d windows. Fixed, whatever the platform's sloWindow. */
export const BURN_WINDOWS: readonly BurnWindow[] = [
  { severity: 'page', long: '1h', short: '5m', burn: 14.4, budgetSpent: 2 },
  { severity: 'page', long: '6h', short: '30m', burn: 6, budgetSpent: 5 },
  { severity: 'ticket', long: '1d', short: '2h', burn: 3, budgetSpent: 10 },
  { severity: 'ticket', long: '3d', short: '6h', burn: 1, budgetSpent: 10 },
];

export const sliRecord = (window: SliWindow): MetricName => `slo:sli_error:ratio_rate${window}`;

/**
 * Default explicit bucket boundaries of the OpenTelemetry duration histograms:
 * the semantic conventions' advice for `http.server.request.duration` (seconds),
 * and the SDK default for millisecond histograms such as `rpc.server.duration`,
 * which are the same numbers in milliseconds. A latency SLI can only count requests at a
 * boundary, so it uses the largest boundary at or below the threshold: the SLO
 * is then measured slightly stricter than promised, never looser.
 */
const BUCKET_BOUNDARIES_MS: readonly number[] = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
/** The default buckets of the Prometheus clients (client_golang DefBuckets, prom-client's defaults, go-grpc-prometheus), in milliseconds. */
const PROMETHEUS_BUCKET_BOUNDARIES_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** gRPC codes that are the server's fault, as OpenTelemetry marks server spans as errors. */
const GRPC_SERVER_ERROR_CODES = ['2', '4', '12', '13', '14', '15'];
/** The same codes as go-grpc-prometheus writes them in `grpc_code` (grpc-go codes.Code.String()). */
const GRPC_SERVER_ERROR_NAMES = ['Unknown', 'DeadlineExceeded', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss'];

export type SloKind = 'availability' | 'latency';

export interface ServiceLevelObjective {
  /** `<service>-<kind>`, Sloth's `sloth_id`. */
  readonly id: string;
  readonly kind: SloKind;
  /** As a ratio, e.g. 0.999. */
  readonly objective: number;
  /** 1 - objective. */
  readonly budget: number;
  /** The objective in words, for titles and alert text. */
  readonly statement: string;
  /** The error ratio over a window, as PromQL. */
  readonly errorRatio: (window: string) => string;
}

/** How a service's server metrics are named and which of their labels mean what. */
export interface ServerMetrics {
  readonly protocol: 'http' | 'grpc';
  readonly bucket: MetricName;
  /** Every request, with the status label `serverError` matches: traffic and availability. */
  readonly count: MetricName;
  /** The histogram's own count, which latency compares its buckets with (the same series as `count` unless the convention splits them). */
  readonly latencyCount: MetricName;
  /** The histogram's boundaries, in milliseconds: a latency SLO is measured at one of them. */
  readonly boundariesMs: readonly number[];
  /** Label holding the route or method, for traffic broken down by endpoint. */
  readonly endpointLabels: readonly string[];
  /** Matcher selecting the requests that failed by the server's fault. */
  readonly serverError: Matcher;
  /** The histogram's unit, as a Grafana unit id. */
  readonly unit: 's' | 'ms';
}

/**
 * The server metrics of the service's protocol, under the names its metrics
 * convention gives them (metrics.ts): its runtime's OpenTelemetry exporter's,
 * or the Prometheus clients'.
 */
export function serverMetrics(service: ResolvedService): ServerMetrics {
  const grpc = service.runtime.protocol === 'grpc';
  if (service.observability.metrics.convention === 'prometheus')
    return grpc
      ? {
          protocol: 'grpc',
          bucket: 'grpc_server_handling_seconds_bucket',
          count: 'grpc_server_handled_total',
          latencyCount: 'grpc_server_handling_seconds_count',
          boundariesMs: PROMETHEUS_BUCKET_BOUNDARIES_MS,
          endpointLabels: ['grpc_service', 'grpc_method'],
          serverError: re('grpc_code', GRPC_SERVER_ERROR_NAMES.join('|')),
          unit: 's',
        }
      : {
          protocol: 'http',
          bucket: 'http_request_duration_seconds_bucket',
          count: 'http_request_duration_seconds_count',
          latencyCount: 'http_request_duration_seconds_count',
          boundariesMs: PROMETHEUS_BUCKET_BOUNDARIES_MS,
          endpointLabels: ['handler'],
          serverError: re('code', '5..'),
          unit: 's',
        };
  const histogram = serverHistogram(grpc ? 'rpc.server.duration' : 'http.server.request.duration', service.runtime.language);
  return grpc
    ? {
        protocol: 'grpc',
        ...histogram,
        latencyCount: histogram.count,
        boundariesMs: BUCKET_BOUNDARIES_MS,
        endpointLabels: ['rpc_service', 'rpc_method'],
        serverError: re('rpc_grpc_status_code', GRPC_SERVER_ERROR_CODES.join('|')),
        unit: 'ms',
      }
    : {
        protocol: 'http',
        ...histogram,
        latencyCount: histogram.count,
        boundariesMs: BUCKET_BOUNDARIES_MS,
        endpointLabels: ['http_route'],
        serverError: re('http_response_status_code', '5..'),
        unit: 's',
      };
}

/** The histogram boundary a latency SLO is measured at, in milliseconds (OpenTelemetry's boundaries unless others are given). */
export function measuredThresholdMs(thresholdMs: number, boundariesMs: readonly number[] = BUCKET_BOUNDARIES_MS): number {
  return boundariesMs.filter((b) => b <= thresholdMs).at(-1) ?? boundariesMs[0]!;
}

/** The `le` label value of a boundary, as Go formats it (`0.25`, `1`, `50`). */
export function leLabel(metrics: ServerMetrics, ms: number): string {
  return decimal(metrics.unit === 's' ? ms / 1000 : ms);
}

/**
 * Selects a boundary's bucket. A whole number is written `1` by the Go and
 * JavaScript exporters but `1.0` by the Java and Python ones (Double.toString,
 * prometheus_client's floatToGoString), and Prometheus 3 stores every `le` as
 * `1.0` whatever was scraped; so a whole boundary matches both spellings.
 */
export function leMatcher(metrics: ServerMetrics, ms: number): Matcher {
  const le = leLabel(metrics, ms);
  return le.includes('.') ? eq('le', le) : re('le', anyOf([le, `${le}.0`]));
}

/**
 * The service's objectives, availability first. `matchers` select the
 * service's own requests (job and namespace in rules; plus env in dashboards).
 */
export function objectives(service: ResolvedService, matchers: readonly Matcher[]): readonly ServiceLevelObjective[] {
  const slo = service.observability.slo;
  if (!slo) return [];
  const m = serverMetrics(service);
  const total = (w: string): string => sumBy([], rate(series(m.count, matchers), w));
  const histogramTotal = (w: string): string => sumBy([], rate(series(m.latencyCount, matchers), w));
  const requests = service.runtime.protocol === 'grpc' ? 'calls' : 'requests';
  const result: ServiceLevelObjective[] = [];
  const availability = slo.availability / 100;
  result.push({
    id: `${service.name}-availability`,
    kind: 'availability',
    objective: Number(decimal(availability)),
    budget: Number(decimal(1 - availability)),
    statement: `${decimal(slo.availability)}% of ${requests} succeed`,
    // No failures is a ratio of zero, not an empty result: `or vector(0)`.
    errorRatio: (w) => `(${sumBy([], rate(series(m.count, [...matchers, m.serverError]), w))} or vector(0)) / ${total(w)}`,
  });
  if (slo.latency) {
    const measured = measuredThresholdMs(slo.latency.thresholdMs, m.boundariesMs);
    const objective = slo.latency.percentile / 100;
    const at = measured === slo.latency.thresholdMs ? '' : ` (measured at the ${measured} ms bucket)`;
    result.push({
      id: `${service.name}-latency`,
      kind: 'latency',
      objective: Number(decimal(objective)),
      budget: Number(decimal(1 - objective)),
      statement: `${decimal(slo.latency.percentile)}% of ${requests} within ${slo.latency.thresholdMs} ms${at}`,
      // A missing bucket counts every request as slow, so a broken histogram pages instead of hiding.
      errorRatio: (w) =>
        `(${histogramTotal(w)} - (${sumBy([], rate(series(m.bucket, [...matchers, leMatcher(m, measured)]), w))} or vector(0))) / ${histogramTotal(w)}`,
    });
  }
  return result;
}

/** The error-ratio threshold of a burn window for a budget, as a PromQL literal (14.4 × 0.001 = 0.0144). */
export function burnThreshold(window: BurnWindow, budget: number): string {
  return decimal(window.burn * budget);
}
