/** Benchmark: one prediction of one row, as the gateway makes it, side by side:
 *   - compiled: the trees flattened into typed arrays (src/model/forest.ts), what the gateway runs;
 *   - library: ml-random-forest's own predict on the same serialized forest.
 * The forest is trained as `mlmon train` trains it (50 trees, seed 42) into a
 * temporary registry; the rows are the iris rows. Prints the time per row
 * (median of alternating rounds, with quartiles) and the ratio.
 *
 *   npm run build && node dist/bench/model/forest.js [--rounds 20] [--rows 20000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RandomForestClassifier } from 'ml-random-forest';
import { compileForest, type SerializedForest } from '../../src/model/forest.js';
import { DEFAULT_MODEL, IRIS_CLASSES, irisRows, trainModel } from '../../src/model/index.js';
import { alternateRounds, formatMicros, median, type Contender } from '../support/rounds.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, rows: { type: 'string', default: '20000' } } });
const rounds = Number(args.rounds);
const rowsPerRound = Number(args.rows);

const dir = mkdtempSync(join(tmpdir(), 'mlmon-bench-forest-'));
try {
  const meta = await trainModel({ registryDir: dir });
  const raw = JSON.parse(readFileSync(join(dir, DEFAULT_MODEL, meta.version, 'model.json'), 'utf8')) as SerializedForest;
  const compiled = compileForest(raw, IRIS_CLASSES.length);
  const library = RandomForestClassifier.load(raw as never);
  const rows = irisRows().map((r) => r.features);
  // Kept so the work cannot be optimised away.
  let sink = 0;
  const contenders: Contender[] = [
    {
      name: 'compiled',
      run(n) {
        for (let i = 0; i < n; i++) sink += compiled.predict([rows[i % rows.length]!])[0]!.classIndex;
      },
    },
    {
      name: 'library',
      run(n) {
        for (let i = 0; i < n; i++) sink += library.predict([rows[i % rows.length]!])[0]!;
      },
    },
  ];
  const results = alternateRounds(contenders, { rounds, iterations: rowsPerRound });
  const ours = results.get('compiled')!;
  const theirs = results.get('library')!;
  process.stdout.write(
    `one row of ${raw.baseModel.estimators.length} trees, ${rowsPerRound.toLocaleString('en')} rows a round, ${rounds} alternating rounds:\n` +
      `  compiled (typed arrays, the gateway's): ${formatMicros(ours)}\n` +
      `  ml-random-forest predict:               ${formatMicros(theirs)}\n` +
      `  ratio (medians): ${(median(theirs) / median(ours)).toFixed(1)}x  (checksum ${sink})\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
