import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binIndex as driftBin, binProportions, psi } from '../../src/drift/index.js';
import { binIndex, featureProfile, quantile } from '../../src/model/profile.js';

test('bin edges are the reference quantiles as they are: a training value on an edge stays in its own bin', () => {
  // Eleven values with 15 significant digits; the ten-bin quantiles fall exactly on them.
  // Rounded to 12 digits the edges were 1.12345678902, 2.12345678902, …: just above the
  // values, each of which then fell into the bin below.
  const values = Array.from({ length: 11 }, (_, i) => i + 0.12345678901789);
  const p = featureProfile(values);
  assert.deepEqual(p.bin_edges, values);
  values.forEach((v, i) => {
    assert.equal(binIndex(p.bin_edges, v), Math.min(i, 9), `registry bin of ${v}`);
    assert.equal(driftBin(v, p.bin_edges), Math.min(i, 9), `exporter bin of ${v}`);
  });
  assert.deepEqual(p.bin_proportions, [...new Array<number>(9).fill(1 / 11), 2 / 11]);
  // So a window holding the training data scores PSI 0 against its own profile.
  assert.equal(psi(p.bin_proportions, binProportions(values, p.bin_edges)), 0);
});

test('a quantile never leaves the two values it lies between', () => {
  const sorted = [0.1, 0.1 + 2 ** -52, 0.30000000000000004, 1e300, 1e300];
  for (let q = 0; q <= 1; q += 1 / 97) {
    const x = quantile(sorted, q);
    const pos = (sorted.length - 1) * q;
    assert.ok(x >= sorted[Math.floor(pos)]! && x <= sorted[Math.ceil(pos)]!, `q=${q}: ${x}`);
  }
});
