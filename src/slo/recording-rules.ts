/** Recording rules: per SLO, tiles (short-window event rates recorded once per
 * tile), coarse tiles summed from them, and the windows built on both; plus the
 * generic http:* and container:* series the dashboards and alerts read. Pure
 * functions from the model to groups. */
import {
  CONTAINER_METRICS,
  CONTAINER_SERIES,
  GROUP_NAMES,
  HISTOGRAM,
  HTTP_METRICS,
  HTTP_SERIES,
  LATENCY_QUANTILES,
  PERIOD_QUANTILE,
  sloSeries,
} from './conventions.js';
import type { Slo } from './model.js';
import {
  num,
  rawBadRate,
  rawErrorRatio,
  rawTotalRate,
  recorded,
  sloLabels,
  sumOfTiles,
  tileOf,
  type RecordingRule,
  type RuleGroup,
} from './rules.js';
import { formatSelector, withMetric } from './selector.js';
import { rangeJustUnder, type RateWindow } from './windows.js';

/** Percentiles are for people reading dashboards, over the usual 5m whatever the period. */
const QUANTILE_WINDOW: RateWindow = { seconds: 300, name: '5m', source: 'raw' };

/** Tiles: the event rates over one tile, recorded once per tile. Summing them over
 * a long window gives that window's events exactly (each event lies in one tile),
 * so long windows weigh every tile by its traffic and never re-read raw samples. */
export function tileRules(slo: Slo): RuleGroup<RecordingRule> {
  const tile = slo.windows.tile;
  const labels = sloLabels(slo);
  const rules: RecordingRule[] = [
    { record: sloSeries.badEventsTile(slo.kind, tile.name), expr: rawBadRate(slo, tile), labels },
    { record: sloSeries.totalEventsTile(slo.kind, tile.name), expr: rawTotalRate(slo, tile), labels },
  ];
  if (slo.latency) {
    const bucket = withMetric(slo.latency.selector, slo.latency.metric + HISTOGRAM.bucket);
    rules.push({
      record: sloSeries.latencyBucketTile(slo.latency.metric, tile.name),
      expr: `sum by (${HISTOGRAM.le}) (rate(${formatSelector(bucket)}[${tile.name}]))`,
      labels,
    });
  }
  return { name: GROUP_NAMES.sloTiles(slo.service, slo.name), interval: tile.name, rules };
}

/** Coarse tiles: the mean of the fine tiles of the last coarse tile length, so
 * still a per-second rate, recorded once per coarse tile. The range is a millisecond
 * short of the coarse tile, so at that pace each fine tile lands in exactly one
 * coarse tile; dividing by the tile count (not by count_over_time) keeps the events
 * of a window with a missed fine tile as they were recorded. */
export function coarseTileRules(slo: Slo): RuleGroup<RecordingRule> {
  const { tile, coarseTile, tilesPerCoarseTile } = slo.windows;
  const labels = sloLabels(slo);
  const coarse = (fine: string): string =>
    `sum_over_time(${recorded(fine, slo)}[${rangeJustUnder(coarseTile.seconds)}]) / ${tilesPerCoarseTile}`;
  const rules: RecordingRule[] = [
    { record: sloSeries.badEventsTile(slo.kind, coarseTile.name), expr: coarse(sloSeries.badEventsTile(slo.kind, tile.name)), labels },
    { record: sloSeries.totalEventsTile(slo.kind, coarseTile.name), expr: coarse(sloSeries.totalEventsTile(slo.kind, tile.name)), labels },
  ];
  if (slo.latency) {
    const metric = slo.latency.metric;
    rules.push({
      record: sloSeries.latencyBucketTile(metric, coarseTile.name),
      expr: coarse(sloSeries.latencyBucketTile(metric, tile.name)),
      labels,
    });
  }
  return { name: GROUP_NAMES.sloCoarseTiles(slo.service, slo.name), interval: coarseTile.name, rules };
}

/** Error ratio over a long window from the tiles, weighted by traffic. */
function tiledErrorRatio(slo: Slo, w: RateWindow): string {
  const tile = tileOf(slo, w).name;
  const bad = recorded(sloSeries.badEventsTile(slo.kind, tile), slo);
  const total = recorded(sloSeries.totalEventsTile(slo.kind, tile), slo);
  return `${sumOfTiles(bad, w)} / (${sumOfTiles(total, w)} > 0)`;
}

/** The period from coarse tiles lags by up to one coarse tile, and a stack younger
 * than one coarse tile (an hour in production) has none yet. Then the fine tiles
 * of the last coarse tile's length, which hold all the stack has seen, stand in:
 * `or` keeps the coarse answer wherever it exists, and the stand-in reads only a
 * dozen samples per series. */
function withYoungStackFallback(slo: Slo, of: (w: RateWindow) => string): string {
  const { period, coarseTile } = slo.windows;
  if (period.source !== 'coarse-tiles') return of(period);
  return `(${of(period)}) or (${of(coarseTile)})`;
}

function errorRatio(slo: Slo, w: RateWindow): string {
  return w.source === 'raw' ? rawErrorRatio(slo, w) : tiledErrorRatio(slo, w);
}

/** The SLI, burn rates, period ratio and budget of one SLO, at the global interval. */
export function windowRules(slo: Slo): RuleGroup<RecordingRule> {
  const labels = sloLabels(slo);
  const { tile, period, windows } = slo.windows;
  const budget = num(slo.errorBudget);
  const periodRatio = sloSeries.ratio(slo.kind, period.name);
  const rules: RecordingRule[] = [
    { record: sloSeries.objective(slo.kind), expr: `vector(${num(slo.objective)})`, labels },
    { record: sloSeries.ratio(slo.kind, tile.name), expr: `1 - (${rawErrorRatio(slo, tile)})`, labels },
    ...windows.map((w) => ({
      record: sloSeries.burnRate(slo.kind, w.name),
      expr: `(${errorRatio(slo, w)}) / ${budget}`,
      labels,
    })),
    { record: periodRatio, expr: `1 - (${withYoungStackFallback(slo, (w) => tiledErrorRatio(slo, w))})`, labels },
    {
      record: sloSeries.errorBudgetRemaining(slo.kind),
      expr: `1 - (1 - ${recorded(periodRatio, slo)}) / ${budget}`,
      labels,
    },
  ];
  if (slo.latency) {
    const { metric, selector } = slo.latency;
    const bucket = formatSelector(withMetric(selector, metric + HISTOGRAM.bucket));
    const count = formatSelector(withMetric(selector, metric + HISTOGRAM.count));
    // histogram_quantile of all-zero buckets is NaN: without traffic, record nothing.
    const hasTraffic = `and on () (sum(rate(${count}[${QUANTILE_WINDOW.name}])) > 0)`;
    for (const q of LATENCY_QUANTILES) {
      rules.push({
        record: sloSeries.latencyQuantile(metric, q, QUANTILE_WINDOW.name),
        expr: `histogram_quantile(${num(q)}, sum by (${HISTOGRAM.le}) (rate(${bucket}[${QUANTILE_WINDOW.name}]))) ${hasTraffic}`,
        labels,
      });
    }
    const quantileOver = (w: RateWindow): string => {
      const tileName = tileOf(slo, w).name;
      const bucketTile = recorded(sloSeries.latencyBucketTile(metric, tileName), slo);
      const totalTile = recorded(sloSeries.totalEventsTile(slo.kind, tileName), slo);
      return (
        `histogram_quantile(${num(PERIOD_QUANTILE)}, sum by (${HISTOGRAM.le}) (${sumOfTiles(bucketTile, w)}))` +
        ` and on () (${sumOfTiles(totalTile, w)} > 0)`
      );
    };
    rules.push({
      record: sloSeries.latencyQuantile(metric, PERIOD_QUANTILE, period.name),
      expr: withYoungStackFallback(slo, quantileOver),
      labels,
    });
  }
  return { name: GROUP_NAMES.sloWindows(slo.service, slo.name), rules };
}

/** RED series of every HTTP service, under the `http:*` names the dashboards know. */
export function httpRules(): RuleGroup<RecordingRule> {
  const req = HTTP_METRICS.requests;
  const dur = HTTP_METRICS.duration;
  const by = 'sum by (job, route)';
  return {
    name: GROUP_NAMES.http,
    rules: [
      { record: HTTP_SERIES.requests, expr: `sum by (job, route, status) (rate(${req}[5m]))` },
      {
        // `or ... * 0` gives 0% for routes that never failed, instead of no series.
        record: HTTP_SERIES.errorPercent,
        expr: `100 * (${by} (rate(${req}{status=~"5.."}[5m])) or ${by} (rate(${req}[5m])) * 0) / (${by} (rate(${req}[5m])) > 0)`,
      },
      {
        record: HTTP_SERIES.durationAvg,
        expr: `${by} (rate(${dur}${HISTOGRAM.sum}[5m])) / (${by} (rate(${dur}${HISTOGRAM.count}[5m])) > 0)`,
      },
    ],
  };
}

/** cAdvisor container series; they stay empty where no cAdvisor is scraped. */
export function containerRules(): RuleGroup<RecordingRule> {
  const m = CONTAINER_METRICS;
  return {
    name: GROUP_NAMES.container,
    rules: [
      // Percent of one CPU core.
      { record: CONTAINER_SERIES.cpu, expr: `100 * sum by (instance, name) (rate(${m.cpu}{name!=""}[5m]))` },
      // Percent of the memory limit; containers without a limit report 0 and are left out.
      {
        record: CONTAINER_SERIES.memory,
        expr: `100 * sum by (instance, name) (${m.memoryWorkingSet}{name!=""}) / (sum by (instance, name) (${m.memoryLimit}{name!=""}) > 0)`,
      },
      // Megabytes (10^6 bytes) per second.
      { record: CONTAINER_SERIES.networkTransmit, expr: `sum by (instance, name) (rate(${m.networkTransmit}{name!=""}[5m])) / 1e6` },
    ],
  };
}

/** Every recording group: per SLO tiles, coarse tiles, then windows (the order
 * promtool evaluates them in at one step), then the generic groups. */
export function recordingRuleGroups(slos: readonly Slo[]): RuleGroup<RecordingRule>[] {
  return [...slos.flatMap((slo) => [tileRules(slo), coarseTileRules(slo), windowRules(slo)]), httpRules(), containerRules()];
}
