import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { DEFAULT_PORTS, stackPaths, type PortName } from '../../src/definition/index.js';
import { pidAlive, readState } from '../../src/definition/index.js';
import { ChildOutput } from '../support/process.js';

/** A foreground `mlmon up` with every component on a free port (the defaults
 * may belong to a stack someone is running). */
async function foregroundUp(dataDir: string) {
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length);
  const child = spawn(
    process.execPath,
    [mlmonBin, 'up', '--data-dir', dataDir, ...names.flatMap((n, i) => ['--port', `${n}=${ports[i]}`])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = new ChildOutput(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

/** Pids of every process the supervisor started, from its own log. */
function startedPids(dataDir: string): number[] {
  const log = join(stackPaths(dataDir).logsDir, 'supervisor.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg?: string; pid?: number })
    .filter((e) => e.msg === 'started' && typeof e.pid === 'number')
    .map((e) => e.pid!);
}

function cleanUp(dataDir: string, child: { pid?: number | undefined; kill(s: NodeJS.Signals): boolean }): void {
  if (pidAlive(child.pid)) child.kill('SIGKILL');
  for (const pid of startedPids(dataDir)) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}

// Waits follow the child's own output (the services table, its exit), not a
// clock: on a loaded machine the stack starts later, and the test only waits
// longer. The test's timeout is the one bound.
test('Ctrl-C (SIGINT) on a foreground `mlmon up` stops every child, no orphan left', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-fg-'));
  const { child, out, exited } = await foregroundUp(dataDir);
  try {
    // The table comes once every component answered its ready URL.
    await out.waitFor(/SERVICE\s+URL\s+STATE/);
    const st = readState(stackPaths(dataDir).stateFile);
    assert.ok(st, 'state.json exists');
    assert.equal(st.phase, 'running', 'state.json says running once the table is out');
    const pids = st.components.map((c) => c.pid);
    assert.ok(
      pids.every((p) => typeof p === 'number' && pidAlive(p)),
      `every component runs: ${JSON.stringify(pids)}`,
    );
    child.kill('SIGINT');
    assert.equal(await exited, 0, out.text);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `pid ${pid} stopped`);
    assert.match(out.text, /nothing left running/);
  } finally {
    cleanUp(dataDir, child);
  }
});

test('Ctrl-C while the stack is still starting stops what was started, no orphan left', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-fg-'));
  const { child, out, exited } = await foregroundUp(dataDir);
  try {
    await out.waitFor(/starting prometheus/);
    child.kill('SIGINT');
    assert.equal(await exited, 0, out.text);
    assert.match(out.text, /nothing left running/);
    assert.doesNotMatch(out.text, /stack ready/, 'the start was cut short');
    for (const pid of startedPids(dataDir)) assert.equal(pidAlive(pid), false, `pid ${pid} stopped`);
  } finally {
    cleanUp(dataDir, child);
  }
});
