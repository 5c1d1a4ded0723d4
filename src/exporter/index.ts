// The ML model exporter room: follows the inference event spool and the model
// registry, computes drift and quality on a timer, serves them as metrics.
import type { ExporterOptions, RunningExporter } from './service.js';
export type { ExporterOptions, RunningExporter } from './service.js';

/** Start the exporter. Its service (and its threads) load here, on first use: the
 * rooms that only need its metric names or constants never load them. */
export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  return (await import('./service.js')).startExporter(opts);
}
export { registerExporterCommands } from './cli.js';
export { DEFAULT_EXPORTER_CONFIG, type ExporterConfig } from './options.js';
export { METRIC, EXPORTER_TOKEN_FILE, EXPORTER_TOKEN_ENV, INGEST_REJECT_REASONS, ALERT_THRESHOLDS, UNKNOWN } from './conventions.js';
export { MODEL_TUNING_FILE, parseTuning, loadTuning, TUNING_KEYS } from './tuning.js';
export type { ModelTuning, TuningFile } from './tuning.js';
export { MAX_BATCH as MAX_INGEST_BATCH } from './ingest.js';
export { CHECKPOINT_FILE } from './conventions.js';
