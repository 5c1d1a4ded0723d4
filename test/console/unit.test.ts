/** Pure parts of the console: queries, joins, time grids, silences, HTML. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { catalogFileFor, loadSloCatalog } from '../../src/console/catalog.js';
import { watchedCatalog } from '../../src/console/catalog-source.js';
import { isMlmonError } from '../../src/errors.js';
import { alertViews, linkableUrl, silenceFor } from '../../src/console/alerts.js';
import type { AmAlert } from '../../src/upstream/index.js';
import { activeVersions, buildModelSummaries, modelDetailQueries, modelHealth, shares } from '../../src/console/models.js';
import type { VersionSummary } from '../../src/console/api-types.js';
import { escapeHtml, pageHtml } from '../../src/console/pages.js';
import { matchers, prometheusGraphUrl, sampleValue } from '../../src/upstream/index.js';
import { intervalsOf, onGrid, timeGrid } from '../../src/console/series.js';
import { parseRange, rangeChoices, sloDetailRangeQuery } from '../../src/console/slo-detail.js';
import { alertStateOf, budgetTimeLeft, buildSloRows, coverageOf, currentBurnWindow, sloListQueries } from '../../src/console/slo-list.js';
import { buildSloModels, parseSloSpec, renderSloRuleFiles } from '../../src/slo/index.js';
import { TEST_SPEC } from './fixtures.js';

const slos = buildSloModels(parseSloSpec(TEST_SPEC, 'slos.yaml'), 'production');
const [checkout, igAvail, igLatency] = slos as [(typeof slos)[0], (typeof slos)[0], (typeof slos)[0]];

describe('SLO list queries and rows', () => {
  it('reads every SLO with three queries, naming each series exactly', () => {
    const q = sloListQueries(slos);
    assert.match(q.series, /^\{__name__=~"[^"]+"\}$/);
    for (const name of [
      'slo:availability:ratio_rate30d',
      'slo:latency:ratio_rate7d',
      'slo:availability:error_budget_remaining',
      'slo:latency:burn_rate:1h24m',
      'slo:availability:burn_rate:3d',
    ]) {
      assert.ok(q.series.split('"')[1]!.split('|').includes(name), name);
    }
    assert.equal(
      q.alerts,
      'ALERTS{alertstate="firing",alertname=~"SLOAvailabilityFastBurn|SLOAvailabilitySlowBurn|SLOLatencyFastBurn|SLOLatencySlowBurn"}',
    );
    const one = sloListQueries([checkout], checkout);
    assert.match(one.series, /,service="checkout",slo="availability"\}$/);
    // One term per distinct period (30d and 7d here), each marked with its period.
    assert.equal(q.tiles.split(' or ').length, 2);
    assert.match(
      q.tiles,
      /count_over_time\(\{__name__=~"slo:availability:total_events:counted"\}\[29d23h59m59s999ms\]\), "mlmon_period", "30d"/,
    );
    assert.match(one.tiles, /,service="checkout",slo="availability"\}\[29d23h59m59s999ms\]/);
  });

  it('says how much of the period the budget covers, and how many tiles of it are missing', () => {
    const day = 86400;
    const young = coverageOf(checkout, 1000, 169, 1000 + 14 * 60);
    assert.deepEqual(young.coverage, { seconds: 840, ratio: 840 / (30 * day) });
    // 14 minutes of 5-minute tiles: the one at the start and two more.
    assert.deepEqual(young.tileGaps, { missing: 0, expected: 3, tileSeconds: 300 });
    const old = coverageOf(checkout, 0, 8640 - 5, 40 * day);
    assert.deepEqual(old.coverage, { seconds: 30 * day, ratio: 1 });
    assert.deepEqual(old.tileGaps, { missing: 5, expected: 8640, tileSeconds: 300 });
    assert.deepEqual(coverageOf(checkout, null, null, 0), { coverage: null, tileGaps: null });
  });

  it('joins samples to SLOs by name, service and slo; ignores series of SLOs not in the spec', () => {
    const s = (name: string, service: string, slo: string, value: number) => ({ labels: { __name__: name, service, slo }, value });
    const rows = buildSloRows(slos, {
      series: [
        s('slo:availability:ratio_rate30d', 'checkout', 'availability', 0.9995),
        s('slo:availability:error_budget_remaining', 'checkout', 'availability', 0.5),
        s('slo:availability:burn_rate:1h', 'checkout', 'availability', 10),
        s('slo:availability:burn_rate:1h', 'elsewhere', 'availability', 99),
        s('slo:latency:error_budget_remaining', 'inference-gateway', 'latency', NaN),
      ],
      alerts: [
        {
          labels: {
            __name__: 'ALERTS',
            alertname: 'SLOAvailabilitySlowBurn',
            severity: 'warning',
            service: 'checkout',
            slo: 'availability',
          },
          value: 1,
        },
      ],
      tiles: [{ labels: { service: 'checkout', slo: 'availability', mlmon_period: '30d' }, value: 8640 }],
      now: 40 * 86400,
    });
    assert.equal(rows.length, 4);
    const c = rows[0]!;
    assert.equal(c.sli, 0.9995);
    assert.equal(c.budgetTimeLeftSeconds, (0.5 * 30 * 86400) / 10);
    assert.equal(c.alertState, 'ticket');
    assert.equal(c.burnRates.find((b) => b.window === '1h')!.value, 10);
    assert.deepEqual(c.burnRates.find((b) => b.window === '6h')!.thresholds, [6, 1]);
    assert.equal(rows[1]!.sli, null);
    assert.equal(rows[2]!.budgetRemaining, null, 'NaN becomes null');
    assert.equal(c.detailUrl, '/slos/checkout/availability');
    assert.equal(c.coverage, null, 'no counts: coverage unknown');
  });

  it('time left: remaining × period / burn; 0 when spent; null when not burning or unknown', () => {
    assert.equal(budgetTimeLeft(0.5, 30 * 86400, 1), 15 * 86400);
    assert.equal(budgetTimeLeft(-0.2, 30 * 86400, 3), 0);
    assert.equal(budgetTimeLeft(0.5, 30 * 86400, 0), null);
    assert.equal(budgetTimeLeft(null, 30 * 86400, 2), null);
    assert.equal(budgetTimeLeft(0.5, 30 * 86400, null), null);
  });

  it('alert state: page beats ticket beats ok', () => {
    const a = (severity: string) => ({ alertname: 'X', severity, labels: {} });
    assert.equal(alertStateOf([]), 'ok');
    assert.equal(alertStateOf([a('warning')]), 'ticket');
    assert.equal(alertStateOf([a('warning'), a('critical')]), 'page');
  });

  it('the current burn is read over the SLO’s scaled 1h window', () => {
    assert.equal(currentBurnWindow(checkout), '1h');
    assert.equal(currentBurnWindow(igLatency), '14m');
  });
});

describe('SLO detail', () => {
  it('offers ranges from 1h to the period and refuses others', () => {
    assert.deepEqual(rangeChoices(igAvail), ['1h', '6h', '1d', '3d', '7d', '30d']);
    assert.deepEqual(rangeChoices(igLatency), ['1h', '6h', '1d', '3d', '7d']);
    assert.deepEqual(parseRange(igLatency, undefined), { name: '1d', seconds: 86400 });
    assert.throws(() => parseRange(igLatency, '30d'), /range must be a duration from 1h/);
    assert.throws(() => parseRange(igLatency, '10m'), /range must/);
    assert.throws(() => parseRange(igLatency, 'abc'), /range must/);
  });

  it('reads every plotted series of one SLO in one range query', () => {
    const q = sloDetailRangeQuery(igLatency);
    assert.ok(
      q.includes('slo:latency:ratio_rate1m10s|slo:latency:ratio_rate7d|slo:latency:error_budget_remaining|slo:latency:burn_rate:1m10s'),
    );
    assert.ok(q.endsWith(',service="inference-gateway",slo="latency"}'));
  });
});

describe('time grid', () => {
  it('ends on a multiple of the step, covers the range, about 360 points', () => {
    const g = timeGrid(1_000_000_123, 86400);
    assert.equal(g.step, 240);
    assert.equal(g.end % g.step, 0);
    assert.ok(g.end <= 1_000_000_123 && g.end > 1_000_000_123 - g.step);
    assert.equal(g.end - g.start, 86400);
    assert.equal(g.times.length, 361);
    assert.equal(timeGrid(1000, 600).step, 15, 'never below 15 s');
  });

  it('lays points on the grid, null where missing or not finite', () => {
    const g = timeGrid(1200, 60, 4);
    assert.deepEqual(g.times, [1140, 1155, 1170, 1185, 1200]);
    assert.deepEqual(
      onGrid(g, {
        labels: {},
        points: [
          [1140, 1],
          [1170, NaN],
          [1200, 3],
        ],
      }),
      [1, null, null, null, 3],
    );
    assert.deepEqual(onGrid(g, undefined), [null, null, null, null, null]);
  });

  it('turns a firing ALERTS series into episodes, the last one ongoing', () => {
    const g = timeGrid(1200, 60, 4);
    const eps = intervalsOf(g, {
      labels: {},
      points: [
        [1140, 1],
        [1155, 1],
        [1185, 1],
        [1200, 1],
      ],
    });
    assert.deepEqual(eps, [
      { from: 1140, to: 1155, ongoing: false },
      { from: 1185, to: 1200, ongoing: true },
    ]);
  });
});

describe('models', () => {
  it('the active version is the highest with ml_model_info 1', () => {
    const info = (model: string, version: string, value = 1) => ({ labels: { __name__: 'ml_model_info', model, version }, value });
    const m = activeVersions([info('iris', 'v2'), info('iris', 'v10'), info('iris', 'v11', 0), info('fraud', 'v1')]);
    assert.deepEqual(Object.fromEntries(m), { iris: 'v10', fraud: 'v1' });
  });

  it('summaries pick the worst PSI feature and the active version’s accuracy', () => {
    const g = (name: string, labels: Record<string, string>, value: number) => ({ labels: { __name__: name, ...labels }, value });
    const [s] = buildModelSummaries(
      [
        g('ml_model_info', { model: 'iris', version: 'v1', type: 'classification' }, 1),
        g('ml_model_info', { model: 'iris', version: 'v2', type: 'classification' }, 1),
        g('ml_drift_window_samples', { model: 'iris', version: 'v2' }, 300),
        g('ml_drift_window_samples', { model: 'iris', version: 'v1' }, 20),
        g('ml_feature_drift_score', { model: 'iris', version: 'v2', feature: 'a', method: 'psi' }, 0.1),
        g('ml_feature_drift_score', { model: 'iris', version: 'v2', feature: 'b', method: 'psi' }, 0.3),
        g('ml_feature_drift_score', { model: 'iris', version: 'v2', feature: 'c', method: 'ks' }, 0.9),
        g('ml_feature_drift_score', { model: 'iris', version: 'v1', feature: 'a', method: 'psi' }, 4.9),
        g('ml_model_accuracy', { model: 'iris', version: 'v1', window: '1h' }, 0.5),
        g('ml_model_accuracy', { model: 'iris', version: 'v2', window: '1h' }, 0.9),
        g('ml_model_last_trained_timestamp_seconds', { model: 'iris', version: 'v2' }, 1000),
      ],
      [g('ALERTS', { alertname: 'FeatureDrift', severity: 'warning', model: 'iris' }, 1)],
      4600,
    );
    assert.equal(s!.version, 'v2', 'the version with the fullest window');
    assert.equal(s!.maxFeaturePsi, 0.3);
    assert.equal(s!.maxPsiFeature, 'b');
    assert.deepEqual(
      s!.versions.map((v) => [v.version, v.maxFeaturePsi]),
      [
        ['v1', 4.9],
        ['v2', 0.3],
      ],
    );
    assert.deepEqual(s!.accuracy, { '1h': 0.9 });
    assert.equal(s!.ageSeconds, 3600);
    assert.deepEqual(
      s!.firing.map((a) => a.alertname),
      ['FeatureDrift'],
    );
  });

  it('health reflects the figures, not only firing alerts: a PSI of 4.9 is not ok', () => {
    const v = (over: Partial<VersionSummary>): VersionSummary => ({
      version: 'v1',
      windowSamples: 1000,
      maxFeaturePsi: 0.05,
      maxPsiFeature: 'a',
      predictionDrift: 0.01,
      datasetDriftShare: 0,
      accuracy: { '1h': 0.95 },
      mae: {},
      qualitySamples: { '1h': 500 },
      referenceAccuracy: 0.96,
      referenceMae: null,
      ...over,
    });
    const t = { psiMajor: 0.25, minWindowSamples: 200, accuracyDrop: 0.05, errorIncrease: 0.2, minQualitySamples: 100 };
    assert.deepEqual(modelHealth([v({})], [], t), { health: 'ok', reasons: [] });
    const drifted = modelHealth([v({ maxFeaturePsi: 4.9 })], [], t);
    assert.equal(drifted.health, 'warning');
    assert.match(drifted.reasons[0]!, /v1: a drifted \(PSI 4\.90/);
    const young = modelHealth([v({ maxFeaturePsi: 4.9, windowSamples: 50 })], [], t);
    assert.equal(young.health, 'collecting', 'too few samples to judge: not ok either');
    assert.deepEqual(young.reasons, ['v1: 50 of 200 predictions in the drift window: drift is not yet meaningful']);
    assert.equal(
      modelHealth([v({ windowSamples: 50 }), v({ version: 'v2', windowSamples: 5000 })], [], t).health,
      'ok',
      'a canary still filling its window does not hide the stable version',
    );
    assert.equal(modelHealth([v({ accuracy: { '1h': 0.8 } })], [], t).health, 'warning');
    assert.equal(modelHealth([v({ mae: { '1h': 1.3 }, referenceMae: 1, accuracy: {} })], [], t).health, 'warning');
    assert.equal(modelHealth([v({ windowSamples: 0 })], [], t).health, 'no_data');
    assert.equal(modelHealth([v({})], [{ alertname: 'X', severity: 'critical', labels: {} }], t).health, 'critical');
  });

  it('escapes the model name in PromQL and computes shares', () => {
    const q = modelDetailQueries('we"ird');
    assert.ok(q.alerts.includes('model="we\\"ird"'));
    assert.deepEqual(shares({ a: 1, b: 3 }), { a: 0.25, b: 0.75 });
    assert.deepEqual(shares({ a: 0 }), {});
  });
});

describe('alerts and silences', () => {
  const am = (labels: Record<string, string>, silencedBy: string[] = [], inhibitedBy: string[] = []): AmAlert => ({
    fingerprint: labels.alertname ?? '',
    labels,
    annotations: {},
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2026-01-01T01:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    receivers: [{ name: 'r' }],
    status: { state: silencedBy.length || inhibitedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy },
  });

  it('marks silenced and inhibited alerts, most severe first, and links SLO and model alerts to their page', () => {
    const v = alertViews([
      am({ alertname: 'A', severity: 'warning', model: 'iris' }, ['s1']),
      am({ alertname: 'B', severity: 'critical', category: 'slo', service: 'svc', slo: 'lat' }),
      am({ alertname: 'C', severity: 'warning' }, [], ['x']),
    ]);
    assert.deepEqual(
      v.map((a) => [a.alertname, a.state, a.consoleUrl]),
      [
        ['B', 'firing', '/slos/svc/lat'],
        ['A', 'silenced', '/models/iris'],
        ['C', 'inhibited', null],
      ],
    );
  });

  it('a silence matches the alert’s labels exactly for the chosen time', () => {
    const s = silenceFor({ alertname: 'X', service: 'a.b' }, '2h', new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(s.matchers, [
      { name: 'alertname', value: 'X', isRegex: false, isEqual: true },
      { name: 'service', value: 'a.b', isRegex: false, isEqual: true },
    ]);
    assert.equal(s.endsAt, '2026-01-01T02:00:00.000Z');
    assert.equal(s.createdBy, 'mlmon console');
    assert.throws(() => silenceFor({ alertname: 'X' }, '31d', new Date()), /duration must/);
    assert.throws(() => silenceFor({}, '1h', new Date()), /labels must/);
  });
});

describe('HTML and links', () => {
  it('escapes titles and marks the current page in the navigation', () => {
    const html = pageHtml('slo', { title: '<svc> · "x"', refreshSeconds: 30 });
    assert.ok(html.includes('<title>&lt;svc&gt; · &quot;x&quot; · mlmon</title>'));
    assert.ok(html.includes('<a href="/slos" aria-current="page">SLOs</a>'));
    assert.ok(html.includes('/assets/uplot/uPlot.iife.min.js'));
    assert.ok(!pageHtml('slos', { title: 'SLOs', refreshSeconds: 30 }).includes('uPlot'), 'no chart library on the list');
    assert.equal(escapeHtml(`&'`), '&amp;&#39;');
  });

  it('builds Prometheus graph links and PromQL matchers', () => {
    const u = new URL(prometheusGraphUrl('http://p:9090/', 'up{job="x"}', '6h'));
    assert.equal(u.pathname, '/graph');
    assert.equal(u.searchParams.get('g0.expr'), 'up{job="x"}');
    assert.equal(u.searchParams.get('g0.range_input'), '6h');
    assert.equal(matchers({ a: 'x"y' }), '{a="x\\"y"}');
    assert.equal(sampleValue('+Inf'), Infinity);
    assert.ok(Number.isNaN(sampleValue('NaN')));
  });
});

describe('runbook links', () => {
  it('only http(s) runbook_url becomes a link', () => {
    assert.equal(
      linkableUrl('https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md#x'),
      'https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md#x',
    );
    assert.equal(linkableUrl('http://wiki.local/runbook'), 'http://wiki.local/runbook');
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
      'not a url',
      '',
    ])
      assert.equal(linkableUrl(bad), null, bad);
  });
});

describe('SLO catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-console-catalog-'));
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  const render = (spec: string, profile: 'production' | 'test') =>
    renderSloRuleFiles(parseSloSpec(spec, 'slos.yaml'), { profile }).find((f) => f.file === 'slo_catalog.json')!.content;

  it("reads the SLOs from the run directory of the stack's rules when there is one, else from config/prometheus/", () => {
    try {
      mkdirSync(join(configDir, 'prometheus'), { recursive: true });
      writeFileSync(join(configDir, 'prometheus', 'slo_catalog.json'), render(TEST_SPEC, 'production'));
      assert.equal(catalogFileFor({ configDir, dataDir }), join(configDir, 'prometheus', 'slo_catalog.json'));
      const generated = loadSloCatalog(catalogFileFor({ configDir, dataDir }));
      assert.equal(generated.profile, 'production');
      assert.equal(generated.byId('checkout', 'availability')?.objective, 0.999);
      // A running test-profile stack: its run directory holds the catalog of the rules it runs.
      mkdirSync(join(dataDir, 'run'), { recursive: true });
      writeFileSync(join(dataDir, 'run', 'slo_catalog.json'), render(TEST_SPEC, 'test'));
      const running = loadSloCatalog(catalogFileFor({ configDir, dataDir }));
      assert.equal(running.profile, 'test');
      assert.equal(running.byId('checkout', 'availability')?.windows.period.name, '12h');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows the file when it changes (a reload), and keeps the last good catalog when it cannot be read', () => {
    const d = mkdtempSync(join(tmpdir(), 'mlmon-console-catalog-'));
    const file = join(d, 'slo_catalog.json');
    try {
      writeFileSync(file, render(TEST_SPEC, 'production'));
      const errors: string[] = [];
      const source = watchedCatalog(
        () => file,
        (m) => errors.push(m),
      );
      assert.equal(source.current().byId('checkout', 'availability')?.objectivePercent, 99.9);
      writeFileSync(file, render(TEST_SPEC.replace('objective: 99.9', 'objective: 99.95'), 'production'));
      assert.equal(source.current().byId('checkout', 'availability')?.objectivePercent, 99.95);
      writeFileSync(file, '{"not": "a catalog"');
      assert.equal(source.current().byId('checkout', 'availability')?.objectivePercent, 99.95, 'the last good one');
      assert.match(source.lastError() ?? '', /cannot read the SLO catalog/);
      assert.equal(errors.length, 1);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses a missing catalog, saying how to write it', () => {
    assert.throws(
      () => loadSloCatalog(join(tmpdir(), 'no-such-dir-mlmon', 'slo_catalog.json')),
      (e: unknown) => isMlmonError(e) && /cannot read the SLO catalog/.test(e.message) && /mlmon generate/.test(e.hint ?? ''),
    );
  });
});
