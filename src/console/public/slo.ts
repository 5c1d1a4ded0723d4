// SLO detail: SLI against the objective, budget burn-down and burn rates with
// the alert thresholds, over a chosen range; the rules behind each series; alerts.
import type { SloDetailAnswer } from '../api-types.js';
import {
  api,
  color,
  COLORS,
  coverageNote,
  dataTable,
  el,
  fmt,
  gapNote,
  labelList,
  lineChart,
  rangeLinks,
  rangeQuery,
  render,
  startPage,
  stat,
} from './console.js';

const [, , service = '', slo = ''] = location.pathname.split('/').map(decodeURIComponent);

function constant(times: readonly number[], v: number): number[] {
  return times.map(() => v);
}

function charts(d: SloDetailAnswer): { nodes: HTMLElement[]; draw(): void } {
  const times = d.grid.times;
  const sli = el('div', { class: 'chart', id: 'chart-sli' });
  const budget = el('div', { class: 'chart', id: 'chart-budget' });
  const burn = el('div', { class: 'chart', id: 'chart-burn' });
  const thresholds = [...new Set(d.tiers.map((t) => t.burnRate))].sort((a, b) => b - a);
  return {
    nodes: [
      el('h2', {}, `SLI against the objective (${d.slo.objectivePercent}%)`),
      sli,
      el('h2', {}, `Error budget remaining over the ${d.slo.period} period`),
      budget,
      el('h2', {}, 'Burn rate per window (dashed: alert thresholds)'),
      burn,
    ],
    draw() {
      lineChart(sli, {
        times,
        yFormat: (v) => `${(v * 100).toFixed(2)}%`,
        series: [
          { label: `SLI ${d.series.sliShort.window}`, values: d.series.sliShort.values, color: COLORS[0], width: 1 },
          { label: `SLI ${d.series.sliPeriod.window}`, values: d.series.sliPeriod.values, color: COLORS[2], width: 2 },
          { label: 'objective', values: constant(times, d.slo.objective), color: COLORS[1], dash: [6, 4] },
        ],
      });
      lineChart(budget, {
        times,
        yFormat: (v) => `${(v * 100).toFixed(0)}%`,
        // Always show 0% to 100%, and beyond where the budget is overspent: left to
        // itself, uPlot scales a young stack's few equal points to 0..10000%.
        yRange: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)],
        series: [
          { label: 'budget remaining', values: d.series.budget.values, color: COLORS[0], width: 2 },
          { label: 'spent', values: constant(times, 0), color: COLORS[1], dash: [6, 4] },
        ],
      });
      lineChart(burn, {
        times,
        yFormat: (v) => `${Number(v).toFixed(1)}×`,
        series: [
          ...d.series.burn.map((b, i) => ({ label: b.window, values: b.values, color: color(i + 3) })),
          ...thresholds.map((t) => ({ label: `${t}×`, values: constant(times, t), color: '#999', dash: [4, 4], width: 1 })),
        ],
      });
    },
  };
}

function rulesTable(d: SloDetailAnswer): HTMLElement {
  if (d.rulesNote) return el('p', { class: 'muted' }, d.rulesNote);
  if (d.rules.length === 0)
    return el('p', { class: 'muted' }, 'Prometheus has loaded no rule for this SLO (is `mlmon generate` output loaded?).');
  return dataTable('rules', ['Rule', 'Expression', ''], d.rules, (r) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', {}, r.name), el('div', { class: 'muted' }, `${r.type} · ${r.group}`)),
      el('td', {}, el('pre', {}, r.expr)),
      el('td', {}, el('a', { href: r.prometheusUrl, target: '_blank', rel: 'noopener' }, 'open in Prometheus')),
    ),
  );
}

function alertsPart(d: SloDetailAnswer): HTMLElement[] {
  const firing = d.alerts.firing.length
    ? el(
        'ul',
        { id: 'firing' },
        d.alerts.firing.map((a) =>
          el(
            'li',
            {},
            el('span', { class: `badge ${a.severity}` }, a.severity),
            ' ',
            el('strong', {}, a.alertname),
            ' ',
            labelList(a.labels, ['alertname', 'severity', 'service', 'slo', 'alertstate']),
          ),
        ),
      )
    : el('p', { class: 'muted', id: 'firing' }, 'No burn-rate alert firing.');
  const recent = d.alerts.recent.length
    ? dataTable('recent', ['Alert', 'Severity', 'Windows', 'From', 'To'], d.alerts.recent, (a) =>
        el(
          'tr',
          {},
          el('td', {}, a.alertname),
          el('td', {}, a.severity),
          el('td', {}, `${a.longWindow} / ${a.shortWindow}`),
          el('td', {}, fmt.time(new Date(a.from * 1000).toISOString())),
          el('td', {}, a.ongoing ? 'still firing' : fmt.time(new Date(a.to * 1000).toISOString())),
        ),
      )
    : el('p', { class: 'muted' }, `No burn-rate alert fired in the last ${d.range.name}.`);
  return [el('h2', {}, 'Firing alerts'), firing, el('h2', {}, `Alerts in the last ${d.range.name}`), recent];
}

function view(d: SloDetailAnswer): void {
  const r = d.slo;
  const c = charts(d);
  const timeLeft =
    r.budgetRemaining !== null && r.budgetRemaining <= 0
      ? 'exhausted'
      : r.budgetTimeLeftSeconds === null
        ? r.budgetRemaining === null
          ? '–'
          : 'not burning'
        : fmt.duration(r.budgetTimeLeftSeconds);
  const currentBurn = r.burnRates.find((b) => b.window === r.currentBurnWindow);
  render(
    el('p', {}, el('a', { href: '/slos' }, '← all SLOs')),
    el('h1', {}, `${r.service} · ${r.slo} `, el('span', { class: `badge ${r.alertState}`, id: 'state' }, r.alertState)),
    el('p', { class: 'muted' }, r.description),
    el(
      'div',
      { class: 'cards' },
      stat('Objective', `${r.objectivePercent}%`, `over ${r.period}`),
      stat(`SLI over ${r.period}`, fmt.pct(r.sli, 3)),
      stat('Error budget left', fmt.pct(r.budgetRemaining, 1), coverageNote(r) ?? undefined),
      stat('Time left at current burn', timeLeft, currentBurn ? `${fmt.burn(currentBurn.value)} over ${currentBurn.window}` : ''),
    ),
    gapNote(r) ? el('p', { class: 'banner-inline gaps' }, `⚠ This period had gaps: ${gapNote(r) ?? ''}.`) : null,
    rangeLinks(d.range),
    c.nodes,
    el('h2', {}, 'Alert pairs (SRE workbook multiwindow, multi-burn-rate)'),
    dataTable('tiers', ['Severity', 'Long window', 'Short window', 'Threshold', 'Budget spent when it fires'], d.tiers, (t) =>
      el(
        'tr',
        {},
        el('td', {}, t.severity),
        el('td', {}, t.long),
        el('td', {}, t.short),
        el('td', { class: 'num' }, `${t.burnRate}×`),
        el('td', { class: 'num' }, fmt.pct(t.budgetSpent, 0)),
      ),
    ),
    alertsPart(d),
    el('h2', {}, 'Rules producing these series'),
    rulesTable(d),
  );
  c.draw();
}

startPage(async () => {
  const d = await api<SloDetailAnswer>(`/api/slos/${encodeURIComponent(service)}/${encodeURIComponent(slo)}${rangeQuery()}`);
  view(d);
  return d.fetchedAt;
});
