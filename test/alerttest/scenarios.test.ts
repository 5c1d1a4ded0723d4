import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { SCENARIOS, findScenario, scenarioNumber, type Delivery } from '../../src/alerttest/scenarios.js';
import { RECEIVERS, ROUTES } from '../../src/alerting/routing.js';
import { fromRepo } from '../../src/paths.js';

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string> }> }>;
}
const staticLabels = new Map<string, Record<string, string>>();
for (const file of ['alerting_rules.yml', 'slo_alerting_rules.yml']) {
  const doc = parse(readFileSync(fromRepo('config/prometheus', file), 'utf8')) as RuleFile;
  for (const r of doc.groups.flatMap((g) => g.rules)) if (r.alert) staticLabels.set(r.alert, { alertname: r.alert, ...(r.labels ?? {}) });
}

/** First matching row of the routing table (no `continue`), as Alertmanager picks it. */
function receiverOf(labels: Record<string, string>): string {
  for (const row of ROUTES) {
    const ok = row.matchers.every((m) => {
      const p = /^(\w+)(=~|!=|=)"(.*)"$/.exec(m);
      assert.ok(p, m);
      const [, name, op, value] = p;
      const v = labels[name ?? ''] ?? '';
      if (op === '=') return v === value;
      if (op === '!=') return v !== value;
      return new RegExp(`^(?:${value})$`).test(v);
    });
    if (ok) return row.receiver;
  }
  return RECEIVERS.fallback;
}

/** Integrations and channels of each receiver (src/alerting/render.ts). */
const RECEIVER_OUTPUTS: Record<string, Array<Pick<Delivery, 'integration' | 'channel'>>> = {
  [RECEIVERS.page]: [{ integration: 'pagerduty' }, { integration: 'slack', channel: '#alerts' }],
  [RECEIVERS.slackAlerts]: [{ integration: 'slack', channel: '#alerts' }],
  [RECEIVERS.slackMlTeam]: [{ integration: 'slack', channel: '#ml-team' }],
  [RECEIVERS.slackInfra]: [{ integration: 'slack', channel: '#infra' }],
  [RECEIVERS.slackPlatform]: [{ integration: 'slack', channel: '#platform' }],
  [RECEIVERS.heartbeat]: [{ integration: 'webhook', channel: 'heartbeat' }],
  [RECEIVERS.fallback]: [{ integration: 'email' }],
};

test('every alert a scenario names exists in the rule files', () => {
  for (const sc of SCENARIOS) {
    const names = [
      ...sc.fires.map((f) => f.alertname),
      ...sc.delivers.map((d) => d.alertname),
      ...sc.suppressed.map((s) => s.alert.alertname),
      ...(sc.clears ?? []),
    ];
    for (const n of names) assert.ok(staticLabels.has(n), `${sc.id}: no alert named ${n}`);
  }
});

test('every expected delivery is where the routing table sends that alert', () => {
  for (const sc of SCENARIOS) {
    for (const d of [...sc.delivers, ...(sc.recovers ?? [])]) {
      const receiver = receiverOf(staticLabels.get(d.alertname) ?? {});
      const outputs = RECEIVER_OUTPUTS[receiver] ?? [];
      assert.ok(
        outputs.some((o) => o.integration === d.integration && (d.channel === undefined || o.channel === d.channel)),
        `${sc.id}: ${d.alertname} goes to ${receiver}, not ${d.integration} ${d.channel ?? ''}`,
      );
    }
  }
});

test('the drift alert does not page, so its quiet rule can hold', () => {
  assert.equal(receiverOf(staticLabels.get('FeatureDrift') ?? {}), RECEIVERS.slackMlTeam);
});

test('the seven scenarios are numbered in the order --all runs them, baseline first, each id once', () => {
  assert.deepEqual(
    SCENARIOS.map((s) => scenarioNumber(s)),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(new Set(SCENARIOS.map((s) => s.id)).size, SCENARIOS.length);
  assert.equal(SCENARIOS[0]?.id, 'baseline');
  assert.equal(findScenario('1')?.id, 'baseline');
  assert.equal(findScenario('7')?.id, 'error-burst');
  assert.equal(scenarioNumber(findScenario('drift')!), 3);
  assert.equal(findScenario('nope'), undefined);
  assert.equal(findScenario('0'), undefined);
});
