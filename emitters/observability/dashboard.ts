import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { CLOUD_ENVIRONMENTS, deployedName, deployedTopic, names } from '../../spec/naming.js';
import { alertListPath, dashboardUid, OVERVIEW_UID } from './links.js';
import {
  BUDGET,
  DATASOURCE,
  datasourceVariable,
  environmentVariable,
  link,
  markdown,
  PanelIds,
  type Query,
  row,
  stat,
  timeseries,
  ZERO_IS_GOOD,
} from './panels.js';
import { anyOf, eq, type Matcher, ne, rate, re, series, sumBy } from './promql.js';
import { BURN_WINDOWS, burnThreshold, objectives, serverMetrics, sliRecord, type ServiceLevelObjective } from './slo.js';
import { decimal, grafanaMarkdownText, grafanaPlainText, trimSlash } from './text.js';
import { grafana } from './grafana.js';

/** Grafana's step-aware range for rate(): at least four scrape intervals. */
const RANGE = '$__rate_interval';
const ENV = eq('env', '$env');
const NAMESPACE = eq('namespace', '$namespace');

/** Environments the dashboard can show, production first: what on-call opens it for. */
function dashboardEnvironments(service: ResolvedService): readonly EnvironmentName[] {
  return (['production', 'staging', 'preview'] as const).filter((env) => service.environments[env].enabled);
}

/** The dashboard's variables: data source, environment, and the namespace (the service's, or a preview's). */
function variables(service: ResolvedService, project: ResolvedProject) {
  const namespaces = [anyOf([names.namespace(service.name)])];
  if (service.environments.preview.enabled) namespaces.push(names.previewNamespace(anyOf([service.name]), '[0-9]+'));
  return [
    datasourceVariable(project.platform.observability.prometheusDatasource),
    environmentVariable(dashboardEnvironments(service)),
    new (grafana().dashboard.QueryVariableBuilder)('namespace')
      .label('Namespace')
      .datasource(DATASOURCE)
      .query(`label_values(${series('kube_namespace_status_phase', [ENV, re('namespace', namespaces.join('|'))])}, namespace)`)
      .refresh(grafana().dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(grafana().dashboard.VariableSort.AlphabeticalAsc)
      .current({ text: names.namespace(service.name), value: names.namespace(service.name) }),
  ];
}

function overview(ids: PanelIds, service: ResolvedService, project: ResolvedProject, slos: readonly ServiceLevelObjective[]) {
  const md = grafanaMarkdownText;
  const kind = service.runtime.port === undefined ? 'worker (no port)' : `${service.runtime.protocol} on port ${service.runtime.port}`;
  const lines = [
    `**${md(service.name)}**${service.description === '' ? '' : `: ${md(service.description)}`}`,
    '',
    // No code spans: markdown shows entities inside them as written.
    `Team ${md(service.owner)} · tier ${md(service.tier)} · alerts route ${md(service.observability.alerts.route)} · ${md(kind)}`,
    '',
    `Objectives: ${slos.length === 0 ? 'none (no requests to measure)' : slos.map((s) => md(s.statement)).join('; ')} over ${md(project.platform.observability.sloWindow)}.`,
  ];
  return [markdown(ids, 'About', lines.join('\n'), 18, 5), firingAlerts(ids, 'Firing alerts', service, { width: 6, height: 5 })];
}

/** How many of the service's alerts fire in the selected environment. */
export function firingAlerts(ids: PanelIds, title: string, service: ResolvedService, size: { readonly width: number; readonly height: number }) {
  const query = `count(${series('ALERTS', [eq('service', service.name), ENV, eq('alertstate', 'firing')])}) or vector(0)`;
  return stat(ids, title, [{ expr: query, legend: 'firing' }], { unit: 'none', width: size.width, height: size.height, steps: ZERO_IS_GOOD });
}

function red(ids: PanelIds, service: ResolvedService) {
  const m = serverMetrics(service);
  const own = [eq('job', service.name), ENV, NAMESPACE];
  const total = sumBy([], rate(series(m.count, own), RANGE));
  const quantile = (q: number): Query => ({
    expr: `histogram_quantile(${q}, ${sumBy(['le'], rate(series(m.bucket, own), RANGE))})`,
    legend: `p${decimal(q * 100)}`,
  });
  const what = m.protocol === 'grpc' ? 'Calls' : 'Requests';
  return [
    timeseries(
      ids,
      `${what} per second`,
      [{ expr: sumBy(m.endpointLabels, rate(series(m.count, own), RANGE)), legend: m.endpointLabels.map((l) => `{{${l}}}`).join(' ') }],
      { unit: 'reqps', width: 8, min: 0 },
    ),
    timeseries(
      ids,
      'Server errors',
      [{ expr: `(${sumBy([], rate(series(m.count, [...own, m.serverError]), RANGE))} or vector(0)) / ${total}`, legend: 'error ratio' }],
      {
        unit: 'percentunit',
        width: 8,
        min: 0,
        description:
          m.protocol === 'grpc'
            ? 'Share of calls ending in UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE or DATA_LOSS.'
            : 'Share of requests answered with a 5xx status.',
      },
    ),
    timeseries(ids, 'Latency', [quantile(0.5), quantile(0.9), quantile(0.99)], { unit: m.unit, width: 8, min: 0 }),
  ];
}

function sloPanels(ids: PanelIds, service: ResolvedService, slos: readonly ServiceLevelObjective[]) {
  return slos.flatMap((slo) => {
    const id = eq('sloth_id', slo.id);
    const pages = BURN_WINDOWS.filter((b) => b.severity === 'page');
    const title = slo.kind === 'availability' ? 'Availability' : 'Latency';
    const budget = decimal(slo.budget);
    return [
      stat(ids, `${title} objective`, [{ expr: series('slo:objective:ratio', [id, ENV]), legend: 'objective' }], {
        unit: 'percentunit',
        width: 4,
        height: 8,
        description: slo.statement,
      }),
      stat(ids, `${title} error budget remaining`, [{ expr: series('slo:period_error_budget_remaining:ratio', [id, ENV]), legend: 'remaining' }], {
        unit: 'percentunit',
        width: 4,
        height: 8,
        steps: BUDGET,
      }),
      stat(ids, `${title} burn rate now`, [{ expr: series('slo:current_burn_rate:ratio', [id, ENV]), legend: '5m' }], {
        unit: 'none',
        width: 4,
        height: 8,
        description: 'How many times faster than the objective allows the budget is spent, over the last 5 minutes.',
        steps: [
          { value: null, color: 'green' },
          { value: 1, color: 'orange' },
          { value: pages[0]!.burn, color: 'red' },
        ],
      }),
      timeseries(
        ids,
        `${title} burn rate by window`,
        BURN_WINDOWS.map((b) => ({ expr: `${series(sliRecord(b.long), [id, ENV])} / ${budget}`, legend: b.long })),
        {
          unit: 'none',
          width: 12,
          min: 0,
          description: `Pages at ${pages.map((b) => `${b.burn}x over ${b.long} (and ${b.short})`).join(' or ')}; error-ratio thresholds ${pages.map((b) => burnThreshold(b, slo.budget)).join(' and ')}.`,
        },
      ),
    ];
  });
}

function saturation(ids: PanelIds, service: ResolvedService) {
  const pods = [ENV, NAMESPACE];
  const containers = [...pods, ne('container', '')];
  const resource = (metric: 'container_cpu_usage_seconds_total' | 'container_memory_working_set_bytes', name: 'cpu' | 'memory'): Query[] => [
    {
      expr: sumBy(['pod'], metric === 'container_cpu_usage_seconds_total' ? rate(series(metric, containers), RANGE) : series(metric, containers)),
      legend: '{{pod}}',
    },
    { expr: `max(${sumBy(['pod'], series('kube_pod_container_resource_requests', [...pods, eq('resource', name)]))})`, legend: 'request' },
    { expr: `max(${sumBy(['pod'], series('kube_pod_container_resource_limits', [...pods, eq('resource', name)]))})`, legend: 'limit' },
  ];
  const hpa = [...pods, eq('horizontalpodautoscaler', service.name)];
  return [
    timeseries(ids, 'CPU per pod', resource('container_cpu_usage_seconds_total', 'cpu'), {
      unit: 'short',
      min: 0,
      description: 'Cores used per pod against the request and limit.',
    }),
    timeseries(ids, 'Memory per pod', resource('container_memory_working_set_bytes', 'memory'), {
      unit: 'bytes',
      min: 0,
      description: 'Working set per pod against the request and limit; at the limit the pod is OOM-killed.',
    }),
    timeseries(
      ids,
      'Container restarts',
      [{ expr: sumBy(['pod'], `increase(${series('kube_pod_container_status_restarts_total', pods)}[${RANGE}])`), legend: '{{pod}}' }],
      { unit: 'none', min: 0 },
    ),
    timeseries(
      ids,
      'Replicas',
      [
        { expr: series('kube_horizontalpodautoscaler_status_current_replicas', hpa), legend: 'current' },
        { expr: series('kube_horizontalpodautoscaler_status_desired_replicas', hpa), legend: 'desired' },
        { expr: series('kube_horizontalpodautoscaler_spec_min_replicas', hpa), legend: 'min' },
        { expr: series('kube_horizontalpodautoscaler_spec_max_replicas', hpa), legend: 'max' },
      ],
      { unit: 'none', min: 0 },
    ),
  ];
}

/** AWS names differ per environment; the env label picks the environment, so match every cloud environment's name. */
function awsNames(name: (env: EnvironmentName) => string): string {
  return anyOf(CLOUD_ENVIRONMENTS.map(name));
}

function databases(ids: PanelIds, service: ResolvedService) {
  const db = [
    ENV,
    re(
      'dimension_DBInstanceIdentifier',
      service.resources.databases.map((d) => awsNames((env) => names.rdsInstance(service.name, env, deployedName(d)))).join('|'),
    ),
  ];
  const by = (metric: Parameters<typeof series>[0], legend = '{{dimension_DBInstanceIdentifier}}'): Query => ({
    expr: sumBy(['dimension_DBInstanceIdentifier'], series(metric, db), 'max'),
    legend,
  });
  return [
    timeseries(ids, 'Database CPU', [by('aws_rds_cpuutilization_average')], { unit: 'percent', width: 6, min: 0 }),
    timeseries(ids, 'Database connections', [by('aws_rds_database_connections_average')], { unit: 'none', width: 6, min: 0 }),
    timeseries(ids, 'Database free storage', [by('aws_rds_free_storage_space_average')], { unit: 'bytes', width: 6, min: 0 }),
    timeseries(
      ids,
      'Database I/O latency',
      [
        by('aws_rds_read_latency_average', 'read {{dimension_DBInstanceIdentifier}}'),
        by('aws_rds_write_latency_average', 'write {{dimension_DBInstanceIdentifier}}'),
      ],
      { unit: 's', width: 6, min: 0 },
    ),
  ];
}

function caches(ids: PanelIds, service: ResolvedService) {
  // A replication group's member clusters are named <group>-001, <group>-002, ...
  const groups = service.resources.caches.map((c) => awsNames((env) => names.cacheReplicationGroup(service.name, env, deployedName(c)))).join('|');
  const cache = [ENV, re('dimension_CacheClusterId', `(${groups})-[0-9]+`)];
  const by = (metric: Parameters<typeof series>[0], inner = series(metric, cache)): string => sumBy(['dimension_CacheClusterId'], inner, 'max');
  const sum = (metric: Parameters<typeof series>[0]): string => sumBy(['dimension_CacheClusterId'], series(metric, cache));
  return [
    timeseries(ids, 'Cache engine CPU', [{ expr: by('aws_elasticache_engine_cpuutilization_average'), legend: '{{dimension_CacheClusterId}}' }], {
      unit: 'percent',
      width: 6,
      min: 0,
    }),
    timeseries(ids, 'Cache memory used', [{ expr: by('aws_elasticache_database_memory_usage_percentage_average'), legend: '{{dimension_CacheClusterId}}' }], {
      unit: 'percent',
      width: 6,
      min: 0,
    }),
    timeseries(
      ids,
      'Cache hit ratio',
      [
        {
          expr: `${sum('aws_elasticache_cache_hits_sum')} / (${sum('aws_elasticache_cache_hits_sum')} + ${sum('aws_elasticache_cache_misses_sum')})`,
          legend: '{{dimension_CacheClusterId}}',
        },
      ],
      {
        unit: 'percentunit',
        width: 6,
        min: 0,
      },
    ),
    timeseries(
      ids,
      'Cache evictions and connections',
      [
        { expr: sum('aws_elasticache_evictions_sum'), legend: 'evictions {{dimension_CacheClusterId}}' },
        { expr: by('aws_elasticache_curr_connections_average'), legend: 'connections {{dimension_CacheClusterId}}' },
      ],
      { unit: 'none', width: 6, min: 0 },
    ),
  ];
}

function topics(ids: PanelIds, service: ResolvedService) {
  const topic = [
    ENV,
    re('dimension_TopicName', service.resources.topics.map((t) => awsNames((env) => names.snsTopic(service.name, env, deployedName(t)))).join('|')),
  ];
  const by = (metric: 'aws_sns_number_of_messages_published_sum' | 'aws_sns_number_of_notifications_failed_sum'): Query => ({
    expr: sumBy(['dimension_TopicName'], series(metric, topic)),
    legend: '{{dimension_TopicName}}',
  });
  return [
    timeseries(ids, 'Messages published', [by('aws_sns_number_of_messages_published_sum')], {
      unit: 'none',
      min: 0,
      description: 'Per CloudWatch period (usually 5 minutes).',
    }),
    timeseries(ids, 'Failed deliveries to subscribers', [by('aws_sns_number_of_notifications_failed_sum')], { unit: 'none', min: 0 }),
  ];
}

function queues(ids: PanelIds, service: ResolvedService) {
  const subs = service.resources.subscriptions;
  const queueNames = re('dimension_QueueName', subs.map((s) => awsNames((env) => names.sqsQueue(service.name, env, s.from, deployedTopic(s)))).join('|'));
  const dlqNames = re(
    'dimension_QueueName',
    subs.map((s) => awsNames((env) => names.sqsDeadLetterQueue(service.name, env, s.from, deployedTopic(s)))).join('|'),
  );
  const by = (
    metric: 'aws_sqs_approximate_number_of_messages_visible_maximum' | 'aws_sqs_approximate_age_of_oldest_message_maximum',
    queue: Matcher,
  ): Query => ({
    expr: sumBy(['dimension_QueueName'], series(metric, [ENV, queue]), 'max'),
    legend: '{{dimension_QueueName}}',
  });
  return [
    timeseries(ids, 'Queue depth', [by('aws_sqs_approximate_number_of_messages_visible_maximum', queueNames)], {
      unit: 'none',
      width: 8,
      min: 0,
      description: 'Messages waiting to be received.',
    }),
    timeseries(ids, 'Oldest message age', [by('aws_sqs_approximate_age_of_oldest_message_maximum', queueNames)], { unit: 's', width: 8, min: 0 }),
    timeseries(ids, 'Dead-letter messages', [by('aws_sqs_approximate_number_of_messages_visible_maximum', dlqNames)], {
      unit: 'none',
      width: 8,
      min: 0,
      description: 'Messages that failed every delivery; anything above zero raises DeadLetterQueueNotEmpty.',
      steps: ZERO_IS_GOOD,
    }),
  ];
}

function cronJobs(ids: PanelIds, service: ResolvedService) {
  const jobs = service.resources.cron.map((c) => names.cronJob(service.name, deployedName(c)));
  const cronjob = [ENV, NAMESPACE, re('cronjob', anyOf(jobs))];
  return [
    stat(
      ids,
      'Since last success',
      [{ expr: `time() - ${sumBy(['cronjob'], series('kube_cronjob_status_last_successful_time', cronjob), 'max')}`, legend: '{{cronjob}}' }],
      {
        unit: 's',
        width: 8,
        height: 8,
        noValue: 'never succeeded',
      },
    ),
    // The CronJob controller names each run <cronjob>-<scheduled minute>.
    timeseries(
      ids,
      'Failed runs',
      [{ expr: sumBy(['job_name'], series('kube_job_status_failed', [ENV, NAMESPACE, re('job_name', `(${anyOf(jobs)})-[0-9]+`)])), legend: '{{job_name}}' }],
      {
        unit: 'none',
        width: 8,
        min: 0,
      },
    ),
    timeseries(ids, 'Active runs', [{ expr: sumBy(['cronjob'], series('kube_cronjob_status_active', cronjob)), legend: '{{cronjob}}' }], {
      unit: 'none',
      width: 8,
      min: 0,
    }),
  ];
}

/** The service's dashboard: overview, RED, SLO, saturation, then one row per kind of dependency it declares. */
export function serviceDashboard(service: ResolvedService, project: ResolvedProject): Dashboard {
  const ids = new PanelIds();
  const slos = objectives(service, [eq('job', service.name), ENV, NAMESPACE]);
  const { databases: dbs, caches: cs, topics: ts, subscriptions, cron } = service.resources;
  const sections: ReadonlyArray<readonly [string, boolean, (ids: PanelIds) => ReadonlyArray<Builder<Panel>>]> = [
    ['Overview', true, (i) => overview(i, service, project, slos)],
    [service.runtime.protocol === 'grpc' ? 'Calls (gRPC)' : 'Requests (HTTP)', service.runtime.port !== undefined, (i) => red(i, service)],
    [`Service level objectives (${project.platform.observability.sloWindow})`, slos.length > 0, (i) => sloPanels(i, service, slos)],
    ['Saturation', true, (i) => saturation(i, service)],
    ['Databases', dbs.length > 0, (i) => databases(i, service)],
    ['Caches', cs.length > 0, (i) => caches(i, service)],
    ['Topics', ts.length > 0, (i) => topics(i, service)],
    ['Queues', subscriptions.length > 0, (i) => queues(i, service)],
    ['Cron jobs', cron.length > 0, (i) => cronJobs(i, service)],
  ];
  const builder = new (grafana().dashboard.DashboardBuilder)(grafanaPlainText(service.name))
    .uid(dashboardUid(service))
    .description(grafanaPlainText(service.description))
    .tags(['paved', service.owner, service.tier].map(grafanaPlainText))
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .links([
      link('Alert rules', alertListPath(service)),
      link('Runbooks', trimSlash(project.platform.observability.runbookBaseUrl)),
      link('Services overview', `/d/${OVERVIEW_UID}`, true),
    ]);
  for (const variable of variables(service, project)) builder.withVariable(variable);
  for (const [title, shown, panels] of sections) {
    if (!shown) continue;
    builder.withRow(row(ids, title));
    for (const panel of panels(ids)) builder.withPanel(panel);
  }
  return builder.build();
}
