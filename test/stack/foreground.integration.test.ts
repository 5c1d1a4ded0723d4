import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { DEFAULT_PORTS, stackPaths, type PortName } from '../../src/definition/index.js';
import { pidAlive, readState } from '../../src/definition/index.js';
import { eventually } from '../support/stack.js';

test('Ctrl-C (SIGINT) on a foreground `mlmon up` stops every child, no orphan left', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-fg-'));
  // Every component on a free port: the defaults may belong to a stack someone is running.
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length);
  const child = spawn(
    process.execPath,
    [mlmonBin, 'up', '--data-dir', dataDir, ...names.flatMap((n, i) => ['--port', `${n}=${ports[i]}`])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const st = await eventually(
      'stack running',
      () => {
        const s = readState(stackPaths(dataDir).stateFile);
        return s?.phase === 'running' ? s : undefined;
      },
      90_000,
    );
    // The state file says running a moment before the table is printed.
    await eventually('the services table printed', () => /SERVICE\s+URL\s+STATE/.test(out), 30_000);
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
