import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../src/gateway/index.js';
import { freePort } from '../../src/net.js';

/** Series of the request metrics (process metrics come and go with the runtime's state). */
function seriesCount(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('http_')).length;
}

test('over a real socket: predict, then /metrics passes promtool check metrics; 10,000 random paths add a handful of series', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-gw-'));
  const port = await freePort();
  const gw = await startGateway({ host: '127.0.0.1', port, dataDir, admin: true, logLevel: 'silent' });
  try {
    assert.equal(gw.url, `http://127.0.0.1:${port}`);
    const res = await fetch(`${gw.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ features: { sepal_length: 6.0, sepal_width: 2.9, petal_length: 4.5, petal_width: 1.5 } }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { prediction: string }).prediction, 'versicolor');

    const metricsRes = await fetch(`${gw.url}/metrics`);
    assert.match(metricsRes.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const before = await metricsRes.text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: before, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);

    const methods = ['GET', 'POST', 'PUT', 'DELETE'];
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const path = `/${Math.random().toString(36).slice(2)}/${i + j}?q=${j}`;
          return fetch(`${gw.url}${path}`, { method: methods[j % methods.length] }).then((r) => r.arrayBuffer());
        }),
      );
    }
    const afterText = await (await fetch(`${gw.url}/metrics`)).text();
    const growth = seriesCount(afterText) - seriesCount(before);
    // Per new method on route="unmatched": one counter series and 15 histogram series (12 buckets, +Inf, sum, count).
    assert.ok(growth <= 3 * 16 + 4, `random paths added ${growth} series`);
    const routes = new Set([...afterText.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    assert.deepEqual([...routes].sort(), [
      '/admin/fault',
      '/feedback',
      '/health',
      '/metrics',
      '/models',
      '/predict',
      '/ready',
      'unmatched',
    ]);
    const unmatched = afterText.split('\n').filter((l) => l.startsWith('http_requests_total{') && l.includes('route="unmatched"'));
    const total = unmatched.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    assert.equal(total, 10_000);
  } finally {
    await gw.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
