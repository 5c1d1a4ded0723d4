/** Two-sample Kolmogorov–Smirnov test.
 *
 * Statistic: D = sup_x |F_a(x) − F_b(x)| over the two empirical CDFs. Ties are
 * handled by stepping past every copy of a value in both samples before
 * comparing, so D is the same whichever order tied values come in.
 *
 * p-value: the asymptotic Kolmogorov distribution, Q_KS(λ) = P(K > λ), with the
 * effective-n correction of Stephens (1970), as given in Numerical Recipes
 * (§14.3, `kstwo`):
 *
 *   n_e = n·m / (n + m),   λ = (√n_e + 0.12 + 0.11/√n_e) · D,   p = Q_KS(λ).
 *
 * The correction makes the asymptotic p-value usable from n_e ≈ 4 upwards; it
 * is what most monitoring tools quote and it is cheap (no exact enumeration).
 */
export interface KsResult {
  /** The KS statistic D, in [0, 1]. */
  statistic: number;
  /** Asymptotic two-sided p-value, in [0, 1]. */
  pValue: number;
  /** Effective sample size n·m/(n+m). */
  effectiveN: number;
}

/** Both samples in any order; they are copied and sorted. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  return ksTwoSampleSorted(sortedFinite(a), sortedFinite(b));
}

/** Both samples already sorted ascending (the reference values in the registry are). */
export function ksTwoSampleSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError(`ksTwoSample: both samples need values (got ${n} and ${m})`);
  const statistic = ksStatisticSorted(a, b);
  const effectiveN = (n * m) / (n + m);
  const sq = Math.sqrt(effectiveN);
  const lambda = (sq + 0.12 + 0.11 / sq) * statistic;
  return { statistic, pValue: kolmogorovSurvival(lambda), effectiveN };
}

export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const va = a[i] as number;
    const vb = b[j] as number;
    const x = va <= vb ? va : vb;
    while (i < n && (a[i] as number) === x) i++;
    while (j < m && (b[j] as number) === x) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  // Once one sample is exhausted its CDF is 1 and the other's only rises towards 1,
  // so the remaining differences only shrink: no need to walk the rest.
  return d;
}

/** Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}, the survival function of the
 * Kolmogorov distribution. That alternating series converges slowly for small λ,
 * so below λ = 1.18 we use the equivalent theta-function form of the CDF,
 * K(λ) = (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)² π² / (8 λ²)}, and return 1 − K. */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const w = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let j = 1; j <= 8; j++) {
      const k = 2 * j - 1;
      sum += Math.exp(-k * k * w);
    }
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * sum);
  }
  let sum = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += sign * term;
    if (term < 1e-17) break;
    sign = -sign;
  }
  return clamp01(2 * sum);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function sortedFinite(values: readonly number[]): Float64Array {
  const out = Float64Array.from(values.filter((v) => Number.isFinite(v)));
  return out.sort();
}
