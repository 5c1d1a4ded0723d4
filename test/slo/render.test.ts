import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fromRepo } from '../../src/paths.js';
import { GENERATED_HEADER, loadSloSpecFile, renderSloRuleFiles } from '../../src/slo/index.js';

// Golden files: regenerate with `UPDATE_GOLDEN=1 node --test dist/test/slo/render.test.js`
// and review the diff.
const update = process.env.UPDATE_GOLDEN === '1';
const spec = loadSloSpecFile(fromRepo('test/slo/fixtures/two-services.yaml'));

interface Rule {
  record?: string;
  alert?: string;
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

  it('returns exactly the two files, each with the generated header', () => {
    const files = renderSloRuleFiles(spec, { profile: 'production' });
    assert.deepEqual(
      files.map((f) => f.file),
      ['recording_rules.yml', 'slo_alerting_rules.yml'],
    );
    for (const f of files) assert.ok(f.content.startsWith(GENERATED_HEADER + '\n'), f.file);
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
      'http:requests:rate5m',
      'http:error_rate:percent:rate5m',
      'http:request_duration:avg:rate5m',
      'container:cpu_usage:percent',
      'container:memory_usage:percent',
      'container:network_transmit:rate5m_mb',
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

  it('computes the period ratio from hourly tiles, not from raw counters; 5-minute tiles only over the last hour, for a stack without an hourly tile yet', () => {
    const r = rules.find((x) => x.record === 'slo:availability:ratio_rate30d' && x.labels?.service === 'inference-gateway');
    assert.ok(r);
    assert.doesNotMatch(r.expr, /http_requests_total/);
    const fineRanges = [...r.expr.matchAll(/rate5m\{[^}]*\}\[([^\]]+)\]/g)].map((m) => m[1]);
    assert.deepEqual(fineRanges, ['59m59s999ms', '59m59s999ms'], 'the 5-minute tiles are read over one hour only');
    assert.match(r.expr, /\) or \(/, 'the hourly answer wins wherever it exists');
    assert.match(
      r.expr,
      /sum_over_time\(slo:availability:bad_events:rate1h\{[^}]*\}\[29d23h59m59s999ms\]\) \/ \(sum_over_time\(slo:availability:total_events:rate1h\{[^}]*\}\[29d23h59m59s999ms\]\) > 0\)/,
    );
    const tiles = recording.groups.find((g) => g.name === 'slo-inference-gateway-availability-tiles');
    assert.equal(tiles?.interval, '5m', 'tiles are recorded once per tile length');
  });

  it('sums twelve 5-minute tiles into each hourly tile, once an hour, over a range a millisecond short of the hour', () => {
    const coarse = recording.groups.find((g) => g.name === 'slo-inference-gateway-availability-coarse-tiles');
    assert.equal(coarse?.interval, '1h');
    assert.deepEqual(
      coarse?.rules.map((x) => [x.record, x.expr]),
      [
        [
          'slo:availability:bad_events:rate1h',
          'sum_over_time(slo:availability:bad_events:rate5m{service="inference-gateway",slo="availability"}[59m59s999ms]) / 12',
        ],
        [
          'slo:availability:total_events:rate1h',
          'sum_over_time(slo:availability:total_events:rate5m{service="inference-gateway",slo="availability"}[59m59s999ms]) / 12',
        ],
      ],
    );
    const names = recording.groups.map((g) => g.name);
    assert.ok(names.indexOf('slo-inference-gateway-availability-tiles') < names.indexOf('slo-inference-gateway-availability-coarse-tiles'));
    assert.ok(names.indexOf('slo-inference-gateway-availability-coarse-tiles') < names.indexOf('slo-inference-gateway-availability'));
  });

  it('keeps the alerting windows on the 5-minute tiles (fresh within a tile)', () => {
    for (const w of ['6h', '1d', '3d']) {
      const r = rules.find((x) => x.record === `slo:availability:burn_rate:${w}` && x.labels?.service === 'inference-gateway');
      assert.match(r?.expr ?? '', /sum_over_time\(slo:availability:bad_events:rate5m\{/, w);
    }
  });

  it("reads the latency SLO's period P99 from coarse bucket tiles", () => {
    const coarse = recording.groups.find((g) => g.name === 'slo-inference-gateway-latency-coarse-tiles');
    assert.equal(coarse?.interval, '14m');
    assert.ok(coarse?.rules.some((x) => x.record === 'slo:http_request_duration_bucket:rate14m'));
    const p99 = rules.find((x) => x.record === 'slo:http_request_duration:p99:rate7d' && x.labels?.service === 'inference-gateway');
    assert.match(p99?.expr ?? '', /sum_over_time\(slo:http_request_duration_bucket:rate14m\{[^}]*\}\[6d23h59m59s999ms\]\)/);
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
