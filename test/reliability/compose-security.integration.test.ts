/** The compose stack, secure by default, proven without a Docker engine: the
 * committed docker-compose.yml run as written (each service's program, user,
 * command, mounts at their container paths and group_add; see
 * test/container/compose-namespace.ts) in a private network namespace, with the
 * login folder `mlmon compose configure` writes. The real Prometheus,
 * Alertmanager, Pushgateway, node and blackbox exporters (Debian's builds),
 * our sink and console, a fake Docker Engine API on the socket for docker_sd.
 * What an attacker without the login tries gets 401; the stack's own clients
 * (scrapes, probes, alert deliveries, the console, Grafana's datasource) work. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  CONTAINER_ACCESS,
  COMPOSE_VARIABLES,
  configureCompose,
  containerSettings,
  interpolateCompose,
  MOUNTS,
  SCRAPE_LABELS,
} from '../../src/container/index.js';
import { DEFAULT_PORTS } from '../../src/definition/index.js';
import { fromRepo, repoRoot } from '../../src/paths.js';
import { basicAuthorization, type BasicCredentials } from '../../src/upstream/index.js';
import { canRunNamespaces, startComposeNamespace, type ComposeNamespace, type ComposeService } from '../container/compose-namespace.js';
import { startFakeDocker, type FakeContainer, type FakeDocker } from '../container/fake-docker.js';
import { FindingLog } from '../support/reliability/index.js';

const log = new FindingLog('compose-security');
/** A group no file of this machine uses: the login folder's and the containers' (group_add). */
const SECRETS_GID = 4242;
const DOCKER_GID = 4243;
const P = DEFAULT_PORTS;
const RUN = ['notification-sink', 'alertmanager', 'prometheus', 'pushgateway', 'node-exporter', 'blackbox-exporter', 'console'];
const FORWARD = [
  P.prometheus,
  P.alertmanager,
  P.pushgateway,
  P['node-exporter'],
  P['blackbox-exporter'],
  P['notification-sink'],
  P.console,
];
const PORT_OF: Record<string, number> = {
  prometheus: P.prometheus,
  alertmanager: P.alertmanager,
  pushgateway: P.pushgateway,
  'node-exporter': P['node-exporter'],
  'blackbox-exporter': P['blackbox-exporter'],
  'notification-sink': P['notification-sink'],
  console: P.console,
};

const skipReason = canRunNamespaces();

describe('compose: the stack as docker-compose.yml runs it, behind its login', { timeout: 600_000 }, () => {
  let dir = '';
  let ns: ComposeNamespace | undefined;
  let docker: FakeDocker | undefined;
  let login: BasicCredentials = { username: '', password: '' };
  let services: Record<string, ComposeService> = {};
  let loginDir = '';
  const auth = () => ({ authorization: basicAuthorization(login) });
  const http = (service: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    ns!.http(PORT_OF[service]!, path, init);
  /** An attacker's request: a service that stops answering (a lifecycle endpoint obeyed) is a finding, status 0, not an exception. */
  const attempt = (service: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    http(service, path, init).catch((e: Error) => ({
      status: 0,
      headers: {} as Record<string, string | string[] | undefined>,
      text: e.message,
    }));

  before(async () => {
    if (skipReason) return;
    dir = mkdtempSync(join(tmpdir(), 'mlmon-compose-security-'));
    // The containers' users (nobody, node) reach their volumes below it.
    chmodSync(dir, 0o711);
    const envFile = join(dir, '.env');
    // No password in .env: configure makes one, as on a first run.
    const r = await configureCompose({
      envFile,
      outDir: join(dir, 'docker', 'local', 'alertmanager'),
      loginDir: join(dir, 'docker', 'local', 'login'),
      composeDir: repoRoot,
      templatesDir: fromRepo('config', 'alertmanager', 'templates'),
      settings: containerSettings(),
      gid: SECRETS_GID,
      env: {},
    });
    loginDir = r.loginDir;
    login = { username: r.username, password: readFileSync(join(r.loginDir, 'admin-password'), 'utf8').trim() };
    const vars = Object.fromEntries([...readFileSync(envFile, 'utf8').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const text = interpolateCompose(readFileSync(fromRepo('docker-compose.yml'), 'utf8'), {
      ...vars,
      GRAFANA_ADMIN_PASSWORD: 'not-used-here-0123',
      DOCKER_GID: String(DOCKER_GID),
    });
    services = (parse(text) as { services: Record<string, ComposeService> }).services;
    // The Docker Engine API Prometheus's docker_sd asks: every labelled service, at the namespace's loopback.
    const containers: FakeContainer[] = Object.entries(services)
      .filter(([, s]) => s.labels?.[SCRAPE_LABELS.job])
      .map(([name, s]) => ({
        name: `mlmon-${name}-1`,
        labels: { 'com.docker.compose.project': 'mlmon', 'com.docker.compose.service': name, ...s.labels },
        networks: { mlmon: '127.0.0.1' },
        ports: [{ port: Number(s.labels![SCRAPE_LABELS.port]) }],
      }));
    const socket = join(dir, 'docker.sock');
    docker = await startFakeDocker(socket, containers, [{ name: 'mlmon', id: 'a'.repeat(64) }]);
    // As dockerd leaves its socket: root and the docker group, which the compose file adds to Prometheus (group_add).
    chownSync(socket, 0, DOCKER_GID);
    chmodSync(socket, 0o660);
    ns = await startComposeNamespace({
      dir,
      services,
      run: RUN,
      hostPaths: { '/var/run/docker.sock': socket },
      forward: FORWARD,
      hostnames: Object.keys(services),
    });
    // Every service listening (a 401 is an answer).
    const deadline = Date.now() + 60_000;
    for (const s of RUN) {
      for (;;) {
        const a = await http(s, s === 'notification-sink' || s === 'console' ? '/health' : '/metrics').catch(() => undefined);
        if (a) break;
        if (Date.now() > deadline) throw new Error(`${s} did not answer:\n${readFileSync(ns.logOf(s), 'utf8').slice(-2000)}`);
        await new Promise((res) => setTimeout(res, 250));
      }
    }
  });

  after(async () => {
    await ns?.stop();
    await docker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    log.save();
  });

  test('without the login: every read, write and lifecycle endpoint answers 401, with no CORS header', async (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: unauthenticated requests to every published service', skipReason);
    const silence = JSON.stringify({
      matchers: [{ name: 'alertname', value: '.+', isRegex: true, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'attacker',
      comment: 'x',
    });
    const forged = 'http_requests_total{status="500"} 1e6\n';
    const tries: Array<[string, string, string, string?, string?]> = [
      ['prometheus', 'GET', '/api/v1/query?query=up'],
      ['prometheus', 'GET', '/graph'],
      ['prometheus', 'GET', '/api/v1/status/config'],
      ['prometheus', 'POST', '/-/quit', 'x=1', 'application/x-www-form-urlencoded'],
      ['prometheus', 'POST', '/-/reload', 'x=1', 'application/x-www-form-urlencoded'],
      ['prometheus', 'POST', '/api/v1/admin/tsdb/delete_series?match[]=up', '', 'text/plain'],
      ['prometheus', 'GET', '/metrics'],
      ['alertmanager', 'GET', '/api/v2/status'],
      ['alertmanager', 'GET', '/api/v2/alerts'],
      ['alertmanager', 'POST', '/api/v2/silences', silence, 'text/plain'],
      ['alertmanager', 'POST', '/api/v2/alerts', '[]', 'text/plain'],
      ['alertmanager', 'POST', '/-/reload', 'x=1', 'application/x-www-form-urlencoded'],
      ['pushgateway', 'POST', '/metrics/job/inference-gateway/instance/x', forged, 'text/plain'],
      ['pushgateway', 'PUT', '/metrics/job/inference-gateway', forged, 'text/plain'],
      ['pushgateway', 'GET', '/api/v1/metrics'],
      ['pushgateway', 'PUT', '/api/v1/admin/wipe'],
      ['node-exporter', 'GET', '/metrics'],
      ['blackbox-exporter', 'GET', '/probe?target=http://prometheus:9090/-/ready&module=http_2xx_stack_auth'],
      ['blackbox-exporter', 'POST', '/-/reload', 'x=1', 'application/x-www-form-urlencoded'],
      ['notification-sink', 'GET', '/notifications'],
      ['notification-sink', 'POST', '/slack/webhook', '{"text":"forged page"}', 'application/json'],
      ['notification-sink', 'POST', '/v2/enqueue', '{}', 'application/json'],
      ['console', 'GET', '/slos'],
      ['console', 'GET', '/api/alerts'],
      ['console', 'POST', '/api/silences', silence, 'application/json'],
    ];
    const answers: Array<{ what: string; status: number; cors: boolean }> = [];
    for (const [svc, method, path, body, type] of tries) {
      // What a page of another origin sends: its Origin, a simple content type (no preflight).
      const headers: Record<string, string> = { origin: 'http://evil.example', host: `127.0.0.1:${PORT_OF[svc]}` };
      if (type) headers['content-type'] = type;
      const a = await attempt(svc, path, { method, headers, ...(body !== undefined ? { body } : {}) });
      answers.push({
        what: `${svc} ${method} ${path.split('?')[0]}`,
        status: a.status,
        cors: a.headers['access-control-allow-origin'] !== undefined,
      });
    }
    // A wrong password is no better.
    const wrong = basicAuthorization({ username: login.username, password: `${login.password}x` });
    const wrongAnswers = await Promise.all(
      ['prometheus', 'alertmanager', 'pushgateway', 'node-exporter', 'blackbox-exporter', 'notification-sink', 'console'].map(
        async (s) =>
          (
            await attempt(s, s === 'notification-sink' ? '/notifications' : s === 'console' ? '/slos' : '/metrics', {
              headers: { authorization: wrong },
            })
          ).status,
      ),
    );
    // Afterwards, with the login: nothing changed.
    const silenceList = await attempt('alertmanager', '/api/v2/silences', { headers: auth() });
    const silences = silenceList.status === 200 ? (JSON.parse(silenceList.text) as unknown[]) : [];
    const groups = (await attempt('pushgateway', '/api/v1/metrics', { headers: auth() })).text;
    const ready = (await attempt('prometheus', '/-/ready', { headers: auth() })).status;
    const not401 = answers.filter((a) => a.status !== 401);
    log.verify(
      'security',
      `Compose: ${tries.length} requests without the login, sent as a page of another origin would (Origin header, text/plain and form bodies: silences, pushes, /-/quit, /-/reload, admin APIs) to Prometheus, Alertmanager, the Pushgateway, the node and blackbox exporters, the sink and the console of docker-compose.yml; then a wrong password to each`,
      `${answers.length - not401.length} of ${answers.length} answered 401${not401.length ? ` (not: ${not401.map((a) => `${a.what} → ${a.status}`).join(', ')})` : ''}; CORS header on ${answers.filter((a) => a.cors).length}; wrong password → ${[...new Set(wrongAnswers)].join(', ')}; afterwards: ${silenceList.status === 200 ? `${silences.length} silences` : `silences unreadable (${silenceList.status})`}, forged group stored: ${groups.includes('inference-gateway')}, Prometheus ready: ${ready}`,
      () => {
        assert.deepEqual(not401, []);
        assert.deepEqual(
          answers.filter((a) => a.cors),
          [],
        );
        assert.deepEqual([...new Set(wrongAnswers)], [401]);
        assert.equal(silenceList.status, 200);
        assert.equal(silences.length, 0);
        assert.ok(!groups.includes('inference-gateway'));
        assert.equal(ready, 200);
      },
    );
  });

  test('scrapes and blackbox probes present the login: every target of the services that run is up', async (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: scrapes and probes with the login', skipReason);
    const wanted = ['prometheus', 'alertmanager', 'node', 'pushgateway', 'blackbox-exporter', 'notification-sink'];
    let up: Record<string, string> = {};
    let probes: Record<string, number> = {};
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const targets = JSON.parse((await http('prometheus', '/api/v1/targets', { headers: auth() })).text) as {
        data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
      };
      up = Object.fromEntries(
        targets.data.activeTargets
          .filter((a) => wanted.includes(a.labels.job!))
          .map((a) => [a.labels.job!, a.health === 'up' ? 'up' : a.lastError || a.health]),
      );
      const q = await http('prometheus', `/api/v1/query?query=${encodeURIComponent('probe_success{module="http_2xx_stack_auth"}')}`, {
        headers: auth(),
      });
      probes = Object.fromEntries(
        (JSON.parse(q.text) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result.map(
          (r) => [r.metric.instance!, Number(r.value[1])],
        ),
      );
      if (wanted.every((j) => up[j] === 'up') && Object.keys(probes).length === 2 && Object.values(probes).every((v) => v === 1)) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    log.verify(
      'security',
      'Compose: Prometheus scrapes (docker_sd against a fake Docker API on the socket) and blackbox probes of Prometheus and Alertmanager, each presenting the login from the mounted folder',
      `targets: ${wanted.map((j) => `${j} ${up[j] ?? 'absent'}`).join(', ')}; probe_success ${Object.entries(probes)
        .map(([i, v]) => `${i} ${v}`)
        .join(', ')}`,
      () => {
        for (const j of wanted) assert.equal(up[j], 'up', `${j}: ${up[j]}`);
        assert.deepEqual(Object.values(probes), [1, 1]);
      },
    );
  });

  test('alerts travel Prometheus → Alertmanager → sink with the login: the heartbeat, a page (PagerDuty and Slack) and an email (SMTP AUTH)', async (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: alert deliveries with the login', skipReason);
    const page = {
      labels: {
        alertname: 'SLOAvailabilityFastBurn',
        severity: 'critical',
        category: 'slo',
        service: 'inference-gateway',
        slo: 'availability',
      },
      annotations: { summary: 'burning', description: 'fast burn', runbook_url: 'https://example.invalid/runbook' },
    };
    const mail = {
      labels: { alertname: 'ComposeLoginMail', severity: 'info', category: 'other' },
      annotations: { summary: 'to the fallback' },
    };
    const post = await http('alertmanager', '/api/v2/alerts', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify([page, mail]),
    });
    assert.equal(post.status, 200);
    let got: Array<{ integration: string }> = [];
    let delivered = 0;
    const deadline = Date.now() + 120_000;
    const want = ['email', 'pagerduty', 'slack', 'webhook'];
    // Prometheus's own counters, read from it (with the login) rather than from its next self-scrape.
    const counter = (text: string, name: string) =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    while (Date.now() < deadline) {
      got = JSON.parse((await http('notification-sink', '/notifications', { headers: auth() })).text) as Array<{ integration: string }>;
      const own = (await http('prometheus', '/metrics', { headers: auth() })).text;
      delivered = counter(own, 'prometheus_notifications_sent_total') - counter(own, 'prometheus_notifications_errors_total');
      if (delivered > 0 && want.every((w) => got.some((g) => g.integration === w))) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    const failed = readFileSync(ns!.logOf('alertmanager'), 'utf8')
      .split('\n')
      .filter((l) => /Notify for alerts failed|notify retry canceled/.test(l)).length;
    const kinds = [...new Set(got.map((g) => g.integration))].sort();
    log.verify(
      'security',
      'Compose: alert deliveries with the login: Prometheus → Alertmanager (basic_auth), Alertmanager → the sink over HTTP (http_config basic_auth) and SMTP (AUTH LOGIN), the sink asking for the login',
      `Prometheus sent ${delivered} alert batches to Alertmanager without error; the sink recorded ${kinds.join(', ')}; failed deliveries in Alertmanager's log: ${failed}`,
      () => {
        assert.ok(delivered > 0, 'Prometheus delivered the Watchdog');
        assert.deepEqual(kinds, want);
        assert.equal(failed, 0);
      },
    );
  });

  test("Grafana's provisioned datasource, read as Grafana's user with the compose mounts, queries Prometheus with the login", (t) => {
    if (skipReason) return log.skip(t, 'security', "Compose: Grafana's datasource with the login", skipReason);
    const grafana = services.grafana!;
    // Grafana's own mounts and user, plus this checkout at /app for the probe script and node.
    const probe = ns!.runOnce('grafana-probe', { ...grafana, volumes: [...(grafana.volumes ?? []), `${repoRoot}:/app:ro`] }, [
      'node',
      '/app/dist/test/container/grafana-datasource-probe.js',
    ]);
    const line = probe.output.trim().split('\n').pop() ?? '';
    let r: {
      url: string;
      basicAuth: boolean;
      passwordRead: boolean;
      withLogin: { status: number; series: number };
      withoutLogin: { status: number };
    };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw new Error(`probe output: ${probe.output}`);
    }
    // Without the group, Grafana's user cannot read the password.
    const denied = ns!.runOnce(
      'grafana-denied',
      { ...grafana, group_add: [], volumes: [...(grafana.volumes ?? []), `${repoRoot}:/app:ro`] },
      ['node', '/app/dist/test/container/grafana-datasource-probe.js'],
    );
    log.verify(
      'security',
      `Compose: Grafana's provisioned datasource (basic auth, password $__file{${CONTAINER_ACCESS.passwordFile}}) as Grafana's user ${grafana.user} with its compose mounts`,
      `${r.url}: with the login → ${r.withLogin.status} (${r.withLogin.series} series of up); without → ${r.withoutLogin.status}; without group_add the password file is unreadable: ${/EACCES/.test(denied.output)}`,
      () => {
        assert.equal(r.basicAuth, true);
        assert.equal(r.passwordRead, true);
        assert.equal(r.withLogin.status, 200);
        assert.ok(r.withLogin.series > 0);
        assert.equal(r.withoutLogin.status, 401);
        assert.notEqual(denied.code, 0);
        assert.match(denied.output, /EACCES/);
      },
    );
  });

  test('the console asks for the login and reads Prometheus, Alertmanager and the sink with it', async (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: the console with the login', skipReason);
    const host = { host: `127.0.0.1:${P.console}` };
    const slos = await http('console', '/api/slos', { headers: { ...host, ...auth() } });
    const alerts = await http('console', '/api/alerts', { headers: { ...host, ...auth() } });
    const notes = await http('console', '/api/notifications', { headers: { ...host, ...auth() } });
    const anonymous = await http('console', '/api/slos', { headers: host });
    const configured = (JSON.parse(notes.text) as { configured?: boolean }).configured;
    log.verify(
      'security',
      'Compose: the console (--login-dir, --require-login) with and without the login',
      `with: /api/slos ${slos.status}, /api/alerts ${alerts.status}, /api/notifications ${notes.status} (sink configured: ${configured}); without: ${anonymous.status}`,
      () => {
        assert.equal(slos.status, 200, slos.text.slice(0, 300));
        assert.equal(alerts.status, 200, alerts.text.slice(0, 300));
        assert.equal(notes.status, 200, notes.text.slice(0, 300));
        assert.equal(configured, true);
        assert.equal(anonymous.status, 401);
      },
    );
  });

  test("the compose file's health checks pass behind the login, and fail on a server that answers without it", (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: health checks', skipReason);
    const results: Array<[string, number | null]> = [];
    for (const s of ['prometheus', 'alertmanager', 'pushgateway', 'node-exporter', 'blackbox-exporter']) {
      const test = services[s]!.healthcheck!.test;
      assert.equal(test[0], 'CMD-SHELL');
      results.push([s, ns!.shell(test[1]!).code]);
    }
    // The same check against the sink's open /health: a server answering 200 without a login fails it.
    const sinkCheck = services.prometheus!.healthcheck!.test[1]!.replace(`${P.prometheus}/-/ready`, `${P['notification-sink']}/health`);
    const open = ns!.shell(sinkCheck).code;
    log.verify(
      'security',
      "Compose: each protected service's health check (busybox wget, no password on the command line) run in the namespace",
      `${results.map(([s, c]) => `${s} exit ${c}`).join(', ')}; the same check on a server without login: exit ${open}`,
      () => {
        for (const [s, c] of results) assert.equal(c, 0, s);
        assert.notEqual(open, 0);
      },
    );
  });

  test('`mlmon compose configure` files: owner and one group only; compose refuses to start without them', (t) => {
    if (skipReason) return log.skip(t, 'security', 'Compose: login files and the required variable', skipReason);
    const modes = ['', 'web-config.yml', 'admin-user', 'admin-password'].map((f) => {
      const st = statSync(join(loginDir, f));
      return `${f || 'login/'} ${(st.mode & 0o777).toString(8)} gid ${st.gid}`;
    });
    const other = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', join(loginDir, 'admin-password')], {
      encoding: 'utf8',
    });
    const webConfig = readFileSync(join(loginDir, 'web-config.yml'), 'utf8');
    let refusal = '';
    try {
      interpolateCompose(readFileSync(fromRepo('docker-compose.yml'), 'utf8'), { GRAFANA_ADMIN_PASSWORD: 'x-required-password' });
    } catch (e) {
      refusal = (e as Error).message;
    }
    log.verify(
      'security',
      `Compose: the login folder of \`mlmon compose configure\` (mounted at ${MOUNTS.login}); another user reading the password; \`docker compose\` without ${COMPOSE_VARIABLES.loginDir.name}`,
      `${modes.join(', ')}; other user: ${other.status === 0 ? 'read it' : 'refused'}; password in web-config.yml: ${webConfig.includes(login.password)}; compose without the variable: "${refusal}"`,
      () => {
        assert.deepEqual(
          ['', 'web-config.yml', 'admin-user', 'admin-password'].map((f) => statSync(join(loginDir, f)).mode & 0o777),
          [0o750, 0o640, 0o640, 0o640],
        );
        assert.notEqual(other.status, 0);
        assert.ok(!webConfig.includes(login.password));
        assert.match(webConfig, /\$2[aby]\$/);
        assert.match(refusal, new RegExp(COMPOSE_VARIABLES.loginDir.name));
      },
    );
  });
});
