// The ML model exporter at fleet scale: N models × 50 features (40 numeric, 10
// categorical), windows of 10,000 predictions, the exporter running as its own
// process (`mlmon serve exporter`) as the stack runs it.
//
//   npm run build && node dist/bench/exporter/fleet.js [--models 20,200] [--window 10000]
//       [--seconds 30] [--interval 5s] [--baseline /path/to/other/checkout/bin/mlmon.js]
//       [--no-scipy] [--json out.json]
//
// For each fleet size: fill every window through the ingest API, then
//  1. scrape /metrics back to back for --seconds with no ingest: each scrape is
//     classed as "during compute" when it overlaps a compute round, "idle"
//     otherwise (rounds are read from the exporter's own
//     ml_exporter_last_compute_timestamp_seconds and compute-duration histogram);
//  2. the same while POST /v1/events sends 10,000-event batches: ingest events/s
//     during compute rounds and outside them;
//  3. memory of the exporter process (RSS and PSS from /proc/<pid>/smaps_rollup),
//     series count and size of the exposition;
//  4. the drift statistics of one round computed in this process on the same
//     windows (computeVersionDrift, one thread) side by side with NumPy/SciPy
//     (bench/exporter/drift_scipy.py, Debian's python3-scipy), alternating, and
//     the largest difference between the two.
// With --baseline, steps 1-4 run for that build too, on the same registry and
// events, so before and after are measured in one run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, waitForHttp } from '../../src/net.js';
import { mlmonBin, repoRoot } from '../../src/paths.js';
import { stackPaths } from '../../src/definition/index.js';
import type { ModelMetadata } from '../../src/model/index.js';
import { eventStream, fleetMetadata, isCategorical, modelName, writeFleetRegistry, type IngestItem } from './fleet-data.js';
import { median, quantileOf } from '../support/rounds.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const FLEETS = (flag('models') ?? '20,200').split(',').map(Number);
const FEATURES = Number(flag('features') ?? 50);
const WINDOW = Number(flag('window') ?? 10_000);
const SECONDS = Number(flag('seconds') ?? 30);
const INTERVAL = flag('interval') ?? '5s';
const BASELINE = flag('baseline');
const SCIPY = !process.argv.includes('--no-scipy');
const JSON_OUT = flag('json');
const BATCH = 10_000;

interface Build {
  name: string;
  bin: string;
}
const builds: Build[] = [
  ...(BASELINE ? [{ name: 'before', bin: resolve(BASELINE) }] : []),
  { name: BASELINE ? 'after' : 'this build', bin: mlmonBin },
];

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

interface Timed {
  start: number; // wall ms
  end: number;
  ms: number;
}
interface ScrapeObs extends Timed {
  lastCompute: number; // unix s, start of the last finished round
  sum: number;
  count: number;
  processed: number;
  /** On the wire, and the exposition text itself. */
  bytes: number;
  textBytes: number;
}

const wall = (): number => performance.timeOrigin + performance.now();

/** A kept-alive socket the server has just closed for idleness fails the next request: a scrape is tried again once. */
async function scrape(url: string): Promise<ScrapeObs> {
  try {
    return await scrapeOnce(url);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET' && (e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
    return scrapeOnce(url);
  }
}

function scrapeOnce(url: string): Promise<ScrapeObs> {
  return new Promise((resolveScrape, reject) => {
    const start = wall();
    // As Prometheus asks; the time is to the last byte of the answer, before decompressing it.
    const req = get(`${url}/metrics`, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const end = wall();
        const wire = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
        resolveScrape({ start, end, ms: end - start, bytes: wire.length, textBytes: body.length, ...selfFigures(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function valueOf(body: Buffer, series: string): number {
  const at = body.lastIndexOf(`\n${series} `);
  if (at < 0) return Number.NaN;
  const from = at + series.length + 2;
  return Number(body.toString('latin1', from, body.indexOf(10, from)));
}

function selfFigures(body: Buffer): { lastCompute: number; sum: number; count: number; processed: number } {
  return {
    lastCompute: valueOf(body, 'ml_exporter_last_compute_timestamp_seconds'),
    sum: valueOf(body, 'ml_exporter_compute_duration_seconds_sum'),
    count: valueOf(body, 'ml_exporter_compute_duration_seconds_count'),
    processed: valueOf(body, 'ml_exporter_events_processed_total'),
  };
}

function post(url: string, token: string, body: Buffer, events: number): Promise<Timed & { events: number }> {
  return new Promise((resolvePost, reject) => {
    const start = wall();
    const req = request(
      `${url}/v1/events`,
      {
        method: 'POST',
        // A new connection each time: a POST is not retried, so it never goes out on a socket the server is closing.
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const end = wall();
          if (res.statusCode !== 200) reject(new Error(`POST /v1/events: HTTP ${res.statusCode}`));
          else resolvePost({ start, end, ms: end - start, events });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Compute rounds as wall-clock intervals, from what successive scrapes saw. */
function roundsOf(obs: readonly ScrapeObs[]): { intervals: [number, number][]; durations: number[] } {
  const intervals: [number, number][] = [];
  const durations: number[] = [];
  const seen = [...obs].filter((o) => Number.isFinite(o.count)).sort((a, b) => a.end - b.end);
  for (let i = 1; i < seen.length; i++) {
    const a = seen[i - 1]!;
    const b = seen[i]!;
    const rounds = b.count - a.count;
    if (rounds <= 0) continue;
    const each = ((b.sum - a.sum) / rounds) * 1000;
    const start = b.lastCompute * 1000;
    if (rounds === 1) {
      durations.push(each);
      intervals.push([start, start + each]);
    } else intervals.push([a.end, start + each]); // several rounds between two looks: all of it counts as compute
  }
  return { intervals, durations };
}

function overlaps(t: Timed, intervals: readonly [number, number][]): boolean {
  return intervals.some(([s, e]) => t.start < e && t.end > s);
}

const fmt = (xs: readonly number[], digits = 1): string =>
  xs.length === 0
    ? 'n/a'
    : `p50 ${quantileOf(xs, 0.5).toFixed(digits)} ms, p99 ${quantileOf(xs, 0.99).toFixed(digits)} ms, max ${Math.max(...xs).toFixed(digits)} ms (n=${xs.length})`;

function memoryOf(pid: number): { rssMiB: number; pssMiB: number; hwmMiB: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMiB: kib(rollup, 'Rss') / 1024, pssMiB: kib(rollup, 'Pss') / 1024, hwmMiB: kib(status, 'VmHWM') / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bodyOf(items: IngestItem[]): Buffer {
  return Buffer.from(JSON.stringify({ events: items }));
}

interface Result {
  build: string;
  models: number;
  died?: string;
  fillEventsPerSecond?: number;
  series?: number;
  textMiB?: number;
  wireMiB?: number;
  roundMs?: number[];
  scrapeIdle?: number[];
  scrapeCompute?: number[];
  ingestIdle?: { events: number; ms: number };
  ingestCompute?: { events: number; ms: number };
  scrapeComputeWithIngest?: number[];
  memory?: ReturnType<typeof memoryOf>;
  pureRoundMs?: number[];
}

/** The exporter under test, stopped (by pid) if the bench is interrupted. */
let current: { child: ChildProcess; dataDir: string } | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (current) {
      current.child.kill('SIGKILL');
      rmSync(current.dataDir, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

async function runExporter(build: Build, models: number): Promise<Result> {
  const result: Result = { build: build.name, models };
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-fleet-'));
  let child: ChildProcess | undefined;
  let stderr = '';
  let exited: string | undefined;
  try {
    writeFleetRegistry(stackPaths(dataDir).registryDir, models, FEATURES);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [
        build.bin,
        'serve',
        'exporter',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        '--window',
        String(WINDOW),
        '--interval',
        INTERVAL,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    current = { child, dataDir };
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.once('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
    if (!(await waitForHttp(`${url}/metrics`, 60_000)).ok) throw new Error(`the exporter did not start: ${stderr}`);
    const token = readFileSync(join(stackPaths(dataDir).secretsDir, 'exporter-token'), 'utf8').trim();
    const alive = () => {
      if (exited) throw new Error(`the exporter died (${exited}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    };

    // Fill: every model's window with WINDOW events, 10,000 per request, never
    // more than 300,000 ahead of the consumer (the spool is bounded on disk).
    const streams = Array.from({ length: models }, (_, m) => eventStream(m, FEATURES));
    const total = models * WINDOW;
    const perModel = Math.max(1, Math.floor(BATCH / models));
    let sent = 0;
    const fillStart = performance.now();
    while (sent < total) {
      const items: IngestItem[] = [];
      for (let m = 0; m < models && items.length < BATCH; m++) {
        const take = Math.min(perModel, WINDOW - Math.floor(sent / models));
        for (let k = 0; k < take; k++) items.push(streams[m]!());
      }
      await post(url, token, bodyOf(items), items.length);
      sent += items.length;
      for (;;) {
        alive();
        const o = await scrape(url);
        if (sent - o.processed < 300_000) break;
        await sleep(500);
      }
    }
    let caughtUp = 0;
    for (const deadline = Date.now() + 20 * 60_000; Date.now() < deadline; await sleep(500)) {
      alive();
      const o = await scrape(url);
      if (o.processed >= total) {
        caughtUp = wall();
        break;
      }
    }
    if (!caughtUp) throw new Error('the exporter did not catch up with the fill within 20 minutes');
    result.fillEventsPerSecond = total / ((caughtUp - (performance.timeOrigin + fillStart)) / 1000);
    // A whole round over the full windows before measuring.
    for (;;) {
      alive();
      const o = await scrape(url);
      if (o.lastCompute * 1000 > caughtUp) break;
      await sleep(250);
    }
    const first = await scrape(url);
    const text = (await (await fetch(`${url}/metrics`)).text()).split('\n');
    result.series = text.filter((l) => l !== '' && !l.startsWith('#')).length;
    result.textMiB = first.textBytes / 1048576;
    result.wireMiB = first.bytes / 1048576;

    // 1. Scrapes with no ingest.
    const quiet: ScrapeObs[] = [];
    for (const until = Date.now() + SECONDS * 1000; Date.now() < until; await sleep(10)) {
      alive();
      quiet.push(await scrape(url));
    }
    quiet.push(...(await untilNextRound(url, quiet.at(-1)!)));
    const q = roundsOf(quiet);
    result.roundMs = q.durations;
    const measured = quiet.slice(0, -1);
    result.scrapeIdle = measured.filter((s) => !overlaps(s, q.intervals)).map((s) => s.ms);
    result.scrapeCompute = measured.filter((s) => overlaps(s, q.intervals)).map((s) => s.ms);
    result.memory = memoryOf(child.pid!);

    // 2. The same with ingest running.
    const bodies = Array.from({ length: 4 }, () => {
      const items: IngestItem[] = [];
      while (items.length < BATCH) for (let m = 0; m < models && items.length < BATCH; m++) items.push(streams[m]!());
      return bodyOf(items);
    });
    const posts: (Timed & { events: number })[] = [];
    const busy: ScrapeObs[] = [];
    const until = Date.now() + SECONDS * 1000;
    await Promise.all([
      (async () => {
        for (let i = 0; Date.now() < until; i++) posts.push(await post(url, token, bodies[i % bodies.length]!, BATCH));
      })(),
      (async () => {
        for (; Date.now() < until; await sleep(10)) busy.push(await scrape(url));
      })(),
    ]);
    alive();
    busy.push(...(await untilNextRound(url, busy.at(-1)!)));
    const b = roundsOf(busy);
    const sumOf = (xs: (Timed & { events: number })[]) => ({
      events: xs.reduce((s, x) => s + x.events, 0),
      ms: xs.reduce((s, x) => s + x.ms, 0),
    });
    result.ingestCompute = sumOf(posts.filter((p) => overlaps(p, b.intervals)));
    result.ingestIdle = sumOf(posts.filter((p) => !overlaps(p, b.intervals)));
    result.scrapeComputeWithIngest = busy
      .slice(0, -1)
      .filter((s) => overlaps(s, b.intervals))
      .map((s) => s.ms);
  } catch (e) {
    await sleep(1000);
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    result.died = `${(e as Error).message}${exited ? `; the exporter ended (${exited})` : ''}${tail ? `; its last words: ${tail}` : ''}`;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
    current = undefined;
  }
  return result;
}

/** Scrape until a round finishes after `last`: the round in progress when a phase ended shows up then. */
async function untilNextRound(url: string, last: ScrapeObs): Promise<ScrapeObs[]> {
  const out: ScrapeObs[] = [];
  for (const deadline = Date.now() + 10 * 60_000; Date.now() < deadline; await sleep(100)) {
    const o = await scrape(url);
    out.push(o);
    if (o.count > last.count) break;
  }
  return out;
}

// ---- the statistics of one round, in this process and in NumPy/SciPy ----

interface CatalogApi {
  catalogModel(
    md: ModelMetadata,
    versions: string[],
  ): { loaded: Map<string, { features: readonly ({ type: string; index?: ReadonlyMap<string, number> } | undefined)[] }> };
}
interface ComputeApi {
  computeVersionDrift(
    v: unknown,
    data: unknown,
    thresholds: unknown,
  ): { features: Map<string, { psi: number; statistic: number; pValue: number }>; prediction?: { psi: number } };
}
interface DriftApi {
  DEFAULT_DRIFT_THRESHOLDS: unknown;
}

/** The build's own modules, loaded from its dist/ (the bench runs either build's code). */
async function modulesOf(build: Build): Promise<{ catalog: CatalogApi; compute: ComputeApi; drift: DriftApi }> {
  const root = join(dirname(build.bin), '..', 'dist', 'src');
  const load = async <T>(p: string) => (await import(pathToFileURL(join(root, p)).href)) as T;
  return { catalog: await load('exporter/catalog.js'), compute: await load('exporter/compute.js'), drift: await load('drift/index.js') };
}

interface Windows {
  metas: ModelMetadata[];
  /** Per model: one Float64Array per feature (a value, or a category's bucket index), and the class index. */
  columns: Float64Array[][];
  predictions: Float64Array[];
}

function fleetWindows(metas: ModelMetadata[], indexOf: (md: ModelMetadata, k: number, v: string) => number): Windows {
  const columns: Float64Array[][] = [];
  const predictions: Float64Array[] = [];
  metas.forEach((md, m) => {
    const next = eventStream(m, FEATURES);
    const cols = md.features.map(() => new Float64Array(WINDOW));
    const pred = new Float64Array(WINDOW);
    for (let i = 0; i < WINDOW; i++) {
      const e = next();
      md.features.forEach((f, k) => {
        const v = e.features[f]!;
        cols[k]![i] = isCategorical(k) ? indexOf(md, k, v as string) : (v as number);
      });
      pred[i] = ['a', 'b', 'c'].indexOf(e.prediction);
    }
    columns.push(cols);
    predictions.push(pred);
  });
  return { metas, columns, predictions };
}

async function pureRounds(build: Build, w: Windows, rounds: number): Promise<{ ms: number[]; results: Map<string, number[]> }> {
  const { catalog, compute, drift } = await modulesOf(build);
  const versions = w.metas.map((md) => catalog.catalogModel(md, ['v1']).loaded.get('v1')!);
  const ms: number[] = [];
  let last: ReturnType<ComputeApi['computeVersionDrift']>[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    last = versions.map((v, m) =>
      compute.computeVersionDrift(
        v,
        { size: WINDOW, columns: w.columns[m]!.map((c) => c.slice()), predictions: w.predictions[m]!.slice() },
        drift.DEFAULT_DRIFT_THRESHOLDS,
      ),
    );
    ms.push(performance.now() - t);
  }
  const results = new Map<string, number[]>();
  last.forEach((d, m) => {
    for (const [f, r] of d.features) results.set(`${modelName(m)}/${f}`, [r.psi, r.statistic, r.pValue]);
    if (d.prediction) results.set(`${modelName(m)}/prediction`, [d.prediction.psi, Number.NaN, Number.NaN]);
  });
  return { ms, results };
}

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import numpy, scipy'], { stdio: 'ignore' }).status === 0);

function scipyRound(
  w: Windows,
  catalogIndex: (md: ModelMetadata, k: number) => readonly number[],
  rounds: number,
  exactBelow: (n: number, m: number) => boolean,
) {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-bench-scipy-'));
  try {
    const arrays: Float64Array[] = [];
    let offset = 0;
    const put = (a: ArrayLike<number>): [number, number] => {
      const f = Float64Array.from(a);
      arrays.push(f);
      const at = offset;
      offset += f.length;
      return [at, f.length];
    };
    const models = w.metas.map((md, m) => ({
      model: md.model,
      features: md.features.map((f, k) => {
        const p = md.reference.features[f]!;
        const window = put(w.columns[m]![k]!);
        if ('categories' in p) return { name: f, type: 'categorical', window, proportions: put(catalogIndex(md, k)), count: p.count };
        const values = put(p.values);
        return {
          name: f,
          type: 'numeric',
          window,
          values,
          edges: put(p.bin_edges),
          proportions: put(p.bin_proportions),
          exact: exactBelow(WINDOW, p.values.length),
        };
      }),
      prediction: { window: put(w.predictions[m]!), proportions: put([1 / 3, 1 / 3, 1 / 3]) },
    }));
    const all = new Float64Array(offset);
    let at = 0;
    for (const a of arrays) {
      all.set(a, at);
      at += a.length;
    }
    writeFileSync(join(dir, 'windows.f64'), Buffer.from(all.buffer));
    writeFileSync(join(dir, 'windows.json'), JSON.stringify({ epsilon: 1e-4, rounds, models }));
    const script = join(repoRoot, 'bench', 'exporter', 'drift_scipy.py');
    const r = spawnSync(PYTHON!, [script, dir], { encoding: 'utf8', maxBuffer: 512 * 1048576 });
    if (r.status !== 0) throw new Error(`drift_scipy.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { versions: string; ms: number[]; results: Record<string, number[]> };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main ----

const all: Result[] = [];
const statistics: Record<string, unknown>[] = [];
console.log(
  `ML model exporter at fleet scale: ${FEATURES} features per model (40 numeric, 10 categorical), ${WINDOW}-event windows, compute every ${INTERVAL}; ` +
    `node ${process.version}, ${SECONDS} s per phase; builds: ${builds.map((b) => `${b.name} (${b.bin})`).join(', ')}`,
);
for (const models of FLEETS) {
  for (const build of builds) {
    const r = await runExporter(build, models);
    all.push(r);
    report(r);
  }
  if (SCIPY) {
    const metas = Array.from({ length: models }, (_, m) => fleetMetadata(m, FEATURES));
    const { catalog } = await modulesOf(builds.at(-1)!);
    const indexCache = new Map<
      string,
      { features: readonly ({ type: string; index?: ReadonlyMap<string, number>; proportions?: ArrayLike<number> } | undefined)[] }
    >();
    const versionOf = (md: ModelMetadata) => {
      let v = indexCache.get(md.model);
      if (!v) indexCache.set(md.model, (v = catalog.catalogModel(md, ['v1']).loaded.get('v1')!));
      return v;
    };
    const w = fleetWindows(metas, (md, k, value) => versionOf(md).features[k]!.index!.get(value)!);
    if (!PYTHON) {
      console.log(
        `  NumPy/SciPy side by side: SKIPPED (install Debian's python3-scipy python3-numpy: apt-get install -y python3-scipy python3-numpy)`,
      );
    }
    // Alternate: this process's round, then SciPy's, three times each.
    const ours = new Map<string, number[]>();
    let oursResults = new Map<string, number[]>();
    const py: number[] = [];
    let pyOut: ReturnType<typeof scipyRound> | undefined;
    const drift = (await import(pathToFileURL(join(dirname(builds.at(-1)!.bin), '..', 'dist', 'src', 'drift', 'index.js')).href)) as {
      ksUsesExact?: (n: number, m: number) => boolean;
    };
    const exactBelow = drift.ksUsesExact ?? (() => false);
    for (let r = 0; r < 3; r++) {
      for (const build of builds) {
        const p = await pureRounds(build, w, 1);
        ours.set(build.name, [...(ours.get(build.name) ?? []), ...p.ms]);
        if (build === builds.at(-1)) oursResults = p.results;
      }
      if (PYTHON) {
        pyOut = scipyRound(w, (md, k) => Array.from(versionOf(md).features[k]!.proportions!), 1, exactBelow);
        py.push(...pyOut.ms);
      }
    }
    const line: Record<string, unknown> = { models };
    for (const [name, ms] of ours) {
      console.log(`  drift statistics of one round in one thread (computeVersionDrift, ${name}): ${fmt(ms, 0)}`);
      line[name] = ms;
    }
    if (pyOut) {
      const mine = median(ours.get(builds.at(-1)!.name)!);
      console.log(
        `  the same PSI, KS and chi-square in NumPy/SciPy (${pyOut.versions}): ${fmt(py, 0)}; SciPy / ${builds.at(-1)!.name} = ${(median(py) / mine).toFixed(2)}`,
      );
      let psi = 0;
      let d = 0;
      let p = 0;
      for (const [key, [a, b, c]] of oursResults) {
        const s = pyOut.results[key];
        if (!s) continue;
        psi = Math.max(psi, Math.abs(a! - s[0]!));
        if (Number.isFinite(b)) d = Math.max(d, Math.abs(b! - s[1]!));
        if (Number.isFinite(c)) p = Math.max(p, Math.abs(c! - s[2]!));
      }
      console.log(
        `  largest difference to SciPy over ${oursResults.size} statistics: PSI ${psi.toExponential(1)}, KS D / chi-square ${d.toExponential(1)}, p-value ${p.toExponential(1)}`,
      );
      Object.assign(line, { scipy: py, scipyVersions: pyOut.versions, maxDiff: { psi, statistic: d, pValue: p } });
    }
    statistics.push(line);
  }
}
if (JSON_OUT)
  writeFileSync(JSON_OUT, JSON.stringify({ features: FEATURES, window: WINDOW, interval: INTERVAL, results: all, statistics }, null, 1));
agent.destroy();

function report(r: Result): void {
  console.log(`\n${r.models} models, ${r.build}:`);
  if (r.died) {
    console.log(`  FAILED: ${r.died}`);
    return;
  }
  const m = r.memory!;
  const rate = (x: { events: number; ms: number }) =>
    x.ms > 0 ? `${Math.round(x.events / (x.ms / 1000))} events/s over ${(x.ms / 1000).toFixed(1)} s` : 'n/a';
  console.log(`  fill through the ingest API: ${Math.round(r.fillEventsPerSecond!)} events/s until consumed`);
  console.log(
    `  ${r.series} series, ${r.textMiB!.toFixed(2)} MiB of exposition text, ${r.wireMiB!.toFixed(2)} MiB on the wire (scrapes ask for gzip, as Prometheus does)`,
  );
  console.log(`  compute round: ${fmt(r.roundMs!, 0)}`);
  console.log(`  scrape, idle:           ${fmt(r.scrapeIdle!)}`);
  console.log(`  scrape, during compute: ${fmt(r.scrapeCompute!)}`);
  console.log(`  scrape, during compute while ingesting: ${fmt(r.scrapeComputeWithIngest!)}`);
  console.log(`  ingest (10,000-event POSTs): outside compute ${rate(r.ingestIdle!)}; during compute ${rate(r.ingestCompute!)}`);
  console.log(`  exporter process: RSS ${m.rssMiB.toFixed(0)} MiB, PSS ${m.pssMiB.toFixed(0)} MiB, peak RSS ${m.hwmMiB.toFixed(0)} MiB`);
}
