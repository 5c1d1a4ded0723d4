/** The generated dashboards: valid against the schemas Grafana publishes, every
 * datasource the provisioned one, every variable defined, uids unique and
 * stable, and units, thresholds and links taken from the definitions. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { GRAFANA, GRAFANA_DIRS, defaultSettings } from '../../src/definition/index.js';
import { markdownAnchors } from '../../src/alerting/index.js';
import {
  alertFactsOf,
  buildDashboards,
  BUILTIN_VARIABLES,
  comparisonThreshold,
  DASHBOARD_UIDS,
  dashboardJson,
  dashboardSources,
  grafanaFiles,
} from '../../src/grafana/index.js';
import { fromRepo, repoRoot } from '../../src/paths.js';
import { allPanels, committedDashboards, dashboardValidators, schemaProblems, variablesIn, type DashboardJson } from './dashboards.js';

const committed = committedDashboards();
const dashboards = [...committed.values()];
const validators = dashboardValidators();
const rulesText = readFileSync(fromRepo('config', 'prometheus', 'alerting_rules.yml'), 'utf8');
const alerts = alertFactsOf(rulesText, 'alerting_rules.yml');

test('one committed dashboard per uid, each in a file named after its uid', () => {
  assert.deepEqual(
    [...committed.keys()].sort(),
    Object.values(DASHBOARD_UIDS)
      .map((u) => `${u}.json`)
      .sort(),
  );
  for (const [file, d] of committed) assert.equal(`${d.uid}.json`, file);
  const uids = dashboards.map((d) => d.uid);
  assert.equal(new Set(uids).size, uids.length, 'uids are unique');
  for (const u of uids) assert.ok(u.length <= 40 && /^[a-zA-Z0-9_-]+$/.test(u), `${u}: a valid Grafana uid`);
});

test('uids, panel ids and the whole JSON are stable across regenerations', () => {
  const a = buildDashboards(dashboardSources(join(repoRoot, 'config')));
  const b = buildDashboards(dashboardSources(join(repoRoot, 'config')));
  assert.deepEqual(
    a.map((d) => dashboardJson(d.dashboard)),
    b.map((d) => dashboardJson(d.dashboard)),
  );
  for (const d of dashboards) {
    const ids = allPanels(d).map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${d.uid}: panel ids unique`);
  }
});

test('every dashboard passes the dashboard schema Grafana publishes, and every panel its panel and query schema', () => {
  for (const d of dashboards) assert.deepEqual(schemaProblems(validators, d), [], d.uid);
});

test('the schema check can fail: a misspelt key, a bad panel option and a bad query are refused', () => {
  const d = structuredClone(committed.get('mlmon-gateway-red.json')!) as DashboardJson & Record<string, unknown>;
  d.refersh = '30s';
  const p = allPanels(d)[0]!;
  p.options = { ...p.options, legend: { displayMode: 'sideways' } };
  p.targets![0]!.format = 'csv';
  const problems = schemaProblems(validators, d);
  assert.ok(
    problems.some((x) => x.includes('refersh')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((x) => x.includes('options')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((x) => x.includes('target A')),
    problems.join('\n'),
  );
});

test('every datasource reference resolves to the provisioned datasource uid', () => {
  const provisioned = parse(readFileSync(fromRepo(GRAFANA_DIRS.provisioning, 'datasources', 'mlmon.yaml'), 'utf8')) as {
    datasources: Array<{ uid: string; type: string }>;
  };
  assert.deepEqual(
    provisioned.datasources.map((x) => [x.uid, x.type]),
    [[GRAFANA.datasource.uid, 'prometheus']],
  );
  for (const d of dashboards) {
    const refs = [
      ...allPanels(d).flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
      ...(d.templating.list ?? []).filter((v) => v.type === 'query').map((v) => v.datasource),
      ...(d.annotations.list ?? []).map((a) => a.datasource),
    ];
    assert.ok(refs.length > 0);
    for (const r of refs) assert.equal(r?.uid, GRAFANA.datasource.uid, `${d.uid}: ${JSON.stringify(r)}`);
  }
});

test('every template variable used in a query, a link or a title is defined (or one of Grafana’s own)', () => {
  let used = 0;
  for (const d of dashboards) {
    const defined = new Set([...(d.templating.list ?? []).map((v) => v.name), ...BUILTIN_VARIABLES]);
    const texts = [
      ...allPanels(d).flatMap((p) => [p.title, ...(p.targets ?? []).map((t) => t.expr), ...(p.links ?? []).map((l) => l.url)]),
      ...(d.templating.list ?? []).map((v) => (typeof v.query === 'string' ? v.query : '')),
      ...(d.annotations.list ?? []).map((a) => a.expr ?? ''),
      ...(d.links ?? []).map((l) => l.url ?? ''),
    ];
    for (const t of texts) {
      for (const v of variablesIn(t)) {
        used++;
        // PromQL's own `$1` in label_replace is not a variable.
        if (/^\d/.test(v)) continue;
        assert.ok(defined.has(v), `${d.uid}: $${v} in ${t}`);
      }
    }
  }
  assert.ok(used > 20, `${used} variable uses seen`);
});

test('every panel has a query, a description and links, each opening a console page or a runbook of docs/RUNBOOKS.md', () => {
  const anchors = markdownAnchors(readFileSync(fromRepo('docs', 'RUNBOOKS.md'), 'utf8'));
  let runbookLinks = 0;
  let consoleLinks = 0;
  for (const d of dashboards) {
    for (const p of allPanels(d)) {
      assert.ok((p.targets ?? []).length > 0 && (p.targets ?? []).every((t) => t.expr.trim() !== ''), `${d.uid} "${p.title}" queries`);
      assert.ok((p.description ?? '').length > 20, `${d.uid} "${p.title}" description`);
      assert.ok((p.links ?? []).length > 0, `${d.uid} "${p.title}" links to the console or a runbook`);
      for (const l of p.links ?? []) {
        if (l.url.startsWith('${console}')) {
          consoleLinks++;
          assert.match(l.url, /^\$\{console\}\/(slos|models|alerts)(\/|$)/, l.url);
        } else {
          runbookLinks++;
          const anchor = /RUNBOOKS\.md#(.+)$/.exec(l.url)?.[1];
          assert.ok(anchor && anchors.has(anchor), `${d.uid} "${p.title}": ${l.url} lands on a heading of docs/RUNBOOKS.md`);
        }
      }
    }
  }
  assert.ok(runbookLinks > 20 && consoleLinks > 10, `${runbookLinks} runbook and ${consoleLinks} console links`);
});

test('alert thresholds are read from the rules: numbers, products and the first comparison only', () => {
  assert.equal(comparisonThreshold('sum(x) / sum(y)\n  > 0.05'), 0.05);
  assert.equal(comparisonThreshold('probe_ssl_earliest_cert_expiry - time() < 14 * 86400'), 14 * 86400);
  assert.equal(comparisonThreshold('a > bool b'), undefined);
  assert.equal(comparisonThreshold('rate(x[5m]) > rate(y[5m])'), undefined);
  assert.equal(alerts.get('HighErrorRate')?.threshold, 0.05);
  assert.equal(alerts.get('NodeCPUHigh')?.threshold, 90);
});

/** The threshold steps of the first panel whose title matches. */
function steps(d: DashboardJson, title: RegExp): number[] {
  const p = allPanels(d).find((x) => title.test(x.title));
  assert.ok(p, `${d.uid}: a panel titled ${title}`);
  return (p.fieldConfig?.defaults.thresholds?.steps ?? []).flatMap((s) => (s.value === null ? [] : [s.value]));
}

test('units and thresholds follow the spec and the alerting rules: changing them changes the dashboards', () => {
  const overview = committed.get('mlmon-slo-overview.json')!;
  assert.deepEqual(steps(overview, /^SLI over 30d$/), [0.995]);
  assert.deepEqual(
    steps(overview, /^Burn rate/).sort((a, b) => a - b),
    [1, 3, 6, 14.4],
  );
  const gateway = committed.get('mlmon-gateway-red.json')!;
  assert.deepEqual(steps(gateway, /error ratio/), [alerts.get('HighErrorRate')!.threshold]);
  assert.deepEqual(steps(gateway, /Latency/).sort(), [0.3, alerts.get('HighLatencyP99')!.threshold].sort());
  assert.equal(allPanels(gateway).find((p) => /Latency/.test(p.title))?.fieldConfig?.defaults.unit, 's');

  // Another objective, another latency threshold and another alert line.
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-grafana-'));
  try {
    cpSync(fromRepo('config'), dir, { recursive: true });
    const spec = readFileSync(join(dir, 'slos.yaml'), 'utf8')
      .replace('objective: 99.5', 'objective: 99.9')
      .replace('threshold: 0.3', 'threshold: 0.5');
    writeFileSync(join(dir, 'slos.yaml'), spec);
    writeFileSync(join(dir, 'prometheus', 'alerting_rules.yml'), rulesText.replace('> 0.05\n', '> 0.02\n'));
    const files = grafanaFiles(dashboardSources(dir), defaultSettings());
    const get = (uid: string) => JSON.parse(files.find((f) => f.path.endsWith(`${uid}.json`))!.content) as DashboardJson;
    assert.deepEqual(steps(get('mlmon-slo-overview'), /^SLI over 30d$/), [0.999]);
    assert.deepEqual(steps(get('mlmon-gateway-red'), /error ratio/), [0.02]);
    assert.ok(steps(get('mlmon-gateway-red'), /Latency/).includes(0.5));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an alert a dashboard draws must exist: removing it from the rules fails the generation with its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-grafana-'));
  try {
    cpSync(fromRepo('config'), dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus', 'alerting_rules.yml'), rulesText.replace('alert: NodeCPUHigh', 'alert: NodeCpuHot'));
    assert.throws(() => grafanaFiles(dashboardSources(dir), defaultSettings()), /NodeCPUHigh/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
