import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burnDetection, stackTimings, theoryFor } from '../../src/alerttest/theory.js';
import { budgetSeconds, isHostAlert } from '../../src/alerttest/runner.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { alertmanagerConfigObject, alertTimingOf, resolveNotificationTargets } from '../../src/alerting/index.js';
import { SCENARIOS } from '../../src/alerttest/scenarios.js';
import { defaultSettings, RULE_FILE } from '../../src/definition/index.js';
import { durationSeconds } from '../../src/duration.js';
import { buildSloModels, loadSloSpecFile, windowDetectionSeconds } from '../../src/slo/index.js';
import { fromRepo } from '../../src/paths.js';

// The shipped spec's own values: a user who changes an objective keeps these green.
const spec = loadSloSpecFile(fromRepo('config/slos.yaml'));
const availability = (profile: 'production' | 'test') => {
  const slo = buildSloModels(spec, profile).find((s) => s.kind === 'availability');
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

test('a total outage pages after budget × burn × long window (workbook), on the fastest page pair', () => {
  const slo = availability('production');
  const fastest = slo.windows.tiers[0]!;
  const d = burnDetection(slo, 1);
  assert.ok(d);
  assert.ok(Math.abs(d.seconds - slo.errorBudget * fastest.burnRate * fastest.long.seconds) < 1e-6, String(d.seconds));
  assert.equal(d.long, fastest.long.name);
  assert.equal(d.burnRate, fastest.burnRate);
});

test('on the test profile the same page pair is 60 times shorter', () => {
  const prod = burnDetection(availability('production'), 1);
  const d = burnDetection(availability('test'), 1);
  assert.ok(d && prod);
  assert.ok(Math.abs(d.seconds - prod.seconds / 60) < 1e-6, String(d.seconds));
  const test = availability('test');
  const half = theoryFor({ kind: 'burn', slo: test.name, badRatio: 0.5 }, [test], stackTimings('test', '1s', '1s'));
  assert.ok(Math.abs((half.seconds ?? 0) - d.seconds * 2) < 1e-6);
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

test('the theory waits as long as the Alertmanager configuration the stack renders for each profile', () => {
  for (const profile of ['production', 'test'] as const) {
    const s = defaultSettings({ profile });
    const config = alertmanagerConfigObject(s, resolveNotificationTargets({}, s), {
      secretsDir: '/secrets',
      templatesDir: 'templates',
      timing: alertTimingOf(profile),
    }) as { route: { group_wait: string; group_interval: string } };
    const t = stackTimings(profile, s.scrapeInterval, s.evaluationInterval);
    assert.equal(t.groupWaitSeconds, durationSeconds(config.route.group_wait), `${profile} group_wait`);
    assert.equal(t.groupIntervalSeconds, durationSeconds(config.route.group_interval), `${profile} group_interval`);
  }
});

test("a rule scenario's theory uses the for: its alert has in the hand-written rule file", () => {
  interface Rules {
    groups: Array<{ rules: Array<{ alert?: string; for?: string }> }>;
  }
  const rules = (parse(readFileSync(fromRepo('config', 'prometheus', RULE_FILE.alerting), 'utf8')) as Rules).groups.flatMap((g) => g.rules);
  let checked = 0;
  for (const sc of SCENARIOS) {
    if (sc.theory.kind !== 'rule') continue;
    const name = sc.theory.alertname;
    const rule = rules.find((r) => r.alert === name);
    assert.ok(rule?.for, `${sc.id}: ${name} has a for:`);
    assert.equal(sc.theory.forSeconds, durationSeconds(rule.for), `${sc.id}: ${name} for: ${rule.for}`);
    checked++;
  }
  assert.ok(checked >= 2, `${checked} rule scenarios`);
});
