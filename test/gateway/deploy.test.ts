import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, type Gateway } from '../../src/gateway/server.js';
import { deployVersion, readDeployment, registerModel, rollbackDeployment, trainModel } from '../../src/model/index.js';
import { stackPaths } from '../../src/definition/index.js';
import { sample } from './exposition.js';

const ROW = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

let dataDir: string;
let registryDir: string;
let gw: Gateway;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlmon-gw-deploy-'));
  registryDir = stackPaths(dataDir).registryDir;
  for (const seed of [1, 2, 3]) await trainModel({ registryDir, seed });
  // The first start serves the current version and writes it down as deployed.
  gw = await buildGateway({ dataDir, logLevel: 'silent', deploymentPollMs: 3_600_000 });
});

after(async () => {
  await gw.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function predictMany(n: number): Promise<{ statuses: number[]; versions: string[] }> {
  const statuses: number[] = [];
  const versions: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await gw.app.inject({ method: 'POST', url: '/predict', payload: { features: ROW } });
    statuses.push(res.statusCode);
    versions.push((res.json() as { version: string }).version);
  }
  return { statuses, versions };
}

test('a first start serves the current version; training a new one does not change what is served', async () => {
  assert.equal((await readDeployment(registryDir, 'iris'))?.stable, 'v3');
  await trainModel({ registryDir, seed: 4 });
  await gw.reloadDeployment();
  const { versions } = await predictMany(5);
  assert.deepEqual(new Set(versions), new Set(['v3']));
});

test('deploy and rollback swap the served version with no restart and no failed request', async () => {
  // Requests run while the deployment changes under them.
  const during = predictMany(200);
  await deployVersion(registryDir, 'iris', 'v1');
  await gw.reloadDeployment();
  const { statuses } = await during;
  assert.deepEqual(new Set(statuses), new Set([200]), 'every request answered');
  assert.deepEqual(new Set((await predictMany(5)).versions), new Set(['v1']));
  const models = (await gw.app.inject({ method: 'GET', url: '/models' })).json() as { serving: { version: string }; canary: unknown };
  assert.equal(models.serving.version, 'v1');
  assert.equal(models.canary, null);

  await rollbackDeployment(registryDir, 'iris');
  await gw.reloadDeployment();
  assert.deepEqual(new Set((await predictMany(5)).versions), new Set(['v3']), 'back to the version served before');
});

test('a canary answers its share of requests, and the metrics carry both versions with their roles', async () => {
  await deployVersion(registryDir, 'iris', 'v2', { percent: 30 });
  await gw.reloadDeployment();
  const { statuses, versions } = await predictMany(400);
  assert.deepEqual(new Set(statuses), new Set([200]));
  const canary = versions.filter((v) => v === 'v2').length;
  // 400 draws at 30%: the count lies within ±5 standard deviations (±46) of 120.
  assert.ok(canary > 74 && canary < 166, `canary answered ${canary} of 400`);
  assert.equal(versions.length - canary, versions.filter((v) => v === 'v3').length);
  const text = await gw.metrics.registry.metrics();
  assert.equal(sample(text, 'model_info', { model: 'iris', version: 'v3', role: 'stable' }), 1);
  assert.equal(sample(text, 'model_info', { model: 'iris', version: 'v2', role: 'canary' }), 1);
  assert.equal(sample(text, 'model_traffic_share', { model: 'iris', version: 'v2' }), 0.3);
  assert.equal(sample(text, 'inference_requests_total', { model: 'iris', version: 'v2', outcome: 'success' }), canary);

  await rollbackDeployment(registryDir, 'iris');
  await gw.reloadDeployment();
  assert.deepEqual(new Set((await predictMany(20)).versions), new Set(['v3']), 'rollback withdraws the canary');
  const after = await gw.metrics.registry.metrics();
  assert.equal(sample(after, 'model_info', { model: 'iris', version: 'v2', role: 'canary' }), undefined);
});

test('deploying a version that does not exist is refused, naming the versions there are', async () => {
  await assert.rejects(deployVersion(registryDir, 'iris', 'v9'), /no version v9 \(versions: v1, v2, v3, v4\)/);
  // A model registered from reference data has nothing the gateway could serve.
  const file = join(dataDir, 'ref.csv');
  writeFileSync(file, 'x,y\n1,a\n2,b\n');
  await registerModel({ registryDir, model: 'own', file, target: 'y' });
  await assert.rejects(deployVersion(registryDir, 'own', 'v1'), /no model the bundled gateway can serve/);
});
