import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  CounterFamily,
  emptyHistogram,
  GaugeFamily,
  HistogramFamily,
  histogramSamples,
  observe,
  SnapshotFamily,
  type Sample,
} from '../../src/metrics/index.js';

test('a counter series starts at zero, counts up, and refuses to go down or to infinity', async () => {
  const registry = new Registry();
  const c = new CounterFamily({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'], registry });
  const fast = c.series('fast');
  c.series('slow');
  fast.inc();
  fast.inc(2.5);
  assert.equal(c.series('fast'), fast, 'the same label values give the same series');
  assert.throws(() => fast.inc(-1), /only goes up/);
  assert.throws(() => fast.inc(Number.NaN), /only goes up/);
  assert.throws(() => fast.inc(Infinity), /only goes up/);
  assert.equal(fast.value, 3.5);
  const text = await registry.metrics();
  assert.match(text, /^jobs_total\{queue="fast"\} 3\.5$/m);
  assert.match(text, /^jobs_total\{queue="slow"\} 0$/m);
  assert.match(text, /^# TYPE jobs_total counter$/m);
});

test('label values are checked for their count and escaped on output', async () => {
  const registry = new Registry();
  const c = new CounterFamily({ name: 'odd_total', help: 'Odd labels.', labelNames: ['a', 'b'], registry });
  assert.throws(() => c.series('only-one'), /expected 2 label values \(a, b\), got 1/);
  c.series('quote"back\\slash', 'new\nline').inc();
  const text = await registry.metrics();
  assert.match(text, /^odd_total\{a="quote\\"back\\\\slash",b="new\\nline"\} 1$/m);
  assert.throws(() => new CounterFamily({ name: 'bad_total', help: 'x', labelNames: ['__reserved'], registry }), /invalid label name/);
  assert.throws(
    () => new HistogramFamily({ name: 'bad_seconds', help: 'x', labelNames: ['le'], buckets: [1], registry }),
    /invalid label name/,
  );
  assert.throws(
    () => new HistogramFamily({ name: 'bad2_seconds', help: 'x', labelNames: [], buckets: [1, 1], registry }),
    /strictly increasing/,
  );
});

test('a histogram renders exactly what prom-client renders for the same observations', async () => {
  const buckets = [0.005, 0.01, 0.3, 1];
  const values = [0, 0.005, 0.0051, 0.3, 0.31, 2, 1e6, 0.01];
  const ours = new Registry();
  const theirs = new Registry();
  const h = new HistogramFamily({ name: 'req_seconds', help: 'Latency.', labelNames: ['route'], buckets, registry: ours });
  const ref = new Histogram({ name: 'req_seconds', help: 'Latency.', labelNames: ['route'], buckets, registers: [theirs] });
  const cell = h.series('/predict');
  for (const v of values) {
    cell.observe(v);
    ref.observe({ route: '/predict' }, v);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.throws(() => cell.observe(Number.NaN), /finite/);
  assert.equal(cell.data.count, values.length, 'a refused observation changes nothing');
});

test('counters and gauges render like prom-client, and the output passes promtool check metrics', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const c = new CounterFamily({ name: 'http_requests_total', help: 'Requests.', labelNames: ['method', 'status'], registry: ours });
  const g = new GaugeFamily({ name: 'in_flight', help: 'In flight.', labelNames: [], registry: ours });
  const rc = new Counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['method', 'status'], registers: [theirs] });
  const rg = new Counter({ name: 'in_flight', help: 'In flight.', registers: [theirs] });
  c.series('GET', '200').inc(3);
  rc.inc({ method: 'GET', status: '200' }, 3);
  c.series('POST', '503').inc();
  rc.inc({ method: 'POST', status: '503' });
  const gauge = g.series();
  gauge.inc();
  gauge.inc();
  gauge.dec();
  rg.inc(1);
  const text = await ours.metrics();
  assert.equal(text, (await theirs.metrics()).replace('# TYPE in_flight counter', '# TYPE in_flight gauge'));
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
  ours.resetMetrics();
  assert.doesNotMatch(await ours.metrics(), /http_requests_total\{/, 'reset forgets every series');
});

test('a snapshot family of histogram samples renders exactly what prom-client renders (the exporter path)', async () => {
  const buckets = [1, 60, 3600];
  const ours = new Registry();
  const theirs = new Registry();
  const family = new SnapshotFamily('histogram', { name: 'delay_seconds', help: 'Delay.', registry: ours });
  const ref = new Histogram({ name: 'delay_seconds', help: 'Delay.', labelNames: ['model', 'version'], buckets, registers: [theirs] });
  const samples: Sample[] = [];
  for (const [model, values] of [
    ['iris', [0.5, 1, 59, 61, 7200]],
    ['wine', [3600, 3600.5]],
  ] as const) {
    const h = emptyHistogram(buckets);
    for (const v of values) {
      observe(h, v);
      ref.observe({ model, version: 'v1' }, v);
    }
    histogramSamples('delay_seconds', { model, version: 'v1' }, h, samples);
  }
  family.set(samples);
  assert.equal(await ours.metrics(), await theirs.metrics());
  family.set([{ labels: {}, value: 1, metricName: 'delay_seconds_count' }]);
  assert.match(await ours.metrics(), /^delay_seconds_count 1$/m, 'set replaces every sample');
  ours.resetMetrics();
  assert.doesNotMatch(await ours.metrics(), /delay_seconds_count/, 'reset forgets them');
});
