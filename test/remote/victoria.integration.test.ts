/** Remote write to a real VictoriaMetrics: the forwarded series arrive, the
 * rest stay local, and after the remote end has been down for a while the
 * samples of the gap arrive from Prometheus's WAL. MLMON_SOAK=1 makes the gap
 * five minutes instead of one. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { renderPrometheusFiles } from '../../src/stack/render.js';
import { defaultSettings } from '../../src/definition/index.js';
import { promApiQuery, startProc, startVictoria, stopProc, until, vmGet, type Proc, type Victoria } from './support.js';
import { waitForHttp } from '../../src/net.js';

const GAP_S = process.env.MLMON_SOAK === '1' ? 300 : 60;
const dir = mkdtempSync(join(tmpdir(), 'mlmon-remote-write-'));
let vm: Proc | undefined;
let prom: Proc | undefined;

after(async () => {
  await stopProc(prom);
  await stopProc(vm);
  if (!process.env.MLMON_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
});

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

test(
  `remote write: forwarded series arrive, others do not, and a ${GAP_S} s outage is backfilled`,
  { timeout: (GAP_S + 240) * 1000 },
  async (t) => {
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
    assert.ok((await waitForHttp(`http://127.0.0.1:${promPort}/-/ready`, 30_000)).ok, 'prometheus ready');

    const vmBase = `http://127.0.0.1:${vmPort}`;
    const headers = { authorization: `Basic ${Buffer.from(`${v.auth.username}:${v.auth.password}`).toString('base64')}` };
    const forwarded = ['up', 'slo:availability:ratio_rate5m', 'http:requests:rate5m', 'ALERTS', 'ALERTS_FOR_STATE', 'ml_model_accuracy'];
    const names = await until('forwarded series in VictoriaMetrics', 60_000, async () => {
      const r = await promApiQuery(vmBase, `count by (__name__) ({__name__=~"${forwarded.join('|')}"})`, headers);
      const got = r.map((x) => x.metric.__name__ ?? '').sort();
      return got.length === forwarded.length ? got : undefined;
    });
    assert.deepEqual(names, [...forwarded].sort());
    const slo = await promApiQuery(vmBase, 'slo:availability:ratio_rate5m', headers);
    assert.equal(slo[0]!.metric.service, 'inference-gateway', 'labels travel with the series');
    assert.equal(slo[0]!.metric.cluster, 'local', 'external labels are attached');

    // Raw scraped series and unnamed recorded ones never leave the stack, though Prometheus has them.
    const local = await promApiQuery(`http://127.0.0.1:${promPort}`, 'count(go_goroutines) + count(ml_unforwarded_metric)');
    assert.equal(local.length, 1, 'Prometheus itself has the series that are not forwarded');
    await new Promise((r) => setTimeout(r, 3000));
    const leaked = await promApiQuery(
      vmBase,
      '{__name__=~"go_goroutines|prometheus_build_info|ml_unforwarded_metric|scrape_duration_seconds"}',
      headers,
    );
    assert.deepEqual(
      leaked.map((x) => x.metric.__name__),
      [],
      'write_relabel_configs drops everything else',
    );

    // The outage: stop the remote end, keep Prometheus scraping, bring it back.
    const gapStart = Date.now();
    await stopProc(vm);
    vm = undefined;
    await new Promise((r) => setTimeout(r, GAP_S * 1000));
    const gapEnd = Date.now();
    vm = await startVictoria(v, join(dir, 'vm-2.log'));
    const restarted = Date.now();

    const inner = [Math.ceil(gapStart / 1000) + 1, Math.floor(gapEnd / 1000) - 1] as const;
    const expected = inner[1] - inner[0];
    const gapSamples = await until(`the ${GAP_S} s gap to be backfilled`, 120_000, async () => {
      const ts = await exported(v, 'up{job="prometheus"}', inner[0], inner[1]);
      return ts.length >= expected * 0.95 ? ts : undefined;
    });
    const recoveredMs = Date.now() - restarted;

    const around = await exported(v, 'up{job="prometheus"}', Math.floor(gapStart / 1000) - 10, Math.floor(gapEnd / 1000));
    const hole = largestHoleMs(around);
    const sloTs = await exported(v, 'slo:availability:ratio_rate5m', inner[0], inner[1]);
    t.diagnostic(
      `gap ${((gapEnd - gapStart) / 1000).toFixed(0)} s: ${gapSamples.length} of ~${expected} scrape samples and ${sloTs.length} SLO samples backfilled ` +
        `${(recoveredMs / 1000).toFixed(1)} s after VictoriaMetrics came back; largest hole ${hole} ms`,
    );
    assert.ok(hole <= 3000, `no hole longer than 3 scrape intervals (largest ${hole} ms)`);
    assert.ok(sloTs.length >= expected * 0.95, `recorded SLO samples of the gap arrive (${sloTs.length} of ~${expected})`);
  },
);
