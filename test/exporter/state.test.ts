import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogModel, catalogOf, versionKey } from '../../src/exporter/catalog.js';
import { computeSnapshot } from '../../src/exporter/compute.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { tunedConfig } from '../../src/exporter/tuning.js';
import { applyEvents, earlyLabelCount, emptyState, windowOutcome } from '../../src/exporter/state.js';
import { deserializeState, NO_WINDOWS, serializeState } from '../../src/exporter/checkpoint.js';
import { feedback, prediction, syntheticMetadata } from './fixtures.js';
import { profileTable } from '../../src/model/index.js';
import { parseCsvTable } from '../../src/model/table.js';

const catalog = catalogOf([catalogModel(syntheticMetadata(), ['v1'])]);
const config = tunedConfig(DEFAULT_EXPORTER_CONFIG);
const V1 = versionKey('demo', 'v1');
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

test('prediction events are counted with bounded labels: unknown versions, classes, models and features never make new series', () => {
  const s = emptyState();
  applyEvents(
    s,
    [
      prediction('p1', T0, { a: 1, b: 150 }, 'x'),
      prediction('p2', T0 + 1, { a: 20, b: null }, 'y'), // a above the training max 9.9; b missing
      prediction('p3', T0 + 2, { a: 5, b: 120, extra: 3 }, 'w', 'demo', 'v9'), // unknown version, class and feature
      prediction('p4', T0 + 3, { a: 1 }, 'x', 'other-model'),
      { type: 'prediction' }, // malformed
      { hello: 1 }, // malformed
    ],
    catalog,
    config,
  );
  const c = s.counters;
  assert.equal(c.eventsProcessed.get([]), 6);
  assert.equal(c.eventsIgnored.get(['unknown_model']), 1);
  assert.equal(c.eventsIgnored.get(['malformed']), 2);
  assert.deepEqual([...c.predictions.entries()].sort(), [
    [['demo', 'unknown', 'unknown'], 1],
    [['demo', 'v1', 'x'], 1],
    [['demo', 'v1', 'y'], 1],
  ]);
  assert.equal(c.featureValues.get(['demo', 'a']), 3);
  assert.equal(c.featureValues.get(['demo', 'b']), 2);
  assert.equal(c.featureMissing.get(['demo', 'b']), 1);
  assert.equal(c.featureMissing.get(['demo', 'a']), 0);
  assert.equal(c.featureOutOfRange.get(['demo', 'a']), 1);
  assert.equal(c.featureOutOfRange.get(['demo', 'b']), 0);
  assert.equal(c.featureUnknown.get(['demo']), 1);
  // Only predictions of a registered version enter a drift window (its own).
  assert.equal(s.windows.get(V1)?.size, 2);
  assert.equal(s.windows.size, 1);
  assert.equal(s.pending.size, 3);
  assert.equal(s.pendingByModel.get('demo'), 3);
});

test('delayed labels give exactly the expected accuracy per window; unknown ids are counted', () => {
  const s = emptyState();
  const now = T0 + 3 * 3_600_000;
  const events: unknown[] = [];
  for (let i = 0; i < 24; i++) events.push(prediction(`p${i}`, T0 + i * 1000, { a: 1, b: 150 }, 'x'));
  // 4 labels two hours before `now`, all wrong: inside the 1d window, outside 1h.
  for (let i = 0; i < 4; i++) events.push(feedback(`p${i}`, now - 2 * 3_600_000, 'y'));
  // 16 labels a minute before `now`: 12 right (x), 4 wrong (z).
  for (let i = 4; i < 20; i++) events.push(feedback(`p${i}`, now - 60_000, i < 16 ? 'x' : 'z'));
  // Labels for ids nobody predicted, and a second label for p5: held for a prediction, never joined.
  events.push(feedback('nope-1', now, 'x'), feedback('nope-2', now, 'x'), feedback('p5', now, 'y'));
  applyEvents(s, events, catalog, config);

  assert.equal(s.counters.groundTruthReceived.get(['demo', 'v1']), 20);
  assert.equal(s.counters.groundTruthUnknown.get([]), 0, 'held while their prediction may still be read');
  assert.equal(s.earlyLabels.get('demo')?.size, 3);
  assert.equal(s.pendingByModel.get('demo'), 4, 'p20..p23 still wait for labels');
  assert.deepEqual(windowOutcome(s, 'demo', 'v1', now, 3_600_000), [12, 0, 16]);
  assert.deepEqual(windowOutcome(s, 'demo', 'v1', now, 86_400_000), [12, 0, 20]);

  const snap = computeSnapshot(s, catalog, config, now);
  const cell = (window: string) => snap.quality.find((q) => q.model === 'demo' && q.version === 'v1' && q.window === window);
  assert.equal(cell('1h')!.correct / cell('1h')!.total, 0.75);
  assert.equal(cell('1d')!.correct / cell('1d')!.total, 0.6);

  // Delay: p0..p3 labelled 1h after T0 (minus their offset), p4..p19 2h59m after.
  const h = s.delay.get('demo')!;
  assert.equal(h.count, 20);
  let expectedSum = 0;
  for (let i = 0; i < 4; i++) expectedSum += (now - 2 * 3_600_000 - (T0 + i * 1000)) / 1000;
  for (let i = 4; i < 20; i++) expectedSum += (now - 60_000 - (T0 + i * 1000)) / 1000;
  assert.equal(h.sum, expectedSum);

  // Once the early-label TTL has passed in event time, they are unknown.
  applyEvents(s, [prediction('later', now + config.earlyLabelTtlMs + 1, { a: 1, b: 150 }, 'x')], catalog, config);
  assert.equal(s.counters.groundTruthUnknown.get([]), 3);
  assert.equal(s.counters.groundTruthEarlyEvicted.get(['demo', 'expired']), 3);
  assert.equal(s.earlyLabels.size, 0);
});

test('the pending set is bounded: the oldest predictions expire and their late labels count as unknown', () => {
  const s = emptyState();
  const small = { ...config, pendingMax: 3 };
  applyEvents(
    s,
    [0, 1, 2, 3, 4].map((i) => prediction(`p${i}`, T0 + i, { a: 1, b: 150 }, 'x')),
    catalog,
    small,
  );
  assert.equal(s.pending.size, 3);
  assert.equal(s.counters.groundTruthExpired.get(['demo']), 2);
  applyEvents(s, [feedback('p0', T0 + 10, 'x'), feedback('p4', T0 + 10, 'x')], catalog, small);
  assert.equal(s.counters.groundTruthReceived.get(['demo', 'v1']), 1);
  assert.equal(s.earlyLabels.get('demo')?.size, 1, "p0's late label waits, in case its prediction is yet to be read");
  applyEvents(s, [prediction('p9', T0 + 10 + small.earlyLabelTtlMs + 1, { a: 1, b: 150 }, 'x')], catalog, small);
  assert.equal(s.counters.groundTruthUnknown.get([]), 1);

  // And by age, measured against the newest event time (so a replay expires the same ones).
  const aged = emptyState();
  const ttl = tunedConfig({ ...DEFAULT_EXPORTER_CONFIG, pendingTtlMs: 1000 });
  applyEvents(aged, [prediction('old', T0, { a: 1, b: 150 }, 'x'), prediction('new', T0 + 5000, { a: 1, b: 150 }, 'x')], catalog, ttl);
  assert.deepEqual([...aged.pending.keys()], ['new']);
});

test('drift of the window: same data as training scores no drift, shifted data scores major drift on that feature only', () => {
  const s = emptyState();
  const events: unknown[] = [];
  // 200 predictions whose features walk the training values exactly twice: PSI 0, KS 0.
  for (let i = 0; i < 200; i++) {
    events.push(
      prediction(`n${i}`, T0 + i, { a: (i % 100) / 10, b: 100 + (i % 100) }, ['x', 'y', 'z'][i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2]!),
    );
  }
  applyEvents(s, events, catalog, config);
  let snap = computeSnapshot(s, catalog, config, T0);
  let d = snap.drift.get(V1)!;
  assert.equal(d.windowSamples, 200);
  assert.ok(d.features.get('a')!.psi! < 1e-12);
  assert.equal(d.features.get('a')!.statistic, 0);
  assert.equal(d.prediction?.psi, 0, 'class mix 50/30/20 as in training');
  assert.equal(d.driftShare, 0);

  // Replace the whole window (size 1000) with `a` shifted by +5: half of it above the training range.
  const shifted: unknown[] = [];
  for (let i = 0; i < 1000; i++) shifted.push(prediction(`s${i}`, T0 + 1000 + i, { a: (i % 100) / 10 + 5, b: 100 + (i % 100) }, 'x'));
  applyEvents(s, shifted, catalog, config);
  snap = computeSnapshot(s, catalog, config, T0 + 5000);
  d = snap.drift.get(V1)!;
  assert.equal(d.windowSamples, 1000);
  assert.ok(d.features.get('a')!.psi! > 0.25, `psi a ${d.features.get('a')!.psi}`);
  assert.ok(d.features.get('a')!.pValue! < 0.05);
  assert.ok(d.features.get('b')!.psi! < 0.1, `psi b ${d.features.get('b')!.psi}`);
  assert.equal(d.driftShare, 0.5);
  assert.ok(d.prediction!.psi! > 0.25, 'all predictions are x now');
});

test('every version has its own drift window against its own reference, from its first event', () => {
  const s = emptyState();
  applyEvents(
    s,
    [1, 2, 3].map((i) => prediction(`v1-${i}`, T0 + i, { a: 1, b: 150 }, 'x')),
    catalog,
    config,
  );
  // v2 registered mid-stream, with a reference shifted by +50 on both features.
  const v2meta = syntheticMetadata('demo', 'v2');
  for (const f of Object.values(v2meta.reference.features)) {
    if (f.type === 'categorical') continue;
    f.values = f.values.map((v) => v + 50);
    f.bin_edges = f.bin_edges.map((v) => v + 50);
    f.min += 50;
    f.max += 50;
  }
  const v2 = catalogOf([catalogModel(v2meta, ['v1', 'v2'], [syntheticMetadata('demo', 'v1')])]);
  let snap = computeSnapshot(s, v2, config, T0);
  assert.equal(snap.drift.get(V1)!.windowSamples, 3, 'v1 keeps its window after v2 became current');
  assert.equal(snap.drift.get(versionKey('demo', 'v2'))!.windowSamples, 0, 'the current version reports an empty window');
  applyEvents(
    s,
    [prediction('late-v1', T0 + 5, { a: 1, b: 150 }, 'x'), prediction('v2-1', T0 + 6, { a: 51, b: 200 }, 'y', 'demo', 'v2')],
    v2,
    config,
  );
  snap = computeSnapshot(s, v2, config, T0);
  const d2 = snap.drift.get(versionKey('demo', 'v2'))!;
  assert.equal(d2.windowSamples, 1, 'the v2 window holds the v2 event at once');
  assert.equal(snap.drift.get(V1)!.windowSamples, 4);
  assert.equal(d2.features.get('a')!.psi, undefined, 'one prediction: PSI is not yet meaningful');
  assert.equal(d2.driftShare, undefined, 'nor is the drift share');
  assert.equal(d2.features.get('a')!.statistic, snap.drift.get(V1)!.features.get('a')!.statistic, 'a=51 sits in v2 where a=1 sits in v1');
  assert.equal(s.counters.predictions.get(['demo', 'v1', 'x']), 4, 'v1 predictions are still counted under v1');
  assert.equal(s.counters.predictions.get(['demo', 'v2', 'y']), 1);
});

test('regression quality: MAE and RMSE from labels exactly; predicted values drift against the reference predictions', () => {
  const table = parseCsvTable('x,y,p\n' + Array.from({ length: 100 }, (_, i) => `${i},${i * 2},${i * 2 + 1}`).join('\n') + '\n', 'r.csv');
  const meta = profileTable(table, { model: 'reg', target: 'y', predictionColumn: 'p', version: 'v1', fingerprint: 'sha256:0' });
  const cat = catalogOf([catalogModel(meta)]);
  const s = emptyState();
  const events: unknown[] = [];
  // Predictions 10, 20, 30, 40; labels 12, 17, 30, 44: errors -2, +3, 0, -4.
  [10, 20, 30, 40].forEach((p, i) =>
    events.push({ type: 'prediction', id: `r${i}`, ts: T0 + i, model: 'reg', version: 'v1', features: { x: i }, prediction: p }),
  );
  [12, 17, 30, 44].forEach((l, i) => events.push({ type: 'feedback', id: `r${i}`, ts: T0 + 100 + i, model: 'reg', version: '', label: l }));
  // A label of the wrong kind for a regression model is counted as malformed, not joined.
  events.push({ type: 'prediction', id: 'r9', ts: T0 + 9, model: 'reg', version: 'v1', features: { x: 1 }, prediction: 5 });
  events.push({ type: 'feedback', id: 'r9', ts: T0 + 109, model: 'reg', version: '', label: 'high' });
  applyEvents(s, events, cat, config);
  assert.deepEqual(windowOutcome(s, 'reg', 'v1', T0 + 1000, 3_600_000), [2 + 3 + 0 + 4, 4 + 9 + 0 + 16, 4]);
  assert.equal(s.counters.eventsIgnored.get(['malformed']), 1);
  const snap = computeSnapshot(s, cat, config, T0 + 1000);
  const q = snap.quality.find((c) => c.window === '1h')!;
  assert.equal(q.kind, 'regression');
  assert.equal(q.absError / q.total, 9 / 4);
  assert.equal(Math.sqrt(q.squaredError / q.total), Math.sqrt(29 / 4));
  const d = snap.drift.get(versionKey('reg', 'v1'))!;
  assert.equal(d.prediction?.test, 'ks', 'a numeric output drifts by PSI and KS');
  assert.equal(s.counters.predictions.get(['reg', 'v1']), 5, 'regression predictions carry no class label');
});

test('a label read before its prediction is held and joined once the prediction is read', () => {
  const s = emptyState();
  // The label comes first (another spool stream, or a backlog ahead of the prediction).
  applyEvents(s, [feedback('early', T0 + 2000, 'x')], catalog, config);
  assert.equal(s.counters.groundTruthUnknown.get([]), 0);
  assert.equal(s.counters.groundTruthReceived.get(['demo', 'v1']), 0);
  assert.equal(earlyLabelCount(s, 'demo'), 1);

  applyEvents(s, [prediction('early', T0, { a: 1, b: 150 }, 'x'), prediction('other', T0 + 1, { a: 1, b: 150 }, 'y')], catalog, config);
  assert.equal(s.counters.groundTruthReceived.get(['demo', 'v1']), 1);
  assert.equal(s.counters.groundTruthUnknown.get([]), 0);
  assert.equal(earlyLabelCount(s, 'demo'), 0);
  assert.deepEqual([...s.pending.keys()], ['other'], 'the joined prediction no longer waits');
  // The outcome counts at the label's own time, the delay from prediction to label.
  assert.deepEqual(windowOutcome(s, 'demo', 'v1', T0 + 2000, 3_600_000), [1, 0, 1]);
  assert.equal(s.delay.get('demo')?.sum, 2);
});

test('the early-label buffer is bounded per model by count and by TTL; evictions are counted', () => {
  const s = emptyState();
  const small = { ...config, earlyLabelMax: 2, earlyLabelTtlMs: 60_000 };
  applyEvents(s, [feedback('a', T0, 'x'), feedback('b', T0 + 1, 'x'), feedback('c', T0 + 2, 'x')], catalog, small);
  assert.deepEqual([...(s.earlyLabels.get('demo')?.keys() ?? [])], ['b', 'c'], 'the oldest goes first');
  assert.equal(s.counters.groundTruthEarlyEvicted.get(['demo', 'overflow']), 1);
  assert.equal(s.counters.groundTruthUnknown.get([]), 1);

  // A label naming no registered model is never held.
  applyEvents(s, [feedback('z', T0 + 3, 'x', 'no-such-model')], catalog, small);
  assert.equal(s.counters.groundTruthUnknown.get([]), 2);
  assert.equal(s.earlyLabels.has('no-such-model'), false);

  // 'a' was pushed out: its prediction waits for a label again; 'b' is still held and joins.
  applyEvents(s, [prediction('a', T0 + 4, { a: 1, b: 150 }, 'x'), prediction('b', T0 + 5, { a: 1, b: 150 }, 'x')], catalog, small);
  assert.equal(s.counters.groundTruthReceived.get(['demo', 'v1']), 1);
  assert.ok(s.pending.has('a'));

  // The TTL runs in event time from when the label arrived.
  applyEvents(s, [prediction('d', T0 + 2 + 60_000, { a: 1, b: 150 }, 'x')], catalog, small);
  assert.equal(earlyLabelCount(s, 'demo'), 1, 'c is exactly at its TTL: still held');
  applyEvents(s, [prediction('e', T0 + 3 + 60_000, { a: 1, b: 150 }, 'x')], catalog, small);
  assert.equal(earlyLabelCount(s, 'demo'), 0);
  assert.equal(s.counters.groundTruthEarlyEvicted.get(['demo', 'expired']), 1);
  assert.equal(s.counters.groundTruthUnknown.get([]), 3);

  // Disabled: every label without its prediction is unknown at once.
  const none = emptyState();
  applyEvents(none, [feedback('f', T0, 'x')], catalog, { ...config, earlyLabelMax: 0 });
  assert.equal(none.counters.groundTruthUnknown.get([]), 1);
  assert.equal(none.earlyLabels.size, 0);
});

test('held labels survive a restart through the checkpoint and join their prediction after it', () => {
  const s = emptyState();
  applyEvents(s, [feedback('r', T0 + 1000, 'y')], catalog, config);
  const restored = deserializeState(serializeState(s, T0, NO_WINDOWS), () => config.windowSize, 'state.json').state;
  assert.deepEqual(restored.earlyLabels, s.earlyLabels);
  applyEvents(restored, [prediction('r', T0, { a: 1, b: 150 }, 'x')], catalog, config);
  assert.equal(restored.counters.groundTruthReceived.get(['demo', 'v1']), 1);
  assert.deepEqual(windowOutcome(restored, 'demo', 'v1', T0 + 1000, 3_600_000), [0, 0, 1], 'x predicted, y was true');
});
