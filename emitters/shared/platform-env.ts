import type { ResolvedProject, ResolvedService } from '../../spec/model.js';

/**
 * The platform's part of a container's environment (spec/runtime-env.ts,
 * PLATFORM_ENV_NAMES), as plain values: shared by the Kubernetes pods and the
 * local-development Compose project, so the two set the same names the same way.
 */

export type Workload = { readonly kind: 'server' } | { readonly kind: 'cron'; readonly job: string } | { readonly kind: 'job'; readonly job: string };

export interface PlatformEnvInput {
  readonly service: ResolvedService;
  readonly project: ResolvedProject;
  /** `preview`, `staging`, `production`, or `dev` for the Compose project. */
  readonly environment: string;
  /** service.version: the released tag, `preview`, `unreleased` or `dev`. */
  readonly version: string;
  readonly workload: Workload;
  /** AWS_ENDPOINT_URL, where a stand-in answers for AWS (LocalStack). */
  readonly awsEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT; default: the platform's collector. */
  readonly otlpEndpoint?: string;
}

export function platformEnv(input: PlatformEnvInput): Record<string, string> {
  const { service, project, environment, workload } = input;
  const attributes: Record<string, string> = {
    'deployment.environment': environment,
    'deployment.environment.name': environment,
    'service.version': input.version,
    team: service.owner,
    ...(workload.kind === 'cron' ? { 'paved.cron.job': workload.job } : {}),
    ...(workload.kind === 'job' ? { 'paved.job': workload.job } : {}),
  };
  // A cron or job pod lives too briefly to be scraped, so it pushes its metrics instead. An app that exports
  // Prometheus client names serves them itself: an OpenTelemetry exporter beside it would only take a port.
  const { metrics: declared } = service.observability;
  const metrics: Record<string, string> =
    workload.kind !== 'server'
      ? { OTEL_METRICS_EXPORTER: 'otlp' }
      : declared.convention === 'prometheus'
        ? { OTEL_METRICS_EXPORTER: 'none' }
        : { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: String(declared.port) };
  return {
    AWS_REGION: project.platform.cloud.region,
    ...(input.awsEndpoint !== undefined ? { AWS_ENDPOINT_URL: input.awsEndpoint } : {}),
    LOG_FORMAT: 'json',
    OTEL_EXPORTER_OTLP_ENDPOINT: input.otlpEndpoint ?? project.platform.observability.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    // Logs go to stdout as JSON, where the node's log agent collects them.
    OTEL_LOGS_EXPORTER: 'none',
    ...metrics,
    // The rules read the stable HTTP conventions (http.server.request.duration, seconds); instrumentations
    // that still default to the old ones (http.server.duration, ms) switch with this, the rest ignore it.
    OTEL_SEMCONV_STABILITY_OPT_IN: 'http',
    OTEL_RESOURCE_ATTRIBUTES: Object.entries(attributes)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
    OTEL_SERVICE_NAME: service.name,
    OTEL_TRACES_EXPORTER: 'otlp',
    PAVED_ENVIRONMENT: environment,
    ...(workload.kind === 'server' && service.runtime.port !== undefined ? { PORT: String(service.runtime.port) } : {}),
  };
}
