/** The container-mode Prometheus config, scrape jobs exactly as rendered,
 * discovering containers through a real Prometheus's docker_sd against a
 * fake Docker Engine API: the containers of docker-compose.yml (with the
 * labels compose gives them) plus the cases the relabeling must handle. Only
 * the docker host address is changed, from the socket to the fake API. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { SCRAPE_LABELS } from '../../src/container/index.js';
import { freePorts } from '../../src/net.js';
import { fromRepo } from '../../src/paths.js';
import { startPrometheus, stopProc, type Proc } from '../remote/support.js';
import { FAKE_API_VERSION, startFakeDocker, type FakeContainer, type FakeDocker, type FakeNetwork } from './fake-docker.js';

type ScrapeConfig = Record<string, unknown> & { job_name: string; docker_sd_configs?: Array<Record<string, unknown>> };
type PromConfig = { global: unknown; scrape_configs: ScrapeConfig[] };
type Service = { labels?: Record<string, string>; ports?: string[]; command?: string[] };
type ActiveTarget = { discoveredLabels: Record<string, string>; labels: Record<string, string>; scrapePool: string; scrapeUrl: string };
type DroppedTarget = { discoveredLabels: Record<string, string> };

const SOCKET_HOST = 'unix:///var/run/docker.sock';
const rendered = parse(readFileSync(fromRepo('docker/prometheus/prometheus.yml'), 'utf8')) as PromConfig;
const compose = parse(readFileSync(fromRepo('docker-compose.yml'), 'utf8')) as { name: string; services: Record<string, Service> };
const sdJobs = rendered.scrape_configs.filter((j) => j.docker_sd_configs).map((j) => j.job_name);

const NETWORKS: FakeNetwork[] = [
  { name: 'mlmon', id: 'a'.repeat(64), labels: { 'com.docker.compose.network': 'mlmon', 'com.docker.compose.project': 'mlmon' } },
  { name: 'frontend', id: 'b'.repeat(64) },
  { name: 'bridge', id: 'c'.repeat(64) },
];

/** Labels docker compose puts on a service's container, plus the service's own. */
function composeLabels(service: string, own: Record<string, string> = {}, replica = 1): Record<string, string> {
  return {
    'com.docker.compose.project': compose.name,
    'com.docker.compose.service': service,
    'com.docker.compose.container-number': String(replica),
    'com.docker.compose.oneoff': 'False',
    ...own,
  };
}

interface Expected {
  job: string;
  instance: string;
  /** What Prometheus scrapes. */
  url: string;
}

const containers: FakeContainer[] = [];
const expectedActive: Expected[] = [];
/** job, container, network of every target the relabeling must drop. */
const expectedDropped: Array<[string, string, string]> = [];

// Every compose service, as compose would run it, on the stack's network.
let ip = 10;
for (const [name, svc] of Object.entries(compose.services)) {
  const labels = svc.labels ?? {};
  const address = `192.0.2.${ip++}`;
  const published = (svc.ports ?? []).map((p) => Number(p.split(':').pop()));
  const c: FakeContainer = {
    name: `mlmon-${name}-1`,
    labels: composeLabels(name, labels),
    networks: { mlmon: address },
    ports: published.map((port) => ({ port, published: true })),
  };
  containers.push(c);
  const job = labels[SCRAPE_LABELS.job];
  if (job)
    expectedActive.push({
      job,
      instance: `${name}:${labels[SCRAPE_LABELS.port]}`,
      url: `http://${address}:${labels[SCRAPE_LABELS.port]}/metrics`,
    });
}
const byName = (n: string) => containers.find((c) => c.name === n)!;
// The sink also exposes SMTP and a UDP port: several ports of one container collapse into one target.
byName('mlmon-notification-sink-1').ports.push({ port: 9098 }, { port: 5353, type: 'udp' });
// The gateway is also attached to a second network: only its address on the stack's network is scraped.
byName('mlmon-inference-gateway-1').networks.frontend = '198.51.100.7';
expectedDropped.push(['inference-gateway', 'mlmon-inference-gateway-1', 'frontend']);
// Labelled for a job, but scraping switched off.
containers.push({
  name: 'mlmon-gateway-canary-1',
  labels: composeLabels('gateway-canary', {
    [SCRAPE_LABELS.scrape]: 'false',
    [SCRAPE_LABELS.job]: 'inference-gateway',
    [SCRAPE_LABELS.port]: '8000',
  }),
  networks: { mlmon: '192.0.2.100' },
  ports: [{ port: 8000 }],
});
expectedDropped.push(['inference-gateway', 'mlmon-gateway-canary-1', 'mlmon']);
// Labelled and switched on, but only on another network: not reachable from the stack.
containers.push({
  name: 'other-exporter',
  labels: { [SCRAPE_LABELS.scrape]: 'true', [SCRAPE_LABELS.job]: 'ml-model-exporter', [SCRAPE_LABELS.port]: '9101' },
  networks: { bridge: '172.17.0.5' },
  ports: [{ port: 9101 }],
});
expectedDropped.push(['ml-model-exporter', 'other-exporter', 'bridge']);
// A second container of a job, with its own metrics path and no exposed port at all (docker_sd's fallback port).
containers.push({
  name: 'mlmon-sink-shadow-1',
  labels: composeLabels('sink-shadow', {
    [SCRAPE_LABELS.scrape]: 'true',
    [SCRAPE_LABELS.job]: 'notification-sink',
    [SCRAPE_LABELS.port]: '9097',
    [SCRAPE_LABELS.path]: '/alt/metrics',
  }),
  networks: { mlmon: '192.0.2.101' },
  ports: [],
});
expectedActive.push({ job: 'notification-sink', instance: 'sink-shadow:9097', url: 'http://192.0.2.101:9097/alt/metrics' });
// Not for us: no scrape labels, or a job no scrape config has. The daemon-side filter must keep them out entirely.
containers.push({
  name: 'postgres',
  labels: { 'com.docker.compose.service': 'postgres' },
  networks: { mlmon: '192.0.2.102' },
  ports: [{ port: 5432 }],
});
containers.push({
  name: 'mystery',
  labels: { [SCRAPE_LABELS.scrape]: 'true', [SCRAPE_LABELS.job]: 'not-a-job', [SCRAPE_LABELS.port]: '1234' },
  networks: { mlmon: '192.0.2.103' },
  ports: [{ port: 1234 }],
});

let dir = '';
let docker: FakeDocker | undefined;
let prom: Proc | undefined;
let promPort = 0;

/** The rendered scrape configs with only `host` changed. */
function withDockerHost(url: string): ScrapeConfig[] {
  return rendered.scrape_configs.map((j) =>
    j.docker_sd_configs
      ? {
          ...j,
          docker_sd_configs: j.docker_sd_configs.map((sd) => {
            assert.equal(sd.host, SOCKET_HOST);
            return { ...sd, host: url };
          }),
        }
      : j,
  );
}

async function targets(): Promise<{ activeTargets: ActiveTarget[]; droppedTargets: DroppedTarget[] }> {
  const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`);
  return ((await r.json()) as { data: { activeTargets: ActiveTarget[]; droppedTargets: DroppedTarget[] } }).data;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlmon-docker-sd-'));
  const [apiPort, port] = await freePorts(2);
  promPort = port!;
  docker = await startFakeDocker(apiPort!, containers, NETWORKS);
  // Rule files and alerting are not under test (and Alertmanager's compose
  // name does not resolve here); the global section and every scrape job are as rendered.
  prom = await startPrometheus(dir, promPort, { global: rendered.global, scrape_configs: withDockerHost(docker.url) });
});

after(async () => {
  await stopProc(prom);
  await docker?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls until every docker_sd job has been refreshed at least once (its
 * targets reflect the fixtures); docker_sd refreshes at start, then every 15 s. */
async function discovered(): Promise<{ active: ActiveTarget[]; dropped: DroppedTarget[] }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await targets();
    const active = t.activeTargets.filter((a) => sdJobs.includes(a.scrapePool));
    const dropped = t.droppedTargets.filter((d) => sdJobs.includes(d.discoveredLabels.job ?? ''));
    if ((active.length >= expectedActive.length && dropped.length >= expectedDropped.length) || Date.now() > deadline)
      return { active, dropped };
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('exactly the expected containers become targets, with the job, instance and address the relabeling promises', async () => {
  const { active } = await discovered();
  const seen = active
    .map((a) => ({ job: a.labels.job!, instance: a.labels.instance!, url: a.scrapeUrl }))
    .sort((x, y) => `${x.job}${x.instance}`.localeCompare(`${y.job}${y.instance}`));
  const want = [...expectedActive].sort((x, y) => `${x.job}${x.instance}`.localeCompare(`${y.job}${y.instance}`));
  assert.deepEqual(seen, want);
  // One target per job from the compose file, so every docker_sd job is exercised.
  for (const job of sdJobs)
    assert.ok(
      seen.some((s) => s.job === job),
      `job ${job} found its container`,
    );
  for (const a of active) {
    assert.equal(a.scrapePool, a.labels.job);
    // The native jobs' static labels survive (the rules select on `service`).
    const svc = (
      rendered.scrape_configs.find((j) => j.job_name === a.scrapePool)!.relabel_configs as Array<{
        target_label?: string;
        replacement?: string;
        source_labels?: string[];
      }>
    ).find((r) => r.target_label === 'service' && !r.source_labels);
    if (svc) assert.equal(a.labels.service, svc.replacement, `${a.scrapePool} carries service`);
    // No discovery metadata leaks into the series.
    assert.deepEqual(
      Object.keys(a.labels).filter((k) => k.startsWith('__')),
      [],
    );
  }
});

test('what the relabeling drops: scraping switched off, an address on another network', async () => {
  const { dropped } = await discovered();
  const seen = dropped.map((d) => [
    d.discoveredLabels.job,
    d.discoveredLabels.__meta_docker_container_name!.replace(/^\//, ''),
    d.discoveredLabels.__meta_docker_network_name,
  ]);
  assert.deepEqual(seen.map((s) => s.join(' ')).sort(), expectedDropped.map((s) => s.join(' ')).sort());
  const all = JSON.stringify(await targets());
  for (const foreign of ['postgres', 'mystery']) assert.ok(!all.includes(`"/${foreign}"`), `${foreign} is filtered out by the daemon`);
});

test("the real Prometheus negotiated the API version and asked the daemon for each job's label only", async () => {
  await discovered();
  const reqs = docker!.requests;
  assert.ok(
    reqs.some((r) => r.path === '/_ping'),
    'version negotiation through /_ping',
  );
  const list = reqs.filter((r) => r.path === `/v${FAKE_API_VERSION}/containers/json`);
  const networks = reqs.filter((r) => r.path === `/v${FAKE_API_VERSION}/networks`);
  assert.ok(list.length >= sdJobs.length, `${list.length} container lists`);
  assert.ok(networks.length >= sdJobs.length, `${networks.length} network lists`);
  const asked = new Set(list.map((r) => JSON.stringify(JSON.parse(r.query.filters ?? '{}'))));
  for (const job of sdJobs) {
    const filter = `${SCRAPE_LABELS.job}=${job}`;
    assert.ok(
      [...asked].some((f) => f.includes(JSON.stringify(filter))),
      `filter for ${job}: ${[...asked].join(' ')}`,
    );
  }
  const unknown = reqs.filter((r) => r.path !== '/_ping' && !r.path.startsWith(`/v${FAKE_API_VERSION}/`));
  assert.deepEqual(unknown, [], 'every call after negotiation uses the negotiated version');
  const endpoints = [...new Set(reqs.map((r) => `${r.method} ${r.path}`))].sort();
  assert.deepEqual(
    endpoints.filter((e) => !/^(GET|HEAD) \/_ping$/.test(e)),
    [`GET /v${FAKE_API_VERSION}/containers/json`, `GET /v${FAKE_API_VERSION}/networks`],
  );
});
