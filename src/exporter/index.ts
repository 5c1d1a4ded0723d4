// The ML model exporter room: follows the inference event spool and the model
// registry, computes drift and quality on a timer, serves them as metrics.
export { startExporter, type ExporterOptions, type RunningExporter } from './service.js';
export { registerExporterCommands } from './cli.js';
export { DEFAULT_EXPORTER_CONFIG, type ExporterConfig } from './options.js';
export { METRIC } from './conventions.js';
export { CHECKPOINT_FILE } from './checkpoint.js';
