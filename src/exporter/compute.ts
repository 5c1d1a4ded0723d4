import { categoricalDrift, driftShare, numericDrift, type DriftThresholds, type FeatureDrift } from '../drift/index.js';
import { currentVersion, versionKey, type Catalog, type CatalogVersion, type FeatureReference } from './catalog.js';
import type { ExporterConfig } from './options.js';
import { windowOutcome, type ExporterState } from './state.js';
import type { ModelTuning } from './tuning.js';
import type { WindowData } from './window.js';

export interface VersionDrift {
  model: string;
  version: string;
  /** Predictions in the window. */
  windowSamples: number;
  /** Drift of the predictions against the reference predictions (class mix, or value distribution). */
  prediction: FeatureDrift | undefined;
  /** Features with at least one value in the window. */
  features: Map<string, FeatureDrift>;
  /** Share of those features called drifted; undefined when none could be evaluated
   * (no values, or a window below the minimum size: not yet meaningful). */
  driftShare: number | undefined;
}

export interface QualityCell {
  model: string;
  version: string;
  window: string;
  kind: CatalogVersion['kind'];
  /** Labelled predictions in the window. */
  total: number;
  /** Classification: correct ones. */
  correct: number;
  /** Regression: Σ|error| and Σerror². */
  absError: number;
  squaredError: number;
}

/** What a compute round produces and scrapes read: drift per model version and quality per window. */
export interface Snapshot {
  computedAtMs: number;
  /** By model/version key. */
  drift: Map<string, VersionDrift>;
  quality: QualityCell[];
}

export const EMPTY_SNAPSHOT: Snapshot = { computedAtMs: 0, drift: new Map(), quality: [] };

/** Drift of one feature column against its reference. Pure; the column is only
 * read, never copied or sorted (see drift/numeric.ts). */
function columnDrift(ref: FeatureReference, column: Float64Array, thresholds: DriftThresholds): FeatureDrift | undefined {
  if (ref.type === 'numeric') return ref.prepared ? numericDrift(ref.prepared, column, thresholds) : undefined;
  const counts = new Float64Array(ref.buckets.length);
  let total = 0;
  for (let i = 0; i < column.length; i++) {
    const b = column[i] as number;
    if (Number.isNaN(b)) continue;
    counts[b]! += 1;
    total++;
  }
  if (total === 0) return undefined;
  return categoricalDrift(ref, counts, thresholds);
}

/** Pure: drift of one version's window against that version's own reference.
 * Reads only typed arrays, so it can run wherever the window data is handed. */
export function computeVersionDrift(v: CatalogVersion, data: WindowData, thresholds: DriftThresholds): VersionDrift {
  const features = new Map<string, FeatureDrift>();
  let prediction: FeatureDrift | undefined;
  if (data.size > 0) {
    v.features.forEach((ref, i) => {
      const column = data.columns[i];
      if (!ref || !column) return;
      const d = columnDrift(ref, column, thresholds);
      if (d) features.set(ref.name, d);
    });
    if (v.prediction) prediction = columnDrift(v.prediction, data.predictions, thresholds);
  }
  return {
    model: v.model,
    version: v.version,
    windowSamples: data.size,
    prediction,
    features,
    driftShare: driftShare([...features.values()]),
  };
}

const EMPTY_WINDOW: WindowData = { size: 0, columns: [], predictions: new Float64Array(0) };

export type ComputeConfig = Pick<ExporterConfig, 'accuracyWindows'> & { tuning: (model: string) => Pick<ModelTuning, 'thresholds'> };

/** The steps of one compute round: one per model version with a window (and
 * the current version of every model, at 0 samples when it has none), then
 * quality. A generator, so the service can let scrapes through between steps
 * while tests and the bench run the same code to completion with computeSnapshot. */
export function* snapshotSteps(state: ExporterState, catalog: Catalog, config: ComputeConfig, nowMs: number): Generator<void, Snapshot> {
  const drift = new Map<string, VersionDrift>();
  for (const entry of catalog.models.values()) {
    const thresholds = config.tuning(entry.model).thresholds;
    const versions = new Set<string>([entry.current]);
    for (const w of state.windows.values()) if (w.model === entry.model) versions.add(w.version);
    for (const version of versions) {
      const v = entry.loaded.get(version);
      if (!v) continue;
      const w = state.windows.get(versionKey(entry.model, version));
      drift.set(versionKey(entry.model, version), computeVersionDrift(v, w ? w.data() : EMPTY_WINDOW, thresholds));
      yield;
    }
  }
  return { computedAtMs: nowMs, drift, quality: computeQuality(state, catalog, config.accuracyWindows, nowMs) };
}

/** Pure: drift and quality from the state, in one go. Cost is O(versions × features × (window + reference values)). */
export function computeSnapshot(state: ExporterState, catalog: Catalog, config: ComputeConfig, nowMs: number): Snapshot {
  const steps = snapshotSteps(state, catalog, config, nowMs);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Quality per model, version and window: every loaded version and any with outcomes. */
export function computeQuality(
  state: ExporterState,
  catalog: Catalog,
  windows: ExporterConfig['accuracyWindows'],
  nowMs: number,
): QualityCell[] {
  const quality: QualityCell[] = [];
  const pairs = new Map<string, CatalogVersion>();
  for (const entry of catalog.models.values()) for (const v of entry.loaded.values()) pairs.set(versionKey(v.model, v.version), v);
  const kindOf = (model: string, version: string): CatalogVersion['kind'] => {
    const entry = catalog.models.get(model);
    return (entry?.loaded.get(version) ?? (entry ? currentVersion(entry) : undefined))?.kind ?? 'classification';
  };
  const cells = new Map<string, { model: string; version: string }>();
  for (const v of pairs.values()) cells.set(versionKey(v.model, v.version), { model: v.model, version: v.version });
  for (const key of state.outcomes.keys()) {
    const [model, version] = key.split('\u001f') as [string, string];
    cells.set(key, { model, version });
  }
  for (const { model, version } of cells.values()) {
    const kind = kindOf(model, version);
    for (const win of windows) {
      const [a, b, n] = windowOutcome(state, model, version, nowMs, win.ms);
      quality.push({
        model,
        version,
        window: win.label,
        kind,
        total: n,
        correct: kind === 'classification' ? a : 0,
        absError: kind === 'regression' ? a : 0,
        squaredError: b,
      });
    }
  }
  return quality;
}
