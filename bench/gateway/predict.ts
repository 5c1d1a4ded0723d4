/* Benchmark of POST /predict with instrumentation on and off, in one run.
 *
 * Each gateway runs in its own child process (`mlmon serve gateway`, with
 * --no-instrument for the baseline); autocannon loads it from another process
 * for a fixed time. Modes alternate over several rounds so drift of the
 * machine (thermal, other tenants) hits both alike. Prints throughput, p50 and
 * p99 latency per mode, the overhead, and how long /metrics takes to render.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/gateway/predict.js [--seconds 8] [--rounds 5] [--connections 32]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromRepo, mlmonBin } from '../../src/paths.js';
import { freePort, waitForHttp } from '../../src/net.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const connections = Number(args.connections);

const BODY = JSON.stringify({ features: { sepal_length: 6.1, sepal_width: 2.8, petal_length: 4.7, petal_width: 1.2 } });

interface Run {
  rps: number;
  /** CPU time the gateway process spent per answered request (user + system). */
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function startGateway(instrument: boolean, dataDir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const argv = [mlmonBin, 'serve', 'gateway', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'];
  if (!instrument) argv.push('--no-instrument');
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitForHttp(`${url}/ready`, 30_000);
  if (!ready.ok) {
    proc.kill('SIGTERM');
    throw new Error(`gateway did not become ready: ${ready.detail}`);
  }
  return { url, proc };
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.pid === undefined) return resolve();
    proc.once('exit', () => resolve());
    process.kill(proc.pid, 'SIGTERM');
  });
}

/** CPU seconds (user + system) a process has used, from /proc: unlike throughput,
 * it hardly moves when other tenants of the machine take cores away. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
// USER_HZ: 100 on every Linux architecture Node runs on (getconf CLK_TCK).
const CLOCK_TICKS = 100;

async function measure(gw: { url: string; proc: ChildProcess }, durationS: number): Promise<Run> {
  const before = cpuSeconds(gw.proc.pid!);
  const r = await autocannon(gw.url, durationS);
  const used = cpuSeconds(gw.proc.pid!) - before;
  return { rps: r.rps, cpuUsPerRequest: (used / Math.max(1, r.total)) * 1e6, p50: r.p50, p99: r.p99, non2xx: r.non2xx, errors: r.errors };
}

function autocannon(url: string, durationS: number): Promise<Omit<Run, 'cpuUsPerRequest'> & { total: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        fromRepo('node_modules/autocannon/autocannon.js'),
        '-j', '-c', String(connections), '-d', String(durationS), '-m', 'POST',
        '-H', 'content-type=application/json', '-b', BODY, `${url}/predict`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.resume();
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
      resolve({ rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

async function metricsRenderMs(url: string, samples = 50): Promise<{ p50: number; max: number; bytes: number; series: number }> {
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    text = await (await fetch(`${url}/metrics`)).text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(samples / 2)]!,
    max: times[samples - 1]!,
    bytes: Buffer.byteLength(text),
    series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-'));
  const results: Record<'on' | 'off', Run[]> = { on: [], off: [] };
  let render: Awaited<ReturnType<typeof metricsRenderMs>> | undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const gw = await startGateway(mode === 'on', join(dataDir, mode));
        try {
          await autocannon(gw.url, 2); // warm-up: JIT, connection pools
          const run = await measure(gw, seconds);
          results[mode].push(run);
          process.stderr.write(`round ${round + 1} instrumentation ${mode}: ${run.rps.toFixed(0)} req/s, ${run.cpuUsPerRequest.toFixed(1)} CPU µs/request, p50 ${run.p50} ms, p99 ${run.p99} ms\n`);
          if (mode === 'on') render = await metricsRenderMs(gw.url);
        } finally {
          await stop(gw.proc);
        }
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const row = (mode: 'on' | 'off') => {
    const rs = results[mode];
    return {
      rps: mean(rs.map((r) => r.rps)),
      cpu: mean(rs.map((r) => r.cpuUsPerRequest)),
      p50: mean(rs.map((r) => r.p50)),
      p99: mean(rs.map((r) => r.p99)),
      bad: rs.reduce((s, r) => s + r.non2xx + r.errors, 0),
    };
  };
  const on = row('on');
  const off = row('off');
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`POST /predict, ${connections} connections, ${seconds} s x ${rounds} rounds per mode (after 2 s warm-up)`);
  console.log(`${'instrumentation'.padEnd(16)}${pad('req/s', 10)}${pad('CPU µs/req', 12)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}`);
  for (const [name, r] of [['off', off], ['on', on]] as const) {
    console.log(`${name.padEnd(16)}${pad(r.rps.toFixed(0), 10)}${pad(r.cpu.toFixed(1), 12)}${pad(r.p50.toFixed(1), 9)}${pad(r.p99.toFixed(1), 9)}${pad(String(r.bad), 9)}`);
  }
  // Each round runs both modes back to back, so a round's ratio is the least
  // disturbed by other load on a shared machine; the median of those is the figure.
  const perRound = results.on.map((r, i) => (1 - r.rps / (results.off[i] as Run).rps) * 100);
  const cpuPerRound = results.on.map((r, i) => (r.cpuUsPerRequest / (results.off[i] as Run).cpuUsPerRequest - 1) * 100);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  console.log(`overhead of instrumentation, throughput: ${median(perRound).toFixed(1)}% (median of the rounds: ${list(perRound)}; of the means: ${(((off.rps - on.rps) / off.rps) * 100).toFixed(1)}%)`);
  console.log(`overhead of instrumentation, CPU per request: ${median(cpuPerRound).toFixed(1)}% (median of the rounds: ${list(cpuPerRound)}); this one hardly moves with other load on the machine`);
  if (render) {
    console.log(`/metrics (over HTTP, after load): p50 ${render.p50.toFixed(2)} ms, max ${render.max.toFixed(2)} ms, ${render.series} samples, ${(render.bytes / 1024).toFixed(1)} KiB`);
  }
}

await main();
