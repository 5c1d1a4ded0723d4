import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogModel, catalogOf, versionKey } from '../../src/exporter/catalog.js';
import { deserializeState, serializeState } from '../../src/exporter/checkpoint.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { tunedConfig } from '../../src/exporter/tuning.js';
import { applyEvents, emptyState } from '../../src/exporter/state.js';
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

test('a checkpoint taken mid-stream and restored gives the same state as never stopping', () => {
  const events = traffic();
  const straight = emptyState();
  applyEvents(straight, events, catalog, config);

  for (const cut of [1, 77, 150, events.length - 1]) {
    const first = emptyState();
    applyEvents(first, events.slice(0, cut), catalog, config);
    const restored = deserializeState(serializeState(first, 0), () => config.windowSize, 'test');
    applyEvents(restored, events.slice(cut), catalog, config);
    assert.equal(serializeState(restored, 0), serializeState(straight, 0), `cut at ${cut}`);
  }
});

test('a damaged checkpoint is refused with its location and what to do', () => {
  assert.throws(
    () => deserializeState('{"format":1,"position":{}}', () => 10, '/data/exporter/state.json'),
    (e: Error & { location?: string; hint?: string }) =>
      e.location === '/data/exporter/state.json' && /Move the file aside/.test(e.hint ?? ''),
  );
  assert.throws(() => deserializeState('{not json', () => 10, 'x'), /unreadable/);
});

test('restoring into a smaller window keeps the newest predictions', () => {
  const s = emptyState();
  applyEvents(s, traffic(), catalog, config);
  const small = deserializeState(serializeState(s, 0), () => 5, 'test');
  const w = small.windows.get(versionKey('demo', 'v1'))!;
  assert.equal(w.size, 5);
  const last = s.windows.get(versionKey('demo', 'v1'))!.toJSON().rows.slice(-5);
  assert.deepEqual(w.toJSON().rows, last);
});
