import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { deployedName, deployedTopic, names } from '../../spec/naming.js';
import { dashboardUrl, runbookUrl } from './links.js';
import { eq, type Matcher, series, sumBy } from './promql.js';
import { BURN_WINDOWS, burnThreshold, objectives, type ServiceLevelObjective, type Severity, SLI_WINDOWS, type SliWindow, sliRecord } from './slo.js';
import { decimal, goTemplateLiteral } from './text.js';

/** The Prometheus rule file format (prometheus.io/docs/prometheus/latest/configuration/recording_rules). */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: ReadonlyArray<RecordingRule | AlertingRule>;
}

/** Environments with a Prometheus that evaluates the service's rules: the cloud ones. */
export type RuleEnvironment = Extract<EnvironmentName, 'staging' | 'production'>;

// How long a condition must hold before these alerts fire; the kubernetes-mixin's
// KubePodCrashLooping and KubeHpaMaxedOut use the same 15 minutes.
const CRASH_LOOP_FOR = '15m';
const AUTOSCALER_AT_MAX_FOR = '15m';
/** A CronJob whose next run is this late was missed: well past any starting deadline. */
const CRON_MISSED_AFTER_SECONDS = 900;
const CRON_FAILED_FOR = '5m';
/** CloudWatch publishes SQS metrics every few minutes, late: look back over gaps, then wait. */
const DLQ_LOOKBACK = '15m';
const DLQ_FOR = '5m';
/**
 * A subscription's oldest message older than this means its worker is not
 * keeping up, or not consuming at all. Every sample of the lookback must be
 * over it (min_over_time bridges CloudWatch's gaps without firing on a spike).
 */
const QUEUE_AGE_SECONDS = 900;
const QUEUE_AGE_LOOKBACK = '15m';
const QUEUE_AGE_FOR = '5m';

/** The alerts paved generates; each has one runbook page under the platform's runbookBaseUrl. */
export type AlertName =
  | 'AvailabilityErrorBudgetBurnFast'
  | 'AvailabilityErrorBudgetBurnSlow'
  | 'LatencyErrorBudgetBurnFast'
  | 'LatencyErrorBudgetBurnSlow'
  | 'PodCrashLooping'
  | 'AutoscalerAtMaxReplicas'
  | 'CronJobFailed'
  | 'CronJobMissed'
  | 'DeadLetterQueueNotEmpty'
  | 'QueueMessageAgeHigh';

interface Context {
  readonly service: ResolvedService;
  readonly project: ResolvedProject;
  readonly env: RuleEnvironment;
  /** The dashboard link every alert of the environment carries, made template-safe once. */
  readonly dashboardUrl: string;
  /** The description's tail naming the service, the same for every alert. */
  readonly about: string;
}

/**
 * Labels every alert carries, for routing and grouping in Alertmanager. Staging
 * never pages: its alerts are tickets whatever their production severity.
 */
function alertLabels({ service, env }: Context, severity: Severity, extra: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  // Filled key by key from an empty object: V8 adds keys to a copy made by spreading slowly, and every alert has these labels.
  const labels: Record<string, string> = {};
  for (const key of Object.keys(extra)) labels[key] = goTemplateLiteral(extra[key]!);
  labels.service = goTemplateLiteral(service.name);
  labels.env = env;
  labels.team = goTemplateLiteral(service.owner);
  labels.tier = goTemplateLiteral(service.tier);
  labels.route = goTemplateLiteral(service.observability.alerts.route);
  labels.severity = env === 'production' ? severity : 'ticket';
  return labels;
}

/**
 * `extra` labels tell apart the alerts of one name in a service (one per cron
 * job or queue), which Prometheus would otherwise take for duplicates.
 */
function alertRule(
  ctx: Context,
  alert: AlertName,
  severity: Severity,
  expr: string,
  forDuration: string | undefined,
  summary: string,
  description: string,
  extra: Readonly<Record<string, string>> = {},
): AlertingRule {
  const labels = alertLabels(ctx, severity, extra);
  const annotations = {
    summary: goTemplateLiteral(summary),
    description: goTemplateLiteral(`${description}${ctx.about}`),
    dashboard_url: ctx.dashboardUrl,
    runbook_url: goTemplateLiteral(runbookUrl(ctx.project, alert)),
  };
  return forDuration ? { alert, expr, for: forDuration, labels, annotations } : { alert, expr, labels, annotations };
}

/** The requests of this service in its environment's cluster. */
const serviceMatchers = (service: ResolvedService): readonly Matcher[] => [eq('job', service.name), eq('namespace', names.namespace(service.name))];

/** Sloth's labels for an SLO's series. */
const sloLabels = (service: ResolvedService, slo: ServiceLevelObjective): Readonly<Record<string, string>> => ({
  sloth_id: slo.id,
  sloth_service: service.name,
  sloth_slo: slo.kind,
});

/**
 * An objective's rules that no environment changes: its recordings, and its
 * alerts' conditions and texts. Built once per service, shared by the
 * environments' rule groups.
 */
interface SloRules {
  readonly slo: ServiceLevelObjective;
  readonly recordings: readonly RuleGroup[];
  readonly alerts: ReadonlyArray<{
    readonly name: AlertName;
    readonly severity: Severity;
    readonly condition: string;
    readonly summary: string;
    readonly description: string;
  }>;
}

function sloRules(service: ResolvedService, project: ResolvedProject, slo: ServiceLevelObjective): SloRules {
  const labels = sloLabels(service, slo);
  const window = project.platform.observability.sloWindow;
  const id = eq('sloth_id', slo.id);
  const budget = decimal(slo.budget);
  const sli = (w: SliWindow): string => series(sliRecord(w), [id]);
  const sliRecordings: RecordingRule[] = SLI_WINDOWS.map((w) => ({ record: sliRecord(w), expr: slo.errorRatio(w), labels: { ...labels, sloth_window: w } }));
  const meta: RecordingRule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${decimal(slo.objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${window.slice(0, -1)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: `${sli('5m')} / ${budget}`, labels },
    // The mean of the 5-minute ratios over the window, as Sloth computes its period ratio.
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `avg_over_time(${sli('5m')}[${window}]) / ${budget}`,
      labels: { ...labels, sloth_window: window },
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - ${series('slo:period_burn_rate:ratio', [id])}`,
      labels: { ...labels, sloth_window: window },
    },
  ];
  // Fast burns page, slow burns open tickets; separate names let each have its runbook and silence.
  const alertName = (severity: Severity): AlertName =>
    `${slo.kind === 'availability' ? 'Availability' : 'Latency'}ErrorBudgetBurn${severity === 'page' ? 'Fast' : 'Slow'}`;
  // Both windows must exceed the burn: the long one proves it matters, the short one that it is still happening.
  const condition = (severity: Severity): string =>
    BURN_WINDOWS.filter((b) => b.severity === severity)
      .map((b) => {
        const over = (w: SliWindow): string => `max(${series(sliRecord(w), [id])} > ${burnThreshold(b, slo.budget)}) without (sloth_window)`;
        return `(\n  ${over(b.short)}\n  and\n  ${over(b.long)}\n)`;
      })
      .join('\nor\n');
  const windows = (severity: Severity): string =>
    BURN_WINDOWS.filter((b) => b.severity === severity)
      .map((b) => `${b.burn}x over ${b.long} and ${b.short} (${b.budgetSpent}% of the ${window} budget)`)
      .join(' or ');
  return {
    slo,
    recordings: [
      { name: `sloth-slo-sli-recordings-${slo.id}`, rules: sliRecordings },
      { name: `sloth-slo-meta-recordings-${slo.id}`, rules: meta },
    ],
    alerts: (['page', 'ticket'] as const).map((severity) => ({
      name: alertName(severity),
      severity,
      condition: condition(severity),
      summary: `${service.name} is spending its ${slo.kind} error budget ${severity === 'page' ? 'fast' : 'steadily'}`,
      description: `The objective "${slo.statement}" over ${window} is burning at ${windows(severity)}.`,
    })),
  };
}

/** An objective's groups in one environment: the shared recordings, then its alerts, labelled for the environment. */
function sloGroups(ctx: Context, rules: SloRules): readonly RuleGroup[] {
  return [
    ...rules.recordings,
    {
      name: `sloth-slo-alerts-${rules.slo.id}`,
      rules: rules.alerts.map((a) => alertRule(ctx, a.name, a.severity, a.condition, undefined, a.summary, a.description)),
    },
  ];
}

/** The alerts every workload gets, SLO or not. */
function workloadAlerts(ctx: Context): readonly AlertingRule[] {
  const { service, env } = ctx;
  const namespace = eq('namespace', names.namespace(service.name));
  const rules: AlertingRule[] = [
    alertRule(
      ctx,
      'PodCrashLooping',
      'page',
      `${sumBy(['namespace', 'pod', 'container'], `max_over_time(${series('kube_pod_container_status_waiting_reason', [namespace, eq('reason', 'CrashLoopBackOff')])}[5m])`, 'max')} >= 1`,
      CRASH_LOOP_FOR,
      `${service.name} has a container in CrashLoopBackOff`,
      `A container of ${service.name} has been restarting for ${CRASH_LOOP_FOR}.`,
    ),
  ];
  const scaling = service.environments[env].scaling;
  // An autoscaler whose minimum is its maximum is always at its maximum.
  if (scaling.max > scaling.min) {
    const hpa = [namespace, eq('horizontalpodautoscaler', service.name)];
    const byHpa = (metric: 'kube_horizontalpodautoscaler_status_current_replicas' | 'kube_horizontalpodautoscaler_spec_max_replicas'): string =>
      sumBy(['namespace', 'horizontalpodautoscaler'], series(metric, hpa), 'max');
    rules.push(
      alertRule(
        ctx,
        'AutoscalerAtMaxReplicas',
        'ticket',
        `${byHpa('kube_horizontalpodautoscaler_status_current_replicas')} >= ${byHpa('kube_horizontalpodautoscaler_spec_max_replicas')}`,
        AUTOSCALER_AT_MAX_FOR,
        `${service.name} has run at its maximum of ${scaling.max} replicas for ${AUTOSCALER_AT_MAX_FOR}`,
        `The autoscaler cannot add capacity; raise environments.${env}.scaling.max or find what drives the load.`,
      ),
    );
  }
  for (const job of service.resources.cron) {
    const cronjob = [namespace, eq('cronjob', names.cronJob(service.name, deployedName(job)))];
    const by = (inner: string): string => sumBy(['namespace', 'cronjob'], inner, 'max');
    const lastSchedule = series('kube_cronjob_status_last_schedule_time', cronjob);
    // A job that never succeeded has no last success: count it as the epoch.
    const lastSuccess = `${series('kube_cronjob_status_last_successful_time', cronjob)} or ${lastSchedule} * 0`;
    rules.push(
      alertRule(
        ctx,
        'CronJobFailed',
        'ticket',
        `${by(lastSchedule)} > ${by(lastSuccess)}\nand on (namespace, cronjob)\n${by(series('kube_cronjob_status_active', cronjob))} == 0`,
        CRON_FAILED_FOR,
        `Cron job ${job.name} of ${service.name} failed its last run`,
        `The last run of ${job.name} (schedule "${job.schedule}") finished without succeeding.`,
        { cronjob: names.cronJob(service.name, deployedName(job)) },
      ),
      alertRule(
        ctx,
        'CronJobMissed',
        'ticket',
        `time() - ${by(series('kube_cronjob_next_schedule_time', cronjob))} > ${CRON_MISSED_AFTER_SECONDS}\nand on (namespace, cronjob)\n${by(series('kube_cronjob_spec_suspend', cronjob))} == 0`,
        undefined,
        `Cron job ${job.name} of ${service.name} missed its schedule`,
        `${job.name} (schedule "${job.schedule}") should have started more than ${CRON_MISSED_AFTER_SECONDS / 60} minutes ago and did not.`,
        { cronjob: names.cronJob(service.name, deployedName(job)) },
      ),
    );
  }
  for (const subscription of service.resources.subscriptions) {
    const dlq = names.sqsDeadLetterQueue(service.name, env, subscription.from, deployedTopic(subscription));
    const queue = names.sqsQueue(service.name, env, subscription.from, deployedTopic(subscription));
    rules.push(
      alertRule(
        ctx,
        'QueueMessageAgeHigh',
        'ticket',
        `${sumBy(['dimension_QueueName'], `min_over_time(${series('aws_sqs_approximate_age_of_oldest_message_maximum', [eq('dimension_QueueName', queue)])}[${QUEUE_AGE_LOOKBACK}])`, 'max')} > ${QUEUE_AGE_SECONDS}`,
        QUEUE_AGE_FOR,
        `${service.name} is falling behind on ${subscription.from}/${subscription.topic}`,
        `The oldest message in ${queue} has waited over ${QUEUE_AGE_SECONDS / 60} minutes for ${QUEUE_AGE_LOOKBACK}: ${service.name} is not consuming ${subscription.topic} (published by ${subscription.from}) as fast as it arrives.`,
        { queue },
      ),
    );
    rules.push(
      alertRule(
        ctx,
        'DeadLetterQueueNotEmpty',
        'ticket',
        `${sumBy(['dimension_QueueName'], `max_over_time(${series('aws_sqs_approximate_number_of_messages_visible_maximum', [eq('dimension_QueueName', dlq)])}[${DLQ_LOOKBACK}])`, 'max')} > 0`,
        DLQ_FOR,
        `${service.name} has messages in the dead-letter queue of ${subscription.from}/${subscription.topic}`,
        `Messages from ${subscription.topic} (published by ${subscription.from}) failed ${subscription.maxRetries} deliveries and wait in ${dlq}.`,
        { queue: dlq },
      ),
    );
  }
  return rules;
}

/**
 * Every rule group of a service, in each environment's Prometheus. What no
 * environment changes (the SLO recordings, the alerts' conditions) is built
 * once and shared by the environments' groups.
 */
export function ruleGroups(
  service: ResolvedService,
  project: ResolvedProject,
  envs: readonly RuleEnvironment[],
): ReadonlyMap<RuleEnvironment, readonly RuleGroup[]> {
  const slos = objectives(service, serviceMatchers(service)).map((slo) => sloRules(service, project, slo));
  const about = service.description === '' ? '' : ` About ${service.name}: ${service.description}`;
  return new Map(
    envs.map((env) => {
      const ctx: Context = { service, project, env, about, dashboardUrl: goTemplateLiteral(dashboardUrl(project, service, env)) };
      return [env, [...slos.flatMap((slo) => sloGroups(ctx, slo)), { name: `paved-workload-alerts-${service.name}`, rules: workloadAlerts(ctx) }]];
    }),
  );
}
