/* Benchmark of POST /predict with instrumentation on and off, in one run.
 *
 * Each gateway runs in its own child process (`mlmon serve gateway`, with
 * --no-instrument for the baseline); autocannon loads it from another process
 * for a fixed time. Modes alternate over several rounds so drift of the
 * machine (thermal, other tenants) hits both alike. Prints throughput, p50 and
 * p99 latency per mode, the overhead, and how long /metrics takes to render.
 * Last, a CPU profile of the instrumented gateway under the same load gives the
 * share of its CPU spent on instrumentation: the figure that does not swing with
 * the machine (see profile.ts).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/gateway/predict.js [--seconds 3] [--rounds 16] [--connections 32] [--no-pin] [--aa]
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromRepo, mlmonBin } from '../../src/paths.js';
import { freePort, waitForHttp } from '../../src/net.js';
import { median, quantileOf } from '../support/rounds.js';
import { instrumentationShare, type ProfileShare } from './profile.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '16' },
    connections: { type: 'string', default: '32' },
    'no-pin': { type: 'boolean', default: false },
    aa: { type: 'boolean', default: false },
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

/** The gateway on one core and the load generator on the other (taskset, when there
 * are two cores and it exists): neither steals the other's core, and the scheduler
 * does not move the gateway around mid-run, both of which swing a short run by 20%. */
const PIN = !args['no-pin'] && availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
const GATEWAY_CPU = 1; // both gateways: only the one under load is busy
const LOAD_CPU = 0;

function spawnPinned(cpu: number, argv: string[], opts: SpawnOptions): ChildProcess {
  return PIN ? spawn('taskset', ['-c', String(cpu), process.execPath, ...argv], opts) : spawn(process.execPath, argv, opts);
}

async function startGateway(instrument: boolean, dataDir: string, nodeFlags: string[] = []): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const argv = [...nodeFlags, mlmonBin, 'serve', 'gateway', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'];
  if (!instrument) argv.push('--no-instrument');
  const proc = spawnPinned(GATEWAY_CPU, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
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

/** The instrumented gateway once more, under --cpu-prof, loaded for `durationS`. */
async function profiledShare(dataDir: string, durationS: number): Promise<ProfileShare> {
  const profDir = join(dataDir, 'profile');
  const gw = await startGateway(true, join(dataDir, 'profiled'), ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  try {
    await autocannon(gw.url, 2);
    await autocannon(gw.url, durationS);
  } finally {
    await stop(gw.proc); // a clean exit writes the profile
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the profiled gateway wrote no profile into ${profDir}`);
  return instrumentationShare(join(profDir, file));
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
    const proc = spawnPinned(
      LOAD_CPU,
      [
        fromRepo('node_modules/autocannon/autocannon.js'),
        '-j',
        '-c',
        String(connections),
        '-d',
        String(durationS),
        '-m',
        'POST',
        '-H',
        'content-type=application/json',
        '-b',
        BODY,
        `${url}/predict`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.resume();
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
      };
      resolve({
        rps: r.requests.average,
        total: r.requests.total,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      });
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-'));
  const results: Record<'on' | 'off', Run[]> = { on: [], off: [] };
  let render: Awaited<ReturnType<typeof metricsRenderMs>> | undefined;
  let share: ProfileShare | undefined;
  // Both gateways run for the whole benchmark and take the load in turns of a few
  // seconds: many short alternating rounds, so that the machine's own swings (other
  // tenants, 20% from one round to the next here) fall on both modes alike. With
  // --aa both are uninstrumented: the spread it prints is the noise floor.
  const gateways: Partial<Record<'on' | 'off', { url: string; proc: ChildProcess }>> = {};
  try {
    gateways.off = await startGateway(false, join(dataDir, 'off'));
    gateways.on = await startGateway(!args.aa, join(dataDir, 'on'));
    for (const mode of ['off', 'on'] as const) await autocannon(gateways[mode]!.url, 3); // warm-up: JIT, connection pools
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const run = await measure(gateways[mode]!, seconds);
        results[mode].push(run);
        process.stderr.write(
          `round ${round + 1} ${label(mode)}: ${run.rps.toFixed(0)} req/s, ${run.cpuUsPerRequest.toFixed(1)} CPU µs/request, p50 ${run.p50} ms, p99 ${run.p99} ms\n`,
        );
      }
    }
    render = await metricsRenderMs(gateways.on.url);
    for (const gw of Object.values(gateways)) await stop(gw.proc);
    if (!args.aa) share = await profiledShare(dataDir, Math.max(5, seconds * 3));
  } finally {
    for (const gw of Object.values(gateways)) await stop(gw.proc);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const row = (mode: 'on' | 'off') => {
    const rs = results[mode];
    return {
      rps: median(rs.map((r) => r.rps)),
      cpu: median(rs.map((r) => r.cpuUsPerRequest)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      bad: rs.reduce((s, r) => s + r.non2xx + r.errors, 0),
    };
  };
  const on = row('on');
  const off = row('off');
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(
    `POST /predict, ${connections} connections, ${rounds} rounds of ${seconds} s per mode, alternating${PIN ? `; gateways pinned to CPU ${GATEWAY_CPU}, load to CPU ${LOAD_CPU}` : ''}${args.aa ? '; A/A run: both uninstrumented' : ''}`,
  );
  console.log(`medians of the rounds`);
  console.log(
    `${'instrumentation'.padEnd(16)}${pad('req/s', 10)}${pad('CPU µs/req', 12)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}`,
  );
  for (const mode of ['off', 'on'] as const) {
    const r = mode === 'on' ? on : off;
    console.log(
      `${label(mode).padEnd(16)}${pad(r.rps.toFixed(0), 10)}${pad(r.cpu.toFixed(1), 12)}${pad(r.p50.toFixed(1), 9)}${pad(r.p99.toFixed(1), 9)}${pad(String(r.bad), 9)}`,
    );
  }
  // A round's two halves run back to back, so their ratio is the least disturbed
  // by the machine; the median of the rounds is the figure, the quartiles its spread.
  const perRound = results.on.map((r, i) => (1 - r.rps / (results.off[i] as Run).rps) * 100);
  const cpuPerRound = results.on.map((r, i) => (r.cpuUsPerRequest / (results.off[i] as Run).cpuUsPerRequest - 1) * 100);
  const spread = (xs: number[]) =>
    `median ${median(xs).toFixed(1)}%, quartiles ${quantileOf(xs, 0.25).toFixed(1)}% to ${quantileOf(xs, 0.75).toFixed(1)}% over ${xs.length} rounds`;
  console.log(`overhead of instrumentation, throughput: ${spread(perRound)}`);
  console.log(`overhead of instrumentation, CPU per request: ${spread(cpuPerRound)}`);
  if (share) {
    console.log(
      `instrumentation's share of the instrumented gateway's busy CPU (V8 profile under the same load, ${share.busyMs.toFixed(0)} ms busy): ${share.percent.toFixed(2)}%; unlike the ratios above, this does not move with the machine`,
    );
  }
  if (render) {
    console.log(
      `/metrics (over HTTP, after load): p50 ${render.p50.toFixed(2)} ms, max ${render.max.toFixed(2)} ms, ${render.series} samples, ${(render.bytes / 1024).toFixed(1)} KiB`,
    );
  }
}

function label(mode: 'on' | 'off'): string {
  return args.aa ? (mode === 'on' ? 'off (B)' : 'off (A)') : mode;
}

await main();
