import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parse } from 'yaml';
import {
  CASES,
  dashboardQueries,
  dashboards,
  generated,
  parseRuleFile,
  PROMTOOL,
  promtool,
  type RuleJson,
  withoutGrafanaVariables,
} from '../support/observability-corpus.js';
import { scratchCopy } from '../support/helpers.js';

/**
 * The generated rules and queries, proven with the real promtool (conformance.md):
 * lint-clean rule files, PromQL that parses, and burn-rate alerts that fire and
 * stay silent exactly when security-rules.md §4 says.
 */
const scratch = scratchCopy();
afterAll(() => scratch.cleanup());

let written = 0;
/** Writes a file into the scratch directory under a fresh name and returns that name. */
function scratchFile(stem: string, contents: string): string {
  const name = `${stem}-${++written}.yaml`;
  writeFileSync(join(scratch.dir, name), contents);
  return name;
}

describe('promtool', () => {
  it('is installed (bash .ci/install-promtool, or PROMTOOL=<path>): these tests fail rather than skip without it', () => {
    expect(existsSync(PROMTOOL), `no promtool at ${PROMTOOL}`).toBe(true);
    expect(promtool(['--version'], scratch.dir).output).toMatch(/promtool, version 2\./);
  });

  it('passes check rules --lint-fatal on every generated rule file and every PrometheusRule spec', () => {
    const ruleFiles = generated('/alerts/rules.yaml');
    const objects = generated('/prometheusrule.yaml');
    expect(ruleFiles.size).toBeGreaterThanOrEqual(CASES.length);
    expect(objects.size).toBe(ruleFiles.size * 2);
    const files: string[] = [];
    for (const [where, text] of ruleFiles) files.push(scratchFile(where.replace(/\W+/g, '_'), text));
    for (const [where, text] of objects) {
      const object = parse(text) as { kind: string; spec: unknown };
      expect(object.kind).toBe('PrometheusRule');
      files.push(scratchFile(where.replace(/\W+/g, '_'), stringify(object.spec)));
    }
    const run = promtool(['check', 'rules', '--lint-fatal', ...files], scratch.dir);
    expect(run.output).not.toMatch(/FAILED|error/i);
    expect(run.code, run.output).toBe(0);
  });

  it('parses every dashboard query as PromQL (each as a throwaway recording rule)', () => {
    const rules = [...dashboards()]
      .flatMap(([, dashboard]) => dashboardQueries(dashboard))
      .map((query, i) => ({ record: `dashboard_query_${i}`, expr: withoutGrafanaVariables(query) }));
    expect(rules.length).toBeGreaterThan(100);
    const run = promtool(['check', 'rules', scratchFile('dashboard-queries', stringify({ groups: [{ name: 'dashboard-queries', rules }] }))], scratch.dir);
    expect(run.code, run.output).toBe(0);
  });
});

/** The service whose SLO alerts a suite exercises, with how its series look. */
interface SloCase {
  readonly where: string;
  readonly service: string;
  readonly kind: 'availability' | 'latency';
  readonly count: string;
  readonly bucket: string;
  readonly statusLabel: string;
  readonly ok: string;
  readonly error: string;
  /** How the exporter writes a whole-number bucket boundary: `50` (Go, JavaScript) or `50.0` (Java, Python, and Prometheus 3 on ingestion). */
  readonly spelling?: 'whole' | 'decimal';
  readonly note: string;
}

// checkout is a node service: the JavaScript exporter writes no unit suffix (emitters/observability/metrics.ts).
const CHECKOUT = {
  where: 'fixtures/cases/full: generated/checkout/alerts/rules.yaml',
  service: 'checkout',
  count: 'http_server_request_duration_count',
  bucket: 'http_server_request_duration_bucket',
  statusLabel: 'http_response_status_code',
  ok: '200',
  error: '500',
};
const LEDGER = {
  where: 'fixtures/cases/full: generated/ledger/alerts/rules.yaml',
  service: 'ledger',
  count: 'rpc_server_duration_milliseconds_count',
  bucket: 'rpc_server_duration_milliseconds_bucket',
  statusLabel: 'rpc_grpc_status_code',
  ok: '0',
  error: '14',
};
const SLO_CASES: readonly SloCase[] = [
  { ...CHECKOUT, kind: 'availability', note: '' },
  { ...CHECKOUT, kind: 'latency', note: '' },
  { ...LEDGER, kind: 'availability', note: '' },
  { ...LEDGER, kind: 'latency', note: '' },
  { ...LEDGER, kind: 'latency', spelling: 'decimal', note: 'with its buckets written 50.0' },
];

/** Requests per minute in the suites; large, so every per-minute count is a whole number. */
const PER_MINUTE = 1_000_000;
/** Seven hours of healthy traffic first, longer than the longest page window (6h). */
const HISTORY = 7 * 60;
/**
 * "At 14.4x" means one failed request per minute more than 14.4x: the alerts
 * compare with `>`, and floating-point rounding of rate() must not decide a test.
 */
const OVER = 1;

/** promtool's expanding notation for a counter rising by `before` per minute, then by `after` for `minutes`. */
function counter(before: number, after: number, minutes: number): string {
  return `0+${before}x${HISTORY} ${before * HISTORY + after}+${after}x${minutes - 1}`;
}

/** Go-template rendering of paved's escaped annotations: `{{ "{{" }}` prints `{{`. */
const rendered = (annotations: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v.replaceAll('{{ "{{" }}', '{{')]));

describe.each(SLO_CASES)('the $kind SLO of $service $note', (c) => {
  const text = generated('/alerts/rules.yaml').get(c.where);
  if (!text) throw new Error(`no ${c.where}`);
  const rules = parseRuleFile(text).groups.flatMap((g) => g.rules);
  const fast = rules.find((r) => r.alert === `${c.kind === 'availability' ? 'Availability' : 'Latency'}ErrorBudgetBurnFast`) as RuleJson;
  const budget = Number(/vector\(([0-9.]+)\)/.exec(rules.find((r) => r.record === 'slo:error_budget:ratio' && r.labels?.sloth_slo === c.kind)!.expr)![1]);
  // A whole boundary is matched in both spellings (`le=~"50|50\\.0"`), a fractional one exactly.
  const matcher = /le(=~|=)"([^"]+)"/.exec(rules.find((r) => r.record === 'slo:sli_error:ratio_rate5m' && r.labels?.sloth_slo === 'latency')!.expr)!;
  const whole = matcher[1] === '=~' ? matcher[2]!.split('|')[0]! : matcher[2]!;
  if (c.spelling && matcher[1] !== '=~') throw new Error(`${c.where}: the latency bucket ${matcher[0]} is not a whole number, so it has one spelling`);
  const le = c.spelling === 'decimal' ? `${whole}.0` : whole;

  /** Input series burning the budget `burn` times faster than allowed for `minutes` after the history. */
  function inputs(burn: number, minutes: number): unknown[] {
    const bad = burn * budget * PER_MINUTE + (burn > 1 ? OVER : 0);
    const labels = `job="${c.service}", namespace="${c.service}"`;
    const errors = c.kind === 'availability' ? bad : 0;
    const slow = c.kind === 'latency' ? bad : 0;
    return [
      { series: `${c.count}{${labels}, ${c.statusLabel}="${c.ok}"}`, values: counter(PER_MINUTE, PER_MINUTE - errors, minutes) },
      { series: `${c.count}{${labels}, ${c.statusLabel}="${c.error}"}`, values: counter(0, errors, minutes) },
      { series: `${c.bucket}{${labels}, le="${le}"}`, values: counter(PER_MINUTE, PER_MINUTE - slow, minutes) },
      { series: `${c.bucket}{${labels}, le="+Inf"}`, values: counter(PER_MINUTE, PER_MINUTE, minutes) },
    ];
  }

  const firing = [
    {
      exp_labels: { ...fast.labels, sloth_id: `${c.service}-${c.kind}`, sloth_service: c.service, sloth_slo: c.kind },
      exp_annotations: rendered(fast.annotations!),
    },
  ];
  // Prometheus evaluates rule groups independently, so an alert may read recordings one evaluation old.
  const EVALUATION = 5;
  const at = (minutes: number): string => `${HISTORY + minutes}m`;

  function suite(burn: number, minutes: number, expectations: ReadonlyArray<readonly [number, boolean]>): string {
    const rulesFile = scratchFile(`${c.service}-rules`, text!);
    return scratchFile(
      `${c.service}-${c.kind}-${burn}x-test`,
      stringify({
        rule_files: [rulesFile],
        // Series every minute (the 5m window needs several samples); rules every 5 minutes, which is quicker.
        evaluation_interval: `${EVALUATION}m`,
        tests: [
          {
            interval: '1m',
            input_series: inputs(burn, minutes),
            alert_rule_test: expectations.map(([after, fires]) => ({ eval_time: at(after), alertname: fast.alert, exp_alerts: fires ? firing : [] })),
          },
        ],
      }),
    );
  }

  it('pages within the hour (plus one evaluation) at 14.4x burn, on the 1h and 5m windows, and not after half an hour', () => {
    const run = promtool(
      [
        'test',
        'rules',
        suite(14.4, 70, [
          [30, false],
          [60 + EVALUATION, true],
        ]),
      ],
      scratch.dir,
    );
    expect(run.code, run.output).toBe(0);
  });

  it('pages within six hours (plus one evaluation) at 6x burn, on the 6h and 30m windows, and not after three hours', () => {
    const run = promtool(
      [
        'test',
        'rules',
        suite(6, 370, [
          [180, false],
          [360 + EVALUATION, true],
        ]),
      ],
      scratch.dir,
    );
    expect(run.code, run.output).toBe(0);
  });

  it('stays silent at 1x burn, over both page windows', () => {
    const run = promtool(
      [
        'test',
        'rules',
        suite(1, 370, [
          [5, false],
          [60, false],
          [360, false],
        ]),
      ],
      scratch.dir,
    );
    expect(run.code, run.output).toBe(0);
  });
});

describe('workload alerts', () => {
  it('render spec text in annotations literally: a description with {{ .Value }} reaches the alert as written', () => {
    const text = generated('/alerts/rules.yaml').get('fixtures/cases/cron-only: generated/reports/alerts/rules.yaml')!;
    const crash = parseRuleFile(text)
      .groups.flatMap((g) => g.rules)
      .find((r) => r.alert === 'PodCrashLooping')!;
    expect(crash.annotations!.description).toContain('{{ "{{" }} .Value }}');
    const labels = { namespace: 'reports', pod: 'reports-7d9f-abcde', container: 'reports' };
    const suite = scratchFile(
      'reports-crashloop-test',
      stringify({
        rule_files: [scratchFile('reports-rules', text)],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series: `kube_pod_container_status_waiting_reason{namespace="reports", pod="${labels.pod}", container="reports", reason="CrashLoopBackOff"}`,
                values: '1x40',
              },
            ],
            alert_rule_test: [
              { eval_time: '10m', alertname: 'PodCrashLooping', exp_alerts: [] },
              {
                eval_time: '20m',
                alertname: 'PodCrashLooping',
                exp_alerts: [
                  {
                    exp_labels: { ...crash.labels, ...labels },
                    exp_annotations: {
                      ...rendered(crash.annotations!),
                      description:
                        'A container of reports has been restarting for 15m. About reports: Nightly {{ .Value }} exports for $env and [[dashboard]] readers',
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const run = promtool(['test', 'rules', suite], scratch.dir);
    expect(run.code, run.output).toBe(0);
  });
});
