/** The SLO list: two queries for any number of SLOs (every SLO series by
 * name in one, the firing burn alerts in the other; each SLO picked out by its
 * `service`/`slo` labels), then a pure join. */
import { burnAlertName, sloSeries, type Slo } from '../slo/index.js';
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
  /** SLI over the period, budget remaining and every burn rate, in one selector. */
  series: string;
  alerts: string;
}

/** The series names the list reads for one SLO. */
export function sloListSeriesNames(slo: Slo): string[] {
  return [
    sloSeries.ratio(slo.kind, slo.windows.period.name),
    sloSeries.errorBudgetRemaining(slo.kind),
    ...slo.windows.windows.map((w) => sloSeries.burnRate(slo.kind, w.name)),
  ];
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
  };
}

export interface SloListResults {
  series: InstantSample[];
  alerts: InstantSample[];
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
    };
  });
}
