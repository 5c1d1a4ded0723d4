import { binProportions } from './binning.js';
import { ksTwoSampleSorted } from './ks.js';
import { psi } from './psi.js';

/** Thresholds used to call a feature drifted. Defaults are the usual rules of thumb:
 * PSI < 0.1 no significant change, 0.1–0.25 moderate, ≥ 0.25 major; KS p < 0.05. */
export interface DriftThresholds {
  psiModerate: number;
  psiMajor: number;
  ksPValue: number;
  /** How the two tests combine into "drifted" for `ml_dataset_drift_share`:
   *  - `both` (default): PSI ≥ psiMajor and KS p < ksPValue. PSI says the change is
   *    large enough to matter; KS says it is not the noise of a small window. With
   *    windows of a thousand values KS alone flags shifts too small to matter, and
   *    PSI alone is noisy on small windows.
   *  - `psi`: PSI ≥ psiMajor.  - `ks`: KS p < ksPValue.  - `either`: one of them. */
  rule: DriftRule;
  epsilon: number;
}

export type DriftRule = 'both' | 'psi' | 'ks' | 'either';
export const DRIFT_RULES: readonly DriftRule[] = ['both', 'psi', 'ks', 'either'];

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<DriftThresholds> = Object.freeze({
  psiModerate: 0.1,
  psiMajor: 0.25,
  ksPValue: 0.05,
  rule: 'both',
  epsilon: 1e-4,
});

/** The training reference of one feature, as the registry stores it. */
export interface FeatureReference {
  binEdges: readonly number[];
  binProportions: readonly number[];
  /** Training values sorted ascending (for KS). */
  sortedValues: ArrayLike<number>;
}

export type DriftLevel = 'none' | 'moderate' | 'major';

export interface FeatureDrift {
  samples: number;
  psi: number;
  ksStatistic: number;
  ksPValue: number;
  /** PSI band: none < psiModerate ≤ moderate < psiMajor ≤ major. */
  level: DriftLevel;
  drifted: boolean;
}

/** Drift of one feature's recent values against its training reference.
 * `sample` holds finite values only; it must not be empty. */
export function featureDrift(
  reference: FeatureReference,
  sample: readonly number[],
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): FeatureDrift {
  const score = psi(reference.binProportions, binProportions(sample, reference.binEdges), { epsilon: thresholds.epsilon });
  const sorted = Float64Array.from(sample).sort();
  const ks = ksTwoSampleSorted(reference.sortedValues, sorted);
  return {
    samples: sample.length,
    psi: score,
    ksStatistic: ks.statistic,
    ksPValue: ks.pValue,
    level: psiLevel(score, thresholds),
    drifted: isDrifted(score, ks.pValue, thresholds),
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

/** Share of drifted features among those evaluated; undefined when none was. */
export function driftShare(results: readonly Pick<FeatureDrift, 'drifted'>[]): number | undefined {
  if (results.length === 0) return undefined;
  return results.filter((r) => r.drifted).length / results.length;
}
