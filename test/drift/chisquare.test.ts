import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoricalDrift, chiSquareHomogeneity, chiSquareSurvival } from '../../src/drift/index.js';

/** Relative difference, with an absolute floor for values near 0. */
const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300) || Math.abs(a - b) < 1e-15;

// Reference values from scipy 1.10.1 (Debian 12 python3-scipy): scipy.stats.chi2.sf(x, df).
// The first seven x are the critical values of published chi-square tables
// (p = 0.05 for df 1-5, p = 0.01 for df 1 and 5).
const SURVIVAL: [number, number, number][] = [
  [3.841458820694124, 1, 0.04999999999999989],
  [5.991464547107979, 2, 0.05000000000000007],
  [7.814727903251178, 3, 0.05],
  [9.487729036781154, 4, 0.05000000000000006],
  [11.070497693516351, 5, 0.05000000000000007],
  [6.634896601021214, 1, 0.010000000000000005],
  [15.08627246938899, 5, 0.010000000000000005],
  [0.5, 1, 0.47950012218695337],
  [2.0, 3, 0.5724067044708798],
  [10.0, 10, 0.44049328506521257],
  [25.0, 10, 0.005345505487134069],
  [100.0, 50, 3.454931382984871e-5],
  [0.01, 2, 0.9950124791926823],
  [60.0, 20, 7.121750862815593e-6],
  [200.0, 30, 4.9527335290032224e-27],
  [1e-6, 1, 0.9992021155721779],
  [40.0, 5, 1.493367900050393e-7],
];

test('chi-square survival function matches scipy (and the published table values) to 1e-9 relative', () => {
  for (const [x, df, p] of SURVIVAL) assert.ok(close(chiSquareSurvival(x, df), p), `x=${x} df=${df}: ${chiSquareSurvival(x, df)} vs ${p}`);
});

// scipy.stats.chi2_contingency([reference, sample], correction=False) -> statistic, dof, p (scipy 1.10.1).
const CONTINGENCY: [number[], number[], number, number, number][] = [
  [[50, 30, 20, 0], [45, 35, 15, 5], 6.362058993637941, 3, 0.09526421396991933],
  [[500, 300, 200], [480, 330, 190], 2.0931449502878072, 2, 0.3511392273162867],
  [[10, 10, 10, 10], [40, 0, 0, 0], 48.0, 3, 2.129480953603346e-10],
  [[120.5, 60.25, 19.25], [10, 7, 3], 0.9827695511363259, 2, 0.6117786312375187],
  [[1000, 1], [900, 100], 102.30228765502345, 1, 4.766413697446855e-24],
];

test('chi-square test of homogeneity matches scipy chi2_contingency without correction', () => {
  for (const [r, s, stat, df, p] of CONTINGENCY) {
    const got = chiSquareHomogeneity(r, s);
    assert.ok(close(got.statistic, stat), `${r}/${s}: X² ${got.statistic} vs ${stat}`);
    assert.equal(got.df, df);
    assert.ok(close(got.pValue, p, 1e-8), `${r}/${s}: p ${got.pValue} vs ${p}`);
  }
});

test('a bucket empty in both rows is left out; one category only gives p = 1', () => {
  assert.deepEqual(chiSquareHomogeneity([5, 0, 5], [5, 0, 5]), { statistic: 0, df: 1, pValue: 1 });
  assert.equal(chiSquareHomogeneity([10, 0], [3, 0]).pValue, 1);
  assert.throws(() => chiSquareHomogeneity([1, 2], [0, 0]), /both rows need counts/);
});

test('categorical drift: PSI over the reference buckets plus the unseen bucket, and the chi-square p-value', () => {
  // Reference 60/30/10 over a, b, c and nothing in `other`, from 1,000 rows.
  const reference = { proportions: [0.6, 0.3, 0.1, 0], count: 1000 };
  const same = categoricalDrift(reference, [600, 300, 100, 0]);
  assert.equal(same.test, 'chi2');
  assert.ok(same.psi! < 1e-12);
  assert.equal(same.pValue, 1);
  assert.equal(same.drifted, false);
  // Half the window is a category the reference never had: major drift by both tests.
  const unseen = categoricalDrift(reference, [300, 150, 50, 500]);
  assert.ok(unseen.psi! > 2, `psi ${unseen.psi}`);
  assert.ok(unseen.pValue! < 1e-50);
  assert.equal(unseen.level, 'major');
  assert.equal(unseen.drifted, true);
  assert.equal(unseen.samples, 1000);
});
