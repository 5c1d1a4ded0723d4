import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMlmon } from '../support/stack.js';
import { fromRepo } from '../../src/paths.js';
import { buildSloModels, loadSloSpecFile } from '../../src/slo/index.js';

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

test("mlmon slo windows: each tier of the shipped spec's SLOs, with the workbook detection time of a total outage", () => {
  const r = runMlmon(['slo', 'windows', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as WindowRow[];
  // The spec's own values, read the way a user's edit would change them.
  const expected = buildSloModels(loadSloSpecFile(fromRepo('config/slos.yaml')), 'production').flatMap((s) =>
    s.windows.tiers.map((t) => [
      s.name,
      t.severity,
      t.burnRate,
      t.long.name,
      t.short.name,
      t.forSeconds ?? 0,
      Math.round(s.errorBudget * t.burnRate * t.long.seconds + (t.forSeconds ?? 0)),
    ]),
  );
  assert.deepEqual(
    rows.map((x) => [x.slo, x.severity, x.burnRate, x.long, x.short, x.forSeconds, x.detectTotalOutageSeconds]),
    expected,
  );
});

test("mlmon slo windows: an OpenSLO policy's own threshold, operator and alertAfter, counted in the detection time", () => {
  const r = runMlmon(['slo', 'windows', '--spec', 'test/rules/slo/openslo/slos.yaml']);
  assert.equal(r.code, 0, r.stderr);
  const [head, ...lines] = r.stdout.trim().split('\n');
  assert.match(head ?? '', /severity\s+burn\s+long\s+short\s+for\s+budget/);
  assert.match(lines[0] ?? '', /critical\s+>=10x\s+2h\s+10m\s+-\s/);
  // 2x over 1d waits its 10 minutes: 0.5% x 2 x 86400 s + 600 s.
  assert.match(lines[1] ?? '', /warning\s+>2x\s+1d\s+3h\s+10m\s.*\s1464s$/);
});
