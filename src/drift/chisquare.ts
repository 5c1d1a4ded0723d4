/** Pearson's chi-square test of homogeneity for two samples of one categorical
 * variable (a 2 × k contingency table: reference counts and window counts).
 *
 *   X² = Σ_rows Σ_cols (O − E)² / E,   E = row total · column total / grand total,
 *   df = (columns with any count) − 1,  p = P(χ²_df > X²).
 *
 * Columns empty in both rows are left out (they carry no information and would
 * divide by zero). No Yates correction, as scipy.stats.chi2_contingency with
 * correction=False. The survival function is the regularized upper incomplete
 * gamma Q(df/2, X²/2), computed by its series below a + 1 and by Lentz's
 * continued fraction above (Numerical Recipes §6.2), accurate to ~1e-14. */
export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

export function chiSquareHomogeneity(reference: ArrayLike<number>, sample: ArrayLike<number>): ChiSquareResult {
  if (reference.length !== sample.length) throw new RangeError(`chiSquareHomogeneity: ${reference.length} and ${sample.length} categories`);
  let refTotal = 0;
  let sampleTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    refTotal += reference[i] as number;
    sampleTotal += sample[i] as number;
  }
  if (!(refTotal > 0) || !(sampleTotal > 0)) throw new RangeError('chiSquareHomogeneity: both rows need counts');
  const total = refTotal + sampleTotal;
  let statistic = 0;
  let used = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const s = sample[i] as number;
    const col = r + s;
    if (col <= 0) continue;
    used++;
    const er = (refTotal * col) / total;
    const es = (sampleTotal * col) / total;
    statistic += ((r - er) * (r - er)) / er + ((s - es) * (s - es)) / es;
  }
  const df = used - 1;
  return { statistic, df, pValue: df < 1 ? 1 : chiSquareSurvival(statistic, df) };
}

/** P(χ²_df > x). */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chiSquareSurvival: df must be positive, got ${df}`);
  if (!(x > 0)) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

const EPS = 1e-15;
const TINY = 1e-300;

/** ln Γ(z) for z > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const x = z - 1;
  let a = c[0] as number;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a). */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(lead)));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, Math.max(0, Math.exp(lead) * h));
}
