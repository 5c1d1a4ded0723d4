import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { defaultSettings, PUSHED_JOB_PREFIX, renderPrometheusConfig, SCRAPED_JOB_NAMES, scrapeJobs } from '../../src/definition/index.js';
import { allowedHostNames, hostName } from '../../src/console/server.js';
import { reloadStatusOf } from '../../src/stack/lifecycle.js';
import { parseSegmentFileName } from '../../src/events/segments.js';
import {
  ADMIN_PASSWORD_ENV,
  basicAuthorization,
  ensureAdminCredentials,
  readAdminCredentials,
  renderWebConfig,
  WEB_CONFIG_FILE,
} from '../../src/upstream/index.js';

const withDir = (f: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-cred-'));
  try {
    f(join(dir, 'secrets'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('first start makes a random password kept owner-only; the web config holds only its bcrypt hash', () =>
  withDir((secrets) => {
    const a = ensureAdminCredentials(secrets, {});
    const creds = readAdminCredentials(secrets)!;
    assert.equal(a.username, 'admin');
    assert.ok(creds.password.length >= 40);
    // The file holds exactly the password: Alertmanager's smtp_auth_password_file sends its bytes untrimmed.
    assert.equal(readFileSync(a.passwordFile, 'utf8'), creds.password);
    assert.equal(statSync(a.passwordFile).mode & 0o777, 0o600);
    assert.equal(statSync(secrets).mode & 0o777, 0o700);
    const web = readFileSync(a.webConfigFile, 'utf8');
    assert.ok(!web.includes(creds.password));
    const hash = /admin: "(.+)"/.exec(web)![1]!;
    assert.ok(bcrypt.compareSync(creds.password, hash));
    // A second start keeps the password and the web config as they are; a file an older version ended with a newline loses it.
    writeFileSync(a.passwordFile, `${creds.password}\n`, { mode: 0o600 });
    ensureAdminCredentials(secrets, {});
    assert.equal(readFileSync(a.passwordFile, 'utf8'), creds.password);
    assert.equal(readAdminCredentials(secrets)!.password, creds.password);
    assert.equal(readFileSync(a.webConfigFile, 'utf8'), web);
  }));

test('MLMON_ADMIN_PASSWORD wins and re-hashes; a short one is refused', () =>
  withDir((secrets) => {
    ensureAdminCredentials(secrets, {});
    ensureAdminCredentials(secrets, { [ADMIN_PASSWORD_ENV]: 'correct horse battery staple' });
    assert.equal(readAdminCredentials(secrets)!.password, 'correct horse battery staple');
    const hash = /: "(.+)"/.exec(readFileSync(join(secrets, WEB_CONFIG_FILE), 'utf8'))![1]!;
    assert.ok(bcrypt.compareSync('correct horse battery staple', hash));
    assert.throws(() => ensureAdminCredentials(secrets, { [ADMIN_PASSWORD_ENV]: 'short' }), /shorter than 12/);
    assert.throws(() => ensureAdminCredentials(secrets, { MLMON_ADMIN_USER: 'a b' }), /user name/);
  }));

test('a planted symlink for the password file is refused, not read', () =>
  withDir((secrets) => {
    ensureAdminCredentials(secrets, {});
    const victim = join(secrets, '..', 'victim');
    writeFileSync(victim, 'not yours\n');
    rmSync(join(secrets, 'admin-password'));
    symlinkSync(victim, join(secrets, 'admin-password'));
    assert.throws(() => readAdminCredentials(secrets), /symbolic link/);
  }));

test('web config with TLS; basic authorization header', () => {
  const text = renderWebConfig('ops', '$2b$10$abc', { certFile: '/c.pem', keyFile: '/k.pem' });
  assert.match(text, /tls_server_config:\n {2}cert_file: "\/c.pem"\n {2}key_file: "\/k.pem"/);
  assert.match(text, /basic_auth_users:\n {2}ops: "\$2b\$10\$abc"/);
  assert.equal(basicAuthorization({ username: 'a', password: 'b' }), `Basic ${Buffer.from('a:b').toString('base64')}`);
});

test('every scrape job of the stack is protected from pushed series, and carries the credentials when it must', () => {
  const s = defaultSettings({ access: { username: 'admin', passwordFile: '/d/secrets/admin-password', webConfigFile: '/d/w.yml' } });
  const jobs = scrapeJobs(s);
  for (const j of jobs) if (j.job !== 'pushgateway') assert.ok((SCRAPED_JOB_NAMES as readonly string[]).includes(j.job), j.job);
  const push = jobs.find((j) => j.job === 'pushgateway')!.config as {
    metric_relabel_configs: Array<{ regex: string; replacement: string }>;
  };
  const re = new RegExp(`^${push.metric_relabel_configs[0]!.regex}$`);
  assert.ok(re.test('inference-gateway') && re.test('ml-model-exporter') && re.test('custom'));
  assert.ok(!re.test('mlmon_train') && !re.test('pushgateway'));
  assert.equal(push.metric_relabel_configs[0]!.replacement, `${PUSHED_JOB_PREFIX}$1`);
  const byJob = Object.fromEntries(jobs.map((j) => [j.job, j.config]));
  for (const j of ['prometheus', 'alertmanager', 'node', 'pushgateway', 'blackbox-exporter', 'blackbox'])
    assert.deepEqual(byJob[j]!.basic_auth, { username: 'admin', password_file: '/d/secrets/admin-password' }, j);
  for (const j of ['inference-gateway', 'ml-model-exporter']) assert.equal(byJob[j]!.basic_auth, undefined, j);
  const cfg = renderPrometheusConfig(s, { customTargetsDir: 'c', ruleFiles: [] }) as {
    alerting: { alertmanagers: Array<{ basic_auth?: unknown }> };
  };
  assert.ok(cfg.alerting.alertmanagers[0]!.basic_auth);
});

test('console Host check: its own names only', () => {
  assert.equal(hostName('127.0.0.1:9099'), '127.0.0.1');
  assert.equal(hostName('[::1]:9099'), '[::1]');
  assert.equal(hostName('Evil.Example'), 'evil.example');
  const own = allowedHostNames('127.0.0.1', ['mlmon.internal']);
  assert.ok(own.has('127.0.0.1') && own.has('localhost') && own.has('mlmon.internal'));
  assert.ok(!own.has('evil.example'));
  assert.ok(!allowedHostNames('0.0.0.0', []).has('0.0.0.0'));
});

test('reload status from a /metrics page', () => {
  const text = 'prometheus_config_last_reload_successful 1\nprometheus_config_last_reload_success_timestamp_seconds 1.7e+09\n';
  assert.deepEqual(reloadStatusOf(text, 'prometheus_config_last_reload'), { ok: true, at: 1.7e9 });
  assert.equal(reloadStatusOf('', 'prometheus_config_last_reload'), undefined);
});

test('segment numbers past 2^52 are not segments', () => {
  assert.equal(parseSegmentFileName('segment-0000000000000042.jsonl'), 42);
  assert.equal(parseSegmentFileName('segment-9999999999999999.jsonl'), undefined);
});
