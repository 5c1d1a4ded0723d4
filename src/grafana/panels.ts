/** The few panel shapes our dashboards use, on Grafana's typed builders: every
 * panel names the provisioned datasource, carries its links (console page,
 * runbook) and takes its unit and thresholds from the caller, which reads them
 * from the SLO spec or the alerting rules. */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardLinkBuilder,
  DashboardLinkType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HeatmapColorMode,
  HeatmapColorOptionsBuilder,
  HeatmapColorScale,
  PanelBuilder as HeatmapPanel,
} from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE_REF, OK_COLOUR } from './conventions.js';

export interface Query {
  expr: string;
  legend?: string;
  /** Read at the end of the range only (stat and table panels). */
  instant?: boolean;
  format?: 'table' | 'heatmap';
}

export interface PanelLink {
  title: string;
  url: string;
}

/** A threshold step: from `value` up, the colour. The base step (below every value) is given apart. */
export interface Step {
  value: number;
  color: string;
}

export interface Common {
  title: string;
  description: string;
  queries: Query[];
  links?: PanelLink[];
  unit?: string;
  /** Colour below the first step (default green: below every alert line is fine). */
  base?: string;
  steps?: Step[];
  min?: number;
  max?: number;
  /** Width out of 24 and height in grid rows. */
  w: number;
  h: number;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(qs: readonly Query[]): DataqueryBuilder[] {
  return qs.map((q, i) => {
    const t = new DataqueryBuilder()
      .expr(q.expr)
      .refId(REF_IDS[i] ?? `Q${i}`)
      .datasource(DATASOURCE_REF)
      .legendFormat(q.legend ?? '__auto');
    if (q.instant) t.instant();
    else t.range();
    if (q.format === 'table') t.format(PromQueryFormat.Table);
    if (q.format === 'heatmap') t.format(PromQueryFormat.Heatmap);
    return t;
  });
}

function links(ls: readonly PanelLink[] | undefined): DashboardLinkBuilder[] {
  return (ls ?? []).map((l) => new DashboardLinkBuilder(l.title).type(DashboardLinkType.Link).url(l.url).targetBlank(true));
}

function thresholds(c: Common): ThresholdsConfigBuilder {
  const steps = [...(c.steps ?? [])].sort((a, b) => a.value - b.value);
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: c.base ?? OK_COLOUR }, ...steps.map((s) => ({ value: s.value, color: s.color }))]);
}

/** Settings every panel kind shares (the builders are distinct classes with the same methods). */
function shared<
  B extends {
    title(t: string): B;
    description(d: string): B;
    datasource(d: typeof DATASOURCE_REF): B;
    targets(t: cog.Builder<cog.Dataquery>[]): B;
    links(l: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').DashboardLink>[]): B;
    thresholds(t: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').ThresholdsConfig>): B;
    height(h: number): B;
    span(w: number): B;
    unit(u: string): B;
    min(n: number): B;
    max(n: number): B;
  },
>(b: B, c: Common): B {
  b.title(c.title).description(c.description).datasource(DATASOURCE_REF).targets(targets(c.queries)).links(links(c.links));
  b.thresholds(thresholds(c)).height(c.h).span(c.w);
  if (c.unit) b.unit(c.unit);
  if (c.min !== undefined) b.min(c.min);
  if (c.max !== undefined) b.max(c.max);
  return b;
}

export interface TimeseriesOptions extends Common {
  /** Draw the threshold steps as lines (the alert lines). */
  thresholdLines?: boolean;
  stacked?: boolean;
  /** Series drawn dashed in a fixed colour, by a regular expression on their
   * display name (an objective or a threshold series). */
  fixedColours?: Record<string, string>;
}

export function timeseries(o: TimeseriesOptions): cog.Builder<Panel> {
  const b = shared(new TimeseriesPanel(), o)
    .lineWidth(1)
    .fillOpacity(o.stacked ? 30 : 8)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(
        o.thresholdLines ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off,
      ),
    );
  if (o.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  for (const [pattern, color] of Object.entries(o.fixedColours ?? {})) {
    b.overrideByRegexp(pattern, [
      { id: 'color', value: { mode: 'fixed', fixedColor: color } },
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
    ]);
  }
  return b;
}

export function stat(o: Common & { colorBackground?: boolean }): cog.Builder<Panel> {
  return shared(new StatPanel(), o)
    .colorMode(o.colorBackground ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Auto)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

export function table(o: Common): cog.Builder<Panel> {
  return shared(new TablePanel(), o).showHeader(true);
}

/** A heat map of series laid out as rows (one row per feature), coloured by value. */
export function heatmap(o: Common): cog.Builder<Panel> {
  return shared(new HeatmapPanel(), o)
    .calculate(false)
    .color(
      new HeatmapColorOptionsBuilder()
        .mode(HeatmapColorMode.Scheme)
        .scheme('RdYlGn')
        .reverse(true)
        .scale(HeatmapColorScale.Linear)
        .steps(64)
        // The colour scale tops out at the caller's top step (the major-drift line).
        .min(0)
        .max(o.steps?.length ? Math.max(...o.steps.map((s) => s.value)) : 1),
    )
    .showValue(common.VisibilityMode.Auto)
    .cellGap(1);
}
