// Notification targets from the environment, credential files, and the
// rendered Alertmanager configuration (accepted by the real amtool).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  GENERATE_HEADER,
  configHoldsSecrets,
  describeTargets,
  renderAlertmanagerConfig,
  renderDefaultAlertmanagerConfig,
  resolveNotificationTargets,
  writeCredentialFiles,
} from '../../src/alerting/index.js';
import { isMlmonError } from '../../src/errors.js';
import { fromRepo } from '../../src/paths.js';
import { defaultSettings } from '../../src/definition/index.js';

const REAL_ENV = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSECRETSLACK',
  PAGERDUTY_ROUTING_KEY: 'pdkeySECRET0123456789abcdef0123',
  SMTP_SMARTHOST: 'smtp.example.com:587',
  SMTP_USERNAME: 'alerts@example.com',
  SMTP_PASSWORD: 'SECRETsmtppassword',
  SMTP_FROM: 'alerts@example.com',
  SMTP_TO: 'oncall@example.com',
  HEARTBEAT_URL: 'https://hc-ping.example.com/SECRETheartbeat',
};
const SECRETS = ['XXXXSECRETSLACK', 'pdkeySECRET', 'SECRETsmtppassword', 'SECRETheartbeat'];

function amtoolCheck(file: string): { status: number | null; out: string } {
  const res = spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
  return { status: res.status, out: res.stdout + res.stderr };
}

describe('notification targets', () => {
  const settings = defaultSettings({
    host: '127.0.0.1',
    ports: { ...defaultSettings().ports, 'notification-sink': 19097, 'notification-sink-smtp': 19098 },
  });

  test('no credentials: everything goes to the local sink', () => {
    const t = resolveNotificationTargets({}, settings);
    assert.deepEqual(t.viaSink, ['slack', 'pagerduty', 'email', 'heartbeat']);
    assert.equal(t.slack.webhookUrl, 'http://127.0.0.1:19097/slack/webhook');
    assert.equal(t.pagerduty.url, 'http://127.0.0.1:19097/v2/enqueue');
    assert.equal(t.email.smarthost, '127.0.0.1:19098');
    assert.equal(t.email.requireTls, false);
    assert.match(describeTargets(t, settings), /slack, pagerduty, email, heartbeat → local notification sink http:\/\/127\.0\.0\.1:19097/);
  });

  test('real credentials: nothing goes to the sink', () => {
    const t = resolveNotificationTargets(REAL_ENV, settings);
    assert.deepEqual(t.viaSink, []);
    assert.equal(t.pagerduty.url, 'https://events.pagerduty.com/v2/enqueue');
    assert.equal(t.email.requireTls, true);
    assert.match(describeTargets(t, settings), /real credentials/);
  });

  test('only some credentials: only those integrations are real', () => {
    const t = resolveNotificationTargets({ SLACK_WEBHOOK_URL: REAL_ENV.SLACK_WEBHOOK_URL, SLACK_CHANNEL_INFRA: 'ops' }, settings);
    assert.deepEqual(t.viaSink, ['pagerduty', 'email', 'heartbeat']);
    assert.equal(t.slack.channels.infra, '#ops');
  });

  test('bad or incomplete variables are refused with the variable named', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ SLACK_WEBHOOK_URL: 'not a url' }, /SLACK_WEBHOOK_URL/],
      [{ SMTP_SMARTHOST: 'smtp.example.com' }, /SMTP_SMARTHOST.*host:port/],
      [{ SMTP_SMARTHOST: 'smtp.example.com:25', SMTP_FROM: 'a@b' }, /SMTP_TO/],
      [{ SMTP_SMARTHOST: 'smtp.example.com:25', SMTP_FROM: 'a@b', SMTP_TO: 'c@d', SMTP_USERNAME: 'u' }, /SMTP_PASSWORD/],
      [{ SMTP_SMARTHOST: 'smtp.example.com:25', SMTP_FROM: 'a@b', SMTP_TO: 'c@d', SMTP_REQUIRE_TLS: 'maybe' }, /SMTP_REQUIRE_TLS/],
    ];
    for (const [env, re] of bad) {
      assert.throws(
        () => resolveNotificationTargets(env, settings),
        (e: unknown) => isMlmonError(e) && re.test(e.message),
        JSON.stringify(env),
      );
    }
  });
});

describe('Alertmanager config', () => {
  test('the committed config/alertmanager/alertmanager.yml is the renderer output (run `mlmon generate` if this fails)', () => {
    const committed = readFileSync(fromRepo('config/alertmanager/alertmanager.yml'), 'utf8');
    assert.equal(committed, renderDefaultAlertmanagerConfig());
    assert.ok(committed.startsWith(`# ${GENERATE_HEADER}\n`));
  });

  test('the committed config passes amtool check-config (templates included)', () => {
    const { status, out } = amtoolCheck(fromRepo('config/alertmanager/alertmanager.yml'));
    assert.equal(status, 0, out);
  });

  test('with real credentials: *_file fields, no secret in the text, amtool accepts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlmon-render-'));
    try {
      const settings = defaultSettings({ dataDir: dir });
      const targets = resolveNotificationTargets(REAL_ENV, settings);
      const secretsDir = join(dir, 'secrets');
      await writeCredentialFiles(targets, secretsDir);
      for (const f of ['slack_webhook_url', 'pagerduty_routing_key', 'smtp_password']) {
        assert.equal(statSync(join(secretsDir, f)).mode & 0o777, 0o600, f);
      }
      assert.equal(statSync(secretsDir).mode & 0o777, 0o700);
      assert.equal(readFileSync(join(secretsDir, 'smtp_password'), 'utf8'), REAL_ENV.SMTP_PASSWORD);
      const text = renderAlertmanagerConfig(settings, targets, { secretsDir, templatesDir: fromRepo('config/alertmanager/templates') });
      for (const s of SECRETS.slice(0, 3)) assert.ok(!text.includes(s), `secret ${s} in the config`);
      const doc = parse(text) as { global: Record<string, unknown> };
      assert.equal(doc.global.slack_api_url_file, join(secretsDir, 'slack_webhook_url'));
      assert.equal(doc.global.smtp_auth_password_file, join(secretsDir, 'smtp_password'));
      assert.match(text, /routing_key_file: .*pagerduty_routing_key/);
      // The heartbeat URL has no *_file field in 0.25: the config then holds a secret
      // (test/stack/alertmanager-source.test.ts: the run directory's copy is owner-only).
      assert.ok(configHoldsSecrets(targets));
      const path = join(dir, 'alertmanager.yml');
      writeFileSync(path, text);
      const { status, out } = amtoolCheck(path);
      assert.equal(status, 0, out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('switching an integration back to the sink removes its stale credential file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlmon-render-'));
    try {
      const settings = defaultSettings({ dataDir: dir });
      await writeCredentialFiles(resolveNotificationTargets(REAL_ENV, settings), dir);
      writeFileSync(join(dir, 'unrelated'), 'x');
      await writeCredentialFiles(resolveNotificationTargets({}, settings), dir);
      assert.ok(!existsSync(join(dir, 'slack_webhook_url')));
      assert.ok(!existsSync(join(dir, 'pagerduty_routing_key')));
      assert.ok(existsSync(join(dir, 'unrelated')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('test timing shortens waits; every receiver of the table is defined', () => {
    const settings = defaultSettings();
    const doc = parse(
      renderAlertmanagerConfig(settings, resolveNotificationTargets({}, settings), {
        secretsDir: '/s',
        templatesDir: '/t',
        timing: 'test',
      }),
    ) as { route: { group_wait: string; group_interval: string; routes: Array<{ receiver: string }> }; receivers: Array<{ name: string }> };
    assert.equal(doc.route.group_wait, '1s');
    assert.equal(doc.route.group_interval, '1s');
    const names = new Set(doc.receivers.map((r) => r.name));
    for (const r of doc.route.routes) assert.ok(names.has(r.receiver), r.receiver);
  });
});
