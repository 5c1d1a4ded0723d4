import { z } from 'zod';
import type { Catalog } from './catalog.js';
import { LabelledCounts } from './counts.js';
import { GROUND_TRUTH_DELAY_BUCKETS, UNKNOWN, type ErrorStage, type IgnoreReason } from './conventions.js';
import { emptyHistogram, observe, type HistogramData } from '../metrics/index.js';
import type { ExporterConfig } from './options.js';
import { PredictionWindow } from './window.js';

/** Where the exporter stands in the event spool (same shape as the spool's reader position). */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface PendingPrediction {
  model: string;
  version: string;
  prediction: string;
  ts: number;
}

/** Everything that must survive a restart, checkpointed together with the spool
 * position it reflects: replaying from `position` onto this state gives the
 * same result as never having stopped. */
export interface ExporterState {
  position: SpoolPosition;
  /** Newest event time seen (unix ms); pending labels expire against it, so a
   * replay after a restart expires exactly what the first run did. */
  lastEventTs: number;
  counters: {
    eventsProcessed: LabelledCounts; // []
    eventsIgnored: LabelledCounts; // [reason]
    eventsFutureClamped: LabelledCounts; // []
    predictions: LabelledCounts; // [model, version, class]
    featureValues: LabelledCounts; // [model, feature]
    featureMissing: LabelledCounts; // [model, feature]
    featureOutOfRange: LabelledCounts; // [model, feature]
    featureUnknown: LabelledCounts; // [model]
    groundTruthReceived: LabelledCounts; // [model, version]
    groundTruthUnknown: LabelledCounts; // []
    groundTruthExpired: LabelledCounts; // [model]
    errors: LabelledCounts; // [stage]
  };
  /** Label delay per model. */
  delay: Map<string, HistogramData>;
  /** Predictions awaiting a label, oldest first (Map keeps insertion order). */
  pending: Map<string, PendingPrediction>;
  pendingByModel: Map<string, number>;
  windows: Map<string, PredictionWindow>;
  /** Labelled outcomes per model/version per minute of label time: [correct, total]. */
  outcomes: Map<string, Map<number, [number, number]>>;
}

export function emptyState(): ExporterState {
  return {
    position: { segment: 0, offset: 0 },
    lastEventTs: 0,
    counters: {
      eventsProcessed: new LabelledCounts(),
      eventsIgnored: new LabelledCounts(),
      eventsFutureClamped: new LabelledCounts(),
      predictions: new LabelledCounts(),
      featureValues: new LabelledCounts(),
      featureMissing: new LabelledCounts(),
      featureOutOfRange: new LabelledCounts(),
      featureUnknown: new LabelledCounts(),
      groundTruthReceived: new LabelledCounts(),
      groundTruthUnknown: new LabelledCounts(),
      groundTruthExpired: new LabelledCounts(),
      errors: new LabelledCounts(),
    },
    delay: new Map(),
    pending: new Map(),
    pendingByModel: new Map(),
    windows: new Map(),
    outcomes: new Map(),
  };
}

export function countError(state: ExporterState, stage: ErrorStage, by = 1): void {
  state.counters.errors.inc([stage], by);
}

// The event contract of the gateway's spool, checked here because a spool is a
// file anyone can append to: a bad line is counted, never fatal.
const predictionEvent = z.object({
  type: z.literal('prediction'),
  id: z.string().min(1),
  ts: z.number(),
  model: z.string().min(1),
  version: z.string(),
  // Values are checked one by one when counted: a non-number is a missing value, not
  // a bad event. (A per-key zod record check was half of the ingest cost.)
  features: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  prediction: z.string(),
});
const feedbackEvent = z.object({
  type: z.literal('feedback'),
  id: z.string().min(1),
  ts: z.number(),
  label: z.string(),
});
const inferenceEvent = z.discriminatedUnion('type', [predictionEvent, feedbackEvent]);
type PredictionEvent = z.infer<typeof predictionEvent>;
type FeedbackEvent = z.infer<typeof feedbackEvent>;

const MINUTE_MS = 60_000;
export const outcomeKey = (model: string, version: string): string => `${model}\u001f${version}`;

/** Models named by prediction events of a batch, to refresh the catalog before
 * counting events of a model trained since the last refresh as unknown. */
export function modelsNamedIn(events: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    const m = (e as { model?: unknown } | null)?.model;
    if (typeof m === 'string') out.add(m);
  }
  return out;
}

/** How far ahead of this machine's clock an event may be stamped (clock skew between hosts). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Fold a batch of spool events into the state. Deterministic: the same events on
 * the same state and catalog give the same state. */
export function applyEvents(
  state: ExporterState,
  events: readonly unknown[],
  catalog: Catalog,
  config: Pick<ExporterConfig, 'windowSize' | 'pendingMax' | 'pendingTtlMs'>,
  nowMs: number = Date.now(),
): void {
  // An event stamped in the future (a wrong clock, or a forged event) would
  // become the newest event time and expire every pending prediction against
  // it, for good (it is checkpointed): its time is taken as now, and counted.
  const latest = nowMs + FUTURE_TOLERANCE_MS;
  for (const raw of events) {
    state.counters.eventsProcessed.inc([]);
    const parsed = inferenceEvent.safeParse(raw);
    if (!parsed.success) {
      ignore(state, 'malformed');
      continue;
    }
    const event = parsed.data;
    if (event.ts > latest) {
      state.counters.eventsFutureClamped.inc([]);
      event.ts = nowMs;
    }
    if (event.ts > state.lastEventTs) state.lastEventTs = event.ts;
    if (event.type === 'prediction') applyPrediction(state, event, catalog, config.windowSize);
    else applyFeedback(state, event);
  }
  expirePending(state, config.pendingMax, config.pendingTtlMs);
}

function ignore(state: ExporterState, reason: IgnoreReason): void {
  state.counters.eventsIgnored.inc([reason]);
}

function applyPrediction(state: ExporterState, e: PredictionEvent, catalog: Catalog, windowSize: number): void {
  const entry = catalog.models.get(e.model);
  if (!entry) {
    ignore(state, 'unknown_model');
    return;
  }
  const c = state.counters;
  const version = entry.versions.includes(e.version) ? e.version : UNKNOWN;
  const cls = entry.classes.includes(e.prediction) ? e.prediction : UNKNOWN;
  c.predictions.inc([e.model, version, cls]);

  const values: number[] = [];
  entry.features.forEach((feature, i) => {
    const key = entry.featureKeys[i] as string;
    const v = e.features[feature];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      c.featureMissing.incKey(key);
      values.push(Number.NaN);
      return;
    }
    c.featureValues.incKey(key);
    const range = entry.references.get(feature);
    if (range && (v < range.min || v > range.max)) c.featureOutOfRange.incKey(key);
    values.push(v);
  });
  for (const name in e.features) if (!entry.featureSet.has(name)) c.featureUnknown.inc([e.model]);

  // Drift compares against the active version's reference, so only its predictions
  // enter the window; a new active version starts a fresh window.
  if (version === entry.active) {
    let w = state.windows.get(e.model);
    if (!w || w.version !== entry.active || w.capacity !== windowSize || !sameList(w.features, entry.features)) {
      w = new PredictionWindow(entry.active, entry.features, windowSize);
      state.windows.set(e.model, w);
    }
    w.push(values, cls);
  }

  if (state.pending.has(e.id)) return; // a replayed id keeps its first prediction
  state.pending.set(e.id, { model: e.model, version, prediction: e.prediction, ts: e.ts });
  state.pendingByModel.set(e.model, (state.pendingByModel.get(e.model) ?? 0) + 1);
}

function applyFeedback(state: ExporterState, e: FeedbackEvent): void {
  const p = state.pending.get(e.id);
  if (!p) {
    // Unknown, expired or already labelled: counted, not crashed on.
    state.counters.groundTruthUnknown.inc([]);
    return;
  }
  dropPending(state, e.id, p);
  state.counters.groundTruthReceived.inc([p.model, p.version]);
  let h = state.delay.get(p.model);
  if (!h) {
    h = emptyHistogram(GROUND_TRUTH_DELAY_BUCKETS);
    state.delay.set(p.model, h);
  }
  observe(h, Math.max(0, (e.ts - p.ts) / 1000));
  const key = outcomeKey(p.model, p.version);
  let minutes = state.outcomes.get(key);
  if (!minutes) {
    minutes = new Map();
    state.outcomes.set(key, minutes);
  }
  const minute = Math.floor(e.ts / MINUTE_MS);
  const cell = minutes.get(minute) ?? [0, 0];
  if (e.label === p.prediction) cell[0]++;
  cell[1]++;
  minutes.set(minute, cell);
}

function dropPending(state: ExporterState, id: string, p: PendingPrediction): void {
  state.pending.delete(id);
  state.pendingByModel.set(p.model, Math.max(0, (state.pendingByModel.get(p.model) ?? 1) - 1));
}

/** Bound the pending set: oldest first, by count and by age against the newest event. */
function expirePending(state: ExporterState, max: number, ttlMs: number): void {
  const cutoff = state.lastEventTs - ttlMs;
  for (const [id, p] of state.pending) {
    if (state.pending.size <= max && p.ts >= cutoff) break;
    dropPending(state, id, p);
    state.counters.groundTruthExpired.inc([p.model]);
  }
}

/** Forget outcome minutes older than the longest accuracy window. */
export function trimOutcomes(state: ExporterState, nowMs: number, longestWindowMs: number): void {
  const oldest = Math.floor((nowMs - longestWindowMs) / MINUTE_MS);
  for (const minutes of state.outcomes.values()) for (const m of minutes.keys()) if (m < oldest) minutes.delete(m);
}

/** Accuracy of one model/version over labels received in the last `windowMs`
 * (minute resolution: the window may reach up to a minute further back). */
export function windowOutcome(
  state: ExporterState,
  model: string,
  version: string,
  nowMs: number,
  windowMs: number,
): { correct: number; total: number } {
  const minutes = state.outcomes.get(outcomeKey(model, version));
  let correct = 0;
  let total = 0;
  if (minutes) {
    const first = Math.floor((nowMs - windowMs) / MINUTE_MS);
    for (const [m, [c, t]] of minutes) {
      if (m >= first) {
        correct += c;
        total += t;
      }
    }
  }
  return { correct, total };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
