/** Known data for the console's tests and benchmark: a spec of several
 * services, SLO and model series backfilled into a real Prometheus with
 * `promtool tsdb create-blocks-from openmetrics`, and a real Alertmanager. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, type ConsoleServer } from '../../src/console/index.js';
import { freePort, freePorts, waitForHttp } from '../../src/net.js';
import { startNotificationSink, type NotificationSink } from '../../src/sink/index.js';
import { parseSloSpec } from '../../src/slo/index.js';
import { renderSloRuleFiles } from '../../src/slo/index.js';

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** value at unix time t (seconds). */
  value: (t: number) => number;
}

export const STEP_SECONDS = 60;

/** OpenMetrics text of `series` sampled every STEP_SECONDS over [from, to]. */
export function openMetrics(series: readonly Series[], from: number, to: number, step = STEP_SECONDS): string {
  const out: string[] = [];
  const byName = new Map<string, Series[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [, group] of byName) {
    for (const s of group) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      const id = labels ? `${s.name}{${labels}}` : s.name;
      for (let t = from; t <= to; t += step) out.push(`${id} ${s.value(t)} ${t}`);
    }
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}

export function backfill(dir: string, text: string): void {
  const file = join(dir, 'backfill.om');
  writeFileSync(file, text);
  const tsdb = join(dir, 'prometheus');
  mkdirSync(tsdb, { recursive: true });
  // 24h blocks: fewer blocks load faster than the default 2h ones.
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', file, tsdb], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`promtool backfill failed: ${r.stderr}`);
}

export interface Proc {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.pid === undefined) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid, 'SIGTERM');
      setTimeout(() => {
        if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, 5000).unref();
    });
}

async function started(name: string, child: ChildProcess, url: string, ready: string, logs: string[]): Promise<Proc> {
  const stop = stopper(child);
  const ok = await waitForHttp(url + ready, 60_000);
  if (!ok.ok) {
    await stop();
    throw new Error(`${name} did not become ready (${ok.detail}):\n${logs.join('').slice(-2000)}`);
  }
  return { url, child, stop };
}

/** A real Prometheus over the backfilled TSDB in `dir`, with no scrape jobs. */
export async function startPrometheus(dir: string, ruleFiles: string[] = []): Promise<Proc> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  evaluation_interval: 1h\nrule_files:\n${ruleFiles.map((f) => `  - ${JSON.stringify(f)}\n`).join('') || '  []\n'}`,
  );
  const logs: string[] = [];
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=90d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => logs.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => logs.push(b.toString()));
  return started('prometheus', child, `http://127.0.0.1:${port}`, '/-/ready', logs);
}

/** A real Alertmanager (no cluster) that routes to nowhere and inhibits warnings under a critical of the same service. */
export async function startAlertmanager(dir: string): Promise<Proc> {
  const port = await freePort();
  const amDir = join(dir, 'alertmanager');
  mkdirSync(amDir, { recursive: true });
  const config = join(amDir, 'alertmanager.yml');
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: nowhere',
      '  group_by: [alertname, service]',
      'receivers:',
      '  - name: nowhere',
      'inhibit_rules:',
      '  - source_matchers: [severity="critical"]',
      '    target_matchers: [severity="warning"]',
      '    equal: [service]',
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  const child = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${config}`,
      `--storage.path=${amDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => logs.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => logs.push(b.toString()));
  return started('alertmanager', child, `http://127.0.0.1:${port}`, '/-/ready', logs);
}

export async function postAlerts(
  amUrl: string,
  alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string> }>,
): Promise<void> {
  const now = new Date();
  const body = alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: new Date(now.getTime() - 60_000).toISOString(),
    endsAt: new Date(now.getTime() + 3600_000).toISOString(),
  }));
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`posting alerts failed: HTTP ${res.status} ${await res.text()}`);
}

export async function promQuery(
  url: string,
  query: string,
  time: number,
): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(time) }) });
  const body = (await res.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`query failed: ${query}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

// ---- the known world -------------------------------------------------------

/** The spec of the tests: three services, four SLOs, one of them without data. */
export const TEST_SPEC = `version: mlmon/v1
services:
  - name: checkout
    slos:
      - name: availability
        description: Checkout requests without server errors.
        objective: 99.9
        period: 30d
        sli:
          events:
            bad: http_requests_total{job="checkout", status=~"5.."}
            total: http_requests_total{job="checkout"}
  - name: inference-gateway
    slos:
      - name: availability
        description: Prediction requests that do not fail with a server error.
        objective: 99.5
        period: 30d
        sli:
          events:
            bad: http_requests_total{job="inference-gateway", route="/predict", status=~"5.."}
            total: http_requests_total{job="inference-gateway", route="/predict"}
      - name: latency
        description: Prediction requests answered within 300 ms.
        objective: 99
        period: 7d
        sli:
          latency:
            histogram: http_request_duration_seconds{job="inference-gateway", route="/predict"}
            threshold: 0.3
            buckets: [0.1, 0.3, 1]
  - name: search
    slos:
      - name: availability
        description: Search requests without server errors (no traffic yet).
        objective: 99
        period: 30d
        sli:
          events:
            bad: http_requests_total{job="search", status=~"5.."}
            total: http_requests_total{job="search"}
`;

/** Burn-rate windows of a 30d and of a 7d SLO (production profile). */
const WINDOWS_30D = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const WINDOWS_7D = ['1m10s', '7m', '14m', '28m', '1h24m', '5h36m', '16h48m'];

interface SloData {
  service: string;
  slo: string;
  kind: 'availability' | 'latency';
  period: string;
  tile: string;
  ratio: number;
  budget: number;
  burn: Record<string, number>;
}

/** Values fixed over time, so any query time gives the same answer. */
export const KNOWN_SLOS: SloData[] = [
  {
    service: 'checkout',
    slo: 'availability',
    kind: 'availability',
    period: '30d',
    tile: '5m',
    ratio: 0.9995,
    budget: 0.5,
    burn: Object.fromEntries(WINDOWS_30D.map((w) => [w, w === '5m' ? 30 : w === '1h' ? 20 : 4])),
  },
  {
    service: 'inference-gateway',
    slo: 'availability',
    kind: 'availability',
    period: '30d',
    tile: '5m',
    ratio: 0.997,
    budget: 0.4,
    burn: Object.fromEntries(WINDOWS_30D.map((w) => [w, w === '1h' ? 2 : w === '1d' ? 3.5 : w === '2h' ? 3.2 : 1.5])),
  },
  {
    service: 'inference-gateway',
    slo: 'latency',
    kind: 'latency',
    period: '7d',
    tile: '1m10s',
    ratio: 0.995,
    budget: 0.5,
    burn: Object.fromEntries(WINDOWS_7D.map((w) => [w, 0.5])),
  },
];

export const KNOWN_ALERTS = [
  {
    alertname: 'SLOAvailabilityFastBurn',
    severity: 'critical',
    service: 'checkout',
    slo: 'availability',
    long_window: '1h',
    short_window: '5m',
  },
  {
    alertname: 'SLOAvailabilitySlowBurn',
    severity: 'warning',
    service: 'inference-gateway',
    slo: 'availability',
    long_window: '1d',
    short_window: '2h',
  },
];

export const IRIS = {
  features: ['petal_length', 'petal_width', 'sepal_length', 'sepal_width'],
  psi: { petal_length: 0.4, petal_width: 0.15, sepal_length: 0.02, sepal_width: 0.05 } as Record<string, number>,
  classRates: { setosa: 1, versicolor: 2, virginica: 1 } as Record<string, number>,
  trainingMix: { setosa: 0.34, versicolor: 0.33, virginica: 0.33 } as Record<string, number>,
};

/** Every series of the known world. `end` is when the firing alerts stop. */
export function knownSeries(now: number): Series[] {
  const out: Series[] = [];
  for (const s of KNOWN_SLOS) {
    const l = { service: s.service, slo: s.slo };
    out.push({ name: `slo:${s.kind}:ratio_rate${s.period}`, labels: l, value: () => s.ratio });
    out.push({ name: `slo:${s.kind}:ratio_rate${s.tile}`, labels: l, value: (t) => s.ratio - 0.001 * Math.sin(t / 3600) });
    out.push({ name: `slo:${s.kind}:error_budget_remaining`, labels: l, value: () => s.budget });
    for (const [w, v] of Object.entries(s.burn)) out.push({ name: `slo:${s.kind}:burn_rate:${w}`, labels: l, value: () => v });
  }
  // Checkout's counts began 26 hours ago (a young stack: "budget over the first
  // 1d 2h of 30d"), and were recorded every 10 minutes, not every 5-minute tile
  // (Prometheus missed about every other tile: the page marks the gaps).
  const checkout = { service: 'checkout', slo: 'availability' };
  out.push({ name: 'slo:availability:counted_since:timestamp_seconds', labels: checkout, value: () => now - 26 * 3600 });
  out.push({
    name: 'slo:availability:total_events:counted',
    labels: checkout,
    value: (t) => (t >= now - 26 * 3600 && t % 600 === 0 ? t - (now - 26 * 3600) : NaN),
  });
  // Firing for the last 3 hours (and on into the future the test might query).
  for (const a of KNOWN_ALERTS) {
    out.push({ name: 'ALERTS', labels: { ...a, alertstate: 'firing', category: 'slo' }, value: (t) => (t >= now - 3 * 3600 ? 1 : NaN) });
  }
  const iris = { model: 'iris' };
  const v2 = { ...iris, version: 'v2' };
  out.push({ name: 'ml_model_info', labels: { ...v2, type: 'classification' }, value: () => 1 });
  // A canary v3 beside it: a small window, no drift yet.
  out.push({ name: 'ml_model_info', labels: { ...iris, version: 'v3', type: 'classification' }, value: () => 1 });
  out.push({ name: 'ml_drift_window_samples', labels: { ...iris, version: 'v3' }, value: () => 40 });
  out.push({
    name: 'ml_feature_drift_score',
    labels: { ...iris, version: 'v3', feature: 'petal_length', method: 'psi' },
    value: () => 0.05,
  });
  out.push({ name: 'ml_model_last_trained_timestamp_seconds', labels: { ...iris, version: 'v2' }, value: () => now - 2 * 86400 });
  out.push({ name: 'ml_model_reference_accuracy', labels: { ...iris, version: 'v2' }, value: () => 0.95 });
  for (const [w, a] of [
    ['1h', 0.9],
    ['1d', 0.93],
  ] as const) {
    out.push({ name: 'ml_model_accuracy', labels: { ...iris, version: 'v2', window: w }, value: () => a });
    out.push({ name: 'ml_model_quality_samples', labels: { ...iris, version: 'v2', window: w }, value: () => 500 });
  }
  for (const f of IRIS.features) {
    out.push({ name: 'ml_feature_drift_score', labels: { ...v2, feature: f, method: 'psi' }, value: () => IRIS.psi[f]! });
    out.push({ name: 'ml_feature_drift_score', labels: { ...v2, feature: f, method: 'ks' }, value: () => IRIS.psi[f]! / 2 });
    out.push({
      name: 'ml_feature_drift_p_value',
      labels: { ...v2, feature: f, method: 'ks' },
      value: () => (IRIS.psi[f]! > 0.1 ? 0.001 : 0.6),
    });
  }
  out.push({ name: 'ml_dataset_drift_share', labels: v2, value: () => 0.25 });
  out.push({ name: 'ml_prediction_drift_score', labels: { ...v2, method: 'psi' }, value: () => 0.08 });
  out.push({ name: 'ml_drift_window_samples', labels: v2, value: () => 1000 });
  out.push({ name: 'ml_ground_truth_pending', labels: iris, value: () => 42 });
  for (const [cls, rate] of Object.entries(IRIS.classRates)) {
    out.push({
      name: 'ml_predictions_total',
      labels: { ...iris, version: 'v2', class: cls },
      value: (t) => rate * (t - (now - 3 * 86400)),
    });
  }
  // Label delay: every label arrives between 30 s and 60 s.
  for (const le of ['10', '30', '60', '300', '+Inf']) {
    out.push({
      name: 'ml_ground_truth_delay_seconds_bucket',
      labels: { ...iris, le },
      value: (t) => (le === '10' || le === '30' ? 0 : t - (now - 3 * 86400)),
    });
  }
  for (const [method, level, v] of [
    ['psi', 'moderate', 0.1],
    ['psi', 'major', 0.25],
    ['ks', 'p_value', 0.05],
  ] as const) {
    out.push({ name: 'ml_drift_threshold', labels: { ...iris, method, level }, value: () => v });
  }
  for (const [threshold, v] of [
    ['min_window_samples', 200],
    ['accuracy_drop', 0.05],
    ['min_quality_samples', 100],
  ] as const) {
    out.push({ name: 'ml_alert_threshold', labels: { ...iris, threshold }, value: () => v });
  }
  out.push({ name: 'ml_exporter_last_compute_timestamp_seconds', labels: {}, value: (t) => t - 5 });
  return out;
}

/** OpenMetrics cannot carry "absent": drop NaN samples (ALERTS before it fired). */
export function knownWorldText(now: number, from: number, to: number): string {
  return openMetrics(knownSeries(now), from, to)
    .split('\n')
    .filter((l) => !/ NaN \d+$/.test(l))
    .join('\n');
}

// ---- the whole known world, running --------------------------------------

export interface KnownWorld {
  dir: string;
  configDir: string;
  /** The evaluation time every API answer is computed at. */
  now: number;
  prometheus: Proc;
  alertmanager: Proc;
  sink: NotificationSink;
  console: ConsoleServer;
  stop(): Promise<void>;
}

/** Backfills the known world, starts Prometheus (with the spec's generated
 * rules loaded), Alertmanager, the notification sink and a console on free ports. */
export async function startKnownWorld(opts: { consoleNow?: boolean } = {}): Promise<KnownWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-console-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'slos.yaml'), TEST_SPEC);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const rendered = renderSloRuleFiles(parseSloSpec(TEST_SPEC, 'slos.yaml'), { profile: 'production' });
  // The catalog the console reads, beside the rule files as `mlmon generate` writes it.
  mkdirSync(join(configDir, 'prometheus'));
  for (const f of rendered) writeFileSync(join(configDir, 'prometheus', f.file), f.content);
  const ruleFiles = rendered
    .filter((f) => f.file.endsWith('.yml'))
    .map((f) => {
      const path = join(rulesDir, f.file);
      writeFileSync(path, f.content);
      return path;
    });
  const now = Math.floor(Date.now() / 1000 / STEP_SECONDS) * STEP_SECONDS;
  // The registry entry the console reads the training class mix from (the rest of the metadata is not read).
  const version = join(dir, 'data', 'registry', 'iris', 'v2');
  mkdirSync(version, { recursive: true });
  writeFileSync(
    join(version, 'metadata.json'),
    JSON.stringify({ model: 'iris', version: 'v2', reference: { class_mix: IRIS.trainingMix } }),
  );
  backfill(dir, knownWorldText(now, now - 26 * 3600, now + 3 * 3600));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const prometheus = await startPrometheus(dir, ruleFiles);
    stops.push(prometheus.stop);
    const alertmanager = await startAlertmanager(dir);
    stops.push(alertmanager.stop);
    const [httpPort, smtpPort] = await freePorts(2);
    const sink = await startNotificationSink({ host: '127.0.0.1', httpPort: httpPort!, smtpPort: smtpPort!, dataDir: join(dir, 'data') });
    stops.push(() => sink.close());
    const console = await startConsole({
      host: '127.0.0.1',
      port: 0,
      prometheusUrl: prometheus.url,
      alertmanagerUrl: alertmanager.url,
      sinkUrl: sink.httpUrl,
      configDir,
      dataDir: join(dir, 'data'),
      ...(opts.consoleNow === false ? {} : { now: () => now }),
    });
    stops.push(() => console.close());
    return { dir, configDir, now, prometheus, alertmanager, sink, console, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
