import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPrometheusConfig, scrapeJobs, STACK_AUTH_PROBE_MODULE } from '../../src/definition/index.js';
import { defaultSettings } from '../../src/definition/index.js';

const all = defaultSettings({
  components: ['prometheus', 'alertmanager', 'node-exporter', 'blackbox-exporter', 'pushgateway', 'inference-gateway', 'ml-model-exporter'],
});

test('the scrape jobs the rules and dashboards read are all there', () => {
  const jobs = scrapeJobs(all).map((j) => j.job);
  for (const j of ['prometheus', 'alertmanager', 'node', 'pushgateway', 'blackbox', 'inference-gateway', 'ml-model-exporter']) {
    assert.ok(jobs.includes(j), j);
  }
});

test('pushgateway keeps the pushed job labels', () => {
  const pg = scrapeJobs(all).find((j) => j.job === 'pushgateway')!;
  assert.equal(pg.config.honor_labels, true);
});

test('blackbox probes the gateway health, Prometheus and Alertmanager readiness, and TCP ports, each naming its service', () => {
  const bb = scrapeJobs(all).find((j) => j.job === 'blackbox')!;
  const probes = bb.targets.map((g) => `${g.labels.module} ${g.labels.service} ${g.targets.join(',')}`);
  assert.deepEqual(probes, [
    'http_2xx inference-gateway http://127.0.0.1:8000/health',
    'http_2xx prometheus http://127.0.0.1:9090/-/ready',
    'http_2xx alertmanager http://127.0.0.1:9093/-/ready',
    'tcp_connect inference-gateway 127.0.0.1:8000',
    'tcp_connect ml-model-exporter 127.0.0.1:9101',
    'tcp_connect pushgateway 127.0.0.1:9091',
  ]);
  // With the stack's login, Prometheus and Alertmanager are probed by the module that carries it.
  const withLogin = scrapeJobs({ ...all, access: { username: 'admin', passwordFile: '/p', webConfigFile: '/w' } }).find(
    (j) => j.job === 'blackbox',
  )!;
  assert.deepEqual(
    withLogin.targets.filter((g) => g.labels.module === STACK_AUTH_PROBE_MODULE).map((g) => `${g.labels.service} ${g.targets.join(',')}`),
    ['prometheus http://127.0.0.1:9090/-/ready', 'alertmanager http://127.0.0.1:9093/-/ready'],
  );
});

test('our own services carry a service label', () => {
  const gw = scrapeJobs(all).find((j) => j.job === 'inference-gateway')!;
  assert.equal(gw.targets[0]!.labels.service, 'inference-gateway');
});

test('components left out have no scrape job', () => {
  const jobs = scrapeJobs(defaultSettings({ components: ['prometheus'] })).map((j) => j.job);
  assert.deepEqual(jobs, ['prometheus']);
});

test('external labels, alerting and the rule files are wired in', () => {
  const c = renderPrometheusConfig(all, { customTargetsDir: 'targets/custom', ruleFiles: ['a.yml'] }) as {
    global: { external_labels: Record<string, string> };
    alerting: unknown;
    rule_files: string[];
  };
  assert.deepEqual(c.global.external_labels, { cluster: 'local', environment: 'development' });
  assert.deepEqual(c.rule_files, ['a.yml']);
  assert.ok(c.alerting);
});
