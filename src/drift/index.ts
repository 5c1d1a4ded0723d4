// The drift room: pure statistics comparing recent data with a training reference.
export { psi, DEFAULT_PSI_EPSILON, type PsiOptions } from './psi.js';
export { binCounts, binProportions, binIndex } from './binning.js';
export {
  ksTwoSample,
  ksTwoSampleSorted,
  ksStatisticSorted,
  ksResult,
  ksExactPValue,
  ksAsymptoticPValue,
  ksUsesExact,
  KS_EXACT_BELOW,
  kolmogorovSurvival,
  type KsResult,
  type KsMethod,
} from './ks.js';
export { featureDrift, numericDrift, prepareReference, upperBound, type PreparedReference } from './numeric.js';
export { categoricalPsi } from './categorical.js';
export {
  categoricalDrift,
  psiLevel,
  isDrifted,
  driftShare,
  DEFAULT_DRIFT_THRESHOLDS,
  DEFAULT_MIN_SAMPLES,
  DRIFT_RULES,
  type DriftThresholds,
  type DriftRule,
  type DriftLevel,
  type FeatureDrift,
  type DriftTest,
  type CategoricalReference,
  type FeatureReference,
} from './verdict.js';
export { chiSquareHomogeneity, chiSquareSurvival, regularizedGammaQ, logGamma, type ChiSquareResult } from './chisquare.js';
