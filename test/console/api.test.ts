/** The console's JSON API against a real Prometheus loaded with known data, a
 * real Alertmanager and the real notification sink: the numbers it shows are
 * the PromQL results. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startConsole } from '../../src/console/index.js';
import { freePort } from '../../src/net.js';
import { IRIS, KNOWN_SLOS, postAlerts, promQuery, startKnownWorld, type KnownWorld } from './fixtures.js';

let w: KnownWorld;

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(w.console.url + path);
  return { status: res.status, body: await res.json() };
}

async function one(query: string): Promise<number> {
  const r = await promQuery(w.prometheus.url, query, w.now);
  assert.equal(r.length, 1, `${query} should give one sample, gave ${r.length}`);
  return r[0]!.value;
}

before(async () => {
  w = await startKnownWorld();
});
after(async () => {
  await w?.stop();
});

describe('GET /api/slos', () => {
  it('lists every SLO of the spec in spec order, with the values PromQL gives', async () => {
    const { status, body } = await get('/api/slos');
    assert.equal(status, 200);
    assert.deepEqual(
      body.slos.map((r: any) => r.id),
      ['checkout/availability', 'inference-gateway/availability', 'inference-gateway/latency', 'search/availability'],
    );
    assert.deepEqual(body.services, ['checkout', 'inference-gateway', 'search']);
    for (const known of KNOWN_SLOS) {
      const row = body.slos.find((r: any) => r.id === `${known.service}/${known.slo}`);
      const sel = `{service="${known.service}",slo="${known.slo}"}`;
      assert.equal(row.sli, await one(`slo:${known.kind}:ratio_rate${known.period}${sel}`));
      assert.equal(row.budgetRemaining, await one(`slo:${known.kind}:error_budget_remaining${sel}`));
      assert.equal(row.period, known.period);
      for (const b of row.burnRates) {
        assert.equal(b.value, await one(`slo:${known.kind}:burn_rate:${b.window}${sel}`), `${row.id} burn ${b.window}`);
      }
      assert.deepEqual(
        row.burnRates.map((b: any) => b.window),
        Object.keys(known.burn),
      );
    }
  });

  it('computes time left from the budget and the current (1h-scaled) burn rate', async () => {
    const { body } = await get('/api/slos');
    const byId = Object.fromEntries(body.slos.map((r: any) => [r.id, r]));
    // checkout: 50% of 30d left, burning 20× over 1h → 0.5 × 30d / 20.
    assert.equal(byId['checkout/availability'].currentBurnWindow, '1h');
    assert.equal(byId['checkout/availability'].budgetTimeLeftSeconds, (0.5 * 30 * 86400) / 20);
    assert.equal(byId['inference-gateway/availability'].budgetTimeLeftSeconds, (0.4 * 30 * 86400) / 2);
    // The 7d SLO reads its 1h window scaled to 14m.
    assert.equal(byId['inference-gateway/latency'].currentBurnWindow, '14m');
    assert.equal(byId['inference-gateway/latency'].budgetTimeLeftSeconds, (0.5 * 7 * 86400) / 0.5);
  });

  it('gives alert state page/ticket/ok from the firing ALERTS, and nulls without data', async () => {
    const { body } = await get('/api/slos');
    const state = Object.fromEntries(body.slos.map((r: any) => [r.id, r.alertState]));
    assert.deepEqual(state, {
      'checkout/availability': 'page',
      'inference-gateway/availability': 'ticket',
      'inference-gateway/latency': 'ok',
      'search/availability': 'ok',
    });
    const search = body.slos.find((r: any) => r.id === 'search/availability');
    assert.equal(search.sli, null);
    assert.equal(search.budgetRemaining, null);
    assert.equal(search.budgetTimeLeftSeconds, null);
    assert.ok(search.burnRates.every((b: any) => b.value === null));
  });

  it('takes two Prometheus queries however many SLOs, and says when it fetched', async () => {
    const { body } = await get('/api/slos');
    assert.equal(body.upstream.prometheus.count, 3);
    assert.equal(body.fetchedAt, new Date(w.now * 1000).toISOString());
  });
});

describe('GET /api/slos/:service/:slo', () => {
  it('returns the series over the range on one grid, equal to query_range', async () => {
    const { status, body } = await get('/api/slos/inference-gateway/availability?range=6h');
    assert.equal(status, 200);
    assert.equal(body.range.name, '6h');
    assert.deepEqual(body.range.choices, ['1h', '6h', '1d', '3d', '7d', '30d']);
    const { start, end, step, times } = body.grid;
    assert.equal(times.length, (end - start) / step + 1);
    const res = await fetch(`${w.prometheus.url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams({
        query: 'slo:availability:ratio_rate5m{service="inference-gateway",slo="availability"}',
        start: String(start),
        end: String(end),
        step: String(step),
      }),
    });
    const expected = ((await res.json()) as any).data.result[0].values.map(([, v]: [number, string]) => Number(v));
    assert.deepEqual(body.series.sliShort.values, expected);
    assert.ok(body.series.sliPeriod.values.every((v: number) => v === 0.997));
    assert.ok(body.series.budget.values.every((v: number) => v === 0.4));
    const w1h = body.series.burn.find((b: any) => b.window === '1h');
    assert.deepEqual(w1h.thresholds, [14.4]);
    assert.deepEqual(body.series.burn.find((b: any) => b.window === '6h').thresholds, [6, 1]);
    assert.deepEqual(
      body.tiers.map((t: any) => [t.severity, t.long, t.short, t.burnRate]),
      [
        ['page', '1h', '5m', 14.4],
        ['page', '6h', '30m', 6],
        ['ticket', '1d', '2h', 3],
        ['ticket', '3d', '6h', 1],
      ],
    );
  });

  it('shows the firing alert and when it started within the range', async () => {
    const { body } = await get('/api/slos/inference-gateway/availability?range=6h');
    assert.deepEqual(
      body.alerts.firing.map((a: any) => a.alertname),
      ['SLOAvailabilitySlowBurn'],
    );
    const [ep] = body.alerts.recent;
    assert.equal(ep.alertname, 'SLOAvailabilitySlowBurn');
    assert.equal(ep.ongoing, true);
    // Backfilled as firing from now-3h: the first grid point at or after it.
    assert.ok(ep.from >= w.now - 3 * 3600 && ep.from < w.now - 3 * 3600 + body.grid.step, `from ${ep.from}`);
  });

  it("lists the rules Prometheus loaded for this SLO, with links into Prometheus's graph page", async () => {
    const { body } = await get('/api/slos/inference-gateway/availability?range=1d');
    const names = body.rules.map((r: any) => r.name);
    assert.ok(names.includes('slo:availability:burn_rate:1h'), names.join(','));
    assert.ok(names.includes('slo:availability:error_budget_remaining'));
    assert.ok(names.includes('SLOAvailabilityFastBurn'));
    const r = body.rules.find((x: any) => x.name === 'slo:availability:burn_rate:1h');
    const url = new URL(r.prometheusUrl);
    assert.equal(url.origin, w.prometheus.url);
    assert.equal(url.pathname, '/graph');
    assert.equal(url.searchParams.get('g0.expr'), 'slo:availability:burn_rate:1h{service="inference-gateway",slo="availability"}');
    assert.equal(url.searchParams.get('g0.range_input'), '1d');
    // Only this SLO's rules.
    assert.ok(body.rules.every((x: any) => !x.expr.includes('job="checkout"')));
  });

  it('refuses an unknown SLO (404) and a range outside 1h..period (400) with a message', async () => {
    const missing = await get('/api/slos/nope/availability');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /no SLO "availability" of service "nope"/);
    const long = await get('/api/slos/inference-gateway/latency?range=30d');
    assert.equal(long.status, 400);
    assert.match(long.body.error.message, /range must be a duration from 1h to the SLO's period 7d/);
    const junk = await get('/api/slos/inference-gateway/latency?range=%3Bdrop');
    assert.equal(junk.status, 400);
  });
});

describe('GET /api/models', () => {
  it('summarises every model with the exporter values', async () => {
    const { status, body } = await get('/api/models');
    assert.equal(status, 200);
    assert.equal(body.models.length, 1);
    const iris = body.models[0];
    assert.equal(iris.model, 'iris');
    assert.equal(iris.version, 'v2');
    assert.equal(iris.datasetDriftShare, 0.25);
    assert.equal(iris.maxFeaturePsi, 0.4);
    assert.equal(iris.maxPsiFeature, 'petal_length');
    assert.deepEqual(iris.accuracy, { '1h': 0.9, '1d': 0.93 });
    assert.equal(iris.referenceAccuracy, 0.95);
    assert.equal(iris.ageSeconds, 2 * 86400);
    assert.deepEqual(body.thresholds, { psiModerate: 0.1, psiMajor: 0.25, ksPValue: 0.05 });
    assert.equal(iris.detailUrl, '/models/iris');
    assert.equal(iris.type, 'classification');
    // Health comes from the figures: petal_length's PSI 0.4 over 1,000 samples is past psi_major.
    assert.equal(iris.health, 'warning');
    assert.ok(
      iris.healthReasons.some((r: string) => /v2: petal_length drifted \(PSI 0\.40/.test(r)),
      iris.healthReasons.join('; '),
    );
    assert.deepEqual(
      iris.versions.map((v: { version: string; windowSamples: number }) => [v.version, v.windowSamples]),
      [
        ['v2', 1000],
        ['v3', 40],
      ],
    );
  });

  it('details one model: drift per feature, mix, label delay, equal to PromQL', async () => {
    const { status, body } = await get('/api/models/iris?range=6h');
    assert.equal(status, 200);
    assert.deepEqual(
      body.features.map((f: any) => f.feature),
      [...IRIS.features].sort(),
    );
    for (const f of body.features) {
      assert.equal(f.psi, IRIS.psi[f.feature]);
      assert.equal(f.ks, await one(`ml_feature_drift_score{model="iris",feature="${f.feature}",method="ks"}`));
    }
    assert.equal(body.psiHeatmap.length, 4);
    assert.ok(body.psiHeatmap[0].every((v: number) => v === IRIS.psi[body.features[0].feature]));
    const mix = await promQuery(w.prometheus.url, 'sum by (class) (increase(ml_predictions_total{model="iris"}[1h]))', w.now);
    const total = mix.reduce((a, s) => a + s.value, 0);
    for (const s of mix) assert.equal(body.predictionMix.byVersion.v2[s.metric.class!], s.value / total);
    assert.ok(Math.abs(body.predictionMix.byVersion.v2.versicolor - 0.5) < 1e-9);
    assert.deepEqual(body.predictionMix.training, IRIS.trainingMix);
    const p50 = await one('histogram_quantile(0.5, sum by (le) (rate(ml_ground_truth_delay_seconds_bucket{model="iris"}[1h])))');
    assert.equal(body.labelDelay.quantiles['0.5'], p50);
    assert.equal(body.labelDelay.pending, 42);
    assert.equal(body.freshness.exporterComputeAgeSeconds, 5);
    assert.equal(body.upstream.prometheus.count, 5);
  });

  it('answers 404 for a model Prometheus does not know', async () => {
    const { status, body } = await get('/api/models/nosuch');
    assert.equal(status, 404);
    assert.match(body.error.message, /no ml_model_info for model "nosuch"/);
  });
});

describe('alerts, silences and notifications', () => {
  it("shows Alertmanager's alerts with inhibited ones marked", async () => {
    await postAlerts(w.alertmanager.url, [
      {
        labels: { alertname: 'SLOAvailabilityFastBurn', severity: 'critical', category: 'slo', service: 'checkout', slo: 'availability' },
        annotations: { summary: 'checkout burning' },
      },
      { labels: { alertname: 'HighLatencyP99', severity: 'warning', category: 'availability', service: 'checkout' } },
    ]);
    let body: any;
    for (let i = 0; i < 50; i++) {
      body = (await get('/api/alerts')).body;
      if (body.alerts.length === 2 && body.alerts[1].state === 'inhibited') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(
      body.alerts.map((a: any) => [a.alertname, a.state]),
      [
        ['SLOAvailabilityFastBurn', 'firing'],
        ['HighLatencyP99', 'inhibited'],
      ],
    );
    assert.equal(body.alerts[0].consoleUrl, '/slos/checkout/availability');
    assert.equal(body.alerts[0].summary, 'checkout burning');
  });

  it('creates a silence in Alertmanager that matches exactly the alert', async () => {
    const labels = { alertname: 'HighLatencyP99', severity: 'warning', category: 'availability', service: 'checkout' };
    const res = await fetch(`${w.console.url}/api/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labels, duration: '2h', comment: 'looking into it' }),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as any;
    const silences = (await (await fetch(`${w.alertmanager.url}/api/v2/silences`)).json()) as any[];
    const s = silences.find((x) => x.id === created.silenceId);
    assert.ok(s, 'silence is in Alertmanager');
    assert.equal(s.status.state, 'active');
    assert.equal(s.comment, 'looking into it');
    assert.equal(s.createdBy, 'mlmon console');
    assert.deepEqual(
      s.matchers.map((m: any) => [m.name, m.value, m.isRegex]).sort(),
      Object.entries(labels)
        .map(([k, v]) => [k, v, false])
        .sort(),
    );
    // Alertmanager may move the start by the milliseconds the request took.
    assert.ok(Math.abs(Date.parse(s.endsAt) - Date.parse(s.startsAt) - 2 * 3600 * 1000) < 5000);
    const { body } = await get('/api/alerts');
    assert.equal(body.alerts.find((a: any) => a.alertname === 'HighLatencyP99').state, 'silenced');
  });

  it('refuses a silence without labels or with a bad duration', async () => {
    const post = (b: unknown) =>
      fetch(`${w.console.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    const noLabels = await post({ labels: {}, duration: '1h' });
    assert.equal(noLabels.status, 400);
    const badDuration = await post({ labels: { alertname: 'X' }, duration: '90d' });
    assert.equal(badDuration.status, 400);
    assert.match(((await badDuration.json()) as any).error.message, /duration must be a duration from 1m to 30d/);
  });

  it('lists the notifications the sink received, newest first', async () => {
    for (const text of ['first', 'second']) {
      const r = await fetch(`${w.sink.httpUrl}/slack/ml-team`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      assert.equal(r.status, 200);
    }
    const { status, body } = await get('/api/notifications?since=1h&integration=slack');
    assert.equal(status, 200);
    assert.equal(body.configured, true);
    assert.deepEqual(
      body.notifications.map((n: any) => n.summary),
      ['second', 'first'],
    );
    assert.equal(body.notifications[0].channel, '#ml-team');
    const bad = await get('/api/notifications?integration=fax');
    assert.equal(bad.status, 400);
  });
});

describe('pages and failures', () => {
  it('serves the pages, the assets and uPlot from the package, and /-/healthy', async () => {
    for (const path of ['/slos', '/slos/checkout/availability', '/models', '/models/iris', '/alerts']) {
      const res = await fetch(w.console.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /<main id="app">/);
    }
    const up = await fetch(`${w.console.url}/assets/uplot/uPlot.iife.min.js`);
    assert.equal(up.status, 200);
    assert.match(await up.text(), /uPlot/);
    assert.equal((await fetch(`${w.console.url}/assets/../package.json`)).status, 404);
    assert.equal(await (await fetch(`${w.console.url}/-/healthy`)).text(), 'ok');
    const home = await fetch(w.console.url + '/', { redirect: 'manual' });
    assert.equal(home.headers.get('location'), '/slos');
  });

  it('says Prometheus cannot be reached, with no stack trace (503)', async () => {
    const deadPort = await freePort();
    const c = await startConsole({
      host: '127.0.0.1',
      port: 0,
      prometheusUrl: `http://127.0.0.1:${deadPort}`,
      alertmanagerUrl: `http://127.0.0.1:${deadPort}`,
      configDir: w.configDir,
    });
    try {
      for (const path of ['/api/slos', '/api/slos/checkout/availability', '/api/models', '/api/alerts']) {
        const res = await fetch(c.url + path);
        assert.equal(res.status, 503, path);
        const text = await res.text();
        assert.doesNotMatch(text, /\n\s+at |\.js:\d+/);
        const body = JSON.parse(text);
        assert.match(body.error.message, /(Prometheus|Alertmanager) cannot be reached at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
      }
    } finally {
      await c.close();
    }
  });
});
