import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { fromRepo } from '../../src/paths.js';
import { defaultSettings } from '../../src/definition/index.js';
import { ruleSources } from '../../src/stack/sources.js';
import { scaleAlertingRulesForTest, scaleRanges, TEST_RULE_SCALING } from '../../src/definition/index.js';
import { tryParseDuration } from '../../src/duration.js';

const durationSeconds = (text: string): number | undefined => {
  const ms = tryParseDuration(text);
  return ms === undefined ? undefined : ms / 1000;
};

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}
const rulesOf = (text: string) => (parse(text) as RuleFile).groups.flatMap((g) => g.rules);
const production = readFileSync(fromRepo('config/prometheus/alerting_rules.yml'), 'utf8');

test('range windows are divided by the factor, never below the floor', () => {
  assert.equal(scaleRanges('rate(x[5m])', TEST_RULE_SCALING), 'rate(x[20s])');
  assert.equal(scaleRanges('rate(x[1h]) / rate(y[6h])', TEST_RULE_SCALING), 'rate(x[1m]) / rate(y[6m])');
  assert.equal(scaleRanges('max_over_time(x[30m:1m])', TEST_RULE_SCALING), 'max_over_time(x[30s:1s])');
  // Label values with brackets-like text and non-duration brackets are left alone.
  assert.equal(scaleRanges('x{path="/a[b]"}', TEST_RULE_SCALING), 'x{path="/a[b]"}');
});

test('every alert of the hand-written rules gets scaled for: and windows; nothing else changes', () => {
  const scaled = scaleAlertingRulesForTest(production);
  const before = rulesOf(production);
  const after = rulesOf(scaled);
  assert.equal(after.length, before.length);
  for (const [i, rule] of after.entries()) {
    const orig = before[i];
    assert.ok(orig);
    assert.equal(rule.alert, orig.alert);
    if (orig.for === undefined) {
      assert.equal(rule.for, undefined);
      continue;
    }
    const want = Math.max(TEST_RULE_SCALING.forFloorSeconds, (durationSeconds(orig.for) ?? 0) / 60);
    assert.equal(durationSeconds(rule.for ?? ''), Math.round(want), `${orig.alert}: for ${orig.for} → ${rule.for}`);
  }
  const byName = new Map(after.map((r) => [r.alert, r]));
  assert.equal(byName.get('ServiceDown')?.for, '3s');
  assert.equal(byName.get('HighErrorRate')?.for, '5s');
  assert.match(byName.get('HighErrorRate')?.expr ?? '', /\[20s\]/);
  assert.doesNotMatch(byName.get('HighErrorRate')?.expr ?? '', /\[5m\]/);
  // ServiceDown must fire before TargetMissing so that it inhibits it, as in production.
  assert.ok((durationSeconds(byName.get('ServiceDown')?.for ?? '') ?? 0) < (durationSeconds(byName.get('TargetMissing')?.for ?? '') ?? 0));
  // Thresholds that are wall-clock ages are not durations of the test and stay.
  assert.match(byName.get('TrainingNotRecent')?.expr ?? '', /7 \* 86400/);
  // Per-model thresholds are series the exporter publishes: the expression stays as written.
  assert.equal(byName.get('ModelStale')?.expr, rulesOf(production).find((r) => r.alert === 'ModelStale')?.expr);
  assert.match(scaled, /^# Rendered by `mlmon up` \(test profile\)/);
  // Line N of the rendered file is line N of the source (errors point at the right line).
  assert.equal(scaled.split('\n').length, production.split('\n').length);
  const line = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
  assert.equal(line(scaled, '- alert: FeatureDrift'), line(production, '- alert: FeatureDrift'));
  assert.match(scaled, /# Configurable: 5% of the requests to the serving routes answered 5xx/, 'comments are kept');
});

test('the scaled rules pass promtool check rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-alerttest-rules-'));
  try {
    const file = join(dir, 'alerting_rules.yml');
    writeFileSync(file, scaleAlertingRulesForTest(production));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test profile runs the scaled rules; production runs them as written', () => {
  // Test stacks scrape every second (mlmon up --profile test).
  const test = ruleSources(defaultSettings({ profile: 'test', scrapeInterval: '1s' })).find((f) => f.path === 'alerting_rules.yml');
  const prod = ruleSources(defaultSettings({ profile: 'production' })).find((f) => f.path === 'alerting_rules.yml');
  assert.equal(prod?.content, production);
  assert.equal(test?.content, scaleAlertingRulesForTest(production));
});

test('a file that is not valid YAML goes through unchanged, for validation to report', () => {
  const broken = 'groups:\n  - name: x\n    rules: [\n';
  assert.equal(scaleAlertingRulesForTest(broken), broken);
});
