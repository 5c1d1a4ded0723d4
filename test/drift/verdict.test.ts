import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DRIFT_THRESHOLDS, driftShare, featureDrift, isDrifted, psiLevel } from '../../src/drift/index.js';

const reference = (() => {
  // 100 training values 0.0 … 9.9, ten equal bins of width 1: 10% each.
  const values = Array.from({ length: 100 }, (_, i) => i / 10);
  return { binEdges: Array.from({ length: 11 }, (_, i) => i * (9.9 / 10)), binProportions: new Array(10).fill(0.1), sortedValues: values };
})();

test('a sample drawn like the reference is not drifted', () => {
  const d = featureDrift(reference, reference.sortedValues as number[]);
  assert.equal(d.statistic, 0);
  assert.equal(d.pValue, 1);
  assert.ok(d.psi < 0.01, `psi ${d.psi}`);
  assert.equal(d.level, 'none');
  assert.equal(d.drifted, false);
});

test('a sample shifted past the reference range is major drift by both tests', () => {
  const d = featureDrift(
    reference,
    (reference.sortedValues as number[]).map((v) => v + 20),
  );
  assert.equal(d.statistic, 1);
  assert.ok(d.pValue < 1e-10);
  assert.ok(d.psi > 5);
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
