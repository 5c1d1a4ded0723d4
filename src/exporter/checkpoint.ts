import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MlmonError } from '../errors.js';
import { openIfExists, writeFileAtomic } from '../files.js';
import { CHECKPOINT_FILE } from './conventions.js';
import { LabelledCounts } from './counts.js';
import { versionKey } from './catalog.js';
import { emptyState, FUTURE_TOLERANCE_MS, type ExporterState, type Outcome, type SpoolPositions } from './state.js';
import { PredictionWindow, type WindowShape } from './window.js';

/** The checkpoint: the exporter state and the spool positions it reflects, in
 * one file replaced atomically (write temp, fsync, rename). Either the old or the new
 * checkpoint is on disk, never a mix, so a restart replays from a position whose
 * effects the saved counters do not yet contain: nothing lost, nothing counted twice.
 *
 * The drift windows are most of the state (rows × features × 8 bytes per model
 * version: 4 MB for a 10,000-event window of 50 features), so they are written
 * apart, as raw float64 columns in `windows-<time>.bin`, and less often (see
 * ExporterConfig.windowCheckpointIntervalMs). state.json names the windows file
 * it goes with and the spool positions that file reflects; the events between
 * those and the state's own positions stay in the spool and are replayed into the
 * windows only after a restart (replayWindows), so the windows too come back as
 * if the exporter had never stopped. */
export { CHECKPOINT_FILE } from './conventions.js';
const WINDOWS_FILE = /^windows-\d+-\d+\.bin$/;
/** 3: windows in their own binary file, with the positions they reflect.
 * 2: windows inline as rows. 1: one spool stream, classification outcomes only.
 * Formats 1 and 2 are read too (their windows refill from new events or carry over). */
const FORMAT = 3;

/** What state.json says of the windows file it goes with. */
export interface WindowsCheckpoint {
  /** File name in the exporter's state folder; null when no window was saved. */
  file: string | null;
  /** Spool positions the saved windows reflect. */
  positions: SpoolPositions;
  /** The saved windows, in file order. */
  windows: WindowShape[];
}

export const NO_WINDOWS: WindowsCheckpoint = {
  file: null,
  positions: { gateway: { segment: 0, offset: 0 }, ingest: { segment: 0, offset: 0 } },
  windows: [],
};

export function checkpointPath(exporterStateDir: string): string {
  return join(exporterStateDir, CHECKPOINT_FILE);
}

export function serializeState(state: ExporterState, savedAtMs: number, windows: WindowsCheckpoint): string {
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
    early_labels: [...state.earlyLabels].map(([model, held]) => [
      model,
      [...held].map(([id, l]) => [id, { label: l.label, ts: l.ts, held_at: l.heldAt }]),
    ]),
    windows_file: windows.file,
    window_positions: windows.positions,
    windows: windows.windows,
    outcomes: [...state.outcomes].map(([key, minutes]) => [key, [...minutes]]),
  });
}

/** The windows as the bytes of a windows file (views of the windows, no copy) and their shapes. */
export function encodeWindows(state: ExporterState): { shapes: WindowShape[]; chunks: Float64Array[] } {
  const shapes: WindowShape[] = [];
  const chunks: Float64Array[] = [];
  for (const w of state.windows.values()) {
    shapes.push(w.shape());
    chunks.push(...w.chunksOldestFirst());
  }
  return { shapes, chunks };
}

/** Windows from the bytes of a windows file. */
export function decodeWindows(
  shapes: readonly WindowShape[],
  bytes: Uint8Array,
  windowSize: (model: string) => number,
  location: string,
): Map<string, PredictionWindow> {
  const total = shapes.reduce((s, w) => s + w.size * (w.features.length + 1), 0);
  if (bytes.byteLength !== total * 8)
    throw corrupt(location, `the windows file holds ${bytes.byteLength} bytes where ${total * 8} were saved`);
  let all: Float64Array;
  if (bytes.byteOffset % 8 === 0) all = new Float64Array(bytes.buffer, bytes.byteOffset, total);
  else {
    all = new Float64Array(total); // a buffer that does not start on a float64 boundary is copied once
    new Uint8Array(all.buffer).set(bytes);
  }
  const out = new Map<string, PredictionWindow>();
  let at = 0;
  for (const shape of shapes) {
    const n = shape.size * (shape.features.length + 1);
    out.set(versionKey(shape.model, shape.version), PredictionWindow.fromColumns(shape, all.subarray(at, at + n), windowSize(shape.model)));
    at += n;
  }
  return out;
}

const position = z.object({ segment: z.number().int().min(0), offset: z.number().int().min(0) });
const positions = z.object({ gateway: position, ingest: position });
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
  // Labels held for a prediction not yet read (absent from checkpoints written before the buffer existed).
  early_labels: z
    .array(
      z.tuple([
        z.string(),
        z.array(z.tuple([z.string(), z.object({ label: z.union([z.string(), z.number()]), ts: z.number(), held_at: z.number() })])),
      ]),
    )
    .optional(),
};
const outcomes = z.array(z.tuple([z.string(), z.array(z.tuple([z.number(), z.tuple([z.number(), z.number(), z.number()])]))]));
const checkpointV3 = z.object({
  format: z.literal(3),
  positions,
  last_event_ts_by_model: z.array(z.tuple([z.string(), z.number()])),
  ...common,
  windows_file: z.string().regex(WINDOWS_FILE).nullable(),
  window_positions: positions,
  windows: z.array(
    z.object({ model: z.string(), version: z.string(), features: z.array(z.string()), size: z.number().int().min(0), last_ts: z.number() }),
  ),
  outcomes,
});
const checkpointV2 = z.object({
  format: z.literal(2),
  positions,
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
  outcomes,
});
const checkpointV1 = z.object({
  format: z.literal(1),
  position,
  ...common,
  outcomes: z.array(z.tuple([z.string(), z.array(z.tuple([z.number(), z.tuple([z.number(), z.number()])]))])),
});
const checkpointSchema = z.discriminatedUnion('format', [checkpointV3, checkpointV2, checkpointV1]);

export interface RestoredState {
  state: ExporterState;
  /** The windows file the state goes with; its positions are where the window replay starts. */
  windows: WindowsCheckpoint;
}

/** The state from state.json's text; `windowsBytes` reads the windows file it names
 * (undefined when that file is gone: the windows then start empty, and say so in `problem`). */
export function deserializeState(
  text: string,
  windowSize: (model: string) => number,
  location: string,
  windowsBytes: (file: string) => Uint8Array | undefined = () => undefined,
): RestoredState & { problem?: string } {
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
  for (const [model, held] of s.early_labels ?? []) {
    state.earlyLabels.set(model, new Map(held.map(([id, l]) => [id, { label: l.label, ts: l.ts, heldAt: l.held_at }])));
  }
  if (s.format === 1) {
    state.positions.gateway = s.position;
    state.outcomes = new Map(s.outcomes.map(([key, minutes]) => [key, new Map(minutes.map(([m, [c, t]]) => [m, [c, 0, t] as Outcome]))]));
    return { state, windows: { ...NO_WINDOWS, positions: clonePositions(state.positions) } };
  }
  state.positions = s.positions;
  state.lastEventTsByModel = new Map(s.last_event_ts_by_model);
  state.outcomes = new Map(s.outcomes.map(([key, minutes]) => [key, new Map(minutes)]));
  if (s.format === 2) {
    state.windows = new Map(s.windows.map((w) => [versionKey(w.model, w.version), PredictionWindow.fromJSON(w, windowSize(w.model))]));
    return { state, windows: { ...NO_WINDOWS, positions: clonePositions(state.positions) } };
  }
  const windows: WindowsCheckpoint = { file: s.windows_file, positions: s.window_positions, windows: s.windows };
  if (s.windows_file === null) return { state, windows };
  const bytes = windowsBytes(s.windows_file);
  if (bytes === undefined) {
    return {
      state,
      windows: { ...NO_WINDOWS, positions: clonePositions(state.positions) },
      problem: `the drift windows file ${s.windows_file} is missing: the windows refill from new events`,
    };
  }
  state.windows = decodeWindows(s.windows, bytes, windowSize, join(location, '..', s.windows_file));
  return { state, windows };
}

function clonePositions(p: SpoolPositions): SpoolPositions {
  return { gateway: { ...p.gateway }, ingest: { ...p.ingest } };
}

function corrupt(location: string, detail: string): MlmonError {
  return new MlmonError('exporter_checkpoint', `the exporter checkpoint is unreadable: ${detail}`, {
    location,
    hint: 'Move the file aside to start from the beginning of the event spool (counters restart from the events still in the spool).',
  });
}

/** The saved state, or a fresh one when there is no checkpoint yet. */
export async function loadCheckpoint(
  exporterStateDir: string,
  windowSize: (model: string) => number,
): Promise<RestoredState & { problem?: string }> {
  const path = checkpointPath(exporterStateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), windows: NO_WINDOWS };
    throw e;
  }
  let named: unknown;
  try {
    named = (JSON.parse(text) as { windows_file?: unknown } | null)?.windows_file;
  } catch {
    named = undefined; // deserializeState says what is wrong
  }
  const bytes = typeof named === 'string' && WINDOWS_FILE.test(named) ? await readWindowsFile(join(exporterStateDir, named)) : undefined;
  return deserializeState(text, windowSize, path, () => bytes);
}

/** The file's bytes in float64-aligned memory, which the restored windows then use as they are. */
async function readWindowsFile(path: string): Promise<Uint8Array | undefined> {
  const fh = await openIfExists(path);
  if (!fh) return undefined;
  try {
    const { size } = await fh.stat();
    const bytes = new Uint8Array(new Float64Array(Math.ceil(size / 8)).buffer, 0, size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await fh.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes;
  } finally {
    await fh.close();
  }
}

let sequence = 0;

/** Save the state; with `withWindows` the windows too, into a new windows file
 * (written and synced before state.json names it). Returns what state.json now
 * names. Windows files no longer named are deleted once state.json is in place. */
export async function saveCheckpoint(
  exporterStateDir: string,
  state: ExporterState,
  nowMs: number,
  previous: WindowsCheckpoint,
  withWindows: boolean,
): Promise<WindowsCheckpoint> {
  await mkdir(exporterStateDir, { recursive: true, mode: 0o700 });
  let windows = previous;
  if (withWindows) {
    const { shapes, chunks } = encodeWindows(state);
    const file = `windows-${nowMs}-${sequence++}.bin`;
    const fh = await open(join(exporterStateDir, file), 'wx', 0o600);
    try {
      // Straight from the windows' memory; the caller keeps the windows still meanwhile.
      let at = 0;
      for (const c of chunks) {
        const bytes = new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
        for (let done = 0; done < bytes.length;) {
          const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, at + done);
          done += bytesWritten;
        }
        at += bytes.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    windows = { file, positions: clonePositions(state.positions), windows: shapes };
  }
  await writeFileAtomic(checkpointPath(exporterStateDir), serializeState(state, nowMs, windows), { fsync: true, mode: 0o600 });
  for (const name of await readdir(exporterStateDir)) {
    if (WINDOWS_FILE.test(name) && name !== windows.file) await rm(join(exporterStateDir, name), { force: true });
  }
  return windows;
}
