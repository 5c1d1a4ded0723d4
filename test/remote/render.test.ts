import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { remoteWriteFromOptions } from '../../src/remote/index.js';
import {
  defaultSettings,
  forwardedNameRegex,
  FORWARDED_SERIES,
  renderPrometheusConfig,
  renderRemoteWrite,
} from '../../src/definition/index.js';
import { settingsFromOptions } from '../../src/stack/options.js';

const dir = mkdtempSync(join(tmpdir(), 'mlmon-remote-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'secret-token\n', { mode: 0o600 });

/** What the keep rule does, evaluated the way Prometheus does: fully anchored. */
function kept(regex: string, name: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(name);
}

test('the keep rule forwards SLO, http:*, alert and up series and nothing else', () => {
  const re = forwardedNameRegex();
  for (const n of [
    'slo:availability:burn_rate:1h',
    'slo:http_request_duration:p99:rate5m',
    'http:requests:rate5m',
    'ALERTS',
    'ALERTS_FOR_STATE',
    'up',
  ]) {
    assert.ok(kept(re, n), `${n} should be forwarded`);
  }
  for (const n of ['go_goroutines', 'http_requests_total', 'upstream_latency', 'ALERTS_total', 'prometheus_build_info', 'xslo:foo']) {
    assert.ok(!kept(re, n), `${n} should stay local`);
  }
});

test('user-named metrics are forwarded too, without repeating the defaults', () => {
  const re = forwardedNameRegex(['ml_model_accuracy', 'ml_feature_drift_.*', 'up']);
  assert.ok(kept(re, 'ml_model_accuracy'));
  assert.ok(kept(re, 'ml_feature_drift_psi'));
  assert.ok(!kept(re, 'ml_model_accuracy_total'));
  assert.equal(re.split('|').filter((p) => p === 'up').length, 1);
  assert.equal(re.split('|').length, FORWARDED_SERIES.length + 2);
});

test('auth comes from files only: bearer through authorization, basic through password_file', () => {
  const [bearer] = renderRemoteWrite({ url: 'https://lts.example/api/v1/write', auth: { kind: 'bearer', credentialsFile: '/s/token' } });
  assert.deepEqual(bearer!.authorization, { type: 'Bearer', credentials_file: '/s/token' });
  const [basic] = renderRemoteWrite({
    url: 'https://lts.example/api/v1/write',
    auth: { kind: 'basic', username: 'u', passwordFile: '/s/pw' },
  });
  assert.deepEqual(basic!.basic_auth, { username: 'u', password_file: '/s/pw' });
  assert.equal(JSON.stringify([bearer, basic]).includes('secret'), false);
});

test('queue_config has every field, overridable one by one', () => {
  const [rw] = renderRemoteWrite({ url: 'http://x/api/v1/write', queue: { maxShards: 5 } });
  const q = rw!.queue_config as Record<string, unknown>;
  assert.equal(q.max_shards, 5);
  assert.equal(q.max_backoff, '5s');
  assert.deepEqual(Object.keys(q).sort(), [
    'batch_send_deadline',
    'capacity',
    'max_backoff',
    'max_samples_per_send',
    'max_shards',
    'min_backoff',
    'min_shards',
  ]);
});

test('prometheus.yml gets remote_write only when the stack definition asks for it', () => {
  const opts = { customTargetsDir: 'targets/custom', ruleFiles: [] };
  assert.equal('remote_write' in renderPrometheusConfig(defaultSettings(), opts), false);
  const c = renderPrometheusConfig(defaultSettings({ remoteWrite: { url: 'http://vm:8428/api/v1/write' } }), opts);
  assert.equal((c.remote_write as Array<{ url: string }>)[0]!.url, 'http://vm:8428/api/v1/write');
});

test('flags and MLMON_REMOTE_WRITE_* variables build the settings; flags win', () => {
  assert.equal(remoteWriteFromOptions({}, {}), undefined);
  const fromEnv = remoteWriteFromOptions({}, { MLMON_REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write', MLMON_REMOTE_WRITE_KEEP: 'a, b' });
  assert.deepEqual(fromEnv, { url: 'http://vm:8428/api/v1/write', keepSeries: ['a', 'b'] });
  const flags = remoteWriteFromOptions(
    { remoteWriteUrl: 'https://lts/api/v1/write', remoteWriteBearerTokenFile: 'token' },
    { MLMON_REMOTE_WRITE_URL: 'http://ignored/' },
    dir,
  );
  assert.equal(flags!.url, 'https://lts/api/v1/write');
  assert.deepEqual(flags!.auth, { kind: 'bearer', credentialsFile: tokenFile });
  const s = settingsFromOptions({ remoteWriteUrl: 'http://vm:8428/api/v1/write' }, {});
  assert.equal(s.remoteWrite!.url, 'http://vm:8428/api/v1/write');
});

test('bad remote-write options are refused with a message naming the flag', () => {
  const bad: Array<[Parameters<typeof remoteWriteFromOptions>[0], RegExp]> = [
    [{ remoteWriteUrl: 'not a url' }, /--remote-write-url: "not a url" is not a URL/],
    [{ remoteWriteUrl: 'ftp://x/' }, /must be an http\(s\) URL/],
    [{ remoteWriteUrl: 'http://u:p@x/' }, /must not carry credentials/],
    [{ remoteWriteBearerTokenFile: 'token' }, /--remote-write-url: is required/],
    [{ remoteWriteUrl: 'http://x/', remoteWriteUsername: 'u' }, /--remote-write-password-file: basic auth needs both/],
    [
      { remoteWriteUrl: 'http://x/', remoteWriteBearerTokenFile: 'token', remoteWriteUsername: 'u', remoteWritePasswordFile: 'token' },
      /cannot be combined/,
    ],
    [{ remoteWriteUrl: 'http://x/', remoteWriteBearerTokenFile: 'missing' }, /no such file: .*missing/],
    [{ remoteWriteUrl: 'http://x/', remoteWriteKeep: ['.*'] }, /would forward every series/],
    [{ remoteWriteUrl: 'http://x/', remoteWriteKeep: ['ml_('] }, /not a valid regular expression/],
  ];
  for (const [o, re] of bad) assert.throws(() => remoteWriteFromOptions(o, {}, dir), re, JSON.stringify(o));
});

test('promtool accepts the rendered remote_write with both kinds of auth', () => {
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'pw\n', { mode: 0o600 });
  for (const auth of [
    { kind: 'bearer' as const, credentialsFile: tokenFile },
    { kind: 'basic' as const, username: 'u', passwordFile: pw },
  ]) {
    const c = renderPrometheusConfig(
      defaultSettings({
        components: ['prometheus'],
        remoteWrite: { url: 'http://127.0.0.1:8428/api/v1/write', auth, keepSeries: ['ml_.*'] },
      }),
      {
        customTargetsDir: join(dir, 'custom'),
        ruleFiles: [],
      },
    );
    const file = join(dir, `prometheus-${auth.kind}.yml`);
    writeFileSync(file, stringify(c));
    const r = spawnSync('promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
});
