import { IRIS_CLASSES, IRIS_FEATURES } from './schema.js';
import type { LabelledRow } from './dataset.js';

export const REFERENCE_BINS = 10;

export interface FeatureProfile {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** REFERENCE_BINS + 1 edges at the training quantiles; first = min, last = max. */
  bin_edges: number[];
  /** Share of training values per bin, bin i = [edge i, edge i+1), the last bin closed. */
  bin_proportions: number[];
  /** The training values, sorted ascending (for exact tests such as Kolmogorov–Smirnov). */
  values: number[];
}

export interface ReferenceProfile {
  features: Record<string, FeatureProfile>;
  class_mix: Record<string, number>;
}

/** Quantile q of sorted values, linear between neighbours (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Bin of `value` for the given edges: the last edge i with edge <= value, clamped to
 * the first and last bin, so out-of-range values land in the outer bins. With tied
 * edges (iris has many repeated values) the empty bins simply stay empty. */
export function binIndex(edges: readonly number[], value: number): number {
  const bins = edges.length - 1;
  let idx = 0;
  for (let i = 1; i < bins; i++) {
    if (value >= (edges[i] as number)) idx = i;
    else break;
  }
  return idx;
}

export function featureProfile(values: readonly number[], bins = REFERENCE_BINS): FeatureProfile {
  const sorted = values.slice().sort((a, b) => a - b);
  const count = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / count;
  const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / count;
  const edges = Array.from({ length: bins + 1 }, (_, i) => quantile(sorted, i / bins));
  // Quantile interpolation can leave float dust (5.1000000000000005); the
  // exporter compares values to these edges, so keep them as readable as the data.
  const bin_edges = edges.map((e) => Number(e.toPrecision(12)));
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[binIndex(bin_edges, v)]! += 1;
  return {
    count,
    min: sorted[0] as number,
    max: sorted[count - 1] as number,
    mean,
    std: Math.sqrt(variance),
    bin_edges,
    bin_proportions: counts.map((c) => c / count),
    values: sorted,
  };
}

/** The reference the exporter measures drift against: per-feature distribution and class mix. */
export function referenceProfile(rows: readonly LabelledRow[]): ReferenceProfile {
  const features: Record<string, FeatureProfile> = {};
  IRIS_FEATURES.forEach((name, col) => {
    features[name] = featureProfile(rows.map((r) => r.features[col] as number));
  });
  const class_mix: Record<string, number> = {};
  for (const cls of IRIS_CLASSES) class_mix[cls] = rows.filter((r) => r.label === cls).length / rows.length;
  return { features, class_mix };
}
