import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openEventWriter,
  readEvents,
  releaseSegmentsBefore,
  segmentFileName,
  SPOOL_START,
  type InferenceEvent,
  type SpoolPosition,
} from '../../src/events/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mlmon-events-'));
}

function prediction(n: number): InferenceEvent {
  return {
    type: 'prediction',
    id: `req-${n}`,
    ts: 1_700_000_000_000 + n,
    model: 'iris',
    version: 'v1',
    features: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
    prediction: 'setosa',
    confidence: 0.98,
  };
}

test('events written are read back in order, and the position resumes where it stopped', async () => {
  const dir = tempDir();
  try {
    const w = await openEventWriter({ dir });
    for (let i = 0; i < 10; i++) w.append(prediction(i));
    w.append({ type: 'feedback', id: 'req-3', ts: 1, label: 'setosa', model: 'iris', version: 'v1' });
    await w.close();
    assert.deepEqual(w.stats, { appended: 11, written: 11, dropped: 0, buffered: 0, segment: 1 });

    const first = await readEvents(dir, SPOOL_START, 4);
    assert.deepEqual(
      first.events.map((e) => e.id),
      ['req-0', 'req-1', 'req-2', 'req-3'],
    );
    const rest = await readEvents(dir, first.next, 100);
    assert.equal(rest.events.length, 7);
    assert.deepEqual(rest.events[6], { type: 'feedback', id: 'req-3', ts: 1, label: 'setosa', model: 'iris', version: 'v1' });
    const none = await readEvents(dir, rest.next, 100);
    assert.equal(none.events.length, 0);
    assert.deepEqual(none.next, rest.next);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reading an empty or missing spool returns nothing and stays at the start', async () => {
  const res = await readEvents(join(tmpdir(), 'mlmon-no-such-spool-' + process.pid), SPOOL_START, 10);
  assert.deepEqual(res, { events: [], next: { segment: 0, offset: 0 }, skippedCorrupt: 0 });
});

test('a line without its newline is not consumed until it is complete', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, segmentFileName(1));
    const line = JSON.stringify(prediction(1));
    writeFileSync(path, JSON.stringify(prediction(0)) + '\n' + line.slice(0, 20));
    const a = await readEvents(dir, SPOOL_START, 10);
    assert.deepEqual(
      a.events.map((e) => e.id),
      ['req-0'],
    );
    appendFileSync(path, line.slice(20) + '\n');
    const b = await readEvents(dir, a.next, 10);
    assert.deepEqual(
      b.events.map((e) => e.id),
      ['req-1'],
    );
    assert.equal(b.skippedCorrupt, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted writer starts a new segment; the torn tail and garbage lines are skipped and counted', async () => {
  const dir = tempDir();
  try {
    // A crashed writer left segment 1 with a garbage line and a torn last line.
    writeFileSync(join(dir, segmentFileName(1)), JSON.stringify(prediction(0)) + '\nnot json\n{"type":"other"}\n{"type":"predic');
    const w = await openEventWriter({ dir });
    w.append(prediction(1));
    await w.close();
    assert.equal(w.stats.segment, 2);
    assert.deepEqual(readdirSync(dir).sort(), [segmentFileName(1), segmentFileName(2)]);
    const res = await readEvents(dir, SPOOL_START, 10);
    assert.deepEqual(
      res.events.map((e) => e.id),
      ['req-0', 'req-1'],
    );
    assert.equal(res.skippedCorrupt, 3);
    assert.equal(res.next.segment, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('segments rotate at the size bound; the disk bound deletes the oldest and counts its events as dropped', async () => {
  const dir = tempDir();
  try {
    const lineBytes = JSON.stringify(prediction(100)).length + 1;
    const w = await openEventWriter({ dir, maxSegmentBytes: lineBytes * 10, maxTotalBytes: lineBytes * 30 });
    for (let i = 100; i < 150; i++) w.append(prediction(i)); // 5 segments of 10
    await w.close();
    assert.equal(w.stats.written, 50);
    // At the rotation into segment 5, segments 1..4 held 40 lines > 30: segment 1 goes.
    assert.equal(w.stats.dropped, 10);
    const res = await readEvents(dir, SPOOL_START, 1000);
    assert.equal(res.events.length, 40);
    assert.equal(res.events[0]!.id, 'req-110');
    // A reader that stood in a deleted segment moves on to the oldest remaining one.
    const stale = await readEvents(dir, { segment: 1, offset: 77 }, 1);
    assert.equal(stale.events[0]!.id, 'req-110');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('releaseSegmentsBefore deletes only the segments before the position', async () => {
  const dir = tempDir();
  try {
    const lineBytes = JSON.stringify(prediction(100)).length + 1;
    const w = await openEventWriter({ dir, maxSegmentBytes: lineBytes * 2 });
    for (let i = 100; i < 106; i++) w.append(prediction(i));
    await w.close();
    const res = await readEvents(dir, SPOOL_START, 3);
    assert.deepEqual(res.next, { segment: 2, offset: lineBytes });
    assert.equal(await releaseSegmentsBefore(dir, res.next), 1);
    assert.deepEqual(readdirSync(dir).sort(), [segmentFileName(2), segmentFileName(3)]);
    const rest = await readEvents(dir, res.next, 10);
    assert.deepEqual(
      rest.events.map((e) => e.id),
      ['req-103', 'req-104', 'req-105'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no loss under load: 100k events, small segments, a following reader and a writer restart', async () => {
  const dir = tempDir();
  const total = 100_000;
  const restartAt = 50_000;
  try {
    let writer = await openEventWriter({ dir, maxSegmentBytes: 64 * 1024, flushIntervalMs: 5 });
    let writing = true;
    const produce = (async () => {
      for (let i = 0; i < total; i++) {
        if (i === restartAt) {
          await writer.close();
          writer = await openEventWriter({ dir, maxSegmentBytes: 64 * 1024, flushIntervalMs: 5 });
        }
        writer.append(prediction(i));
        // Yield now and then, as a server between requests does.
        if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      await writer.close();
      writing = false;
    })();

    const seen: number[] = [];
    // The consumer persists its position as JSON, like the exporter's state file,
    // and "restarts" (re-reads it) every round.
    let saved = JSON.stringify(SPOOL_START);
    let skipped = 0;
    for (;;) {
      const from = JSON.parse(saved) as SpoolPosition;
      const res = await readEvents(dir, from, 3000);
      for (const e of res.events) seen.push(Number(e.id.slice(4)));
      skipped += res.skippedCorrupt;
      saved = JSON.stringify(res.next);
      await releaseSegmentsBefore(dir, res.next);
      if (res.events.length === 0) {
        if (!writing) {
          const last = await readEvents(dir, JSON.parse(saved) as SpoolPosition, total);
          for (const e of last.events) seen.push(Number(e.id.slice(4)));
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    await produce;
    assert.equal(skipped, 0);
    assert.equal(seen.length, total, 'every event exactly once');
    for (let i = 0; i < total; i++) if (seen[i] !== i) assert.fail(`event ${i} out of order: got ${seen[i]}`);
    assert.ok(readdirSync(dir).length <= 2, 'consumed segments were released');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
