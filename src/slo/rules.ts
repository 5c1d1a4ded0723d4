/** Prometheus rule groups as data, and the PromQL fragments every SLO rule shares. */
import { HISTOGRAM, SLO_LABELS, sloSeries, type EventRole } from './conventions.js';
import type { Slo } from './model.js';
import { formatSelector, withMatcher, withMetric } from './selector.js';
import type { RateWindow } from './windows.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup<R> {
  name: string;
  /** Only set where a group must run at its own pace (the SLO tiles). */
  interval?: string;
  rules: R[];
}

/** Labels every generated SLO series carries. */
export function sloLabels(slo: Slo): Record<string, string> {
  return { [SLO_LABELS.service]: slo.service, [SLO_LABELS.slo]: slo.name, ...slo.labels };
}

/** `metric{service="x",slo="y"}`: reads back one SLO's recorded series. */
export function recorded(metric: string, slo: Slo, extra = ''): string {
  return `${metric}{${SLO_LABELS.service}=${JSON.stringify(slo.service)},${SLO_LABELS.slo}=${JSON.stringify(slo.name)}${extra}}`;
}

/** A number as PromQL prints it best: 0.005, 14.4, 259200. */
export function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** The raw counter series an SLO counts. A latency SLI counts only the histogram
 * series that have the threshold's bucket: a series without it (another client's
 * layout, a rollout with mixed layouts) cannot say which of its requests were
 * fast, so it is neither good nor bad (and has an alert of its own). */
export interface CountedSeries {
  /** Bad (or good) events; undefined for latency SLIs, whose good events are a bucket. */
  events: { role: EventRole; selector: string } | undefined;
  /** All events: a plain selector, kept only where `onlyWith` has a series too. */
  total: { selector: string; onlyWith: string | undefined };
  /** Latency SLIs: every bucket of the histogram (`le` kept), of the series the SLI counts. */
  buckets: { selector: string; onlyWith: string | undefined } | undefined;
}

export function countedSeries(slo: Slo): CountedSeries {
  if (!slo.latency) {
    return {
      events: { role: slo.events.mode, selector: formatSelector(slo.events.selector) },
      total: { selector: formatSelector(slo.events.total), onlyWith: undefined },
      buckets: undefined,
    };
  }
  const { metric, selector } = slo.latency;
  return {
    events: undefined,
    total: { selector: formatSelector(withMetric(selector, metric + HISTOGRAM.count)), onlyWith: thresholdBucket(slo) },
    buckets: { selector: formatSelector(withMetric(selector, metric + HISTOGRAM.bucket)), onlyWith: thresholdBucket(slo) },
  };
}

/** Latency SLIs: the threshold's bucket series, whichever way `le` is written. */
export function thresholdBucket(slo: Slo): string {
  if (!slo.latency) throw new Error(`${slo.service}/${slo.name} is not a latency SLO`);
  const { metric, selector, thresholdLe } = slo.latency;
  return formatSelector(
    withMatcher(withMetric(selector, metric + HISTOGRAM.bucket), { label: HISTOGRAM.le, op: '=~', value: thresholdLe }),
  );
}

/** `expr` kept where the series has the threshold's bucket (latency totals). */
export function keptWith(expr: string, onlyWith: string | undefined): string {
  return onlyWith === undefined ? expr : `(${expr} and ignoring (${HISTOGRAM.le}) ${onlyWith})`;
}

/** Every label a recorded series adds to the raw series it copies. */
const OWN = `ignoring (${SLO_LABELS.service}, ${SLO_LABELS.slo})`;

/** The events of the raw counters `selector` since each series was last counted,
 * summed (by `le` for buckets). `lastSeen` is recorded by the same evaluation just
 * before the counts (see tileRules): its sample at this instant is the value
 * counted up to, and its previous one (however long ago within the catch-up
 * horizon) the value counted from. Both ends are recorded values, never a second
 * read of the raw series: a scrape that is appended while the group runs (its
 * timestamp before the evaluation's) would otherwise be seen by one read and not
 * by the other, and the events between them lost for good. The difference of two
 * recorded scrapes, not a rate: nothing is extrapolated, and an event lies between
 * exactly one pair of recorded values, so it is counted once whatever tile edge it
 * falls next to, and a tile that was never evaluated (Prometheus stopped, an
 * iteration missed) is counted by the next one. A series that reset since (its
 * value fell, or resets() saw a drop within the tile) counts its value since the
 * reset plus what it had gained before it; a series never counted before counts
 * what it gained within the tile (so a service creates its series at zero, as the
 * gateway does). */
export function increaseSinceLastSeen(
  slo: Slo,
  series: { selector: string; onlyWith: string | undefined },
  lastSeen: string,
  byLe: boolean,
): string {
  const { tile, catchUp } = slo.windows;
  const now = lastSeen;
  // `offset 1ms` leaves out the sample this evaluation has just recorded.
  const previous = `last_over_time(${lastSeen}[${catchUp.name}] offset 1ms)`;
  const over = (fn: string): string => keptWith(`${fn}(${series.selector}[${tile.name}])`, series.onlyWith);
  const alternatives = [
    `${now} - ${OWN} ${previous} >= 0 unless ${OWN} ${over('resets')} > 0`,
    `${now} + ${OWN} clamp_min(${over('max_over_time')} - ${OWN} ${previous}, 0)`,
    `${now} - ${OWN} ${over('min_over_time')} unless ${OWN} ${previous}`,
  ];
  const sum = byLe ? `sum by (${HISTOGRAM.le})` : 'sum';
  return `${sum} (\n    (${alternatives.join(`)\n  or ${OWN}\n    (`)})\n)`;
}

/** The raw series `lastSeen` records for `series`. */
export function lastSeenExpr(series: { selector: string; onlyWith: string | undefined }): string {
  return keptWith(series.selector, series.onlyWith);
}

/** The latest value of a series recorded once per tile. An instant selector would
 * lose it whenever a tile is more than Prometheus' 5-minute lookback old (a 5m tile
 * evaluated a moment late), so read the last one within the catch-up horizon. */
export function latestCounted(series: string, slo: Slo, offset?: RateWindow): string {
  return `last_over_time(${series}[${slo.windows.catchUp.name}]${offset ? ` offset ${offset.name}` : ''})`;
}

/** When counting began, as `last_over_time` of the recorded timestamp. */
export function countedSince(slo: Slo): string {
  return latestCounted(recorded(sloSeries.countedSince(slo.kind), slo), slo);
}

/** A window's events from a recorded count: the count now minus the count one
 * window ago. While the counts are younger than the window (a new stack, or
 * counting restarted after a gap longer than the catch-up horizon) the window
 * holds everything counted so far. `matching` pairs bucket counts by `le`. */
export function eventsIn(count: string, slo: Slo, w: RateWindow, matching: 'on ()' | `on (${string})` = 'on ()'): string {
  const since = countedSince(slo);
  const seconds = num(w.seconds);
  const now = latestCounted(count, slo);
  const old = latestCounted(count, slo, w);
  return (
    `(((${now} - ${matching} ${old}) and on () (${since} <= time() - ${seconds}))` +
    ` or ${matching} (${now} and on () (${since} > time() - ${seconds})))`
  );
}

/** Bad and total events over `w` read from the recorded counts. */
export function countedEvents(slo: Slo, w: RateWindow): { bad: string; total: string } {
  const total = eventsIn(recorded(sloSeries.eventsCounted(slo.kind, 'total'), slo), slo, w);
  if (slo.latency) {
    const le = `,${HISTOGRAM.le}=~${JSON.stringify(slo.latency.thresholdLe)}`;
    const good = `sum(${eventsIn(recorded(sloSeries.bucketsCounted(slo.latency.metric), slo, le), slo, w, `on (${HISTOGRAM.le})`)})`;
    return { bad: `(${total} - on () ${good})`, total };
  }
  const counted = eventsIn(recorded(sloSeries.eventsCounted(slo.kind, slo.events.mode), slo), slo, w);
  return { bad: slo.events.mode === 'bad' ? counted : `(${total} - on () ${counted})`, total };
}

/** Bad events per second over `w` from the raw counters. No bad series (no error
 * ever happened) counts as zero, so the ratio is 0, not missing. */
export function rawBadRate(slo: Slo, w: RateWindow): string {
  const total = rawTotalRate(slo, w);
  if (slo.latency) return `(${total} - (sum(rate(${thresholdBucket(slo)}[${w.name}])) or vector(0)))`;
  const sel = `sum(rate(${formatSelector(slo.events.selector)}[${w.name}]))`;
  return slo.events.mode === 'bad' ? `(${sel} or vector(0))` : `(${total} - (${sel} or vector(0)))`;
}

/** All events per second over `w` from the raw counters. */
export function rawTotalRate(slo: Slo, w: RateWindow, fn: 'rate' | 'increase' = 'rate'): string {
  const { total } = countedSeries(slo);
  return `sum(${keptWith(`${fn}(${total.selector}[${w.name}])`, total.onlyWith)})`;
}

/** Share of bad events over `w` from the raw counters. `> 0` on the divisor turns
 * "no traffic" into no sample instead of NaN. */
export function rawErrorRatio(slo: Slo, w: RateWindow): string {
  return `${rawBadRate(slo, w)} / (${rawTotalRate(slo, w)} > 0)`;
}

/** Share of bad events over `w`, from the raw counters or the recorded counts. */
export function errorRatio(slo: Slo, w: RateWindow): string {
  if (w.source === 'raw') return rawErrorRatio(slo, w);
  const { bad, total } = countedEvents(slo, w);
  return `${bad} / on () (${total} > 0)`;
}

/** Requests in `w`, for the low-traffic guard. */
export function requestsIn(slo: Slo, w: RateWindow): string {
  if (w.source === 'raw') return rawTotalRate(slo, w, 'increase');
  return countedEvents(slo, w).total;
}
