import { MlmonError } from '../errors.js';
import { DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds } from '../drift/index.js';

/** Everything the exporter can be told, with the defaults documented in docs/ARCHITECTURE.md, "ML model exporter". */
export interface ExporterConfig {
  /** Most recent predictions of the active version kept per model for drift. */
  windowSize: number;
  /** How often drift and quality are recomputed (off the scrape path). */
  computeIntervalMs: number;
  /** How often the spool is polled for new events. */
  pollIntervalMs: number;
  /** How often state is checkpointed while events flow (always on shutdown too). */
  checkpointIntervalMs: number;
  /** How often the drift windows are saved with it (always on shutdown too): they
   * are most of the state, and the events since are replayed into them after a restart. */
  windowCheckpointIntervalMs: number;
  /** Events read from the spool per batch. */
  batchSize: number;
  thresholds: DriftThresholds;
  /** Accuracy windows by label time: label value → length in ms. */
  accuracyWindows: { label: string; ms: number }[];
  /** Predictions awaiting a label: at most this many are kept (oldest go first)… */
  pendingMax: number;
  /** …and none longer than this after its prediction (per model in the tuning file: label_ttl). */
  pendingTtlMs: number;
  /** Labels that arrive before their prediction has been read are held for it: at most this many per model
   * (the oldest go first)… */
  earlyLabelMax: number;
  /** …and none longer than this (event time) after it arrived. */
  earlyLabelTtlMs: number;
  /** The per-model tuning file (config/models.yaml); none: every model uses the values above. */
  tuningFile?: string;
  /** A version's drift window is dropped once it received no prediction for this
   * long (event time), so a retired version stops reporting drift. */
  versionIdleMs: number;
  /** At most this many versions of one model keep a drift window (the least recently used go first). */
  maxWindowsPerModel: number;
}

export const DEFAULT_EXPORTER_CONFIG: Readonly<ExporterConfig> = Object.freeze({
  windowSize: 1000,
  computeIntervalMs: 5000,
  pollIntervalMs: 500,
  checkpointIntervalMs: 5000,
  windowCheckpointIntervalMs: 60_000,
  batchSize: 5000,
  thresholds: DEFAULT_DRIFT_THRESHOLDS,
  accuracyWindows: [
    { label: '1h', ms: 3_600_000 },
    { label: '1d', ms: 86_400_000 },
  ],
  pendingMax: 100_000,
  pendingTtlMs: 7 * 86_400_000,
  earlyLabelMax: 1000,
  earlyLabelTtlMs: 10 * 60_000,
  versionIdleMs: 86_400_000,
  maxWindowsPerModel: 5,
});

export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new MlmonError('bad_number', `${what} must be a whole number (0 or more), got "${text}"`);
  }
  return n;
}

export function parsePositiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MlmonError('bad_number', `${what} must be a whole number above zero, got "${text}"`);
  }
  return n;
}
