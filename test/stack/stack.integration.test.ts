import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pidAlive } from '../../src/definition/index.js';
import { eventually, runMlmon, startTestStack, type TestStack } from '../support/stack.js';

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

describe('the native stack on free loopback ports', { timeout: 600_000 }, () => {
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack(['--scrape-interval', '1s']);
    // A recording rule of our own in the stack's private config copy (in the
    // hand-written rule file: the generated ones must match what generates them).
    writeFileSync(
      join(stack.configDir, 'prometheus', 'alerting_rules.yml'),
      'groups:\n  - name: probe\n    rules:\n      - record: mlmon_test:up:count\n        expr: count(up)\n',
    );
    const r = runMlmon(['reload', '--data-dir', stack.dataDir]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await stack?.stop();
  });

  const targets = async (): Promise<Target[]> => {
    const res = await fetch(`http://127.0.0.1:${stack.ports.prometheus}/api/v1/targets`, { headers: stack.auth() });
    return ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
  };

  test('every target in /api/v1/targets is up', async () => {
    const all = await eventually('all targets up', async () => {
      const t = await targets();
      return t.length > 0 && t.every((x) => x.health === 'up') ? t : undefined;
    });
    const jobs = new Set(all.map((t) => t.labels.job));
    for (const job of ['prometheus', 'alertmanager', 'node', 'pushgateway', 'blackbox', 'blackbox-exporter']) {
      assert.ok(jobs.has(job), `job ${job} is scraped`);
    }
    const modules = new Set(all.filter((t) => t.labels.job === 'blackbox').map((t) => t.labels.module));
    assert.deepEqual([...modules].sort(), ['http_2xx', 'http_2xx_stack_auth', 'tcp_connect']);
  });

  test('status reports every component healthy', () => {
    const r = runMlmon(['status', '--data-dir', stack.dataDir, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const st = JSON.parse(r.stdout) as {
      healthy: boolean;
      components: Array<{ name: string; healthy: boolean; auth?: { tokenFile?: string } }>;
    };
    assert.equal(st.healthy, true);
    assert.ok(st.components.length >= 5);
    // The exporter's ingest API token: named by an absolute path, owner-only, and it opens the API.
    const auth = st.components.find((c) => c.name === 'ml-model-exporter')?.auth;
    assert.ok(auth?.tokenFile && isAbsolute(auth.tokenFile), JSON.stringify(auth));
    assert.equal(statSync(auth.tokenFile).mode & 0o777, 0o600);
  });

  test('the exporter ingest API answers with the token from status and refuses without it', async () => {
    const st = JSON.parse(runMlmon(['status', '--data-dir', stack.dataDir, '--json']).stdout) as {
      components: Array<{ name: string; url: string; auth?: { tokenFile: string } }>;
    };
    const exporter = st.components.find((c) => c.name === 'ml-model-exporter')!;
    const base = exporter.url.replace(/\/metrics$/, '');
    const token = readFileSync(exporter.auth!.tokenFile, 'utf8').trim();
    const post = (auth: string | undefined) =>
      fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ events: [] }),
      });
    assert.equal((await post(undefined)).status, 401);
    const ok = await post(`Bearer ${token}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { accepted: 0, rejected: [] });
  });

  test('metric_relabel_configs drops the unqueried high-cardinality family on a real scrape', async () => {
    // Prometheus exposes the family itself...
    const raw = await (await fetch(`http://127.0.0.1:${stack.ports.prometheus}/metrics`, { headers: stack.auth() })).text();
    assert.match(raw, /^prometheus_http_response_size_bytes_bucket\{/m);
    // ...but only its _count/_sum reach the TSDB.
    await eventually(
      'self-scrape stored',
      async () => (await stack.promQuery('prometheus_http_response_size_bytes_count{job="prometheus"}')).length > 0,
    );
    assert.equal((await stack.promQuery('prometheus_http_response_size_bytes_bucket')).length, 0);
  });

  test('a target added to a file_sd file is scraped without a restart', async () => {
    const file = join(stack.configDir, 'prometheus', 'targets', 'custom', 'extra.yml');
    writeFileSync(file, `- targets: ['127.0.0.1:${stack.ports['ml-model-exporter']}']\n  labels:\n    job: extra-node\n`);
    await eventually(
      'extra-node target up',
      async () => (await targets()).some((t) => t.labels.job === 'extra-node' && t.health === 'up'),
      90_000,
    );
  });

  test('a component killed with SIGKILL is restarted', async () => {
    const before = stack.state().components.find((c) => c.name === 'node-exporter')!;
    assert.ok(before.pid);
    process.kill(before.pid, 'SIGKILL');
    const after = await eventually('node-exporter restarted and healthy', () => {
      const c = stack.state().components.find((x) => x.name === 'node-exporter')!;
      return c.pid && c.pid !== before.pid && c.state === 'healthy' ? c : undefined;
    });
    assert.equal(after.restarts, before.restarts + 1);
    const log = readFileSync(join(stack.dataDir, 'logs', 'supervisor.log'), 'utf8');
    assert.match(log, /"component":"node-exporter".*restarting with backoff/);
  });

  test("Prometheus's samples from before survive a restart of Prometheus", async () => {
    await eventually('rule evaluated', async () => (await stack.promQuery('mlmon_test:up:count')).length > 0);
    const t = Date.now() / 1000 - 2;
    const beforeKill = await stack.promQuery('up{job="prometheus"}', t);
    assert.equal(beforeKill.length, 1);
    const prom = stack.state().components.find((c) => c.name === 'prometheus')!;
    process.kill(prom.pid!, 'SIGKILL');
    await eventually('prometheus back', () => {
      const c = stack.state().components.find((x) => x.name === 'prometheus')!;
      return c.pid && c.pid !== prom.pid && c.state === 'healthy';
    });
    const afterRestart = await stack.promQuery('up{job="prometheus"}', t);
    assert.deepEqual(
      afterRestart.map((r) => r.value[1]),
      beforeKill.map((r) => r.value[1]),
      'the sample from before the kill is still there (WAL replay)',
    );
  });

  test('mlmon reload refuses a broken rule file and the old rules keep evaluating', async () => {
    const file = join(stack.configDir, 'prometheus', 'alerting_rules.yml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('expr: count(up)', 'expr: count(up'));
    const r = runMlmon(['reload', '--data-dir', stack.dataDir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alerting_rules\.yml/);
    assert.match(r.stderr, /nothing was changed/);
    const evalAt = async () => {
      const res = await fetch(`http://127.0.0.1:${stack.ports.prometheus}/api/v1/rules`, { headers: stack.auth() });
      const body = (await res.json()) as { data: { groups: Array<{ name: string; lastEvaluation: string }> } };
      return body.data.groups.find((g) => g.name === 'probe')?.lastEvaluation;
    };
    const first = await evalAt();
    assert.ok(first, 'the old rule group is still loaded');
    await eventually(
      'the old rule keeps evaluating',
      async () => {
        const now = await evalAt();
        return now && now !== first;
      },
      20_000,
    );
    writeFileSync(file, good);
  });

  test('mlmon reload refuses SLO rules stale against slos.yaml, naming them; Prometheus and the console keep the running SLOs', async () => {
    const spec = join(stack.configDir, 'slos.yaml');
    const shipped = readFileSync(spec, 'utf8');
    const objectiveOf = async () => {
      const res = await fetch(`http://127.0.0.1:${stack.ports.console}/api/slos`, { headers: stack.auth() });
      const body = (await res.json()) as { slos: Array<{ id: string; objective: number }> };
      return body.slos.find((x) => x.id === 'inference-gateway/availability')?.objective;
    };
    const running = await objectiveOf();
    assert.ok(running !== undefined && running !== 0.1234, `the running objective ${String(running)}`);
    // A user edits the objective and forgets mlmon generate.
    writeFileSync(spec, shipped.replace(/objective: [0-9.]+/, 'objective: 12.34'));
    try {
      const r = runMlmon(['reload', '--data-dir', stack.dataDir]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(
        r.stderr,
        /recording_rules\.yml, .*slo_alerting_rules\.yml, .*slo_catalog\.json are stale against .*slos\.yaml; nothing was changed/,
      );
      assert.match(r.stderr, /mlmon slo rules --spec .*slos\.yaml --out/, 'says how to render them');
      assert.doesNotMatch(r.stdout, /reloaded/);
      assert.equal(await objectiveOf(), running, 'the console shows the objective of the rules Prometheus runs');
    } finally {
      writeFileSync(spec, shipped);
    }
  });

  test('a busy port fails fast, naming the port and the component', () => {
    const r = runMlmon([
      'up',
      '--data-dir',
      join(stack.dataDir, 'second'),
      '--port',
      `prometheus=${stack.ports.prometheus}`,
      '--without',
      'alertmanager',
      '--without',
      'node-exporter',
      '--without',
      'blackbox-exporter',
      '--without',
      'pushgateway',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${stack.ports.prometheus} \\(prometheus\\)`));
  });

  test('mlmon down leaves no process behind', async () => {
    const st = stack.state();
    const pids = [st.supervisorPid, ...st.components.map((c) => c.pid!)];
    const r = runMlmon(['down', '--data-dir', stack.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `pid ${pid} is gone`);
    assert.equal(runMlmon(['status', '--data-dir', stack.dataDir]).code, 3);
  });
});
