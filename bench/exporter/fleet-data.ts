// The synthetic fleet the exporter benches measure: N models of 50 features
// (every fifth categorical), three classes, a reference of 1,000 rows each, and
// a deterministic stream of prediction events per model. The same seed gives
// the same registry and the same events, so two builds (or NumPy/SciPy) see the
// same windows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { categoricalProfile, featureProfile } from '../../src/model/profile.js';
import { seededRandom } from '../../src/model/random.js';
import type { ModelMetadata } from '../../src/model/index.js';

export const CLASSES = ['a', 'b', 'c'];
export const CATEGORIES = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'];
export const REFERENCE_ROWS = 1000;
/** Every fifth feature is categorical: 40 numeric and 10 categorical of 50. */
export const isCategorical = (k: number): boolean => k % 5 === 4;

export const modelName = (m: number): string => `model${String(m).padStart(3, '0')}`;
export const featureNames = (features: number): string[] => Array.from({ length: features }, (_, i) => `f${String(i).padStart(2, '0')}`);

/** Six significant digits: what a service typically sends, and a smaller request body. */
const round6 = (x: number): number => Number(x.toPrecision(6));

function normalOf(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function fleetMetadata(m: number, features: number): ModelMetadata {
  const random = seededRandom(1000 + m);
  const normal = normalOf(random);
  const names = featureNames(features);
  const ref: ModelMetadata['reference']['features'] = {};
  names.forEach((f, k) => {
    if (isCategorical(k)) {
      ref[f] = categoricalProfile(
        Array.from({ length: REFERENCE_ROWS }, () => CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string),
      );
    } else {
      ref[f] = { type: 'numeric', ...featureProfile(Array.from({ length: REFERENCE_ROWS }, () => round6(normal()))) };
    }
  });
  return {
    model: modelName(m),
    version: 'v1',
    kind: 'classification',
    trained_at: new Date(0).toISOString(),
    trained_at_unix: Math.floor(Date.now() / 1000),
    training_data: { source: 'synthetic', fingerprint: 'sha256:0', rows: REFERENCE_ROWS, heldout_rows: 0 },
    features: names,
    classes: CLASSES,
    heldout_accuracy: 0.9,
    reference: { features: ref, class_mix: { a: 1 / 3, b: 1 / 3, c: 1 / 3 } },
  };
}

/** Write N models into `<registryDir>` the way the registry lays them out. */
export function writeFleetRegistry(registryDir: string, models: number, features: number): ModelMetadata[] {
  const metas: ModelMetadata[] = [];
  for (let m = 0; m < models; m++) {
    const md = fleetMetadata(m, features);
    mkdirSync(join(registryDir, md.model, 'v1'), { recursive: true });
    writeFileSync(join(registryDir, md.model, 'v1', 'metadata.json'), JSON.stringify(md));
    writeFileSync(join(registryDir, md.model, 'CURRENT'), 'v1\n');
    metas.push(md);
  }
  return metas;
}

export interface IngestItem {
  model: string;
  version: string;
  id: string;
  features: Record<string, number | string>;
  prediction: string;
}

/** Model m's events, in order: the i-th call gives its i-th event. Numeric
 * features are drawn from the reference's own distribution (no drift). */
export function eventStream(m: number, features: number, seed = 1): () => IngestItem {
  const random = seededRandom(seed * 7919 + m);
  const normal = normalOf(random);
  const names = featureNames(features);
  const model = modelName(m);
  let i = 0;
  return () => {
    const f: Record<string, number | string> = {};
    names.forEach((name, k) => {
      f[name] = isCategorical(k) ? (CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string) : round6(normal());
    });
    const n = i++;
    return { model, version: 'v1', id: `${model}-${seed}-${n}`, features: f, prediction: CLASSES[n % 3] as string };
  };
}
