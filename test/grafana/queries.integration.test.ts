/** Every query of every generated dashboard, against a real stack with traffic,
 * an injected fault (errors and latency) and a drift: each returns data, except
 * the panels listed below as empty by design, each with its reason. Screenshots
 * are not possible here (no Grafana binary); this is the proof the panels draw. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlmonClient } from '../../src/client/index.js';
import { after, before, test } from 'node:test';
import { buildDashboards, dashboardSources } from '../../src/grafana/index.js';
import { mlmonBin } from '../../src/paths.js';
import { stopChild } from '../support/process.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { allPanels, type DashboardJson } from './dashboards.js';

/** Panels that return nothing on this stack, and why. Everything else must draw. */
const EMPTY_BY_DESIGN: Readonly<Record<string, string>> = {
  'mlmon-probes/TLS certificate expiry':
    'no probe of the stack uses HTTPS (it serves HTTP on loopback), so no certificate exists to expire',
};

/** Model-health panels that draw for one kind of model only: empty for the other kind by design. */
const MODEL_KIND_ONLY: Readonly<Record<string, 'classification' | 'regression'>> = {
  'Accuracy against the reference': 'classification',
  'Regression error against the reference': 'regression',
};

/** A model of our own beside the bundled iris: a regression over two numeric
 * and one categorical feature, registered from a CSV, fed through the ingest API. */
const OWN_MODEL = 'delivery-time';

/** Grafana's $__rate_interval for a 1 s scrape interval: four scrapes, at least. */
const RATE_INTERVAL = '20s';
const LOAD_SECONDS = 400;

interface Row {
  dashboard: string;
  panel: string;
  queries: number;
  /** Queries that returned data (for any value of the dashboard's variables). */
  nonEmpty: number;
  note: string;
}

let stack: TestStack;
let load: ChildProcess | undefined;

async function api(path: string, params: Record<string, string>): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${stack.ports.prometheus}${path}`, {
    method: 'POST',
    headers: { ...stack.auth(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as { status: string; data: unknown; error?: string };
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
  return body.data;
}

/** What Grafana sends: range queries over the panel's time, instant ones at its end. */
async function hasData(expr: string, instant: boolean): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000);
  if (instant) {
    const d = (await api('/api/v1/query', { query: expr, time: String(now) })) as { result: unknown[] };
    return d.result.length > 0;
  }
  const d = (await api('/api/v1/query_range', { query: expr, start: String(now - 300), end: String(now), step: '5' })) as {
    result: Array<{ values: unknown[] }>;
  };
  return d.result.some((s) => s.values.length > 0);
}

/** `label_values(selector, label)` as Grafana's Prometheus datasource runs it. */
async function labelValues(query: string, vars: Record<string, string>): Promise<string[]> {
  const m = /^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(substitute(query, vars));
  assert.ok(m, `a label_values query: ${query}`);
  const res = await fetch(
    `http://127.0.0.1:${stack.ports.prometheus}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`,
    { headers: stack.auth() },
  );
  return ((await res.json()) as { data: string[] }).data;
}

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g, (whole, a?: string, b?: string) => {
    const name = (a ?? b)!;
    if (name === '__rate_interval') return RATE_INTERVAL;
    return vars[name] ?? whole;
  });
}

/** Every combination of the dashboard's query variables (in order: later ones may use earlier ones). */
async function variableCombinations(d: DashboardJson): Promise<Array<Record<string, string>>> {
  let combos: Array<Record<string, string>> = [{}];
  for (const v of (d.templating.list ?? []).filter((x) => x.type === 'query')) {
    const next: Array<Record<string, string>> = [];
    for (const c of combos) for (const value of await labelValues(String(v.query), c)) next.push({ ...c, [v.name]: value });
    combos = next;
  }
  return combos;
}

/** Model name → its kind (from the exporter's ml_model_info). */
async function modelKinds(): Promise<Map<string, string>> {
  const d = (await api('/api/v1/query', { query: 'max by (model, type) (ml_model_info)' })) as {
    result: Array<{ metric: Record<string, string> }>;
  };
  return new Map(d.result.map((r) => [r.metric.model!, r.metric.type!]));
}

/** For each model, how many of the targets return data for at least one of its versions. */
async function perModel(combos: Array<Record<string, string>>, targets: Array<{ expr: string; instant?: boolean }>): Promise<number[]> {
  const byModel = new Map<string, Array<Record<string, string>>>();
  for (const c of combos) byModel.set(c.model!, [...(byModel.get(c.model!) ?? []), c]);
  const out: number[] = [];
  for (const cs of byModel.values()) {
    let n = 0;
    for (const t of targets) {
      let any = false;
      for (const c of cs) if (!any && (await hasData(substitute(t.expr, c), t.instant === true))) any = true;
      if (any) n++;
    }
    out.push(n);
  }
  return byModel.size > 0 ? out : [0];
}

before(async () => {
  stack = await startTestStack(['--profile', 'test']);
  const gateway = `http://127.0.0.1:${stack.ports['inference-gateway']}`;
  await eventually(
    'every target up',
    async () => {
      const t = (await api('/api/v1/query', { query: 'up' })) as { result: Array<{ value: [number, string] }> };
      return t.result.length > 0 && t.result.every((r) => r.value[1] === '1');
    },
    90_000,
  );
  // Traffic with delayed labels, for the whole test.
  load = spawn(
    process.execPath,
    [mlmonBin, 'load', '--gateway', gateway, '--rate', '20', '--duration', `${LOAD_SECONDS}s`, '--feedback-delay', '2s'],
    {
      stdio: 'ignore',
    },
  );
  // A fault: a fifth of predictions fail and every one is slower than the latency SLO; a drift: petal length shifted.
  const fault = stack.mlmon([
    'fault',
    'set',
    '--error-ratio',
    '0.2',
    '--latency-ms',
    '350',
    '--shift',
    'petal_length=3',
    '--gateway',
    gateway,
    '--data-dir',
    stack.dataDir,
  ]);
  assert.equal(fault.code, 0, fault.stderr);
  // A refused request (bad input) and a training result on the Pushgateway.
  await fetch(`${gateway}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"features":"none"}' });
  const push = await fetch(`http://127.0.0.1:${stack.ports.pushgateway}/metrics/job/mlmon_train`, {
    method: 'PUT',
    headers: stack.auth(),
    body: `ml_training_last_success_timestamp_seconds ${Math.floor(Date.now() / 1000)}\n`,
  });
  assert.equal(push.status, 200);
  await feedOwnModel();
});

/** Registers OWN_MODEL from a reference CSV written here, then sends predictions
 * (distance shifted: a drift) and their labels to the exporter's ingest API. */
async function feedOwnModel(): Promise<void> {
  // The reference carries the model's own predictions too: its MAE is the line the error is compared with.
  const rows = ['distance_km,items,zone,minutes,predicted'];
  const zones = ['north', 'south', 'east'];
  for (let i = 0; i < 300; i++) {
    const distance = 1 + ((i * 7) % 20);
    const items = 1 + (i % 5);
    const minutes = 10 + 2 * distance + items;
    rows.push(`${distance},${items},${zones[i % 3]},${minutes.toFixed(1)},${(minutes + ((i % 3) - 1)).toFixed(1)}`);
  }
  const csv = join(stack.dataDir, 'delivery-reference.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const reg = stack.mlmon([
    'model',
    'register',
    OWN_MODEL,
    '--reference',
    csv,
    '--target',
    'minutes',
    '--prediction-column',
    'predicted',
    '--data-dir',
    stack.dataDir,
  ]);
  assert.equal(reg.code, 0, reg.stderr);
  const status = JSON.parse(stack.mlmon(['status', '--json', '--data-dir', stack.dataDir]).stdout) as {
    components: Array<{ name: string; url: string; auth?: { tokenFile: string } }>;
  };
  const exporter = status.components.find((c) => c.name === 'ml-model-exporter')!;
  const client = new MlmonClient({
    url: exporter.url.replace(/\/metrics$/, ''),
    token: readFileSync(exporter.auth!.tokenFile, 'utf8').trim(),
  });
  // The exporter reads the new version within seconds; until then the events are refused as unknown.
  await eventually(
    'the exporter knows the registered model',
    async () => {
      const text = await (await fetch(exporter.url)).text();
      return text.includes(`model="${OWN_MODEL}"`);
    },
    60_000,
  );
  const predicted = (i: number) => 10 + 2 * (15 + ((i * 7) % 20)) + (1 + (i % 5));
  for (let i = 0; i < 400; i++) {
    const features = { distance_km: 15 + ((i * 7) % 20), items: 1 + (i % 5), zone: zones[i % 3]! };
    client.prediction({ model: OWN_MODEL, version: 'v1', id: `own-${i}`, features, prediction: predicted(i) });
  }
  await client.flush();
  // Labels come later, as they do in life: once the predictions are in the exporter's pending set.
  await eventually(
    'the exporter counts the predictions',
    async () => {
      const text = await (await fetch(exporter.url)).text();
      const m = new RegExp(`^ml_drift_window_samples\\{[^}]*model="${OWN_MODEL}"[^}]*\\} (\\d+)`, 'm').exec(text);
      return m && Number(m[1]) >= 400;
    },
    60_000,
  );
  for (let i = 0; i < 400; i++) client.feedback({ model: OWN_MODEL, id: `own-${i}`, label: predicted(i) + (i % 4) - 1.5 });
  await client.close();
  assert.equal(client.stats.dropped + client.stats.rejected, 0, JSON.stringify(client.stats));
}

after(async () => {
  if (load) await stopChild(load);
  await stack?.stop();
});

test('every query of every dashboard returns data from a stack with traffic, a fault and a drift (empty-by-design panels named with their reason)', async () => {
  const built = buildDashboards(dashboardSources(stack.configDir, { profile: 'test' }));
  const rows: Row[] = [];
  const pending: Array<{ row: Row; check: () => Promise<number>; mustDraw: boolean }> = [];
  for (const b of built) {
    const d = b.dashboard as unknown as DashboardJson;
    for (const p of allPanels(d)) {
      const key = `${d.uid}/${p.title}`;
      const targets = p.targets ?? [];
      const kindOnly = d.uid === 'mlmon-model-health' ? MODEL_KIND_ONLY[p.title] : undefined;
      const row: Row = {
        dashboard: d.uid,
        panel: p.title,
        queries: targets.length,
        nonEmpty: 0,
        note: EMPTY_BY_DESIGN[key] ?? (kindOnly ? `${kindOnly} models only: checked for those, empty for the others by design` : ''),
      };
      rows.push(row);
      // Variables are re-read at each try: the SLO series appear as the rules first run.
      const check = async () => {
        let combos = await variableCombinations(d);
        // Every registered model must draw this panel (both models are checked), except the other kind for a kind-only panel.
        if (d.uid === 'mlmon-model-health') {
          const kinds = await modelKinds();
          assert.deepEqual([...kinds.keys()].sort(), ['iris', OWN_MODEL].sort(), 'both models registered');
          combos = combos.filter((c) => !kindOnly || kinds.get(c.model!) === kindOnly);
          return (await perModel(combos, targets)).every((n) => n === targets.length) ? targets.length : 0;
        }
        let n = 0;
        for (const t of targets) {
          let any = false;
          for (const c of combos) if (!any && (await hasData(substitute(t.expr, c), t.instant === true))) any = true;
          if (any) n++;
        }
        return n;
      };
      pending.push({ row, check, mustDraw: EMPTY_BY_DESIGN[key] === undefined });
    }
  }
  // Data arrives as windows fill and the fault's alerts fire: re-ask the panels still empty until all draw.
  await eventually(
    'every panel draws',
    async () => {
      for (const x of pending) if (x.mustDraw && x.row.nonEmpty < x.row.queries) x.row.nonEmpty = await x.check();
      return pending.every((x) => !x.mustDraw || x.row.nonEmpty === x.row.queries);
    },
    (LOAD_SECONDS - 60) * 1000,
    5000,
  ).catch(() => undefined);
  for (const x of pending) if (!x.mustDraw) x.row.nonEmpty = await x.check();

  const table = [
    '| dashboard | panel | queries | with data | note |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.dashboard} | ${r.panel} | ${r.queries} | ${r.nonEmpty} | ${r.note || (r.nonEmpty === r.queries ? '' : 'EMPTY')} |`,
    ),
  ].join('\n');
  if (process.env.MLMON_GRAFANA_QUERY_REPORT) writeFileSync(process.env.MLMON_GRAFANA_QUERY_REPORT, `${table}\n`);
  process.stdout.write(`${table}\n`);
  for (const r of rows) {
    if (r.note.includes('models only'))
      assert.equal(r.nonEmpty, r.queries, `${r.dashboard}/${r.panel}: ${r.queries - r.nonEmpty} of ${r.queries} queries returned no data`);
    else if (r.note) assert.equal(r.nonEmpty, 0, `${r.dashboard}/${r.panel} is listed as empty by design but drew: drop it from the list`);
    else
      assert.equal(r.nonEmpty, r.queries, `${r.dashboard}/${r.panel}: ${r.queries - r.nonEmpty} of ${r.queries} queries returned no data`);
  }
  assert.ok(rows.length >= 30, `${rows.length} panels checked`);
});
