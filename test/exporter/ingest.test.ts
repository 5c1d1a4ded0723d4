import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { MlmonClient } from 'mlmon';
import { startExporter, type RunningExporter } from '../../src/exporter/index.js';
import { registerModel } from '../../src/model/index.js';
import { seededRandom } from '../../src/model/random.js';
import { freePort, waitForHttp } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { stackPaths } from '../../src/definition/index.js';
import { readSecretFile } from '../../src/secrets.js';
import { sampleValue, tempDataDir } from './fixtures.js';
import { stopChild } from '../support/process.js';

// A churn model that is not iris: three numeric features, one categorical, a yes/no target.
const PLANS = ['basic', 'plus', 'pro'];
interface Row {
  age: number;
  income: number;
  tenure: number;
  plan: string;
  churned: string;
  predicted: string;
}

function rows(n: number, seed: number): Row[] {
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => {
    const tenure = Math.floor(rand() * 60);
    const churned = tenure < 12 && rand() < 0.7 ? 'yes' : 'no';
    return {
      age: Math.round(40 + 12 * normal()),
      income: Math.round(50_000 + 15_000 * normal()),
      tenure,
      plan: PLANS[Math.floor(rand() * 3)] as string,
      churned,
      predicted: rand() < 0.9 ? churned : churned === 'yes' ? 'no' : 'yes',
    };
  });
}

function csv(data: readonly Row[]): string {
  return (
    [
      'age,income,tenure,plan,churned,predicted',
      ...data.map((r) => `${r.age},${r.income},${r.tenure},${r.plan},${r.churned},${r.predicted}`),
    ].join('\n') + '\n'
  );
}

let dataDir: string;
let exporter: RunningExporter;
const TOKEN = 'test-token-0123456789';
const reference = rows(5000, 1);

before(async () => {
  dataDir = tempDataDir('ingest');
  const file = join(dataDir, 'churn.csv');
  writeFileSync(file, csv(reference));
  await registerModel({
    registryDir: stackPaths(dataDir).registryDir,
    model: 'churn',
    file,
    target: 'churned',
    predictionColumn: 'predicted',
  });
  exporter = await startExporter({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir,
    token: TOKEN,
    logger: pino({ level: 'silent' }),
    windowSize: 2000,
    pollIntervalMs: 3_600_000,
    computeIntervalMs: 3_600_000,
    checkpointIntervalMs: 3_600_000,
  });
});

after(async () => {
  await exporter.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, token: string | undefined = TOKEN, contentType = 'application/json') =>
  fetch(`${exporter.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const metrics = async () => (await fetch(`${exporter.url}/metrics`)).text();

test('a model registered from a CSV, fed through the ingest API: one shifted feature drifts, the others do not; labels give the exact accuracy', async () => {
  // 2,000 live rows drawn like the reference, with income shifted by +30,000.
  const live = rows(2000, 2);
  const client = new MlmonClient({ url: exporter.url, token: TOKEN, batchSize: 500 });
  live.forEach((r, i) =>
    client.prediction({
      model: 'churn',
      version: 'v1',
      id: `live-${i}`,
      features: { age: r.age, income: r.income + 30_000, tenure: r.tenure, plan: r.plan },
      prediction: r.predicted,
      scores: { yes: 0.7, no: 0.3 },
    }),
  );
  // Labels for the first 400: the prediction is right exactly where predicted === churned.
  const labelled = live.slice(0, 400);
  labelled.forEach((r, i) => client.feedback({ model: 'churn', id: `live-${i}`, label: r.churned }));
  await client.close();
  assert.deepEqual(
    { accepted: client.stats.accepted, rejected: client.stats.rejected, dropped: client.stats.dropped },
    { accepted: 2400, rejected: 0, dropped: 0 },
  );

  await exporter.refresh();
  const text = await metrics();
  const v1 = { model: 'churn', version: 'v1' };
  assert.equal(sampleValue(text, 'ml_drift_window_samples', v1), 2000);
  const psi = (feature: string) => sampleValue(text, 'ml_feature_drift_score', { ...v1, feature, method: 'psi' })!;
  assert.ok(psi('income') > 0.25, `income PSI ${psi('income')}`);
  for (const f of ['age', 'tenure', 'plan']) assert.ok(psi(f) < 0.1, `${f} PSI ${psi(f)}`);
  assert.ok(
    sampleValue(text, 'ml_feature_drift_p_value', { ...v1, feature: 'plan', method: 'chi2' })! > 0.01,
    'plan is categorical: chi-square',
  );
  assert.ok(sampleValue(text, 'ml_feature_drift_p_value', { ...v1, feature: 'income', method: 'ks' })! < 1e-6);
  const right = labelled.filter((r) => r.predicted === r.churned).length;
  assert.equal(sampleValue(text, 'ml_model_accuracy', { ...v1, window: '1h' }), right / 400);
  assert.equal(sampleValue(text, 'ml_model_quality_samples', { ...v1, window: '1h' }), 400);
  const refRight = reference.filter((r) => r.predicted === r.churned).length;
  assert.equal(sampleValue(text, 'ml_model_reference_accuracy', v1), refRight / reference.length);
  assert.equal(sampleValue(text, 'ml_ingest_events_accepted_total', { endpoint: 'events' }), 2000);
});

test('a second version registered mid-stream has its own drift window at once', async () => {
  const file = join(dataDir, 'churn-v2.csv');
  // v2 was trained on richer customers: its reference income matches the shifted traffic.
  writeFileSync(file, csv(rows(5000, 3).map((r) => ({ ...r, income: r.income + 30_000 }))));
  await registerModel({ registryDir: stackPaths(dataDir).registryDir, model: 'churn', file, target: 'churned', version: 'v2' });
  const live = rows(500, 4);
  const res = await post('/v1/events', {
    events: live.map((r, i) => ({
      model: 'churn',
      version: 'v2',
      id: `v2-${i}`,
      features: { age: r.age, income: r.income + 30_000, tenure: r.tenure, plan: r.plan },
      prediction: r.predicted,
    })),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), { accepted: 500, rejected: [] });
  await exporter.refresh();
  const text = await metrics();
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'churn', version: 'v2' }), 500);
  assert.equal(sampleValue(text, 'ml_drift_window_samples', { model: 'churn', version: 'v1' }), 2000, 'v1 keeps its window');
  const v2psi = sampleValue(text, 'ml_feature_drift_score', { model: 'churn', version: 'v2', feature: 'income', method: 'psi' })!;
  assert.ok(v2psi < 0.1, `v2 income PSI against its own reference ${v2psi}`);
  assert.equal(sampleValue(text, 'ml_model_info', { model: 'churn', version: 'v2', type: 'classification' }), 1);
});

test('the ingest API refuses bad items one by one, with a reason, counted without a series per value', async () => {
  const res = await post('/v1/events', {
    events: [
      { model: 'churn', version: 'v1', id: 'ok-1', features: { age: 30, income: 1, tenure: 3, plan: 'pro' }, prediction: 'no' },
      { model: 'nope', version: 'v1', id: 'x', features: {}, prediction: 'no' },
      { model: 'churn', version: 'v1', features: { age: 30 }, prediction: 'no' },
      { model: 'churn', version: 'v1', id: 'y', features: { age: 'thirty' }, prediction: 'no' },
      { model: 'churn', version: 'v7', id: 'z', features: { age: 1 }, prediction: 'no' },
      { model: 'churn', version: 'v1', id: 'w', features: { age: 1 }, prediction: 'no', timestamp: Date.now() / 1000 + 86_400 },
      'not an object',
    ],
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
  assert.equal(body.accepted, 1);
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.reason]),
    [
      [1, 'unknown_model'],
      [2, 'missing_id'],
      [3, 'non_numeric_value'],
      [4, 'unknown_version'],
      [5, 'bad_timestamp'],
      [6, 'not_an_object'],
    ],
  );
  const allBad = await post('/v1/feedback', { feedback: [{ model: 'churn', id: 'q' }] });
  assert.equal(allBad.status, 422, 'nothing accepted');
  assert.equal(((await allBad.json()) as { rejected: { reason: string }[] }).rejected[0]?.reason, 'bad_label');

  await exporter.refresh();
  const text = await metrics();
  assert.equal(sampleValue(text, 'ml_ingest_events_rejected_total', { endpoint: 'events', reason: 'non_numeric_value' }), 1);
  assert.equal(sampleValue(text, 'ml_ingest_events_rejected_total', { endpoint: 'feedback', reason: 'bad_label' }), 1);
  assert.ok(!text.includes('thirty') && !text.includes('"nope"'), 'refused values never become label values');
});

test('the ingest API needs the bearer token and a well-formed JSON body', async () => {
  const events = { events: [] };
  const none = await post('/v1/events', events, '');
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal((await post('/v1/events', events, 'wrong')).status, 401);
  const malformed = await post('/v1/events', '{"events": [');
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as { error: string }).error, 'malformed_json');
  assert.equal((await post('/v1/events', { event: [] })).status, 400);
  assert.equal((await post('/v1/events', 'x=1', TOKEN, 'application/x-www-form-urlencoded')).status, 415);
  const tooMany = await post('/v1/events', { events: new Array(10_001).fill({}) });
  assert.equal(tooMany.status, 413);
  assert.equal((await fetch(`${exporter.url}/v1/events`)).status, 405);
  // /metrics stays open to the scraper.
  assert.equal((await fetch(`${exporter.url}/metrics`)).status, 200);
});

test('a body over the limit from a client that sends it all before reading (Python urllib) gets its 413, not a reset', async () => {
  const py = await new Promise<string>((resolve) => {
    const child = spawn('python3', [
      '-c',
      `import urllib.request, urllib.error, sys
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{"events":"' + b'a' * (33 * 1024 * 1024) + b'"}', headers={'content-type': 'application/json', 'authorization': 'Bearer ' + sys.argv[2]}))
    print('200')
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()[:80])
except Exception as e:
    print(type(e).__name__, str(e)[:80])`,
      `${exporter.url}/v1/events`,
      TOKEN,
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out.trim()));
  });
  assert.match(py, /^413 .*body_too_large/);
});

test('a 2xx answer means the events are on disk: an exporter killed right after answering loses none', async () => {
  const dir = tempDataDir('ingest-kill');
  try {
    const file = join(dir, 'churn.csv');
    writeFileSync(file, csv(rows(300, 5)));
    await registerModel({ registryDir: stackPaths(dir).registryDir, model: 'churn', file, target: 'churned' });
    const port = await freePort();
    const args = [mlmonBin, 'serve', 'exporter', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--interval', '1h'];
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    try {
      assert.ok((await waitForHttp(`http://127.0.0.1:${port}/metrics`, 15_000)).ok);
      const token = readSecretFile(stackPaths(dir).secretsDir, 'exporter-token')!.trim();
      const events = rows(1000, 6).map((r, i) => ({
        model: 'churn',
        version: 'v1',
        id: `k-${i}`,
        features: { age: r.age, income: r.income, tenure: r.tenure, plan: r.plan },
        prediction: r.predicted,
      }));
      const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ events }),
      });
      assert.equal(res.status, 200);
      // No checkpoint, no graceful stop: the process dies the moment it answered.
      process.kill(first.pid!, 'SIGKILL');
    } finally {
      await stopChild(first, 1000);
    }
    const second = spawn(process.execPath, args, { stdio: 'ignore' });
    try {
      assert.ok((await waitForHttp(`http://127.0.0.1:${port}/metrics`, 15_000)).ok);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const counted = (['yes', 'no', 'unknown'] as const).reduce(
        (s, c) => s + (sampleValue(text, 'ml_predictions_total', { model: 'churn', version: 'v1', class: c }) ?? 0),
        0,
      );
      assert.equal(counted, 1000);
    } finally {
      await stopChild(second);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
