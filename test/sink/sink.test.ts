// The local notification sink over real sockets: Slack webhook, PagerDuty
// Events v2, SMTP with AUTH PLAIN, the record log and its filters.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../../src/net.js';
import {
  parseSince,
  readNotifications,
  startNotificationSink,
  type NotificationRecord,
  type NotificationSink,
} from '../../src/sink/index.js';
import { stackPaths } from '../../src/definition/index.js';

/** A minimal SMTP client: enough to send one message with AUTH PLAIN. */
async function sendMail(port: number, lines: { user: string; pass: string; from: string; to: string; body: string }): Promise<string[]> {
  const sock = createConnection({ host: '127.0.0.1', port });
  sock.setEncoding('utf8');
  const replies: string[] = [];
  let buffer = '';
  const waiters: Array<(l: string) => void> = [];
  sock.on('data', (d: string) => {
    buffer += d;
    let i;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      // multi-line replies (250-...) end with a line whose 4th char is a space
      if (line[3] === ' ') waiters.shift()?.(line);
    }
  });
  const reply = () => new Promise<string>((r) => waiters.push(r));
  const cmd = async (c: string) => {
    const p = reply();
    sock.write(`${c}\r\n`);
    const l = await p;
    replies.push(l);
    return l;
  };
  replies.push(await reply());
  await cmd('EHLO test.localhost');
  await cmd(`AUTH PLAIN ${Buffer.from(`\0${lines.user}\0${lines.pass}`).toString('base64')}`);
  await cmd(`MAIL FROM:<${lines.from}>`);
  await cmd(`RCPT TO:<${lines.to}>`);
  await cmd('DATA');
  await cmd(`${lines.body.replace(/\n/g, '\r\n')}\r\n.`);
  await cmd('QUIT');
  sock.end();
  return replies;
}

describe('notification sink', () => {
  let dataDir: string;
  let sink: NotificationSink;
  let smtpPort: number;
  let httpPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-sink-'));
    [httpPort = 0, smtpPort = 0] = await freePorts(2);
    sink = await startNotificationSink({ host: '127.0.0.1', httpPort, smtpPort, dataDir });
  });
  after(async () => {
    await sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(`${sink.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('Slack: answers ok and records the channel; refuses a body without text', async () => {
    const res = await post('/slack/webhook', {
      channel: '#infra',
      attachments: [{ title: '[FIRING:1] WARNING NodeCPUHigh', text: 'CPU busy' }],
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    const byPath = await post('/slack/T000/B000/ml-team', { text: 'hello' });
    assert.equal(byPath.status, 200);
    const bad = await post('/slack/webhook', { channel: '#x' });
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'no_text');
    const rs = await readNotifications(stackPaths(dataDir).sinkDir, { integration: 'slack' });
    assert.deepEqual(
      rs.map((r) => [r.channel, r.status]),
      [
        ['#infra', 'firing'],
        ['#ml-team', undefined],
      ],
    );
  });

  test('PagerDuty Events v2: 202 with the dedup key; 400 for an invalid event', async () => {
    const ok = await post('/v2/enqueue', {
      routing_key: 'abc',
      event_action: 'trigger',
      dedup_key: 'group-1',
      payload: { summary: 'ServiceDown', source: 'mlmon', severity: 'critical' },
    });
    assert.equal(ok.status, 202);
    assert.deepEqual(await ok.json(), { status: 'success', message: 'Event processed', dedup_key: 'group-1' });
    const noKey = await post('/v2/enqueue', {
      routing_key: 'abc',
      event_action: 'trigger',
      payload: { summary: 's', source: 'x', severity: 'info' },
    });
    assert.equal(noKey.status, 202);
    assert.match(((await noKey.json()) as { dedup_key: string }).dedup_key, /^[0-9a-f]{32}$/);
    const bad = await post('/v2/enqueue', {
      routing_key: 'abc',
      event_action: 'trigger',
      payload: { summary: 's', source: 'x', severity: 'fatal' },
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { status: string }).status, 'invalid event');
    const resolveWithoutKey = await post('/v2/enqueue', { routing_key: 'abc', event_action: 'resolve' });
    assert.equal(resolveWithoutKey.status, 400);
  });

  test('SMTP: accepts AUTH PLAIN on loopback and records the parsed message', async () => {
    const replies = await sendMail(smtpPort, {
      user: 'am',
      pass: 'secret',
      from: 'alertmanager@test.localhost',
      to: 'oncall@test.localhost',
      body: 'From: alertmanager@test.localhost\nTo: oncall@test.localhost\nSubject: [FIRING:1] WARNING ProbeSlow\nContent-Type: text/plain\n\nRunbook: https://example.org/rb',
    });
    assert.match(replies[2] ?? '', /^235/, `auth: ${replies.join(' | ')}`);
    const rs = await readNotifications(stackPaths(dataDir).sinkDir, { integration: 'email' });
    assert.equal(rs.length, 1);
    const mail = rs[0] as NotificationRecord;
    assert.equal(mail.channel, 'oncall@test.localhost');
    assert.equal(mail.summary, '[FIRING:1] WARNING ProbeSlow');
    assert.equal(mail.status, 'firing');
    assert.equal((mail.payload as { authUser: string }).authUser, 'am');
    assert.match((mail.payload as { text: string }).text, /Runbook: https:\/\/example.org\/rb/);
  });

  test('heartbeat webhook, /notifications filters, /metrics', async () => {
    assert.equal(
      (await post('/heartbeat', { receiver: 'heartbeat', status: 'firing', groupLabels: { alertname: 'Watchdog' } })).status,
      200,
    );
    const all = (await (await fetch(`${sink.httpUrl}/notifications`)).json()) as NotificationRecord[];
    assert.deepEqual([...new Set(all.map((r) => r.integration))].sort(), ['email', 'pagerduty', 'slack', 'webhook']);
    const pd = (await (await fetch(`${sink.httpUrl}/notifications?integration=pagerduty`)).json()) as NotificationRecord[];
    assert.equal(pd.length, 2);
    const future = (await (await fetch(`${sink.httpUrl}/notifications?since=${Date.now() + 60_000}`)).json()) as NotificationRecord[];
    assert.equal(future.length, 0);
    assert.equal((await fetch(`${sink.httpUrl}/notifications?integration=fax`)).status, 400);
    assert.equal((await fetch(`${sink.httpUrl}/notifications?since=yesterday-ish`)).status, 400);
    const metrics = await (await fetch(`${sink.httpUrl}/metrics`)).text();
    assert.match(metrics, /mlmon_sink_notifications_total\{integration="slack"\} 2/);
    assert.match(metrics, /mlmon_sink_notifications_total\{integration="email"\} 1/);
  });

  test('records survive a restart of the sink', async () => {
    const before = (await readNotifications(stackPaths(dataDir).sinkDir)).length;
    await sink.close();
    sink = await startNotificationSink({ host: '127.0.0.1', httpPort, smtpPort, dataDir });
    const all = (await (await fetch(`${sink.httpUrl}/notifications`)).json()) as NotificationRecord[];
    assert.equal(all.length, before);
    assert.equal(before, 6, '2 slack, 2 pagerduty, 1 email, 1 heartbeat');
  });
});

describe('parseSince', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  test('durations back from now, ISO times and epoch ms', () => {
    assert.equal(parseSince('10m', now), now - 600_000);
    assert.equal(parseSince('1h30m', now), now - 5_400_000);
    assert.equal(parseSince('2025-01-01T11:00:00Z', now), now - 3_600_000);
    assert.equal(parseSince(String(now - 5), now), now - 5);
    assert.equal(parseSince('soon', now), undefined);
  });
});
