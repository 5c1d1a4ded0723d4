import { chiSquareHomogeneity } from './chisquare.js';
import { psi } from './psi.js';

/** Thresholds used to call a feature drifted. Defaults are the usual rules of thumb:
 * PSI < 0.1 no significant change, 0.1–0.25 moderate, ≥ 0.25 major; KS p < 0.05. */
export interface DriftThresholds {
  psiModerate: number;
  psiMajor: number;
  /** p-value below which a feature differs significantly (KS for numeric, chi-square for categorical features). */
  ksPValue: number;
  /** How the two tests combine into "drifted" for `ml_dataset_drift_share`:
   *  - `both` (default): PSI ≥ psiMajor and KS p < ksPValue. PSI says the change is
   *    large enough to matter; KS says it is not the noise of a small window. With
   *    windows of a thousand values KS alone flags shifts too small to matter, and
   *    PSI alone is noisy on small windows.
   *  - `psi`: PSI ≥ psiMajor.  - `ks`: KS p < ksPValue.  - `either`: one of them. */
  rule: DriftRule;
  epsilon: number;
  /** Fewest values in a window for PSI, the chi-square test and the drifted verdict:
   * below it they are not yet meaningful and are left undefined (see DEFAULT_MIN_SAMPLES). */
  minSamples: number;
}

export type DriftRule = 'both' | 'psi' | 'ks' | 'either';
export const DRIFT_RULES: readonly DriftRule[] = ['both', 'psi', 'ks', 'either'];

/** The smallest window whose PSI means something. PSI of a sample against the
 * distribution it was drawn from is, for k equal bins, about χ²_{k−1}/n (the
 * symmetrised Kullback–Leibler divergence of a multinomial sample): with ten
 * bins and 200 values its 99th percentile is about 0.11 and it reaches the
 * major threshold 0.25 by chance about once in ten million windows. A bin left
 * empty by a small window alone adds (0.1 − ε)·ln(0.1/ε) ≈ 0.69, so a 5-value
 * window scores 3.8 to 8.3 against its own ten bins. test/drift/psi-noise.test.ts
 * measures both. The chi-square approximation likewise needs several expected
 * values per bucket. */
export const DEFAULT_MIN_SAMPLES = 200;

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<DriftThresholds> = Object.freeze({
  psiModerate: 0.1,
  psiMajor: 0.25,
  ksPValue: 0.05,
  rule: 'both',
  epsilon: 1e-4,
  minSamples: DEFAULT_MIN_SAMPLES,
});

/** The training reference of one feature, as the registry stores it. */
export interface FeatureReference {
  binEdges: readonly number[];
  binProportions: readonly number[];
  /** Training values sorted ascending (for KS). */
  sortedValues: ArrayLike<number>;
}

export type DriftLevel = 'none' | 'moderate' | 'major';

/** The significance test behind a p-value: Kolmogorov–Smirnov for numeric
 * features, chi-square (homogeneity) for categorical ones. Also the `method`
 * label of its statistic and p-value series. */
export type DriftTest = 'ks' | 'chi2';

export interface FeatureDrift {
  /** Values in the window. */
  samples: number;
  test: DriftTest;
  /** KS D, or the chi-square statistic X²; undefined where the test is not valid at
   * this size (chi-square below the minimum window). KS is exact at small sizes. */
  statistic: number | undefined;
  pValue: number | undefined;
  /** PSI, its band and the drifted verdict: undefined below the minimum window (not yet meaningful). */
  psi: number | undefined;
  /** PSI band: none < psiModerate ≤ moderate < psiMajor ≤ major. */
  level: DriftLevel | undefined;
  drifted: boolean | undefined;
}

/** The reference of a categorical feature: the share of each bucket (its
 * categories, then the one bucket for everything else) and how many reference
 * values those shares come from. */
export interface CategoricalReference {
  proportions: ArrayLike<number>;
  count: number;
}

/** Drift of a categorical feature: PSI over the buckets, and the chi-square
 * homogeneity test of the reference counts against the window counts.
 * `counts[i]` is the window's count of bucket i; the total must be positive. */
export function categoricalDrift(
  reference: CategoricalReference,
  counts: ArrayLike<number>,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): FeatureDrift {
  const k = reference.proportions.length;
  if (counts.length !== k) throw new RangeError(`categoricalDrift: reference has ${k} buckets, window ${counts.length}`);
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i] as number;
  if (!(total > 0)) throw new RangeError('categoricalDrift: the window is empty');
  if (total < thresholds.minSamples) {
    return { samples: total, psi: undefined, test: 'chi2', statistic: undefined, pValue: undefined, level: undefined, drifted: undefined };
  }
  const ref = Array.from(reference.proportions);
  const sample = Array.from(counts, (c) => c / total);
  const score = psi(ref, sample, { epsilon: thresholds.epsilon });
  const chi = chiSquareHomogeneity(
    ref.map((p) => p * reference.count),
    counts,
  );
  return {
    samples: total,
    psi: score,
    test: 'chi2',
    statistic: chi.statistic,
    pValue: chi.pValue,
    level: psiLevel(score, thresholds),
    drifted: isDrifted(score, chi.pValue, thresholds),
  };
}

export function psiLevel(score: number, t: Pick<DriftThresholds, 'psiModerate' | 'psiMajor'>): DriftLevel {
  return score >= t.psiMajor ? 'major' : score >= t.psiModerate ? 'moderate' : 'none';
}

export function isDrifted(psiScore: number, ksPValue: number, t: DriftThresholds): boolean {
  const byPsi = psiScore >= t.psiMajor;
  const byKs = ksPValue < t.ksPValue;
  switch (t.rule) {
    case 'both':
      return byPsi && byKs;
    case 'psi':
      return byPsi;
    case 'ks':
      return byKs;
    case 'either':
      return byPsi || byKs;
  }
}

/** Share of drifted features among those with a verdict; undefined when none has
 * one (no values, or fewer than the minimum window). */
export function driftShare(results: readonly Pick<FeatureDrift, 'drifted'>[]): number | undefined {
  const judged = results.filter((r) => r.drifted !== undefined);
  if (judged.length === 0) return undefined;
  return judged.filter((r) => r.drifted).length / judged.length;
}
