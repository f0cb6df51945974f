/**
 * The only file that touches `@grafana/grafana-foundation-sdk`. Panel factories describe panels in our
 * own words (unit, thresholds, queries) and get back an opaque {@link Panel}; {@link buildDashboard} turns
 * the description into plain v1 JSON. A move to the v2 schema (`dashboardv2`) rewrites this file only.
 *
 * House style follows the SDK's own examples (https://github.com/grafana/grafana-foundation-sdk, typescript red-method example): legend on
 * as a list, tooltip on all series sorted descending, fresh builders from factory functions, because
 * builders are mutable and `build()` returns the same object every time (research note, gotcha 1).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardJson } from './types';

/** A panel under construction; only {@link buildDashboard} looks inside. */
export type Panel = cog.Builder<dashboard.Panel>;

/** Name of the data source variable (dashboard-linter `template-datasource-rule` requires exactly this). */
export const DATASOURCE_VARIABLE = 'datasource';

/** Every panel and target queries the data source the viewer picked (never a hard-coded uid or `${DS_…}` input). */
const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana's rate window that always spans at least four scrapes (Grafana docs, "Template variables: $__rate_interval"). */
export const RATE_INTERVAL = '$__rate_interval';

/** Units the panels use, from Grafana's unit registry (`valueFormats/categories.ts`, via the SDK). */
export const UNIT = {
  requestsPerSecond: units.RequestsPerSecond,
  seconds: units.Seconds,
  /** A ratio in [0, 1] shown as a percentage; never multiply by 100 in PromQL. */
  ratio: units.PercentUnit,
  bytes: units.BytesIEC,
  /** Plain numbers: CPU cores, replicas, requests in flight, burn-rate multiples. */
  count: units.Short,
  /** No unit: values that value mappings turn into words. */
  none: units.NoUnit,
} as const;

export type Unit = (typeof UNIT)[keyof typeof UNIT];

/** Grafana's named palette colours used for states and thresholds. */
export type Color = 'green' | 'yellow' | 'orange' | 'red' | 'dark-red' | 'blue' | 'purple' | 'text' | 'transparent';

/** One query of a panel. */
export interface Query {
  /** Stable query id within the panel (`A`, `B`, …). */
  readonly refId: string;
  readonly expr: string;
  /** Series name template, e.g. `{{pod}}` or `p99`. */
  readonly legend: string;
  /** Ask Prometheus for exemplars (trace links on latency). @default false */
  readonly exemplar?: boolean;
  /**
   * `heatmap` returns buckets sorted by `le` for the heatmap panel; `table` one row per series with its
   * labels as columns, for the table panel. @default time series
   */
  readonly format?: 'heatmap' | 'table';
  /** Evaluate once, at the end of the time range, instead of over it. @default false, a range query */
  readonly instant?: boolean;
}

/** A threshold step: from `value` upwards the colour is `color`. */
export interface Threshold {
  readonly value: number;
  readonly color: Color;
}

/** Absolute thresholds: `base` below the first step. */
export interface Thresholds {
  readonly base: Color;
  readonly steps: readonly Threshold[];
}

/** A link shown in the panel header. */
export interface PanelLink {
  readonly title: string;
  readonly url: string;
}

/** What every panel has: dashboard-linter `panel-title-description-rule`, `panel-units-rule`, `panel-no-targets-rule`. */
export interface PanelSpec {
  /** Stable panel id (see ids.ts): `viewPanel=` links and bookmarks survive regeneration. */
  readonly id: number;
  readonly title: string;
  /** The question the panel answers (kubernetes-mixin convention). */
  readonly description: string;
  readonly unit: Unit;
  /** Grid columns out of 24. */
  readonly width: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
  readonly queries: readonly Query[];
  /** Header links. @default none */
  readonly links?: readonly PanelLink[];
  /** Fixed decimals. @default Grafana's automatic */
  readonly decimals?: number;
  /** Thresholds: lines on time series, colours on stats. @default none */
  readonly thresholds?: Thresholds;
  /**
   * The panel's own time range instead of the dashboard's, as Grafana's panel "Relative time" override, e.g.
   * `now/fQ` (this fiscal quarter so far). Grafana shows the override in the panel header.
   * @default the dashboard's time range
   */
  readonly relativeTime?: string;
}

/** A time series panel. */
export interface TimeSeriesSpec extends PanelSpec {
  /** Axis minimum. @default Grafana's automatic */
  readonly min?: number;
  /** Axis maximum. @default Grafana's automatic */
  readonly max?: number;
  /** Axis soft maximum: the axis reaches at least this high, so threshold lines stay in view. @default none */
  readonly softMax?: number;
  /** Stack series (traffic by class adds up to total traffic). @default false */
  readonly stacked?: boolean;
  /** Fixed colours by series name. @default the classic palette */
  readonly seriesColors?: Readonly<Record<string, Color>>;
  /** Series drawn dashed without fill: references such as requests, limits, min and max replicas. @default none */
  readonly referenceSeries?: readonly string[];
}

/** A state shown as a word: value mappings for the alert-state stats. */
export interface StateMapping {
  readonly value: number;
  readonly text: string;
  readonly color: Color;
}

/** A stat panel. */
export interface StatSpec extends PanelSpec {
  /** Draw the history under the value. @default false */
  readonly sparkline?: boolean;
  /** Show words instead of numbers. @default none */
  readonly states?: readonly StateMapping[];
  /** Text when the query returns nothing. @default Grafana's "No data" */
  readonly noValue?: string;
}

/** A heatmap of pre-bucketed Prometheus histogram rates. */
export interface HeatmapSpec extends PanelSpec {
  /** Unit of the bucket bounds (the y axis). */
  readonly yUnit: Unit;
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .calcs([]);
}

function tooltip(): common.VizTooltipOptionsBuilder {
  return new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);
}

function thresholdsConfig(t: Thresholds): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: t.base }, ...[...t.steps].sort((a, b) => a.value - b.value).map((s) => ({ value: s.value, color: s.color }))]);
}

function target(q: Query): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(q.refId).expr(q.expr).legendFormat(q.legend);
  if (q.instant) b.instant();
  else b.range();
  if (q.exemplar) b.exemplar(true);
  if (q.format === 'heatmap') b.format(prometheus.PromQueryFormat.Heatmap);
  if (q.format === 'table') b.format(prometheus.PromQueryFormat.Table);
  return b;
}

function panelLinks(links: readonly PanelLink[]): dashboard.DashboardLinkBuilder[] {
  return links.map((l) => new dashboard.DashboardLinkBuilder(l.title).type(dashboard.DashboardLinkType.Link).url(l.url).targetBlank(false));
}

/** The fields every panel type shares; one function so no panel type forgets one. */
function basics<B extends timeseries.PanelBuilder | stat.PanelBuilder | heatmap.PanelBuilder | table.PanelBuilder>(b: B, spec: PanelSpec): B {
  b.id(spec.id).title(spec.title).description(spec.description).datasource(DATASOURCE).unit(spec.unit);
  b.span(spec.width).height(spec.height ?? 8);
  for (const q of spec.queries) b.withTarget(target(q));
  if (spec.links && spec.links.length > 0) b.links(panelLinks(spec.links));
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.thresholds) b.thresholds(thresholdsConfig(spec.thresholds));
  if (spec.relativeTime !== undefined) b.timeFrom(spec.relativeTime).hideTimeOverride(false);
  return b;
}

const fixedColor = (color: Color): dashboard.DynamicConfigValue => ({ id: 'color', value: { mode: 'fixed', fixedColor: color } });

/** A time series panel; thresholds are drawn as dashed lines. */
export function timeSeries(spec: TimeSeriesSpec): Panel {
  const b = basics(new timeseries.PanelBuilder(), spec).legend(legend()).tooltip(tooltip()).lineWidth(1).fillOpacity(spec.stacked ? 30 : 10).showPoints(common.VisibilityMode.Never);
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.softMax !== undefined) b.axisSoftMax(spec.softMax);
  if (spec.thresholds) b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  if (spec.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  for (const [name, color] of Object.entries(spec.seriesColors ?? {}).sort(([a], [z]) => a.localeCompare(z))) b.overrideByName(name, [fixedColor(color)]);
  for (const name of spec.referenceSeries ?? []) {
    b.overrideByName(name, [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'custom.stacking', value: { mode: common.StackingMode.None, group: 'A' } },
    ]);
  }
  return b;
}

/** A stat panel showing the last value. */
export function statPanel(spec: StatSpec): Panel {
  const b = basics(new stat.PanelBuilder(), spec)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(spec.states ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(spec.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto);
  if (spec.noValue !== undefined) b.noValue(spec.noValue);
  if (spec.states) {
    const options: Record<string, dashboard.ValueMappingResult> = {};
    spec.states.forEach((s, index) => (options[String(s.value)] = { text: s.text, color: s.color, index }));
    b.mappings([{ type: dashboard.MappingType.ValueToText, options }]);
  }
  return b;
}

/** A heatmap of Prometheus buckets as they are (no re-bucketing in the browser), with exemplars. */
export function heatmapPanel(spec: HeatmapSpec): Panel {
  return basics(new heatmap.PanelBuilder(), spec)
    .calculate(false)
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .yAxis(new heatmap.YAxisConfigBuilder().unit(spec.yUnit).decimals(3))
    .cellValues(new heatmap.CellValuesBuilder().unit(spec.unit))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5).steps(64))
    .exemplarsColor('rgba(255,0,255,0.7)')
    .showLegend();
}

/** One value column of a {@link tablePanel}: the value of one instant query per row. */
export interface TableColumn {
  /** Query id; Grafana names the column's field `Value #<refId>`. */
  readonly refId: string;
  /** An instant vector with exactly the table's key labels. */
  readonly expr: string;
  /** Column header. */
  readonly title: string;
  readonly unit: Unit;
  /** Fixed decimals. @default Grafana's automatic */
  readonly decimals?: number;
  /** Thresholds that colour the cell. @default none, plain text */
  readonly thresholds?: Thresholds;
  /** What the thresholds colour: the text or the whole cell. @default 'text' */
  readonly color?: 'text' | 'background';
}

/** A label column that identifies a row of a {@link tablePanel}. */
export interface TableKey {
  /** Label name: the field Grafana makes of it carries this name. */
  readonly label: string;
  /** Column header. */
  readonly title: string;
  /** A link on the cell; `${__data.fields.<label>}` is the value of a label in the same row. @default none */
  readonly link?: PanelLink;
}

/** A table with one row per combination of its key labels and one column per query. */
export interface TableSpec extends Omit<PanelSpec, 'queries' | 'unit' | 'decimals' | 'thresholds'> {
  /** Key columns, first and in this order; every column's query aggregates by exactly these labels. */
  readonly keys: readonly TableKey[];
  readonly columns: readonly TableColumn[];
  /** Initial sort. @default the order of the merged rows */
  readonly sortBy?: { readonly title: string; readonly descending: boolean };
}

/** The field Grafana's Prometheus data source gives a table query's value when a panel has several queries. */
const valueField = (refId: string): string => `Value #${refId}`;

/**
 * A table of instant queries joined on their labels. Each query comes back as a frame with a `Time`
 * column, one column per label and `Value #<refId>`; Grafana's "Merge" transformation (Grafana docs,
 * "Transform data: Merge") combines frames into one row wherever the shared fields (time and labels) are
 * equal, which is a join on every key label at once ("Join by field" joins on one field only). "Organize
 * fields by name" then hides the time and orders the columns; headers, units and colours are overrides by
 * field name, so the data links still find a label's field under its own name.
 */
export function tablePanel(spec: TableSpec): Panel {
  if (spec.columns.length < 2) throw new Error(`tablePanel "${spec.title}": needs two or more columns; Grafana names a lone query's field "Value", not "Value #A"`);
  const queries: Query[] = spec.columns.map((c) => ({ refId: c.refId, expr: c.expr, legend: '', instant: true, format: 'table' }));
  // The panel's unit is for the key columns, which are text.
  const b = basics(new table.PanelBuilder(), { ...spec, unit: UNIT.none, queries });
  const order: Record<string, number> = {};
  [...spec.keys.map((k) => k.label), ...spec.columns.map((c) => valueField(c.refId))].forEach((name, i) => (order[name] = i));
  b.withTransformation({ id: 'merge', options: {} });
  b.withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, indexByName: order, renameByName: {} } });
  for (const k of spec.keys) {
    const properties: dashboard.DynamicConfigValue[] = [{ id: 'displayName', value: k.title }];
    if (k.link) properties.push({ id: 'links', value: [{ title: k.link.title, url: k.link.url, targetBlank: false }] });
    b.overrideByName(k.label, properties);
  }
  for (const c of spec.columns) {
    const properties: dashboard.DynamicConfigValue[] = [
      { id: 'displayName', value: c.title },
      { id: 'unit', value: c.unit },
    ];
    if (c.decimals !== undefined) properties.push({ id: 'decimals', value: c.decimals });
    if (c.thresholds) {
      properties.push(
        { id: 'thresholds', value: thresholdsConfig(c.thresholds).build() },
        { id: 'color', value: { mode: dashboard.FieldColorModeId.Thresholds } },
        {
          id: 'custom.cellOptions',
          value: c.color === 'background' ? { type: common.TableCellDisplayMode.ColorBackground, mode: common.TableCellBackgroundDisplayMode.Basic } : { type: common.TableCellDisplayMode.ColorText },
        },
      );
    }
    b.overrideByName(valueField(c.refId), properties);
  }
  if (spec.sortBy) b.sortBy([new common.TableSortByFieldStateBuilder().displayName(spec.sortBy.title).desc(spec.sortBy.descending)]);
  return b.cellHeight(common.TableCellHeight.Sm).showHeader(true);
}

/** A template variable. */
export type Variable =
  | { readonly kind: 'datasource' }
  | {
      /** A hidden, fixed value: text a generator knows once and many queries repeat, written once. */
      readonly kind: 'constant';
      readonly name: string;
      readonly description: string;
      readonly value: string;
    }
  | {
      readonly kind: 'query';
      readonly name: string;
      readonly label: string;
      readonly description: string;
      /** `label_values(<selector>, <label>)`. */
      readonly query: string;
      /** Multi-select with an "All" option that sends `allValue`. */
      readonly multi: boolean;
      /** Sent for "All" (multi only). */
      readonly allValue?: string;
      /** Initial selection (single-select only). */
      readonly current?: string;
    };

/** A dashboard-level link. */
export type DashboardLink =
  | {
      readonly kind: 'url';
      readonly title: string;
      readonly tooltip: string;
      readonly url: string;
      readonly newTab: boolean;
      /** Carry the current time range over. @default true */
      readonly keepTime?: boolean;
      /** Carry the current variable values over. @default false */
      readonly includeVars?: boolean;
    }
  | { readonly kind: 'tags'; readonly title: string; readonly tooltip: string; readonly tags: readonly string[] };

/** A row of panels. */
export interface Row {
  readonly id: number;
  readonly title: string;
  readonly panels: readonly Panel[];
}

/** A whole dashboard. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly Variable[];
  readonly links: readonly DashboardLink[];
  readonly rows: readonly Row[];
  /** Default time range, in Grafana's relative syntax. @default { from: 'now-6h', to: 'now' } */
  readonly time?: { readonly from: string; readonly to: string };
  /** Auto-refresh interval. @default '1m' */
  readonly refresh?: string;
}

function variable(v: Variable): cog.Builder<dashboard.VariableModel> {
  switch (v.kind) {
    case 'datasource':
      // dashboard-linter template-datasource-rule: named `datasource`, labelled "Data source".
      return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus');
    case 'constant':
      return new dashboard.ConstantVariableBuilder(v.name).description(v.description).value(v.value);
    case 'query': {
      const b = new dashboard.QueryVariableBuilder(v.name)
        .label(v.label)
        .description(v.description)
        .datasource(DATASOURCE)
        .query(v.query)
        .definition(v.query)
        // dashboard-linter template-on-time-change-reload-rule: values follow the time range.
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .multi(v.multi)
        .includeAll(v.multi)
        .allowCustomValue(false);
      if (v.allValue !== undefined) b.allValue(v.allValue);
      if (v.current !== undefined) b.current({ selected: true, text: v.current, value: v.current });
      return b;
    }
  }
}

function dashboardLink(l: DashboardLink): dashboard.DashboardLinkBuilder {
  const b = new dashboard.DashboardLinkBuilder(l.title).tooltip(l.tooltip);
  switch (l.kind) {
    case 'url':
      return b
        .keepTime(l.keepTime ?? true)
        .type(dashboard.DashboardLinkType.Link)
        .url(l.url)
        .targetBlank(l.newTab)
        .includeVars(l.includeVars ?? false)
        .icon(l.newTab ? 'doc' : 'dashboard');
    case 'tags':
      // kubernetes-mixin's dashboards-by-tag dropdown: every dashboard of the service, variables carried over.
      return b.keepTime(true).type(dashboard.DashboardLinkType.Dashboards).tags([...l.tags]).asDropdown(true).includeVars(true);
  }
}

/**
 * Builds the v1 dashboard JSON: read-only (dashboard-linter `uneditable-dashboard`: generated dashboards
 * are changed in code, not in the UI), UTC, shared crosshair, refreshed every minute.
 */
export function buildDashboard(spec: DashboardSpec): DashboardJson {
  const b = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .readonly()
    .time({ ...(spec.time ?? { from: 'now-6h', to: 'now' }) })
    .refresh(spec.refresh ?? '1m')
    .timezone('utc')
    .tooltip(dashboard.DashboardCursorSync.Crosshair);
  for (const v of spec.variables) b.withVariable(variable(v));
  for (const l of spec.links) b.link(dashboardLink(l));
  for (const row of spec.rows) {
    b.withRow(new dashboard.RowBuilder(row.title).id(row.id));
    for (const p of row.panels) b.withPanel(p);
  }
  // A JSON round trip detaches the result from the mutable builders and drops undefined fields.
  return JSON.parse(JSON.stringify(b.build())) as DashboardJson;
}
