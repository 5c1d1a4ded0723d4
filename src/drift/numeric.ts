/** Drift of a numeric feature in one pass over its window, without sorting it.
 *
 * The KS statistic compares the window's empirical CDF with the reference's.
 * Both are step functions, so the supremum of their difference is reached at a
 * data point, and between two consecutive reference values the reference CDF is
 * flat while the window's rises. It is therefore enough to know, for each
 * reference rank u (u reference values ≤ x), how many window values have that
 * rank and how many of them equal the reference value at u: one pass over the
 * window (a rank lookup per value) and one walk over the ranks give D exactly,
 * with the same fractions (count/n − rank/m) scipy subtracts, so the same D bit
 * for bit. The rank lookup is a table of cells over the reference's range and
 * a binary search inside one cell: the window is read once and never copied or
 * sorted, which was most of the cost of a compute round.
 *
 * The same pass bins the window for PSI (the reference's bin edges). */
import { psi } from './psi.js';
import { binIndex } from './binning.js';
import { ksResult } from './ks.js';
import {
  DEFAULT_DRIFT_THRESHOLDS,
  isDrifted,
  psiLevel,
  type DriftThresholds,
  type FeatureDrift,
  type FeatureReference,
} from './verdict.js';

/** A numeric reference with its rank lookup, made once per reference. */
export interface PreparedReference {
  binEdges: readonly number[];
  binProportions: readonly number[];
  /** Sorted ascending, finite. */
  values: Float64Array;
  /** first[c]: how many reference values fall in cells before c (c = 0 … cells). */
  first: Int32Array;
  /** The PSI bin of every value in cell c, or −1 when a bin edge falls in the cell. */
  binOfCell: Int16Array;
  lo: number;
  scale: number;
}

/** Reference values per lookup cell, on average. */
const VALUES_PER_CELL = 4;

export function prepareReference(ref: FeatureReference): PreparedReference {
  const values = ref.sortedValues instanceof Float64Array ? ref.sortedValues : Float64Array.from(ref.sortedValues);
  const m = values.length;
  const cells = Math.max(1, Math.ceil(m / VALUES_PER_CELL));
  const lo = m > 0 ? (values[0] as number) : 0;
  const span = m > 0 ? (values[m - 1] as number) - lo : 0;
  const scale = span > 0 && Number.isFinite(span) ? cells / span : 0;
  const first = new Int32Array(cells + 1);
  const binOfCell = new Int16Array(cells);
  const prepared: PreparedReference = { binEdges: ref.binEdges, binProportions: ref.binProportions, values, first, binOfCell, lo, scale };
  // Count the values per cell, then accumulate: first[c] = values in cells < c.
  for (let i = 0; i < m; i++) {
    const c = cellOf(prepared, values[i] as number, cells);
    first[c + 1]! += 1;
  }
  for (let c = 1; c <= cells; c++) first[c]! += first[c - 1] as number;
  // A value's bin is the number of inner edges at or below it. An edge in an earlier
  // cell is below every value of cell c and one in a later cell above them all (the
  // cell is monotone in the value), so only a cell holding an edge needs the search.
  const inner = ref.binEdges.slice(1, -1);
  let below = 0;
  for (let c = 0; c < cells; c++) {
    let here = false;
    while (below < inner.length && cellOf(prepared, inner[below] as number, cells) < c) below++;
    for (let e = below; e < inner.length && cellOf(prepared, inner[e] as number, cells) === c; e++) here = true;
    binOfCell[c] = here ? -1 : below;
  }
  return prepared;
}

/** The lookup cell of v. Monotone in v (a subtraction and a multiplication by a
 * positive number never reverse an order), which is all the lookup relies on. */
function cellOf(ref: PreparedReference, v: number, cells: number): number {
  const c = Math.floor((v - ref.lo) * ref.scale);
  return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

/** How many reference values are ≤ v. */
export function upperBound(ref: PreparedReference, v: number): number {
  const cells = ref.first.length - 1;
  const c = cellOf(ref, v, cells);
  // Values in earlier cells are below v and those in later cells above it.
  let lo = ref.first[c] as number;
  let hi = ref.first[c + 1] as number;
  const values = ref.values;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Scratch of the rank counts, reused across calls (one compute at a time per thread).
let byRank = new Int32Array(0);
let onValue = new Int32Array(0);

/** Drift of one numeric window (NaN marks a missing value) against a prepared
 * reference; undefined when the window holds no value. The window is only read. */
export function numericDrift(ref: PreparedReference, window: ArrayLike<number>, thresholds: DriftThresholds): FeatureDrift | undefined {
  const values = ref.values;
  const m = values.length;
  if (m === 0) return undefined;
  const k = ref.binEdges.length - 1;
  if (byRank.length < m + 1) {
    byRank = new Int32Array(m + 1);
    onValue = new Int32Array(m + 1);
  } else {
    byRank.fill(0, 0, m + 1);
    onValue.fill(0, 0, m + 1);
  }
  const bins = new Float64Array(k);
  const { first, binOfCell, lo, scale, binEdges } = ref;
  const cells = first.length - 1;
  let n = 0;
  // One pass, the rank lookup and the bin written out here: this loop is most of a compute round.
  for (let i = 0; i < window.length; i++) {
    const v = window[i] as number;
    if (v !== v || v === Infinity || v === -Infinity) continue; // missing (NaN) or not a number
    n++;
    let c = Math.floor((v - lo) * scale);
    c = c < 0 ? 0 : c >= cells ? cells - 1 : c;
    const b = binOfCell[c] as number;
    bins[b >= 0 ? b : binIndex(v, binEdges)]! += 1;
    let a = first[c] as number;
    let z = first[c + 1] as number;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if ((values[mid] as number) <= v) a = mid + 1;
      else z = mid;
    }
    byRank[a]! += 1;
    if (a > 0 && values[a - 1] === v) onValue[a]! += 1;
  }
  if (n === 0) return undefined;

  // D: for each rank u that some x can have (u = m, or the next reference value is
  // larger), the window CDF just before the next reference value and at the
  // reference value itself, against the reference CDF u/m.
  let d = 0;
  let below = 0; // window values of rank < u
  for (let u = 0; u <= m; u++) {
    const inRank = byRank[u] as number;
    if (u > 0 && u < m && values[u] === values[u - 1]) {
      below += inRank; // inside a run of tied reference values: no x has this rank
      continue;
    }
    const through = below + inRank;
    const up = through / n - u / m;
    if (up > d) d = up;
    if (u > 0) {
      const down = u / m - (below + (onValue[u] as number)) / n;
      if (down > d) d = down;
    }
    below = through;
  }

  const ks = ksResult(d, n, m);
  const meaningful = n >= thresholds.minSamples;
  const score = meaningful
    ? psi(
        ref.binProportions,
        Array.from(bins, (c) => c / n),
        { epsilon: thresholds.epsilon },
      )
    : undefined;
  return {
    samples: n,
    test: 'ks',
    statistic: ks.statistic,
    pValue: ks.pValue,
    psi: score,
    level: score === undefined ? undefined : psiLevel(score, thresholds),
    drifted: score === undefined ? undefined : isDrifted(score, ks.pValue, thresholds),
  };
}

/** Drift of one feature's recent values against its training reference (values
 * in any order; non-finite ones are skipped). Prepares the reference on each call:
 * callers comparing many windows with one reference keep a PreparedReference. */
export function featureDrift(
  reference: FeatureReference,
  sample: ArrayLike<number>,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): FeatureDrift {
  const d = numericDrift(prepareReference(reference), sample, thresholds);
  if (!d) throw new RangeError('featureDrift: the sample holds no finite value');
  return d;
}
