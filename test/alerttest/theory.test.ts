import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burnDetection, stackTimings, theoryFor, windowDetectionSeconds } from '../../src/alerttest/theory.js';
import { budgetSeconds, isHostAlert } from '../../src/alerttest/runner.js';
import { buildSloModels, loadSloSpecFile } from '../../src/slo/index.js';
import { fromRepo } from '../../src/paths.js';

const spec = loadSloSpecFile(fromRepo('config/slos.yaml'));
const availability = (profile: 'production' | 'test') => {
  const slo = buildSloModels(spec, profile).find((s) => s.name === 'availability');
  assert.ok(slo);
  return slo;
};

test('a full window crosses budget × burn after threshold × window / bad ratio', () => {
  assert.ok(Math.abs((windowDetectionSeconds(3600, 0.072, 1) ?? 0) - 259.2) < 1e-9);
  assert.equal(windowDetectionSeconds(3600, 0.072, 0.05), undefined, 'a bad ratio under the threshold never fires');
});

test('a young window (little history) crosses sooner', () => {
  // 10 minutes of good traffic, then a total outage: t / (600 + t) > 0.072.
  const t = windowDetectionSeconds(3600, 0.072, 1, 600) ?? 0;
  assert.ok(Math.abs(t - (0.072 * 600) / 0.928) < 1e-9);
  assert.ok(Math.abs(t / (600 + t) - 0.072) < 1e-9);
});

test('total outage on the 99.5% SLO pages after 0.005 × 14.4 × 60 min ≈ 4.3 min (workbook)', () => {
  const d = burnDetection(availability('production'), 1);
  assert.ok(d);
  assert.ok(Math.abs(d.seconds - 259.2) < 1e-6, String(d.seconds));
  assert.equal(d.long, '1h');
  assert.equal(d.burnRate, 14.4);
});

test('on the test profile the same page pair is 60 times shorter', () => {
  const d = burnDetection(availability('test'), 1);
  assert.ok(d);
  assert.ok(Math.abs(d.seconds - 259.2 / 60) < 1e-6, String(d.seconds));
  const half = theoryFor({ kind: 'burn', slo: 'availability', badRatio: 0.5 }, [availability('test')], stackTimings('test', '1s', '1s'));
  assert.ok(Math.abs((half.seconds ?? 0) - 8.64) < 1e-6);
  assert.equal(half.pipelineSeconds, 3);
});

test('rule theory uses the scaled for: on the test profile and the written one in production', () => {
  const rule = { kind: 'rule', alertname: 'ServiceDown', forSeconds: 60, leadSeconds: 0 } as const;
  assert.equal(theoryFor(rule, [], stackTimings('test', '1s', '1s')).seconds, 3);
  const prod = theoryFor(rule, [], stackTimings('production', '15s', '15s'));
  assert.equal(prod.seconds, 60);
  assert.equal(prod.pipelineSeconds, 60);
});

test('waits are generous on the test profile and minutes long in production', () => {
  assert.equal(budgetSeconds(stackTimings('test', '1s', '1s'), 3), 60);
  assert.ok(budgetSeconds(stackTimings('production', '15s', '15s'), 259) >= 259 + 60);
});

test("host resource alerts are told apart from the stack's own", () => {
  assert.ok(isHostAlert({ alertname: 'NodeCPUHigh', category: 'resource' }));
  assert.ok(!isHostAlert({ alertname: 'ContainerRestarting', category: 'resource', service: 'gateway' }));
  assert.ok(!isHostAlert({ alertname: 'ServiceDown', category: 'availability', service: 'x' }));
});
