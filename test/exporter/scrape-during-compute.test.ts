import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { startExporter } from '../../src/exporter/index.js';
import { NO_WINDOWS, saveCheckpoint } from '../../src/exporter/checkpoint.js';
import { versionKey } from '../../src/exporter/catalog.js';
import { emptyState } from '../../src/exporter/state.js';
import { PredictionWindow } from '../../src/exporter/window.js';
import { freePort } from '../../src/net.js';
import { stackPaths } from '../../src/definition/index.js';
import { seededRandom } from '../../src/model/random.js';
import { sampleValue, syntheticMetadata, tempDataDir, writeRegistry } from './fixtures.js';

const MODELS = 12;
const FEATURES = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'a' : `f${i}`));
const WINDOW = 10_000;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timedScrape(url: string): Promise<{ ms: number; text: string }> {
  const t = performance.now();
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  return { ms: performance.now() - t, text };
}

test('a scrape during a compute round over a large catalog is as fast as an idle one', async () => {
  const dataDir = tempDataDir('scrape');
  dirs.push(dataDir);
  // Full windows of 10,000 predictions for 12 models of 20 features, restored from a
  // checkpoint (filling them through the spool would be most of the test's time).
  const now = Date.now();
  const state = emptyState();
  state.lastEventTs = now;
  const random = seededRandom(5);
  for (let m = 0; m < MODELS; m++) {
    const md = syntheticMetadata(`model${m}`, 'v1', FEATURES);
    writeRegistry(dataDir, md);
    const w = new PredictionWindow(md.model, 'v1', md.features, WINDOW);
    const row = new Float64Array(FEATURES.length);
    for (let i = 0; i < WINDOW; i++) {
      row[0] = random() * 10;
      for (let k = 1; k < row.length; k++) row[k] = 100 * k + random() * 100;
      w.push(row, i % 3, now);
    }
    state.windows.set(versionKey(md.model, 'v1'), w);
  }
  await saveCheckpoint(stackPaths(dataDir).exporterStateDir, state, now, NO_WINDOWS, true);

  const exporter = await startExporter({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir,
    logger: pino({ level: 'silent' }),
    windowSize: WINDOW,
    pollIntervalMs: 60_000,
    computeIntervalMs: 60_000,
    checkpointIntervalMs: 60_000,
  });
  try {
    const first = await timedScrape(exporter.url);
    assert.equal(sampleValue(first.text, 'ml_drift_window_samples', { model: 'model0', version: 'v1' }), WINDOW, 'the windows are full');

    // Idle: no round running.
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) idle.push((await timedScrape(exporter.url)).ms);

    // During: rounds back to back, scraping all the while.
    const during: number[] = [];
    let computing = true;
    const rounds = (async () => {
      for (let r = 0; r < 3 || during.length < 40; r++) await exporter.refresh();
      computing = false;
    })();
    while (computing) {
      const s = await timedScrape(exporter.url);
      if (computing) during.push(s.ms);
    }
    await rounds;
    const last = (await timedScrape(exporter.url)).text;
    const roundSeconds =
      sampleValue(last, 'ml_exporter_compute_duration_seconds_sum')! / sampleValue(last, 'ml_exporter_compute_duration_seconds_count')!;

    const ratio = median(during) / median(idle);
    // The test can tell: a round lasts many idle scrapes, so a scrape that had to wait for any part of it would show.
    assert.ok(roundSeconds * 1000 > 10 * median(idle), `a round (${(roundSeconds * 1000).toFixed(0)} ms) is long against an idle scrape`);
    assert.ok(
      ratio < 4,
      `scrape during compute: median ${median(during).toFixed(2)} ms (n=${during.length}); idle: median ${median(idle).toFixed(2)} ms; ratio ${ratio.toFixed(2)}`,
    );
  } finally {
    await exporter.close();
  }
});
