import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { listModels, readMetadata, registerModel, type CategoricalProfile, type FeatureProfile } from '../../src/model/index.js';
import { categoricalProfile, featureProfile, MAX_CATEGORIES, MAX_REFERENCE_VALUES, OTHER_CATEGORY } from '../../src/model/profile.js';
import { parseCsvTable } from '../../src/model/table.js';
import { MlmonError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mlmon-register-'));
const registryDir = join(dir, 'registry');
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | ArrayBuffer): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : Buffer.from(content));
  return path;
}

/** Rejects with an MlmonError located at `location` whose message matches `message`. */
async function refused(p: Promise<unknown>, location: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MlmonError, String(e));
    assert.equal(e.location, location);
    assert.match(e.message, message);
    return true;
  });
}

test('numeric and categorical columns are told apart; classes come from the target; a prediction column gives the reference accuracy', async () => {
  const path = file(
    'loans.csv',
    'amount,term,purpose,approved,predicted\n' +
      '1000,12,car,yes,yes\n' +
      '2500.5,24,house,no,no\n' +
      ',36,car,yes,no\n' + // amount missing: a missing value, not a category
      '4000,12,"house, second",no,no\n',
  );
  const m = await registerModel({ registryDir, model: 'loans', file: path, target: 'approved', predictionColumn: 'predicted' });
  assert.equal(m.version, 'v1');
  assert.equal(m.kind, 'classification');
  assert.deepEqual(m.features, ['amount', 'term', 'purpose']);
  assert.deepEqual(m.classes, ['no', 'yes']);
  assert.equal(m.heldout_accuracy, 0.75);
  const amount = m.reference.features.amount as FeatureProfile;
  assert.equal(amount.type, 'numeric');
  assert.equal(amount.count, 3);
  assert.deepEqual(amount.values, [1000, 2500.5, 4000]);
  const purpose = m.reference.features.purpose as CategoricalProfile;
  assert.deepEqual(purpose, { type: 'categorical', count: 4, categories: { car: 0.5, house: 0.25, 'house, second': 0.25 } });
  // The class mix is the model's own predictions on the reference data.
  assert.deepEqual(m.reference.class_mix, { no: 0.75, yes: 0.25 });
  assert.match(m.training_data.fingerprint, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(await readMetadata(registryDir, 'loans', 'v1'), m);
  assert.deepEqual(await listModels(registryDir), [{ model: 'loans', current: 'v1', versions: ['v1'] }]);
});

test('a numeric target makes a regression model with reference errors; a named version and feature list are kept', async () => {
  const path = file('price.csv', 'rooms,area,city,price,pred\n3,80,a,300,310\n4,100,b,400,380\n2,50,a,200,200\n5,120,c,500,530\n');
  const m = await registerModel({
    registryDir,
    model: 'price',
    file: path,
    target: 'price',
    predictionColumn: 'pred',
    version: '2024-06',
    features: ['rooms', 'city'],
  });
  assert.equal(m.version, '2024-06');
  assert.equal(m.kind, 'regression');
  assert.deepEqual(m.features, ['rooms', 'city']);
  assert.deepEqual(m.classes, []);
  assert.equal(m.reference_mae, (10 + 20 + 0 + 30) / 4);
  assert.equal(m.reference_rmse, Math.sqrt((100 + 400 + 0 + 900) / 4));
  assert.deepEqual(m.reference.prediction?.values, [200, 310, 380, 530]);
  await refused(
    registerModel({ registryDir, model: 'price', file: path, target: 'price', version: '2024-06' }),
    join(registryDir, 'price', '2024-06'),
    /already has a version 2024-06/,
  );
  // A 0/1 target is numeric, but may be a classifier: --type says so.
  const churn = await registerModel({
    registryDir,
    model: 'churn01',
    file: file('c.csv', 'x,y\n1,0\n2,1\n3,1\n'),
    target: 'y',
    kind: 'classification',
  });
  assert.deepEqual(churn.classes, ['0', '1']);
});

test('bad files are refused with file:line and nothing is registered', async () => {
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('ragged.csv', 'a,b,t\n1,2,x\n3,4\n5,6,y\n'), target: 't' }),
    join(dir, 'ragged.csv') + ':3',
    /expect 3, got 2/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('empty.csv', ''), target: 't' }),
    join(dir, 'empty.csv') + ':1',
    /empty/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('header.csv', 'a,b,t\n'), target: 't' }),
    join(dir, 'header.csv') + ':1',
    /no data rows/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('notarget.csv', 'a,b\n1,2\n'), target: 't' }),
    join(dir, 'notarget.csv') + ':1',
    /target column "t" is not in the data \(columns: a, b\)/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('nofeature.csv', 'a,b,t\n1,,x\n2,NA,y\n'), target: 't' }),
    join(dir, 'nofeature.csv') + ':1',
    /feature "b" has no usable values/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('quote.csv', 'a,t\n1,"x\n'), target: 't' }),
    join(dir, 'quote.csv') + ':2',
    /Quote Not Closed/,
  );
  await refused(
    registerModel({ registryDir, model: 'bad', file: file('regr.csv', 'a,t\n1,2\n2,x\n'), target: 't', kind: 'regression' }),
    join(dir, 'regr.csv') + ':3',
    /"x" in column "t" is not a number/,
  );
  await assert.rejects(registerModel({ registryDir, model: '../etc', file: file('ok.csv', 'a,t\n1,x\n'), target: 't' }), /model name/);
  assert.equal(
    (await listModels(registryDir)).some((l) => l.model === 'bad'),
    false,
  );
});

test('Parquet reference data: numbers, text and nulls read like the CSV', async () => {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'size', data: [1.5, 2.5, null, 4.5], type: 'DOUBLE', nullable: true },
      { name: 'colour', data: ['red', 'blue', 'red', null], type: 'STRING', nullable: true },
      { name: 'label', data: ['a', 'b', 'a', 'a'], type: 'STRING' },
    ],
  });
  const m = await registerModel({ registryDir, model: 'shapes', file: file('shapes.parquet', buffer), target: 'label' });
  assert.deepEqual(m.features, ['size', 'colour']);
  assert.deepEqual((m.reference.features.size as FeatureProfile).values, [1.5, 2.5, 4.5]);
  assert.deepEqual((m.reference.features.colour as CategoricalProfile).categories, { red: 2 / 3, blue: 1 / 3 });
  assert.deepEqual(m.reference.class_mix, { a: 0.75, b: 0.25 });
  await refused(
    registerModel({ registryDir, model: 'shapes', file: file('broken.parquet', 'PAR1 not really'), target: 'label' }),
    join(dir, 'broken.parquet'),
    /not a readable Parquet file/,
  );
});

test('profiles stay bounded: rare categories share the other bucket, large columns keep evenly spaced order statistics', () => {
  const values = Array.from({ length: 800 }, (_, i) => `c${i % 80}`);
  const p = categoricalProfile(values);
  assert.equal(Object.keys(p.categories).length, MAX_CATEGORIES + 1);
  assert.ok(Math.abs(p.categories[OTHER_CATEGORY]! - 30 / 80) < 1e-12);
  assert.ok(Math.abs(Object.values(p.categories).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  const big = featureProfile(Array.from({ length: 100_000 }, (_, i) => i));
  assert.equal(big.count, 100_000);
  assert.equal(big.values.length, MAX_REFERENCE_VALUES);
  assert.equal(big.values[0], 0);
  assert.equal(big.values.at(-1), 99_999);
  assert.equal(big.bin_edges[5], 49_999.5, 'bins come from every value, not the thinned ones');
});

test('CSV cells: a BOM, quoted commas and line breaks, and the usual spellings of missing', () => {
  const t = parseCsvTable('\ufeffa,b\n"1,5",NaN\n"x\ny",\n', 'f.csv');
  assert.deepEqual(t.columns, ['a', 'b']);
  assert.deepEqual(t.column('a'), ['1,5', 'x\ny']);
  assert.deepEqual(t.column('b'), [null, null]);
  assert.equal(t.where(1), 'f.csv:4');
});
