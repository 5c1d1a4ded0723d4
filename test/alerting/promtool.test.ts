// The alerting rules: promtool unit tests (test/rules/alerts/), and the
// promise that each alert has a case that fires it and one that stays quiet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { fromRepo } from '../../src/paths.js';

interface Rule {
  alert?: string;
  record?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTestFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] | null }> }>;
}

const rulesFile = fromRepo('config/prometheus/alerting_rules.yml');
const testsDir = fromRepo('test/rules/alerts');
const testFiles = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => join(testsDir, f));
const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => typeof r.alert === 'string');

/** Alerts with no quiet case by design. */
const ALWAYS_FIRING = new Set(['Watchdog']);
const SEVERITIES = new Set(['critical', 'warning', 'info']);
const CATEGORIES = new Set(['slo', 'availability', 'errors', 'resource', 'model_quality', 'monitoring']);

describe('alerting rules', () => {
  test('promtool check rules accepts the file', () => {
    const res = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stdout + res.stderr);
  });

  for (const file of testFiles) {
    test(`promtool test rules ${file.slice(testsDir.length + 1)}`, () => {
      const res = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(res.status, 0, res.stdout + res.stderr);
    });
  }

  test('every alert has a firing case and a quiet case', () => {
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(f, 'utf8')) as RuleTestFile;
      for (const t of doc.tests) {
        for (const c of t.alert_rule_test ?? []) {
          if ((c.exp_alerts ?? []).length > 0) fires.add(c.alertname);
          else quiet.add(c.alertname);
        }
      }
    }
    const names = alerts.map((a) => a.alert);
    assert.deepEqual(
      names.filter((n) => !fires.has(n)),
      [],
      'alerts without a firing case',
    );
    assert.deepEqual(
      names.filter((n) => !quiet.has(n) && !ALWAYS_FIRING.has(n)),
      [],
      'alerts without a quiet case',
    );
  });

  test('every alert carries severity, category, summary, description and runbook_url', () => {
    assert.ok(alerts.length >= 30, `only ${alerts.length} alerts`);
    for (const a of alerts) {
      assert.ok(SEVERITIES.has(a.labels?.severity ?? ''), `${a.alert}: severity`);
      assert.ok(CATEGORIES.has(a.labels?.category ?? ''), `${a.alert}: category`);
      for (const k of ['summary', 'description', 'runbook_url']) assert.ok(a.annotations?.[k], `${a.alert}: annotation ${k}`);
    }
    assert.equal(new Set(alerts.map((a) => a.alert)).size, alerts.length, 'alert names are unique');
  });

  test('the routing promises hold: ServiceDown and HighErrorRate page, Watchdog is info', () => {
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    assert.equal(byName.get('ServiceDown')?.labels?.severity, 'critical');
    assert.equal(byName.get('HighErrorRate')?.labels?.severity, 'critical');
    assert.equal(byName.get('Watchdog')?.labels?.severity, 'info');
    for (const a of alerts.filter((x) => x.labels?.category === 'model_quality')) assert.equal(a.labels?.severity, 'warning', a.alert);
  });
});
