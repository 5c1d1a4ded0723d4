import { z } from 'zod';
import { versionKey, type Catalog, type CatalogVersion } from './catalog.js';
import { LabelledCounts } from './counts.js';
import { GROUND_TRUTH_DELAY_BUCKETS, UNKNOWN, type EarlyEvictionReason, type ErrorStage, type IgnoreReason } from './conventions.js';
import { emptyHistogram, observe, type HistogramData } from '../metrics/index.js';
import type { ExporterConfig } from './options.js';
import type { ModelTuning } from './tuning.js';
import { PredictionWindow } from './window.js';

/** Where the exporter stands in one stream of the event spool (the spool reader's position shape). */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** The streams the exporter follows: the gateway's spool and the ingest API's. */
export interface SpoolPositions {
  gateway: SpoolPosition;
  ingest: SpoolPosition;
}

export interface PendingPrediction {
  model: string;
  version: string;
  prediction: string | number;
  ts: number;
}

/** A ground-truth label that arrived before its prediction was read. */
export interface EarlyLabel {
  label: string | number;
  /** The label's own time (unix ms): its outcome minute once matched. */
  ts: number;
  /** The newest event time when it arrived: its TTL runs from here, so a replay evicts what the first run did. */
  heldAt: number;
}

/** Labelled outcomes of one model version in one minute: classification
 * [correct, 0, labelled]; regression [Σ|error|, Σerror², labelled]. */
export type Outcome = [number, number, number];

/** Everything that must survive a restart, checkpointed together with the spool
 * positions it reflects: replaying from them onto this state gives the same
 * result as never having stopped. */
export interface ExporterState {
  positions: SpoolPositions;
  /** Newest event time seen (unix ms); pending labels expire against it, so a
   * replay after a restart expires exactly what the first run did. */
  lastEventTs: number;
  /** Newest prediction time per model (unix ms), for the no-events alert. */
  lastEventTsByModel: Map<string, number>;
  counters: {
    eventsProcessed: LabelledCounts; // []
    eventsIgnored: LabelledCounts; // [reason]
    eventsFutureClamped: LabelledCounts; // []
    predictions: LabelledCounts; // [model, version, class] (classification) | [model, version] (regression)
    featureValues: LabelledCounts; // [model, feature]
    featureMissing: LabelledCounts; // [model, feature]
    featureOutOfRange: LabelledCounts; // [model, feature]
    featureUnknown: LabelledCounts; // [model]
    groundTruthReceived: LabelledCounts; // [model, version]
    groundTruthUnknown: LabelledCounts; // []
    groundTruthExpired: LabelledCounts; // [model]
    groundTruthEarlyEvicted: LabelledCounts; // [model, reason]
    errors: LabelledCounts; // [stage]
    ingestAccepted: LabelledCounts; // [endpoint]
    ingestRejected: LabelledCounts; // [endpoint, reason]
  };
  /** Label delay per model. */
  delay: Map<string, HistogramData>;
  /** Predictions awaiting a label, oldest first (Map keeps insertion order). */
  pending: Map<string, PendingPrediction>;
  pendingByModel: Map<string, number>;
  /** Labels waiting for their prediction, per model, by request id, oldest first. */
  earlyLabels: Map<string, Map<string, EarlyLabel>>;
  /** Drift windows by model/version key. */
  windows: Map<string, PredictionWindow>;
  /** Labelled outcomes per model/version key per minute of label time. */
  outcomes: Map<string, Map<number, Outcome>>;
}

export function emptyState(): ExporterState {
  return {
    positions: { gateway: { segment: 0, offset: 0 }, ingest: { segment: 0, offset: 0 } },
    lastEventTs: 0,
    lastEventTsByModel: new Map(),
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
      groundTruthEarlyEvicted: new LabelledCounts(),
      errors: new LabelledCounts(),
      ingestAccepted: new LabelledCounts(),
      ingestRejected: new LabelledCounts(),
    },
    delay: new Map(),
    pending: new Map(),
    pendingByModel: new Map(),
    earlyLabels: new Map(),
    windows: new Map(),
    outcomes: new Map(),
  };
}

export function countError(state: ExporterState, stage: ErrorStage, by = 1): void {
  state.counters.errors.inc([stage], by);
}

// The event contract of the spool, checked here because a spool is a file anyone
// can append to: a bad line is counted, never fatal.
const predictionEvent = z.object({
  type: z.literal('prediction'),
  id: z.string().min(1),
  ts: z.number(),
  model: z.string().min(1),
  version: z.string(),
  // Values are checked one by one when counted: a value of the wrong kind is a missing
  // value, not a bad event. (A per-key zod record check was half of the ingest cost.)
  features: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  prediction: z.union([z.string(), z.number()]),
});
const feedbackEvent = z.object({
  type: z.literal('feedback'),
  id: z.string().min(1),
  ts: z.number(),
  label: z.union([z.string(), z.number()]),
  // Written by the gateway and the ingest API; a line without it cannot be held for a later prediction.
  model: z.string().optional(),
});
const inferenceEvent = z.discriminatedUnion('type', [predictionEvent, feedbackEvent]);
type PredictionEvent = z.infer<typeof predictionEvent>;
type FeedbackEvent = z.infer<typeof feedbackEvent>;

const MINUTE_MS = 60_000;

/** Model/version keys named by prediction events of a batch, so the catalog can
 * load those versions (and notice new models) before the batch is counted. */
export function versionsNamedIn(events: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    const m = (e as { model?: unknown } | null)?.model;
    const v = (e as { version?: unknown } | null)?.version;
    if (typeof m === 'string' && typeof v === 'string') out.add(versionKey(m, v));
  }
  return out;
}

/** How far ahead of this machine's clock an event may be stamped (clock skew between hosts). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export type ApplyConfig = Pick<
  ExporterConfig,
  'pendingMax' | 'maxWindowsPerModel' | 'versionIdleMs' | 'earlyLabelMax' | 'earlyLabelTtlMs'
> & {
  tuning: (model: string) => Pick<ModelTuning, 'windowSize' | 'labelTtlMs'>;
};

/** Fold a batch of spool events into the state. Deterministic: the same events on
 * the same state and catalog give the same state. */
export function applyEvents(
  state: ExporterState,
  events: readonly unknown[],
  catalog: Catalog,
  config: ApplyConfig,
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
    if (event.type === 'prediction') applyPrediction(state, event, catalog, config);
    else applyFeedback(state, event, catalog, config);
  }
  expirePending(state, config);
  expireEarlyLabels(state, config);
  pruneWindows(state, catalog, config.versionIdleMs);
}

function ignore(state: ExporterState, reason: IgnoreReason): void {
  state.counters.eventsIgnored.inc([reason]);
}

/** A feature value as a window cell: the number, or the categorical bucket index; NaN when absent or of the wrong kind. */
function cellOf(v: CatalogVersion, i: number, raw: unknown): number {
  const ref = v.features[i];
  if (ref?.type === 'categorical') {
    if (typeof raw === 'string') return ref.index.get(raw) ?? ref.buckets.length - 1;
    if (typeof raw === 'number' && Number.isFinite(raw)) return ref.index.get(String(raw)) ?? ref.buckets.length - 1;
    return Number.NaN;
  }
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : Number.NaN;
}

/** An event's feature values as a window row, in the version's feature order. */
function featureRow(v: CatalogVersion, e: PredictionEvent): Float64Array {
  const row = new Float64Array(v.featureNames.length);
  for (let i = 0; i < row.length; i++) row[i] = cellOf(v, i, e.features[v.featureNames[i] as string]);
  return row;
}

function predictionCell(v: CatalogVersion, prediction: string | number): number {
  const ref = v.prediction;
  if (v.kind === 'regression') return typeof prediction === 'number' && Number.isFinite(prediction) ? prediction : Number.NaN;
  if (ref?.type !== 'categorical') return Number.NaN;
  return ref.index.get(String(prediction)) ?? ref.buckets.length - 1;
}

function applyPrediction(state: ExporterState, e: PredictionEvent, catalog: Catalog, config: ApplyConfig): void {
  const entry = catalog.models.get(e.model);
  const loaded = entry?.loaded.get(e.version);
  const v = loaded ?? entry?.loaded.get(entry.current);
  if (!entry || !v) {
    ignore(state, 'unknown_model');
    return;
  }
  const c = state.counters;
  const version = loaded ? e.version : UNKNOWN;
  if (v.kind === 'classification') {
    const cls = String(e.prediction);
    c.predictions.inc([e.model, version, v.classes.includes(cls) ? cls : UNKNOWN]);
  } else c.predictions.inc([e.model, version]);

  const values = featureRow(v, e);
  for (let i = 0; i < values.length; i++) {
    const key = v.featureKeys[i] as string;
    const cell = values[i] as number;
    if (Number.isNaN(cell)) {
      c.featureMissing.incKey(key);
      continue;
    }
    c.featureValues.incKey(key);
    const ref = v.features[i];
    if (ref?.type === 'numeric' && (cell < ref.min || cell > ref.max)) c.featureOutOfRange.incKey(key);
  }
  for (const name in e.features) if (!v.featureSet.has(name)) c.featureUnknown.inc([e.model]);
  if (e.ts > (state.lastEventTsByModel.get(e.model) ?? 0)) state.lastEventTsByModel.set(e.model, e.ts);

  // Drift compares each version with its own reference, so every registered
  // version named by events has a window of its own: a rollout is never blind.
  if (loaded) pushToWindow(state, e, loaded, values, config);

  if (state.pending.has(e.id)) return; // a replayed id keeps its first prediction
  state.pending.set(e.id, { model: e.model, version, prediction: e.prediction, ts: e.ts });
  state.pendingByModel.set(e.model, (state.pendingByModel.get(e.model) ?? 0) + 1);

  // Its label may have been read first (another stream, a backlog): joined now.
  const held = state.earlyLabels.get(e.model);
  const early = held?.get(e.id);
  if (held && early) {
    held.delete(e.id);
    if (held.size === 0) state.earlyLabels.delete(e.model);
    applyFeedback(state, { type: 'feedback', id: e.id, ts: early.ts, label: early.label, model: e.model }, catalog, config);
  }
}

function pushToWindow(state: ExporterState, e: PredictionEvent, v: CatalogVersion, values: Float64Array, config: ApplyConfig): void {
  const key = versionKey(e.model, e.version);
  const capacity = config.tuning(e.model).windowSize;
  let w = state.windows.get(key);
  if (!w || w.capacity !== capacity || !sameList(w.features, v.featureNames)) {
    w =
      w && sameList(w.features, v.featureNames) ? w.resized(capacity) : new PredictionWindow(e.model, e.version, v.featureNames, capacity);
    state.windows.set(key, w);
    boundWindows(state, e.model, config.maxWindowsPerModel, key);
  }
  w.push(values, predictionCell(v, e.prediction), e.ts);
}

/** Fold a batch of spool events into the drift windows only: the replay, after a
 * restart, of the events between the checkpoint of the windows (written less
 * often: they are most of the state) and the checkpoint of everything else,
 * whose counters already hold those events. */
export function replayWindows(
  state: ExporterState,
  events: readonly unknown[],
  catalog: Catalog,
  config: ApplyConfig,
  nowMs: number = Date.now(),
): void {
  const latest = nowMs + FUTURE_TOLERANCE_MS;
  for (const raw of events) {
    const parsed = predictionEvent.safeParse(raw);
    if (!parsed.success) continue;
    const e = parsed.data;
    if (e.ts > latest) e.ts = nowMs;
    const v = catalog.models.get(e.model)?.loaded.get(e.version);
    if (!v) continue;
    pushToWindow(state, e, v, featureRow(v, e), config);
  }
  pruneWindows(state, catalog, config.versionIdleMs);
}

/** Keep at most `max` windows of a model: the least recently fed go first. */
function boundWindows(state: ExporterState, model: string, max: number, keep: string): void {
  const mine = [...state.windows.entries()].filter(([, w]) => w.model === model);
  if (mine.length <= max) return;
  mine.sort((a, b) => a[1].lastTs - b[1].lastTs);
  for (const [key] of mine.slice(0, mine.length - max)) if (key !== keep) state.windows.delete(key);
}

/** Drop windows of versions gone from the registry or fed nothing for `idleMs` of event time. */
function pruneWindows(state: ExporterState, catalog: Catalog, idleMs: number): void {
  for (const [key, w] of state.windows) {
    const entry = catalog.models.get(w.model);
    const gone = entry !== undefined && !entry.versions.includes(w.version);
    if (gone || w.lastTs < state.lastEventTs - idleMs) state.windows.delete(key);
  }
}

function applyFeedback(state: ExporterState, e: FeedbackEvent, catalog: Catalog, config: ApplyConfig): void {
  const p = state.pending.get(e.id);
  if (!p) {
    holdEarlyLabel(state, e, catalog, config);
    return;
  }
  const entry = catalog.models.get(p.model);
  const kind = entry?.loaded.get(p.version)?.kind ?? entry?.loaded.get(entry.current)?.kind ?? 'classification';
  let error = 0;
  if (kind === 'regression') {
    const label = typeof e.label === 'number' ? e.label : Number(e.label);
    if (!Number.isFinite(label) || typeof p.prediction !== 'number') {
      ignore(state, 'malformed');
      return;
    }
    error = p.prediction - label;
  }
  dropPending(state, e.id, p);
  state.counters.groundTruthReceived.inc([p.model, p.version]);
  let h = state.delay.get(p.model);
  if (!h) {
    h = emptyHistogram(GROUND_TRUTH_DELAY_BUCKETS);
    state.delay.set(p.model, h);
  }
  observe(h, Math.max(0, (e.ts - p.ts) / 1000));
  const key = versionKey(p.model, p.version);
  let minutes = state.outcomes.get(key);
  if (!minutes) {
    minutes = new Map();
    state.outcomes.set(key, minutes);
  }
  const minute = Math.floor(e.ts / MINUTE_MS);
  const cell = minutes.get(minute) ?? [0, 0, 0];
  if (kind === 'regression') {
    cell[0] += Math.abs(error);
    cell[1] += error * error;
  } else if (String(e.label) === String(p.prediction)) cell[0]++;
  cell[2]++;
  minutes.set(minute, cell);
}

/** A label with no pending prediction: held for its prediction when it names a
 * registered model (the prediction may not have been read yet), otherwise
 * unknown at once. A label that leaves the buffer unmatched is unknown too
 * (never predicted, expired, or labelled twice): counted, not crashed on. */
function holdEarlyLabel(state: ExporterState, e: FeedbackEvent, catalog: Catalog, config: ApplyConfig): void {
  if (e.model === undefined || !catalog.models.has(e.model) || config.earlyLabelMax < 1) {
    state.counters.groundTruthUnknown.inc([]);
    return;
  }
  let held = state.earlyLabels.get(e.model);
  if (!held) {
    held = new Map();
    state.earlyLabels.set(e.model, held);
  }
  if (held.has(e.id)) {
    state.counters.groundTruthUnknown.inc([]); // a second label for the same id keeps the first
    return;
  }
  held.set(e.id, { label: e.label, ts: e.ts, heldAt: state.lastEventTs });
  while (held.size > config.earlyLabelMax) {
    const oldest = held.keys().next().value as string;
    held.delete(oldest);
    evictEarly(state, e.model, 'overflow');
  }
}

function evictEarly(state: ExporterState, model: string, reason: EarlyEvictionReason): void {
  state.counters.groundTruthEarlyEvicted.inc([model, reason]);
  state.counters.groundTruthUnknown.inc([]);
}

/** Held labels older than the TTL (against the newest event time) leave unmatched.
 * Each model's labels are held in arrival order, so the walk stops at the first young one. */
function expireEarlyLabels(state: ExporterState, config: ApplyConfig): void {
  for (const [model, held] of state.earlyLabels) {
    for (const [id, l] of held) {
      if (state.lastEventTs - l.heldAt <= config.earlyLabelTtlMs) break;
      held.delete(id);
      evictEarly(state, model, 'expired');
    }
    if (held.size === 0) state.earlyLabels.delete(model);
  }
}

/** Labels held for their prediction, per model. */
export function earlyLabelCount(state: ExporterState, model: string): number {
  return state.earlyLabels.get(model)?.size ?? 0;
}

function dropPending(state: ExporterState, id: string, p: PendingPrediction): void {
  state.pending.delete(id);
  state.pendingByModel.set(p.model, Math.max(0, (state.pendingByModel.get(p.model) ?? 1) - 1));
}

/** Bound the pending set: oldest first, by count, and by age against the newest
 * event with each model's own label TTL. The walk stops at the first prediction
 * younger than the shortest TTL of the models seen: none after it can be due. */
function expirePending(state: ExporterState, config: ApplyConfig): void {
  const ttl = new Map<string, number>();
  const ttlOf = (model: string): number => {
    let t = ttl.get(model);
    if (t === undefined) ttl.set(model, (t = config.tuning(model).labelTtlMs));
    return t;
  };
  let shortest = Infinity;
  for (const [id, p] of state.pending) {
    const age = state.lastEventTs - p.ts;
    const t = ttlOf(p.model);
    shortest = Math.min(shortest, t);
    const overCount = state.pending.size > config.pendingMax;
    if (!overCount && age < shortest) break;
    if (overCount || age > t) {
      dropPending(state, id, p);
      state.counters.groundTruthExpired.inc([p.model]);
    }
  }
}

/** Forget outcome minutes older than the longest accuracy window. */
export function trimOutcomes(state: ExporterState, nowMs: number, longestWindowMs: number): void {
  const oldest = Math.floor((nowMs - longestWindowMs) / MINUTE_MS);
  for (const minutes of state.outcomes.values()) for (const m of minutes.keys()) if (m < oldest) minutes.delete(m);
}

/** Labelled outcomes of one model/version over labels received in the last
 * `windowMs` (minute resolution: the window may reach up to a minute further back). */
export function windowOutcome(state: ExporterState, model: string, version: string, nowMs: number, windowMs: number): Outcome {
  const minutes = state.outcomes.get(versionKey(model, version));
  const sum: Outcome = [0, 0, 0];
  if (minutes) {
    const first = Math.floor((nowMs - windowMs) / MINUTE_MS);
    for (const [m, o] of minutes) {
      if (m >= first) {
        sum[0] += o[0];
        sum[1] += o[1];
        sum[2] += o[2];
      }
    }
  }
  return sum;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
