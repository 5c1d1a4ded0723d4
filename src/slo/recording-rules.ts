/** Recording rules: per SLO, the event counts recorded once per tile (with the
 * raw values they were counted from), and the windows, period and budget read
 * from them. Pure functions from the model to groups. */
import { GROUP_NAMES, HISTOGRAM, LATENCY_QUANTILES, PERIOD_QUANTILE, sloSeries, type EventRole } from './conventions.js';
import type { Slo } from './model.js';
import {
  countedEvents,
  countedSeries,
  errorRatio,
  eventsIn,
  increaseSinceLastSeen,
  keptWith,
  lastSeenExpr,
  num,
  rawErrorRatio,
  recorded,
  sloLabels,
  type RecordingRule,
  type RuleGroup,
} from './rules.js';
import type { RateWindow } from './windows.js';

/** Percentiles are for people reading dashboards, over the usual 5m whatever the period. */
const QUANTILE_WINDOW: RateWindow = { seconds: 300, name: '5m', source: 'raw' };

/** `previous + new events`: the count carried over from its last tile (0 when
 * there is none within the catch-up horizon: counting starts again). */
function countRule(slo: Slo, record: string, increase: string, byLe: boolean): RecordingRule {
  const previous = `last_over_time(${recorded(record, slo)}[${slo.windows.catchUp.name}])`;
  const expr = byLe
    ? `(${previous} + on (${HISTOGRAM.le}) ${increase})\nor on (${HISTOGRAM.le}) ${previous}\nor on (${HISTOGRAM.le}) ${increase}`
    : `(${previous} or on () vector(0))\n+ on ()\n(${increase} or on () vector(0))`;
  return { record, expr, labels: sloLabels(slo) };
}

/** Tiles: once per tile, each raw counter series' events since it was last
 * counted are added to the SLO's counts, and its value is kept for the next tile.
 * A window's events are then the difference of two counts (eventsIn), exact
 * whatever the scrape interval, the tile edges or the evaluations missed within
 * the catch-up horizon. Rule order matters: each evaluation first keeps every raw
 * series' value, then counts from the values it kept (this evaluation's and the
 * previous one), so the counts never read the raw series twice. */
export function tileRules(slo: Slo): RuleGroup<RecordingRule> {
  const labels = sloLabels(slo);
  const c = countedSeries(slo);
  const counts: RecordingRule[] = [];
  const kept: RecordingRule[] = [];
  const count = (role: EventRole, series: { selector: string; onlyWith: string | undefined }): void => {
    const lastSeen = sloSeries.eventsLastSeen(slo.kind, role);
    counts.push(
      countRule(slo, sloSeries.eventsCounted(slo.kind, role), increaseSinceLastSeen(slo, series, recorded(lastSeen, slo), false), false),
    );
    kept.push({ record: lastSeen, expr: lastSeenExpr(series), labels });
  };
  if (c.events) count(c.events.role, { selector: c.events.selector, onlyWith: undefined });
  count('total', c.total);
  if (slo.latency && c.buckets) {
    const lastSeen = sloSeries.bucketsLastSeen(slo.latency.metric);
    counts.push(
      countRule(
        slo,
        sloSeries.bucketsCounted(slo.latency.metric),
        increaseSinceLastSeen(slo, c.buckets, recorded(lastSeen, slo), true),
        true,
      ),
    );
    kept.push({ record: lastSeen, expr: lastSeenExpr(c.buckets), labels });
  }
  const since = sloSeries.countedSince(slo.kind);
  // Counting starts now, or again after a gap longer than the catch-up horizon
  // (when the counts above start again from zero too).
  counts.push({
    record: since,
    expr: `last_over_time(${recorded(since, slo)}[${slo.windows.catchUp.name}]) or on () vector(time())`,
    labels,
  });
  return { name: GROUP_NAMES.sloTiles(slo.service, slo.name), interval: slo.windows.tile.name, rules: [...kept, ...counts] };
}

/** Quantiles of a histogram are NaN without a finite bucket holding the rank (a
 * histogram with only `+Inf`): keep the finite answers only. */
function finiteOnly(expr: string): string {
  return `(${expr}) >= -Inf`;
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
    { record: periodRatio, expr: `1 - (${errorRatio(slo, period)})`, labels },
    {
      record: sloSeries.errorBudgetRemaining(slo.kind),
      expr: `1 - (1 - ${recorded(periodRatio, slo)}) / ${budget}`,
      labels,
    },
  ];
  if (slo.latency) {
    const { metric } = slo.latency;
    const { buckets, total } = countedSeries(slo);
    const w = QUANTILE_WINDOW.name;
    // The series the SLI counts (those with the threshold's bucket). histogram_quantile
    // of all-zero buckets is NaN: without traffic, record nothing.
    const bucketRates = keptWith(`rate(${buckets?.selector ?? ''}[${w}])`, buckets?.onlyWith);
    const hasTraffic = `and on () (sum(${keptWith(`rate(${total.selector}[${w}])`, total.onlyWith)}) > 0)`;
    for (const q of LATENCY_QUANTILES) {
      rules.push({
        record: sloSeries.latencyQuantile(metric, q, QUANTILE_WINDOW.name),
        expr: finiteOnly(`histogram_quantile(${num(q)}, sum by (${HISTOGRAM.le}) (${bucketRates})) ${hasTraffic}`),
        labels,
      });
    }
    const periodBuckets = eventsIn(recorded(sloSeries.bucketsCounted(metric), slo), slo, period, `on (${HISTOGRAM.le})`);
    rules.push({
      record: sloSeries.latencyQuantile(metric, PERIOD_QUANTILE, period.name),
      expr: finiteOnly(
        `histogram_quantile(${num(PERIOD_QUANTILE)}, sum by (${HISTOGRAM.le}) (${periodBuckets})) and on () (${countedEvents(slo, period).total} > 0)`,
      ),
      labels,
    });
  }
  return { name: GROUP_NAMES.sloWindows(slo.service, slo.name), rules };
}

/** Every recording group: per SLO the tiles, then the windows (the order promtool
 * evaluates them in at one step). */
export function recordingRuleGroups(slos: readonly Slo[]): RuleGroup<RecordingRule>[] {
  return slos.flatMap((slo) => [tileRules(slo), windowRules(slo)]);
}
