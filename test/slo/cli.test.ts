import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMlmon } from '../support/stack.js';

interface WindowRow {
  slo: string;
  severity: string;
  burnRate: number;
  orEqual: boolean;
  forSeconds: number;
  long: string;
  short: string;
  detectTotalOutageSeconds: number;
}

test('mlmon slo windows: the workbook tiers of the shipped spec, with the workbook detection times', () => {
  const r = runMlmon(['slo', 'windows', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as WindowRow[];
  const availability = rows.filter((x) => x.slo === 'availability');
  assert.deepEqual(
    availability.map((x) => [x.severity, x.burnRate, x.long, x.short, x.forSeconds]),
    [
      ['critical', 14.4, '1h', '5m', 0],
      ['critical', 6, '6h', '30m', 0],
      ['warning', 3, '1d', '2h', 0],
      ['warning', 1, '3d', '6h', 0],
    ],
  );
  // A total outage spends 0.5% x 14.4 of an hour: 259 s.
  assert.equal(availability[0]?.detectTotalOutageSeconds, 259);
});

test("mlmon slo windows: an OpenSLO policy's own threshold, operator and alertAfter, counted in the detection time", () => {
  const r = runMlmon(['slo', 'windows', '--spec', 'test/slo/fixtures/openslo-burn-policies.yaml']);
  assert.equal(r.code, 0, r.stderr);
  const [head, ...lines] = r.stdout.trim().split('\n');
  assert.match(head ?? '', /severity\s+burn\s+long\s+short\s+for\s+budget/);
  assert.match(lines[0] ?? '', /critical\s+>=10x\s+2h\s+10m\s+-\s/);
  // 2x over 1d waits its 10 minutes: 0.5% x 2 x 86400 s + 600 s.
  assert.match(lines[1] ?? '', /warning\s+>2x\s+1d\s+3h\s+10m\s.*\s1464s$/);
});
