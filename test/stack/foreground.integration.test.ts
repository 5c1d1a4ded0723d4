import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { stackPaths } from '../../src/stack/settings.js';
import { pidAlive, readState } from '../../src/stack/state.js';
import { eventually } from '../support/stack.js';

test('Ctrl-C (SIGINT) on a foreground `mlmon up` stops every child, no orphan left', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-fg-'));
  const [prom, am, node, bb, pg] = await freePorts(5);
  const child = spawn(
    process.execPath,
    [mlmonBin, 'up', '--data-dir', dataDir,
      '--port', `prometheus=${prom}`, '--port', `alertmanager=${am}`, '--port', `node-exporter=${node}`,
      '--port', `blackbox-exporter=${bb}`, '--port', `pushgateway=${pg}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const st = await eventually('stack running', () => {
      const s = readState(stackPaths(dataDir).stateFile);
      return s?.phase === 'running' ? s : undefined;
    }, 90_000);
    assert.match(out, /SERVICE\s+URL\s+STATE/, 'prints the services table');
    const pids = st.components.map((c) => c.pid!);
    assert.ok(pids.every((p) => pidAlive(p)));
    child.kill('SIGINT');
    assert.equal(await exited, 0, out);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `pid ${pid} stopped`);
    assert.match(out, /nothing left running/);
  } finally {
    if (pidAlive(child.pid)) child.kill('SIGKILL');
    const s = readState(stackPaths(dataDir).stateFile);
    for (const c of s?.components ?? []) if (c.pid && pidAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
