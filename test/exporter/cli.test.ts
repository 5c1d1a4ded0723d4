import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { checkpointPath } from '../../src/exporter/checkpoint.js';
import { freePort, waitForHttp } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { stackPaths } from '../../src/definition/index.js';
import { prediction, sampleValue, spool, syntheticMetadata, tempDataDir, writeRegistry } from './fixtures.js';

const children = new Set<ChildProcess>();
const dirs: string[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [mlmonBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, stderr });
    }),
  );
  return { child, exit };
}

test('`mlmon serve exporter` serves /metrics and saves its state on SIGTERM', async () => {
  const dataDir = tempDataDir('cli');
  dirs.push(dataDir);
  writeRegistry(dataDir, syntheticMetadata());
  await spool(dataDir, [prediction('c1', Date.now(), { a: 1, b: 150 }, 'x')]);
  const port = await freePort();
  const { child, exit } = run([
    'serve',
    'exporter',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--window',
    '50',
    '--interval',
    '200ms',
  ]);
  const ready = await waitForHttp(`http://127.0.0.1:${port}/metrics`, 15_000);
  assert.ok(ready.ok, ready.detail);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.equal(sampleValue(text, 'ml_predictions_total', { model: 'demo', version: 'v1', class: 'x' }), 1);
  // New events are picked up by the exporter's own timers.
  await spool(dataDir, [prediction('c2', Date.now(), { a: 2, b: 150 }, 'x')]);
  let seen: number | undefined;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    seen = sampleValue(t, 'ml_drift_window_samples', { model: 'demo', version: 'v1' });
    if (seen === 2) break;
  }
  assert.equal(seen, 2, 'the second prediction reached the drift window without a manual refresh');
  process.kill(child.pid!, 'SIGTERM');
  const { code, stderr } = await exit;
  assert.equal(code, 0, stderr);
  assert.ok(existsSync(checkpointPath(stackPaths(dataDir).exporterStateDir)));
});

test('a busy port is refused with a message saying what to do', async () => {
  const dataDir = tempDataDir('cli-busy');
  dirs.push(dataDir);
  const blocker = createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const { exit } = run(['serve', 'exporter', '--port', String(port), '--data-dir', dataDir]);
    const { code, stderr } = await exit;
    assert.equal(code, 1);
    assert.match(stderr, /mlmon: ml-model-exporter: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    assert.match(stderr, /--port/);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});
