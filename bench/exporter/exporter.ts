// Benchmark of the ML model exporter in this process: scrape time and memory with
// 20 models × 50 mixed features (40 numeric, 10 categorical), and drift/quality
// compute time for 10,000-event windows, measured on computeSnapshot: the code the
// engine thread runs. bench/exporter/fleet.ts measures the exporter as the stack
// runs it, at 20 and 200 models.
// Run: npm run build && node --expose-gc dist/bench/exporter/exporter.js
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openEventWriter } from '../../src/events/index.js';
import { startExporter } from '../../src/exporter/index.js';
import { catalogModel, catalogOf } from '../../src/exporter/catalog.js';
import { computeSnapshot } from '../../src/exporter/compute.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { tunedConfig } from '../../src/exporter/tuning.js';
import { ExporterMetrics, projectMetrics } from '../../src/exporter/metrics.js';
import { emptyHistogram } from '../../src/metrics/index.js';
import { COMPUTE_DURATION_BUCKETS } from '../../src/exporter/conventions.js';
import { applyEvents, emptyState } from '../../src/exporter/state.js';
import type { ModelMetadata } from '../../src/model/index.js';
import { freePort } from '../../src/net.js';
import { stackPaths } from '../../src/definition/index.js';
import { seededRandom } from '../../src/model/random.js';

const MODELS = 20;
const FEATURES = 50;
const REFERENCE_ROWS = 1000;
const CLASSES = ['a', 'b', 'c'];
const CATEGORIES = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'];
/** Every fifth feature is categorical: 40 numeric and 10 categorical of 50. */
const isCategorical = (k: number): boolean => k % 5 === 4;

const random = seededRandom(7);
const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function metadata(model: string): ModelMetadata {
  const features = Array.from({ length: FEATURES }, (_, i) => `f${String(i).padStart(2, '0')}`);
  const ref: ModelMetadata['reference']['features'] = {};
  for (const [k, f] of features.entries()) {
    if (isCategorical(k)) {
      ref[f] = {
        type: 'categorical',
        count: REFERENCE_ROWS,
        categories: Object.fromEntries(CATEGORIES.map((c) => [c, 1 / CATEGORIES.length])),
      };
      continue;
    }
    const values = Array.from({ length: REFERENCE_ROWS }, normal).sort((x, y) => x - y);
    const edges = Array.from(
      { length: 11 },
      (_, i) => values[Math.min(values.length - 1, Math.round((i / 10) * (values.length - 1)))] as number,
    );
    ref[f] = {
      count: values.length,
      min: values[0] as number,
      max: values.at(-1) as number,
      mean: 0,
      std: 1,
      bin_edges: edges,
      bin_proportions: new Array(10).fill(0.1),
      values,
    };
  }
  return {
    model,
    version: 'v1',
    trained_at: new Date().toISOString(),
    trained_at_unix: Math.floor(Date.now() / 1000),
    seed: 7,
    training_data: { source: 'synthetic', fingerprint: 'sha256:0', rows: REFERENCE_ROWS, heldout_rows: 0 },
    features,
    classes: CLASSES,
    heldout_accuracy: 0.9,
    reference: { features: ref, class_mix: { a: 1 / 3, b: 1 / 3, c: 1 / 3 } },
  };
}

function predictionEvent(model: string, features: readonly string[], i: number, ts: number) {
  return {
    type: 'prediction' as const,
    id: `${model}-${i}`,
    ts,
    model,
    version: 'v1',
    features: Object.fromEntries(
      features.map((f, k) => [f, isCategorical(k) ? (CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string) : normal()]),
    ),
    prediction: CLASSES[i % 3] as string,
    confidence: 0.9,
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number).toFixed(2);
  return `mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms (n=${s.length})`;
}
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;
/** Collect twice across a turn of the event loop: typed arrays are released after finalisation. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-exporter-'));
try {
  const paths = stackPaths(dataDir);
  const metas = Array.from({ length: MODELS }, (_, m) => metadata(`model${String(m).padStart(2, '0')}`));
  for (const md of metas) {
    mkdirSync(join(paths.registryDir, md.model, 'v1'), { recursive: true });
    writeFileSync(join(paths.registryDir, md.model, 'v1', 'metadata.json'), JSON.stringify(md));
    writeFileSync(join(paths.registryDir, md.model, 'CURRENT'), 'v1\n');
  }

  await pureFigures(metas);

  // 2. Scrape time and memory of the running exporter (default window of 1,000 per model).
  const now = Date.now();
  const writer = await openEventWriter({ dir: paths.eventsDir, maxBufferedBytes: 512 * 1048576 });
  for (const md of metas) for (let i = 0; i < 1000; i++) writer.append(predictionEvent(md.model, md.features, i, now));
  await writer.close();
  await settle();
  const before = process.memoryUsage();
  const exporter = await startExporter({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir,
    logger: pino({ level: 'silent' }),
    pollIntervalMs: 3_600_000,
    computeIntervalMs: 3_600_000,
    checkpointIntervalMs: 3_600_000,
  });
  await exporter.refresh();
  await settle();
  const after = process.memoryUsage();
  const body = await (await fetch(`${exporter.url}/metrics`)).text();
  let t: number;
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  const scrapes: number[] = [];
  for (let i = 0; i < 50; i++) {
    t = performance.now();
    const res = await fetch(`${exporter.url}/metrics`);
    await res.text();
    scrapes.push(performance.now() - t);
  }
  console.log(
    `scrape (cached text, over HTTP), ${MODELS} models × ${FEATURES} features: ${series} series, ${(body.length / 1024).toFixed(0)} KiB; ${stats(scrapes)}`,
  );
  // The windows live in the exporter's engine thread: only the process's RSS sees them.
  console.log(
    `memory with ${MODELS} models × ${FEATURES} features and full 1,000-event windows: process RSS +${mib(after.rss - before.rss)} ` +
      `(rss ${mib(after.rss)})${gc ? '' : ' [run with --expose-gc for stable figures]'}`,
  );
  t = performance.now();
  await exporter.close();
  console.log(`shutdown with checkpoint: ${(performance.now() - t).toFixed(0)} ms`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

/** Ingest and compute without I/O; in a function so its memory is free before the exporter is measured. */
async function pureFigures(metas: ModelMetadata[]): Promise<void> {
  let t: number;
  // 1. Compute time, pure: 10,000-event windows.
  const catalog = catalogOf(metas.map((md) => catalogModel(md, ['v1'])));
  const config = tunedConfig({ ...DEFAULT_EXPORTER_CONFIG, windowSize: 10_000, pendingMax: 1_000_000 });
  const state = emptyState();
  const now = Date.now();
  const events = metas.flatMap((md) => Array.from({ length: 10_000 }, (_, i) => predictionEvent(md.model, md.features, i, now)));
  t = performance.now();
  applyEvents(state, events, catalog, config);
  const ingestMs = performance.now() - t;
  console.log(
    `ingest: ${events.length} prediction events × ${FEATURES} features in ${ingestMs.toFixed(0)} ms = ${Math.round(events.length / (ingestMs / 1000))} events/s`,
  );

  const oneModel = catalogOf([catalogModel(metas[0]!, ['v1'])]);
  const one: number[] = [];
  for (let r = 0; r < 5; r++) {
    t = performance.now();
    computeSnapshot(state, oneModel, config, now);
    one.push(performance.now() - t);
  }
  console.log(`compute, 1 model × ${FEATURES} features, 10,000-event window: ${stats(one)}`);
  const all: number[] = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    computeSnapshot(state, catalog, config, now);
    all.push(performance.now() - t);
  }
  console.log(`compute, ${MODELS} models × ${FEATURES} features, 10,000-event windows: ${stats(all)}`);
  events.length = 0;

  // The same at the default window of 1,000 predictions per model.
  const small = emptyState();
  const defaults = tunedConfig(DEFAULT_EXPORTER_CONFIG);
  applyEvents(
    small,
    metas.flatMap((md) => Array.from({ length: 1000 }, (_, i) => predictionEvent(md.model, md.features, i, now))),
    catalog,
    defaults,
  );
  const dflt: number[] = [];
  for (let r = 0; r < 5; r++) {
    t = performance.now();
    computeSnapshot(small, catalog, defaults, now);
    dflt.push(performance.now() - t);
  }
  console.log(`compute, ${MODELS} models × ${FEATURES} features, 1,000-event windows (default): ${stats(dflt)}`);

  // Rendering the exposition text, paid once per change of the values (scrapes in between share it).
  const snapshot = computeSnapshot(small, catalog, defaults, now);
  const self = { computeDuration: emptyHistogram(COMPUTE_DURATION_BUCKETS), lastComputeMs: now, lastCheckpointMs: now, eventLagSeconds: 0 };
  const render: number[] = [];
  for (let r = 0; r < 20; r++) {
    const m = new ExporterMetrics();
    t = performance.now();
    m.publish(projectMetrics(small, catalog, snapshot, defaults, self));
    await m.text();
    render.push(performance.now() - t);
  }
  console.log(`projection + render of /metrics (uncached): ${stats(render)}`);
}
