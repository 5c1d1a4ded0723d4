import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { startGateway } from '../../src/gateway/index.js';
import { startExporter, type RunningExporter } from '../../src/exporter/index.js';
import { irisRows, IRIS_FEATURES } from '../../src/model/index.js';
import { freePorts } from '../../src/net.js';
import { sampleValue, tempDataDir } from './fixtures.js';

const WINDOW = 600;
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function post(url: string, body: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: unknown = await res.json();
  assert.ok(res.ok, `${method} ${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** WINDOW predictions cycling through the whole iris dataset, in batches, each labelled with its true class. */
async function traffic(gateway: string): Promise<void> {
  const rows = irisRows();
  for (let start = 0; start < WINDOW; start += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => rows[(start + k) % rows.length]!);
    const instances = batch.map((r) => Object.fromEntries(IRIS_FEATURES.map((f, j) => [f, r.features[j]])));
    const res = (await post(`${gateway}/predict`, { instances })) as { predictions: { request_id: string }[] };
    await Promise.all(res.predictions.map((p, k) => post(`${gateway}/feedback`, { request_id: p.request_id, label: batch[k]!.label })));
  }
}

/** Refresh until the exporter has seen `events` events (the gateway flushes its spool every 100 ms). */
async function metricsAfter(exporter: RunningExporter, events: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await exporter.refresh();
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    if ((sampleValue(text, 'ml_exporter_events_processed_total') ?? 0) >= events || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a feature shifted through the gateway fault control drifts; the others stay stable', async () => {
  const dataDir = tempDataDir('scenario');
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const [gatewayPort, exporterPort] = await freePorts(2);
  const gateway = await startGateway({ host: '127.0.0.1', port: gatewayPort!, dataDir, admin: true, logLevel: 'silent' });
  cleanup.push(() => gateway.close());
  const exporter = await startExporter({
    host: '127.0.0.1',
    port: exporterPort!,
    dataDir,
    windowSize: WINDOW,
    logger: pino({ level: 'silent' }),
    pollIntervalMs: 60_000,
    computeIntervalMs: 60_000,
  });
  cleanup.push(() => exporter.close());
  const psi = (text: string, feature: string) =>
    sampleValue(text, 'ml_feature_drift_score', { model: 'iris', version: 'v1', feature, method: 'psi' })!;

  await traffic(gateway.url);
  let text = await metricsAfter(exporter, 2 * WINDOW);
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'iris', version: 'v1' }), WINDOW);
  for (const f of IRIS_FEATURES) assert.ok(psi(text, f) < 0.1, `normal traffic: PSI of ${f} is ${psi(text, f)}`);
  assert.equal(sampleValue(text, 'ml_dataset_drift_share', { model: 'iris', version: 'v1' }), 0);
  assert.equal(sampleValue(text, 'ml_model_quality_samples', { model: 'iris', version: 'v1', window: '1h' }), WINDOW);
  assert.ok(sampleValue(text, 'ml_model_accuracy', { model: 'iris', version: 'v1', window: '1h' })! > 0.8);

  await post(`${gateway.url}/admin/fault`, { feature_shift: { petal_length: 2.5 } }, 'PUT');
  await traffic(gateway.url);
  text = await metricsAfter(exporter, 4 * WINDOW);
  assert.ok(psi(text, 'petal_length') > 0.25, `shifted: PSI of petal_length is ${psi(text, 'petal_length')}`);
  assert.ok(sampleValue(text, 'ml_feature_drift_p_value', { model: 'iris', version: 'v1', feature: 'petal_length', method: 'ks' })! < 0.05);
  for (const f of IRIS_FEATURES.filter((x) => x !== 'petal_length'))
    assert.ok(psi(text, f) < 0.1, `shifted: PSI of ${f} is ${psi(text, f)}`);
  assert.equal(sampleValue(text, 'ml_dataset_drift_share', { model: 'iris', version: 'v1' }), 0.25);
  assert.ok(sampleValue(text, 'ml_feature_out_of_range_total', { model: 'iris', feature: 'petal_length' })! > 0);

  // Clearing the fault brings the window back once normal traffic has replaced it.
  const res = await fetch(`${gateway.url}/admin/fault`, { method: 'DELETE' });
  assert.ok(res.ok);
  await traffic(gateway.url);
  text = await metricsAfter(exporter, 6 * WINDOW);
  assert.ok(psi(text, 'petal_length') < 0.1);
  assert.equal(sampleValue(text, 'ml_dataset_drift_share', { model: 'iris', version: 'v1' }), 0);
});
