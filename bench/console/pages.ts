/** Benchmark: the console's pages with 100 SLOs and 20 models of synthetic
 * backfilled data in a real Prometheus, loaded in headless Chromium.
 * For the SLO list and detail and the model list and detail pages it prints
 * first contentful paint, fully rendered (the page's own `mlmon:rendered`
 * mark), and the number and total time of Prometheus queries per page load
 * (as counted by the console's API), median over the runs after a warm-up.
 *
 *   npm run build && node dist/bench/console/pages.js [--runs 7] [--features 20]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLIC_DIR, SCRIPTS_DIR } from '../../src/console/assets.js';
import { startConsole, type ConsoleServer } from '../../src/console/index.js';
import { fromRepo } from '../../src/paths.js';
import { launchBrowser } from '../../test/console/browser.js';
import { backfill, openMetrics, startPrometheus, type Proc, type Series } from '../../test/console/fixtures.js';
import { parseSloSpec, renderSloRuleFiles, writeRuleFiles } from '../../src/slo/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const RUNS = arg('runs', 7);
const SERVICES = 50; // × 2 SLOs each = 100 SLOs
const MODELS = 20;
const FEATURES = arg('features', 20);
const STEP = 300;

const W30 = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const W7 = ['1m10s', '7m', '14m', '28m', '1h24m', '5h36m', '16h48m'];

function spec(): string {
  const lines = ['version: mlmon/v1', 'services:'];
  for (let i = 0; i < SERVICES; i++) {
    const svc = `svc-${String(i).padStart(3, '0')}`;
    lines.push(
      `  - name: ${svc}`,
      '    slos:',
      '      - name: availability',
      '        objective: 99.5',
      '        period: 30d',
      '        sli:',
      '          events:',
      `            bad: http_requests_total{job="${svc}", status=~"5.."}`,
      `            total: http_requests_total{job="${svc}"}`,
      '      - name: latency',
      '        objective: 99',
      '        period: 7d',
      '        sli:',
      '          latency:',
      `            histogram: http_request_duration_seconds{job="${svc}"}`,
      '            threshold: 0.3',
      '            buckets: [0.1, 0.3, 1]',
    );
  }
  return lines.join('\n') + '\n';
}

function series(now: number): Series[] {
  const out: Series[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const service = `svc-${String(i).padStart(3, '0')}`;
    for (const [kind, slo, period, tile, windows] of [
      ['availability', 'availability', '30d', '5m', W30],
      ['latency', 'latency', '7d', '1m10s', W7],
    ] as const) {
      const l = { service, slo };
      const wobble = (t: number) => 0.001 * Math.sin(t / 3600 + i);
      out.push({ name: `slo:${kind}:ratio_rate${period}`, labels: l, value: (t) => 0.997 + wobble(t) / 10 });
      out.push({ name: `slo:${kind}:ratio_rate${tile}`, labels: l, value: (t) => 0.997 + wobble(t) });
      out.push({ name: `slo:${kind}:error_budget_remaining`, labels: l, value: (t) => 0.6 - (t - now) / (40 * 86400) });
      for (const [j, w] of windows.entries())
        out.push({ name: `slo:${kind}:burn_rate:${w}`, labels: l, value: (t) => 0.5 + j * 0.1 + wobble(t) * 100 });
    }
  }
  for (let m = 0; m < MODELS; m++) {
    const model = `model-${String(m).padStart(2, '0')}`;
    out.push({ name: 'ml_model_info', labels: { model, version: 'v1' }, value: () => 1 });
    out.push({ name: 'ml_model_last_trained_timestamp_seconds', labels: { model, version: 'v1' }, value: () => now - 86400 * (m + 1) });
    out.push({ name: 'ml_model_reference_accuracy', labels: { model, version: 'v1' }, value: () => 0.95 });
    for (const w of ['1h', '1d'])
      out.push({ name: 'ml_model_accuracy', labels: { model, version: 'v1', window: w }, value: (t) => 0.93 + 0.01 * Math.sin(t / 7200) });
    out.push({ name: 'ml_dataset_drift_share', labels: { model }, value: () => (m % 5) / 10 });
    out.push({ name: 'ml_prediction_drift_score', labels: { model, method: 'psi' }, value: () => 0.05 });
    out.push({ name: 'ml_drift_window_samples', labels: { model }, value: () => 1000 });
    for (let f = 0; f < FEATURES; f++) {
      const feature = `f${String(f).padStart(2, '0')}`;
      out.push({
        name: 'ml_feature_drift_score',
        labels: { model, feature, method: 'psi' },
        value: (t) => 0.05 + 0.3 * Math.abs(Math.sin(t / 20000 + f)),
      });
      out.push({ name: 'ml_feature_drift_score', labels: { model, feature, method: 'ks' }, value: () => 0.05 });
      out.push({ name: 'ml_feature_drift_p_value', labels: { model, feature, method: 'ks' }, value: () => 0.3 });
    }
    for (const cls of ['a', 'b', 'c'])
      out.push({ name: 'ml_predictions_total', labels: { model, version: 'v1', class: cls }, value: (t) => t - now + 86400 * 2 });
  }
  return out;
}

interface Sample {
  fcp: number;
  rendered: number;
  queries: number;
  queryMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-bench-console-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'slos.yaml'), spec());
  // The console reads the catalog `mlmon generate` writes beside the rule files.
  writeRuleFiles(join(configDir, 'prometheus'), renderSloRuleFiles(parseSloSpec(spec(), 'slos.yaml'), { profile: 'production' }));
  const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
  let prom: Proc | undefined;
  let server: ConsoleServer | undefined;
  const browser = await launchBrowser();
  try {
    const all = series(now);
    const t0 = performance.now();
    backfill(dir, openMetrics(all, now - 26 * 3600, now + 2 * 3600, STEP));
    process.stdout.write(`backfilled ${all.length} series (26h at ${STEP}s) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    prom = await startPrometheus(dir);
    server = await startConsole({
      host: '127.0.0.1',
      port: 0,
      prometheusUrl: prom.url,
      alertmanagerUrl: prom.url,
      configDir,
      now: () => now,
    });
    const pages = [
      ['SLO list (100 SLOs)', '/slos'],
      ['SLO detail (1d)', '/slos/svc-007/availability?range=1d'],
      ['SLO detail (30d)', '/slos/svc-007/availability?range=30d'],
      ['model list (20 models)', '/models'],
      ['model detail (1d)', '/models/model-03?range=1d'],
    ] as const;
    const rows: string[] = [];
    for (const [label, path] of pages) {
      const samples: Sample[] = [];
      for (let run = 0; run <= RUNS; run++) {
        const page = await browser.context.newPage();
        const apiResponse = page.waitForResponse((r) => r.url().includes('/api/'));
        await page.goto(server.url + path);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        const body = (await (await apiResponse).json()) as { upstream: { prometheus: { count: number; totalMs: number } } };
        const t = await page.evaluate(() => ({
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
          rendered: performance.getEntriesByName('mlmon:rendered')[0]?.startTime ?? NaN,
        }));
        await page.close();
        if (run > 0) samples.push({ ...t, queries: body.upstream.prometheus.count, queryMs: body.upstream.prometheus.totalMs });
      }
      rows.push(
        `${label.padEnd(24)} ${median(samples.map((s) => s.fcp))
          .toFixed(0)
          .padStart(8)} ${median(samples.map((s) => s.rendered))
          .toFixed(0)
          .padStart(10)} ${String(median(samples.map((s) => s.queries))).padStart(9)} ${median(samples.map((s) => s.queryMs))
          .toFixed(1)
          .padStart(12)}`,
      );
    }
    const bytes = (f: string) => readFileSync(f).length;
    // What the browser downloads: the stylesheet and the compiled page scripts the console serves.
    const ours =
      bytes(join(PUBLIC_DIR, 'console.css')) + ['console.js', 'slos.js', 'slo.js'].reduce((a, f) => a + bytes(join(SCRIPTS_DIR, f)), 0);
    const uplot = bytes(fromRepo('node_modules/uplot/dist/uPlot.iife.min.js')) + bytes(fromRepo('node_modules/uplot/dist/uPlot.min.css'));
    process.stdout.write(
      `\nmedian of ${RUNS} loads after a warm-up; times in ms from navigation start; Prometheus time is the sum of the page's query round trips\n` +
        `${'page'.padEnd(24)} ${'1st paint'.padStart(8)} ${'rendered'.padStart(10)} ${'queries'.padStart(9)} ${'query ms'.padStart(12)}\n` +
        rows.join('\n') +
        `\n\nassets (uncompressed): console ${(ours / 1024).toFixed(1)} KiB for the SLO pages + uPlot ${(uplot / 1024).toFixed(1)} KiB on chart pages only\n`,
    );
  } finally {
    await browser.close();
    await server?.close();
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
