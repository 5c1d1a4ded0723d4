// Notifications survive outages on their way: Alertmanager retries a receiver
// that is down, and Prometheus resends firing alerts to an Alertmanager that
// was down, so the notification arrives once the missing piece is back.
// Quick mode: 20 s outages; MLMON_SOAK=1: 3 minutes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePorts, waitForHttp } from '../../src/net.js';
import { FindingLog, soakMode } from '../support/reliability/index.js';
import { startNotificationSink, type NotificationRecord, type NotificationSink } from '../../src/sink/index.js';
import { defaultSettings, stackPaths } from '../../src/definition/index.js';
import { RUN_FILES } from '../../src/stack/render.js';
import { prepareRunDir } from '../../src/stack/rundir.js';
import { eventually } from '../support/stack.js';

const OUTAGE_MS = soakMode() ? 180_000 : 20_000;
const log = new FindingLog('notify-outage');
const children: ChildProcess[] = [];
const dirs: string[] = [];

function startProcess(program: string, args: string[]): ChildProcess {
  const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  children.push(child);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-notify-outage-'));
  dirs.push(dataDir);
  const [httpPort = 0, smtpPort = 0, amPort = 0, promPort = 0] = await freePorts(4);
  // The test profile: Alertmanager's group waits of a second, rendered as `mlmon up` renders them.
  const settings = defaultSettings({
    dataDir,
    profile: 'test',
    // As `mlmon up --profile test` sets them: the SLO rules' short windows need them.
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    ports: {
      ...defaultSettings().ports,
      'notification-sink': httpPort,
      'notification-sink-smtp': smtpPort,
      alertmanager: amPort,
      prometheus: promPort,
    },
  });
  const paths = stackPaths(dataDir);
  // No credentials: every integration goes to the local sink.
  await prepareRunDir(settings, paths, { env: {} });
  const amConfig = join(paths.runDir, RUN_FILES.alertmanagerYml);
  const startAm = () =>
    startProcess('prometheus-alertmanager', [
      `--config.file=${amConfig}`,
      `--storage.path=${join(dataDir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
  const startSink = () => startNotificationSink({ host: '127.0.0.1', httpPort, smtpPort, dataDir, log: false });
  return { dataDir, amPort, promPort, httpPort, startAm, startSink };
}

async function delivered(sinkUrl: string, marker: string): Promise<NotificationRecord[]> {
  const res = await fetch(`${sinkUrl}/notifications`);
  return ((await res.json()) as NotificationRecord[]).filter((r) => JSON.stringify(r.payload).includes(marker) && r.status === 'firing');
}

async function amMetric(amPort: number, re: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${amPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => re.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('notifications across outages', { timeout: 600_000 }, () => {
  after(async () => {
    for (const c of children) await stopProcess(c);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    log.save();
  });

  test('a receiver down for a while: Alertmanager retries and the notification arrives', async () => {
    const env = await setup();
    let sink: NotificationSink = await env.startSink();
    const am = env.startAm();
    assert.ok((await waitForHttp(`http://127.0.0.1:${env.amPort}/-/ready`, 30_000)).ok, 'alertmanager ready');
    const sinkUrl = sink.httpUrl;
    await sink.close();
    const marker = `receiver-down-${Date.now()}`;
    const body = [
      {
        labels: {
          alertname: 'FeatureDrift',
          severity: 'warning',
          category: 'model_quality',
          model: 'iris',
          feature: 'petal_length',
          method: 'psi',
          test_case: marker,
        },
        annotations: {
          summary: `drift (${marker})`,
          description: 'posted by the reliability suite',
          runbook_url: 'https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md#featuredrift',
        },
      },
    ];
    const res = await fetch(`http://127.0.0.1:${env.amPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const failed = await amMetric(env.amPort, /^alertmanager_notifications_failed_total\{.*integration="slack"/);
    assert.ok(failed > 0, 'Alertmanager tried and failed while the receiver was down');
    const t0 = Date.now();
    sink = await env.startSink();
    const got = await eventually(
      'the notification after the receiver came back',
      async () => {
        const d = await delivered(sinkUrl, marker);
        return d.length > 0 ? d : undefined;
      },
      120_000,
    );
    const ms = Date.now() - t0;
    log.verify(
      'faults',
      `notification receiver (the sink) down for ${OUTAGE_MS / 1000} s while an alert was routed to it`,
      `${failed} failed attempts while down; delivered to ${got[0]!.integration} ${got[0]!.channel} ${(ms / 1000).toFixed(1)} s after the receiver came back`,
      () => {
        assert.ok(failed > 0, 'Alertmanager tried while the receiver was down');
        assert.equal(got[0]!.integration, 'slack');
        assert.equal(got[0]!.channel, '#ml-team');
      },
    );
    await sink.close();
    await stopProcess(am);
  });

  test('Alertmanager down while an alert fires: Prometheus resends and the notification arrives after it is back', async () => {
    const env = await setup();
    const sink = await env.startSink();
    const promDir = join(env.dataDir, 'prom');
    mkdirSync(promDir, { recursive: true });
    const marker = `am-down-${Date.now()}`;
    writeFileSync(
      join(promDir, 'rules.yml'),
      [
        'groups:',
        '  - name: reliability',
        '    rules:',
        '      - alert: ReliabilityProbe',
        '        expr: vector(1)',
        '        labels: { severity: warning, category: model_quality, model: iris, test_case: ' + marker + ' }',
        '        annotations: { summary: "always firing (' +
          marker +
          ')", description: "reliability suite", runbook_url: "https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md#watchdog" }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      [
        'global: { evaluation_interval: 1s, scrape_interval: 1s }',
        'rule_files: [rules.yml]',
        `alerting: { alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${env.amPort}'] } ] } ] }`,
        '',
      ].join('\n'),
    );
    // Prometheus resends firing alerts every --rules.alert.resend-delay (1m by
    // default); the test shortens it so that the quick mode stays quick.
    startProcess('prometheus', [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${env.promPort}`,
      '--rules.alert.resend-delay=2s',
    ]);
    assert.ok((await waitForHttp(`http://127.0.0.1:${env.promPort}/-/ready`, 30_000)).ok, 'prometheus ready');
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const text = await (await fetch(`http://127.0.0.1:${env.promPort}/metrics`)).text();
    const errors = text
      .split('\n')
      .filter((l) => /^prometheus_notifications_(errors|dropped)_total/.test(l))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    assert.ok(errors > 0, 'Prometheus failed to reach the Alertmanager that was down');
    const t0 = Date.now();
    env.startAm();
    const got = await eventually(
      'the notification after Alertmanager came back',
      async () => {
        const d = await delivered(sink.httpUrl, marker);
        return d.length > 0 ? d : undefined;
      },
      120_000,
    );
    const ms = Date.now() - t0;
    log.verify(
      'faults',
      `Alertmanager down for ${OUTAGE_MS / 1000} s while an alert fired in Prometheus (resend delay 2 s in the test, 1 m by default)`,
      `${errors} failed sends while down; delivered to ${got[0]!.channel} ${(ms / 1000).toFixed(1)} s after Alertmanager started`,
      () => {
        assert.ok(errors > 0, 'Prometheus failed to reach the Alertmanager that was down');
        assert.equal(got[0]!.channel, '#ml-team');
      },
    );
    await sink.close();
  });
});
