import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlmonError } from '../../src/errors.js';
import { fromRepo } from '../../src/paths.js';
import { loadSloSpecFile, parseSloSpec } from '../../src/slo/index.js';
import { buildSloModels } from '../../src/slo/model.js';
// The gateway's door leaves its metric families (prom-client) out: they load with its server.
import { HTTP_DURATION_BUCKETS } from '../../src/gateway/metrics.js';
import { HTTP_METRICS } from '../../src/definition/index.js';

const GOOD = `version: mlmon/v1
services:
  - name: api
    slos:
      - name: availability
        objective: 99.5
        sli:
          events:
            bad: http_requests_total{status=~"5.."}
            total: http_requests_total
      - name: latency
        objective: 99
        period: 7d
        sli:
          latency:
            histogram: http_request_duration_seconds{route="/predict"}
            threshold: 0.3
            buckets: [0.1, 0.3, 1]
`;

/** Throws from parseSloSpec and returns the error's location and message. */
function failure(text: string): { location: string | undefined; message: string } {
  try {
    parseSloSpec(text, 'config/slos.yaml');
  } catch (e) {
    assert.ok(e instanceof MlmonError, `expected MlmonError, got ${String(e)}`);
    return { location: e.location, message: e.message };
  }
  assert.fail('the spec was accepted');
}

describe('SLO spec', () => {
  it('loads the shipped spec in both profiles, whatever its objectives and periods', () => {
    const spec = loadSloSpecFile(fromRepo('config/slos.yaml'));
    const prod = buildSloModels(spec, 'production');
    assert.ok(prod.length >= 1);
    assert.deepEqual(
      buildSloModels(spec, 'test').map((s) => `${s.service}/${s.name}`),
      prod.map((s) => `${s.service}/${s.name}`),
    );
  });

  it("holds the gateway's own latency buckets wherever the shipped spec reads the gateway's histogram", () => {
    // The bucket list is written twice (the gateway registers it, the spec repeats it
    // so the threshold can be checked against it): this ties the two.
    const gatewayHistograms = buildSloModels(loadSloSpecFile(fromRepo('config/slos.yaml')), 'production').filter(
      (s) =>
        s.latency?.metric === HTTP_METRICS.duration &&
        s.latency.selector.matchers.some((m) => m.label === 'job' && m.value === 'inference-gateway'),
    );
    assert.ok(gatewayHistograms.length >= 1, "the shipped spec has a latency SLO over the gateway's histogram");
    for (const s of gatewayHistograms) {
      assert.deepEqual(s.latency?.buckets, HTTP_DURATION_BUCKETS, `${s.service}/${s.name}: buckets differ from the gateway's`);
      assert.ok(
        HTTP_DURATION_BUCKETS.includes(s.latency?.thresholdSeconds ?? NaN),
        `${s.service}/${s.name}: the threshold is a gateway bucket`,
      );
    }
  });

  it('accepts a valid spec and applies the defaults in the model', () => {
    const [a] = buildSloModels(parseSloSpec(GOOD, 'x.yaml'), 'production');
    assert.equal(a?.windows.period.name, '30d');
    assert.equal(a?.alerting.enabled, true);
    assert.equal(a?.alerting.minRequests, 100);
    assert.equal(a?.errorBudget, 0.005);
  });

  const cases: { name: string; edit: (t: string) => string; line: number; says: RegExp }[] = [
    { name: 'objective of 100', edit: (t) => t.replace('objective: 99.5', 'objective: 100'), line: 6, says: /objective must be below 100/ },
    { name: 'objective as text', edit: (t) => t.replace('objective: 99.5', 'objective: high'), line: 6, says: /percentage/ },
    {
      name: 'a threshold that is not a bucket',
      edit: (t) => t.replace('threshold: 0.3', 'threshold: 0.25'),
      line: 17,
      says: /0.25s is not one of the histogram's buckets \[0.1, 0.3, 1\]/,
    },
    { name: 'an unknown key (a typo)', edit: (t) => t.replace('period: 7d', 'perod: 7d'), line: 13, says: /perod/ },
    { name: 'a bad period', edit: (t) => t.replace('period: 7d', 'period: a week'), line: 13, says: /duration/ },
    {
      name: 'a period that is no whole number of tiles',
      edit: (t) => t.replace('period: 7d', 'period: 7d1s'),
      line: 13,
      says: /period 7d1s: the period cannot be split into whole tiles of about 1m10s/,
    },
    {
      name: 'a query instead of a selector',
      edit: (t) => t.replace('total: http_requests_total', 'total: sum(rate(http_requests_total[5m]))'),
      line: 10,
      says: /metric selector|metric name/,
    },
    {
      name: 'both bad and good',
      edit: (t) => t.replace('            total: http_requests_total\n', '            good: x\n            total: http_requests_total\n'),
      line: 8,
      says: /exactly one of "bad" or "good"/,
    },
    {
      name: 'a reserved label',
      edit: (t) => t.replace('  - name: api\n', '  - name: api\n    labels: {slo: x}\n'),
      line: 4,
      says: /set by the generator/,
    },
    { name: 'a duplicate SLO name', edit: (t) => t.replace('name: latency', 'name: availability'), line: 11, says: /declared twice/ },
    { name: 'a wrong version', edit: (t) => t.replace('mlmon/v1', 'v2'), line: 1, says: /version must be "mlmon\/v1"/ },
    {
      name: 'a short window not shorter than the long one',
      edit: (t) =>
        t.replace(
          '            total: http_requests_total\n',
          '            total: http_requests_total\n        alerting:\n          burn_rates:\n            - burn_rate: 10\n              long_window: 1h\n              short_window: 2h\n',
        ),
      line: 15,
      says: /short_window must be shorter than long_window \(1h\)/,
    },
    {
      name: 'a burn rate op that would fire while all is well',
      edit: (t) =>
        t.replace(
          '            total: http_requests_total\n',
          '            total: http_requests_total\n        alerting:\n          burn_rates:\n            - {burn_rate: 10, long_window: 1h, op: lt}\n',
        ),
      line: 13,
      says: /op must be gt or gte/,
    },
    { name: 'YAML that does not parse', edit: (t) => t.replace('objective: 99\n', 'objective: [99\n'), line: 12, says: /not valid YAML/ },
  ];
  for (const c of cases) {
    it(`reports ${c.name} with file and line`, () => {
      const f = failure(c.edit(GOOD));
      assert.match(f.message, c.says);
      assert.equal(f.location?.split(':')[0], 'config/slos.yaml');
      const line = Number(f.location?.split(':')[1]);
      // A YAML syntax error may be reported on the line after the cause.
      assert.ok(Math.abs(line - c.line) <= (c.says.source.includes('YAML') ? 2 : 0), `line ${line}, expected ${c.line}`);
    });
  }

  it('tiles periods that are not a whole number of scaled tiles with the nearest tile that fits', () => {
    const tile = (period: string) =>
      buildSloModels(parseSloSpec(GOOD.replace('period: 7d', `period: ${period}`), 'x.yaml'), 'production')[1]?.windows.tile.name;
    assert.equal(tile('1y'), '1h50s');
    assert.equal(tile('100d'), '16m40s');
    assert.equal(tile('7d1h'), '1m12s');
  });

  it('keeps a traffic floor in the test profile that one failure alone cannot page', () => {
    const [availability, latency] = buildSloModels(parseSloSpec(GOOD, 'x.yaml'), 'test');
    // 100 / 60 would be 2: one failure in 2 requests is a 50% burn, far above 14.4 x 0.5%.
    assert.equal(availability?.alerting.minRequests, 14);
    assert.equal(latency?.alerting.minRequests, 7);
    for (const slo of [availability, latency]) {
      assert.ok(slo);
      const page = slo.errorBudget * Math.max(...slo.windows.tiers.map((t) => t.burnRate));
      const n = slo.alerting.minRequests;
      assert.ok(1 / n < page, `one failure in ${n} requests stays under the page`);
      assert.ok(1 / (n - 1) > page, `the floor is the smallest that does (${n - 1} would page)`);
    }
  });

  it("replaces the workbook tiers with the spec's own burn rates (short window 1/12 of the long one by default)", () => {
    const text = GOOD.replace(
      '            total: http_requests_total\n',
      '            total: http_requests_total\n        alerting:\n          burn_rates:\n            - {burn_rate: 10, long_window: 2h}\n            - {burn_rate: 2, long_window: 1d, short_window: 3h, severity: info, for: 15m}\n',
    );
    const [a] = buildSloModels(parseSloSpec(text, 'x.yaml'), 'production');
    assert.deepEqual(
      a?.windows.tiers.map((t) => [t.speed, t.burnRate, t.long.name, t.short.name, t.severity, t.forSeconds]),
      [
        ['fast', 10, '2h', '10m', 'critical', undefined],
        ['slow', 2, '1d', '3h', 'info', 900],
      ],
    );
    assert.ok(
      a?.windows.windows.some((w) => w.name === '3d'),
      'the workbook windows are still recorded',
    );
  });

  it('says where the file is when it cannot be read', () => {
    assert.throws(
      () => loadSloSpecFile('/nonexistent/slos.yaml'),
      (e: unknown) => e instanceof MlmonError && e.location === '/nonexistent/slos.yaml',
    );
  });
});
