import type {
  CustomVariableBuilder,
  DashboardLinkBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  Threshold,
  ThresholdsConfigBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import type { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { PanelBuilder as TextPanelBuilder } from '@grafana/grafana-foundation-sdk/text';
import type { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { grafanaPlainText } from './text.js';
import { grafana } from './grafana.js';

/**
 * Panels as the dashboards use them, built with the Grafana foundation SDK.
 * Every panel gets an explicit id (the SDK sets none) and every query a refId,
 * and legends are set explicitly (SDK 0.0.21 hides them by default).
 */

/** The dashboards' data source: the `datasource` variable, defaulting to the platform's. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{pod}}`; Grafana's `{{label}}`, not Go's. */
  readonly legend: string;
}

/** Hands out panel ids in build order, so ids are unique and stable. */
export class PanelIds {
  private last = 0;
  next(): number {
    return ++this.last;
  }
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  if (queries.length > REF_IDS.length) throw new Error(`a panel has ${queries.length} queries; at most ${REF_IDS.length} get refIds`);
  return queries.map((q, i) => new (grafana().prometheus.DataqueryBuilder)().datasource(DATASOURCE).expr(q.expr).legendFormat(q.legend).refId(REF_IDS[i]!));
}

const thresholds = (steps: readonly Threshold[]) =>
  new (grafana().dashboard.ThresholdsConfigBuilder)().mode(grafana().dashboard.ThresholdsMode.Absolute).steps([...steps]);
const NEUTRAL: readonly Threshold[] = [{ value: null, color: 'green' }];
/** Red from one up: for counts that should be zero (firing alerts, dead letters). */
export const ZERO_IS_GOOD: readonly Threshold[] = [
  { value: null, color: 'green' },
  { value: 1, color: 'red' },
];
/** An error budget: red when spent, orange in its last quarter. */
export const BUDGET: readonly Threshold[] = [
  { value: null, color: 'red' },
  { value: 0, color: 'orange' },
  { value: 0.25, color: 'green' },
];

export interface PanelOptions {
  readonly unit: string;
  readonly width?: number;
  readonly height?: number;
  readonly min?: number;
  readonly description?: string;
  /** Colour steps; the first has value null (everything below the second). */
  readonly steps?: readonly Threshold[];
}

/** What the timeseries and stat builders share, so both get the same id, title, queries and layout. */
interface QueryPanel<T> {
  id(id: number): T;
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: typeof DATASOURCE): T;
  targets(targets: DataqueryBuilder[]): T;
  unit(unit: string): T;
  span(width: number): T;
  height(height: number): T;
  thresholds(thresholds: ThresholdsConfigBuilder): T;
}

function queryPanel<T extends QueryPanel<T>>(
  panel: T,
  ids: PanelIds,
  title: string,
  queries: readonly Query[],
  options: PanelOptions,
  size: { readonly width: number; readonly height: number },
): T {
  panel
    .id(ids.next())
    .title(grafanaPlainText(title))
    .datasource(DATASOURCE)
    .targets(targets(queries))
    .unit(options.unit)
    .span(options.width ?? size.width)
    .height(options.height ?? size.height)
    .thresholds(thresholds(options.steps ?? NEUTRAL));
  if (options.description) panel.description(grafanaPlainText(options.description));
  return panel;
}

export function timeseries(ids: PanelIds, title: string, queries: readonly Query[], options: PanelOptions): TimeseriesPanelBuilder {
  const panel = queryPanel(new (grafana().timeseries.PanelBuilder)(), ids, title, queries, options, { width: 12, height: 8 })
    .fillOpacity(10)
    .legend(
      new (grafana().common.VizLegendOptionsBuilder)()
        .showLegend(true)
        .displayMode(grafana().common.LegendDisplayMode.List)
        .placement(grafana().common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(new (grafana().common.VizTooltipOptionsBuilder)().mode(grafana().common.TooltipDisplayMode.Multi).sort(grafana().common.SortOrder.Descending));
  if (options.min !== undefined) panel.min(options.min);
  return panel;
}

export function stat(ids: PanelIds, title: string, queries: readonly Query[], options: PanelOptions & { readonly noValue?: string }): StatPanelBuilder {
  const panel = queryPanel(new (grafana().stat.PanelBuilder)(), ids, title, queries, options, { width: 6, height: 4 })
    .graphMode(grafana().common.BigValueGraphMode.None)
    .colorMode(grafana().common.BigValueColorMode.Value)
    .reduceOptions(new (grafana().common.ReduceDataOptionsBuilder)().calcs(['lastNotNull']).values(false));
  if (options.noValue) panel.noValue(grafanaPlainText(options.noValue));
  return panel;
}

/** Markdown the caller has already escaped (grafanaMarkdownText) where it holds spec text. */
export function markdown(ids: PanelIds, title: string, content: string, width = 24, height = 4): TextPanelBuilder {
  return new (grafana().text.PanelBuilder)()
    .id(ids.next())
    .title(grafanaPlainText(title))
    .mode(grafana().text.TextMode.Markdown)
    .content(content)
    .span(width)
    .height(height);
}

export const row = (ids: PanelIds, title: string): RowBuilder => new (grafana().dashboard.RowBuilder)(grafanaPlainText(title)).id(ids.next());

/** A link in the dashboard's header or on a panel. */
export function link(title: string, url: string, includeVars = false): DashboardLinkBuilder {
  return new (grafana().dashboard.DashboardLinkBuilder)(grafanaPlainText(title))
    .type(grafana().dashboard.DashboardLinkType.Link)
    .url(url)
    .includeVars(includeVars)
    .keepTime(includeVars)
    .targetBlank(false)
    .asDropdown(false)
    .tags([]);
}

/** The `datasource` variable every query goes through, defaulting to the platform's data source. */
export function datasourceVariable(uid: string): DatasourceVariableBuilder {
  return new (grafana().dashboard.DatasourceVariableBuilder)('datasource').label('Data source').type('prometheus').current({ text: uid, value: uid });
}

/** The `env` variable: series carry the environment as the `env` label; the first environment is selected. */
export function environmentVariable(envs: readonly string[]): CustomVariableBuilder {
  return new (grafana().dashboard.CustomVariableBuilder)('env')
    .label('Environment')
    .values(envs.join(','))
    .current({ text: envs[0]!, value: envs[0]! })
    .options(envs.map((env, i) => ({ text: env, value: env, selected: i === 0 })));
}
