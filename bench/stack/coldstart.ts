// Cold start and idle memory of the whole stack.
//   node dist/bench/stack/coldstart.js [--runs 5] [--idle-seconds 300]
// Each run starts a fresh stack (`mlmon up --detach`) on free loopback ports with
// an empty data directory, times it until every component is healthy, and stops
// it. After the last run, one stack is left idle for --idle-seconds and the
// resident memory (VmRSS) of every process of the stack is summed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { DEFAULT_PORTS, stackPaths, type PortName } from '../../src/definition/index.js';
import { readState } from '../../src/definition/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function startOnce(): Promise<{ ms: number; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-'));
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length);
  const args = ['up', '--detach', '--data-dir', dataDir, ...names.flatMap((n, i) => ['--port', `${n}=${ports[i]}`])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [mlmonBin, ...args], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`mlmon up failed:\n${r.stdout}${r.stderr}`);
  return { ms, dataDir };
}

function stop(dataDir: string): void {
  spawnSync(process.execPath, [mlmonBin, 'down', '--data-dir', dataDir], { encoding: 'utf8' });
  rmSync(dataDir, { recursive: true, force: true });
}

const runs = arg('runs', 5);
const idle = arg('idle-seconds', 300);
const times: number[] = [];
let last: string | undefined;
for (let i = 0; i < runs; i++) {
  const { ms, dataDir } = await startOnce();
  times.push(ms);
  console.log(`run ${i + 1}: all healthy in ${(ms / 1000).toFixed(2)} s (mlmon up --detach, empty data dir)`);
  if (i < runs - 1) stop(dataDir);
  else last = dataDir;
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `cold start to all-healthy: median ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2)} s, min ${(sorted[0]! / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1]! / 1000).toFixed(2)} s over ${runs} runs`,
);
if (last) {
  console.log(`idling ${idle} s before measuring memory...`);
  await new Promise((r) => setTimeout(r, idle * 1000));
  const st = readState(stackPaths(last).stateFile)!;
  let total = 0;
  for (const c of st.components) {
    const kib = c.pid ? rssKiB(c.pid) : 0;
    total += kib;
    console.log(`  ${c.name.padEnd(18)} ${(kib / 1024).toFixed(1).padStart(7)} MiB`);
  }
  const sup = rssKiB(st.supervisorPid);
  total += sup;
  console.log(`  ${'supervisor'.padEnd(18)} ${(sup / 1024).toFixed(1).padStart(7)} MiB`);
  console.log(`resident memory of the idle stack after ${idle} s: ${(total / 1024).toFixed(1)} MiB`);
  stop(last);
}
