/** The ingest API's checks: what a model service may send to POST /v1/events
 * and POST /v1/feedback, turned into spool events. Pure: the HTTP edge and the
 * spool write live in the service. An item is accepted or refused on its own,
 * with a reason from a fixed set (the metric label) and a message for people. */
import type { FeedbackEvent, InferenceEvent, PredictionEvent } from '../events/index.js';
import type { Catalog, CatalogVersion } from './catalog.js';
import type { IngestRejectReason } from './conventions.js';

/** Items per request: the batch a client buffers between sends. */
export const MAX_BATCH = 10_000;
/** Request ids are kept while a label is awaited: a bound on their length bounds that memory. */
export const MAX_ID_LENGTH = 256;
/** Event times further ahead than this are refused (a wrong clock, or seconds sent as milliseconds). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** And times before this (2000-01-01) are refused too (milliseconds sent as seconds go far ahead instead). */
const EARLIEST_MS = 946_684_800_000;

export interface Rejection {
  index: number;
  reason: IngestRejectReason;
  message: string;
}

export interface IngestOutcome {
  events: InferenceEvent[];
  rejected: Rejection[];
}

/** What is wrong with a request body, and the HTTP status that says so. */
export interface BodyProblem {
  status: 400 | 413;
  message: string;
}

/** The list under `key` in a request body, or what is wrong with the body. */
export function itemsOf(body: unknown, key: 'events' | 'feedback'): unknown[] | BodyProblem {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, message: `the body must be a JSON object {"${key}": [...]}` };
  }
  const items = (body as Record<string, unknown>)[key];
  if (!Array.isArray(items)) return { status: 400, message: `"${key}" must be an array` };
  if (items.length > MAX_BATCH) return { status: 413, message: `"${key}" holds ${items.length} items; at most ${MAX_BATCH} per request` };
  return items;
}

/** Unix ms from an RFC 3339 string or unix seconds; undefined when neither or out of range. */
export function eventTime(raw: unknown, nowMs: number): number | undefined {
  let ms: number;
  if (typeof raw === 'number') ms = raw * 1000;
  else if (typeof raw === 'string') ms = Date.parse(raw);
  else return undefined;
  if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > nowMs + MAX_FUTURE_MS) return undefined;
  return ms;
}

type Check<T> = { ok: T } | { reason: IngestRejectReason; message: string };
const refuse = (reason: IngestRejectReason, message: string) => ({ reason, message });

/** What every item names: a registered model, an id and a time. */
interface ItemBase {
  o: Record<string, unknown>;
  model: string;
  id: string;
  ts: number;
  entry: NonNullable<ReturnType<Catalog['models']['get']>>;
}

function common(item: unknown, catalog: Catalog, nowMs: number): Check<ItemBase> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return refuse('not_an_object', 'each item must be a JSON object');
  const o = item as Record<string, unknown>;
  const model = o.model;
  const entry = typeof model === 'string' ? catalog.models.get(model) : undefined;
  if (!entry) return refuse('unknown_model', `model ${JSON.stringify(model)} is not registered (mlmon model register)`);
  const id = o.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return refuse('missing_id', `"id" must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  let ts = nowMs;
  if (o.timestamp !== undefined && o.timestamp !== null) {
    const t = eventTime(o.timestamp, nowMs);
    if (t === undefined) return refuse('bad_timestamp', '"timestamp" must be RFC 3339 text or unix seconds, not in the future');
    ts = t;
  }
  return { ok: { o, model: entry.model, id, ts, entry } };
}

function checkFeatures(v: CatalogVersion, raw: unknown): Check<Record<string, number | string | null>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return refuse('bad_features', '"features" must be an object of name: value');
  const features = raw as Record<string, unknown>;
  const out: Record<string, number | string | null> = {};
  for (const name in features) {
    const value = features[name];
    const i = v.featureIndex.get(name);
    const ref = i === undefined ? undefined : v.features[i];
    if (value === null || value === undefined) {
      out[name] = null;
      continue;
    }
    if (ref?.type === 'categorical') {
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
        return refuse('bad_features', `feature "${name}" is categorical: send text (or null when missing)`);
      }
      out[name] = value;
      continue;
    }
    if (i !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      return refuse('non_numeric_value', `feature "${name}" is numeric: send a finite number (or null when missing)`);
    }
    // Names the model does not list are kept for the unknown-feature counter, not stored by value.
    out[name] = typeof value === 'number' || typeof value === 'string' ? value : null;
  }
  return { ok: out };
}

/** Each item checked by `one` after the checks every item shares: the events
 * of the items that pass, the index and reason of those that do not. */
function checkBatch(
  items: readonly unknown[],
  catalog: Catalog,
  nowMs: number,
  one: (c: ItemBase) => Check<InferenceEvent>,
): IngestOutcome {
  const events: InferenceEvent[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    const c = common(item, catalog, nowMs);
    const e = 'reason' in c ? c : one(c.ok);
    if ('reason' in e) rejected.push({ index, reason: e.reason, message: e.message });
    else events.push(e.ok);
  });
  return { events, rejected };
}

/** POST /v1/events: one prediction event per item. */
export function checkEvents(items: readonly unknown[], catalog: Catalog, nowMs: number): IngestOutcome {
  return checkBatch(items, catalog, nowMs, predictionOf);
}

/** POST /v1/feedback: one ground-truth label per item, joined to its prediction by id. */
export function checkFeedback(items: readonly unknown[], catalog: Catalog, nowMs: number): IngestOutcome {
  return checkBatch(items, catalog, nowMs, feedbackOf);
}

function predictionOf({ o, model, id, ts, entry }: ItemBase): Check<InferenceEvent> {
  const version = o.version;
  if (typeof version !== 'string' || !entry.versions.includes(version)) {
    return refuse('unknown_version', `version ${JSON.stringify(version)} of ${model} is not registered`);
  }
  // Versions not loaded yet are checked against the current one's schema; the
  // service loads the named versions before checking, so this is a fallback.
  const v = entry.loaded.get(version) ?? entry.loaded.get(entry.current);
  if (!v) return refuse('unknown_version', `version ${version} of ${model} could not be loaded`);
  const f = checkFeatures(v, o.features);
  if ('reason' in f) return f;
  let prediction: string | number;
  if (v.kind === 'regression') {
    if (typeof o.prediction !== 'number' || !Number.isFinite(o.prediction)) {
      return refuse('bad_prediction', `${model} is a regression model: "prediction" must be a finite number`);
    }
    prediction = o.prediction;
  } else {
    if (typeof o.prediction !== 'string' && !(typeof o.prediction === 'number' && Number.isFinite(o.prediction))) {
      return refuse('bad_prediction', '"prediction" must be the predicted class');
    }
    prediction = String(o.prediction);
  }
  let confidence: number | undefined;
  if (o.scores !== undefined && o.scores !== null) {
    const scores = o.scores as Record<string, unknown>;
    if (
      typeof scores !== 'object' ||
      Array.isArray(scores) ||
      Object.values(scores).some((s) => typeof s !== 'number' || !Number.isFinite(s))
    ) {
      return refuse('bad_scores', '"scores" must be an object of class: probability');
    }
    const s = scores[String(prediction)];
    if (typeof s === 'number') confidence = s;
  }
  const event: PredictionEvent = { type: 'prediction', id, ts, model, version, features: f.ok, prediction };
  if (confidence !== undefined) event.confidence = confidence;
  return { ok: event };
}

function feedbackOf({ o, model, id, ts, entry }: ItemBase): Check<InferenceEvent> {
  const kind = entry.loaded.get(entry.current)?.kind ?? 'classification';
  const label = o.label;
  if (
    kind === 'regression' ? typeof label !== 'number' || !Number.isFinite(label) : typeof label !== 'string' && typeof label !== 'number'
  ) {
    return refuse('bad_label', kind === 'regression' ? '"label" must be the true value (a number)' : '"label" must be the true class');
  }
  const event: FeedbackEvent = {
    type: 'feedback',
    id,
    ts,
    model,
    version: '',
    label: kind === 'regression' ? (label as number) : String(label),
  };
  return { ok: event };
}
