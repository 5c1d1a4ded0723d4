import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN_ENV, adminTokenPath, createAdminToken, faultRequest, startGateway } from '../../src/gateway/index.js';
// The gateway's door leaves its metric families (prom-client) out: they load with its server.
import { routeSpecs } from '../../src/gateway/metrics.js';
import { assertAdminAllowed, buildGateway, type Gateway } from '../../src/gateway/server.js';
import { freePort } from '../../src/net.js';
import { readEvents, SPOOL_START, type PredictionEvent } from '../../src/events/index.js';
import { stackPaths } from '../../src/definition/index.js';
import { sample } from './exposition.js';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.8, petal_width: 2.2 };

describe('inference gateway HTTP API', () => {
  let dataDir: string;
  let gw: Gateway;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-gw-'));
    gw = await buildGateway({ dataDir, admin: true, logLevel: 'silent' });
  });
  after(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (url: string, payload: unknown, contentType = 'application/json') =>
    gw.app.inject({
      method: 'POST',
      url,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': contentType },
    });
  const metricsText = async () => (await gw.app.inject({ method: 'GET', url: '/metrics' })).body;

  test('fixed label values exist at zero before the first request', async () => {
    const text = await metricsText();
    assert.equal(sample(text, 'inference_requests_total', { model: 'iris', version: 'v1', outcome: 'error' }), 0);
    assert.equal(sample(text, 'inference_predictions_total', { class: 'virginica' }), 0);
    assert.equal(sample(text, 'http_requests_total', { method: 'POST', route: '/predict', status: '503' }), 0);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', { method: 'POST', route: '/predict', status: '200', le: '0.3' }), 0);
    assert.equal(sample(text, 'http_request_errors_total', { route: '/predict', reason: 'non_finite' }), 0);
    assert.equal(sample(text, 'model_info', { model: 'iris', version: 'v1' }), 1);
    assert.equal(sample(text, 'inference_events_dropped_total', {}), 0);
    assert.ok(text.includes('process_cpu_seconds_total'), 'default process metrics');
  });

  test('every 5xx any route can answer exists at zero: its first occurrence is counted by rate() and the SLO counts', async () => {
    const text = await metricsText();
    for (const spec of routeSpecs(false)) {
      for (const status of ['500', '503']) {
        assert.equal(
          sample(text, 'http_requests_total', { method: spec.method, route: spec.route, status }),
          0,
          `${spec.method} ${spec.route} ${status}`,
        );
      }
    }
  });

  test('POST /predict answers one prediction with its request id, model version and probabilities', async () => {
    const res = await post('/predict', { features: SETOSA });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.match(body.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(body.model, 'iris');
    assert.equal(body.version, 'v1');
    assert.equal(body.prediction, 'setosa');
    assert.deepEqual(Object.keys(body.probabilities), ['setosa', 'versicolor', 'virginica']);
    const sum = Object.values(body.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
  });

  test('POST /predict with instances answers a batch in order', async () => {
    const res = await post('/predict', { instances: [SETOSA, VIRGINICA, SETOSA] });
    assert.equal(res.statusCode, 200);
    const preds = res.json().predictions as { prediction: string; request_id: string }[];
    assert.deepEqual(
      preds.map((p) => p.prediction),
      ['setosa', 'virginica', 'setosa'],
    );
    assert.equal(new Set(preds.map((p) => p.request_id)).size, 3);
  });

  const bad: { name: string; payload: string; contentType?: string; status: number; reason: string; field: string }[] = [
    { name: 'malformed JSON', payload: '{"features": {', status: 400, reason: 'malformed_json', field: '(body)' },
    { name: 'empty body', payload: '', status: 400, reason: 'malformed_json', field: '(body)' },
    {
      name: 'NaN literal (not JSON)',
      payload: '{"features": {"sepal_length": NaN}}',
      status: 400,
      reason: 'malformed_json',
      field: '(body)',
    },
    { name: 'prototype pollution key', payload: '{"__proto__": {"x": 1}}', status: 400, reason: 'malformed_json', field: '(body)' },
    {
      name: 'text/plain body',
      payload: JSON.stringify({ features: SETOSA }),
      contentType: 'text/plain',
      status: 415,
      reason: 'unsupported_media_type',
      field: 'content-type',
    },
    {
      name: 'form body',
      payload: 'a=1',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      reason: 'unsupported_media_type',
      field: 'content-type',
    },
    {
      name: 'string feature',
      payload: JSON.stringify({ features: { ...SETOSA, sepal_length: '5.1' } }),
      status: 400,
      reason: 'invalid_type',
      field: 'features.sepal_length',
    },
    {
      name: 'null feature',
      payload: JSON.stringify({ features: { ...SETOSA, petal_width: null } }),
      status: 400,
      reason: 'invalid_type',
      field: 'features.petal_width',
    },
    {
      name: 'features not an object',
      payload: JSON.stringify({ features: [1, 2, 3, 4] }),
      status: 400,
      reason: 'invalid_type',
      field: 'features',
    },
    { name: 'body is an array', payload: JSON.stringify([SETOSA]), status: 400, reason: 'invalid_type', field: '(body)' },
    {
      name: 'missing feature',
      payload: JSON.stringify({ features: { sepal_length: 5, sepal_width: 3, petal_length: 1 } }),
      status: 400,
      reason: 'missing_feature',
      field: 'features.petal_width',
    },
    {
      name: 'missing feature in a batch row',
      payload: JSON.stringify({ instances: [SETOSA, { sepal_length: 5, sepal_width: 3, petal_width: 1 }] }),
      status: 400,
      reason: 'missing_feature',
      field: 'instances.1.petal_length',
    },
    {
      name: 'unknown feature',
      payload: JSON.stringify({ features: { ...SETOSA, colour: 3 } }),
      status: 400,
      reason: 'unknown_feature',
      field: 'features.colour',
    },
    {
      name: 'infinite number',
      payload: '{"features": {"sepal_length": 1e999, "sepal_width": 3, "petal_length": 1, "petal_width": 0.2}}',
      status: 400,
      reason: 'non_finite',
      field: 'features.sepal_length',
    },
    { name: 'neither features nor instances', payload: '{}', status: 400, reason: 'missing_field', field: '(body)' },
    {
      name: 'both features and instances',
      payload: JSON.stringify({ features: SETOSA, instances: [SETOSA] }),
      status: 400,
      reason: 'missing_field',
      field: '(body)',
    },
    {
      name: 'unknown top-level field',
      payload: JSON.stringify({ features: SETOSA, explain: true }),
      status: 400,
      reason: 'unknown_field',
      field: 'explain',
    },
    { name: 'empty batch', payload: JSON.stringify({ instances: [] }), status: 400, reason: 'invalid_value', field: 'instances' },
    {
      name: 'oversized batch',
      payload: JSON.stringify({ instances: Array.from({ length: 101 }, () => SETOSA) }),
      status: 413,
      reason: 'batch_too_large',
      field: 'instances',
    },
    {
      name: 'oversized body',
      payload: JSON.stringify({ features: SETOSA, pad: 'x'.repeat(70_000) }),
      status: 413,
      reason: 'body_too_large',
      field: '(body)',
    },
  ];

  for (const c of bad) {
    test(`POST /predict refuses ${c.name} with ${c.status} ${c.reason}, counted under that reason`, async () => {
      const before = sample(await metricsText(), 'http_request_errors_total', { route: '/predict', reason: c.reason }) ?? 0;
      const res = await post('/predict', c.payload, c.contentType);
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json();
      assert.equal(body.error, c.reason);
      assert.equal(body.field, c.field);
      assert.equal(typeof body.message, 'string');
      const afterCount = sample(await metricsText(), 'http_request_errors_total', { route: '/predict', reason: c.reason });
      assert.equal(afterCount, before + 1);
    });
  }

  test('every refused /predict counts as inference outcome invalid_input and as a 4xx request', async () => {
    const text = await metricsText();
    assert.equal(sample(text, 'inference_requests_total', { outcome: 'invalid_input' }), bad.length);
    assert.equal(sample(text, 'http_requests_total', { method: 'POST', route: '/predict', status: '413' }), 2);
    assert.equal(sample(text, 'http_requests_total', { method: 'POST', route: '/predict', status: '500' }), 0, 'no 5xx');
  });

  test('POST /feedback accepts a label once for a known request id', async () => {
    const pred = (await post('/predict', { features: VIRGINICA })).json();
    const ok = await post('/feedback', { request_id: pred.request_id, label: 'virginica' });
    assert.equal(ok.statusCode, 202);
    assert.deepEqual(ok.json(), { status: 'accepted', request_id: pred.request_id });
    const again = await post('/feedback', { request_id: pred.request_id, label: 'virginica' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error, 'duplicate_feedback');
  });

  test('POST /feedback refuses unknown ids, unknown labels and wrong types', async () => {
    const pred = (await post('/predict', { features: SETOSA })).json();
    const cases: [unknown, number, string, string][] = [
      [{ request_id: 'no-such-id', label: 'setosa' }, 404, 'unknown_request_id', 'request_id'],
      [{ request_id: pred.request_id, label: 'tulip' }, 400, 'unknown_label', 'label'],
      [{ request_id: pred.request_id, label: 3 }, 400, 'invalid_type', 'label'],
      [{ request_id: pred.request_id }, 400, 'missing_field', 'label'],
      [{ request_id: pred.request_id, label: 'setosa', note: 'x' }, 400, 'unknown_field', 'note'],
    ];
    for (const [payload, status, reason, field] of cases) {
      const res = await post('/feedback', payload);
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      assert.equal(res.json().error, reason);
      assert.equal(res.json().field, field);
    }
    const text = await metricsText();
    assert.equal(sample(text, 'http_request_errors_total', { route: '/feedback', reason: 'unknown_label' }), 1);
  });

  test('GET /health, /ready and /models describe the served model', async () => {
    assert.deepEqual((await gw.app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    const ready = await gw.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', model: 'iris', version: 'v1' });
    const models = (await gw.app.inject({ method: 'GET', url: '/models' })).json();
    assert.equal(models.serving.version, 'v1');
    assert.deepEqual(models.serving.features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(models.registry, [{ model: 'iris', current: 'v1', versions: ['v1'] }]);
  });

  test('unknown paths are 404 not_found under route="unmatched"', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/predictx?a=1' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
    const text = await metricsText();
    assert.ok((sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) ?? 0) >= 1);
    assert.ok(!text.includes('/predictx'));
  });

  test('predictions and feedback are recorded in the event spool', async () => {
    const pred = (await post('/predict', { features: SETOSA })).json();
    await post('/feedback', { request_id: pred.request_id, label: 'setosa' });
    await gw.events.flush();
    const { events } = await readEvents(stackPaths(dataDir).eventsDir, SPOOL_START, 10_000);
    const p = events.find((e) => e.type === 'prediction' && e.id === pred.request_id) as PredictionEvent;
    assert.deepEqual(p.features, SETOSA);
    assert.equal(p.prediction, 'setosa');
    assert.equal(p.confidence, pred.probabilities.setosa);
    assert.equal(p.version, 'v1');
    const fb = events.find((e) => e.type === 'feedback' && e.id === pred.request_id);
    assert.deepEqual({ ...fb, ts: 0 }, { type: 'feedback', id: pred.request_id, ts: 0, label: 'setosa', model: 'iris', version: 'v1' });
  });

  test('fault control: error ratio 1 answers 503, latency delays, feature shift reaches the events', async () => {
    const put = (body: unknown) => gw.app.inject({ method: 'PUT', url: '/admin/fault', payload: body as object });
    const set = await put({ error_ratio: 1 });
    assert.equal(set.statusCode, 200);
    assert.equal(set.json().active, true);
    const failed = await post('/predict', { features: SETOSA });
    assert.equal(failed.statusCode, 503);
    const text = await metricsText();
    assert.equal(sample(text, 'http_requests_total', { method: 'POST', route: '/predict', status: '503' }), 1);
    assert.equal(sample(text, 'inference_requests_total', { outcome: 'error' }), 1);

    await put({ latency_ms: 150 });
    const t0 = Date.now();
    assert.equal((await post('/predict', { features: SETOSA })).statusCode, 200);
    assert.ok(Date.now() - t0 >= 140, 'the injected latency was applied');

    await put({ feature_shift: { petal_length: 2.5 } });
    const shifted = (await post('/predict', { features: SETOSA })).json();
    await gw.events.flush();
    const { events } = await readEvents(stackPaths(dataDir).eventsDir, SPOOL_START, 10_000);
    const ev = events.find((e) => e.id === shifted.request_id) as PredictionEvent;
    assert.equal(ev.features.petal_length, 1.4 + 2.5);

    const bad = await put({ error_ratio: 2 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'invalid_value');
    const unknown = await put({ feature_shift: { colour: 1 } });
    assert.equal(unknown.json().error, 'unknown_feature');

    const cleared = await gw.app.inject({ method: 'DELETE', url: '/admin/fault' });
    assert.deepEqual(cleared.json(), { fault: { error_ratio: 0, latency_ms: 0, feature_shift: {} }, active: false });
    assert.equal((await post('/predict', { features: SETOSA })).statusCode, 200);
  });

  test('fault control refuses non-loopback clients with 403', async () => {
    const res = await gw.app.inject({ method: 'PUT', url: '/admin/fault', payload: { error_ratio: 1 }, remoteAddress: '10.1.2.3' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error, 'forbidden');
    const show = await gw.app.inject({ method: 'GET', url: '/admin/fault' });
    assert.equal(show.json().active, false);
  });
});

describe('gateway without --admin', () => {
  test('has no fault control', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-gw-'));
    const gw = await buildGateway({ dataDir, logLevel: 'silent' });
    try {
      const res = await gw.app.inject({ method: 'PUT', url: '/admin/fault', payload: { error_ratio: 1 } });
      assert.equal(res.statusCode, 404);
      assert.ok(!(await gw.app.inject({ method: 'GET', url: '/metrics' })).body.includes('/admin/fault'));
    } finally {
      await gw.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('fault control behind an admin token', () => {
  const TOKEN = 'test-only-admin-token-0123456789';
  let dataDir: string;
  let gw: Gateway;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-gw-'));
    gw = await buildGateway({ dataDir, admin: true, adminToken: TOKEN, logLevel: 'silent' });
  });
  after(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const put = (headers: Record<string, string>) =>
    gw.app.inject({ method: 'PUT', url: '/admin/fault', payload: { error_ratio: 1 }, headers });

  test('without the token: 401 with a Bearer challenge, and the fault stays off', async () => {
    const res = await put({});
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'unauthorized');
    assert.match(String(res.headers['www-authenticate']), /^Bearer /);
    const wrong = await put({ authorization: `Bearer ${TOKEN}x` });
    assert.equal(wrong.statusCode, 401);
    const basic = await put({ authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` });
    assert.equal(basic.statusCode, 401);
    const show = await gw.app.inject({ method: 'GET', url: '/admin/fault', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(show.json().active, false);
    const text = (await gw.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(sample(text, 'http_request_errors_total', { route: '/admin/fault', reason: 'unauthorized' }), 3);
  });

  test('with the token: the fault is set and cleared', async () => {
    const ok = await put({ authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().active, true);
    const cleared = await gw.app.inject({ method: 'DELETE', url: '/admin/fault', headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(cleared.json().active, false);
  });

  test('a token does not open the control to non-loopback clients', async () => {
    const res = await gw.app.inject({
      method: 'GET',
      url: '/admin/fault',
      headers: { authorization: `Bearer ${TOKEN}` },
      remoteAddress: '192.0.2.7',
    });
    assert.equal(res.statusCode, 403);
  });

  test('a tokenless fault control may bind loopback only', () => {
    assert.doesNotThrow(() => assertAdminAllowed({ admin: true, host: '127.0.0.1' }));
    assert.doesNotThrow(() => assertAdminAllowed({ admin: true, host: '0.0.0.0', adminToken: TOKEN }));
    assert.doesNotThrow(() => assertAdminAllowed({ admin: false, host: '0.0.0.0' }));
    assert.throws(
      () => assertAdminAllowed({ admin: true, host: '0.0.0.0' }),
      (e: Error & { code?: string }) => e.code === 'admin_needs_token',
    );
  });

  test('faultRequest finds the token in <data-dir>/secrets/admin-token', async () => {
    const port = await freePort();
    const served = await startGateway({ host: '127.0.0.1', port, dataDir, admin: true, adminToken: TOKEN, logLevel: 'silent' });
    const prev = process.env[ADMIN_TOKEN_ENV];
    delete process.env[ADMIN_TOKEN_ENV];
    try {
      await assert.rejects(
        faultRequest(served.url, 'GET', undefined, { dataDir }),
        (e: Error & { code?: string }) => e.code === 'fault_unauthorized',
      );
      const written = createAdminToken(stackPaths(dataDir).secretsDir, TOKEN);
      assert.equal(written, TOKEN);
      assert.equal(statSync(adminTokenPath(dataDir)).mode & 0o777, 0o600);
      assert.equal(statSync(stackPaths(dataDir).secretsDir).mode & 0o777, 0o700);
      const view = await faultRequest(served.url, 'PUT', { latency_ms: 5 }, { dataDir });
      assert.equal(view.active, true);
      process.env[ADMIN_TOKEN_ENV] = TOKEN;
      assert.equal((await faultRequest(served.url, 'DELETE', undefined, { dataDir: join(dataDir, 'nowhere') })).active, false);
    } finally {
      if (prev === undefined) delete process.env[ADMIN_TOKEN_ENV];
      else process.env[ADMIN_TOKEN_ENV] = prev;
      await served.close();
    }
  });
});
