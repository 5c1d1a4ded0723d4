/** The prometheus-operator manifests: valid against the vendored CRD schemas,
 * and carrying the same rules, scrape jobs and routing as the other modes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { ROUTES } from '../../src/alerting/index.js';
import {
  DEFAULT_KUBERNETES_OPTIONS,
  MANIFEST_DIR,
  kubernetesFiles,
  kubernetesRuleSources,
  parseMatcher,
  renderAlertmanagerConfigResource,
} from '../../src/kubernetes/index.js';
import { fromRepo, repoRoot } from '../../src/paths.js';
import { defaultSettings } from '../../src/definition/index.js';
import { dashboardSources } from '../../src/grafana/index.js';
import { crdValidator, type Doc } from './crd.js';

function committedDocs(): Doc[] {
  return readdirSync(fromRepo(MANIFEST_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(fromRepo(MANIFEST_DIR, f), 'utf8')).map((d) => d.toJS() as Doc));
}

test('the committed manifests are what the generator renders', () => {
  const files = kubernetesFiles(
    defaultSettings({ dataDir: join(repoRoot, 'data') }),
    kubernetesRuleSources(fromRepo('config')),
    undefined,
    undefined,
    dashboardSources(fromRepo('config')),
  );
  for (const f of files) assert.equal(readFileSync(fromRepo(f.path), 'utf8'), f.content, `${f.path} is stale: run mlmon generate`);
  assert.deepEqual(readdirSync(fromRepo(MANIFEST_DIR)).sort(), files.map((f) => f.path.split('/').pop()).sort());
});

test('every prometheus-operator manifest validates against its CRD schema (the others: bundle.test.ts)', () => {
  const docs = committedDocs().filter((d) => ['AlertmanagerConfig', 'PrometheusRule', 'ServiceMonitor'].includes(d.kind));
  assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), ['AlertmanagerConfig', 'PrometheusRule', 'ServiceMonitor']);
  for (const d of docs) {
    const { validate, apiVersion } = crdValidator(d.kind);
    assert.equal(d.apiVersion, apiVersion, `${d.kind} ${d.metadata.name}`);
    assert.equal(validate(d), true, `${d.kind} ${d.metadata.name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
    assert.match(d.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.equal(d.metadata.labels.release, 'kube-prometheus-stack', 'selected by kube-prometheus-stack');
  }
});

test('the CRD check can fail: a wrong matchType and a string sampleLimit are refused', () => {
  const am = structuredClone(renderAlertmanagerConfigResource(DEFAULT_KUBERNETES_OPTIONS)) as Doc;
  (am.spec.inhibitRules as Array<{ sourceMatch: Array<{ matchType: string }> }>)[0]!.sourceMatch[0]!.matchType = '==';
  assert.equal(crdValidator('AlertmanagerConfig').validate(am), false);
  const sm = committedDocs().find((d) => d.kind === 'ServiceMonitor')!;
  sm.spec.sampleLimit = 'lots';
  assert.equal(crdValidator('ServiceMonitor').validate(sm), false);
});

test('the PrometheusRules carry exactly the rule groups of the rule files, and promtool accepts them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-k8s-rules-'));
  try {
    const rules = committedDocs().filter((d) => d.kind === 'PrometheusRule');
    const sources = kubernetesRuleSources(fromRepo('config'));
    assert.equal(rules.length, sources.length);
    const alerting = rules.find((r) => r.metadata.name === 'mlmon-alerting-rules')!;
    const onDisk = parseAllDocuments(readFileSync(fromRepo('config/prometheus/alerting_rules.yml'), 'utf8'))[0]!.toJS() as {
      groups: unknown[];
    };
    assert.deepEqual(alerting.spec.groups, onDisk.groups);
    for (const r of rules) {
      const file = join(dir, `${r.metadata.name}.yml`);
      writeFileSync(file, stringify({ groups: r.spec.groups }));
      const res = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stdout + res.stderr);
    }
    const alerts = rules
      .flatMap((r) => (r.spec.groups as Array<{ rules: Array<{ alert?: string }> }>).flatMap((g) => g.rules.map((x) => x.alert)))
      .filter(Boolean);
    assert.ok(alerts.includes('SLOAvailabilityFastBurn') && alerts.includes('ServiceDown'), 'SLO and service alerts both present');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ServiceMonitors scrape the gateway and the exporter under their native job names', () => {
  const sms = committedDocs().filter((d) => d.kind === 'ServiceMonitor');
  assert.deepEqual(sms.map((s) => s.metadata.name).sort(), ['inference-gateway', 'ml-model-exporter']);
  for (const sm of sms) {
    const ep = (sm.spec.endpoints as Array<{ relabelings: Array<{ targetLabel: string; replacement: string }> }>)[0]!;
    assert.deepEqual(ep.relabelings.find((r) => r.targetLabel === 'job')!.replacement, sm.metadata.name);
    assert.deepEqual(ep.relabelings.find((r) => r.targetLabel === 'service')!.replacement, sm.metadata.name);
  }
});

test('the AlertmanagerConfig has the routing table rows in order, and secrets only by reference', () => {
  const am = committedDocs().find((d) => d.kind === 'AlertmanagerConfig')!;
  const route = am.spec.route as { routes: Array<{ receiver: string; matchers: unknown[]; repeatInterval: string }> };
  assert.deepEqual(
    route.routes.map((r) => r.receiver),
    ROUTES.map((r) => r.receiver),
  );
  assert.deepEqual(
    route.routes.map((r) => r.matchers),
    ROUTES.map((r) => r.matchers.map(parseMatcher)),
  );
  assert.deepEqual(
    route.routes.map((r) => r.repeatInterval),
    ROUTES.map((r) => r.repeatInterval),
  );
  const text = JSON.stringify(am);
  assert.ok(!/hooks\.slack\.com|events\.pagerduty\.com/.test(text));
  assert.ok(text.includes('"apiURL":{"name":"mlmon-alertmanager","key":"slack-webhook-url"}'));
});

test('matchers parse like Alertmanager writes them', () => {
  assert.deepEqual(parseMatcher('alertname=~"SLO.+FastBurn"'), { name: 'alertname', matchType: '=~', value: 'SLO.+FastBurn' });
  assert.deepEqual(parseMatcher('service!=""'), { name: 'service', matchType: '!=', value: '' });
  assert.throws(() => parseMatcher('service = gateway'), /expected name="value"/);
});
