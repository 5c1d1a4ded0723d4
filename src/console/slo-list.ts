/** The SLO list: three queries for any number of SLOs (every SLO series by
 * name in one, the firing burn alerts in another, the tiles counted over each
 * period in the third; each SLO picked out by its `service`/`slo` labels), then
 * a pure join. */
import { burnAlertName, rangeJustUnder, sloSeries, type Slo } from '../slo/index.js';
import type { AlertState, FiringAlert, SloRow } from './api-types.js';
import { sloId } from './catalog.js';
import type { InstantSample, Labels } from '../upstream/index.js';
import { finiteOrNull } from './series.js';

export const SERIES_LABELS = { service: 'service', slo: 'slo' } as const;

function keyOf(labels: Labels): string {
  return `${labels[SERIES_LABELS.service] ?? ''}\u0000${labels[SERIES_LABELS.slo] ?? ''}`;
}

function nameRegex(names: Iterable<string>): string {
  // Recording-rule names hold only [a-zA-Z0-9_:], nothing to escape.
  return [...new Set(names)].sort().join('|');
}

export interface SloListQueries {
  /** SLI over the period, budget remaining, every burn rate and when counting began, in one selector. */
  series: string;
  alerts: string;
  /** How many tiles were counted over each SLO's period, one `or` term per period. */
  tiles: string;
}

/** The series names the list reads for one SLO. */
export function sloListSeriesNames(slo: Slo): string[] {
  return [
    sloSeries.ratio(slo.kind, slo.windows.period.name),
    sloSeries.errorBudgetRemaining(slo.kind),
    sloSeries.countedSince(slo.kind),
    ...slo.windows.windows.map((w) => sloSeries.burnRate(slo.kind, w.name)),
  ];
}

/** The label the tile-count query marks each period's term with. */
export const PERIOD_LABEL = 'mlmon_period';

/** Tiles counted within each SLO's period: one term per distinct period (the SLOs of
 * that period picked by the names of their counts), marked with the period so the
 * terms do not merge. A count is recorded once per tile, so a period without gaps
 * holds period / tile of them. */
function tilesQuery(slos: readonly Slo[], only: Slo | undefined): string {
  const byPeriod = new Map<string, Slo[]>();
  for (const s of slos) byPeriod.set(s.windows.period.name, [...(byPeriod.get(s.windows.period.name) ?? []), s]);
  return [...byPeriod.values()]
    .map((group) => {
      const p = group[0]!.windows.period;
      const names = nameRegex(group.map((s) => sloSeries.eventsCounted(s.kind, 'total')));
      return `label_replace(count_over_time({__name__=~"${names}"${sloMatchers(only)}}[${rangeJustUnder(p.seconds)}]), "${PERIOD_LABEL}", "${p.name}", "", "")`;
    })
    .join(' or ');
}

function sloMatchers(only: Slo | undefined): string {
  return only ? `,service=${JSON.stringify(only.service)},slo=${JSON.stringify(only.name)}` : '';
}

/** The PromQL of the list page, two queries however many SLOs there are. With
 * `only`, the same for one SLO (the detail page's header). Pure. */
export function sloListQueries(slos: readonly Slo[], only?: Slo): SloListQueries {
  const names = slos.flatMap(sloListSeriesNames);
  const alertNames = slos.flatMap((s) => [burnAlertName(s.kind, 'fast'), burnAlertName(s.kind, 'slow')]);
  return {
    series: `{__name__=~"${nameRegex(names)}"${sloMatchers(only)}}`,
    alerts: `ALERTS{alertstate="firing",alertname=~"${nameRegex(alertNames)}"${sloMatchers(only)}}`,
    tiles: tilesQuery(only ? [only] : slos, only),
  };
}

export interface SloListResults {
  series: InstantSample[];
  alerts: InstantSample[];
  tiles: InstantSample[];
  /** Evaluation time of the queries (unix seconds). */
  now: number;
}

/** Coverage and tile gaps of one SLO from when its counting began and how many
 * tiles its period holds. Pure. */
export function coverageOf(
  slo: Slo,
  countedSince: number | null,
  tilesCounted: number | null,
  now: number,
): Pick<SloRow, 'coverage' | 'tileGaps'> {
  if (countedSince === null) return { coverage: null, tileGaps: null };
  const { period, tile } = slo.windows;
  const seconds = Math.min(period.seconds, Math.max(0, now - countedSince));
  // Tiles in (now - period, now] on a covered period; since the first one otherwise.
  const expected = seconds >= period.seconds ? Math.round(period.seconds / tile.seconds) : Math.floor(seconds / tile.seconds) + 1;
  return {
    coverage: { seconds, ratio: seconds / period.seconds },
    tileGaps: tilesCounted === null ? null : { missing: Math.max(0, expected - tilesCounted), expected, tileSeconds: tile.seconds },
  };
}

/** Index samples by (metric name, service, slo). */
function indexByName(samples: readonly InstantSample[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of samples) m.set(`${s.labels.__name__ ?? ''}\u0000${keyOf(s.labels)}`, s.value);
  return m;
}

/** Burn rate 1 spends the whole budget in exactly one period, so what is left
 * lasts remaining × period / burn. Workbook definition; pure. */
export function budgetTimeLeft(remaining: number | null, periodSeconds: number, burnRate: number | null): number | null {
  if (remaining === null || burnRate === null) return null;
  if (remaining <= 0) return 0;
  if (burnRate <= 0) return null;
  return (remaining * periodSeconds) / burnRate;
}

/** Page beats ticket beats ok; a firing fast-burn alert is a page, slow burn a ticket. */
export function alertStateOf(firing: readonly FiringAlert[]): AlertState {
  if (firing.some((a) => a.severity === 'critical')) return 'page';
  if (firing.length > 0) return 'ticket';
  return 'ok';
}

export function thresholdsByWindow(slo: Slo): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const tier of slo.windows.tiers) {
    for (const w of [tier.long.name, tier.short.name]) {
      const list = m.get(w) ?? [];
      if (!list.includes(tier.burnRate)) list.push(tier.burnRate);
      m.set(w, list);
    }
  }
  return m;
}

/** The window "the current burn" is read from: the long window of the fastest
 * page pair (1h for a 30-day SLO), recent enough to react and long enough not to flap. */
export function currentBurnWindow(slo: Slo): string {
  return slo.windows.tiers[0]?.long.name ?? slo.windows.windows[0]?.name ?? slo.windows.tile.name;
}

export function sloDetailUrl(slo: Pick<Slo, 'service' | 'name'>): string {
  return `/slos/${encodeURIComponent(slo.service)}/${encodeURIComponent(slo.name)}`;
}

export function firingAlertsBySlo(alerts: readonly InstantSample[]): Map<string, FiringAlert[]> {
  const m = new Map<string, FiringAlert[]>();
  for (const a of alerts) {
    const list = m.get(keyOf(a.labels)) ?? [];
    const { __name__: _n, ...labels } = a.labels;
    list.push({ alertname: labels.alertname ?? '', severity: labels.severity ?? '', labels });
    m.set(keyOf(a.labels), list);
  }
  return m;
}

/** One row per SLO of the spec, in spec order. Pure. */
export function buildSloRows(slos: readonly Slo[], r: SloListResults): SloRow[] {
  const values = indexByName(r.series);
  const firing = firingAlertsBySlo(r.alerts);
  const tiles = new Map(r.tiles.map((t) => [`${keyOf(t.labels)}\u0000${t.labels[PERIOD_LABEL] ?? ''}`, t.value]));
  return slos.map((slo) => {
    const key = `${slo.service}\u0000${slo.name}`;
    const thresholds = thresholdsByWindow(slo);
    const burnRates = slo.windows.windows.map((w) => ({
      window: w.name,
      seconds: w.seconds,
      value: finiteOrNull(values.get(`${sloSeries.burnRate(slo.kind, w.name)}\u0000${key}`)),
      thresholds: thresholds.get(w.name) ?? [],
    }));
    const current = currentBurnWindow(slo);
    const remaining = finiteOrNull(values.get(`${sloSeries.errorBudgetRemaining(slo.kind)}\u0000${key}`));
    const alerts = firing.get(key) ?? [];
    return {
      id: sloId(slo),
      service: slo.service,
      slo: slo.name,
      kind: slo.kind,
      description: slo.description,
      objective: slo.objective,
      objectivePercent: slo.objectivePercent,
      errorBudget: slo.errorBudget,
      period: slo.windows.period.name,
      periodSeconds: slo.windows.period.seconds,
      sli: finiteOrNull(values.get(`${sloSeries.ratio(slo.kind, slo.windows.period.name)}\u0000${key}`)),
      budgetRemaining: remaining,
      budgetTimeLeftSeconds: budgetTimeLeft(
        remaining,
        slo.windows.period.seconds,
        burnRates.find((b) => b.window === current)?.value ?? null,
      ),
      currentBurnWindow: current,
      burnRates,
      alertState: alertStateOf(alerts),
      firing: alerts,
      detailUrl: sloDetailUrl(slo),
      ...coverageOf(
        slo,
        finiteOrNull(values.get(`${sloSeries.countedSince(slo.kind)}\u0000${key}`)),
        finiteOrNull(tiles.get(`${key}\u0000${slo.windows.period.name}`)),
        r.now,
      ),
    };
  });
}
