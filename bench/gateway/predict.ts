/* Benchmark of POST /predict with instrumentation on and off, in one run.
 *
 * Each gateway runs in its own child process (`mlmon serve gateway`, with
 * --no-instrument for the baseline); autocannon loads it from another process
 * for a fixed time. Modes alternate over several rounds so drift of the
 * machine (thermal, other tenants) hits both alike. Prints throughput, p50 and
 * p99 latency per mode, the overhead, and how long /metrics takes to render.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/gateway/predict.js [--seconds 8] [--rounds 2] [--connections 32]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromRepo, mlmonBin } from '../../src/paths.js';
import { freePort, waitForHttp } from '../../src/net.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const connections = Number(args.connections);

const BODY = JSON.stringify({ features: { sepal_length: 6.1, sepal_width: 2.8, petal_length: 4.7, petal_width: 1.2 } });

interface Run {
  rps: number;
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

function autocannon(url: string, durationS: number): Promise<Run> {
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
      const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
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
          const run = await autocannon(gw.url, seconds);
          results[mode].push(run);
          process.stderr.write(`round ${round + 1} instrumentation ${mode}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms\n`);
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
      p50: mean(rs.map((r) => r.p50)),
      p99: mean(rs.map((r) => r.p99)),
      bad: rs.reduce((s, r) => s + r.non2xx + r.errors, 0),
    };
  };
  const on = row('on');
  const off = row('off');
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`POST /predict, ${connections} connections, ${seconds} s x ${rounds} rounds per mode (after 2 s warm-up)`);
  console.log(`${'instrumentation'.padEnd(16)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}`);
  for (const [name, r] of [['off', off], ['on', on]] as const) {
    console.log(`${name.padEnd(16)}${pad(r.rps.toFixed(0), 10)}${pad(r.p50.toFixed(1), 9)}${pad(r.p99.toFixed(1), 9)}${pad(String(r.bad), 9)}`);
  }
  console.log(`overhead of instrumentation: ${(((off.rps - on.rps) / off.rps) * 100).toFixed(1)}% of throughput`);
  if (render) {
    console.log(`/metrics (over HTTP, after load): p50 ${render.p50.toFixed(2)} ms, max ${render.max.toFixed(2)} ms, ${render.series} samples, ${(render.bytes / 1024).toFixed(1)} KiB`);
  }
}

await main();
