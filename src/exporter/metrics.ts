import { Registry } from 'prom-client';
import type { Catalog } from './catalog.js';
import type { Snapshot } from './compute.js';
import {
  ALERT_THRESHOLDS,
  EARLY_EVICTION_REASONS,
  ERROR_STAGES,
  GROUND_TRUTH_DELAY_BUCKETS,
  IGNORE_REASONS,
  INGEST_ENDPOINTS,
  INGEST_REJECT_REASONS,
  METRIC,
  UNKNOWN,
} from './conventions.js';
import { emptyHistogram, histogramSamples, SnapshotFamily, type HistogramData, type MetricType, type Sample } from '../metrics/index.js';
import type { ModelTuning } from './tuning.js';
import { earlyLabelCount, type ExporterState } from './state.js';

export type { Sample } from '../metrics/index.js';

const FAMILIES: readonly { name: string; type: MetricType; help: string }[] = [
  {
    name: METRIC.modelInfo,
    type: 'gauge',
    help: 'Each loaded version of each model (the current one and those events name; always 1), with its type.',
  },
  { name: METRIC.lastTrained, type: 'gauge', help: 'When the model version was trained or registered (unix seconds).' },
  { name: METRIC.referenceAccuracy, type: 'gauge', help: 'Accuracy of the model version on its held-out or reference data.' },
  { name: METRIC.referenceMae, type: 'gauge', help: 'Mean absolute error of the regression model version on its reference data.' },
  { name: METRIC.referenceRmse, type: 'gauge', help: 'Root mean squared error of the regression model version on its reference data.' },
  { name: METRIC.lastModelEvent, type: 'gauge', help: 'Event time of the newest prediction of each model (unix seconds).' },
  {
    name: METRIC.predictions,
    type: 'counter',
    help: 'Predictions served, by version and (classification) predicted class; classes and versions outside the registry count as "unknown".',
  },
  {
    name: METRIC.predictionDrift,
    type: 'gauge',
    help: "Drift of the predictions in the version's drift window against its reference predictions (class mix or value distribution).",
  },
  {
    name: METRIC.featureDrift,
    type: 'gauge',
    help: "Drift of each feature in the version's drift window against its reference (psi: population stability index; ks: Kolmogorov-Smirnov statistic; chi2: chi-square statistic).",
  },
  {
    name: METRIC.featureDriftPValue,
    type: 'gauge',
    help: 'p-value of the drift test of each feature (ks: two-sample Kolmogorov-Smirnov, exact for small windows; chi2: chi-square test of homogeneity).',
  },
  { name: METRIC.datasetDriftShare, type: 'gauge', help: 'Share of the features of a model version currently called drifted.' },
  {
    name: METRIC.windowSamples,
    type: 'gauge',
    help: 'Predictions of the model version in its drift window; below ml_alert_threshold{threshold="min_window_samples"} PSI, chi-square and the drift share are not yet meaningful and absent.',
  },
  {
    name: METRIC.driftThreshold,
    type: 'gauge',
    help: 'Drift thresholds of each model (psi moderate/major; ks p_value: the p-value threshold of the KS and chi-square tests).',
  },
  {
    name: METRIC.alertThreshold,
    type: 'gauge',
    help: 'Thresholds the model-quality alerts of each model compare against (config/models.yaml).',
  },
  { name: METRIC.featureValues, type: 'counter', help: 'Feature values received in predictions.' },
  { name: METRIC.featureMissing, type: 'counter', help: 'Predictions in which a feature was absent, null or of the wrong kind.' },
  { name: METRIC.featureOutOfRange, type: 'counter', help: 'Numeric feature values outside the [min, max] range of the reference.' },
  { name: METRIC.featureUnknown, type: 'counter', help: 'Feature values under names the model metadata does not list.' },
  { name: METRIC.accuracy, type: 'gauge', help: 'Share of correct predictions among those labelled within the window (by label time).' },
  { name: METRIC.mae, type: 'gauge', help: 'Mean absolute error of the regression predictions labelled within the window.' },
  { name: METRIC.rmse, type: 'gauge', help: 'Root mean squared error of the regression predictions labelled within the window.' },
  { name: METRIC.qualitySamples, type: 'gauge', help: 'Labelled predictions within the quality window.' },
  { name: METRIC.groundTruthReceived, type: 'counter', help: 'Ground-truth labels joined to a prediction.' },
  {
    name: METRIC.groundTruthUnknown,
    type: 'counter',
    help: 'Ground-truth labels never joined to a prediction: naming no registered model, a second label for an id, or held for their prediction until evicted.',
  },
  { name: METRIC.groundTruthExpired, type: 'counter', help: 'Predictions dropped unlabelled from the pending set (too old or too many).' },
  { name: METRIC.groundTruthPending, type: 'gauge', help: 'Predictions awaiting a ground-truth label.' },
  {
    name: METRIC.groundTruthEarly,
    type: 'gauge',
    help: 'Ground-truth labels that arrived before their prediction was read, held until it is (bounded per model, with a TTL).',
  },
  {
    name: METRIC.groundTruthEarlyEvicted,
    type: 'counter',
    help: 'Held ground-truth labels that left unmatched: past their TTL (expired) or over the per-model cap (overflow). Each also counts as unknown.',
  },
  { name: METRIC.groundTruthDelay, type: 'histogram', help: 'Time from prediction to its ground-truth label.' },
  { name: METRIC.eventsProcessed, type: 'counter', help: 'Inference events read from the spool.' },
  { name: METRIC.eventsIgnored, type: 'counter', help: 'Events not counted against any model, by reason.' },
  {
    name: METRIC.eventsFutureClamped,
    type: 'counter',
    help: 'Events stamped further in the future than the clock allows; their time was taken as now.',
  },
  { name: METRIC.errors, type: 'counter', help: 'Errors of the exporter by stage (read, decode, registry, compute, checkpoint, tuning).' },
  { name: METRIC.computeDuration, type: 'histogram', help: 'Time to compute drift and quality.' },
  { name: METRIC.lastCompute, type: 'gauge', help: 'When drift and quality were last computed (unix seconds).' },
  { name: METRIC.lastEvent, type: 'gauge', help: 'Time of the newest event processed (unix seconds).' },
  { name: METRIC.eventLag, type: 'gauge', help: 'Age of the last processed event while a backlog remains in the spool; 0 when caught up.' },
  { name: METRIC.lastCheckpoint, type: 'gauge', help: 'When the exporter state was last saved (unix seconds).' },
  { name: METRIC.ingestAccepted, type: 'counter', help: 'Events and labels the ingest API accepted (written to the spool), by endpoint.' },
  { name: METRIC.ingestRejected, type: 'counter', help: 'Events and labels the ingest API refused, by endpoint and reason.' },
];

/** Figures about the exporter itself that are not part of the checkpoint. */
export interface SelfStats {
  computeDuration: HistogramData;
  lastComputeMs: number;
  lastCheckpointMs: number;
  eventLagSeconds: number;
}

/** The exporter's own prom-client registry; `publish` replaces every family's samples. */
export class ExporterMetrics {
  readonly registry = new Registry();
  private readonly families = new Map<string, SnapshotFamily>();

  constructor() {
    for (const f of FAMILIES)
      this.families.set(f.name, new SnapshotFamily(f.type, { name: f.name, help: f.help, registry: this.registry }));
  }

  private rendered: Promise<string> | undefined;

  publish(samples: ReadonlyMap<string, Sample[]>): void {
    for (const [name, fam] of this.families) fam.set(samples.get(name) ?? []);
    this.rendered = undefined;
  }

  /** The exposition text, rendered once per publish however many scrapers ask. */
  text(): Promise<string> {
    this.rendered ??= this.registry.metrics();
    return this.rendered;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Pure: every sample of every family from state, catalog, snapshot and self stats.
 * Series of known label values are present from the start at 0, so `rate()` and
 * `absent()` behave from the first event. */
export function projectMetrics(
  state: ExporterState,
  catalog: Catalog,
  snapshot: Snapshot,
  config: { tuning: (model: string) => ModelTuning },
  self: SelfStats,
): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  const samplesOf = (name: string): Sample[] => {
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    return list;
  };
  const add = (name: string, labels: Record<string, string>, value: number): void => void samplesOf(name).push({ labels, value });
  const addHistogram = (name: string, labels: Record<string, string>, h: HistogramData): void =>
    void histogramSamples(name, labels, h, samplesOf(name));
  const c = state.counters;

  for (const e of catalog.models.values()) {
    const model = e.model;
    const features = new Set<string>();
    for (const v of e.loaded.values()) {
      const mv = { model, version: v.version };
      add(METRIC.modelInfo, { ...mv, type: v.kind }, 1);
      add(METRIC.lastTrained, mv, v.metadata.trained_at_unix);
      if (v.metadata.heldout_accuracy !== undefined) add(METRIC.referenceAccuracy, mv, v.metadata.heldout_accuracy);
      if (v.metadata.reference_mae !== undefined) add(METRIC.referenceMae, mv, v.metadata.reference_mae);
      if (v.metadata.reference_rmse !== undefined) add(METRIC.referenceRmse, mv, v.metadata.reference_rmse);
      for (const f of v.featureNames) features.add(f);
    }
    for (const f of features) {
      add(METRIC.featureValues, { model, feature: f }, c.featureValues.get([model, f]));
      add(METRIC.featureMissing, { model, feature: f }, c.featureMissing.get([model, f]));
      add(METRIC.featureOutOfRange, { model, feature: f }, c.featureOutOfRange.get([model, f]));
    }
    add(METRIC.featureUnknown, { model }, c.featureUnknown.get([model]));
    add(METRIC.groundTruthPending, { model }, state.pendingByModel.get(model) ?? 0);
    add(METRIC.groundTruthExpired, { model }, c.groundTruthExpired.get([model]));
    add(METRIC.groundTruthEarly, { model }, earlyLabelCount(state, model));
    for (const reason of EARLY_EVICTION_REASONS)
      add(METRIC.groundTruthEarlyEvicted, { model, reason }, c.groundTruthEarlyEvicted.get([model, reason]));
    for (const version of e.loaded.keys()) {
      add(METRIC.groundTruthReceived, { model, version }, c.groundTruthReceived.get([model, version]));
    }
    const last = state.lastEventTsByModel.get(model);
    if (last !== undefined) add(METRIC.lastModelEvent, { model }, last / 1000);

    const t = config.tuning(model);
    add(METRIC.driftThreshold, { model, method: 'psi', level: 'moderate' }, t.thresholds.psiModerate);
    add(METRIC.driftThreshold, { model, method: 'psi', level: 'major' }, t.thresholds.psiMajor);
    add(METRIC.driftThreshold, { model, method: 'ks', level: 'p_value' }, t.thresholds.ksPValue);
    const alert: Record<(typeof ALERT_THRESHOLDS)[number], number> = {
      min_window_samples: t.thresholds.minSamples,
      accuracy_drop: t.accuracyDrop,
      error_increase: t.errorIncrease,
      min_quality_samples: t.minQualitySamples,
      stale_seconds: t.staleAfterMs / 1000,
      no_events_seconds: t.noEventsAfterMs / 1000,
    };
    for (const name of ALERT_THRESHOLDS) add(METRIC.alertThreshold, { model, threshold: name }, alert[name]);
  }
  // Predictions: every class of every loaded classification version at 0, plus what was counted.
  const predictionSeries = new Map<string, string[]>();
  for (const e of catalog.models.values()) {
    for (const v of e.loaded.values()) {
      if (v.kind === 'regression') predictionSeries.set(`${e.model}\u001f${v.version}`, [e.model, v.version]);
      else
        for (const cls of [...v.classes, UNKNOWN])
          predictionSeries.set(`${e.model}\u001f${v.version}\u001f${cls}`, [e.model, v.version, cls]);
    }
  }
  for (const [labels] of c.predictions.entries()) predictionSeries.set(labels.join('\u001f'), labels);
  for (const labels of predictionSeries.values()) {
    const [model, version, cls] = labels as [string, string, string | undefined];
    add(METRIC.predictions, cls === undefined ? { model, version } : { model, version, class: cls }, c.predictions.get(labels));
  }

  for (const d of snapshot.drift.values()) {
    const mv = { model: d.model, version: d.version };
    add(METRIC.windowSamples, mv, d.windowSamples);
    // Below the minimum window PSI, chi-square and the share are left out (not yet
    // meaningful); the KS test is exact at small sizes and stays.
    if (d.prediction?.psi !== undefined) add(METRIC.predictionDrift, { ...mv, method: 'psi' }, d.prediction.psi);
    for (const [feature, f] of d.features) {
      if (f.psi !== undefined) add(METRIC.featureDrift, { ...mv, feature, method: 'psi' }, f.psi);
      if (f.statistic !== undefined) add(METRIC.featureDrift, { ...mv, feature, method: f.test }, f.statistic);
      if (f.pValue !== undefined) add(METRIC.featureDriftPValue, { ...mv, feature, method: f.test }, f.pValue);
    }
    if (d.driftShare !== undefined) add(METRIC.datasetDriftShare, mv, d.driftShare);
  }

  for (const q of snapshot.quality) {
    const labels = { model: q.model, version: q.version, window: q.window };
    add(METRIC.qualitySamples, labels, q.total);
    // No labels in the window: no quality figure (absent, not 0 and not NaN).
    if (q.total === 0) continue;
    if (q.kind === 'classification') add(METRIC.accuracy, labels, q.correct / q.total);
    else {
      add(METRIC.mae, labels, q.absError / q.total);
      add(METRIC.rmse, labels, Math.sqrt(q.squaredError / q.total));
    }
  }

  add(METRIC.groundTruthUnknown, {}, c.groundTruthUnknown.get([]));
  for (const e of catalog.models.values()) {
    const h = state.delay.get(e.model) ?? emptyHistogram(GROUND_TRUTH_DELAY_BUCKETS);
    addHistogram(METRIC.groundTruthDelay, { model: e.model }, h);
  }
  add(METRIC.eventsProcessed, {}, c.eventsProcessed.get([]));
  for (const reason of IGNORE_REASONS) add(METRIC.eventsIgnored, { reason }, c.eventsIgnored.get([reason]));
  add(METRIC.eventsFutureClamped, {}, c.eventsFutureClamped.get([]));
  for (const stage of ERROR_STAGES) add(METRIC.errors, { stage }, c.errors.get([stage]));
  for (const endpoint of INGEST_ENDPOINTS) {
    add(METRIC.ingestAccepted, { endpoint }, c.ingestAccepted.get([endpoint]));
    for (const reason of INGEST_REJECT_REASONS) add(METRIC.ingestRejected, { endpoint, reason }, c.ingestRejected.get([endpoint, reason]));
  }
  addHistogram(METRIC.computeDuration, {}, self.computeDuration);
  if (self.lastComputeMs > 0) add(METRIC.lastCompute, {}, self.lastComputeMs / 1000);
  if (state.lastEventTs > 0) add(METRIC.lastEvent, {}, state.lastEventTs / 1000);
  add(METRIC.eventLag, {}, self.eventLagSeconds);
  if (self.lastCheckpointMs > 0) add(METRIC.lastCheckpoint, {}, self.lastCheckpointMs / 1000);
  return out;
}
