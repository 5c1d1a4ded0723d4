/** A global Prometheus federating two stacks through /federate, with the
 * config `mlmon federation` renders: SLO series and ALERTS arrive with the
 * labels that tell the stacks apart; nothing else does. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { renderFederationConfig } from '../../src/remote/index.js';
import { promApiQuery, startPrometheus, stopProc, until, type Proc } from '../remote/support.js';

const dir = mkdtempSync(join(tmpdir(), 'mlmon-federation-'));
const procs: Proc[] = [];

after(async () => {
  for (const p of procs.reverse()) await stopProc(p);
  rmSync(dir, { recursive: true, force: true });
});

function stackRules(burn: number): string {
  return `groups:
  - name: slo
    interval: 1s
    rules:
      - record: slo:availability:burn_rate:1h
        expr: vector(${burn})
        labels: { service: inference-gateway, slo: availability }
      - record: http:requests:rate5m
        expr: vector(1)
      - alert: SLOAvailabilityFastBurn
        expr: slo:availability:burn_rate:1h > 14.4
        labels: { severity: critical, category: slo, service: inference-gateway, slo: availability }
`;
}

function stackConfig(cluster: string, port: number): Record<string, unknown> {
  return {
    global: { scrape_interval: '1s', evaluation_interval: '1s', external_labels: { cluster, environment: 'production' } },
    rule_files: ['rules.yml'],
    scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
  };
}

test('a global Prometheus federates the SLO series and ALERTS of two stacks', { timeout: 120_000 }, async () => {
  const [euPort, usPort, globalPort] = (await freePorts(3)) as [number, number, number];
  procs.push(await startPrometheus(join(dir, 'eu'), euPort, stackConfig('eu-1', euPort), { 'rules.yml': stackRules(20) }));
  procs.push(await startPrometheus(join(dir, 'us'), usPort, stackConfig('us-1', usPort), { 'rules.yml': stackRules(2) }));
  const global = renderFederationConfig(
    [
      { name: 'eu', url: `http://127.0.0.1:${euPort}` },
      { name: 'us', url: `http://127.0.0.1:${usPort}/` },
    ],
    { scrapeInterval: '1s' },
  );
  procs.push(await startPrometheus(join(dir, 'global'), globalPort, global));
  const g = `http://127.0.0.1:${globalPort}`;

  const burn = await until('SLO series of both stacks in the global Prometheus', 60_000, async () => {
    const r = await promApiQuery(g, 'slo:availability:burn_rate:1h');
    return r.length === 2 ? r : undefined;
  });
  const byCluster = Object.fromEntries(burn.map((r) => [r.metric.cluster, r]));
  assert.equal(byCluster['eu-1']!.value[1], '20');
  assert.equal(byCluster['us-1']!.value[1], '2');
  // honor_labels keeps the source's labels; /federate adds its external labels.
  assert.equal(byCluster['eu-1']!.metric.service, 'inference-gateway');
  assert.equal(byCluster['eu-1']!.metric.slo, 'availability');
  assert.equal(byCluster['eu-1']!.metric.environment, 'production');
  assert.equal(byCluster['eu-1']!.metric.stack, 'eu');
  assert.equal(byCluster['us-1']!.metric.stack, 'us');

  const alerts = await until('the firing alert of the burning stack', 60_000, async () => {
    const r = await promApiQuery(g, 'ALERTS{alertstate="firing"}');
    return r.length > 0 ? r : undefined;
  });
  assert.deepEqual(
    alerts.map((a) => [a.metric.alertname, a.metric.cluster]),
    [['SLOAvailabilityFastBurn', 'eu-1']],
  );

  // Only what match[] selects crosses over.
  const others = await promApiQuery(g, 'count by (__name__) ({__name__=~"http:.*|up|go_goroutines|ALERTS_FOR_STATE", job!="federate"})');
  assert.deepEqual(others, []);
  const targets = await promApiQuery(g, 'up{job="federate"}');
  assert.equal(targets.length, 2);
  assert.ok(targets.every((t) => t.value[1] === '1'));
});
