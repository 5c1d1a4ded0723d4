/** A remote-write outage against a real VictoriaMetrics, measured: Prometheus
 * (rendered from the stack definition as `mlmon up` renders it) forwards to
 * VictoriaMetrics, which is stopped for `gapSeconds` and started again; the
 * figures say what of the gap arrived and when. The integration test asserts
 * on them; bench/remote/outage.ts prints them for docs/ARCHITECTURE.md. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultSettings } from '../../src/definition/index.js';
import { freePorts, waitForHttp } from '../../src/net.js';
import { renderPrometheusFiles } from '../../src/stack/render.js';
import { promApiQuery, startProc, startVictoria, stopProc, until, vmGet, type Proc, type Victoria } from './support.js';

// Recording and alerting rules standing in for the generated ones: one series
// per forwarded family, one user-named metric, and one that must stay local.
const RULES = `groups:
  - name: remote-write-test
    interval: 1s
    rules:
      - record: slo:availability:ratio_rate5m
        expr: vector(0.999)
        labels: { service: inference-gateway, slo: availability }
      - record: http:requests:rate5m
        expr: vector(3)
      - record: ml_model_accuracy
        expr: vector(0.93)
      - record: ml_unforwarded_metric
        expr: vector(1)
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: info, category: monitoring }
`;

/** Series names the keep rule forwards in this setup (the defaults plus one --remote-write-keep). */
export const FORWARDED = ['up', 'slo:availability:ratio_rate5m', 'http:requests:rate5m', 'ALERTS', 'ALERTS_FOR_STATE', 'ml_model_accuracy'];

interface ExportLine {
  metric: Record<string, string>;
  timestamps: number[];
}

async function exported(v: Victoria, selector: string, startS: number, endS: number): Promise<number[]> {
  const text = await vmGet(v, '/api/v1/export', { 'match[]': selector, start: String(startS), end: String(endS) });
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => (JSON.parse(l) as ExportLine).timestamps)
    .sort((a, b) => a - b);
}

function largestHoleMs(ts: number[]): number {
  let hole = 0;
  for (let i = 1; i < ts.length; i++) hole = Math.max(hole, ts[i]! - ts[i - 1]!);
  return hole;
}

export interface OutageFigures {
  /** Names of the forwarded series found in VictoriaMetrics before the outage. */
  forwardedNames: string[];
  /** Labels of the forwarded SLO series (they travel with it, external labels added). */
  sloLabels: Record<string, string>;
  /** Series Prometheus holds that are not forwarded (must be > 0) and those of them found remotely (must be none). */
  localOnlyInPrometheus: number;
  leakedNames: string[];
  gapSeconds: number;
  /** Scrape samples (one a second) expected in the inner part of the gap, and those that arrived. */
  expectedSamples: number;
  scrapeSamples: number;
  sloSamples: number;
  /** From VictoriaMetrics answering again to the gap being there. */
  recoveredMs: number;
  /** Largest distance between two consecutive samples across the gap. */
  largestHoleMs: number;
}

/** Runs the whole scenario on free loopback ports in a temporary folder, and
 * stops what it started (by pid) whatever happens. */
export async function measureRemoteWriteOutage(gapSeconds: number, opts: { keepDir?: boolean } = {}): Promise<OutageFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-remote-write-'));
  let vm: Proc | undefined;
  let prom: Proc | undefined;
  try {
    const [vmPort, promPort] = (await freePorts(2)) as [number, number];
    const v: Victoria = { port: vmPort, storage: join(dir, 'vm'), auth: { username: 'mlmon', password: 'remote-write-test' } };
    const passwordFile = join(dir, 'secrets', 'remote-write-password');
    mkdirSync(dirname(passwordFile), { recursive: true, mode: 0o700 });
    writeFileSync(passwordFile, v.auth.password, { mode: 0o600 });

    // The Prometheus side comes from the stack definition, as `mlmon up` renders it.
    const s = defaultSettings({
      dataDir: dir,
      components: ['prometheus'],
      ports: { prometheus: promPort } as never,
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      remoteWrite: {
        url: `http://127.0.0.1:${vmPort}/api/v1/write`,
        auth: { kind: 'basic', username: v.auth.username, passwordFile },
        keepSeries: ['ml_model_accuracy'],
      },
    });
    const run = join(dir, 'run');
    for (const f of renderPrometheusFiles(s, 'remote-write test', join(run, 'custom'), ['rules.yml'])) {
      mkdirSync(dirname(join(run, f.path)), { recursive: true });
      writeFileSync(join(run, f.path), f.content);
    }
    writeFileSync(join(run, 'prometheus', 'rules.yml'), RULES);

    vm = await startVictoria(v, join(dir, 'vm-1.log'));
    prom = startProc(
      'prometheus',
      [
        `--config.file=${join(run, 'prometheus', 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.format=json',
      ],
      join(dir, 'prometheus.log'),
    );
    const ready = await waitForHttp(`http://127.0.0.1:${promPort}/-/ready`, 30_000);
    if (!ready.ok) throw new Error(`prometheus not ready: ${ready.detail}`);

    const vmBase = `http://127.0.0.1:${vmPort}`;
    const headers = { authorization: `Basic ${Buffer.from(`${v.auth.username}:${v.auth.password}`).toString('base64')}` };
    const forwardedNames = await until('forwarded series in VictoriaMetrics', 60_000, async () => {
      const r = await promApiQuery(vmBase, `count by (__name__) ({__name__=~"${FORWARDED.join('|')}"})`, headers);
      const got = r.map((x) => x.metric.__name__ ?? '').sort();
      return got.length === FORWARDED.length ? got : undefined;
    });
    const slo = await promApiQuery(vmBase, 'slo:availability:ratio_rate5m', headers);

    // Raw scraped series and unnamed recorded ones never leave the stack, though Prometheus has them.
    const local = await promApiQuery(`http://127.0.0.1:${promPort}`, 'count(go_goroutines) + count(ml_unforwarded_metric)');
    await new Promise((r) => setTimeout(r, 3000));
    const leaked = await promApiQuery(
      vmBase,
      '{__name__=~"go_goroutines|prometheus_build_info|ml_unforwarded_metric|scrape_duration_seconds"}',
      headers,
    );

    // The outage: stop the remote end, keep Prometheus scraping, bring it back.
    const gapStart = Date.now();
    await stopProc(vm);
    vm = undefined;
    await new Promise((r) => setTimeout(r, gapSeconds * 1000));
    const gapEnd = Date.now();
    vm = await startVictoria(v, join(dir, 'vm-2.log'));
    const restarted = Date.now();

    const inner = [Math.ceil(gapStart / 1000) + 1, Math.floor(gapEnd / 1000) - 1] as const;
    const expectedSamples = inner[1] - inner[0];
    const gapSamples = await until(`the ${gapSeconds} s gap to be backfilled`, 120_000, async () => {
      const ts = await exported(v, 'up{job="prometheus"}', inner[0], inner[1]);
      return ts.length >= expectedSamples * 0.95 ? ts : undefined;
    });
    const recoveredMs = Date.now() - restarted;
    const around = await exported(v, 'up{job="prometheus"}', Math.floor(gapStart / 1000) - 10, Math.floor(gapEnd / 1000));
    const sloTs = await exported(v, 'slo:availability:ratio_rate5m', inner[0], inner[1]);
    return {
      forwardedNames,
      sloLabels: slo[0]?.metric ?? {},
      localOnlyInPrometheus: local.length,
      leakedNames: leaked.map((x) => x.metric.__name__ ?? ''),
      gapSeconds: (gapEnd - gapStart) / 1000,
      expectedSamples,
      scrapeSamples: gapSamples.length,
      sloSamples: sloTs.length,
      recoveredMs,
      largestHoleMs: largestHoleMs(around),
    };
  } finally {
    await stopProc(prom);
    await stopProc(vm);
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as one line, as the docs quote them. */
export function outageLine(f: OutageFigures): string {
  return (
    `gap ${f.gapSeconds.toFixed(0)} s: ${f.scrapeSamples} of ~${f.expectedSamples} scrape samples and ${f.sloSamples} SLO samples backfilled ` +
    `${(f.recoveredMs / 1000).toFixed(1)} s after VictoriaMetrics came back; largest hole ${f.largestHoleMs} ms`
  );
}
