/** The SLO detail page: SLI against the objective, budget burn-down and burn
 * rates over a chosen range, the rules behind each series, and the alerts. */
import { burnAlertName, sloSeries, type Slo } from '../slo/index.js';
import { tryParseDuration } from '../duration.js';
import { ConsoleInputError } from './input.js';
import { matchers, prometheusGraphUrl, type PrometheusClient, type PrometheusRule } from '../upstream/index.js';
import type { RuleView, SloDetail } from './api-types.js';
import { intervalsOf, onGrid, timeGrid } from './series.js';
import { buildSloRows, sloListQueries, thresholdsByWindow } from './slo-list.js';

/** Ranges offered on the detail page, up to the SLO's period. */
export const RANGE_CHOICES = ['1h', '6h', '1d', '3d', '7d', '30d'] as const;

export function rangeChoices(slo: Slo): string[] {
  const period = slo.windows.period;
  const shorter = RANGE_CHOICES.filter((r) => (tryParseDuration(r) ?? Infinity) / 1000 < period.seconds);
  return [...shorter, period.name];
}

/** The default range: one day, or the whole period when that is shorter. */
export function defaultRange(slo: Slo): string {
  return slo.windows.period.seconds > 86400 ? '1d' : slo.windows.period.name;
}

/** `range` as seconds, between 1h (or the period when shorter) and the period. */
export function parseRange(slo: Slo, text: string | undefined): { name: string; seconds: number } {
  const name = text ?? defaultRange(slo);
  const ms = tryParseDuration(name);
  const seconds = ms === undefined ? undefined : ms / 1000;
  const period = slo.windows.period.seconds;
  const floor = Math.min(3600, period);
  if (seconds === undefined || seconds < floor || seconds > period) {
    throw new ConsoleInputError(
      `range must be a duration from ${floor === 3600 ? '1h' : slo.windows.period.name} to the SLO's period ${slo.windows.period.name}, got "${name}"`,
    );
  }
  return { name, seconds };
}

export interface SloSeriesNames {
  /** SLI over one tile (5m for a 30-day SLO): what happens now. */
  sliShort: string;
  /** SLI over the whole period: the promise itself. */
  sliPeriod: string;
  budget: string;
  burn: Array<{ window: string; name: string }>;
}

export function sloSeriesNames(slo: Slo): SloSeriesNames {
  return {
    sliShort: sloSeries.ratio(slo.kind, slo.windows.tile.name),
    sliPeriod: sloSeries.ratio(slo.kind, slo.windows.period.name),
    budget: sloSeries.errorBudgetRemaining(slo.kind),
    burn: slo.windows.windows.map((w) => ({ window: w.name, name: sloSeries.burnRate(slo.kind, w.name) })),
  };
}

/** One range query reads every plotted series of the SLO. Pure. */
export function sloDetailRangeQuery(slo: Slo): string {
  const n = sloSeriesNames(slo);
  const names = [n.sliShort, n.sliPeriod, n.budget, ...n.burn.map((b) => b.name)];
  return `{__name__=~"${[...new Set(names)].join('|')}",service=${JSON.stringify(slo.service)},slo=${JSON.stringify(slo.name)}}`;
}

export function sloAlertHistoryQuery(slo: Slo): string {
  const names = [burnAlertName(slo.kind, 'fast'), burnAlertName(slo.kind, 'slow')].join('|');
  return `ALERTS{alertstate="firing",alertname=~"${names}",service=${JSON.stringify(slo.service)},slo=${JSON.stringify(slo.name)}}`;
}

/** Rules whose output carries this SLO's labels: its recording and alerting rules. */
export function rulesOfSlo(slo: Slo, rules: readonly PrometheusRule[], publicUrl: string, range: string): RuleView[] {
  const own = rules.filter((r) => r.labels.service === slo.service && r.labels.slo === slo.name);
  return own.map((r) => ({
    type: r.type,
    name: r.name,
    expr: r.query,
    group: r.group,
    file: r.file,
    prometheusUrl: prometheusGraphUrl(
      publicUrl,
      r.type === 'recording' ? `${r.name}${matchers({ service: slo.service, slo: slo.name })}` : r.query,
      range,
    ),
  }));
}

export async function loadSloDetail(
  prom: PrometheusClient,
  slo: Slo,
  range: { name: string; seconds: number },
  opts: { now: number; prometheusPublicUrl: string },
): Promise<SloDetail> {
  const grid = timeGrid(opts.now, range.seconds);
  const q = sloListQueries([slo], slo);
  const [series, alerts, tiles, ranged, history, rules] = await Promise.all([
    prom.query(q.series, opts.now),
    prom.query(q.alerts, opts.now),
    prom.query(q.tiles, opts.now),
    prom.queryRange(sloDetailRangeQuery(slo), grid.start, grid.end, grid.step),
    prom.queryRange(sloAlertHistoryQuery(slo), grid.start, grid.end, grid.step),
    prom.rules().then(
      (r) => ({ ok: true as const, rules: r }),
      (e: unknown) => ({ ok: false as const, message: (e as Error).message }),
    ),
  ]);
  const row = buildSloRows([slo], { series, alerts, tiles, now: opts.now })[0]!;
  const byName = new Map(ranged.map((s) => [s.labels.__name__ ?? '', s]));
  const names = sloSeriesNames(slo);
  const thresholds = thresholdsByWindow(slo);
  return {
    slo: row,
    range: { ...range, choices: rangeChoices(slo) },
    grid,
    series: {
      sliShort: { name: names.sliShort, window: slo.windows.tile.name, values: onGrid(grid, byName.get(names.sliShort)) },
      sliPeriod: { name: names.sliPeriod, window: slo.windows.period.name, values: onGrid(grid, byName.get(names.sliPeriod)) },
      budget: { name: names.budget, values: onGrid(grid, byName.get(names.budget)) },
      burn: names.burn.map((b) => ({ ...b, values: onGrid(grid, byName.get(b.name)), thresholds: thresholds.get(b.window) ?? [] })),
    },
    tiers: slo.windows.tiers.map((t) => ({
      speed: t.speed,
      burnRate: t.burnRate,
      long: t.long.name,
      short: t.short.name,
      severity: t.speed === 'fast' ? 'page' : 'ticket',
      budgetSpent: t.budgetSpent,
    })),
    rules: rules.ok ? rulesOfSlo(slo, rules.rules, opts.prometheusPublicUrl, range.name) : [],
    rulesNote: rules.ok ? null : `The rules could not be read from Prometheus: ${rules.message}`,
    alerts: {
      firing: row.firing,
      recent: history
        .flatMap((s) =>
          intervalsOf(grid, s).map((i) => ({
            ...i,
            alertname: s.labels.alertname ?? '',
            severity: s.labels.severity ?? '',
            longWindow: s.labels.long_window ?? '',
            shortWindow: s.labels.short_window ?? '',
          })),
        )
        .sort((a, b) => b.to - a.to),
    },
  };
}
