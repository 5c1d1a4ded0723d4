import { psi, type PsiOptions } from './psi.js';

/** PSI of a categorical sample (counts per category) against a reference mix
 * (proportions per category, e.g. the training class mix).
 *
 * Categories are the reference's, in its order, plus any category seen only in
 * the sample (reference proportion 0, so the ε rule of `psi` applies). The
 * reference mix is renormalised to sum to 1 in case it was rounded when stored.
 * Throws on an empty sample: a PSI of nothing is not 0, it is unknown. */
export function categoricalPsi(
  referenceMix: Readonly<Record<string, number>>,
  sampleCounts: Readonly<Record<string, number>>,
  opts: PsiOptions = {},
): number {
  const categories = [...Object.keys(referenceMix)];
  for (const c of Object.keys(sampleCounts)) if (!(c in referenceMix)) categories.push(c);
  const refTotal = categories.reduce((s, c) => s + (referenceMix[c] ?? 0), 0);
  const sampleTotal = categories.reduce((s, c) => s + (sampleCounts[c] ?? 0), 0);
  if (!(refTotal > 0)) throw new RangeError('categoricalPsi: the reference mix is empty');
  if (!(sampleTotal > 0)) throw new RangeError('categoricalPsi: the sample is empty');
  return psi(
    categories.map((c) => (referenceMix[c] ?? 0) / refTotal),
    categories.map((c) => (sampleCounts[c] ?? 0) / sampleTotal),
    opts,
  );
}
