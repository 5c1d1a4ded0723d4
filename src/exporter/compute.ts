import { categoricalPsi, driftShare, featureDrift, type DriftThresholds, type FeatureDrift } from '../drift/index.js';
import type { Catalog, CatalogModel } from './catalog.js';
import type { ExporterConfig } from './options.js';
import { outcomeKey, windowOutcome, type ExporterState } from './state.js';

export interface ModelDrift {
  /** Predictions in the window (of the active version). */
  windowSamples: number;
  /** PSI of the window's predicted-class mix against the training class mix. */
  predictionPsi: number | undefined;
  /** Features with at least one value in the window. */
  features: Map<string, FeatureDrift>;
  /** Share of those features called drifted; undefined when none could be evaluated. */
  driftShare: number | undefined;
}

export interface QualityCell {
  model: string;
  version: string;
  window: string;
  correct: number;
  total: number;
}

/** What the timer computes and scrapes read: drift per model and accuracy per window. */
export interface Snapshot {
  computedAtMs: number;
  drift: Map<string, ModelDrift>;
  quality: QualityCell[];
}

export const EMPTY_SNAPSHOT: Snapshot = { computedAtMs: 0, drift: new Map(), quality: [] };

/** Pure: drift and quality from the state. Cost is O(models × features × window log window). */
export function computeSnapshot(
  state: ExporterState,
  catalog: Catalog,
  config: Pick<ExporterConfig, 'thresholds' | 'accuracyWindows'>,
  nowMs: number,
): Snapshot {
  const drift = new Map<string, ModelDrift>();
  for (const entry of catalog.models.values()) drift.set(entry.model, computeModelDrift(state, entry, config.thresholds));
  return { computedAtMs: nowMs, drift, quality: computeQuality(state, catalog, config.accuracyWindows, nowMs) };
}

/** Drift of one model's window against its active version's reference. */
export function computeModelDrift(state: ExporterState, entry: CatalogModel, thresholds: DriftThresholds): ModelDrift {
  const w = state.windows.get(entry.model);
  const current = w && w.version === entry.active ? w : undefined;
  const features = new Map<string, FeatureDrift>();
  let predictionPsi: number | undefined;
  if (current && current.size > 0) {
    current.features.forEach((feature, i) => {
      const reference = entry.references.get(feature);
      if (!reference) return;
      const sample = current.sample(i);
      if (sample.length === 0) return;
      features.set(feature, featureDrift(reference, sample, thresholds));
    });
    predictionPsi = categoricalPsi(entry.metadata.reference.class_mix, current.classCounts(), { epsilon: thresholds.epsilon });
  }
  return { windowSamples: current?.size ?? 0, predictionPsi, features, driftShare: driftShare([...features.values()]) };
}

/** Accuracy per model, version and window, for every version in the registry and any with outcomes. */
export function computeQuality(
  state: ExporterState,
  catalog: Catalog,
  windows: ExporterConfig['accuracyWindows'],
  nowMs: number,
): QualityCell[] {
  const quality: QualityCell[] = [];
  const pairs = new Map<string, [string, string]>();
  for (const entry of catalog.models.values()) for (const v of entry.versions) pairs.set(outcomeKey(entry.model, v), [entry.model, v]);
  for (const key of state.outcomes.keys()) {
    const [model, version] = key.split('\u001f') as [string, string];
    pairs.set(key, [model, version]);
  }
  for (const [model, version] of pairs.values()) {
    for (const win of windows) quality.push({ model, version, window: win.label, ...windowOutcome(state, model, version, nowMs, win.ms) });
  }
  return quality;
}
