/** The security suite: what an attacker on this machine would try against a
 * stack started with the defaults (another web origin in a real browser, a
 * process without the credentials, a batch job that pushes forged or too many
 * series, another local user planting files, a killed supervisor, a flood of
 * notifications, hostile spool content). Each check asserts the protection. */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { pidAlive, stackPaths } from '../../src/definition/index.js';
import { catalogModel, catalogOf } from '../../src/exporter/catalog.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { tunedConfig } from '../../src/exporter/tuning.js';
import { applyEvents, emptyState, FUTURE_TOLERANCE_MS } from '../../src/exporter/state.js';
import { listSegments, openEventWriter, readEvents } from '../../src/events/index.js';
import { createAdminToken } from '../../src/gateway/index.js';
import { buildGateway, type Gateway } from '../../src/gateway/server.js';
import { freePort, freePorts, portIsFree } from '../../src/net.js';
import { SEGMENT_BYTES, startNotificationSink, type NotificationSink } from '../../src/sink/index.js';
import { readAdminCredentials, WEB_CONFIG_FILE } from '../../src/upstream/index.js';
import { CHROMIUM } from '../console/browser.js';
import { feedback, prediction, syntheticMetadata } from '../exporter/fixtures.js';
import { FindingLog } from '../support/reliability/index.js';
import { eventually, runMlmon, startTestStack, type TestStack } from '../support/stack.js';

const log = new FindingLog('security');
const execFileAsync = promisify(execFile);
const HEARTBEAT_TOKEN = 'hb-test-token-not-a-secret-0123456789';
const MiB = 1024 * 1024;

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP request (fetch would not let us set Host). */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(init.body);
  });
}

describe('security: an attacker against a stack started with the defaults', { timeout: 600_000 }, () => {
  let stack: TestStack;
  const url = (c: keyof TestStack['ports'], path = '') => `http://127.0.0.1:${stack.ports[c]}${path}`;
  const query = async (q: string): Promise<number> => {
    const r = await stack.promQuery(q);
    return Number(r[0]?.value[1] ?? NaN);
  };

  before(async () => {
    stack = await startTestStack(['--scrape-interval', '1s'], {
      ...process.env,
      HEARTBEAT_URL: `http://127.0.0.1:9/ping/${HEARTBEAT_TOKEN}`,
    });
  });

  after(async () => {
    await stack?.stop();
    log.save();
  });

  test('status --json names where the credentials are, never the secret', () => {
    const out = stack.mlmon(['status', '--json', '--data-dir', stack.dataDir]);
    const comps = (JSON.parse(out.stdout) as { components: Array<{ name: string; auth?: { username: string; passwordFile: string } }> })
      .components;
    const withAuth = comps.filter((c) => c.auth).map((c) => c.name);
    const password = readFileSync(join(stackPaths(stack.dataDir).secretsDir, 'admin-password'), 'utf8').trim();
    const file = comps.find((c) => c.name === 'prometheus')?.auth?.passwordFile ?? '';
    log.verify(
      'security',
      '`mlmon status --json`: the `auth` object of each protected component',
      `auth on ${withAuth.join(', ')}; passwordFile ${file.replace(stack.dataDir, '<data>')} (mode ${(statSync(file).mode & 0o777).toString(8)}); password in the output: ${out.stdout.includes(password)}`,
      () => {
        for (const c of ['prometheus', 'alertmanager', 'pushgateway', 'node-exporter', 'blackbox-exporter', 'console'])
          assert.ok(withAuth.includes(c), `${c} has auth`);
        assert.equal(readFileSync(file, 'utf8').trim(), password);
        assert.equal(statSync(file).mode & 0o777, 0o600);
        assert.ok(!out.stdout.includes(password));
      },
    );
  });

  test('every endpoint of every protected component refuses a request without credentials', async () => {
    const probes: Array<[keyof TestStack['ports'], string, string]> = [
      ['prometheus', 'GET', '/'],
      ['prometheus', 'GET', '/api/v1/query?query=up'],
      ['prometheus', 'GET', '/api/v1/status/config'],
      ['prometheus', 'GET', '/metrics'],
      ['prometheus', 'GET', '/federate?match[]=up'],
      ['prometheus', 'GET', '/-/ready'],
      ['prometheus', 'POST', '/-/reload'],
      ['prometheus', 'POST', '/-/quit'],
      ['prometheus', 'POST', '/api/v1/admin/tsdb/delete_series?match[]=up'],
      ['alertmanager', 'GET', '/'],
      ['alertmanager', 'GET', '/api/v2/status'],
      ['alertmanager', 'GET', '/api/v2/alerts'],
      ['alertmanager', 'POST', '/api/v2/silences'],
      ['alertmanager', 'POST', '/api/v2/alerts'],
      ['alertmanager', 'POST', '/-/reload'],
      ['alertmanager', 'GET', '/metrics'],
      ['pushgateway', 'GET', '/'],
      ['pushgateway', 'GET', '/api/v1/metrics'],
      ['pushgateway', 'POST', '/metrics/job/x'],
      ['pushgateway', 'PUT', '/metrics/job/x'],
      ['pushgateway', 'DELETE', '/metrics/job/mlmon_train'],
      ['pushgateway', 'PUT', '/api/v1/admin/wipe'],
      ['pushgateway', 'GET', '/metrics'],
      ['node-exporter', 'GET', '/metrics'],
      ['node-exporter', 'GET', '/'],
      ['blackbox-exporter', 'GET', '/metrics'],
      ['blackbox-exporter', 'GET', '/probe?module=http_2xx&target=http://127.0.0.1:9'],
      ['blackbox-exporter', 'POST', '/-/reload'],
      ['console', 'GET', '/slos'],
      ['console', 'GET', '/api/alerts'],
      ['console', 'POST', '/api/silences'],
    ];
    const answers = await Promise.all(
      probes.map(async ([c, method, path]) => {
        const a = await raw(url(c, path), {
          method,
          headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
          ...(method === 'GET' ? {} : { body: 'x 1\n' }),
        });
        return { what: `${c} ${method} ${path}`, status: a.status, body: a.body };
      }),
    );
    const open = answers.filter((a) => a.status !== 401);
    const leaks = answers.filter((a) => a.body.includes(HEARTBEAT_TOKEN));
    const prom = stack.state().components.find((c) => c.name === 'prometheus')!;
    log.verify(
      'security',
      `${probes.length} unauthenticated requests (reads, writes, /-/reload, /-/quit, silences, pushes, admin APIs) to Prometheus, Alertmanager, Pushgateway, node and blackbox exporters and the console`,
      `${answers.length - open.length} answered 401${open.length ? `; open: ${open.map((a) => `${a.what} → ${a.status}`).join(', ')}` : ''}; heartbeat token in an answer: ${leaks.length}; Prometheus still pid ${prom.pid}, restarts ${prom.restarts}`,
      () => {
        assert.deepEqual(
          open.map((a) => `${a.what} → ${a.status}`),
          [],
        );
        assert.equal(leaks.length, 0);
        assert.equal(prom.restarts, 0, 'Prometheus was not stopped');
      },
    );
  });

  test('a page of another origin in Chromium cannot silence, push, reload or stop anything', async () => {
    const evilPort = await freePort();
    const targets = {
      silences: url('alertmanager', '/api/v2/silences'),
      push: url('pushgateway', '/metrics/job/inference-gateway/instance/evil'),
      quit: url('prometheus', '/-/quit'),
      reload: url('alertmanager', '/-/reload'),
      consoleSilence: url('console', '/api/silences'),
    };
    const silence = JSON.stringify({
      matchers: [{ name: 'alertname', value: '.+', isRegex: true, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'evil',
      comment: 'evil',
    });
    const page = `<!doctype html><body><iframe name="sink"></iframe><script>
      const T = ${JSON.stringify(targets)};
      const S = ${JSON.stringify(silence)};
      const out = {};
      const attempt = async (name, p) => { try { const r = await p; out[name] = r.type === 'opaque' ? 'opaque' : r.status; } catch (e) { out[name] = 'blocked'; } };
      window.run = async () => {
        await attempt('silence cors', fetch(T.silences, { method: 'POST', headers: { 'content-type': 'application/json' }, body: S }));
        await attempt('silence no-cors', fetch(T.silences, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: S }));
        await attempt('push no-cors', fetch(T.push, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: 'http_requests_total{status="500",route="/predict",method="POST"} 1e6\\n' }));
        await attempt('push cors', fetch(T.push, { method: 'POST', body: 'http_requests_total{status="500"} 1e6\\n' }));
        await attempt('console silence', fetch(T.consoleSilence, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"labels":{"alertname":"x"},"duration":"1h"}' }));
        await attempt('console silence no-cors', fetch(T.consoleSilence, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"labels":{"alertname":"x"},"duration":"1h"}' }));
        for (const [name, action] of [['quit form', T.quit], ['reload form', T.reload]]) {
          const f = document.createElement('form');
          f.method = 'POST'; f.action = action; f.target = 'sink';
          document.body.appendChild(f); f.submit();
          await new Promise((r) => setTimeout(r, 700));
          out[name] = 'submitted';
        }
        return out;
      };
    </script></body>`;
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((r) => server.listen(evilPort, '127.0.0.1', r));
    const profile = mkdtempSync(join(tmpdir(), 'mlmon-sec-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    let results: Record<string, unknown>;
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${evilPort}/`);
      results = (await tab.evaluate('window.run()')) as Record<string, unknown>;
    } finally {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
      server.close();
    }
    await new Promise((r) => setTimeout(r, 2500)); // a scrape or two (1 s interval)
    const silences = (await (await fetch(url('alertmanager', '/api/v2/silences'), { headers: stack.auth() })).json()) as unknown[];
    const groups = await (await fetch(url('pushgateway', '/api/v1/metrics'), { headers: stack.auth() })).text();
    const prom = stack.state().components.find((c) => c.name === 'prometheus')!;
    const forged = await query('count(http_requests_total{instance="evil"}) or vector(0)');
    log.verify(
      'security',
      'page of another origin in headless Chromium: fetch (cors and no-cors) to Alertmanager silences, the Pushgateway and the console; form POST to /-/quit and /-/reload',
      `browser saw ${Object.entries(results)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(
          ', ',
        )}; afterwards: ${silences.length} silences, forged group stored: ${groups.includes('evil')}, forged series ${forged}, Prometheus restarts ${prom.restarts}`,
      () => {
        assert.equal(silences.length, 0, 'no silence was created');
        assert.ok(!groups.includes('evil'), 'nothing was pushed');
        assert.equal(forged, 0);
        assert.equal(prom.restarts, 0, 'Prometheus was not stopped');
        assert.ok(pidAlive(prom.pid), 'Prometheus runs');
      },
    );
  });

  test('a push that names a scraped job never enters its series (the SLO selectors)', async () => {
    const auth = stack.auth();
    const res = await fetch(url('pushgateway', '/metrics/job/inference-gateway/instance/forged'), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'http_requests_total{status="500",route="/predict",method="POST"} 1000000\n',
    });
    assert.equal(res.status, 200);
    const renamed = await eventually('the pushed series scraped', async () =>
      (await query('count(http_requests_total{job="pushed_inference-gateway"}) or vector(0)')) > 0 ? true : undefined,
    );
    const inSlo = await query('count(http_requests_total{job="inference-gateway", instance="forged"}) or vector(0)');
    await fetch(url('pushgateway', '/metrics/job/inference-gateway/instance/forged'), { method: 'DELETE', headers: auth });
    log.verify(
      'security',
      'a job with the credentials pushes http_requests_total{status="500"} as job="inference-gateway" (impersonating the SLO\'s job)',
      `forged series under job="inference-gateway": ${inSlo}; kept under job="pushed_inference-gateway": ${renamed}`,
      () => assert.equal(inSlo, 0),
    );
  });

  test('a push of 60,000 series is refused at scrape (sample_limit) and PushgatewayScrapeRefused goes off', async () => {
    const auth = stack.auth();
    const before = await query('prometheus_tsdb_head_series');
    const flood = Array.from({ length: 60_000 }, (_, i) => `flood_series{i="${i}"} 1`).join('\n') + '\n';
    const res = await fetch(url('pushgateway', '/metrics/job/flood'), {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: flood,
    });
    assert.equal(res.status, 200);
    const alert = await eventually(
      'PushgatewayScrapeRefused pending',
      async () => (await stack.promQuery('ALERTS{alertname="PushgatewayScrapeRefused"}'))[0],
      60_000,
    );
    const afterSeries = await query('prometheus_tsdb_head_series');
    const flooded = await query('count(flood_series) or vector(0)');
    await fetch(url('pushgateway', '/metrics/job/flood'), { method: 'DELETE', headers: auth });
    await eventually('pushgateway scraped again', async () => ((await query('up{job="pushgateway"}')) === 1 ? true : undefined), 60_000);
    log.verify(
      'security',
      'a job with the credentials pushes 60,000 series to the Pushgateway',
      `TSDB head series ${before} → ${afterSeries}; flood series stored ${flooded}; ALERTS{alertname="PushgatewayScrapeRefused"} ${alert.metric.alertstate}; the pushgateway target back up after the group is deleted`,
      () => {
        assert.equal(flooded, 0);
        assert.ok(afterSeries - before < 10_000, `head grew by ${afterSeries - before}`);
        assert.ok(['pending', 'firing'].includes(alert.metric.alertstate ?? ''));
      },
    );
  });

  test('pushed training results survive a restart of the Pushgateway (persistence file)', async () => {
    const auth = stack.auth();
    await fetch(url('pushgateway', '/metrics/job/mlmon_train/model/iris'), {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'ml_training_failed 0\n',
    });
    const before = stack.state().components.find((c) => c.name === 'pushgateway')!;
    // SIGTERM: the Pushgateway writes its persistence file on the way out; the supervisor restarts it.
    process.kill(before.pid!, 'SIGTERM');
    await eventually('pushgateway restarted', () => {
      const c = stack.state().components.find((x) => x.name === 'pushgateway')!;
      return c.pid !== before.pid && c.state === 'healthy' ? true : undefined;
    });
    const groups = await (await fetch(url('pushgateway', '/api/v1/metrics'), { headers: auth })).text();
    const file = stackPaths(stack.dataDir).pushgatewayFile;
    log.verify(
      'faults',
      'a training result pushed, then the Pushgateway restarted',
      `persistence file ${existsSync(file) ? `${statSync(file).size} bytes` : 'missing'}; group mlmon_train after the restart: ${groups.includes('mlmon_train')}`,
      () => {
        assert.ok(existsSync(file));
        assert.ok(groups.includes('mlmon_train'));
      },
    );
  });

  test('files: the data folder and what the children write are private', () => {
    const p = stackPaths(stack.dataDir);
    const modes = [p.dataDir, p.logsDir, p.eventsDir, p.sinkDir, p.secretsDir, p.prometheusData].map(
      (d) => [d.replace(stack.dataDir, '<data>'), statSync(d).mode & 0o777] as const,
    );
    const logFile = join(p.logsDir, 'prometheus.log');
    const web = join(p.secretsDir, WEB_CONFIG_FILE);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    const password = readAdminCredentials(p.secretsDir)!.password;
    log.verify(
      'security',
      'modes of the data folder, its children and the files written by the processes; the command lines in `ps`',
      `${modes.map(([d, m]) => `${d} ${m.toString(8)}`).join(', ')}; prometheus.log ${(statSync(logFile).mode & 0o777).toString(8)}; web config ${(statSync(web).mode & 0o777).toString(8)}; password in ps: ${ps.includes(password)}`,
      () => {
        assert.equal(modes[0]![1], 0o700);
        for (const [d, m] of modes) assert.equal(m & 0o077, 0, `${d} is private`);
        assert.equal(statSync(logFile).mode & 0o077, 0);
        assert.equal(statSync(web).mode & 0o777, 0o600);
        assert.ok(!ps.includes(password));
      },
    );
  });

  test('console: another Host (DNS rebinding) is refused, framing is forbidden, and it asks for the login', async () => {
    const auth = stack.auth();
    const rebound = await raw(url('console', '/slos'), { headers: { ...auth, host: `evil.example:${stack.ports.console}` } });
    const own = await raw(url('console', '/slos'), { headers: auth });
    const anonymous = await raw(url('console', '/slos'));
    log.verify(
      'security',
      'console: GET with Host evil.example (DNS rebinding), framing headers, no login',
      `Host evil.example → ${rebound.status}; own Host → ${own.status}, X-Frame-Options ${String(own.headers['x-frame-options'])}, CSP ${String(own.headers['content-security-policy'])}; without login → ${anonymous.status}`,
      () => {
        assert.equal(rebound.status, 421);
        assert.equal(own.status, 200);
        assert.equal(own.headers['x-frame-options'], 'DENY');
        assert.match(String(own.headers['content-security-policy']), /frame-ancestors 'none'/);
        assert.equal(anonymous.status, 401);
      },
    );
  });

  test('mlmon reload with Prometheus frozen: one clear line, the others reload, Prometheus catches up when it resumes', async () => {
    const prom = stack.state().components.find((c) => c.name === 'prometheus')!;
    const amMetric = async () => {
      const text = await (await fetch(url('alertmanager', '/metrics'), { headers: stack.auth() })).text();
      return Number(/^alertmanager_config_last_reload_success_timestamp_seconds (\S+)$/m.exec(text)?.[1] ?? 0);
    };
    const amBefore = await amMetric();
    process.kill(prom.pid!, 'SIGSTOP');
    let r;
    const t0 = Date.now();
    try {
      r = runMlmon(['reload', '--data-dir', stack.dataDir]);
    } finally {
      process.kill(prom.pid!, 'SIGCONT');
    }
    const seconds = (Date.now() - t0) / 1000;
    const amAfter = await amMetric();
    const promReloaded = await eventually(
      'Prometheus reloads once resumed',
      async () => ((await query('prometheus_config_last_reload_success_timestamp_seconds')) * 1000 > t0 ? true : undefined),
      30_000,
    ).catch(() => false);
    const errLines = r.stderr.trim().split('\n').filter(Boolean);
    log.verify(
      'faults',
      '`mlmon reload` while Prometheus is frozen (SIGSTOP)',
      `exit ${r.code} after ${seconds.toFixed(1)} s: "${(errLines[0] ?? '').replaceAll(stack.dataDir, '<data>').slice(0, 160)}"; Alertmanager reloaded: ${amAfter > amBefore}; Prometheus reloaded once resumed: ${promReloaded}`,
      () => {
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /prometheus did not confirm the reload/);
        assert.doesNotMatch(r.stderr, /DOMException|at .*\.js:\d+/, 'no stack trace');
        assert.ok(amAfter > amBefore, 'Alertmanager reloaded');
        assert.ok(promReloaded);
      },
    );
  });
});

describe('security: a killed supervisor, then up and down', { timeout: 300_000 }, () => {
  test('mlmon up after a killed supervisor stops the orphans it can prove its own; mlmon down always stops them', async () => {
    const stack = await startTestStack();
    try {
      const first = stack.state();
      process.kill(first.supervisorPid, 'SIGKILL');
      await eventually('supervisor gone', () => (!pidAlive(first.supervisorPid) ? true : undefined), 10_000);
      const orphans = first.components.filter((c) => c.pid && pidAlive(c.pid)).length;
      const up = runMlmon(['up', '--detach', ...stack.args]);
      const second = stack.state();
      const survivors = first.components.filter((c) => c.pid && pidAlive(c.pid) && !second.components.some((s) => s.pid === c.pid));
      process.kill(second.supervisorPid, 'SIGKILL');
      await eventually('second supervisor gone', () => (!pidAlive(second.supervisorPid) ? true : undefined), 10_000);
      const down = runMlmon(['down', '--data-dir', stack.dataDir]);
      const left = second.components.filter((c) => c.pid && pidAlive(c.pid));
      const busy = (await Promise.all(Object.values(stack.ports).map(async (p) => ((await portIsFree(p)) ? 0 : 1)))).reduce(
        (a: number, b: number) => a + b,
        0,
      );
      log.verify(
        'faults',
        'SIGKILL of the supervisor, then `mlmon up`; SIGKILL again, then `mlmon down`',
        `${orphans} orphans after the kill; up exit ${up.code} (${up.stdout.match(/stopping .* left running/g)?.length ?? 0} orphans stopped), ${survivors.length} old processes survived; down exit ${down.code}: ${left.length} processes and ${busy} listening ports left`,
        () => {
          assert.ok(orphans >= 9, 'the children outlived the supervisor');
          assert.equal(up.code, 0, up.stderr);
          assert.equal(survivors.length, 0);
          assert.equal(down.code, 0, down.stderr);
          assert.equal(left.length, 0);
          assert.equal(busy, 0);
        },
      );
    } finally {
      await stack.stop();
    }
  });
});

describe('security: files another local user could plant', () => {
  test('a symlink planted in secrets/ is replaced, never followed; a foreign-owned secrets/ is refused', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlmon-sec-plant-'));
    try {
      const secrets = join(dir, 'secrets');
      mkdirSync(secrets, { mode: 0o700 });
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious\n');
      symlinkSync(victim, join(secrets, 'admin-token'));
      const token = createAdminToken(secrets);
      const victimAfter = readFileSync(victim, 'utf8');
      const isLink = statSync(join(secrets, 'admin-token')).isFile();
      if (process.getuid?.() !== 0) {
        log.verify(
          'security',
          'a symlink planted at secrets/admin-token pointing to another file',
          `victim file ${victimAfter === 'precious\n' ? 'unchanged' : 'OVERWRITTEN'}; the link replaced by a regular file: ${isLink}`,
          () => {
            assert.equal(victimAfter, 'precious\n');
            assert.ok(isLink);
            assert.ok(token.length > 20);
          },
        );
        log.skip(t, 'security', 'a secrets/ folder owned by another user', 'needs root to give the folder to another user');
        return;
      }
      const foreign = join(dir, 'foreign');
      mkdirSync(join(foreign, 'secrets'), { recursive: true, mode: 0o700 });
      chownSync(join(foreign, 'secrets'), 65534, 65534);
      const up = runMlmon(['up', '--detach', '--data-dir', foreign, '--port', 'prometheus=1']);
      log.verify(
        'security',
        'a symlink planted at secrets/admin-token; a secrets/ folder owned by another user (uid 65534) before `mlmon up`',
        `victim file ${victimAfter === 'precious\n' ? 'unchanged' : 'OVERWRITTEN'}, link replaced by a regular file: ${isLink}; mlmon up exit ${up.code}: "${(
          up.stderr
            .trim()
            .split('\n')
            .find((l) => l.includes('uid')) ??
          up.stderr.trim().split('\n')[0] ??
          ''
        )
          .replaceAll(dir, '<tmp>')
          .slice(0, 160)}"`,
        () => {
          assert.equal(victimAfter, 'precious\n');
          assert.ok(isLink);
          assert.notEqual(up.code, 0);
          assert.match(up.stderr + up.stdout, /owned by uid 65534/);
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security: floods and hostile content', () => {
  let dataDir: string;
  let sink: NotificationSink | undefined;
  let gw: Gateway | undefined;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-sec-flood-'));
  });
  after(async () => {
    await sink?.close();
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
    log.save();
  });

  test('200 MiB of notifications: the store is bounded, listings stay small and fast', async () => {
    const [http, smtp] = await freePorts(2);
    sink = await startNotificationSink({ host: '127.0.0.1', httpPort: http!, smtpPort: smtp!, dataDir });
    const text = 'x'.repeat(1000 * 1000);
    const body = JSON.stringify({ text, channel: '#alerts' });
    let sent = 0;
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${sink!.httpUrl}/slack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => {
            sent += Buffer.byteLength(body);
            return r.arrayBuffer();
          }),
        ),
      );
    }
    const dir = stackPaths(dataDir).sinkDir;
    const stored = ['notifications.jsonl', 'notifications.1.jsonl'].reduce(
      (s, f) => s + (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0),
      0,
    );
    const t0 = Date.now();
    const list = await fetch(`${sink.httpUrl}/notifications`);
    const records = (await list.json()) as unknown[];
    const ms = Date.now() - t0;
    const metrics = await (await fetch(`${sink.httpUrl}/metrics`)).text();
    const dropped = Number(/^mlmon_sink_dropped_records_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
    const cli = runMlmon(['notifications', '--data-dir', dataDir, '--limit', '3']);
    log.verify(
      'hostile input',
      `${(sent / MiB).toFixed(0)} MiB of Slack notifications (200 × 1 MB) into the notification sink`,
      `store on disk ${(stored / MiB).toFixed(1)} MiB; GET /notifications → ${list.status}, ${records.length} records in ${ms} ms; ${dropped} records dropped (counted in mlmon_sink_dropped_records_total); mlmon notifications exit ${cli.code}`,
      () => {
        assert.ok(sent >= 190 * MiB);
        assert.ok(stored <= 2 * SEGMENT_BYTES, `store is ${stored} bytes`);
        assert.equal(list.status, 200);
        assert.ok(records.length > 0 && records.length <= 500);
        assert.ok(dropped > 0);
        assert.equal(cli.code, 0, cli.stderr);
      },
    );
  });

  test('a 5 MB body from a client that sends it all before reading (Python urllib) gets its 413', async () => {
    const port = await freePort();
    gw = await buildGateway({ dataDir, logger: pino({ level: 'silent' }) });
    await gw.app.listen({ host: '127.0.0.1', port });
    // Asynchronously: the gateway answers from this very process.
    const py = await execFileAsync(
      'python3',
      [
        '-c',
        `import urllib.request, urllib.error, sys
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{"x":"' + b'a' * 5 * 1024 * 1024 + b'"}', headers={'content-type': 'application/json'}))
    print('200')
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()[:80])
except Exception as e:
    print(type(e).__name__, str(e)[:80])`,
        `http://127.0.0.1:${port}/predict`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    ).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    const outcome = py.stdout.trim() || py.stderr.trim().split('\n').pop() || '';
    log.verify('hostile input', '5 MB POST /predict from Python urllib (the body is sent before the answer is read)', outcome, () =>
      assert.match(outcome, /^413 .*body_too_large/),
    );
  });

  test('an event stamped far in the future does not expire later predictions', () => {
    const catalog = catalogOf([catalogModel(syntheticMetadata(), ['v1'])]);
    const s = emptyState();
    const now = Date.now();
    const config = tunedConfig(DEFAULT_EXPORTER_CONFIG);
    applyEvents(s, [prediction('future', now + 10 * 365 * 86400_000, { a: 1, b: 2 }, 'x')], catalog, config, now);
    applyEvents(s, [prediction('p1', now + 1000, { a: 1, b: 2 }, 'x')], catalog, config, now + 1000);
    applyEvents(s, [feedback('p1', now + 60_000, 'x')], catalog, config, now + 60_000);
    const clamped = s.counters.eventsFutureClamped.get([]);
    const received = s.counters.groundTruthReceived.get(['demo', 'v1']);
    log.verify(
      'hostile input',
      'a spool event stamped 10 years ahead, then a prediction and its label a minute later',
      `newest event time ${new Date(s.lastEventTs).toISOString().slice(0, 10)} (now ${new Date(now).toISOString().slice(0, 10)}); clamped ${clamped}; the later label counted: ${received}`,
      () => {
        assert.ok(s.lastEventTs <= now + 60_000 + FUTURE_TOLERANCE_MS);
        assert.equal(clamped, 1);
        assert.equal(received, 1);
      },
    );
  });

  test('a segment named above 2^53 neither hangs the reader nor hides the next segment', async () => {
    const dir = join(dataDir, 'spool');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'segment-9999999999999999.jsonl'), '');
    const w = await openEventWriter({ dir });
    w.append({ type: 'feedback', id: 'a', ts: Date.now(), model: 'iris', version: 'v1', label: 'setosa' });
    await w.close();
    const segs = await listSegments(dir);
    const t0 = Date.now();
    const res = await Promise.race([
      readEvents(dir, { segment: 0, offset: 0 }, 100),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
    ]);
    log.verify(
      'hostile input',
      `a planted segment-9999999999999999.jsonl (a number past 2^53) in the event spool, then the writer and the reader`,
      `segments used ${JSON.stringify(segs)}; reader ${res ? `returned ${res.events.length} event in ${Date.now() - t0} ms` : 'HUNG'}`,
      () => {
        assert.deepEqual(segs, [1]);
        assert.ok(res);
        assert.equal(res.events.length, 1);
      },
    );
  });
});
