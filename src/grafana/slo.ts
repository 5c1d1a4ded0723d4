/** The SLO dashboards, from the validated SLO models: an overview with one row
 * per SLO, and a detail dashboard for one SLO at a time (`service`, `slo`
 * variables) drawing the series the console's SLO page draws. Objectives,
 * windows, burn-rate thresholds and severities all come from the models. Pure. */
import { AnnotationQueryBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { burnAlertName, sloSeries, type Slo } from '../slo/index.js';
import { sloDetailUrl } from '../console/index.js';
import { CONSOLE_VARIABLE, DATASOURCE_REF, SEVERITY_COLOUR, OK_COLOUR } from './conventions.js';
import { buildDashboard, queryVariable, type Section } from './frame.js';
import { stat, table, timeseries, type PanelLink, type Step } from './panels.js';
import type { AlertFacts } from './rules.js';

export interface SloDashboardInput {
  slos: readonly Slo[];
  alerts: ReadonlyMap<string, AlertFacts>;
  consoleUrl: string;
}

const q = (v: string) => JSON.stringify(v);
const sel = (slo: Pick<Slo, 'service' | 'name'>) => `{service=${q(slo.service)},slo=${q(slo.name)}}`;

/** The runbooks of an SLO's burn alerts (both speeds share a runbook section per kind). */
function runbookLinks(slo: Pick<Slo, 'kind'>, alerts: ReadonlyMap<string, AlertFacts>): PanelLink[] {
  const out: PanelLink[] = [];
  for (const speed of ['fast', 'slow'] as const) {
    const name = burnAlertName(slo.kind, speed);
    const url = alerts.get(name)?.runbookUrl;
    if (url && !out.some((l) => l.url === url)) out.push({ title: `Runbook: ${name}`, url });
  }
  return out;
}

/** Burn-rate threshold lines: one step per tier, in the tier's severity colour. */
function burnSteps(slos: readonly Slo[]): Step[] {
  const byRate = new Map<number, string>();
  for (const s of slos) {
    for (const t of s.windows.tiers) {
      const colour = SEVERITY_COLOUR[t.severity] ?? 'orange';
      // A rate that pages in one SLO and tickets in another is drawn as the page.
      if (!byRate.has(t.burnRate) || t.severity === 'critical') byRate.set(t.burnRate, colour);
    }
  }
  return [...byRate].map(([value, color]) => ({ value, color }));
}

/** Error-budget colours: red once spent, orange once less is left than one slow-burn ticket spends. */
function budgetSteps(slos: readonly Slo[]): Step[] {
  const ticket = Math.max(...slos.flatMap((s) => s.windows.tiers.filter((t) => t.severity !== 'critical').map((t) => t.budgetSpent)), 0);
  return [{ value: 0, color: SEVERITY_COLOUR.warning ?? 'orange' }, ...(ticket > 0 ? [{ value: ticket, color: OK_COLOUR }] : [])];
}

function burnAlertsQuery(slo: Slo): string {
  const names = [burnAlertName(slo.kind, 'fast'), burnAlertName(slo.kind, 'slow')].join('|');
  return `ALERTS{alertstate="firing",alertname=~${q(names)},service=${q(slo.service)},slo=${q(slo.name)}}`;
}

function sloRow(slo: Slo, input: SloDashboardInput): Section {
  const console: PanelLink = { title: 'Console: SLO page', url: `\${${CONSOLE_VARIABLE}}${sloDetailUrl(slo)}` };
  const links = [console, ...runbookLinks(slo, input.alerts)];
  const period = slo.windows.period.name;
  const tierWindows = [...new Map(slo.windows.tiers.flatMap((t) => [t.long, t.short]).map((w) => [w.name, w])).values()].sort(
    (a, b) => a.seconds - b.seconds,
  );
  return {
    row: `${slo.service} · ${slo.name} — objective ${slo.objectivePercent}% over ${slo.specPeriod}`,
    panels: [
      stat({
        title: `SLI over ${period}`,
        description: `${slo.description} Share of good events over the SLO period against the objective of ${slo.objectivePercent}% (red below it).`,
        queries: [{ expr: `${sloSeries.ratio(slo.kind, period)}${sel(slo)}`, legend: 'SLI', instant: true }],
        unit: 'percentunit',
        base: SEVERITY_COLOUR.critical,
        steps: [{ value: slo.objective, color: OK_COLOUR }],
        links,
        colorBackground: true,
        w: 4,
        h: 6,
      }),
      stat({
        title: 'Error budget remaining',
        description: `Share of the ${period} error budget (${(slo.errorBudget * 100).toPrecision(3)}% of events) not yet spent: red once spent, orange once less is left than one slow-burn ticket spends.`,
        queries: [{ expr: `${sloSeries.errorBudgetRemaining(slo.kind)}${sel(slo)}`, legend: 'budget', instant: true }],
        unit: 'percentunit',
        base: SEVERITY_COLOUR.critical,
        steps: budgetSteps([slo]),
        links,
        colorBackground: true,
        w: 4,
        h: 6,
      }),
      timeseries({
        title: 'Burn rate per alert window',
        description: `How fast the budget burns (1× spends it in exactly ${slo.specPeriod}). Dashed lines: the burn-rate alert thresholds (${slo.windows.tiers
          .map((t) => `${t.burnRate}× over ${t.long.name} and ${t.short.name}, ${t.severity}`)
          .join('; ')}).`,
        queries: tierWindows.map((w) => ({ expr: `${sloSeries.burnRate(slo.kind, w.name)}${sel(slo)}`, legend: w.name })),
        unit: 'x',
        steps: burnSteps([slo]),
        thresholdLines: true,
        min: 0,
        links,
        w: 10,
        h: 6,
      }),
      table({
        title: 'Firing burn alerts',
        description: 'Burn-rate alerts of this SLO firing now, with their windows. Empty while the SLO is healthy.',
        queries: [{ expr: burnAlertsQuery(slo), instant: true, format: 'table' }],
        links,
        w: 6,
        h: 6,
      }),
    ],
  };
}

export function sloOverviewDashboard(input: SloDashboardInput): Dashboard {
  return buildDashboard({
    key: 'sloOverview',
    title: 'mlmon · SLO overview',
    about:
      'One row per SLO of the spec: the SLI against its objective, the error budget left, the burn rate of every alert window with the alert thresholds, and the burn alerts firing now.',
    from: '1d',
    consoleUrl: input.consoleUrl,
    sections: input.slos.map((s) => sloRow(s, input)),
  });
}

/** `slo:<kind>:<series>` for any kind, with the window captured: the detail
 * dashboard shows whichever SLO its variables name. */
function anyKind(name: (kind: Slo['kind'], window: string) => string): string {
  const marker = 'KIND';
  return name(marker as Slo['kind'], 'WINDOW')
    .replace(marker, '[^:]+')
    .replace('WINDOW', '(.+)');
}

function windowSeries(pattern: string, legendLabel = 'window', replacement = '$1'): string {
  return `label_replace({__name__=~${q(pattern)},service="$service",slo="$slo"}, ${q(legendLabel)}, ${q(replacement)}, "__name__", ${q(pattern)})`;
}

export function sloDetailDashboard(input: SloDashboardInput): Dashboard {
  const ratio = anyKind(sloSeries.ratio);
  const burn = anyKind(sloSeries.burnRate);
  const budget = sloSeries.errorBudgetRemaining('KIND' as Slo['kind']).replace('KIND', '[^:]+');
  const objective = sloSeries.objective('KIND' as Slo['kind']).replace('KIND', '[^:]+');
  const quantile = sloSeries
    .latencyQuantile('HIST_seconds', 0, 'WINDOW')
    .replace('HIST', '[^:]+')
    .replace('p0', '(p[0-9]+)')
    .replace('WINDOW', '(.+)');
  const kinds = [...new Set(input.slos.map((s) => s.kind))];
  const runbooks = kinds.flatMap((k) => runbookLinks({ kind: k }, input.alerts));
  const links: PanelLink[] = [{ title: 'Console: SLO page', url: `\${${CONSOLE_VARIABLE}}/slos/\${service}/\${slo}` }, ...runbooks];
  const latencyThresholds = [...new Set(input.slos.flatMap((s) => (s.latency ? [s.latency.thresholdSeconds] : [])))];
  return buildDashboard({
    key: 'sloDetail',
    title: 'mlmon · SLO detail',
    about:
      'One SLO (pick the service and SLO above): the SLI over one tile and over the whole period against the objective, the error budget left, the burn rate of every window with the alert thresholds, latency quantiles of a latency SLO, and the burn-alert episodes as annotations.',
    from: '1d',
    consoleUrl: input.consoleUrl,
    variables: [
      queryVariable('service', 'Service', `label_values({__name__=~${q(objective)}}, service)`),
      queryVariable('slo', 'SLO', `label_values({__name__=~${q(objective)},service="$service"}, slo)`),
    ],
    annotations: [
      new AnnotationQueryBuilder()
        .name('Burn alerts')
        .datasource(DATASOURCE_REF)
        .enable(true)
        .iconColor(SEVERITY_COLOUR.critical ?? 'red')
        .expr(`ALERTS{alertstate="firing",category="slo",service="$service",slo="$slo"}`),
    ],
    sections: [
      {
        panels: [
          timeseries({
            title: 'SLI against the objective',
            description:
              'Share of good events over one tile (what happens now) and over the whole SLO period (the promise), with the objective as a dashed line.',
            queries: [
              { expr: windowSeries(ratio), legend: 'SLI {{window}}' },
              { expr: `{__name__=~${q(objective)},service="$service",slo="$slo"}`, legend: 'objective' },
            ],
            unit: 'percentunit',
            fixedColours: { '^objective$': OK_COLOUR },
            links,
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Error budget remaining',
            description: 'Share of the period error budget not yet spent; below zero the SLO is missed for the period.',
            queries: [{ expr: `{__name__=~${q(budget)},service="$service",slo="$slo"}`, legend: 'budget remaining' }],
            unit: 'percentunit',
            base: SEVERITY_COLOUR.critical,
            steps: budgetSteps(input.slos),
            thresholdLines: true,
            links,
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Burn rate per window',
            description: `Every recorded burn-rate window of the SLO. Dashed lines: the burn-rate alert thresholds of the spec (${burnSteps(
              input.slos,
            )
              .map((s) => `${s.value}×`)
              .join(', ')}), red for pages, orange for tickets.`,
            queries: [{ expr: windowSeries(burn), legend: '{{window}}' }],
            unit: 'x',
            steps: burnSteps(input.slos),
            thresholdLines: true,
            min: 0,
            links,
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Latency quantiles',
            description: `P50, P95 and P99 of the SLO's requests; the dashed line is the latency SLO threshold (${latencyThresholds
              .map((t) => `${t * 1000} ms`)
              .join(', ')}). Empty for an availability SLO.`,
            queries: [{ expr: windowSeries(quantile, 'quantile', '$1 over $2'), legend: '{{quantile}}' }],
            unit: 's',
            steps: latencyThresholds.map((t) => ({ value: t, color: SEVERITY_COLOUR.critical ?? 'red' })),
            thresholdLines: true,
            links,
            w: 12,
            h: 8,
          }),
          table({
            title: 'Firing burn alerts',
            description: 'Burn-rate alerts of this SLO firing now, with their windows and severity. Empty while the SLO is healthy.',
            queries: [{ expr: 'ALERTS{alertstate="firing",category="slo",service="$service",slo="$slo"}', instant: true, format: 'table' }],
            links,
            w: 24,
            h: 6,
          }),
        ],
      },
    ],
  });
}
