import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alertmanagerSource, NOTIFICATION_ENV_FILE } from '../../src/stack/alertmanager-source.js';
import { defaultSettings, stackPaths } from '../../src/definition/index.js';
import { RUN_FILES } from '../../src/stack/render.js';
import { prepareRunDir } from '../../src/stack/rundir.js';

test('a reload from a shell without the variables keeps the credentials the stack started with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-amsrc-'));
  try {
    // configDir's parent holds no .env: only the given environments count.
    const s = defaultSettings({ dataDir: join(dir, 'data'), configDir: join(dir, 'cfg', 'config') });
    const p = stackPaths(s.dataDir);
    const start = await alertmanagerSource(s, p, { env: { PAGERDUTY_ROUTING_KEY: 'a'.repeat(32), PATH: '/bin' } });
    assert.doesNotMatch(start.summary, /pagerduty[^→]*→ local/);
    const saved = join(p.secretsDir, NOTIFICATION_ENV_FILE);
    assert.equal(statSync(saved).mode & 0o777, 0o600);
    assert.deepEqual(
      Object.keys(JSON.parse(readFileSync(saved, 'utf8'))),
      ['PAGERDUTY_ROUTING_KEY'],
      'only notification variables are kept',
    );

    const reload = await alertmanagerSource(s, p, { reload: true, env: {} });
    assert.equal(reload.text, start.text, 'the same Alertmanager config as at start');
    assert.ok(statSync(join(p.secretsDir, 'pagerduty_routing_key')).isFile(), 'the key file is kept');

    const fresh = await alertmanagerSource(s, p, { env: {} });
    assert.match(fresh.summary, /pagerduty/, 'a new start without the variable goes to the sink');
    assert.notEqual(fresh.text, start.text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mlmon up writes an Alertmanager config holding a secret owner-only into the run directory, and amtool accepts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-amsrc-'));
  try {
    const s = defaultSettings({ dataDir: join(dir, 'data') });
    const p = stackPaths(s.dataDir);
    const heartbeat = 'https://hc-ping.example.com/SECRETheartbeat';
    // The heartbeat URL has no *_file field in Alertmanager: it sits in the config itself.
    const { checks } = await prepareRunDir(s, p, { env: { HEARTBEAT_URL: heartbeat, PAGERDUTY_ROUTING_KEY: 'b'.repeat(32) } });
    assert.ok(
      checks.some((c) => c.check.startsWith('amtool') && c.ok),
      'amtool checked the rendered config',
    );
    const config = join(p.runDir, RUN_FILES.alertmanagerYml);
    assert.ok(readFileSync(config, 'utf8').includes(heartbeat));
    assert.equal(statSync(config).mode & 0o777, 0o600);
    assert.ok(!readFileSync(config, 'utf8').includes('b'.repeat(32)), 'the routing key stays in its own file');

    // Without a secret in it, the same file is an ordinary one.
    await prepareRunDir(s, p, { env: {} });
    assert.ok(!readFileSync(config, 'utf8').includes(heartbeat));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
