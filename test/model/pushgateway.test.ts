import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '../../src/model/index.js';
import { freePort, waitForHttp } from '../../src/net.js';

let pg: ChildProcess | undefined;
let url = '';
let dir = '';

function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('job="mlmon_train"') && l.includes('model="iris"'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlmon-push-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  pg = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const up = await waitForHttp(`${url}/-/ready`, 15_000);
  assert.ok(up.ok, `pushgateway did not start: ${up.detail}`);
});

after(() => {
  if (pg?.pid !== undefined && pg.exitCode === null) process.kill(pg.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('a training run pushes its metrics to a real Pushgateway; a failed run sets the marker and keeps the last success', async () => {
  const registryDir = join(dir, 'registry');
  const before = Date.now() / 1000;
  const ok = await runTraining({ registryDir, seed: 42, pushgatewayUrl: url });
  assert.equal(ok.pushed, true);
  assert.equal(ok.pushWarning, undefined);
  let text = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metricValue(text, 'ml_training_failed'), 0);
  assert.equal(metricValue(text, 'ml_training_heldout_accuracy'), ok.metadata.heldout_accuracy);
  const success = metricValue(text, 'ml_training_last_success_timestamp_seconds')!;
  assert.ok(success >= before - 1 && success <= Date.now() / 1000 + 1);
  assert.ok(metricValue(text, 'ml_training_duration_seconds')! > 0);

  // A registry path that is a file makes training fail.
  const broken = join(dir, 'not-a-dir');
  writeFileSync(broken, 'x');
  await assert.rejects(runTraining({ registryDir: broken, pushgatewayUrl: url }), /training failed/);
  text = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metricValue(text, 'ml_training_failed'), 1);
  assert.equal(metricValue(text, 'ml_training_last_success_timestamp_seconds'), success, 'last success survives the failure');
  assert.ok(metricValue(text, 'ml_training_last_run_timestamp_seconds')! >= success);
});

test('an unreachable Pushgateway is a warning, not a failure', async () => {
  const port = await freePort();
  const res = await runTraining({ registryDir: join(dir, 'registry2'), pushgatewayUrl: `http://127.0.0.1:${port}`, pushTimeoutMs: 1000 });
  assert.equal(res.pushed, false);
  assert.match(res.pushWarning ?? '', /not pushed/);
  assert.equal(res.metadata.version, 'v1');
});
