import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kolmogorovSurvival, ksAsymptoticPValue, ksTwoSample } from '../../src/drift/index.js';

const close = (actual: number, expected: number, tol: number): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} ± ${tol}, got ${actual}`);

test('the Kolmogorov survival function matches the published critical values', () => {
  // Standard table of the limiting Kolmogorov distribution (Smirnov 1948):
  // P(K > 1.2238) = 0.10, P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01, and K(1) = 0.7300.
  close(kolmogorovSurvival(1.2238), 0.1, 1e-4);
  close(kolmogorovSurvival(1.3581), 0.05, 1e-4);
  close(kolmogorovSurvival(1.6276), 0.01, 1e-4);
  close(kolmogorovSurvival(1.0), 0.27, 1e-4);
  // Small λ (theta-function branch), also checked against scipy.stats.kstwobign.sf(0.5) = 0.963945.
  close(kolmogorovSurvival(0.5), 0.963945, 1e-6);
  assert.equal(kolmogorovSurvival(0), 1);
  // The two series agree where the branch switches (λ = 1.18: 0.123454).
  close(kolmogorovSurvival(1.1799999), 0.1234538, 1e-6);
  close(kolmogorovSurvival(1.18), 0.1234538, 1e-6);
});

test('KS on a small sample with ties matches the hand calculation', () => {
  // a = 1 2 2 3, b = 2 3 4 5. Step through the pooled values:
  //  x=1: F_a = 1/4, F_b = 0    → 0.25
  //  x=2: F_a = 3/4, F_b = 1/4  → 0.50   (both copies of 2 in a, and 2 in b, passed together)
  //  x=3: F_a = 1,   F_b = 2/4  → 0.50
  //  after that F_a = 1 and F_b only rises: D = 0.5.
  // Exact p at n = m = 4: scipy.stats.ks_2samp(a, b, method="exact") = 0.7714285714285716
  // (54 of the 70 merge orders reach |i − j| ≥ 2). The asymptotic form would say
  // n_e = 2, λ = (√2 + 0.12 + 0.11/√2)·0.5 = 0.805998, Q_KS(λ) = 0.534416 (kstwobign.sf).
  const r = ksTwoSample([2, 1, 3, 2], [5, 2, 4, 3]);
  assert.equal(r.statistic, 0.5);
  assert.equal(r.effectiveN, 2);
  assert.equal(r.method, 'exact');
  close(r.pValue, 0.7714285714285716, 1e-12);
  close(ksAsymptoticPValue(0.5, 4, 4), 0.534416, 1e-6);
});

test('KS on 25 against 20 values matches an independent computation', () => {
  const a = [
    0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05,
    -0.32, -0.4, 1.06, -2.47,
  ];
  const b = [2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52, -0.71];
  // scipy.stats.ks_2samp(a, b, method="exact") (scipy 1.10.1): D = 0.23, p = 0.5286364448145011.
  // Asymptotic: n_e = 500/45 = 11.111, λ = (3.33333 + 0.12 + 0.033)·0.23 = 0.801857, kstwobign.sf(λ) = 0.541125.
  const r = ksTwoSample(a, b);
  close(r.statistic, 0.23, 1e-12);
  close(r.pValue, 0.5286364448145011, 1e-12);
  close(ksAsymptoticPValue(r.statistic, 25, 20), 0.541125, 1e-6);
  // Symmetric in its arguments, and indifferent to input order.
  const s = ksTwoSample([...b].reverse(), a);
  assert.equal(s.statistic, r.statistic);
  assert.equal(s.pValue, r.pValue);
});

test('KS of identical samples is 0 with p = 1; of disjoint samples is 1 with a tiny p', () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6];
  assert.deepEqual({ ...ksTwoSample(x, [...x]), effectiveN: 0 }, { statistic: 0, pValue: 1, effectiveN: 0, method: 'exact' });
  // n = m = 10, D = 1: exactly 2 of the C(20, 10) = 184,756 merge orders, p = 1.0825088224469026e-05
  // (scipy, exact). The asymptotic form: n_e = 5, λ = √5 + 0.12 + 0.11/√5 = 2.405261, Q = 1.88798e-5.
  const lo = Array.from({ length: 10 }, (_, i) => i);
  const hi = Array.from({ length: 10 }, (_, i) => 100 + i);
  const r = ksTwoSample(lo, hi);
  assert.equal(r.statistic, 1);
  close(r.pValue, 2 / 184_756, 1e-15);
  close(ksAsymptoticPValue(1, 10, 10), 1.88798e-5, 1e-9);
  assert.throws(() => ksTwoSample([], [1]), RangeError);
});
