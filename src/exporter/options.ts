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
  /** Events read from the spool per batch. */
  batchSize: number;
  thresholds: DriftThresholds;
  /** Accuracy windows by label time: label value → length in ms. */
  accuracyWindows: { label: string; ms: number }[];
  /** Predictions awaiting a label: at most this many are kept (oldest go first)… */
  pendingMax: number;
  /** …and none longer than this after its prediction. */
  pendingTtlMs: number;
}

export const DEFAULT_EXPORTER_CONFIG: Readonly<ExporterConfig> = Object.freeze({
  windowSize: 1000,
  computeIntervalMs: 5000,
  pollIntervalMs: 500,
  checkpointIntervalMs: 5000,
  batchSize: 5000,
  thresholds: DEFAULT_DRIFT_THRESHOLDS,
  accuracyWindows: [
    { label: '1h', ms: 3_600_000 },
    { label: '1d', ms: 86_400_000 },
  ],
  pendingMax: 100_000,
  pendingTtlMs: 7 * 86_400_000,
});

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `1m`, `1h`, `1d` (a bare number is seconds, as in Prometheus flags). */
export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) {
    throw new MlmonError('bad_duration', `${what} "${text}" is not a duration`, {
      hint: 'Use a number with a unit: 500ms, 5s, 1m, 1h or 1d.',
    });
  }
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  if (!(ms > 0)) throw new MlmonError('bad_duration', `${what} must be above zero, got "${text}"`);
  return ms;
}

export function parsePositiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MlmonError('bad_number', `${what} must be a whole number above zero, got "${text}"`);
  }
  return n;
}
