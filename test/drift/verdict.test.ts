import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  categoricalDrift,
  DEFAULT_DRIFT_THRESHOLDS,
  driftShare,
  featureDrift,
  isDrifted,
  ksTwoSample,
  numericDrift,
  prepareReference,
  psi,
  binProportions,
  psiLevel,
  upperBound,
} from '../../src/drift/index.js';
import { seededRandom } from '../../src/model/random.js';

/** These tests compare 100-value samples: below the default minimum window of 200. */
const SMALL_OK = { ...DEFAULT_DRIFT_THRESHOLDS, minSamples: 100 };

const reference = (() => {
  // 100 training values 0.0 … 9.9, ten equal bins of width 1: 10% each.
  const values = Array.from({ length: 100 }, (_, i) => i / 10);
  return { binEdges: Array.from({ length: 11 }, (_, i) => i * (9.9 / 10)), binProportions: new Array(10).fill(0.1), sortedValues: values };
})();

test('a sample drawn like the reference is not drifted', () => {
  const d = featureDrift(reference, reference.sortedValues as number[], SMALL_OK);
  assert.equal(d.statistic, 0);
  assert.equal(d.pValue, 1);
  assert.ok(d.psi! < 0.01, `psi ${d.psi}`);
  assert.equal(d.level, 'none');
  assert.equal(d.drifted, false);
});

test('a sample shifted past the reference range is major drift by both tests', () => {
  const d = featureDrift(
    reference,
    (reference.sortedValues as number[]).map((v) => v + 20),
    SMALL_OK,
  );
  assert.equal(d.statistic, 1);
  assert.ok(d.pValue! < 1e-10);
  assert.ok(d.psi! > 5);
  assert.equal(d.level, 'major');
  assert.equal(d.drifted, true);
});

test('thresholds: PSI bands and how the rules combine', () => {
  const t = DEFAULT_DRIFT_THRESHOLDS;
  assert.equal(psiLevel(0.0999, t), 'none');
  assert.equal(psiLevel(0.1, t), 'moderate');
  assert.equal(psiLevel(0.25, t), 'major');
  assert.equal(isDrifted(0.3, 0.2, t), false, 'both: large PSI on a non-significant window is not drift');
  assert.equal(isDrifted(0.3, 0.01, t), true);
  assert.equal(isDrifted(0.3, 0.2, { ...t, rule: 'psi' }), true);
  assert.equal(isDrifted(0.05, 0.01, { ...t, rule: 'ks' }), true);
  assert.equal(isDrifted(0.05, 0.2, { ...t, rule: 'either' }), false);
  assert.equal(driftShare([{ drifted: true }, { drifted: false }, { drifted: false }, { drifted: false }]), 0.25);
  assert.equal(driftShare([]), undefined);
});

test('below the minimum window PSI, its band and the verdict are left out; KS stays, exact', () => {
  const sample = (reference.sortedValues as number[]).slice(0, 40).map((v) => v + 20);
  const d = featureDrift(reference, sample);
  assert.equal(d.samples, 40);
  assert.equal(d.psi, undefined);
  assert.equal(d.level, undefined);
  assert.equal(d.drifted, undefined);
  assert.equal(d.statistic, 1);
  assert.ok(d.pValue! < 1e-10);
  assert.equal(driftShare([d]), undefined, 'no verdict, no share');
  assert.equal(driftShare([d, { drifted: true }, { drifted: false }]), 0.5, 'the share counts features with a verdict');
  const c = categoricalDrift({ proportions: [0.5, 0.5, 0], count: 1000 }, [10, 0, 0]);
  assert.deepEqual([c.psi, c.statistic, c.pValue, c.drifted], [undefined, undefined, undefined, undefined], 'chi-square waits too');
  assert.equal(categoricalDrift({ proportions: [0.5, 0.5, 0], count: 1000 }, [100, 100, 0]).pValue, 1);
});

test('the one-pass drift of a window equals sorting it: the same D as the merge, the same PSI as binning', () => {
  const random = seededRandom(3);
  for (let round = 0; round < 60; round++) {
    // Values on a coarse grid, so ties within and across the samples are common; sometimes shifted.
    const grid = [0.5, 0.1, 0.01][round % 3]!;
    const draw = (shift: number) => Math.round((random() * 4 - 2 + shift) / grid) * grid;
    const ref = Array.from({ length: 50 + Math.floor(random() * 400) }, () => draw(0)).sort((a, b) => a - b);
    const edges = Array.from({ length: 11 }, (_, i) => ref[Math.round((i / 10) * (ref.length - 1))]!);
    const props = binProportions(ref, edges);
    const window = Array.from({ length: 1 + Math.floor(random() * 600) }, () => draw(round % 4 === 0 ? 0.7 : 0));
    const withGaps = window.flatMap((v, i) => (i % 7 === 0 ? [Number.NaN, v] : [v]));
    const d = numericDrift(prepareReference({ binEdges: edges, binProportions: props, sortedValues: ref }), withGaps, {
      ...DEFAULT_DRIFT_THRESHOLDS,
      minSamples: 1,
    })!;
    const ks = ksTwoSample(window, ref);
    assert.equal(d.samples, window.length);
    assert.equal(d.statistic, ks.statistic, `round ${round}: D`);
    assert.equal(d.pValue, ks.pValue, `round ${round}: p`);
    assert.equal(d.psi, psi(props, binProportions(window, edges)), `round ${round}: PSI`);
  }
});

test('the rank lookup counts the reference values at or below any value, ties and out-of-range ones included', () => {
  const values = [-3, -1, -1, 0, 0, 0, 2.5, 7, 7, 1e9];
  const prepared = prepareReference({ binEdges: [-3, 1e9], binProportions: [1], sortedValues: values });
  for (const v of [-5, -3, -2, -1, -0.5, 0, 1, 2.5, 6.9, 7, 8, 1e9, 2e9]) {
    assert.equal(upperBound(prepared, v), values.filter((x) => x <= v).length, `v=${v}`);
  }
  const flat = prepareReference({ binEdges: [1, 1], binProportions: [1], sortedValues: [1, 1, 1] });
  assert.deepEqual(
    [0, 1, 2].map((v) => upperBound(flat, v)),
    [0, 3, 3],
  );
});
