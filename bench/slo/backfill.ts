/** Benchmark: the 30-day availability of 100 services, several ways, on 30 days
 * of backfilled synthetic data in a real Prometheus.
 *   (a) rate(...[30d]) over the raw counters,
 *   (b) a plain average of 5-minute ratios,
 *   (c) ours: the generated ratio_rate30d rule's own expression (the difference of
 *       two of the event counts recorded once per tile), by service,
 *   (d) the previous rules, for comparison: sums of hourly tiles (each the mean of
 *       twelve 5-minute rate() tiles), and of the 5-minute tiles.
 * Prints evaluation time (Prometheus' own evalTotalTime, median of 5), samples
 * read, the largest error against the exact availability of the span the tiles
 * cover, and how many times cheaper than (a) each query is.
 *
 *   node dist/bench/slo/backfill.js [--services 100] [--days 30] [--scrape 15] [--keep]
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForHttp } from '../../src/net.js';
import { seededRandom } from '../../src/model/random.js';
import { parse } from 'yaml';
import { parseSloSpec, rangeJustUnder, renderSloRuleFiles } from '../../src/slo/index.js';
import { RULE_FILE } from '../../src/definition/index.js';

const run = promisify(execFile);
const DAY = 86400;
const TILE = 300;
const COARSE_TILE = 3600;
const TILES_PER_COARSE_TILE = COARSE_TILE / TILE;

const USAGE = `usage: node dist/bench/slo/backfill.js [--services 100] [--days 30] [--scrape 15] [--keep]
  A quick look: --services 10 --days 3 (about a minute); the figures in docs/SLO_TRACKING.md: the defaults (about 9 minutes).
`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

interface Service {
  name: string;
  rps: number;
  phase: number;
  incidentStart: number;
  good: number;
  bad: number;
  /** Counter values at the last tile boundary. */
  tileGood: number;
  tileBad: number;
  /** The counts the SLO rules record once per tile (events since counting began). */
  countedBad: number;
  countedTotal: number;
  /** Fine tile values since the last coarse tile, summed the way sum_over_time does. */
  hourBad: number;
  hourTotal: number;
  exactBad: number;
  exactTotal: number;
}

/** Uneven traffic on purpose: a daily cycle from 10% to 100% load, errors that are
 * worse at night, and one 3-hour incident per service in a quiet hour. A plain
 * average of ratios overweights the quiet hours; the exact share does not. */
function step(svc: Service, t: number, scrape: number, rand: () => number): [number, number] {
  const load = 0.55 + 0.45 * Math.sin((2 * Math.PI * t) / DAY + svc.phase);
  const requests = Math.max(0, Math.round(svc.rps * load * scrape * (0.9 + 0.2 * rand())));
  let p = 0.0005 + 0.02 * (1 - load) ** 3;
  if (t >= svc.incidentStart && t < svc.incidentStart + 3 * 3600) p = 0.3;
  const expected = requests * p;
  const bad = Math.min(requests, Math.floor(expected) + (rand() < expected - Math.floor(expected) ? 1 : 0));
  return [requests - bad, bad];
}

/** promtool 2.42 cuts its input into 2h blocks and re-reads the whole input for
 * every block, so each 2h window of samples goes to its own small file. */
const BLOCK = 7200;

interface WindowFile {
  raw: string[];
  bad: string[];
  total: string[];
  ratio: string[];
  hourBad: string[];
  hourTotal: string[];
  countedBad: string[];
  countedTotal: string[];
  since: string[];
}

async function backfill(
  dir: string,
  services: number,
  days: number,
  scrape: number,
): Promise<{ end: number; exact: Map<string, number>; samples: number }> {
  const rand = seededRandom(42);
  const end = Math.floor(Date.now() / 1000 / BLOCK) * BLOCK - BLOCK;
  const start = end - days * DAY;
  const svcs: Service[] = Array.from({ length: services }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    rps: 1 + 49 * rand(),
    phase: 2 * Math.PI * rand(),
    incidentStart: start + Math.floor(rand() * (days - 1)) * DAY + 3 * 3600,
    good: 0,
    bad: 0,
    tileGood: 0,
    tileBad: 0,
    countedBad: 0,
    countedTotal: 0,
    hourBad: 0,
    hourTotal: 0,
    exactBad: 0,
    exactTotal: 0,
  }));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  let samples = 0;
  const parallel = Math.max(1, Math.min(4, cpus().length));
  const pending: Promise<unknown>[] = [];
  const flush = async (name: string, w: WindowFile): Promise<void> => {
    samples +=
      w.raw.length + w.bad.length + w.total.length + w.ratio.length + w.hourBad.length + w.hourTotal.length + w.countedBad.length * 3;
    const file = join(dir, `${name}.om`);
    const out = createWriteStream(file);
    out.write('# TYPE http_requests counter\n' + w.raw.join('\n') + '\n');
    if (w.bad.length > 0) {
      out.write('# TYPE slo:availability:bad_events:rate5m gauge\n' + w.bad.join('\n') + '\n');
      out.write('# TYPE slo:availability:total_events:rate5m gauge\n' + w.total.join('\n') + '\n');
    }
    if (w.ratio.length > 0) out.write('# TYPE slo:availability:ratio_rate5m gauge\n' + w.ratio.join('\n') + '\n');
    if (w.hourBad.length > 0) {
      out.write('# TYPE slo:availability:bad_events:rate1h gauge\n' + w.hourBad.join('\n') + '\n');
      out.write('# TYPE slo:availability:total_events:rate1h gauge\n' + w.hourTotal.join('\n') + '\n');
    }
    if (w.countedBad.length > 0) {
      out.write('# TYPE slo:availability:bad_events:counted gauge\n' + w.countedBad.join('\n') + '\n');
      out.write('# TYPE slo:availability:total_events:counted gauge\n' + w.countedTotal.join('\n') + '\n');
      out.write('# TYPE slo:availability:counted_since:timestamp_seconds gauge\n' + w.since.join('\n') + '\n');
    }
    out.write('# EOF\n');
    await new Promise((r) => out.end(r));
    pending.push(
      run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, dataDir], { maxBuffer: 1 << 26 }).then(() => rmSync(file)),
    );
    if (pending.length >= parallel) await Promise.all(pending.splice(0));
  };
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    const last = d === days - 1 ? end : dayStart + DAY - scrape;
    const windows = new Map<number, WindowFile>();
    const fileOf = (t: number): WindowFile => {
      const k = Math.floor(t / BLOCK);
      let w = windows.get(k);
      if (!w)
        windows.set(
          k,
          (w = { raw: [], bad: [], total: [], ratio: [], hourBad: [], hourTotal: [], countedBad: [], countedTotal: [], since: [] }),
        );
      return w;
    };
    for (const svc of svcs) {
      // Series by series, each in time order, families kept together per file.
      const fail: { t: number; line: string }[] = [];
      for (let t = dayStart; t <= last; t += scrape) {
        if (t > start) {
          const [g, b] = step(svc, t, scrape, rand);
          svc.good += g;
          svc.bad += b;
          svc.exactBad += b;
          svc.exactTotal += g + b;
        }
        const w = fileOf(t);
        w.raw.push(`http_requests_total{service="${svc.name}",status="200"} ${svc.good} ${t}`);
        fail.push({ t, line: `http_requests_total{service="${svc.name}",status="503"} ${svc.bad} ${t}` });
        if ((t - start) % TILE === 0) {
          // What the count rules record: events counted since counting began (at
          // `start`, the first tile), once per tile.
          const labels = `{service="${svc.name}",slo="availability"}`;
          svc.countedBad += svc.bad - svc.tileBad;
          svc.countedTotal += svc.good + svc.bad - svc.tileGood - svc.tileBad;
          w.countedBad.push(`slo:availability:bad_events:counted${labels} ${svc.countedBad} ${t}`);
          w.countedTotal.push(`slo:availability:total_events:counted${labels} ${svc.countedTotal} ${t}`);
          w.since.push(`slo:availability:counted_since:timestamp_seconds${labels} ${start} ${t}`);
        }
        if (t > start && (t - start) % TILE === 0) {
          // What the tile rules record: the rate over one tile, once per tile.
          const dBad = svc.bad - svc.tileBad;
          const dTotal = svc.good + svc.bad - svc.tileGood - svc.tileBad;
          const labels = `{service="${svc.name}",slo="availability"}`;
          w.bad.push(`slo:availability:bad_events:rate5m${labels} ${dBad / TILE} ${t}`);
          w.total.push(`slo:availability:total_events:rate5m${labels} ${dTotal / TILE} ${t}`);
          if (dTotal > 0) w.ratio.push(`slo:availability:ratio_rate5m${labels} ${1 - dBad / dTotal} ${t}`);
          svc.tileBad = svc.bad;
          svc.tileGood = svc.good;
          svc.hourBad += dBad / TILE;
          svc.hourTotal += dTotal / TILE;
          if ((t - start) % COARSE_TILE === 0) {
            // What the coarse tile rules record: the mean of the 12 tiles in (t-1h, t].
            w.hourBad.push(`slo:availability:bad_events:rate1h${labels} ${svc.hourBad / TILES_PER_COARSE_TILE} ${t}`);
            w.hourTotal.push(`slo:availability:total_events:rate1h${labels} ${svc.hourTotal / TILES_PER_COARSE_TILE} ${t}`);
            svc.hourBad = 0;
            svc.hourTotal = 0;
          }
        }
      }
      for (const f of fail) fileOf(f.t).raw.push(f.line);
    }
    for (const [k, w] of windows) await flush(`block-${k}`, w);
    process.stdout.write(`\rbackfilled day ${d + 1}/${days}`);
  }
  await Promise.all(pending);
  process.stdout.write('\n');
  const exact = new Map(svcs.map((s) => [s.name, 1 - s.exactBad / s.exactTotal]));
  return { end, exact, samples };
}

interface QueryResult {
  evalMs: number[];
  wallMs: number[];
  values: Map<string, number>;
  samples: number | undefined;
}

async function query(base: string, expr: string, time: number): Promise<QueryResult> {
  const res: QueryResult = { evalMs: [], wallMs: [], values: new Map(), samples: undefined };
  for (let i = 0; i < 6; i++) {
    const url = `${base}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time}&stats=all`;
    const t0 = performance.now();
    const r = await fetch(url);
    const body = (await r.json()) as {
      status: string;
      error?: string;
      data: {
        result: { metric: Record<string, string>; value: [number, string] }[];
        stats?: { timings?: { evalTotalTime?: number }; samples?: { totalQueryableSamples?: number } };
      };
    };
    const wall = performance.now() - t0;
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? r.status}`);
    if (i === 0) continue; // warm-up: page cache and chunk mmaps
    res.wallMs.push(wall);
    res.evalMs.push((body.data.stats?.timings?.evalTotalTime ?? NaN) * 1000);
    res.samples = body.data.stats?.samples?.totalQueryableSamples;
    for (const s of body.data.result) res.values.set(s.metric.service ?? '', Number(s.value[1]));
  }
  return res;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function blocksLoaded(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^prometheus_tsdb_blocks_loaded (\S+)/m.exec(text)?.[1] ?? NaN);
}

/** The generated period rule of an SLO (`slo:availability:ratio_rate<period>`),
 * as the generator writes it for one service, read for every service at once:
 * the same expression, its matching on the SLO's own labels by `by` instead. */
function periodRuleBy(by: string, days: number): string {
  const spec = parseSloSpec(
    [
      'version: mlmon/v1',
      'services:',
      '  - name: one',
      '    slos:',
      '      - name: availability',
      '        objective: 99.5',
      `        period: ${days}d`,
      '        sli:',
      '          events:',
      '            bad: http_requests_total{status=~"5.."}',
      '            total: http_requests_total',
      '',
    ].join('\n'),
    'bench.yaml',
  );
  const recording = renderSloRuleFiles(spec, { profile: 'production' }).find((f) => f.file === RULE_FILE.sloRecording);
  const rules = (parse(recording?.content ?? '') as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap(
    (g) => g.rules,
  );
  const rule = rules.find((r) => r.record === `slo:availability:ratio_rate${days}d`);
  if (!rule) throw new Error(`no ratio_rate${days}d rule`);
  return rule.expr.replaceAll('service="one",', '').replaceAll('on ()', `on (${by})`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const services = arg('services', 100);
  const days = arg('days', 30);
  const scrape = arg('scrape', 15);
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-slo-bench-'));
  let prom: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const { end, exact, samples } = await backfill(dir, services, days, scrape);
    console.log(
      `backfill: ${services} services x ${days} days, scrape ${scrape}s, ${(samples / 1e6).toFixed(1)}M samples in ${((performance.now() - t0) / 1000).toFixed(0)}s`,
    );

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
    prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--storage.tsdb.retention.time=1y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--query.max-samples=200000000',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const ready = await waitForHttp(`${base}/-/ready`, 120_000);
    if (!ready.ok) throw new Error(`prometheus did not become ready: ${ready.detail}`);
    // Production Prometheus compacts 2h blocks into blocks of days; the backfilled
    // 2h blocks are compacted the same way, starting about a minute after startup.
    // Time the queries only once the number of blocks has settled.
    let last = -1;
    let stableSince = Date.now();
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline) {
      const n = await blocksLoaded(base);
      if (n !== last) {
        last = n;
        stableSince = Date.now();
        process.stdout.write(`\rwaiting for compaction: ${n} blocks   `);
      }
      if (Date.now() - stableSince > 90_000) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    process.stdout.write('\n');
    console.log(`prometheus ready on ${base}, ${last} blocks loaded after compaction`);

    // Evaluated at `end`, a tile boundary: the counts at `end` and at `start` differ
    // by the events of (start, end], the span `exact` was counted over; so do the
    // hourly tiles in (end - period, end]. The tile ranges are a millisecond short of
    // the period, as the previous rules wrote them, so no tile is read twice.
    const window = `${days}d`;
    const tileRange = rangeJustUnder(days * DAY);
    const tiles = (tile: string): string =>
      `1 - sum_over_time(slo:availability:bad_events:rate${tile}[${tileRange}]) / sum_over_time(slo:availability:total_events:rate${tile}[${tileRange}])`;
    const queries: [string, string][] = [
      [
        '(a) rate over raw counters',
        `1 - sum by (service) (rate(http_requests_total{status=~"5.."}[${window}])) / sum by (service) (rate(http_requests_total[${window}]))`,
      ],
      ['(b) average of 5m ratios', `avg_over_time(slo:availability:ratio_rate5m[${window}])`],
      ['(c) ours: differences of counts', periodRuleBy('service', days)],
      ['(d) previous: sums of 1h tiles', tiles('1h')],
      ["(d') previous: sums of 5m tiles", tiles('5m')],
    ];
    const rows: { name: string; evalMs: number; wallMs: number; samples: number | undefined; maxError: number; cheaper: number }[] = [];
    for (const [name, expr] of queries) {
      const r = await query(base, expr, end);
      let maxError = 0;
      for (const [svc, want] of exact) maxError = Math.max(maxError, Math.abs((r.values.get(svc) ?? NaN) - want));
      const evalMs = median(r.evalMs);
      rows.push({ name, evalMs, wallMs: median(r.wallMs), samples: r.samples, maxError, cheaper: (rows[0]?.evalMs ?? evalMs) / evalMs });
    }
    console.log('\nquery                          eval ms   wall ms   samples read   max |error| vs exact   cheaper than (a)');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(30)} ${r.evalMs.toFixed(1).padStart(7)}   ${r.wallMs.toFixed(1).padStart(7)}   ${String(r.samples ?? '?').padStart(12)}` +
          `   ${r.maxError.toExponential(2).padStart(20)}   ${r.cheaper.toFixed(1).padStart(15)}x`,
      );
    }
    const [a, , c] = rows;
    if (a && c) {
      const met = a.evalMs / c.evalMs >= 50 && c.maxError <= 1e-4;
      console.log(
        `\nours is ${(a.evalMs / c.evalMs).toFixed(1)}x cheaper than (a) by eval time (${(a.wallMs / c.wallMs).toFixed(1)}x by wall time), ` +
          `max error ${c.maxError.toExponential(2)}: goal (>= 50x, <= 1e-4) ${met ? 'met' : 'NOT met'}`,
      );
    }
    console.log(JSON.stringify({ services, days, scrapeSeconds: scrape, rows }));
  } finally {
    if (prom?.pid !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      process.kill(prom.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

await main();
