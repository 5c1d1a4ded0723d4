import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FindingLog,
  listenersOf,
  rssBytes,
  runAutocannon,
  scanForSecrets,
  soakMode,
  type CannonResult,
} from '../support/reliability/index.js';
import { adminTokenPath } from '../../src/gateway/index.js';
import { ADMIN_PASSWORD_FILE } from '../../src/upstream/index.js';
import type { ComponentName } from '../../src/definition/index.js';
import { eventually, runMlmon, startTestStack, type TestStack } from '../support/stack.js';

const SOAK = soakMode();
const LOAD_SECONDS = SOAK ? 600 : 20;
const LOAD_RATE = SOAK ? 300 : 200;
const BODY = JSON.stringify({ features: { sepal_length: 5.9, sepal_width: 3.0, petal_length: 4.2, petal_width: 1.5 } });
/** A fake credential: it must reach only the owner-only secrets file, never a log or a rendered config. */
const FAKE_PAGERDUTY_KEY = 'mlmonTESTonlyRoutingKey0123456789abcdef';
const MiB = 1024 * 1024;

const log = new FindingLog('stack');

/** Sum of every sample of `metric` in an exposition text. */
function sumOf(text: string, metric: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('reliability of a running stack (test profile, 1 s scrapes)', { timeout: SOAK ? 3_600_000 : 900_000 }, () => {
  let stack: TestStack;
  const gatewayUrl = () => `http://127.0.0.1:${stack.ports['inference-gateway']}`;
  const exporterUrl = () => `http://127.0.0.1:${stack.ports['ml-model-exporter']}`;
  const component = (name: ComponentName) => {
    const c = stack.state().components.find((x) => x.name === name);
    assert.ok(c, `${name} is part of the stack`);
    return c;
  };
  const gatewayCount = async () => sumOf(await (await fetch(`${gatewayUrl()}/metrics`)).text(), 'inference_predictions_total');
  const exporterCount = async () => sumOf(await (await fetch(`${exporterUrl()}/metrics`)).text(), 'ml_predictions_total');
  const load = (seconds: number): Promise<CannonResult> =>
    runAutocannon({
      url: `${gatewayUrl()}/predict`,
      method: 'POST',
      body: BODY,
      headers: { 'content-type': 'application/json' },
      connections: 8,
      rate: LOAD_RATE,
      durationSeconds: seconds,
    });

  before(async () => {
    // Kept for the whole suite: `mlmon reload` renders the Alertmanager config from
    // the caller's environment, and would route PagerDuty to the sink without it.
    process.env.PAGERDUTY_ROUTING_KEY = FAKE_PAGERDUTY_KEY;
    stack = await startTestStack(['--profile', 'test']);
    await eventually(
      'every target up',
      async () => {
        const res = await fetch(`http://127.0.0.1:${stack.ports.prometheus}/api/v1/targets`, { headers: stack.auth() });
        const t = ((await res.json()) as { data: { activeTargets: Array<{ health: string }> } }).data.activeTargets;
        return t.length > 0 && t.every((x) => x.health === 'up');
      },
      90_000,
    );
  });

  after(async () => {
    delete process.env.PAGERDUTY_ROUTING_KEY;
    await stack?.stop();
    log.save();
  });

  test(`load: ${LOAD_SECONDS} s of /predict at ${LOAD_RATE}/s from autocannon; no errors, bounded memory, fast scrapes, nothing lost`, async () => {
    const gwPid = component('inference-gateway').pid!;
    const exPid = component('ml-model-exporter').pid!;
    const rssBefore = { gw: rssBytes(gwPid)!, ex: rssBytes(exPid)! };
    const r = await load(LOAD_SECONDS);
    const rssAfter = { gw: rssBytes(gwPid)!, ex: rssBytes(exPid)! };
    const window = `${LOAD_SECONDS + 5}s`;
    const scrape = await stack.promQuery(`max by (job) (max_over_time(scrape_duration_seconds[${window}]))`);
    const slowest = scrape.reduce((m, s) => (Number(s.value[1]) > Number(m.value[1]) ? s : m));
    const scrapeMax = Number(slowest.value[1]);
    const gw = await gatewayCount();
    // Waits for the exporter to catch up; a time-out leaves the counts apart and the assertion below says so.
    await eventually(
      'the exporter counts every prediction',
      async () => ((await exporterCount()) === gw ? true : undefined),
      60_000,
      250,
    ).catch(() => false);
    const ex = await exporterCount();
    const mb = (b: number) => (b / MiB).toFixed(0);
    log.verify(
      'load',
      `autocannon, 8 connections, ${LOAD_RATE} req/s for ${LOAD_SECONDS} s on POST /predict`,
      `${r.requests} requests, ${r.throughputPerSecond.toFixed(0)} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms, errors ${r.errors}`,
      () => {
        assert.equal(r.errors, 0, `load errors: ${JSON.stringify(r.statusCodes)}`);
        assert.ok(r.requests >= LOAD_RATE * LOAD_SECONDS * 0.8, `only ${r.requests} requests were sent`);
      },
    );
    log.verify(
      'load',
      'memory (RSS) of the gateway and the ML exporter before/after the load',
      `gateway ${mb(rssBefore.gw)} → ${mb(rssAfter.gw)} MiB, exporter ${mb(rssBefore.ex)} → ${mb(rssAfter.ex)} MiB (bound: +150 MiB each)`,
      () => {
        assert.ok(rssAfter.gw - rssBefore.gw < 150 * MiB, 'gateway memory growth');
        assert.ok(rssAfter.ex - rssBefore.ex < 150 * MiB, 'exporter memory growth');
      },
    );
    log.verify(
      'load',
      'slowest scrape of any target during the load (scrape_duration_seconds, interval 1 s)',
      `${(scrapeMax * 1000).toFixed(0)} ms (job ${slowest.metric.job}); bound 500 ms`,
      () => assert.ok(scrapeMax < 0.5, `slowest scrape ${scrapeMax}s`),
    );
    log.verify(
      'load',
      'predictions counted by the gateway vs by the ML exporter (through the event spool)',
      `gateway ${gw}, exporter ${ex}: ${gw - ex} lost`,
      () => assert.equal(ex, gw),
    );
  });

  /** SIGKILLs `name` after `delayMs` of a load run, returns the seconds until it is healthy again under a new pid. */
  async function killUnderLoad(
    name: ComponentName,
    loadSeconds = 8,
    delayMs = 2000,
    beforeKill?: () => Promise<void>,
  ): Promise<{ recovery: number; load: CannonResult; oldPid: number }> {
    const running = load(loadSeconds);
    await new Promise((r) => setTimeout(r, delayMs));
    await beforeKill?.();
    const c = component(name);
    const oldPid = c.pid!;
    const t0 = Date.now();
    process.kill(oldPid, 'SIGKILL');
    await eventually(
      `${name} back`,
      async () => {
        const now = component(name);
        if (!now.pid || now.pid === oldPid || now.state !== 'healthy') return undefined;
        const res = await fetch(now.readyUrl, { signal: AbortSignal.timeout(1000), headers: stack.auth() });
        await res.arrayBuffer();
        return res.ok;
      },
      60_000,
      100,
    );
    const recovery = (Date.now() - t0) / 1000;
    return { recovery, load: await running, oldPid };
  }

  test('SIGKILL of the ML exporter under load: back, resumes from its checkpoint without double counting', async () => {
    const { recovery, load: r } = await killUnderLoad('ml-model-exporter');
    const gw = await gatewayCount();
    await eventually('exporter caught up again', async () => ((await exporterCount()) === gw ? true : undefined), 60_000, 250).catch(
      () => false,
    );
    const ex = await exporterCount();
    log.verify(
      'faults',
      'SIGKILL of ml-model-exporter under load',
      `healthy again after ${recovery.toFixed(1)} s; gateway ${gw} vs exporter ${ex} predictions after replay from the checkpoint (${gw - ex} apart); load errors ${r.errors}`,
      () => {
        assert.equal(ex, gw);
        assert.equal(r.errors, 0);
      },
    );
  });

  test('SIGKILL of Prometheus under load: back, samples up to the last write before the kill are there (WAL replay)', async () => {
    const rangeValues = async (start: number, end: number): Promise<Array<[number, string]>> => {
      const u = new URL(`http://127.0.0.1:${stack.ports.prometheus}/api/v1/query_range`);
      u.searchParams.set('query', 'up{job="prometheus"}');
      u.searchParams.set('start', String(start));
      u.searchParams.set('end', String(end));
      u.searchParams.set('step', '1');
      const body = (await (await fetch(u, { headers: stack.auth() })).json()) as {
        data: { result: Array<{ values: Array<[number, string]> }> };
      };
      return body.data.result[0]?.values ?? [];
    };
    let seenBefore: Array<[number, string]> = [];
    let windowEnd = 0;
    const { recovery, load: r } = await killUnderLoad('prometheus', 8, 2500, async () => {
      windowEnd = Math.floor(Date.now() / 1000);
      seenBefore = await rangeValues(windowEnd - 30, windowEnd);
    });
    const killedAt = Date.now() / 1000 - recovery;
    const afterRestart = await rangeValues(windowEnd - 30, windowEnd);
    const untilKill = await rangeValues(windowEnd - 30, killedAt);
    const newest = untilKill.length ? untilKill[untilKill.length - 1]![0] : 0;
    const gap = killedAt - newest;
    const intact = JSON.stringify(afterRestart) === JSON.stringify(seenBefore);
    log.verify(
      'faults',
      'SIGKILL of Prometheus under load, then WAL replay',
      `healthy again after ${recovery.toFixed(1)} s; the ${seenBefore.length} one-second steps read just before the kill read back ${intact ? 'identical' : 'DIFFERENT'}; newest sample ${gap.toFixed(1)} s before the kill; load errors ${r.errors}`,
      () => {
        assert.ok(seenBefore.length >= 25, `only ${seenBefore.length} steps before the kill`);
        assert.deepEqual(afterRestart, seenBefore, 'samples before the kill are intact');
        assert.ok(gap < 3, `samples of the ${gap.toFixed(1)} s before the kill are missing`);
        assert.equal(r.errors, 0);
      },
    );
  });

  for (const name of ['alertmanager', 'node-exporter', 'blackbox-exporter', 'pushgateway', 'notification-sink', 'console'] as const) {
    test(`SIGKILL of ${name} under load: restarted, the gateway never notices`, async () => {
      const { recovery, load: r } = await killUnderLoad(name, 6, 1500);
      log.verify('faults', `SIGKILL of ${name} under load`, `healthy again after ${recovery.toFixed(1)} s; load errors ${r.errors}`, () =>
        assert.equal(r.errors, 0),
      );
    });
  }

  test('SIGKILL of the gateway under load: back; predictions it answered are in the spool except its last unflushed 100 ms', async () => {
    const g0 = await gatewayCount();
    await eventually('exporter caught up before the kill', async () => ((await exporterCount()) === g0 ? true : undefined), 60_000, 250);
    const e0 = await exporterCount();
    const { recovery, load: r } = await killUnderLoad('inference-gateway', 8, 3000);
    const answered = r.statusCodes['200'] ?? 0;
    // Settle: the exporter reads everything the old and the new gateway wrote.
    let last = -1;
    await eventually(
      'exporter settled',
      async () => {
        const now = await exporterCount();
        const settled = now === last;
        last = now;
        return settled;
      },
      60_000,
      1500,
    );
    const counted = (await exporterCount()) - e0;
    // Requests in flight at the kill may have been predicted and spooled but never
    // answered (their connection died): at most one per connection counts extra.
    const lost = answered - counted;
    const bound = Math.ceil(LOAD_RATE * 0.2);
    const inFlight = 8;
    log.verify(
      'faults',
      'SIGKILL of inference-gateway under load',
      `healthy again after ${recovery.toFixed(1)} s; ${r.errors} requests failed while it was down; of ${answered} answered predictions ${counted} reached the exporter (${lost > 0 ? `${lost} lost from the unflushed spool buffer` : `${-lost} spooled whose answer died with the connection`}; bounds ${bound} lost, ${inFlight} in flight)`,
      () => {
        assert.ok(lost >= -inFlight, `the exporter counted ${-lost} more predictions than were answered`);
        assert.ok(lost <= bound, `${lost} answered predictions never reached the exporter`);
      },
    );
  });

  test('mlmon reload refuses broken configs with file, line and reason; the running config keeps working', async () => {
    const cases: Array<{ what: string; file: string; breakIt: (t: string) => string; expect: RegExp }> = [
      {
        what: 'alerting rule with a PromQL syntax error',
        file: join(stack.configDir, 'prometheus', 'alerting_rules.yml'),
        breakIt: (t) => t.replace(/expr: /, 'expr: sum(( '),
        expect: /alerting_rules\.yml/,
      },
      {
        what: 'Alertmanager notification template that does not parse',
        file: join(stack.configDir, 'alertmanager', 'templates', 'slack.tmpl'),
        breakIt: (t) => `${t}\n{{ define "broken" }}{{ .CommonLabels.alertname \n`,
        expect: /alertmanager/,
      },
      {
        what: 'SLO spec with an objective of 101',
        file: join(stack.configDir, 'slos.yaml'),
        breakIt: (t) => t.replace(/objective: [0-9.]+/, 'objective: 101'),
        expect: /slos\.yaml:\d+/,
      },
      {
        what: 'blackbox config that is not YAML',
        file: join(stack.configDir, 'exporters', 'blackbox.yml'),
        breakIt: (t) => `${t}\n  - : [\n`,
        expect: /blackbox/,
      },
    ];
    for (const c of cases) {
      const good = readFileSync(c.file, 'utf8');
      const bad = c.breakIt(good);
      assert.notEqual(bad, good, `could not break ${c.file}`);
      writeFileSync(c.file, bad);
      let r;
      try {
        r = runMlmon(['reload', '--data-dir', stack.dataDir]);
      } finally {
        writeFileSync(c.file, good);
      }
      const firstLine = r.stderr.trim().split('\n').slice(0, 3).join(' ').replaceAll(stack.dataDir, '<data>').replace(/\s+/g, ' ');
      const ready = await fetch(`http://127.0.0.1:${stack.ports.prometheus}/-/ready`, { headers: stack.auth() });
      const amReady = await fetch(`http://127.0.0.1:${stack.ports.alertmanager}/-/ready`, { headers: stack.auth() });
      log.verify(
        'faults',
        `mlmon reload with a broken ${c.what}`,
        `exit ${r.code}: ${firstLine.slice(0, 220)}; Prometheus ${ready.status}, Alertmanager ${amReady.status} afterwards`,
        () => {
          assert.notEqual(r.code, 0, `${c.what} was accepted`);
          assert.match(r.stderr, c.expect);
          assert.ok(ready.ok && amReady.ok);
        },
      );
    }
    const ok = runMlmon(['reload', '--data-dir', stack.dataDir]);
    assert.equal(ok.code, 0, `the restored config reloads: ${ok.stderr}`);
  });

  test('security: every listener of the stack binds 127.0.0.1', () => {
    const st = stack.state();
    const pids = [st.supervisorPid, ...st.components.map((c) => c.pid!)];
    const listeners = listenersOf(pids);
    const exposed = listeners.filter((l) => l.address !== '127.0.0.1' && l.address !== '::ffff:127.0.0.1');
    const expected = Object.values(stack.ports);
    const seen = new Set(listeners.map((l) => l.port));
    log.verify(
      'security',
      'listening sockets of every stack process (from /proc/net/tcp{,6})',
      `${listeners.length} listeners on ${seen.size} ports; ${exposed.length} not on loopback${exposed.length ? `: ${exposed.map((l) => `${l.address}:${l.port}`).join(', ')}` : ''}`,
      () => {
        assert.deepEqual(exposed, []);
        for (const p of expected) assert.ok(seen.has(p), `port ${p} of the stack is listening`);
      },
    );
  });

  test('security: the fault control needs the token; mlmon fault finds it in the data dir', async () => {
    const url = `${gatewayUrl()}/admin/fault`;
    const anonymous = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"error_ratio":1}' });
    const tokenFile = adminTokenPath(stack.dataDir);
    const mode = statSync(tokenFile).mode & 0o777;
    const show = runMlmon(['fault', 'show', '--data-dir', stack.dataDir, '--json']);
    log.verify(
      'security',
      'PUT /admin/fault without a token; `mlmon fault show --data-dir`',
      `HTTP ${anonymous.status} without token; token file mode ${mode.toString(8)}; mlmon fault exit ${show.code}`,
      () => {
        assert.equal(anonymous.status, 401);
        assert.equal(mode, 0o600);
        assert.equal(show.code, 0, show.stderr);
        assert.equal((JSON.parse(show.stdout) as { active: boolean }).active, false);
      },
    );
  });

  test('security: credential files are owner-only and no secret reaches a log or the rendered config', () => {
    const secretsDir = join(stack.dataDir, 'secrets');
    const files = readdirSync(secretsDir).map((f) => join(secretsDir, f));
    const loose = files.filter((f) => (statSync(f).mode & 0o077) !== 0);
    const dirMode = statSync(secretsDir).mode & 0o777;
    const token = readFileSync(adminTokenPath(stack.dataDir), 'utf8').trim();
    const key = join(secretsDir, 'pagerduty_routing_key');
    assert.equal(readFileSync(key, 'utf8').trim(), FAKE_PAGERDUTY_KEY, 'the fake key went to its secrets file');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
    const scanned = [...walk(join(stack.dataDir, 'logs')), ...walk(join(stack.dataDir, 'run')), join(stack.dataDir, 'state.json')];
    const password = readFileSync(join(secretsDir, ADMIN_PASSWORD_FILE), 'utf8').trim();
    const status = runMlmon(['status', '--json', '--data-dir', stack.dataDir]).stdout;
    const findings = [
      ...scanForSecrets(scanned, [FAKE_PAGERDUTY_KEY, token, password], stack.dataDir),
      ...(status.includes(password) || status.includes(token) ? [{ file: 'mlmon status --json', line: 0, what: 'a secret' }] : []),
    ];
    log.verify(
      'security',
      'secrets dir, credential files, logs, run dir, state.json and `status --json` of a stack given a PagerDuty key',
      `secrets dir ${dirMode.toString(8)}, ${files.length} files, ${loose.length} readable by others; ${scanned.length + 1} files and outputs scanned for the key, the admin token and the admin password: ${findings.length} found`,
      () => {
        assert.equal(dirMode, 0o700);
        assert.deepEqual(loose, []);
        assert.deepEqual(findings, []);
      },
    );
  });
});
