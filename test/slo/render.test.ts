import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fromRepo } from '../../src/paths.js';
import { buildSloModels, GENERATED_HEADER, loadSloSpecFile, renderSloRuleFiles } from '../../src/slo/index.js';

// Golden files: regenerate with `UPDATE_GOLDEN=1 node --test dist/test/slo/render.test.js`
// and review the diff.
const update = process.env.UPDATE_GOLDEN === '1';
const spec = loadSloSpecFile(fromRepo('test/slo/fixtures/two-services.yaml'));

interface Rule {
  record?: string;
  alert?: string;
  for?: string;
  keep_firing_for?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Groups {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

describe('renderSloRuleFiles', () => {
  for (const profile of ['production', 'test'] as const) {
    it(`matches the golden files (${profile} profile)`, () => {
      for (const f of renderSloRuleFiles(spec, { profile })) {
        const golden = fromRepo('test/slo/golden', profile, f.file);
        if (update) {
          mkdirSync(dirname(golden), { recursive: true });
          writeFileSync(golden, f.content);
        }
        assert.equal(f.content, readFileSync(golden, 'utf8'), `${profile}/${f.file} differs from its golden file`);
      }
    });
  }

  it('returns the two rule files, each with the generated header, and the catalog of the models they come from', () => {
    const files = renderSloRuleFiles(spec, { profile: 'production' });
    assert.deepEqual(
      files.map((f) => f.file),
      ['recording_rules.yml', 'slo_alerting_rules.yml', 'slo_catalog.json'],
    );
    for (const f of files.slice(0, 2)) assert.ok(f.content.startsWith(GENERATED_HEADER + '\n'), f.file);
    const catalog = JSON.parse(files[2]!.content) as {
      generatedBy: string;
      profile: string;
      slos: Array<{ service: string; name: string }>;
    };
    assert.equal(catalog.profile, 'production');
    assert.match(catalog.generatedBy, /mlmon generate/);
    assert.deepEqual(
      catalog.slos.map((x) => `${x.service}/${x.name}`),
      buildSloModels(spec, 'production').map((x) => `${x.service}/${x.name}`),
    );
  });

  it('is pure: the same spec gives the same bytes', () => {
    assert.deepEqual(renderSloRuleFiles(spec, { profile: 'production' }), renderSloRuleFiles(spec, { profile: 'production' }));
  });

  const recording = parse(renderSloRuleFiles(spec, { profile: 'production' })[0]!.content) as Groups;
  const alerting = parse(renderSloRuleFiles(spec, { profile: 'production' })[1]!.content) as Groups;
  const rules = recording.groups.flatMap((g) => g.rules);

  it('records every documented SLO series, with service and slo labels', () => {
    const names = new Set(rules.map((r) => r.record));
    for (const n of [
      'slo:availability:ratio_rate5m',
      'slo:availability:ratio_rate30d',
      'slo:availability:error_budget_remaining',
      ...['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `slo:availability:burn_rate:${w}`),
      'slo:http_request_duration:p50:rate5m',
      'slo:http_request_duration:p95:rate5m',
      'slo:http_request_duration:p99:rate5m',
      'slo:http_request_duration:p99:rate7d',
      'slo:latency:ratio_rate7d',
      'slo:latency:error_budget_remaining',
    ])
      assert.ok(names.has(n), `missing ${n}`);
    for (const r of rules.filter((x) => x.record?.startsWith('slo:'))) {
      assert.ok(r.labels?.service && r.labels.slo, `${r.record} lacks service/slo labels`);
    }
  });

  it('never divides by a zero total (no NaN from zero traffic)', () => {
    for (const r of rules.filter((x) => x.record?.startsWith('slo:') && x.expr.includes(' / ('))) {
      assert.match(r.expr, /> 0\)/, `${r.record}: ${r.expr}`);
    }
  });

  it('counts events once per tile: per raw series, the increase since the value it last counted from', () => {
    const tiles = recording.groups.find((g) => g.name === 'slo-inference-gateway-availability-tiles');
    assert.equal(tiles?.interval, '5m', 'the counts are recorded once per tile');
    assert.deepEqual(
      tiles?.rules.map((r) => r.record),
      [
        'slo:availability:bad_events:last_seen',
        'slo:availability:total_events:last_seen',
        'slo:availability:bad_events:counted',
        'slo:availability:total_events:counted',
        'slo:availability:counted_since:timestamp_seconds',
      ],
      'each evaluation keeps the raw values first, then counts from what it kept',
    );
    assert.equal(tiles?.rules[1]?.expr, 'http_requests_total{job="inference-gateway",route="/predict"}');
    const total = tiles?.rules[3]?.expr ?? '';
    assert.match(total, /last_over_time\(slo:availability:total_events:counted\{[^}]*\}\[2h\]\)/, 'carried over from the last count');
    assert.match(
      total,
      /last_over_time\(slo:availability:total_events:last_seen\{[^}]*\}\[2h\] offset 1ms\)/,
      'from the previous kept values, up to 2h back',
    );
    assert.match(total, /\(slo:availability:total_events:last_seen\{[^}]*\} - ignoring/, 'up to the value this evaluation kept');
    // A scrape appended while the group runs must not be seen by one read and
    // missed by another: the raw series is read only for resets and new series.
    const raw = total.match(/http_requests_total\{/g)?.length ?? 0;
    const inRange = total.match(/(resets|max_over_time|min_over_time)\(http_requests_total\{/g)?.length ?? 0;
    assert.ok(
      raw > 0 && raw === inRange,
      `the raw counter is never read as an instant value (${raw} reads, ${inRange} in range functions)`,
    );
    assert.doesNotMatch(total, /\brate\(|increase\(/, 'a difference of scrapes, never extrapolated');
  });

  it('reads the period and the long windows as differences of two counts, not from raw counters', () => {
    const r = rules.find((x) => x.record === 'slo:availability:ratio_rate30d' && x.labels?.service === 'inference-gateway');
    assert.ok(r);
    assert.doesNotMatch(r.expr, /http_requests_total/);
    assert.match(r.expr, /last_over_time\(slo:availability:bad_events:counted\{[^}]*\}\[2h\] offset 30d\)/);
    for (const w of ['6h', '1d', '3d']) {
      const b = rules.find((x) => x.record === `slo:availability:burn_rate:${w}` && x.labels?.service === 'inference-gateway');
      assert.match(b?.expr ?? '', new RegExp(`counted\\{[^}]*\\}\\[2h\\] offset ${w}\\)`), w);
    }
    for (const w of ['5m', '30m', '1h', '2h']) {
      const b = rules.find((x) => x.record === `slo:availability:burn_rate:${w}` && x.labels?.service === 'inference-gateway');
      assert.match(b?.expr ?? '', new RegExp(`rate\\(http_requests_total\\{[^}]*\\}\\[${w}\\]\\)`), `${w} reads the newest scrape`);
    }
  });

  it("counts the latency SLI only over series with the threshold's bucket, matched as a number", () => {
    const tiles = recording.groups.find((g) => g.name === 'slo-inference-gateway-latency-tiles');
    const total = tiles?.rules.find((r) => r.record === 'slo:latency:total_events:last_seen');
    assert.equal(
      total?.expr,
      '(http_request_duration_seconds_count{job="inference-gateway",route="/predict"} and ignoring (le) http_request_duration_seconds_bucket{job="inference-gateway",route="/predict",le=~"0\\\\.30*"})',
    );
    const p99 = rules.find((x) => x.record === 'slo:http_request_duration:p99:rate7d' && x.labels?.service === 'inference-gateway');
    assert.match(p99?.expr ?? '', /slo:http_request_duration_bucket:counted\{[^}]*\}\[2h\] offset 7d/);
    assert.match(p99?.expr ?? '', / >= -Inf$/, 'a NaN quantile is not recorded');
  });

  it('writes one alert rule per tier, with severity, category, windows and a runbook anchor', () => {
    const gw = alerting.groups.find((g) => g.name === 'slo-inference-gateway-availability-burn-alerts');
    assert.deepEqual(
      gw?.rules.map((r) => [r.alert, r.labels?.severity, r.labels?.category, r.labels?.long_window, r.labels?.short_window]),
      [
        ['SLOAvailabilityFastBurn', 'critical', 'slo', '1h', '5m'],
        ['SLOAvailabilityFastBurn', 'critical', 'slo', '6h', '30m'],
        ['SLOAvailabilitySlowBurn', 'warning', 'slo', '1d', '2h'],
        ['SLOAvailabilitySlowBurn', 'warning', 'slo', '3d', '6h'],
      ],
    );
    assert.equal(
      gw?.rules[0]?.annotations?.runbook_url,
      'https://git.example.com/ops/mlmon/-/blob/main/docs/RUNBOOKS.md#sloavailabilityfastburn',
    );
    assert.equal(gw?.rules[0]?.annotations?.dashboard, 'https://grafana.example.com/d/slo', 'SLO annotations reach the alerts');
    assert.match(gw?.rules[0]?.expr ?? '', /> 14\.4\n/, 'thresholds are clean numbers');
    const latency = alerting.groups.find((g) => g.name === 'slo-inference-gateway-latency-burn-alerts');
    assert.deepEqual(
      latency?.rules.map((r) => r.alert),
      ['SLOLatencyFastBurn', 'SLOLatencyFastBurn', 'SLOLatencySlowBurn', 'SLOLatencySlowBurn'],
    );
  });

  it('holds pages for one short window after they last matched, and scales a young ticket by the data it holds', () => {
    const gw = alerting.groups.find((g) => g.name === 'slo-inference-gateway-availability-burn-alerts');
    assert.deepEqual(
      gw?.rules.map((r) => r.keep_firing_for),
      ['5m', '30m', undefined, undefined],
    );
    assert.match(
      gw?.rules[2]?.expr ?? '',
      /clamp_max\(\(time\(\) - last_over_time\(slo:availability:counted_since:timestamp_seconds\{[^}]*\}\[2h\]\)\) \/ 86400, 1\)/,
    );
    assert.doesNotMatch(gw?.rules[0]?.expr ?? '', /counted_since/);
  });

  it("says when an SLO has no data, and names a histogram series without the threshold's bucket", () => {
    const data = alerting.groups.find((g) => g.name === 'slo-inference-gateway-latency-data-alerts');
    assert.deepEqual(
      data?.rules.map((r) => [r.alert, r.expr, r.for, r.labels?.severity]),
      [
        ['SLOLatencyNoData', 'absent(http_request_duration_seconds_count{job="inference-gateway",route="/predict"})', '10m', 'warning'],
        [
          'SLOLatencyThresholdBucketMissing',
          'http_request_duration_seconds_count{job="inference-gateway",route="/predict"} unless ignoring (le) http_request_duration_seconds_bucket{job="inference-gateway",route="/predict",le=~"0\\\\.30*"}',
          '10m',
          'warning',
        ],
      ],
    );
  });

  it('applies the low-traffic guard from the spec, and leaves out SLOs whose alerts are off', () => {
    const reads = alerting.groups.find((g) => g.name === 'slo-feature-store-reads-burn-alerts');
    assert.match(reads?.rules[0]?.expr ?? '', />= 500$/);
    assert.equal(reads?.rules[0]?.labels?.team, 'features');
    assert.equal(
      alerting.groups.find((g) => g.name === 'slo-feature-store-writes-burn-alerts'),
      undefined,
    );
  });
});
