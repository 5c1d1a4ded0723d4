/** Model health: drift, prediction mix, accuracy against the reference, label
 * delay and freshness, per model and version, from the ML exporter's metrics. */
import { METRIC } from '../exporter/index.js';
import { compareVersions, readMetadata } from '../model/index.js';
import type {
  DriftThresholds,
  FiringAlert,
  ModelDetail,
  ModelHealth,
  ModelList,
  ModelSummary,
  TimeGrid,
  VersionSummary,
} from './api-types.js';
import { ConsoleInputError } from './input.js';
import type { InstantSample, Labels, PrometheusClient, RangeSeries } from '../upstream/index.js';
import { finiteOrNull, onGrid, timeGrid } from './series.js';

/** The exporter's metric names the console reads: the exporter defines them
 * (src/exporter/conventions.ts); these are only shorter handles. */
export const ML = {
  info: METRIC.modelInfo,
  trained: METRIC.lastTrained,
  referenceAccuracy: METRIC.referenceAccuracy,
  referenceMae: METRIC.referenceMae,
  accuracy: METRIC.accuracy,
  mae: METRIC.mae,
  rmse: METRIC.rmse,
  qualitySamples: METRIC.qualitySamples,
  predictions: METRIC.predictions,
  predictionDrift: METRIC.predictionDrift,
  featureDrift: METRIC.featureDrift,
  featurePValue: METRIC.featureDriftPValue,
  datasetDrift: METRIC.datasetDriftShare,
  windowSamples: METRIC.windowSamples,
  threshold: METRIC.driftThreshold,
  alertThreshold: METRIC.alertThreshold,
  pending: METRIC.groundTruthPending,
  labelDelay: METRIC.groundTruthDelay,
  lastCompute: METRIC.lastCompute,
  lastEvent: METRIC.lastEvent,
  eventLag: METRIC.eventLag,
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

/** Drift thresholds of a model (the exporter publishes them per model), or of any model when none is named. */
export function thresholdsOf(samples: readonly InstantSample[], model?: string): DriftThresholds {
  const get = (method: string, level: string) =>
    finiteOrNull(
      samples.find(
        (s) =>
          s.labels.__name__ === ML.threshold &&
          s.labels.method === method &&
          s.labels.level === level &&
          (model === undefined || s.labels.model === undefined || s.labels.model === model),
      )?.value,
    );
  return { psiModerate: get('psi', 'moderate'), psiMajor: get('psi', 'major'), ksPValue: get('ks', 'p_value') };
}

/** A model's alert threshold (ml_alert_threshold), or `fallback` when the exporter publishes none. */
function alertThreshold(samples: readonly InstantSample[], model: string, name: string, fallback: number): number {
  const s = samples.find((x) => x.labels.__name__ === ML.alertThreshold && x.labels.model === model && x.labels.threshold === name);
  return finiteOrNull(s?.value) ?? fallback;
}

export function modelDetailUrl(model: string): string {
  return `/models/${encodeURIComponent(model)}`;
}

const LIST_NAMES = [
  ML.info,
  ML.trained,
  ML.referenceAccuracy,
  ML.referenceMae,
  ML.accuracy,
  ML.mae,
  ML.qualitySamples,
  ML.predictionDrift,
  ML.featureDrift,
  ML.datasetDrift,
  ML.windowSamples,
  ML.threshold,
  ML.alertThreshold,
];

/** The model list's two queries (every model's gauges in one selector; firing model alerts). Pure. */
export function modelListQueries(): { series: string; alerts: string } {
  return {
    series: `{__name__=~"${LIST_NAMES.join('|')}"}`,
    alerts: `ALERTS{alertstate="firing",category="${MODEL_ALERT_CATEGORY}"}`,
  };
}

/** The version whose figures stand for each model: the one with the fullest
 * drift window (the one taking the traffic); ties, and models without windows,
 * go to the highest version in natural order (v10 after v9). */
export function activeVersions(samples: readonly InstantSample[]): Map<string, string> {
  const best = new Map<string, { version: string; samples: number }>();
  const consider = (model: string, version: string, n: number): void => {
    const known = best.get(model);
    if (!known || n > known.samples || (n === known.samples && compareVersions(version, known.version) > 0))
      best.set(model, { version, samples: n });
  };
  for (const s of samples) {
    if (s.labels.__name__ === ML.info && s.value === 1) consider(s.labels.model ?? '', s.labels.version ?? '', 0);
  }
  for (const s of samples) {
    if (s.labels.__name__ === ML.windowSamples && s.labels.version !== undefined) consider(s.labels.model ?? '', s.labels.version, s.value);
  }
  return new Map([...best].map(([m, b]) => [m, b.version]));
}

function versionSummary(mine: readonly InstantSample[], version: string): VersionSummary {
  const of = (name: string, pred: (l: Labels) => boolean = () => true) =>
    mine.filter((s) => s.labels.__name__ === name && s.labels.version === version && pred(s.labels));
  const first = (name: string, pred?: (l: Labels) => boolean) => finiteOrNull(of(name, pred)[0]?.value);
  const psi = of(ML.featureDrift, (l) => l.method === 'psi').filter((s) => Number.isFinite(s.value));
  const top = psi.reduce<InstantSample | undefined>((m, s) => (!m || s.value > m.value ? s : m), undefined);
  const byWindow = (name: string) => Object.fromEntries(of(name).map((s) => [s.labels.window ?? '', finiteOrNull(s.value)]));
  return {
    version,
    windowSamples: first(ML.windowSamples),
    maxFeaturePsi: finiteOrNull(top?.value),
    maxPsiFeature: top?.labels.feature ?? null,
    predictionDrift: first(ML.predictionDrift),
    datasetDriftShare: first(ML.datasetDrift),
    accuracy: byWindow(ML.accuracy),
    mae: byWindow(ML.mae),
    qualitySamples: byWindow(ML.qualitySamples),
    referenceAccuracy: first(ML.referenceAccuracy),
    referenceMae: first(ML.referenceMae),
  };
}

/** Pure: the health of a model from its versions' figures, its thresholds and its firing alerts. */
export function modelHealth(
  versions: readonly VersionSummary[],
  firing: readonly FiringAlert[],
  t: { psiMajor: number | null; minWindowSamples: number; accuracyDrop: number; errorIncrease: number; minQualitySamples: number },
): { health: ModelHealth; reasons: string[] } {
  const reasons: string[] = [];
  for (const v of versions) {
    const enough = (v.windowSamples ?? 0) >= t.minWindowSamples;
    if (enough && t.psiMajor !== null && v.maxFeaturePsi !== null && v.maxFeaturePsi >= t.psiMajor) {
      reasons.push(`${v.version}: ${v.maxPsiFeature} drifted (PSI ${v.maxFeaturePsi.toFixed(2)} ≥ ${t.psiMajor})`);
    }
    if (enough && t.psiMajor !== null && v.predictionDrift !== null && v.predictionDrift >= t.psiMajor) {
      reasons.push(`${v.version}: predictions drifted (PSI ${v.predictionDrift.toFixed(2)} ≥ ${t.psiMajor})`);
    }
    for (const [w, acc] of Object.entries(v.accuracy)) {
      if (acc === null || v.referenceAccuracy === null || (v.qualitySamples[w] ?? 0) < t.minQualitySamples) continue;
      if (acc < v.referenceAccuracy - t.accuracyDrop)
        reasons.push(`${v.version}: accuracy ${w} ${(acc * 100).toFixed(1)}% below reference ${(v.referenceAccuracy * 100).toFixed(1)}%`);
    }
    for (const [w, mae] of Object.entries(v.mae)) {
      if (mae === null || v.referenceMae === null || (v.qualitySamples[w] ?? 0) < t.minQualitySamples) continue;
      if (mae > v.referenceMae * (1 + t.errorIncrease))
        reasons.push(`${v.version}: MAE ${w} ${mae.toPrecision(3)} above reference ${v.referenceMae.toPrecision(3)}`);
    }
  }
  for (const a of firing) reasons.push(`alert ${a.alertname}`);
  if (firing.some((a) => a.severity === 'critical')) return { health: 'critical', reasons };
  if (reasons.length > 0) return { health: 'warning', reasons };
  if (versions.every((v) => !v.windowSamples)) return { health: 'no_data', reasons: ['no prediction in any drift window yet'] };
  if (versions.every((v) => (v.windowSamples ?? 0) < t.minWindowSamples)) {
    const filling = versions.filter((v) => v.windowSamples);
    return {
      health: 'collecting',
      reasons: filling.map(
        (v) => `${v.version}: ${v.windowSamples} of ${t.minWindowSamples} predictions in the drift window: drift is not yet meaningful`,
      ),
    };
  }
  return { health: 'ok', reasons };
}

/** One summary per model seen in `ml_model_info`, sorted by name. Pure. */
export function buildModelSummaries(series: readonly InstantSample[], alerts: readonly InstantSample[], now: number): ModelSummary[] {
  const active = activeVersions(series);
  const models = [...new Set(by(series, ML.info, (s) => s.labels.model ?? ''))].sort();
  return models.map((model) => {
    const version = active.get(model) ?? null;
    const mine = series.filter((s) => s.labels.model === model);
    const versionNames = [
      ...new Set(
        mine.filter((s) => s.labels.__name__ === ML.info || s.labels.__name__ === ML.windowSamples).map((s) => s.labels.version ?? ''),
      ),
    ]
      .filter((v) => v !== '')
      .sort(compareVersions);
    const versions = versionNames.map((v) => versionSummary(mine, v));
    const head = versions.find((v) => v.version === version);
    const trained = mine.find((s) => s.labels.__name__ === ML.trained && s.labels.version === version);
    const firing = alerts
      .filter((a) => a.labels.model === model)
      .map((a) => ({ alertname: a.labels.alertname ?? '', severity: a.labels.severity ?? '', labels: stripName(a.labels) }));
    const th = thresholdsOf(series, model);
    const { health, reasons } = modelHealth(versions, firing, {
      psiMajor: th.psiMajor,
      minWindowSamples: alertThreshold(series, model, 'min_window_samples', 200),
      accuracyDrop: alertThreshold(series, model, 'accuracy_drop', 0.05),
      errorIncrease: alertThreshold(series, model, 'error_increase', 0.2),
      minQualitySamples: alertThreshold(series, model, 'min_quality_samples', 100),
    });
    return {
      model,
      type: mine.find((s) => s.labels.__name__ === ML.info && s.labels.type)?.labels.type ?? null,
      version,
      versions,
      health,
      healthReasons: reasons,
      ageSeconds: trained ? now - trained.value : null,
      datasetDriftShare: head?.datasetDriftShare ?? null,
      maxFeaturePsi: head?.maxFeaturePsi ?? null,
      maxPsiFeature: head?.maxPsiFeature ?? null,
      predictionDrift: head?.predictionDrift ?? null,
      accuracy: head?.accuracy ?? {},
      referenceAccuracy: head?.referenceAccuracy ?? null,
      windowSamples: head?.windowSamples ?? null,
      firing,
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
    ML.referenceMae,
    ML.accuracy,
    ML.mae,
    ML.qualitySamples,
    ML.alertThreshold,
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
  // Feature figures are those of the headline version; the summary's `versions` has every version side by side.
  const mine = r.instant.filter(
    (s) =>
      s.labels.model === model &&
      (s.labels.version === undefined ||
        s.labels.version === summary.version ||
        s.labels.__name__ === ML.referenceAccuracy ||
        s.labels.__name__ === ML.qualitySamples),
  );
  const featureNames = [...new Set(mine.filter((s) => s.labels.__name__ === ML.featureDrift).map((s) => s.labels.feature ?? ''))].sort();
  const value = (name: string, pred: (l: Labels) => boolean) =>
    finiteOrNull(mine.find((s) => s.labels.__name__ === name && pred(s.labels))?.value);
  const features = featureNames.map((feature) => ({
    feature,
    psi: value(ML.featureDrift, (l) => l.feature === feature && l.method === 'psi'),
    ks: value(ML.featureDrift, (l) => l.feature === feature && (l.method === 'ks' || l.method === 'chi2')),
    pValue: value(ML.featurePValue, (l) => l.feature === feature),
  }));
  const rangeOf = (pred: (l: Labels) => boolean) =>
    r.range.find((s) => (s.labels.version === undefined || s.labels.version === summary.version) && pred(s.labels));
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
    thresholds: thresholdsOf(r.instant, model),
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
