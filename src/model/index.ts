// The model room: training, the versioned registry on disk, and loading a model for serving.
export { trainModel, loadCurrentModel, loadModelVersion, ensureModel, DEFAULT_SEED } from './train.js';
export type { LoadedModel, TrainOptions } from './train.js';
export { readMetadata, listModels, listVersions, readCurrentVersion } from './registry.js';
export type { ModelMetadata, ModelListing } from './registry.js';
export type { FeatureProfile, ReferenceProfile } from './profile.js';
export { binIndex } from './profile.js';
export type { Prediction } from './forest.js';
export { DEFAULT_MODEL, IRIS_FEATURES, IRIS_CLASSES } from './schema.js';
export type { IrisFeature, IrisClass } from './schema.js';
export { irisRows } from './dataset.js';
export type { LabelledRow } from './dataset.js';
export { runTraining } from './run.js';
export type { TrainingOutcome } from './run.js';
export { pushTrainingRun, renderTrainingMetrics, TRAINING_JOB } from './push.js';
export { registerTrainCommand } from './cli.js';
