import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRepo } from '../../src/paths.js';

const setup = fromRepo('scripts/setup.sh');

test('setup with everything present changes nothing and says so', () => {
  const stamp = fromRepo('node_modules/.mlmon-lock.sha256');
  const before = statSync(stamp).mtimeMs;
  const r = spawnSync('bash', [setup], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Prometheus programs: present/);
  assert.match(r.stdout, /npm dependencies: present/);
  assert.doesNotMatch(r.stdout, /installing/);
  assert.equal(statSync(stamp).mtimeMs, before, 'npm ci did not run again');
});

test('setup without apt-get prints what to install and exits non-zero', () => {
  // A PATH with only the shell tools the script needs: no Prometheus programs, no apt-get.
  const bin = mkdtempSync(join(tmpdir(), 'mlmon-setup-'));
  try {
    for (const tool of ['bash', 'uname', 'id', 'dirname']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const r = spawnSync(join(bin, 'bash'), [setup], { encoding: 'utf8', env: { PATH: bin } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /missing programs: prometheus prometheus-alertmanager/);
    assert.match(r.stderr, /no apt-get/);
    assert.match(r.stderr, /then run this script again/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
