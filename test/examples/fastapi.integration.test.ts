// The worked example examples/fastapi-service, end to end: the real FastAPI +
// scikit-learn service (Debian's Python packages, installed by scripts/setup.sh)
// against a real stack on free loopback ports. Prometheus scrapes the service
// through a file_sd target, its SLO is in the spec, and its predictions and
// labels reach the ML model exporter through the ingest API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../src/net.js';
import { repoRoot } from '../../src/paths.js';
import { eventually, runMlmon, startTestStack, type TestStack } from '../support/stack.js';
import { stopChild } from '../support/process.js';

const example = join(repoRoot, 'examples', 'fastapi-service');
const python = process.env.MLMON_PYTHON ?? '/usr/bin/python3';

let stack: TestStack;
let service: ChildProcess | undefined;
let servicePort: number;
let modelDir: string;

before(async () => {
  servicePort = await freePort();
  stack = await startTestStack(['--profile', 'test'], process.env, {
    prepareConfig: (configDir) => {
      // The file_sd target and the SLO, as the example's README tells a user to add them.
      const target = readFileSync(join(example, 'targets.yml'), 'utf8').replace('127.0.0.1:8080', `127.0.0.1:${servicePort}`);
      writeFileSync(join(configDir, 'prometheus', 'targets', 'custom', 'wine-service.yml'), target);
      const slo = readFileSync(join(example, 'slo.yaml'), 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .map((l) => (l === '' ? l : `  ${l}`))
        .join('\n');
      appendFileSync(join(configDir, 'slos.yaml'), `\n${slo}\n`);
    },
  });
  modelDir = join(stack.dataDir, 'wine-model');
  mkdirSync(modelDir);
  const trained = spawnSync(python, [join(example, 'train.py'), '--out', modelDir], { encoding: 'utf8' });
  assert.equal(
    trained.status,
    0,
    `${trained.stdout}${trained.stderr}\n(run bash scripts/setup.sh: it installs Debian's python3-sklearn and friends)`,
  );
  const registered = runMlmon([
    'model',
    'register',
    'wine',
    '--reference',
    join(modelDir, 'reference.csv'),
    '--target',
    'cultivar',
    '--prediction-column',
    'predicted',
    '--data-dir',
    stack.dataDir,
  ]);
  assert.equal(registered.code, 0, registered.stderr);

  const status = JSON.parse(runMlmon(['status', '--json', '--data-dir', stack.dataDir]).stdout) as {
    components: { name: string; url: string; auth?: { tokenFile: string } }[];
  };
  const exporter = status.components.find((c) => c.name === 'ml-model-exporter')!;
  for (const f of ['app.py', 'mlmon_sender.py']) copyFileSync(join(example, f), join(modelDir, f));
  service = spawn(python, ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(servicePort)], {
    cwd: modelDir,
    env: {
      ...process.env,
      MODEL_DIR: modelDir,
      MLMON_EXPORTER_URL: exporter.url.replace(/\/metrics$/, ''),
      MLMON_EXPORTER_TOKEN_FILE: exporter.auth!.tokenFile,
    },
    stdio: 'ignore',
  });
  assert.ok((await waitForHttp(`http://127.0.0.1:${servicePort}/health`, 30_000)).ok, 'the FastAPI service did not start');
});

after(async () => {
  if (service) await stopChild(service);
  await stack?.stop();
});

interface Row {
  features: Record<string, number>;
  label: string;
}

/** The reference rows (features, true class): traffic drawn exactly like the reference. */
function referenceRows(): Row[] {
  const [header, ...lines] = readFileSync(join(modelDir, 'reference.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  const label = names.indexOf('cultivar');
  return lines.map((line) => {
    const cells = line.split(',');
    const features: Record<string, number> = {};
    names.forEach((n, i) => {
      if (n !== 'cultivar' && n !== 'predicted') features[n] = Number(cells[i]);
    });
    return { features, label: cells[label]! };
  });
}

test('the FastAPI service is scraped through file_sd, measured by its SLO, and its drift and accuracy reach Prometheus and the console', async () => {
  const rows = referenceRows();
  const svc = `http://127.0.0.1:${servicePort}`;
  let right = 0;
  let labelled = 0;
  // Every reference wine twice, with proline shifted far above anything in training, and labels for 120 of them.
  for (let i = 0; i < 2 * rows.length; i++) {
    const row = rows[i % rows.length]!;
    const res = await fetch(`${svc}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ features: { ...row.features, proline: row.features.proline! + 3000 } }),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { id: string; prediction: string };
    if (i < 120) {
      labelled++;
      if (answer.prediction === row.label) right++;
      const fb = await fetch(`${svc}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: answer.id, label: row.label }),
      });
      assert.equal(fb.status, 202);
    }
  }

  const value = async (q: string) => {
    const r = await stack.promQuery(q);
    return r.length > 0 ? Number(r[0]!.value[1]) : undefined;
  };
  // Scraped through the custom file_sd target.
  await eventually('the service scraped', async () => (await value('up{job="wine-service"}')) === 1, 90_000);
  // Its SLO's recording rules run over its own metrics (window names scale with the test profile's periods).
  await eventually(
    'the SLO rules over the service',
    async () => (await stack.promQuery('{__name__=~"slo:availability:total_events:.+", service="wine-service"} > 0')).length > 0,
    120_000,
  );
  // Drift: proline drifted, alcohol did not; accuracy is exactly what the labels say.
  const psi = (feature: string) => value(`ml_feature_drift_score{model="wine", version="v1", feature="${feature}", method="psi"}`);
  await eventually('drift of proline', async () => ((await psi('proline')) ?? 0) > 0.25, 120_000);
  assert.ok(((await psi('alcohol')) ?? 1) < 0.1, `alcohol PSI ${await psi('alcohol')}`);
  await eventually(
    'accuracy of wine',
    async () => {
      const got = await value('ml_model_accuracy{model="wine", version="v1", window="1h"}');
      const samples = await value('ml_model_quality_samples{model="wine", version="v1", window="1h"}');
      if (got === right / labelled) return true;
      throw new Error(`accuracy ${got} from ${samples} labels, want ${right}/${labelled}`);
    },
    120_000,
  );

  // The console lists the model with its figures.
  const consoleUrl = `http://127.0.0.1:${stack.ports.console}`;
  const models = await eventually(
    'the console model list',
    async () => {
      const body = (await (await fetch(`${consoleUrl}/api/models`, { headers: stack.auth() })).json()) as {
        models: { model: string; maxFeaturePsi: number | null }[];
      };
      const wine = body.models.find((m) => m.model === 'wine');
      return wine && wine.maxFeaturePsi !== null ? body : undefined;
    },
    120_000,
  );
  assert.ok(models.models.find((m) => m.model === 'wine')!.maxFeaturePsi! > 0.25);
});
