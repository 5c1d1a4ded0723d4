// What an attacker on this machine gets from a stack started with the defaults.
//   node dist/bench/security/probe.js [--keep]
// Starts a fresh stack (`mlmon up --detach`, free loopback ports, a temp data
// directory, a HEARTBEAT_URL carrying a token), tries each attack WITHOUT
// credentials, prints one line per finding, and stops the stack. The
// credentials, when the stack has any, are used only to read the outcome
// (series counts from Prometheus), never for the attack itself.
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { DEFAULT_PORTS, stackPaths, type PortName } from '../../src/definition/index.js';
import { readState } from '../../src/definition/index.js';

const EVIL = 'http://evil.example';
const HEARTBEAT_TOKEN = 'hb-probe-token-1234567890';

interface AuthInfo {
  username?: string;
  passwordFile?: string;
}

function mlmon(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [mlmonBin, ...args], { encoding: 'utf8', env, timeout: 240_000 });
}

async function status(url: string, init: RequestInit = {}): Promise<{ code: number | string; headers: Headers | undefined; body: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return { code: res.status, headers: res.headers, body: await res.text() };
  } catch (e) {
    return {
      code: (e as Error).cause ? String(((e as Error).cause as Error).message ?? e) : (e as Error).message,
      headers: undefined,
      body: '',
    };
  }
}

function mode(path: string): string {
  try {
    return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return 'missing';
  }
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-probe-'));
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, free[i]!])) as Record<PortName, number>;
  const env = { ...process.env, HEARTBEAT_URL: `http://127.0.0.1:9/ping/${HEARTBEAT_TOKEN}` };
  const up = mlmon(
    ['up', '--detach', '--data-dir', dataDir, '--scrape-interval', '2s', ...names.map((n) => `--port=${n}=${ports[n]}`)],
    env,
  );
  if (up.status !== 0) throw new Error(`mlmon up failed:\n${up.stdout}\n${up.stderr}`);
  const lines: string[] = [];
  const say = (what: string, result: string) => lines.push(`${what.padEnd(62)} ${result}`);
  try {
    const js = mlmon(['status', '--json', '--data-dir', dataDir]);
    const comps = (JSON.parse(js.stdout) as { components: { name: string; auth?: AuthInfo }[] }).components;
    const promAuth = comps.find((c) => c.name === 'prometheus')?.auth;
    const authHeader: Record<string, string> =
      promAuth?.username && promAuth.passwordFile
        ? {
            authorization: `Basic ${Buffer.from(`${promAuth.username}:${readFileSync(promAuth.passwordFile, 'utf8').trim()}`).toString('base64')}`,
          }
        : {};
    const u = (c: PortName, path: string) => `http://127.0.0.1:${ports[c]}${path}`;
    const query = async (q: string): Promise<number> => {
      const r = await fetch(u('prometheus', `/api/v1/query?query=${encodeURIComponent(q)}`), { headers: authHeader });
      const j = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
      return Number(j.data?.result?.[0]?.value[1] ?? NaN);
    };
    const waitScrapes = () => new Promise((r) => setTimeout(r, 6000));

    // 1. silence everything from another origin
    const silence = await status(u('alertmanager', '/api/v2/silences'), {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: '.+', isRegex: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        createdBy: 'probe',
        comment: 'probe',
      }),
    });
    say(
      'Alertmanager POST /api/v2/silences, no credentials, Origin evil',
      `HTTP ${silence.code}, ACAO ${silence.headers?.get('access-control-allow-origin') ?? '-'}`,
    );
    const amStatus = await status(u('alertmanager', '/api/v2/status'), { headers: { origin: EVIL } });
    say(
      'Alertmanager GET /api/v2/status, no credentials',
      `HTTP ${amStatus.code}, heartbeat token ${amStatus.body.includes(HEARTBEAT_TOKEN) ? 'LEAKED' : 'not shown'}`,
    );
    // 2. lifecycle
    for (const c of ['prometheus', 'alertmanager', 'blackbox-exporter'] as const) {
      const r = await status(u(c, '/-/reload'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL },
      });
      say(`${c} form POST /-/reload, no credentials`, `HTTP ${r.code}`);
    }
    // 3. unauthenticated reads
    for (const [c, path] of [
      ['prometheus', '/api/v1/status/config'],
      ['node-exporter', '/metrics'],
      ['blackbox-exporter', '/metrics'],
      ['pushgateway', '/api/v1/metrics'],
    ] as const) {
      const r = await status(u(c, path));
      say(`${c} GET ${path}, no credentials`, `HTTP ${r.code}`);
    }
    // 4. impersonation through the Pushgateway
    const forge = await status(u('pushgateway', '/metrics/job/inference-gateway/instance/forged'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: EVIL },
      body: 'http_requests_total{status="500",route="/predict",method="POST"} 1000000\n',
    });
    await waitScrapes();
    const forged = await query('count(http_requests_total{job="inference-gateway",instance="forged"}) or vector(0)');
    say('Pushgateway text/plain POST as job=inference-gateway', `HTTP ${forge.code}; forged series in the SLO's job: ${forged}`);
    // 5. flood, without and then with the credentials (a buggy or compromised batch job)
    const flood = Array.from({ length: 50_000 }, (_, i) => `probe_flood{i="${i}"} 1`).join('\n') + '\n';
    for (const withAuth of [false, true]) {
      if (withAuth && !authHeader.authorization) continue;
      const before = await query('prometheus_tsdb_head_series');
      const fl = await status(u('pushgateway', '/metrics/job/flood'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...(withAuth ? authHeader : {}) },
        body: flood,
      });
      await waitScrapes();
      await waitScrapes();
      const after = await query('prometheus_tsdb_head_series');
      say(
        `Pushgateway POST of 50,000 series, ${withAuth ? 'WITH' : 'no'} credentials`,
        `HTTP ${fl.code}; TSDB head series ${before} -> ${after}`,
      );
      await status(u('pushgateway', '/metrics/job/flood'), { method: 'DELETE', headers: authHeader });
    }
    if (authHeader.authorization) {
      await status(u('pushgateway', '/metrics/job/inference-gateway/instance/forged2'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...authHeader },
        body: 'http_requests_total{status="500",route="/predict",method="POST"} 1000000\n',
      });
      await waitScrapes();
      const inSlo = await query('count(http_requests_total{job="inference-gateway",instance="forged2"}) or vector(0)');
      const renamed = await query('count(http_requests_total{job="pushed_inference-gateway",instance="forged2"}) or vector(0)');
      say(
        'Pushgateway POST as job=inference-gateway WITH credentials',
        `series in the SLO's job: ${inSlo}; renamed pushed_inference-gateway: ${renamed}`,
      );
    }
    // 6. files
    const p = stackPaths(dataDir);
    say(
      'modes of data/, logs/, events/, notifications/, secrets/',
      [p.dataDir, p.logsDir, p.eventsDir, p.sinkDir, p.secretsDir].map(mode).join(' '),
    );
    // 7. oversized body from a client that sends it all first
    const py = spawnSync(
      'python3',
      [
        '-c',
        `import urllib.request,sys
try:
  r=urllib.request.urlopen(urllib.request.Request(sys.argv[1],data=b'{"x":"'+b'a'*5*1024*1024+b'"}',headers={'content-type':'application/json'}))
  print(r.status)
except urllib.error.HTTPError as e: print(e.code)
except Exception as e: print(type(e).__name__+': '+str(e)[:60])`,
        u('inference-gateway', '/predict'),
      ],
      { encoding: 'utf8' },
    );
    say('5 MB POST /predict from Python urllib (no 100-continue)', py.stdout.trim() || py.stderr.trim().split('\n').pop() || '');
    // 8. console
    const host = await new Promise<number>((resolve) => {
      const req = httpRequest(u('console', '/slos'), { headers: { host: 'evil.example', ...authHeader } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    say('console GET /slos with Host: evil.example (DNS rebinding)', `HTTP ${host}`);
    const frame = await status(u('console', '/'));
    say(
      'console framing headers',
      `X-Frame-Options ${frame.headers?.get('x-frame-options') ?? '-'}; CSP ${frame.headers?.get('content-security-policy') ?? '-'}`,
    );
    // 9. lifecycle quit last: it stops Prometheus
    const quit = await status(u('prometheus', '/-/quit'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await new Promise((r) => setTimeout(r, 1500));
    const st = readState(p.stateFile);
    say(
      'Prometheus form POST /-/quit, no credentials',
      `HTTP ${quit.code}; restarts ${st?.components.find((c) => c.name === 'prometheus')?.restarts}`,
    );
  } finally {
    if (!keep) {
      mlmon(['down', '--data-dir', dataDir]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
