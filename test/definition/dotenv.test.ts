import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withDotEnv } from '../../src/definition/index.js';

test('.env fills what the environment leaves unset, and the environment wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-env-'));
  try {
    const f = join(dir, '.env');
    writeFileSync(f, '# comment\nSLACK_WEBHOOK_URL=https://hooks.example/x\nSMTP_TO=ops@example.com\nEMPTY=\n');
    const env = withDotEnv(f, { SMTP_TO: 'me@example.com', SLACK_WEBHOOK_URL: '' });
    assert.equal(env.SLACK_WEBHOOK_URL, 'https://hooks.example/x');
    assert.equal(env.SMTP_TO, 'me@example.com');
    assert.deepEqual(withDotEnv(join(dir, 'missing'), { A: '1' }), { A: '1' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
