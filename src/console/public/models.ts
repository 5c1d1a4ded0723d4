// Model health overview: one row per model, worst signals first.
import type { DriftThresholds, ModelListAnswer, ModelSummary } from '../api-types.js';
import { api, dataTable, el, fmt, healthBadge, render, startPage } from './console.js';

function psiClass(v: number | null | undefined, t: DriftThresholds): string {
  if (v === null || v === undefined) return '';
  if (t.psiMajor !== null && v >= t.psiMajor) return 'hot';
  if (t.psiModerate !== null && v >= t.psiModerate) return 'warm';
  return '';
}

function accuracyCell(m: ModelSummary, window: string): HTMLTableCellElement {
  const v = m.accuracy[window];
  const low = v !== null && v !== undefined && m.referenceAccuracy !== null && v < m.referenceAccuracy - 0.05;
  return el('td', { class: `num ${low ? 'hot' : ''}` }, fmt.pct(v, 1));
}

function view(d: ModelListAnswer): void {
  const t = d.thresholds;
  render(
    el('h1', {}, 'Model health'),
    el(
      'p',
      { class: 'muted' },
      `${d.models.length} models · PSI thresholds: moderate ${fmt.num(t.psiModerate)}, major ${fmt.num(t.psiMajor)} · KS p-value ${fmt.num(t.ksPValue)}`,
    ),
    d.models.length === 0
      ? el('p', { class: 'muted' }, 'Prometheus reports no model (ml_model_info). Is the ML model exporter scraped?')
      : dataTable(
          'model-table',
          [
            'Model',
            'Type',
            'Health',
            'Version',
            'Versions',
            'Age',
            'Dataset drift',
            'Worst feature PSI',
            'Prediction PSI',
            'Accuracy 1h',
            'Accuracy 1d',
            'Reference',
            'Window samples',
            'Alerts',
          ],
          d.models,
          (m) =>
            el(
              'tr',
              { 'data-model': m.model },
              el('td', {}, el('a', { href: m.detailUrl }, m.model)),
              el('td', {}, m.type ?? '–'),
              el(
                'td',
                { class: 'health' },
                healthBadge(m),
                m.health === 'ok' ? null : el('div', { class: 'muted' }, m.healthReasons[0] ?? ''),
              ),
              el('td', {}, m.version ?? '–'),
              el('td', {}, m.versions.map((v) => v.version).join(', ') || '–'),
              el('td', { class: 'num' }, fmt.duration(m.ageSeconds)),
              el('td', { class: `num ${(m.datasetDriftShare ?? 0) > 0 ? 'warm' : ''}` }, fmt.pct(m.datasetDriftShare, 0)),
              el(
                'td',
                { class: `num ${psiClass(m.maxFeaturePsi, t)}` },
                fmt.num(m.maxFeaturePsi, 3),
                m.maxPsiFeature ? el('div', { class: 'muted' }, m.maxPsiFeature) : null,
              ),
              el('td', { class: `num ${psiClass(m.predictionDrift, t)}` }, fmt.num(m.predictionDrift, 3)),
              accuracyCell(m, '1h'),
              accuracyCell(m, '1d'),
              el('td', { class: 'num' }, fmt.pct(m.referenceAccuracy, 1)),
              el('td', { class: 'num' }, m.windowSamples ?? '–'),
              el(
                'td',
                {},
                m.firing.length
                  ? m.firing.map((a) => el('div', {}, el('span', { class: `badge ${a.severity}` }, a.alertname)))
                  : el('span', { class: 'muted' }, 'none firing'),
              ),
            ),
        ),
  );
}

startPage(async () => {
  const d = await api<ModelListAnswer>('/api/models');
  view(d);
  return d.fetchedAt;
});
