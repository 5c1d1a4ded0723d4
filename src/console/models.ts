/** Model health: drift, prediction mix, accuracy against the reference, label
 * delay and freshness, per model and version, from the ML exporter's metrics. */
import { readMetadata } from '../model/index.js';
import type { DriftThresholds, ModelDetail, ModelList, ModelSummary, TimeGrid } from './api-types.js';
import { ConsoleInputError } from './input.js';
import type { InstantSample, Labels, PrometheusClient, RangeSeries } from '../upstream/index.js';
import { finiteOrNull, onGrid, timeGrid } from './series.js';

/** Exporter metric names (docs/ARCHITECTURE.md, "ML model exporter"), defined once here. */
export const ML = {
  info: 'ml_model_info',
  trained: 'ml_model_last_trained_timestamp_seconds',
  referenceAccuracy: 'ml_model_reference_accuracy',
  accuracy: 'ml_model_accuracy',
  qualitySamples: 'ml_model_quality_samples',
  predictions: 'ml_predictions_total',
  predictionDrift: 'ml_prediction_drift_score',
  featureDrift: 'ml_feature_drift_score',
  featurePValue: 'ml_feature_drift_p_value',
  datasetDrift: 'ml_dataset_drift_share',
  windowSamples: 'ml_drift_window_samples',
  threshold: 'ml_drift_threshold',
  pending: 'ml_ground_truth_pending',
  labelDelay: 'ml_ground_truth_delay_seconds',
  lastCompute: 'ml_exporter_last_compute_timestamp_seconds',
  lastEvent: 'ml_exporter_last_event_timestamp_seconds',
  eventLag: 'ml_exporter_event_lag_seconds',
} as const;

export const MODEL_ALERT_CATEGORY = 'model_quality';
/** Window of the prediction mix and the label-delay quantiles. */
export const MIX_WINDOW = '1h';
export const DELAY_QUANTILES = [0.5, 0.9, 0.99] as const;
export const MODEL_RANGES = ['1h', '6h', '1d', '3d', '7d'] as const;

function by<T>(samples: readonly InstantSample[], name: string, pick: (s: InstantSample) => T): T[] {
  return samples.filter((s) => s.labels.__name__ === name).map(pick);
}

function stripName(labels: Labels): Labels {
  const { __name__: _n, ...rest } = labels;
  return rest;
}

export function thresholdsOf(samples: readonly InstantSample[]): DriftThresholds {
  const get = (method: string, level: string) =>
    finiteOrNull(samples.find((s) => s.labels.__name__ === ML.threshold && s.labels.method === method && s.labels.level === level)?.value);
  return { psiModerate: get('psi', 'moderate'), psiMajor: get('psi', 'major'), ksPValue: get('ks', 'p_value') };
}

export function modelDetailUrl(model: string): string {
  return `/models/${encodeURIComponent(model)}`;
}

const LIST_NAMES = [
  ML.info,
  ML.trained,
  ML.referenceAccuracy,
  ML.accuracy,
  ML.predictionDrift,
  ML.featureDrift,
  ML.datasetDrift,
  ML.windowSamples,
  ML.threshold,
];

/** The model list's two queries (every model's gauges in one selector; firing model alerts). Pure. */
export function modelListQueries(): { series: string; alerts: string } {
  return {
    series: `{__name__=~"${LIST_NAMES.join('|')}"}`,
    alerts: `ALERTS{alertstate="firing",category="${MODEL_ALERT_CATEGORY}"}`,
  };
}

/** The active version is the one `ml_model_info` reports; several at once
 * (a scrape during a switch) resolve to the highest version number. */
export function activeVersions(samples: readonly InstantSample[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of samples) {
    if (s.labels.__name__ !== ML.info || s.value !== 1) continue;
    const model = s.labels.model ?? '';
    const version = s.labels.version ?? '';
    const known = out.get(model);
    if (!known || Number(version.slice(1)) > Number(known.slice(1))) out.set(model, version);
  }
  return out;
}

/** One summary per model seen in `ml_model_info`, sorted by name. Pure. */
export function buildModelSummaries(series: readonly InstantSample[], alerts: readonly InstantSample[], now: number): ModelSummary[] {
  const versions = activeVersions(series);
  const models = [...new Set(by(series, ML.info, (s) => s.labels.model ?? ''))].sort();
  return models.map((model) => {
    const version = versions.get(model) ?? null;
    const mine = series.filter((s) => s.labels.model === model);
    const ofVersion = (s: InstantSample) => version === null || s.labels.version === version;
    const psi = mine.filter((s) => s.labels.__name__ === ML.featureDrift && s.labels.method === 'psi' && Number.isFinite(s.value));
    const top = psi.reduce<InstantSample | undefined>((m, s) => (!m || s.value > m.value ? s : m), undefined);
    const trained = mine.find((s) => s.labels.__name__ === ML.trained && ofVersion(s));
    const accuracy: Record<string, number | null> = {};
    for (const s of mine) if (s.labels.__name__ === ML.accuracy && ofVersion(s)) accuracy[s.labels.window ?? ''] = finiteOrNull(s.value);
    return {
      model,
      version,
      ageSeconds: trained ? now - trained.value : null,
      datasetDriftShare: finiteOrNull(mine.find((s) => s.labels.__name__ === ML.datasetDrift)?.value),
      maxFeaturePsi: finiteOrNull(top?.value),
      maxPsiFeature: top?.labels.feature ?? null,
      predictionDrift: finiteOrNull(mine.find((s) => s.labels.__name__ === ML.predictionDrift)?.value),
      accuracy,
      referenceAccuracy: finiteOrNull(mine.find((s) => s.labels.__name__ === ML.referenceAccuracy && ofVersion(s))?.value),
      windowSamples: finiteOrNull(mine.find((s) => s.labels.__name__ === ML.windowSamples)?.value),
      firing: alerts
        .filter((a) => a.labels.model === model)
        .map((a) => ({ alertname: a.labels.alertname ?? '', severity: a.labels.severity ?? '', labels: stripName(a.labels) })),
      detailUrl: modelDetailUrl(model),
    };
  });
}

export async function loadModelList(prom: PrometheusClient, now: number): Promise<ModelList> {
  const q = modelListQueries();
  const [series, alerts] = await Promise.all([prom.query(q.series, now), prom.query(q.alerts, now)]);
  return { models: buildModelSummaries(series, alerts, now), thresholds: thresholdsOf(series) };
}

// ---- detail -------------------------------------------------------------

function modelSel(model: string): string {
  return `model=${JSON.stringify(model)}`;
}

/** The detail page's PromQL, five queries. Pure. */
export function modelDetailQueries(model: string): { instant: string; mix: string; delay: string; range: string; alerts: string } {
  const m = modelSel(model);
  const gauges = [
    ML.info,
    ML.trained,
    ML.referenceAccuracy,
    ML.accuracy,
    ML.qualitySamples,
    ML.predictionDrift,
    ML.featureDrift,
    ML.featurePValue,
    ML.datasetDrift,
    ML.windowSamples,
    ML.pending,
  ];
  const delay = DELAY_QUANTILES.map(
    (q) =>
      `label_replace(histogram_quantile(${q}, sum by (le) (rate(${ML.labelDelay}_bucket{${m}}[${MIX_WINDOW}]))), "quantile", "${q}", "", "")`,
  );
  return {
    instant: `{__name__=~"${gauges.join('|')}",${m}} or ${ML.threshold} or {__name__=~"${ML.lastCompute}|${ML.lastEvent}|${ML.eventLag}"}`,
    mix: `sum by (version, class) (increase(${ML.predictions}{${m}}[${MIX_WINDOW}]))`,
    delay: delay.join(' or '),
    range: `{__name__=~"${ML.featureDrift}|${ML.datasetDrift}|${ML.accuracy}",${m}}`,
    alerts: `ALERTS{alertstate="firing",${m}}`,
  };
}

export function parseModelRange(text: string | undefined): { name: string; seconds: number } {
  const name = text ?? '1d';
  const seconds = ({ '1h': 3600, '6h': 6 * 3600, '1d': 86400, '3d': 3 * 86400, '7d': 7 * 86400 } as Record<string, number>)[name];
  if (seconds === undefined) throw new ConsoleInputError(`range must be one of ${MODEL_RANGES.join(', ')}, got "${name}"`);
  return { name, seconds };
}

/** Shares of a count map (empty when nothing was counted). */
export function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (!(total > 0)) return {};
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / total]));
}

/** Assembles the detail from query results. Pure. */
export function buildModelDetail(
  model: string,
  r: { instant: InstantSample[]; mix: InstantSample[]; delay: InstantSample[]; range: RangeSeries[]; alerts: InstantSample[] },
  grid: TimeGrid,
  range: { name: string; seconds: number },
  now: number,
  training: Record<string, number> | null,
): ModelDetail {
  const summary = buildModelSummaries(r.instant, r.alerts, now).find((s) => s.model === model);
  if (!summary) throw new ConsoleInputError(`Prometheus has no ${ML.info} for model "${model}"`, 404);
  const mine = r.instant.filter((s) => s.labels.model === model);
  const featureNames = [...new Set(mine.filter((s) => s.labels.__name__ === ML.featureDrift).map((s) => s.labels.feature ?? ''))].sort();
  const value = (name: string, pred: (l: Labels) => boolean) =>
    finiteOrNull(mine.find((s) => s.labels.__name__ === name && pred(s.labels))?.value);
  const features = featureNames.map((feature) => ({
    feature,
    psi: value(ML.featureDrift, (l) => l.feature === feature && l.method === 'psi'),
    ks: value(ML.featureDrift, (l) => l.feature === feature && l.method === 'ks'),
    pValue: value(ML.featurePValue, (l) => l.feature === feature),
  }));
  const rangeOf = (pred: (l: Labels) => boolean) => r.range.find((s) => pred(s.labels));
  const accuracySeries = r.range.filter((s) => s.labels.__name__ === ML.accuracy);
  const byVersion: Record<string, Record<string, number>> = {};
  for (const s of r.mix) {
    const v = s.labels.version ?? '';
    (byVersion[v] ??= {})[s.labels.class ?? ''] = s.value;
  }
  const global = (name: string) => finiteOrNull(r.instant.find((s) => s.labels.__name__ === name)?.value);
  const lastCompute = global(ML.lastCompute);
  const lastEvent = global(ML.lastEvent);
  return {
    summary,
    thresholds: thresholdsOf(r.instant),
    range: { ...range, choices: [...MODEL_RANGES] },
    grid,
    features,
    psiHeatmap: featureNames.map((f) =>
      onGrid(
        grid,
        rangeOf((l) => l.__name__ === ML.featureDrift && l.feature === f && l.method === 'psi'),
      ),
    ),
    datasetDriftShare: onGrid(
      grid,
      rangeOf((l) => l.__name__ === ML.datasetDrift),
    ),
    accuracy: accuracySeries
      .map((s) => ({
        version: s.labels.version ?? '',
        window: s.labels.window ?? '',
        values: onGrid(grid, s),
        reference: value(ML.referenceAccuracy, (l) => l.version === s.labels.version),
        samples: value(ML.qualitySamples, (l) => l.version === s.labels.version && l.window === s.labels.window),
      }))
      .sort((a, b) => a.version.localeCompare(b.version) || a.window.localeCompare(b.window)),
    predictionMix: {
      window: MIX_WINDOW,
      byVersion: Object.fromEntries(Object.entries(byVersion).map(([v, counts]) => [v, shares(counts)])),
      training,
    },
    labelDelay: {
      window: MIX_WINDOW,
      quantiles: Object.fromEntries(
        DELAY_QUANTILES.map((q) => [String(q), finiteOrNull(r.delay.find((s) => s.labels.quantile === String(q))?.value)]),
      ),
      pending: value(ML.pending, () => true),
    },
    freshness: {
      ageSeconds: summary.ageSeconds,
      exporterComputeAgeSeconds: lastCompute === null ? null : now - lastCompute,
      lastEventAgeSeconds: lastEvent === null ? null : now - lastEvent,
      eventLagSeconds: global(ML.eventLag),
    },
  };
}

/** The training class mix of a version, from the registry on disk when the
 * console runs beside the stack's data directory (read-only); null otherwise. */
export async function trainingMix(
  registryDir: string | undefined,
  model: string,
  version: string | null,
): Promise<Record<string, number> | null> {
  if (!registryDir || !version) return null;
  try {
    return (await readMetadata(registryDir, model, version)).reference.class_mix;
  } catch {
    return null;
  }
}

export async function loadModelDetail(
  prom: PrometheusClient,
  model: string,
  range: { name: string; seconds: number },
  opts: { now: number; registryDir?: string },
): Promise<ModelDetail> {
  const q = modelDetailQueries(model);
  const grid = timeGrid(opts.now, range.seconds, 120);
  const [instant, mix, delay, ranged, alerts] = await Promise.all([
    prom.query(q.instant, opts.now),
    prom.query(q.mix, opts.now),
    prom.query(q.delay, opts.now),
    prom.queryRange(q.range, grid.start, grid.end, grid.step),
    prom.query(q.alerts, opts.now),
  ]);
  const version = activeVersions(instant).get(model) ?? null;
  const training = await trainingMix(opts.registryDir, model, version);
  return buildModelDetail(model, { instant, mix, delay, range: ranged, alerts }, grid, range, opts.now, training);
}
