import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { startExporter, type RunningExporter } from '../../src/exporter/index.js';
import { checkpointPath } from '../../src/exporter/checkpoint.js';
import { acceptsGzip } from '../../src/exporter/service.js';
import { freePort } from '../../src/net.js';
import { stackPaths } from '../../src/definition/index.js';
import { feedback, prediction, sampleValue, spool, syntheticMetadata, tempDataDir, writeRegistry } from './fixtures.js';

const silent = pino({ level: 'silent' });
const dirs: string[] = [];
const running = new Set<RunningExporter>();
after(async () => {
  for (const e of running) await e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, extra: { releaseSpool?: boolean } = {}): Promise<RunningExporter> {
  // Long timers: the test drives ingest and compute through refresh().
  const e = await startExporter({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir,
    logger: silent,
    pollIntervalMs: 60_000,
    computeIntervalMs: 60_000,
    checkpointIntervalMs: 60_000,
    ...extra,
  });
  running.add(e);
  return e;
}
async function stop(e: RunningExporter): Promise<void> {
  await e.close();
  running.delete(e);
}
async function scrape(e: RunningExporter): Promise<string> {
  const res = await fetch(`${e.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

function setup(tag: string): string {
  const d = tempDataDir(tag);
  dirs.push(d);
  writeRegistry(d, syntheticMetadata());
  return d;
}

const now = Date.now();

test('metrics reflect the spool and the registry, with known series present at 0 before any event', async () => {
  const dataDir = setup('metrics');
  const e = await start(dataDir);
  let text = await scrape(e);
  assert.equal(sampleValue(text, 'ml_model_info', { model: 'demo', version: 'v1', type: 'classification' }), 1);
  assert.equal(sampleValue(text, 'ml_model_reference_accuracy', { model: 'demo', version: 'v1' }), 0.9);
  assert.equal(sampleValue(text, 'ml_model_last_trained_timestamp_seconds', { model: 'demo', version: 'v1' }), 1767225600);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'z' }), 0);
  assert.equal(sampleValue(text, 'ml_feature_missing_total', { model: 'demo', feature: 'b' }), 0);
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'demo', version: 'v1' }), 0);
  assert.equal(
    sampleValue(text, 'ml_feature_drift_score', { model: 'demo', version: 'v1', feature: 'a', method: 'psi' }),
    undefined,
    'no drift without data',
  );
  assert.equal(sampleValue(text, 'ml_drift_threshold', { model: 'demo', method: 'psi', level: 'major' }), 0.25);
  assert.equal(sampleValue(text, 'ml_alert_threshold', { model: 'demo', threshold: 'min_window_samples' }), 200);

  await spool(dataDir, [
    prediction('r1', now - 5000, { a: 1, b: 150 }, 'x'),
    prediction('r2', now - 4000, { a: 50, b: null }, 'y'),
    prediction('r3', now - 3000, { a: 3, b: 130 }, 'x'),
    feedback('r1', now - 1000, 'x'),
    feedback('r2', now - 1000, 'x'),
    feedback('never-predicted', now - 1000, 'x'),
  ]);
  await e.refresh();
  text = await scrape(e);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'x' }), 2);
  assert.equal(sampleValue(text, 'ml_feature_out_of_range_total', { model: 'demo', feature: 'a' }), 1);
  assert.equal(sampleValue(text, 'ml_feature_missing_total', { model: 'demo', feature: 'b' }), 1);
  assert.equal(sampleValue(text, 'ml_feature_values_total', { model: 'demo', feature: 'a' }), 3);
  assert.equal(sampleValue(text, 'ml_model_accuracy', { model: 'demo', version: 'v1', window: '1h' }), 0.5);
  assert.equal(sampleValue(text, 'ml_model_quality_samples', { model: 'demo', version: 'v1', window: '1h' }), 2);
  assert.equal(sampleValue(text, 'ml_ground_truth_received_total', { model: 'demo', version: 'v1' }), 2);
  // The label of a prediction not (yet) read is held for it, not unknown.
  assert.equal(sampleValue(text, 'ml_ground_truth_unknown_total'), 0);
  assert.equal(sampleValue(text, 'ml_ground_truth_early_labels', { model: 'demo' }), 1);
  assert.equal(sampleValue(text, 'ml_ground_truth_early_evicted_total', { model: 'demo', reason: 'expired' }), 0);
  assert.equal(sampleValue(text, 'ml_ground_truth_pending', { model: 'demo' }), 1);
  assert.equal(sampleValue(text, 'ml_ground_truth_delay_seconds_count', { model: 'demo' }), 2);
  assert.equal(sampleValue(text, 'ml_ground_truth_delay_seconds_bucket', { model: 'demo', le: '5' }), 2, 'delays of 4 s and 3 s');
  assert.equal(sampleValue(text, 'ml_exporter_events_processed_total'), 6);
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'demo', version: 'v1' }), 3);
  assert.ok(sampleValue(text, 'ml_feature_drift_score', { model: 'demo', version: 'v1', feature: 'a', method: 'ks' })! > 0);
  assert.ok(sampleValue(text, 'ml_feature_drift_p_value', { model: 'demo', version: 'v1', feature: 'a', method: 'ks' })! <= 1);
  // Three predictions are below the minimum window: PSI and the drift share are not yet meaningful.
  assert.equal(sampleValue(text, 'ml_feature_drift_score', { model: 'demo', version: 'v1', feature: 'a', method: 'psi' }), undefined);
  assert.equal(sampleValue(text, 'ml_dataset_drift_share', { model: 'demo', version: 'v1' }), undefined);
  assert.equal(sampleValue(text, 'ml_prediction_drift_score', { model: 'demo', version: 'v1', method: 'psi' }), undefined);
  assert.ok(sampleValue(text, 'ml_exporter_last_compute_timestamp_seconds')! >= Math.floor(now / 1000));
  assert.equal(sampleValue(text, 'ml_exporter_errors_total', { stage: 'compute' }), 0);

  // Its prediction read later: joined.
  await spool(dataDir, [prediction('never-predicted', now - 2000, { a: 2, b: 140 }, 'x')]);
  await e.refresh();
  text = await scrape(e);
  assert.equal(sampleValue(text, 'ml_ground_truth_received_total', { model: 'demo', version: 'v1' }), 3);
  assert.equal(sampleValue(text, 'ml_ground_truth_early_labels', { model: 'demo' }), 0);
  assert.equal(sampleValue(text, 'ml_ground_truth_unknown_total'), 0);
  await stop(e);
});

test('a scrape that asks for gzip gets the same text gzipped, one that does not gets it as it is', async () => {
  const dataDir = setup('gzip');
  const e = await start(dataDir);
  const plain = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) =>
    get(`${e.url}/metrics`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject),
  );
  const zipped = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) =>
    get(`${e.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject),
  );
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(zipped.body).toString(), plain.body.toString());
  assert.ok(zipped.body.length < plain.body.length);
  assert.deepEqual(
    ['gzip', 'deflate, gzip', 'GZIP;q=0.5', 'br, gzip;q=0', 'identity', undefined].map((h) => acceptsGzip(h)),
    [true, true, true, false, false, false],
  );
  await stop(e);
});

test('promtool check metrics accepts /metrics', async () => {
  const dataDir = setup('promtool');
  await spool(dataDir, [prediction('q1', now, { a: 1, b: 150 }, 'x'), feedback('q1', now + 2000, 'y')]);
  const e = await start(dataDir);
  const text = await scrape(e);
  await stop(e);
  const res = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(res.error, undefined, 'promtool must be installed');
  assert.equal(res.status, 0, `promtool check metrics:\n${res.stdout}${res.stderr}`);
  assert.equal(res.stdout + res.stderr, '', 'no lint findings either');
});

test('a restart neither double-counts nor loses events or labels', async () => {
  const dataDir = setup('restart');
  const batch1 = [];
  for (let i = 0; i < 30; i++) batch1.push(prediction(`a${i}`, now + i, { a: 1, b: 150 }, 'x'));
  for (let i = 0; i < 10; i++) batch1.push(feedback(`a${i}`, now + 100, i < 8 ? 'x' : 'y'));
  await spool(dataDir, batch1);
  let e = await start(dataDir);
  await stop(e); // clean stop: state saved

  // Labels for predictions seen before the restart, and new traffic, arrive while it is down.
  const batch2 = [];
  for (let i = 10; i < 30; i++) batch2.push(feedback(`a${i}`, now + 200, i < 25 ? 'x' : 'y'));
  for (let i = 0; i < 5; i++) batch2.push(prediction(`b${i}`, now + 300, { a: 2, b: 160 }, 'y'));
  await spool(dataDir, batch2);
  e = await start(dataDir);
  let text = await scrape(e);
  assert.equal(sampleValue(text, 'ml_exporter_events_processed_total'), 65); // 40 + 25
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'x' }), 30);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'y' }), 5);
  assert.equal(sampleValue(text, 'ml_ground_truth_received_total', { model: 'demo', version: 'v1' }), 30);
  assert.equal(sampleValue(text, 'ml_ground_truth_unknown_total'), 0, 'labels for pre-restart predictions were joined');
  assert.equal(sampleValue(text, 'ml_ground_truth_pending', { model: 'demo' }), 5);
  // 8 + 15 right of 30.
  assert.equal(sampleValue(text, 'ml_model_accuracy', { model: 'demo', version: 'v1', window: '1h' }), 23 / 30);
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'demo', version: 'v1' }), 35);

  // A crash: the checkpoint on disk is older than what the process had counted.
  // Keep a copy of the current checkpoint, let the exporter count more, then put the
  // old one back as if the process had died before saving again.
  await stop(e);
  const saved = join(dataDir, 'old-checkpoint.json');
  copyFileSync(checkpointPath(stackPaths(dataDir).exporterStateDir), saved);
  await spool(dataDir, [feedback('b0', now + 400, 'y'), prediction('c0', now + 400, { a: 3, b: 170 }, 'z')]);
  e = await start(dataDir, { releaseSpool: false });
  await stop(e);
  copyFileSync(saved, checkpointPath(stackPaths(dataDir).exporterStateDir));
  e = await start(dataDir);
  text = await scrape(e);
  assert.equal(sampleValue(text, 'ml_exporter_events_processed_total'), 67);
  assert.equal(sampleValue(text, 'ml_ground_truth_received_total', { model: 'demo', version: 'v1' }), 31);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'z' }), 1);
  assert.equal(sampleValue(text, 'ml_model_accuracy', { model: 'demo', version: 'v1', window: '1h' }), 24 / 31);
  await stop(e);
});

test('consumed spool segments are released once the checkpoint has passed them', async () => {
  const dataDir = setup('release');
  await spool(dataDir, [prediction('s1', now, { a: 1, b: 150 }, 'x')]);
  await spool(dataDir, [prediction('s2', now, { a: 1, b: 150 }, 'x')]); // a second writer opens a new segment
  const e = await start(dataDir);
  await stop(e);
  const left = readdirSync(stackPaths(dataDir).eventsDir).filter((n) => n.endsWith('.jsonl'));
  assert.equal(left.length, 1, `segments left: ${left.join(', ')}`);
  assert.ok(existsSync(checkpointPath(stackPaths(dataDir).exporterStateDir)));
});

test('a corrupt line in the spool is counted as a decode error and the events after it still count', async () => {
  const dataDir = setup('corrupt');
  await spool(dataDir, [prediction('k1', now, { a: 1, b: 150 }, 'x')]);
  const eventsDir = stackPaths(dataDir).eventsDir;
  const segment = readdirSync(eventsDir).find((n) => n.endsWith('.jsonl'))!;
  appendFileSync(join(eventsDir, segment), '{"type":"prediction", oops\n');
  await spool(dataDir, [prediction('k2', now, { a: 1, b: 150 }, 'y')]);
  const e = await start(dataDir);
  const text = await scrape(e);
  await stop(e);
  assert.equal(sampleValue(text, 'ml_exporter_errors_total', { stage: 'decode' }), 1);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'x' }), 1);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'y' }), 1);
});

test('a model with unreadable metadata is counted as a registry error and the others keep working', async () => {
  const dataDir = setup('badmodel');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const broken = join(stackPaths(dataDir).registryDir, 'broken', 'v1');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'metadata.json'), '{ not json');
  await spool(dataDir, [prediction('m1', now, { a: 1, b: 150 }, 'x'), prediction('m2', now, { a: 1 }, 'x', 'broken')]);
  const e = await start(dataDir);
  const text = await scrape(e);
  await stop(e);
  assert.ok(sampleValue(text, 'ml_exporter_errors_total', { stage: 'registry' })! >= 1);
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'x' }), 1);
  assert.equal(sampleValue(text, 'ml_exporter_events_ignored_total', { reason: 'unknown_model' }), 1);
  assert.equal(sampleValue(text, 'ml_model_info', { model: 'broken', version: 'v1', type: 'classification' }), undefined);
});
