/** Prometheus rule groups as data, and the PromQL fragments every SLO rule shares. */
import { SLO_LABELS } from './conventions.js';
import type { Slo } from './model.js';
import { formatSelector } from './selector.js';
import { rangeJustUnder, type RateWindow } from './windows.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
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
export function recorded(metric: string, slo: Slo): string {
  return `${metric}{${SLO_LABELS.service}=${JSON.stringify(slo.service)},${SLO_LABELS.slo}=${JSON.stringify(slo.name)}}`;
}

/** A number as PromQL prints it best: 0.005, 14.4, 259200. */
export function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** Bad events per second over `w` from the raw counters. No bad series (no error
 * ever happened) counts as zero, so the ratio is 0, not missing. */
export function rawBadRate(slo: Slo, w: RateWindow): string {
  const total = `sum(rate(${formatSelector(slo.events.total)}[${w.name}]))`;
  const sel = `sum(rate(${formatSelector(slo.events.selector)}[${w.name}]))`;
  return slo.events.mode === 'bad' ? `(${sel} or vector(0))` : `(${total} - (${sel} or vector(0)))`;
}

export function rawTotalRate(slo: Slo, w: RateWindow): string {
  return `sum(rate(${formatSelector(slo.events.total)}[${w.name}]))`;
}

/** Share of bad events over `w` from the raw counters. `> 0` on the divisor turns
 * "no traffic" into no sample instead of NaN, which would poison every window
 * that later sums over it. */
export function rawErrorRatio(slo: Slo, w: RateWindow): string {
  return `${rawBadRate(slo, w)} / (${rawTotalRate(slo, w)} > 0)`;
}

/** The tiles a tiled window is summed from: the coarse ones for the period. */
export function tileOf(slo: Slo, w: RateWindow): RateWindow {
  return w.source === 'coarse-tiles' ? slo.windows.coarseTile : slo.windows.tile;
}

/** `sum_over_time(series[w])` over tiles, a millisecond short of `w` so that a window
 * of n tiles holds n tiles, never n + 1 (Prometheus 2.x ranges hold both ends). */
export function sumOfTiles(series: string, w: RateWindow): string {
  return `sum_over_time(${series}[${rangeJustUnder(w.seconds)}])`;
}
