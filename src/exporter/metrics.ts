import { Registry } from 'prom-client';
import type { Catalog } from './catalog.js';
import type { Snapshot } from './compute.js';
import { ERROR_STAGES, GROUND_TRUTH_DELAY_BUCKETS, IGNORE_REASONS, METRIC, UNKNOWN } from './conventions.js';
import { emptyHistogram, histogramSamples, SnapshotFamily, type HistogramData, type MetricType, type Sample } from '../metrics/index.js';
import type { ExporterConfig } from './options.js';
import type { ExporterState } from './state.js';

export type { Sample } from '../metrics/index.js';

const FAMILIES: readonly { name: string; type: MetricType; help: string }[] = [
  { name: METRIC.modelInfo, type: 'gauge', help: 'Active version of each model in the registry (always 1).' },
  { name: METRIC.lastTrained, type: 'gauge', help: 'When the active model version was trained (unix seconds).' },
  { name: METRIC.referenceAccuracy, type: 'gauge', help: 'Held-out accuracy of the active model version at training time.' },
  {
    name: METRIC.predictions,
    type: 'counter',
    help: 'Predictions served, by predicted class (classes outside the model metadata count as "unknown").',
  },
  {
    name: METRIC.predictionDrift,
    type: 'gauge',
    help: 'Drift of the predicted-class mix in the drift window against the training class mix.',
  },
  {
    name: METRIC.featureDrift,
    type: 'gauge',
    help: 'Drift of each feature in the drift window against the training reference (psi: population stability index; ks: Kolmogorov-Smirnov statistic).',
  },
  { name: METRIC.featureDriftPValue, type: 'gauge', help: 'Asymptotic p-value of the two-sample Kolmogorov-Smirnov test of each feature.' },
  { name: METRIC.datasetDriftShare, type: 'gauge', help: 'Share of the features of a model currently called drifted.' },
  { name: METRIC.windowSamples, type: 'gauge', help: 'Predictions of the active version in the drift window.' },
  { name: METRIC.driftThreshold, type: 'gauge', help: 'Drift thresholds this exporter uses (psi moderate/major, ks p_value).' },
  { name: METRIC.featureValues, type: 'counter', help: 'Feature values received in predictions.' },
  { name: METRIC.featureMissing, type: 'counter', help: 'Predictions in which a feature was absent or null.' },
  { name: METRIC.featureOutOfRange, type: 'counter', help: 'Feature values outside the [min, max] range seen in training.' },
  { name: METRIC.featureUnknown, type: 'counter', help: 'Feature values under names the model metadata does not list.' },
  { name: METRIC.accuracy, type: 'gauge', help: 'Share of correct predictions among those labelled within the window (by label time).' },
  { name: METRIC.qualitySamples, type: 'gauge', help: 'Labelled predictions within the accuracy window.' },
  { name: METRIC.groundTruthReceived, type: 'counter', help: 'Ground-truth labels joined to a prediction.' },
  {
    name: METRIC.groundTruthUnknown,
    type: 'counter',
    help: 'Ground-truth labels for request ids with no pending prediction (unknown, expired or already labelled).',
  },
  { name: METRIC.groundTruthExpired, type: 'counter', help: 'Predictions dropped unlabelled from the pending set (too old or too many).' },
  { name: METRIC.groundTruthPending, type: 'gauge', help: 'Predictions awaiting a ground-truth label.' },
  { name: METRIC.groundTruthDelay, type: 'histogram', help: 'Time from prediction to its ground-truth label.' },
  { name: METRIC.eventsProcessed, type: 'counter', help: 'Inference events read from the spool.' },
  { name: METRIC.eventsIgnored, type: 'counter', help: 'Events not counted against any model, by reason.' },
  {
    name: METRIC.eventsFutureClamped,
    type: 'counter',
    help: 'Events stamped further in the future than the clock allows; their time was taken as now.',
  },
  { name: METRIC.errors, type: 'counter', help: 'Errors of the exporter by stage (read, decode, registry, compute, checkpoint).' },
  { name: METRIC.computeDuration, type: 'histogram', help: 'Time to compute drift and quality.' },
  { name: METRIC.lastCompute, type: 'gauge', help: 'When drift and quality were last computed (unix seconds).' },
  { name: METRIC.lastEvent, type: 'gauge', help: 'Time of the newest event processed (unix seconds).' },
  { name: METRIC.eventLag, type: 'gauge', help: 'Age of the last processed event while a backlog remains in the spool; 0 when caught up.' },
  { name: METRIC.lastCheckpoint, type: 'gauge', help: 'When the exporter state was last saved (unix seconds).' },
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
  config: Pick<ExporterConfig, 'thresholds'>,
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
    const mv = { model, version: e.active };
    add(METRIC.modelInfo, mv, 1);
    add(METRIC.lastTrained, mv, e.metadata.trained_at_unix);
    add(METRIC.referenceAccuracy, mv, e.metadata.heldout_accuracy);
    for (const f of e.features) {
      add(METRIC.featureValues, { model, feature: f }, c.featureValues.get([model, f]));
      add(METRIC.featureMissing, { model, feature: f }, c.featureMissing.get([model, f]));
      add(METRIC.featureOutOfRange, { model, feature: f }, c.featureOutOfRange.get([model, f]));
    }
    add(METRIC.featureUnknown, { model }, c.featureUnknown.get([model]));
    add(METRIC.groundTruthPending, { model }, state.pendingByModel.get(model) ?? 0);
    add(METRIC.groundTruthExpired, { model }, c.groundTruthExpired.get([model]));
    for (const version of e.versions) {
      add(METRIC.groundTruthReceived, { model, version }, c.groundTruthReceived.get([model, version]));
    }
  }
  // Predictions: every class of the metadata for every known version at 0, plus what was counted.
  const predictionSeries = new Map<string, [string, string, string]>();
  for (const e of catalog.models.values()) {
    for (const v of e.versions)
      for (const cls of [...e.classes, UNKNOWN]) predictionSeries.set(`${e.model}\u001f${v}\u001f${cls}`, [e.model, v, cls]);
  }
  for (const [labels] of c.predictions.entries()) predictionSeries.set(labels.join('\u001f'), labels as [string, string, string]);
  for (const [model, version, cls] of predictionSeries.values()) {
    add(METRIC.predictions, { model, version, class: cls }, c.predictions.get([model, version, cls]));
  }

  for (const [model, d] of snapshot.drift) {
    add(METRIC.windowSamples, { model }, d.windowSamples);
    if (d.predictionPsi !== undefined) add(METRIC.predictionDrift, { model, method: 'psi' }, d.predictionPsi);
    for (const [feature, f] of d.features) {
      add(METRIC.featureDrift, { model, feature, method: 'psi' }, f.psi);
      add(METRIC.featureDrift, { model, feature, method: 'ks' }, f.ksStatistic);
      add(METRIC.featureDriftPValue, { model, feature, method: 'ks' }, f.ksPValue);
    }
    if (d.driftShare !== undefined) add(METRIC.datasetDriftShare, { model }, d.driftShare);
  }
  const t = config.thresholds;
  add(METRIC.driftThreshold, { method: 'psi', level: 'moderate' }, t.psiModerate);
  add(METRIC.driftThreshold, { method: 'psi', level: 'major' }, t.psiMajor);
  add(METRIC.driftThreshold, { method: 'ks', level: 'p_value' }, t.ksPValue);

  for (const q of snapshot.quality) {
    const labels = { model: q.model, version: q.version, window: q.window };
    add(METRIC.qualitySamples, labels, q.total);
    // No labels in the window: no accuracy (absent, not 0 and not NaN).
    if (q.total > 0) add(METRIC.accuracy, labels, q.correct / q.total);
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
  addHistogram(METRIC.computeDuration, {}, self.computeDuration);
  if (self.lastComputeMs > 0) add(METRIC.lastCompute, {}, self.lastComputeMs / 1000);
  if (state.lastEventTs > 0) add(METRIC.lastEvent, {}, state.lastEventTs / 1000);
  add(METRIC.eventLag, {}, self.eventLagSeconds);
  if (self.lastCheckpointMs > 0) add(METRIC.lastCheckpoint, {}, self.lastCheckpointMs / 1000);
  return out;
}
