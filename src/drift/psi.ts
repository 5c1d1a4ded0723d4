/** Population Stability Index between two binned distributions.
 *
 *   PSI = Σ_i (s_i − r_i) · ln(s_i / r_i)
 *
 * where r_i and s_i are the reference and sample proportions of bin i.
 * An empty bin would make a term infinite (ln 0), so every proportion below
 * `epsilon` is raised to `epsilon` before the sum, in both distributions and
 * without renormalising. Consequences worth knowing:
 *  - a bin empty on both sides contributes exactly 0 (ε−ε)·ln(ε/ε);
 *  - a bin empty on one side contributes a large but finite term, so a sample
 *    that lands entirely outside the reference support scores high instead of
 *    producing Infinity, which Prometheus would accept but alerts cannot compare.
 * The default ε = 1e-4 is small enough not to disturb bins that hold data
 * (windows of up to ~10,000 values) and large enough to keep scores bounded:
 * at most about 2·ln(1/ε) ≈ 18, reached when sample and reference share no bin.
 */
export const DEFAULT_PSI_EPSILON = 1e-4;

export interface PsiOptions {
  epsilon?: number;
}

export function psi(referenceProportions: readonly number[], sampleProportions: readonly number[], opts: PsiOptions = {}): number {
  if (referenceProportions.length !== sampleProportions.length) {
    throw new RangeError(`psi: reference has ${referenceProportions.length} bins but sample has ${sampleProportions.length}`);
  }
  if (referenceProportions.length === 0) throw new RangeError('psi: no bins');
  const eps = opts.epsilon ?? DEFAULT_PSI_EPSILON;
  if (!(eps > 0)) throw new RangeError(`psi: epsilon must be positive, got ${eps}`);
  let sum = 0;
  for (let i = 0; i < referenceProportions.length; i++) {
    const r = Math.max(referenceProportions[i] ?? 0, eps);
    const s = Math.max(sampleProportions[i] ?? 0, eps);
    sum += (s - r) * Math.log(s / r);
  }
  return sum;
}
