// A real Alertmanager (prometheus-alertmanager) on the configuration `mlmon up`
// renders into a run directory (the same function, credentials from the given
// environment), notifying the local sink: alerts posted to its API arrive at the right
// integration and channel, inhibited ones are shown as suppressed and never
// delivered, and payloads carry the summary and a runbook link that exists.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { markdownAnchors, resolveNotificationTargets, runbookAnchor, type NotificationTargets } from '../../src/alerting/index.js';
import { freePorts, waitForHttp } from '../../src/net.js';
import { fromRepo } from '../../src/paths.js';
import { startNotificationSink, type NotificationRecord, type NotificationSink } from '../../src/sink/index.js';
import { defaultSettings, stackPaths } from '../../src/definition/index.js';
import { RUN_FILES } from '../../src/stack/render.js';
import { prepareRunDir } from '../../src/stack/rundir.js';

const RB = 'https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md#';

interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function alert(labels: Record<string, string>): PostedAlert {
  const name = labels.alertname ?? '';
  const where = labels.service ?? labels.instance ?? labels.model ?? 'the stack';
  return {
    labels,
    annotations: {
      summary: `${name} on ${where} (integration test)`,
      description: `Posted by test/alerting/integration.test.ts for ${where}.`,
      runbook_url: `${RB}${name.toLowerCase()}`,
    },
  };
}

const ALERTS: PostedAlert[] = [
  alert({
    alertname: 'SLOAvailabilityFastBurn',
    severity: 'critical',
    category: 'slo',
    service: 'inference-gateway',
    slo: 'availability',
    long_window: '1h',
    short_window: '5m',
  }),
  // Inhibited by the fast burn of the same SLO.
  alert({
    alertname: 'SLOAvailabilitySlowBurn',
    severity: 'warning',
    category: 'slo',
    service: 'inference-gateway',
    slo: 'availability',
    long_window: '3d',
    short_window: '6h',
  }),
  // Inhibited: a warning while a critical fires for the same service.
  alert({ alertname: 'HighLatencyP99', severity: 'warning', category: 'availability', service: 'inference-gateway' }),
  // Not inhibited: same alert, another service (nothing suppressed across services).
  alert({ alertname: 'HighLatencyP99', severity: 'warning', category: 'availability', service: 'other-service' }),
  alert({
    alertname: 'ServiceDown',
    severity: 'critical',
    category: 'availability',
    service: 'ml-model-exporter',
    job: 'ml-model-exporter',
  }),
  // Inhibited: a resource alert while its service is down.
  alert({
    alertname: 'ContainerMemoryNearLimit',
    severity: 'warning',
    category: 'resource',
    service: 'ml-model-exporter',
    name: 'mlmon-ml-model-exporter-1',
  }),
  alert({ alertname: 'NodeCPUHigh', severity: 'warning', category: 'resource', instance: 'node-a:9100' }),
  alert({ alertname: 'NodeMemoryCritical', severity: 'critical', category: 'resource', instance: 'node-a:9100' }),
  // Inhibited by its critical twin on the same instance...
  alert({ alertname: 'NodeMemoryHigh', severity: 'warning', category: 'resource', instance: 'node-a:9100' }),
  // ...but not on another instance.
  alert({ alertname: 'NodeMemoryHigh', severity: 'warning', category: 'resource', instance: 'node-b:9100' }),
  alert({
    alertname: 'FeatureDrift',
    severity: 'warning',
    category: 'model_quality',
    model: 'iris',
    feature: 'petal_length',
    method: 'psi',
  }),
  alert({ alertname: 'TargetMissing', severity: 'warning', category: 'monitoring', job: 'node', instance: 'node-a:9100' }),
  alert({
    alertname: 'ProbeSlow',
    severity: 'warning',
    category: 'availability',
    module: 'http_2xx',
    instance: 'http://127.0.0.1:8000/health',
  }),
  alert({ alertname: 'Watchdog', severity: 'info', category: 'monitoring' }),
  // One outage pages once: HighErrorRate joins the fast burn of its service in one notification.
  alert({ alertname: 'HighErrorRate', severity: 'critical', category: 'errors', service: 'inference-gateway' }),
  // A latency page of another service must not hide its availability ticket (inhibition by service and slo).
  alert({
    alertname: 'SLOLatencyFastBurn',
    severity: 'critical',
    category: 'slo',
    service: 'search',
    slo: 'latency',
    long_window: '1h',
    short_window: '5m',
  }),
  alert({
    alertname: 'SLOAvailabilitySlowBurn',
    severity: 'warning',
    category: 'slo',
    service: 'search',
    slo: 'availability',
    long_window: '1d',
    short_window: '2h',
  }),
  // Inhibited: a failed probe and an SLO without data while the service is down.
  alert({
    alertname: 'ProbeFailed',
    severity: 'critical',
    category: 'availability',
    service: 'ml-model-exporter',
    module: 'tcp_connect',
    instance: '127.0.0.1:9101',
  }),
  alert({ alertname: 'SLOAvailabilityNoData', severity: 'warning', category: 'slo', service: 'ml-model-exporter', slo: 'availability' }),
];

const INHIBITED: Array<Record<string, string>> = [
  { alertname: 'SLOAvailabilitySlowBurn', service: 'inference-gateway' },
  { alertname: 'HighLatencyP99', service: 'inference-gateway' },
  { alertname: 'ContainerMemoryNearLimit', service: 'ml-model-exporter' },
  { alertname: 'NodeMemoryHigh', instance: 'node-a:9100' },
  { alertname: 'ProbeFailed', service: 'ml-model-exporter' },
  { alertname: 'SLOAvailabilityNoData', service: 'ml-model-exporter' },
];

const SMTP_USER = 'alertmanager-test';
const SMTP_PASSWORD = 'not-a-real-password-7f3a';

let dataDir: string;
let sink: NotificationSink;
let am: ChildProcess | undefined;
let amUrl: string;
let targets: NotificationTargets;
let configPath: string;
let amLog = '';

function text(r: NotificationRecord): string {
  return JSON.stringify(r.payload);
}

async function notifications(): Promise<NotificationRecord[]> {
  const res = await fetch(`${sink.httpUrl}/notifications`);
  return (await res.json()) as NotificationRecord[];
}

/** Polls the sink until `done` holds for its records or the deadline passes. */
async function waitFor(done: (rs: NotificationRecord[]) => boolean, ms: number): Promise<NotificationRecord[]> {
  const deadline = Date.now() + ms;
  let rs: NotificationRecord[] = [];
  while (Date.now() < deadline) {
    rs = await notifications();
    if (done(rs)) return rs;
    await new Promise((r) => setTimeout(r, 250));
  }
  return rs;
}

const slackIn = (rs: NotificationRecord[], channel: string) => rs.filter((r) => r.integration === 'slack' && r.channel === channel);
const mentions = (rs: NotificationRecord[], s: string) => rs.filter((r) => text(r).includes(s));

describe('Alertmanager → local sink', { timeout: 90_000 }, () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-am-'));
    const [httpPort = 0, smtpPort = 0, amPort = 0] = await freePorts(3);
    sink = await startNotificationSink({ host: '127.0.0.1', httpPort, smtpPort, dataDir });
    // The test profile (as `mlmon up --profile test` sets it): Alertmanager's group
    // waits of a second, and a scrape every second for the SLO rules' short windows.
    const settings = defaultSettings({
      dataDir,
      profile: 'test',
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      ports: { ...defaultSettings().ports, 'notification-sink': httpPort, 'notification-sink-smtp': smtpPort, alertmanager: amPort },
    });
    // Email goes "for real" (credentials, auth_password_file) to the sink's
    // SMTP side, so the credential path is exercised end to end; the rest
    // has no credentials and so goes to the sink.
    const env = {
      SMTP_SMARTHOST: `127.0.0.1:${smtpPort}`,
      SMTP_FROM: 'alertmanager@test.localhost',
      SMTP_TO: 'oncall@test.localhost',
      SMTP_USERNAME: SMTP_USER,
      SMTP_PASSWORD: SMTP_PASSWORD,
      SMTP_REQUIRE_TLS: 'false',
    };
    targets = resolveNotificationTargets(env, settings);
    const paths = stackPaths(dataDir);
    await prepareRunDir(settings, paths, { env });
    configPath = join(paths.runDir, RUN_FILES.alertmanagerYml);
    amUrl = `http://127.0.0.1:${amPort}`;
    am = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${configPath}`,
        `--storage.path=${paths.alertmanagerData}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        `--web.external-url=${amUrl}`,
        '--cluster.listen-address=',
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout?.on('data', (d: Buffer) => (amLog += d.toString()));
    am.stderr?.on('data', (d: Buffer) => (amLog += d.toString()));
    const ready = await waitForHttp(`${amUrl}/-/ready`, 20_000);
    assert.ok(ready.ok, `Alertmanager not ready (${ready.detail}):\n${amLog}`);
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ALERTS),
    });
    assert.equal(res.status, 200, await res.text());
  });

  after(async () => {
    if (am?.pid !== undefined && am.exitCode === null) {
      const exited = new Promise((r) => am?.once('exit', r));
      process.kill(am.pid, 'SIGTERM');
      await exited;
    }
    await sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the credentials went to owner-only files, not into the config', () => {
    assert.deepEqual(targets.viaSink, ['slack', 'pagerduty', 'heartbeat']);
    const config = readFileSync(configPath, 'utf8');
    assert.ok(!config.includes(SMTP_PASSWORD));
    assert.match(config, /smtp_auth_password_file: .*smtp_password/);
    assert.equal(statSync(join(stackPaths(dataDir).secretsDir, 'smtp_password')).mode & 0o777, 0o600);
  });

  test('every alert arrives at its integration and channel; inhibited ones never do', async () => {
    const rs = await waitFor(
      (r) =>
        r.filter((x) => x.integration === 'pagerduty').length >= 3 &&
        slackIn(r, '#alerts').length >= 4 &&
        slackIn(r, '#infra').length >= 3 &&
        slackIn(r, '#ml-team').length >= 1 &&
        slackIn(r, '#platform').length >= 1 &&
        r.filter((x) => x.integration === 'email').length >= 2 &&
        r.filter((x) => x.integration === 'webhook').length >= 1,
      30_000,
    );
    const pd = rs.filter((r) => r.integration === 'pagerduty');
    const gateway = mentions(pd, 'SLOAvailabilityFastBurn');
    assert.equal(gateway.length, 1, 'SLO fast burn pages');
    assert.ok(text(gateway[0]!).includes('HighErrorRate'), 'HighErrorRate of the same service is in the same page, not a page of its own');
    const names = (gateway[0]!.payload as { payload: { class: string } }).payload.class.split('+').sort();
    assert.deepEqual(names, ['HighErrorRate', 'SLOAvailabilityFastBurn'], 'the page names both alerts');
    assert.equal(mentions(pd, 'HighErrorRate').length, 1);
    assert.equal(mentions(pd, 'ServiceDown').length, 1, 'ServiceDown pages');
    assert.equal(mentions(pd, 'SLOLatencyFastBurn').length, 1, 'the latency page of another service');
    assert.equal(pd.length, 3, 'nothing else pages (the failed probe is held back by ServiceDown)');
    assert.deepEqual(
      slackIn(rs, '#alerts')
        .map((r) => /SLOAvailabilityFastBurn|ServiceDown|SLOLatencyFastBurn|SLOAvailabilitySlowBurn on search/.exec(text(r))?.[0])
        .sort(),
      ['SLOAvailabilityFastBurn', 'SLOAvailabilitySlowBurn on search', 'SLOLatencyFastBurn', 'ServiceDown'],
      "the availability ticket of search is delivered while search's latency pages",
    );
    const infra = slackIn(rs, '#infra');
    assert.equal(mentions(infra, 'NodeCPUHigh').length, 1);
    assert.equal(mentions(infra, 'NodeMemoryCritical').length, 1);
    assert.equal(mentions(infra, 'node-b:9100').length, 1, 'NodeMemoryHigh of another instance is delivered');
    assert.equal(mentions(slackIn(rs, '#ml-team'), 'FeatureDrift').length, 1);
    assert.equal(mentions(slackIn(rs, '#platform'), 'TargetMissing').length, 1);
    const email = rs.filter((r) => r.integration === 'email');
    assert.equal(mentions(email, 'ProbeSlow').length, 1, 'fallback by email');
    assert.equal(mentions(email, 'other-service').length, 1, 'a warning of another service is not inhibited');
    const beat = rs.filter((r) => r.integration === 'webhook');
    assert.ok(beat.length >= 1 && beat.every((r) => text(r).includes('Watchdog') && r.channel === 'heartbeat'));

    // Several group intervals later, still nothing from an inhibited alert.
    await new Promise((r) => setTimeout(r, 3000));
    const later = await notifications();
    assert.equal(mentions(later, 'SLOAvailabilitySlowBurn on inference-gateway').length, 0);
    assert.equal(mentions(later, 'ContainerMemoryNearLimit').length, 0);
    assert.equal(mentions(later, 'NodeMemoryHigh on node-a').length, 0);
    assert.equal(mentions(later, 'HighLatencyP99 on inference-gateway').length, 0);
    assert.equal(mentions(later, 'ProbeFailed').length, 0);
    assert.equal(mentions(later, 'SLOAvailabilityNoData').length, 0);
  });

  test('inhibited alerts show as suppressed, inhibited by their source, in /api/v2/alerts', async () => {
    const res = await fetch(`${amUrl}/api/v2/alerts`);
    const alerts = (await res.json()) as Array<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }>;
    for (const want of INHIBITED) {
      const a = alerts.find((x) => Object.entries(want).every(([k, v]) => x.labels[k] === v));
      assert.ok(a, `alert ${JSON.stringify(want)} missing`);
      assert.equal(a.status.state, 'suppressed', JSON.stringify(want));
      assert.ok(a.status.inhibitedBy.length > 0, JSON.stringify(want));
    }
    const active = alerts.filter((a) => a.status.state === 'active').map((a) => a.labels.alertname);
    assert.equal(active.length, ALERTS.length - INHIBITED.length);
  });

  test('Slack, PagerDuty and email payloads carry the summary and a working runbook link', async () => {
    const rs = await notifications();
    const anchors = markdownAnchors(readFileSync(fromRepo('docs/RUNBOOKS.md'), 'utf8'));
    const linkWorks = (url: string) => anchors.has(runbookAnchor(url) ?? '');

    const slack = slackIn(rs, '#alerts').find((r) => text(r).includes('ServiceDown'));
    assert.ok(slack);
    const att = (
      slack.payload as { attachments: Array<{ title: string; text: string; title_link: string; actions?: Array<{ url: string }> }> }
    ).attachments[0];
    assert.ok(att);
    assert.match(att.title, /^\[FIRING:1\] CRITICAL ServiceDown \(ml-model-exporter\)$/);
    assert.ok(att.text.includes('ServiceDown on ml-model-exporter (integration test)'));
    assert.ok(att.text.includes(`${RB}servicedown`));
    assert.ok(att.text.includes(`${amUrl}/#/silences/new?filter=`), 'silence link');
    assert.equal(att.title_link, `${RB}servicedown`);
    assert.ok(linkWorks(att.title_link));

    const pd = rs.find((r) => r.integration === 'pagerduty' && text(r).includes('ServiceDown'));
    assert.ok(pd);
    const ev = pd.payload as {
      event_action: string;
      dedup_key: string;
      payload: { summary: string; severity: string; custom_details: Record<string, string> };
      links: Array<{ href: string; text: string }>;
    };
    assert.equal(ev.event_action, 'trigger');
    assert.equal(ev.payload.severity, 'critical');
    assert.ok(ev.payload.summary.includes('ServiceDown on ml-model-exporter (integration test)'));
    assert.match(ev.dedup_key, /^[0-9a-f]{64}$/, 'dedup key from the group key');
    const runbook = ev.links.find((l) => l.text === 'Runbook');
    assert.equal(runbook?.href, `${RB}servicedown`);
    assert.ok(linkWorks(runbook.href));
    assert.equal(ev.payload.custom_details.runbook_url, `${RB}servicedown`);

    // Links to the console page of the alert's SLO or model, or to its alerts page.
    const consoleOf = (r: NotificationRecord | undefined) =>
      (
        r?.payload as { attachments?: Array<{ actions?: Array<{ text: string; url: string }> }> } | undefined
      )?.attachments?.[0]?.actions?.find((a) => a.text === 'Console')?.url;
    const console = 'http://127.0.0.1:9099';
    assert.equal(consoleOf(slack), `${console}/alerts`);
    assert.equal(consoleOf(slackIn(rs, '#alerts').find((r) => text(r).includes('SLOLatencyFastBurn'))), `${console}/slos/search/latency`);
    // A page holding the SLO burn and HighErrorRate of a service links to the alerts page.
    assert.equal(consoleOf(slackIn(rs, '#alerts').find((r) => text(r).includes('SLOAvailabilityFastBurn'))), `${console}/alerts`);
    assert.equal(consoleOf(slackIn(rs, '#ml-team').find((r) => text(r).includes('FeatureDrift'))), `${console}/models/iris`);
    assert.equal(ev.links.find((l) => l.text === 'Console')?.href, `${console}/alerts`);

    const mail = rs.find((r) => r.integration === 'email' && text(r).includes('ProbeSlow'));
    assert.ok(mail);
    const m = mail.payload as { subject: string; text: string; html: string; authUser?: string; envelopeTo: string[] };
    assert.equal(m.authUser, SMTP_USER, 'Alertmanager authenticated with the password file');
    assert.deepEqual(m.envelopeTo, ['oncall@test.localhost']);
    assert.match(m.subject, /^\[FIRING:1\] WARNING ProbeSlow: ProbeSlow on http:\/\/127\.0\.0\.1:8000\/health/);
    assert.ok(m.text.includes('ProbeSlow on http://127.0.0.1:8000/health (integration test)'));
    assert.ok(m.text.includes(`Runbook: ${RB}probeslow`));
    assert.ok(m.html.includes(`<a href="${RB}probeslow">Runbook</a>`));
    assert.ok(linkWorks(`${RB}probeslow`));
  });
});
