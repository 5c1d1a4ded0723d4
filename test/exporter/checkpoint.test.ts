import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogModel, catalogOf, versionKey } from '../../src/exporter/catalog.js';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deserializeState,
  encodeWindows,
  loadCheckpoint,
  NO_WINDOWS,
  saveCheckpoint,
  serializeState,
} from '../../src/exporter/checkpoint.js';
import type { ExporterState } from '../../src/exporter/state.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { tunedConfig } from '../../src/exporter/tuning.js';
import { applyEvents, emptyState, replayWindows } from '../../src/exporter/state.js';
import { feedback, prediction, syntheticMetadata } from './fixtures.js';

const catalog = catalogOf([catalogModel(syntheticMetadata(), ['v1'])]);
const config = tunedConfig({ ...DEFAULT_EXPORTER_CONFIG, windowSize: 50 });
const T0 = Date.UTC(2026, 0, 1);

function traffic(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < 120; i++) {
    out.push(prediction(`p${i}`, T0 + i * 500, { a: (i % 97) / 10, b: i % 7 === 0 ? null : 100 + (i % 100) }, i % 3 === 0 ? 'y' : 'x'));
    if (i >= 10) out.push(feedback(`p${i - 10}`, T0 + i * 500, i % 4 === 0 ? 'y' : 'x'));
  }
  out.push(feedback('ghost', T0 + 70_000, 'x'));
  return out;
}

/** Everything a checkpoint holds, windows included, as comparable text. */
function everything(s: ExporterState): string {
  const { shapes, chunks } = encodeWindows(s);
  const values = chunks.flatMap((c) => Array.from(c, (v) => (Number.isNaN(v) ? 'NaN' : v)));
  return serializeState(s, 0, { ...NO_WINDOWS, windows: shapes }) + JSON.stringify(values);
}

function roundTrip(s: ExporterState, windowSize = config.windowSize): ExporterState {
  const { shapes, chunks } = encodeWindows(s);
  const bytes = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const text = serializeState(s, 0, { file: 'windows-1-0.bin', positions: s.positions, windows: shapes });
  return deserializeState(
    text,
    () => windowSize,
    'test',
    () => bytes,
  ).state;
}

test('a checkpoint taken mid-stream and restored gives the same state as never stopping', () => {
  const events = traffic();
  const straight = emptyState();
  applyEvents(straight, events, catalog, config);

  for (const cut of [1, 77, 150, events.length - 1]) {
    const first = emptyState();
    applyEvents(first, events.slice(0, cut), catalog, config);
    const restored = roundTrip(first);
    applyEvents(restored, events.slice(cut), catalog, config);
    assert.equal(everything(restored), everything(straight), `cut at ${cut}`);
  }
});

test('windows saved earlier than the rest come back whole by replaying the events in between', () => {
  const events = traffic();
  const straight = emptyState();
  applyEvents(straight, events, catalog, config);
  // Windows saved after 60 events, everything else after 200: the 140 between are replayed into the windows only.
  const early = emptyState();
  applyEvents(early, events.slice(0, 60), catalog, config);
  const { shapes, chunks } = encodeWindows(early);
  const windowBytes = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const late = emptyState();
  applyEvents(late, events.slice(0, 200), catalog, config);
  const text = serializeState(late, 0, { file: 'windows-1-0.bin', positions: early.positions, windows: shapes });
  const restored = deserializeState(
    text,
    () => config.windowSize,
    'test',
    () => windowBytes,
  ).state;
  replayWindows(restored, events.slice(60, 200), catalog, config);
  applyEvents(restored, events.slice(200), catalog, config);
  assert.equal(everything(restored), everything(straight));
});

test('saved to disk: a private windows file that state.json names, older ones deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-checkpoint-'));
  try {
    const s = emptyState();
    applyEvents(s, traffic(), catalog, config);
    let saved = await saveCheckpoint(dir, s, 1000, NO_WINDOWS, true);
    const first = saved.file!;
    saved = await saveCheckpoint(dir, s, 2000, saved, false);
    assert.equal(saved.file, first, 'a checkpoint without windows keeps naming the last windows file');
    saved = await saveCheckpoint(dir, s, 3000, saved, true);
    assert.notEqual(saved.file, first);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('windows-')),
      [saved.file],
    );
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} is private`);
    const back = await loadCheckpoint(dir, () => config.windowSize);
    assert.equal(everything(back.state), everything(s));
    // The windows file gone: the state comes back with empty windows, and says so.
    rmSync(join(dir, saved.file!));
    const without = await loadCheckpoint(dir, () => config.windowSize);
    assert.equal(without.state.windows.size, 0);
    assert.match(without.problem ?? '', /refill from new events/);
    assert.equal(without.state.counters.eventsProcessed.get([]), s.counters.eventsProcessed.get([]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged checkpoint is refused with its location and what to do', () => {
  assert.throws(
    () => deserializeState('{"format":1,"position":{}}', () => 10, '/data/exporter/state.json'),
    (e: Error & { location?: string; hint?: string }) =>
      e.location === '/data/exporter/state.json' && /Move the file aside/.test(e.hint ?? ''),
  );
  assert.throws(() => deserializeState('{not json', () => 10, 'x'), /unreadable/);
  // A windows file that does not hold what state.json says.
  const s = emptyState();
  applyEvents(s, traffic(), catalog, config);
  const { shapes } = encodeWindows(s);
  const text = serializeState(s, 0, { file: 'windows-1-0.bin', positions: s.positions, windows: shapes });
  assert.throws(
    () =>
      deserializeState(
        text,
        () => 10,
        'x',
        () => new Uint8Array(16),
      ),
    /windows file holds 16 bytes/,
  );
});

test('restoring into a smaller window keeps the newest predictions', () => {
  const s = emptyState();
  applyEvents(s, traffic(), catalog, config);
  const small = roundTrip(s, 5);
  const w = small.windows.get(versionKey('demo', 'v1'))!;
  assert.equal(w.size, 5);
  const last = s.windows.get(versionKey('demo', 'v1'))!.toJSON().rows.slice(-5);
  assert.deepEqual(w.toJSON().rows, last);
});

test('a format-2 checkpoint (windows as rows) is still read', () => {
  const s = emptyState();
  applyEvents(s, traffic(), catalog, config);
  const v3 = JSON.parse(serializeState(s, 0, NO_WINDOWS)) as Record<string, unknown>;
  const { windows_file: _f, window_positions: _p, ...rest } = v3;
  const v2 = { ...rest, format: 2, windows: [...s.windows.values()].map((w) => w.toJSON()) };
  const back = deserializeState(JSON.stringify(v2), () => config.windowSize, 'test').state;
  assert.equal(everything(back), everything(s));
});
