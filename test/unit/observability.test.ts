import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_CONTRACT, METRIC_SOURCES } from '../../emitters/observability/metrics.js';
import { BURN_WINDOWS, measuredThresholdMs } from '../../emitters/observability/slo.js';
import { goTemplateLiteral, grafanaMarkdownText, grafanaPlainText } from '../../emitters/observability/text.js';
import { compileDir, REPO, scratchCopy } from '../support/helpers.js';
import { CASES, dashboardQueries, dashboards, type DashboardJson, generated, parseRuleFile, type RuleJson } from '../support/observability-corpus.js';

const CONTRACT = new Set<string>(METRIC_CONTRACT.map((m) => m.name));
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, label names or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)) && !PROMQL_WORDS.has(m[0]))
    .map((m) => m[0]);
}

const allRules = (): Array<readonly [string, RuleJson]> =>
  [...generated('/alerts/rules.yaml')].flatMap(([where, text]) => parseRuleFile(text).groups.flatMap((g) => g.rules.map((r) => [where, r] as const)));

/** Every string a person reads in a dashboard, where Grafana interpolates variables. */
function readableTexts(dashboard: DashboardJson): string[] {
  return [
    dashboard.title,
    dashboard.description ?? '',
    ...(dashboard.links ?? []).map((l) => l.title),
    ...dashboard.panels.flatMap((p) => [p.title ?? '', p.description ?? '', p.options?.content ?? '']),
  ];
}

describe('observability dashboards', () => {
  it('parse as JSON for every case, with unique panel ids and a unique refId on every query of a panel', () => {
    const all = dashboards();
    expect(all.size).toBeGreaterThanOrEqual(CASES.length * 2);
    for (const [where, dashboard] of all) {
      const ids = dashboard.panels.map((p) => p.id);
      expect(
        ids.every((id) => typeof id === 'number'),
        where,
      ).toBe(true);
      expect(new Set(ids).size, where).toBe(ids.length);
      for (const panel of dashboard.panels) {
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(
          refIds.every((r) => typeof r === 'string' && r !== ''),
          `${where} panel ${panel.id}`,
        ).toBe(true);
        expect(new Set(refIds).size, `${where} panel ${panel.id}`).toBe(refIds.length);
      }
    }
  });

  it('read only metrics of the documented metric contract', () => {
    let checked = 0;
    for (const [where, dashboard] of dashboards()) {
      for (const query of dashboardQueries(dashboard)) {
        const names = metricNames(query);
        expect(names.length, `${where}: ${query}`).toBeGreaterThan(0);
        for (const name of names) expect(CONTRACT.has(name), `${where} reads ${name}, which is not in METRIC_CONTRACT: ${query}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('use the service name as uid, and link to the alert rules, the runbooks and the overview', () => {
    for (const [where, dashboard] of dashboards()) {
      if (where.endsWith('overview.json')) {
        expect(dashboard.uid).toBe('paved_overview');
        continue;
      }
      const service = /generated\/([^/]+)\/grafana/.exec(where)![1]!;
      expect(dashboard.uid).toBe(service);
      expect(dashboard.links.map((l) => l.url)).toContain(`/alerting/list?search=label:service=${service}`);
      expect(dashboard.links.map((l) => l.title)).toEqual(['Alert rules', 'Runbooks', 'Services overview']);
      expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'env', 'namespace']);
    }
  });

  it('show legends, which the SDK hides by default', () => {
    for (const [where, dashboard] of dashboards()) {
      for (const panel of dashboard.panels.filter((p) => p.type === 'timeseries')) {
        expect((panel.options as { legend?: { showLegend?: boolean } }).legend?.showLegend, `${where} panel ${panel.id}`).toBe(true);
      }
    }
  });

  it('list every service in the overview with its error budget and firing alerts', () => {
    const overview = dashboards().get('fixtures/cases/full: generated/grafana/overview.json')!;
    expect(overview.panels.map((p) => p.title)).toEqual([
      'Services',
      'checkout: error budget remaining',
      'checkout: firing alerts',
      'ledger: error budget remaining',
      'ledger: firing alerts',
      'mailer: error budget remaining',
      'mailer: firing alerts',
    ]);
  });

  it('give a worker saturation, queue and cron rows but no request or SLO rows', () => {
    const rows = (where: string): Array<string | undefined> =>
      dashboards()
        .get(where)!
        .panels.filter((p) => p.type === 'row')
        .map((p) => p.title);
    expect(rows('fixtures/cases/full: generated/mailer/grafana/dashboard.json')).toEqual(['Overview', 'Saturation', 'Queues', 'Cron jobs']);
    expect(rows('fixtures/cases/cron-only: generated/reports/grafana/dashboard.json')).toEqual(['Overview', 'Saturation', 'Cron jobs']);
    expect(rows('fixtures/cases/full: generated/checkout/grafana/dashboard.json')).toEqual([
      'Overview',
      'Requests (HTTP)',
      'Service level objectives (30d)',
      'Saturation',
      'Databases',
      'Caches',
      'Topics',
    ]);
    expect(rows('fixtures/cases/full: generated/ledger/grafana/dashboard.json')).toEqual([
      'Overview',
      'Calls (gRPC)',
      'Service level objectives (30d)',
      'Saturation',
      'Databases',
      'Topics',
      'Queues',
    ]);
  });

  it('read gRPC metrics for a gRPC service and HTTP metrics for an HTTP service', () => {
    const queries = (where: string): string => dashboardQueries(dashboards().get(where)!).join('\n');
    expect(queries('fixtures/cases/full: generated/ledger/grafana/dashboard.json')).toContain('rpc_server_duration_milliseconds_bucket');
    expect(queries('fixtures/cases/full: generated/ledger/grafana/dashboard.json')).not.toContain('http_server');
    expect(queries('fixtures/cases/full: generated/checkout/grafana/dashboard.json')).toContain('http_server_request_duration_bucket');
    expect(queries('fixtures/cases/full: generated/checkout/grafana/dashboard.json')).not.toContain('rpc_server');
  });

  // What each runtime's OpenTelemetry Prometheus exporter really writes (emitters/observability/metrics.ts).
  it.each([
    ['fixtures/cases/full: generated/checkout', 'node', 'http_server_request_duration_count', 'http_server_request_duration_bucket'],
    ['fixtures/cases/full: generated/mailer', 'python (a worker: no request metrics)', undefined, undefined],
    ['fixtures/cases/cron-only: generated/reports', 'python (a worker: no request metrics)', undefined, undefined],
    ['fixtures/cases/full: generated/ledger', 'go, gRPC', 'rpc_server_duration_milliseconds_count', 'rpc_server_duration_milliseconds_bucket'],
    ['fixtures/cases/edges: generated/api', 'java', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket'],
    ['fixtures/cases/languages: generated/billing', 'java', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket'],
    ['fixtures/cases/languages: generated/intake', 'python', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket'],
    ['fixtures/cases/languages: generated/relay', 'container, gRPC', 'rpc_server_duration_milliseconds_count', 'rpc_server_duration_milliseconds_bucket'],
    ['fixtures/cases/languages: generated/edge', 'container (a worker: no request metrics)', undefined, undefined],
  ])("%s (%s) reads the server histogram under its runtime's names", (where, _runtime, count, bucket) => {
    const read = new Set(
      [
        ...dashboardQueries(dashboards().get(`${where}/grafana/dashboard.json`)!),
        ...allRules()
          .filter(([w]) => w === `${where}/alerts/rules.yaml`)
          .map(([, r]) => r.expr),
      ].flatMap(metricNames),
    );
    const server = [...read].filter((n) => /^(http|rpc)_server_/.test(n)).sort();
    expect(server).toEqual(count === undefined ? [] : [bucket, count].sort());
  });

  // convention: prometheus reads the Prometheus clients' names, whatever the runtime (metrics.ts).
  it.each([
    [
      'fixtures/cases/ports-and-metrics: generated/front-end',
      'node, HTTP',
      ['http_request_duration_seconds_bucket', 'http_request_duration_seconds_count'],
      'code=~"5.."',
    ],
    [
      'fixtures/cases/ports-and-metrics: generated/payment',
      'go, gRPC',
      ['grpc_server_handled_total', 'grpc_server_handling_seconds_bucket', 'grpc_server_handling_seconds_count'],
      'grpc_code=~"Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss"',
    ],
  ])('%s (%s, convention: prometheus) reads Prometheus client names in its rules and dashboard, and their status label', (where, _what, names, error) => {
    const rules = allRules()
      .filter(([w]) => w === `${where}/alerts/rules.yaml`)
      .map(([, r]) => r.expr);
    const queries = dashboardQueries(dashboards().get(`${where}/grafana/dashboard.json`)!);
    const read = new Set([...rules, ...queries].flatMap(metricNames));
    expect([...read].filter((n) => /^(http|rpc|grpc)_/.test(n)).sort()).toEqual(names);
    for (const exprs of [rules, queries]) expect(exprs.some((e) => e.includes(error))).toBe(true);
  });

  it('carry spec text into titles, descriptions and text panels with no Grafana variable in it', () => {
    const reports = dashboards().get('fixtures/cases/cron-only: generated/reports/grafana/dashboard.json')!;
    expect(reports.description).toBe('Nightly {{ .Value }} exports for \uff04env and \uff3b\uff3bdashboard]] readers');
    expect(reports.panels.find((p) => p.title === 'About')!.options!.content).toContain(
      'Nightly {{ .Value }} exports for &#36;env and &#91;&#91;dashboard&#93;&#93; readers',
    );
    for (const [where, dashboard] of dashboards()) {
      for (const text of readableTexts(dashboard)) expect(text, where).not.toMatch(/\$\w|\$\{|\[\[/);
    }
  });
});

describe('observability text escaping', () => {
  it('turns {{ into a Go template action printing {{, so Prometheus shows spec text as written', () => {
    expect(goTemplateLiteral('costs {{ $value }} and {{{ x }}')).toBe('costs {{ "{{" }} $value }} and {{ "{{" }}{ x }}');
    expect(goTemplateLiteral('no braces, $ and }} alone')).toBe('no braces, $ and }} alone');
  });

  it('keeps $var, ${var} and [[var]] out of Grafana plain text and markdown', () => {
    expect(grafanaPlainText('$env ${namespace} [[x]] $')).toBe('\uff04env \uff04{namespace} \uff3b\uff3bx]] \uff04');
    expect(grafanaMarkdownText('<b>$env</b> & [[x]]')).toBe('&lt;b&gt;&#36;env&lt;/b&gt; &amp; &#91;&#91;x&#93;&#93;');
  });
});

describe('observability rules', () => {
  it('read only metrics of the metric contract, and record only metrics it lists', () => {
    for (const [where, rule] of allRules()) {
      for (const name of metricNames(rule.expr)) expect(CONTRACT.has(name), `${where} reads ${name}: ${rule.expr}`).toBe(true);
      if (rule.record) expect(CONTRACT.has(rule.record), `${where} records ${rule.record}`).toBe(true);
    }
  });

  it('give every alert service, env, team, tier, route and severity labels, and summary, description, dashboard and runbook links', () => {
    let alerts = 0;
    for (const [where, rule] of allRules()) {
      if (!rule.alert) continue;
      alerts += 1;
      expect(Object.keys(rule.labels ?? {}), `${where} ${rule.alert}`).toEqual(expect.arrayContaining(['service', 'env', 'team', 'tier', 'route', 'severity']));
      expect(['page', 'ticket']).toContain(rule.labels!.severity);
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['dashboard_url', 'description', 'runbook_url', 'summary']);
      expect(rule.annotations!.dashboard_url).toMatch(new RegExp(`^https://\\S+/d/${rule.labels!.service}\\?var-env=production$`));
      expect(rule.annotations!.runbook_url).toMatch(/^https:\/\/\S+\/[a-z-]+$/);
    }
    expect(alerts).toBeGreaterThan(20);
  });

  it('use exactly the burn-rate windows of security-rules.md §4', () => {
    expect(BURN_WINDOWS.map((w) => [w.severity, w.long, w.short, w.burn, w.budgetSpent])).toEqual([
      ['page', '1h', '5m', 14.4, 2],
      ['page', '6h', '30m', 6, 5],
      ['ticket', '1d', '2h', 3, 10],
      ['ticket', '3d', '6h', 1, 10],
    ]);
    const checkout = parseRuleFile(generated('/alerts/rules.yaml').get('fixtures/cases/full: generated/checkout/alerts/rules.yaml')!);
    const fast = checkout.groups.flatMap((g) => g.rules).find((r) => r.alert === 'AvailabilityErrorBudgetBurnFast')!;
    // 99.95%: a budget of 0.0005, so 14.4x is an error ratio of 0.0072 and 6x of 0.003.
    expect(fast.expr).toContain('slo:sli_error:ratio_rate5m{sloth_id="checkout-availability"} > 0.0072');
    expect(fast.expr).toContain('slo:sli_error:ratio_rate1h{sloth_id="checkout-availability"} > 0.0072');
    expect(fast.expr).toContain('slo:sli_error:ratio_rate30m{sloth_id="checkout-availability"} > 0.003');
    expect(fast.expr).toContain('slo:sli_error:ratio_rate6h{sloth_id="checkout-availability"} > 0.003');
  });

  it('measure a latency SLO at the largest histogram bucket at or below its threshold', () => {
    expect([1, 5, 49, 50, 300, 1000, 600000].map((ms) => measuredThresholdMs(ms))).toEqual([5, 5, 25, 50, 250, 1000, 10000]);
  });

  it("measure a convention: prometheus latency SLO at the Prometheus clients' default buckets (no 75, 750, 7500 ms)", () => {
    // payment: 95% within 120 ms, measured at 100 ms = le 0.1 seconds.
    const payment = allRules().filter(([w, r]) => w === 'fixtures/cases/ports-and-metrics: generated/payment/alerts/rules.yaml' && r.record);
    const latency = payment.find(([, r]) => r.labels?.sloth_id === 'payment-latency' && r.labels.sloth_window === '5m')![1];
    expect(latency.expr).toBe(
      '(sum(rate(grpc_server_handling_seconds_count{job="payment", namespace="payment"}[5m])) - (sum(rate(grpc_server_handling_seconds_bucket{job="payment", namespace="payment", le="0.1"}[5m])) or vector(0))) / sum(rate(grpc_server_handling_seconds_count{job="payment", namespace="payment"}[5m]))',
    );
  });

  it("alert when a subscription's oldest message has been over 15 minutes old, per queue, as a ticket", () => {
    const rule = allRules().find(
      ([w, r]) => w === 'fixtures/cases/ports-and-metrics: generated/queue-master/alerts/rules.yaml' && r.alert === 'QueueMessageAgeHigh',
    )![1];
    expect(rule.expr).toBe(
      'max by (dimension_QueueName) (min_over_time(aws_sqs_approximate_age_of_oldest_message_maximum{dimension_QueueName="queue-master-prd-catalogue-stock-changed"}[15m])) > 900',
    );
    expect(rule.for).toBe('5m');
    expect(rule.labels).toMatchObject({ queue: 'queue-master-prd-catalogue-stock-changed', severity: 'ticket', service: 'queue-master', env: 'production' });
  });

  it('give workers no SLO but their workload, cron and dead-letter alerts', () => {
    const mailer = parseRuleFile(generated('/alerts/rules.yaml').get('fixtures/cases/full: generated/mailer/alerts/rules.yaml')!);
    expect(mailer.groups.map((g) => g.name)).toEqual(['paved-workload-alerts-mailer']);
    expect(mailer.groups[0]!.rules.map((r) => r.alert)).toEqual([
      'PodCrashLooping',
      'AutoscalerAtMaxReplicas',
      'CronJobFailed',
      'CronJobMissed',
      'QueueMessageAgeHigh',
      'DeadLetterQueueNotEmpty',
    ]);
  });

  it('render the same groups as a PrometheusRule per cloud environment; staging only differs in environment and never pages', () => {
    for (const c of CASES) {
      for (const [path, text] of c.files) {
        if (!path.endsWith('/alerts/rules.yaml')) continue;
        const dir = path.slice(0, -'/alerts/rules.yaml'.length);
        const service = dir.split('/').at(-1)!;
        const production = parse(c.files.get(`${dir}/kubernetes/production/prometheusrule.yaml`)!) as {
          metadata: { name: string; namespace: string };
          spec: unknown;
        };
        const staging = parse(c.files.get(`${dir}/kubernetes/staging/prometheusrule.yaml`)!) as { spec: { groups: Array<{ rules: RuleJson[] }> } };
        expect(production.metadata).toMatchObject({ name: service, namespace: service });
        expect(production.spec).toEqual(parse(text));
        const stagingAlerts = staging.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);
        expect(
          stagingAlerts.every((r) => r.labels!.env === 'staging' && r.labels!.severity === 'ticket'),
          path,
        ).toBe(true);
        const shape = (groups: Array<{ rules: RuleJson[] }>): string[] => groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record ?? ''));
        expect(shape(staging.spec.groups)).toEqual(shape((production.spec as { groups: Array<{ rules: RuleJson[] }> }).groups));
      }
    }
  });
});

describe('observability output', () => {
  it('differs only in the name between two services that differ only in name', () => {
    const scratch = scratchCopy();
    try {
      const spec = (name: string): string =>
        [
          'apiVersion: paved/v1',
          'kind: Service',
          `name: ${name}`,
          'owner: team-twins',
          'description: One of two identical services',
          'runtime: { language: go, port: 8080, protocol: grpc }',
          'resources:',
          '  databases: [{ name: main }]',
          '  caches: [{ name: hot }]',
          '  topics: [{ name: changes }]',
          '  subscriptions: [{ topic: events, from: source }]',
          '  cron: [{ name: sweep, schedule: "0 4 * * *", command: ["/app/sweep"] }]',
          'observability: { slo: { availability: 99.9, latency: { percentile: 99, thresholdMs: 100 } } }',
          '',
        ].join('\n');
      const services: Record<string, string> = {
        quince: spec('quince'),
        walnut: spec('walnut'),
        source: 'apiVersion: paved/v1\nkind: Service\nname: source\nowner: team-twins\nruntime: { language: go }\nresources: { topics: [{ name: events }] }\n',
      };
      for (const [name, text] of Object.entries(services)) {
        mkdirSync(join(scratch.dir, 'services', name), { recursive: true });
        writeFileSync(join(scratch.dir, 'services', name, 'service.yaml'), text);
      }
      const result = compileDir(scratch.dir);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const outputOf = (name: string): Map<string, string> =>
        new Map(
          result.files
            .filter(
              (f) =>
                f.path.startsWith(`generated/${name}/`) &&
                !f.path.endsWith('catalog-info.yaml') &&
                !f.path.includes('/terraform/') &&
                (!f.path.includes('/kubernetes/') || f.path.endsWith('/prometheusrule.yaml')),
            )
            .map((f) => [f.path.replaceAll(name, 'NAME'), f.contents.replaceAll(name, 'NAME')]),
        );
      const quince = outputOf('quince');
      expect([...quince.keys()].sort()).toEqual([
        'generated/NAME/alerts/rules.yaml',
        'generated/NAME/grafana/dashboard.json',
        'generated/NAME/kubernetes/production/prometheusrule.yaml',
        'generated/NAME/kubernetes/staging/prometheusrule.yaml',
      ]);
      expect(outputOf('walnut')).toEqual(quince);
    } finally {
      scratch.cleanup();
    }
  });
});

describe('the documentation', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const doc = readFileSync(join(REPO, 'docs', 'targets', 'observability.md'), 'utf8');

  it('docs/targets/observability.md documents the metric contract row for row, as METRIC_CONTRACT has it, with the runtimes that export each application metric', () => {
    const runtimes = (m: (typeof METRIC_CONTRACT)[number]): string => ('runtimes' in m ? m.runtimes.join(', ') : 'any');
    const convention = (m: (typeof METRIC_CONTRACT)[number]): string => ('convention' in m ? m.convention : 'any');
    const rows = METRIC_CONTRACT.map(
      (m) => `| \`${m.name}\` | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${m.source} | ${convention(m)} | ${runtimes(m)} |`,
    );
    const table = ['| Metric | Labels | Source | Convention | Runtimes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
    expect(doc, `docs/targets/observability.md should contain this table:\n${table}`).toContain(table);
    for (const [source, who] of Object.entries(METRIC_SOURCES)) expect(doc).toContain(`| ${source} | ${who} |`);
  });

  it('lists the observability emitter as done in the README\'s "What paved emits today"', () => {
    expect(readme).toMatch(/\| Grafana \+ Prometheus \| done \|/);
  });
});
