import { IRIS_CLASSES, IRIS_FEATURES } from './schema.js';
import type { LabelledRow } from './dataset.js';

export const REFERENCE_BINS = 10;
/** Reference values kept for the KS test: a larger training set is thinned to
 * this many evenly spaced order statistics, which keep its empirical CDF to
 * within 1/10,000 while metadata.json stays small. */
export const MAX_REFERENCE_VALUES = 10_000;
/** Categories kept per categorical feature; rarer ones share the `other` bucket,
 * so neither the profile nor anything derived from it grows with the data. */
export const MAX_CATEGORIES = 50;
/** The bucket of categories outside the reference (and the rare ones beyond MAX_CATEGORIES). */
export const OTHER_CATEGORY = 'other';

export interface FeatureProfile {
  /** Absent in files written before categorical features existed. */
  type?: 'numeric';
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** REFERENCE_BINS + 1 edges at the training quantiles; first = min, last = max. */
  bin_edges: number[];
  /** Share of training values per bin, bin i = [edge i, edge i+1), the last bin closed. */
  bin_proportions: number[];
  /** The training values, sorted ascending (for exact tests such as Kolmogorov–Smirnov);
   * at most MAX_REFERENCE_VALUES order statistics of them. */
  values: number[];
}

export interface CategoricalProfile {
  type: 'categorical';
  /** Values present in the reference data. */
  count: number;
  /** Share of each category among them, most frequent first; rare categories
   * beyond MAX_CATEGORIES are summed under OTHER_CATEGORY. */
  categories: Record<string, number>;
}

export type AnyFeatureProfile = FeatureProfile | CategoricalProfile;

export function isCategorical(p: AnyFeatureProfile): p is CategoricalProfile {
  return p.type === 'categorical';
}

export interface ReferenceProfile {
  features: Record<string, AnyFeatureProfile>;
  /** Classification: share of each class among the reference predictions (or targets). */
  class_mix: Record<string, number>;
  /** Regression: the distribution of the reference predictions (or targets). */
  prediction?: FeatureProfile;
}

/** Quantile q of sorted values, linear between neighbours (numpy's default).
 * Kept within [a, b]: rounding must never put a quantile past the values it lies between. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  const x = a + (b - a) * (pos - lo);
  return x < a ? a : x > b ? b : x;
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
  // The quantiles as they are: a rounded edge can move a value that sits on it
  // (a quantile at a data point) into the bin below, here and in the exporter.
  const bin_edges = Array.from({ length: bins + 1 }, (_, i) => quantile(sorted, i / bins));
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
    values: thinSorted(sorted, MAX_REFERENCE_VALUES),
  };
}

/** At most `max` order statistics of a sorted list, evenly spaced by rank, first and last kept. */
export function thinSorted(sorted: readonly number[], max: number): number[] {
  if (sorted.length <= max) return sorted.slice();
  return Array.from({ length: max }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (max - 1))] as number);
}

/** Profile of a categorical column: the share of each category, the most
 * frequent MAX_CATEGORIES by name, the rest summed as OTHER_CATEGORY. */
export function categoricalProfile(values: readonly string[], maxCategories = MAX_CATEGORIES): CategoricalProfile {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Most frequent first; ties by name, so the profile does not depend on row order.
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const categories: Record<string, number> = {};
  let other = 0;
  ranked.forEach(([name, n], i) => {
    if (i < maxCategories && name !== OTHER_CATEGORY) categories[name] = n / values.length;
    else other += n;
  });
  if (other > 0) categories[OTHER_CATEGORY] = other / values.length;
  return { type: 'categorical', count: values.length, categories };
}

/** Share of each value, for a class mix. */
export function mixOf(values: readonly string[], classes: readonly string[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const c of classes) mix[c] = 0;
  for (const v of values) mix[v] = (mix[v] ?? 0) + 1 / values.length;
  return mix;
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
