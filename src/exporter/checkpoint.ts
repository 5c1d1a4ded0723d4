import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MlmonError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { LabelledCounts } from './counts.js';
import { versionKey } from './catalog.js';
import { emptyState, FUTURE_TOLERANCE_MS, type ExporterState, type Outcome } from './state.js';
import { PredictionWindow } from './window.js';

/** The checkpoint: the whole exporter state and the spool position it reflects, in
 * one file replaced atomically (write temp, fsync, rename). Either the old or the new
 * checkpoint is on disk, never a mix, so a restart replays from a position whose
 * effects the saved counters do not yet contain: nothing lost, nothing counted twice. */
export const CHECKPOINT_FILE = 'state.json';
/** 2: spool positions per stream, windows per model version with numeric cells,
 * regression outcomes. A format-1 checkpoint is read too: its counters, pending
 * labels and outcomes carry over, its windows (one per model) refill from new events. */
const FORMAT = 2;

export function checkpointPath(exporterStateDir: string): string {
  return join(exporterStateDir, CHECKPOINT_FILE);
}

export function serializeState(state: ExporterState, savedAtMs: number): string {
  const counters = Object.fromEntries(Object.entries(state.counters).map(([k, v]) => [k, v.toJSON()]));
  return JSON.stringify({
    format: FORMAT,
    saved_at: new Date(savedAtMs).toISOString(),
    positions: state.positions,
    last_event_ts: state.lastEventTs,
    last_event_ts_by_model: [...state.lastEventTsByModel],
    counters,
    delay: [...state.delay],
    pending: [...state.pending],
    windows: [...state.windows.values()].map((w) => w.toJSON()),
    outcomes: [...state.outcomes].map(([key, minutes]) => [key, [...minutes]]),
  });
}

const position = z.object({ segment: z.number().int().min(0), offset: z.number().int().min(0) });
const countsRows = z.array(z.tuple([z.array(z.string()), z.number()]));
const histogram = z.object({ bounds: z.array(z.number()), counts: z.array(z.number()), sum: z.number(), count: z.number() });
const common = {
  last_event_ts: z.number(),
  counters: z.record(z.string(), countsRows),
  delay: z.array(z.tuple([z.string(), histogram])),
  pending: z.array(
    z.tuple([
      z.string(),
      z.object({ model: z.string(), version: z.string(), prediction: z.union([z.string(), z.number()]), ts: z.number() }),
    ]),
  ),
};
const checkpointV2 = z.object({
  format: z.literal(2),
  positions: z.object({ gateway: position, ingest: position }),
  last_event_ts_by_model: z.array(z.tuple([z.string(), z.number()])),
  ...common,
  windows: z.array(
    z.object({
      model: z.string(),
      version: z.string(),
      features: z.array(z.string()),
      rows: z.array(z.array(z.number().nullable())),
      predictions: z.array(z.number().nullable()),
      last_ts: z.number(),
    }),
  ),
  outcomes: z.array(z.tuple([z.string(), z.array(z.tuple([z.number(), z.tuple([z.number(), z.number(), z.number()])]))])),
});
const checkpointV1 = z.object({
  format: z.literal(1),
  position,
  ...common,
  outcomes: z.array(z.tuple([z.string(), z.array(z.tuple([z.number(), z.tuple([z.number(), z.number()])]))])),
});
const checkpointSchema = z.discriminatedUnion('format', [checkpointV2, checkpointV1]);

export function deserializeState(text: string, windowSize: (model: string) => number, location: string): ExporterState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw corrupt(location, (e as Error).message);
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) throw corrupt(location, parsed.error.issues[0]?.message ?? 'unexpected shape');
  const s = parsed.data;
  const state = emptyState();
  // A far-future time saved by an older version would expire every label for good.
  state.lastEventTs = Math.min(s.last_event_ts, Date.now() + FUTURE_TOLERANCE_MS);
  for (const name of Object.keys(state.counters) as (keyof ExporterState['counters'])[]) {
    state.counters[name] = LabelledCounts.fromJSON(s.counters[name] ?? []);
  }
  state.delay = new Map(s.delay);
  state.pending = new Map(s.pending);
  for (const p of state.pending.values()) state.pendingByModel.set(p.model, (state.pendingByModel.get(p.model) ?? 0) + 1);
  if (s.format === 2) {
    state.positions = s.positions;
    state.lastEventTsByModel = new Map(s.last_event_ts_by_model);
    state.windows = new Map(s.windows.map((w) => [versionKey(w.model, w.version), PredictionWindow.fromJSON(w, windowSize(w.model))]));
    state.outcomes = new Map(s.outcomes.map(([key, minutes]) => [key, new Map(minutes)]));
  } else {
    state.positions.gateway = s.position;
    state.outcomes = new Map(s.outcomes.map(([key, minutes]) => [key, new Map(minutes.map(([m, [c, t]]) => [m, [c, 0, t] as Outcome]))]));
  }
  return state;
}

function corrupt(location: string, detail: string): MlmonError {
  return new MlmonError('exporter_checkpoint', `the exporter checkpoint is unreadable: ${detail}`, {
    location,
    hint: 'Move the file aside to start from the beginning of the event spool (counters restart from the events still in the spool).',
  });
}

/** The saved state, or a fresh one when there is no checkpoint yet. */
export async function loadCheckpoint(exporterStateDir: string, windowSize: (model: string) => number): Promise<ExporterState> {
  const path = checkpointPath(exporterStateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
  return deserializeState(text, windowSize, path);
}

export async function saveCheckpoint(exporterStateDir: string, state: ExporterState, nowMs: number): Promise<void> {
  await mkdir(exporterStateDir, { recursive: true });
  await writeFileAtomic(checkpointPath(exporterStateDir), serializeState(state, nowMs), { fsync: true });
}
