// One model: feature drift now and over time (heat map), dataset drift share,
// prediction mix against the training mix, accuracy against the reference,
// label delay and freshness.
import type { DriftThresholds, ModelDetailAnswer, ModelSummary, VersionSummary } from '../api-types.js';
import {
  api,
  color,
  COLORS,
  dataTable,
  el,
  fmt,
  healthBadge,
  lineChart,
  rangeLinks,
  rangeQuery,
  render,
  startPage,
  stat,
} from './console.js';

const model = decodeURIComponent(location.pathname.split('/')[2] ?? '');

type Level = 'none' | 'ok' | 'warm' | 'hot';

function level(v: number | null | undefined, t: DriftThresholds): Level {
  if (v === null || v === undefined) return 'none';
  if (t.psiMajor !== null && v >= t.psiMajor) return 'hot';
  if (t.psiModerate !== null && v >= t.psiModerate) return 'warm';
  return 'ok';
}

const HEAT: Record<Level, string> = { none: '#e5e7eb', ok: '#b7e4c7', warm: '#f6c453', hot: '#e25555' };

function heatmap(d: ModelDetailAnswer): HTMLElement[] {
  const cols = d.grid.times.length;
  const rows = d.features.length;
  const canvas = el('canvas', { class: 'heatmap', id: 'psi-heatmap', width: cols, height: Math.max(1, rows) * 4 });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    d.psiHeatmap.forEach((values, r) => {
      values.forEach((v, c) => {
        ctx.fillStyle = HEAT[level(v, d.thresholds)];
        ctx.fillRect(c, r * 4, 1, 4);
      });
    });
  }
  const labels = el('div', { class: 'muted' }, `rows, top to bottom: ${d.features.map((f) => f.feature).join(', ')}`);
  const legend = el(
    'div',
    { class: 'legend muted' },
    el('span', { style: `background:${HEAT.ok}` }),
    `PSI < ${fmt.num(d.thresholds.psiModerate)}`,
    el('span', { style: `background:${HEAT.warm}` }),
    `moderate`,
    el('span', { style: `background:${HEAT.hot}` }),
    `major ≥ ${fmt.num(d.thresholds.psiMajor)}`,
    el('span', { style: `background:${HEAT.none}` }),
    'no data',
  );
  return [canvas, labels, legend];
}

function featureTable(d: ModelDetailAnswer): HTMLTableElement {
  const max = Math.max(d.thresholds.psiMajor ?? 0.25, ...d.features.map((f) => f.psi ?? 0));
  return dataTable('features', ['Feature', 'PSI', '', 'KS D', 'KS p-value'], d.features, (f) => {
    const lv = level(f.psi, d.thresholds);
    return el(
      'tr',
      { 'data-feature': f.feature },
      el('td', {}, f.feature),
      el('td', { class: `num ${lv === 'ok' ? '' : lv}` }, fmt.num(f.psi, 3)),
      el('td', {}, el('span', { class: `hbar ${lv === 'ok' ? '' : lv}`, style: `width:${((f.psi ?? 0) / max) * 160}px` })),
      el('td', { class: 'num' }, fmt.num(f.ks, 3)),
      el(
        'td',
        { class: `num ${f.pValue !== null && d.thresholds.ksPValue !== null && f.pValue < d.thresholds.ksPValue ? 'warm' : ''}` },
        fmt.num(f.pValue, 4),
      ),
    );
  });
}

function mixTable(d: ModelDetailAnswer): HTMLElement {
  const versions = Object.keys(d.predictionMix.byVersion).sort();
  const classes = [
    ...new Set([
      ...Object.keys(d.predictionMix.training ?? {}),
      ...versions.flatMap((v) => Object.keys(d.predictionMix.byVersion[v] ?? {})),
    ]),
  ].sort();
  if (classes.length === 0) return el('p', { class: 'muted' }, `No prediction in the last ${d.predictionMix.window}.`);
  return el(
    'table',
    { id: 'mix' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'Class'),
        versions.map((v) => el('th', {}, `${v} (last ${d.predictionMix.window})`)),
        el('th', {}, 'Training mix'),
      ),
    ),
    el(
      'tbody',
      {},
      classes.map((c) =>
        el(
          'tr',
          {},
          el('td', {}, c),
          versions.map((v) => el('td', { class: 'num' }, fmt.pct(d.predictionMix.byVersion[v]?.[c] ?? 0, 1))),
          el('td', { class: 'num' }, d.predictionMix.training ? fmt.pct(d.predictionMix.training[c] ?? 0, 1) : 'unknown'),
        ),
      ),
    ),
  );
}

/** Every version side by side: the window each fills, its worst drift and its quality against its own reference. */
function versionsTable(s: ModelSummary): HTMLTableElement {
  const quality = (v: VersionSummary, w: string): string => {
    const acc = v.accuracy[w];
    if (acc !== undefined && acc !== null) return fmt.pct(acc, 1);
    const mae = v.mae[w];
    return mae !== undefined && mae !== null ? `MAE ${fmt.num(mae, 3)}` : '–';
  };
  const reference = (v: VersionSummary): string =>
    v.referenceAccuracy !== null ? fmt.pct(v.referenceAccuracy, 1) : v.referenceMae !== null ? `MAE ${fmt.num(v.referenceMae, 3)}` : '–';
  return dataTable(
    'versions-table',
    ['Version', 'Window samples', 'Worst feature PSI', 'Prediction PSI', 'Dataset drift', 'Quality 1h', 'Quality 1d', 'Reference'],
    s.versions,
    (v) =>
      el(
        'tr',
        { 'data-version': v.version, class: v.version === s.version ? 'current' : '' },
        el('td', {}, v.version),
        el('td', { class: 'num' }, v.windowSamples ?? '–'),
        el('td', { class: 'num' }, fmt.num(v.maxFeaturePsi, 3), v.maxPsiFeature ? el('div', { class: 'muted' }, v.maxPsiFeature) : null),
        el('td', { class: 'num' }, fmt.num(v.predictionDrift, 3)),
        el('td', { class: 'num' }, fmt.pct(v.datasetDriftShare, 0)),
        el('td', { class: 'num' }, quality(v, '1h')),
        el('td', { class: 'num' }, quality(v, '1d')),
        el('td', { class: 'num' }, reference(v)),
      ),
  );
}

function view(d: ModelDetailAnswer): void {
  const s = d.summary;
  const drift = el('div', { class: 'chart', id: 'chart-drift' });
  const acc = el('div', { class: 'chart', id: 'chart-accuracy' });
  render(
    el('p', {}, el('a', { href: '/models' }, '← all models')),
    el(
      'h1',
      {},
      `Model ${s.model} `,
      el('span', { class: 'muted' }, `${s.type ?? ''} ${s.version ?? ''}`),
      ' ',
      healthBadge(s, { id: 'health' }),
      ' ',
      s.firing.map((a) => el('span', { class: `badge ${a.severity}` }, a.alertname)),
    ),
    s.healthReasons.length
      ? el(
          'ul',
          { class: 'health-reasons' },
          s.healthReasons.map((r) => el('li', {}, r)),
        )
      : null,
    el(
      'div',
      { class: 'cards' },
      stat('Dataset drift share', fmt.pct(s.datasetDriftShare, 0), `${s.windowSamples ?? '–'} predictions in the window`),
      stat('Prediction drift (PSI)', fmt.num(s.predictionDrift, 3)),
      stat(
        'Accuracy 1h / 1d',
        `${fmt.pct(s.accuracy['1h'], 1)} / ${fmt.pct(s.accuracy['1d'], 1)}`,
        `reference ${fmt.pct(s.referenceAccuracy, 1)}`,
      ),
      stat(
        'Label delay p50 / p90',
        `${fmt.duration(d.labelDelay.quantiles['0.5'])} / ${fmt.duration(d.labelDelay.quantiles['0.9'])}`,
        `${d.labelDelay.pending ?? '–'} predictions await a label`,
      ),
      stat(
        'Model age',
        fmt.duration(d.freshness.ageSeconds),
        `exporter computed ${fmt.duration(d.freshness.exporterComputeAgeSeconds)} ago`,
      ),
    ),
    rangeLinks(d.range),
    el('h2', {}, 'Versions side by side'),
    versionsTable(s),
    el('h2', {}, `Feature drift now (${s.version ?? 'no version'})`),
    featureTable(d),
    el('h2', {}, `Feature PSI over the last ${d.range.name}`),
    heatmap(d),
    el('h2', {}, 'Dataset drift share'),
    drift,
    el('h2', {}, 'Accuracy from ground truth against the reference'),
    acc,
    el('h2', {}, 'Prediction mix against the training mix'),
    mixTable(d),
    el('h2', {}, 'Freshness'),
    el(
      'p',
      {},
      `Last event processed ${fmt.duration(d.freshness.lastEventAgeSeconds)} ago; unread spool lag ${fmt.duration(d.freshness.eventLagSeconds)}; label delay p99 ${fmt.duration(d.labelDelay.quantiles['0.99'])}.`,
    ),
  );
  lineChart(drift, {
    times: d.grid.times,
    yRange: [0, 1],
    yFormat: (v) => `${(v * 100).toFixed(0)}%`,
    series: [{ label: 'drifted features', values: d.datasetDriftShare, color: COLORS[3], width: 2 }],
  });
  const accSeries = d.accuracy.flatMap((a, i) => [{ label: `${a.version} ${a.window}`, values: a.values, color: color(i), width: 2 }]);
  const refs = [...new Map(d.accuracy.filter((a) => a.reference !== null).map((a) => [a.version, a.reference])).entries()];
  lineChart(acc, {
    times: d.grid.times,
    yFormat: (v) => `${(v * 100).toFixed(0)}%`,
    series: [
      ...accSeries,
      ...refs.map(([v, r]) => ({ label: `${v} reference`, values: d.grid.times.map(() => r), color: '#999', dash: [6, 4], width: 1 })),
    ],
  });
}

startPage(async () => {
  const d = await api<ModelDetailAnswer>(`/api/models/${encodeURIComponent(model)}${rangeQuery()}`);
  view(d);
  return d.fetchedAt;
});
