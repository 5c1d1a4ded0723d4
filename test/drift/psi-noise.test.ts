import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DRIFT_THRESHOLDS, DEFAULT_MIN_SAMPLES, psi } from '../../src/drift/index.js';
import { seededRandom } from '../../src/model/random.js';

// PSI of windows drawn from the reference's own distribution (ten bins of 10%,
// as the registry's quantile bins are): what a window scores with no drift at all.
function nullPsi(n: number, trials: number, seed: number): number[] {
  const random = seededRandom(seed);
  const reference = new Array<number>(10).fill(0.1);
  const out: number[] = [];
  for (let t = 0; t < trials; t++) {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(random() * 10)]! += 1;
    out.push(
      psi(
        reference,
        counts.map((c) => c / n),
        { epsilon: DEFAULT_DRIFT_THRESHOLDS.epsilon },
      ),
    );
  }
  return out.sort((a, b) => a - b);
}

test('at the minimum window a window with no drift stays clear of the major PSI threshold', () => {
  const scores = nullPsi(DEFAULT_MIN_SAMPLES, 20_000, 1);
  const p99 = scores[Math.floor(0.99 * scores.length)]!;
  // χ²₉/n: 99th percentile 21.67/200 = 0.108.
  assert.ok(p99 > 0.09 && p99 < 0.13, `99th percentile ${p99}`);
  assert.equal(scores.filter((s) => s >= DEFAULT_DRIFT_THRESHOLDS.psiMajor).length, 0, 'none of 20,000 windows reaches 0.25');
});

test('a 5-value window scores as major drift against its own distribution: why small windows get no PSI', () => {
  const scores = nullPsi(5, 2000, 2);
  // At least five of the ten bins are empty, each adding (0.1 − ε)·ln(0.1/ε) ≈ 0.69.
  assert.ok(scores[0]! > 3, `smallest ${scores[0]}`);
  assert.ok(scores[0]! >= DEFAULT_DRIFT_THRESHOLDS.psiMajor);
});
