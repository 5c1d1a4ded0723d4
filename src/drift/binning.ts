/** Binning of a numeric sample by the reference's bin edges.
 *
 * `edges` = [e0, e1, …, ek] describe k bins. Bin i holds values in [e_i, e_{i+1});
 * the last bin is closed, [e_{k-1}, e_k], so the reference maximum lands in it.
 * Values below e0 count in the first bin and values above e_k in the last one:
 * out-of-range data is drift and must move the distribution (it is also counted
 * on its own by the exporter's out-of-range counter). Non-finite values are skipped.
 */
export function binCounts(values: Iterable<number>, edges: readonly number[]): { counts: number[]; total: number } {
  const k = edges.length - 1;
  if (k < 1) throw new RangeError(`binCounts: need at least 2 edges, got ${edges.length}`);
  const counts = new Array<number>(k).fill(0);
  let total = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const i = binIndex(v, edges);
    counts[i] = (counts[i] ?? 0) + 1;
    total++;
  }
  return { counts, total };
}

/** Proportions per bin; all zero for an empty sample. */
export function binProportions(values: Iterable<number>, edges: readonly number[]): number[] {
  const { counts, total } = binCounts(values, edges);
  return total === 0 ? counts : counts.map((c) => c / total);
}

/** Index of the bin holding `v` (binary search: the edges are sorted ascending). */
export function binIndex(v: number, edges: readonly number[]): number {
  const k = edges.length - 1;
  // Find the last edge e_i with e_i <= v among e_0..e_{k-1}; below e0 falls into bin 0.
  let lo = 0;
  let hi = k - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((edges[mid] as number) <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
