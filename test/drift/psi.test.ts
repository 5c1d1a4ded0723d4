import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCounts, binIndex, binProportions, categoricalPsi, psi } from '../../src/drift/index.js';

const close = (actual: number, expected: number, tol = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} ± ${tol}, got ${actual}`);

test('psi of a uniform reference against a skewed sample matches the hand calculation', () => {
  // (0.1−0.25)·ln(0.1/0.25) = −0.15 · −0.916291 = 0.137444
  // (0.2−0.25)·ln(0.2/0.25) = −0.05 · −0.223144 = 0.011157
  // (0.3−0.25)·ln(0.3/0.25) =  0.05 ·  0.182322 = 0.009116
  // (0.4−0.25)·ln(0.4/0.25) =  0.15 ·  0.470004 = 0.070501
  //                                         sum = 0.228217(4)
  close(psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 0.2282174);
});

test('psi is zero for identical distributions, including bins empty on both sides', () => {
  assert.equal(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 0);
  // Empty on both sides: (ε−ε)·ln(ε/ε) = 0, not NaN.
  assert.equal(psi([0.5, 0, 0.5], [0.5, 0, 0.5]), 0);
});

test('psi raises an empty bin to epsilon instead of returning Infinity', () => {
  // reference [0.5, 0.5], sample [1, 0], ε = 1e-4:
  // (1−0.5)·ln(1/0.5)          = 0.5 · 0.693147            = 0.346574
  // (1e-4−0.5)·ln(1e-4/0.5)    = −0.4999 · ln(2e-4) = −0.4999 · −8.517193 = 4.257745
  //                                                  sum = 4.604318(5)
  close(psi([0.5, 0.5], [1, 0]), 4.6043185);
  // Symmetric in which side is empty (the formula is symmetric in r and s).
  close(psi([1, 0], [0.5, 0.5]), 4.6043185);
  // A larger ε gives a smaller score: the documented effect of the choice.
  assert.ok(psi([0.5, 0.5], [1, 0], { epsilon: 1e-2 }) < 4.6);
});

test('psi refuses bins that do not line up', () => {
  assert.throws(() => psi([0.5, 0.5], [1]), RangeError);
  assert.throws(() => psi([], []), RangeError);
});

test('binning by reference edges: half-open bins, closed last bin, outliers in the outer bins', () => {
  const edges = [0, 1, 2, 3];
  // 0 → bin 0; 0.99 → 0; 1 → 1 (left edge belongs to its bin); 3 → 2 (last bin closed);
  // −5 → 0 (below range); 7 → 2 (above range); NaN skipped.
  assert.deepEqual(binCounts([0, 0.99, 1, 3, -5, 7, Number.NaN], edges), { counts: [3, 1, 2], total: 6 });
  assert.deepEqual(binProportions([0.5, 1.5, 1.5, 2.5], edges), [0.25, 0.5, 0.25]);
  assert.deepEqual(binProportions([], edges), [0, 0, 0]);
  // Repeated edges (quantile bins of tied data) make an empty bin, never a wrong one.
  assert.equal(binIndex(1, [0, 1, 1, 2]), 2);
  assert.equal(binIndex(0.5, [0, 1, 1, 2]), 0);
});

test('categorical psi of the prediction mix matches the hand calculation', () => {
  // reference 1/3 each; sample 50/30/20 of 100:
  // (0.5−⅓)·ln(1.5) = 0.166667·0.405465 = 0.067578
  // (0.3−⅓)·ln(0.9) = −0.033333·−0.105361 = 0.003512
  // (0.2−⅓)·ln(0.6) = −0.133333·−0.510826 = 0.068110
  //                                     sum = 0.139200
  const ref = { setosa: 1 / 3, versicolor: 1 / 3, virginica: 1 / 3 };
  close(categoricalPsi(ref, { setosa: 50, versicolor: 30, virginica: 20 }), 0.1392, 1e-5);
  assert.equal(categoricalPsi(ref, { setosa: 7, versicolor: 7, virginica: 7 }), 0);
  // A class the reference never had gets reference proportion ε:
  // sample 50,30,20,10 of 110 against ⅓,⅓,⅓,1e-4 gives 0.760227.
  close(categoricalPsi(ref, { setosa: 50, versicolor: 30, virginica: 20, other: 10 }), 0.760227, 1e-5);
  assert.throws(() => categoricalPsi(ref, {}), RangeError);
});
