/** Every metric name, fixed label value and bucket layout of the exporter, in one
 * place. The names are the contract with the alerting rules and the console. */
export const METRIC = {
  modelInfo: 'ml_model_info',
  lastTrained: 'ml_model_last_trained_timestamp_seconds',
  referenceAccuracy: 'ml_model_reference_accuracy',
  referenceMae: 'ml_model_reference_mae',
  referenceRmse: 'ml_model_reference_rmse',
  lastModelEvent: 'ml_model_last_event_timestamp_seconds',
  predictions: 'ml_predictions_total',
  predictionDrift: 'ml_prediction_drift_score',
  featureDrift: 'ml_feature_drift_score',
  featureDriftPValue: 'ml_feature_drift_p_value',
  datasetDriftShare: 'ml_dataset_drift_share',
  windowSamples: 'ml_drift_window_samples',
  driftThreshold: 'ml_drift_threshold',
  alertThreshold: 'ml_alert_threshold',
  featureValues: 'ml_feature_values_total',
  featureMissing: 'ml_feature_missing_total',
  featureOutOfRange: 'ml_feature_out_of_range_total',
  featureUnknown: 'ml_feature_unknown_total',
  accuracy: 'ml_model_accuracy',
  mae: 'ml_model_mae',
  rmse: 'ml_model_rmse',
  qualitySamples: 'ml_model_quality_samples',
  groundTruthReceived: 'ml_ground_truth_received_total',
  groundTruthUnknown: 'ml_ground_truth_unknown_total',
  groundTruthExpired: 'ml_ground_truth_expired_total',
  groundTruthPending: 'ml_ground_truth_pending',
  groundTruthEarly: 'ml_ground_truth_early_labels',
  groundTruthEarlyEvicted: 'ml_ground_truth_early_evicted_total',
  groundTruthDelay: 'ml_ground_truth_delay_seconds',
  eventsProcessed: 'ml_exporter_events_processed_total',
  eventsIgnored: 'ml_exporter_events_ignored_total',
  eventsFutureClamped: 'ml_exporter_events_future_timestamp_total',
  errors: 'ml_exporter_errors_total',
  computeDuration: 'ml_exporter_compute_duration_seconds',
  lastCompute: 'ml_exporter_last_compute_timestamp_seconds',
  lastEvent: 'ml_exporter_last_event_timestamp_seconds',
  eventLag: 'ml_exporter_event_lag_seconds',
  lastCheckpoint: 'ml_exporter_last_checkpoint_timestamp_seconds',
  ingestAccepted: 'ml_ingest_events_accepted_total',
  ingestRejected: 'ml_ingest_events_rejected_total',
} as const;

/** The `threshold` label values of ml_alert_threshold: what the model-quality alerts compare against. */
export const ALERT_THRESHOLDS = [
  'min_window_samples',
  'accuracy_drop',
  'error_increase',
  'min_quality_samples',
  'stale_seconds',
  'no_events_seconds',
] as const;

/** Endpoints of the ingest API (the `endpoint` label of its counters). */
export const INGEST_ENDPOINTS = ['events', 'feedback'] as const;
export type IngestEndpoint = (typeof INGEST_ENDPOINTS)[number];

/** Why the ingest API refused one event or label: a fixed set, so a flood of bad
 * values adds no series. */
export const INGEST_REJECT_REASONS = [
  'not_an_object',
  'unknown_model',
  'unknown_version',
  'missing_id',
  'bad_timestamp',
  'bad_features',
  'non_numeric_value',
  'bad_prediction',
  'bad_scores',
  'bad_label',
] as const;
export type IngestRejectReason = (typeof INGEST_REJECT_REASONS)[number];

/** File of the ingest API's bearer token in <data>/secrets/. */
export const EXPORTER_TOKEN_FILE = 'exporter-token';
/** Environment variable holding the token instead of the file (defined with the client). */
export { EXPORTER_TOKEN_ENV } from '../client/index.js';

/** Label value for anything an event names that the registry does not know
 * (a version, a class): counted, never turned into a new series. */
export const UNKNOWN = 'unknown';

/** Why an event was not counted against a model. */
export const IGNORE_REASONS = ['unknown_model', 'malformed'] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

/** Why a label held for its prediction left the early-label buffer unmatched
 * (`ml_ground_truth_early_evicted_total{reason}`): held past its TTL, or pushed
 * out by newer ones over the per-model cap. */
export const EARLY_EVICTION_REASONS = ['expired', 'overflow'] as const;
export type EarlyEvictionReason = (typeof EARLY_EVICTION_REASONS)[number];

/** Stages of `ml_exporter_errors_total{stage}`. */
export const ERROR_STAGES = ['read', 'decode', 'registry', 'compute', 'checkpoint', 'tuning'] as const;
export type ErrorStage = (typeof ERROR_STAGES)[number];

/** Labels arrive seconds (interactive feedback) to days (human review) after the prediction. */
export const GROUND_TRUTH_DELAY_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800];

export const COMPUTE_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The exporter's checkpoint in its state folder (<data>/exporter/). */
export const CHECKPOINT_FILE = 'state.json';
