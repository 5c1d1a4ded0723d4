// Idle memory of the whole stack, per process: resident (RSS) and proportional
// (PSS: shared pages divided among the processes that map them) set sizes, from
// /proc/<pid>/smaps_rollup, after the stack has idled.
//
//   npm run build && node dist/bench/stack/idle.js [--idle-seconds 120] [--baseline /other/checkout/bin/mlmon.js] [--runs 1]
//
// Each stack starts with `mlmon up --detach` on free loopback ports and an empty
// data directory, idles, is measured and stopped; with --baseline the two builds
// take turns (never both up at once, so neither shares pages with the other).
// The floor: an empty Node.js process (`node -e 'setInterval(() => {}, 1e9)'`)
// measured the same way, and one that only loads the CLI's command parser.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts } from '../../src/net.js';
import { mlmonBin, repoRoot } from '../../src/paths.js';
import { DEFAULT_PORTS, readState, stackPaths, type PortName } from '../../src/definition/index.js';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const IDLE_S = Number(flag('idle-seconds', '120'));
const RUNS = Number(flag('runs', '1'));
const BASELINE = process.argv.includes('--baseline') ? resolve(flag('baseline', '')) : undefined;
const builds = [...(BASELINE ? [{ name: 'before', bin: BASELINE }] : []), { name: BASELINE ? 'after' : 'this build', bin: mlmonBin }];

interface Memory {
  rss: number; // MiB
  pss: number;
}

function memoryOf(pid: number): Memory | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss: kib('Rss') / 1024, pss: kib('Pss') / 1024 };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stackOnce(bin: string): Promise<Map<string, Memory>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-idle-'));
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length);
  const args = ['up', '--detach', '--data-dir', dataDir, ...names.flatMap((n, i) => ['--port', `${n}=${ports[i]}`])];
  try {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mlmon up failed:\n${r.stdout}${r.stderr}`);
    await sleep(IDLE_S * 1000);
    const st = readState(stackPaths(dataDir).stateFile);
    if (!st) throw new Error('no stack state');
    const out = new Map<string, Memory>();
    for (const c of st.components) {
      const m = c.pid ? memoryOf(c.pid) : undefined;
      if (m) out.set(c.name, m);
    }
    const sup = memoryOf(st.supervisorPid);
    if (sup) out.set('supervisor (mlmon up)', sup);
    return out;
  } finally {
    spawnSync(process.execPath, [bin, 'down', '--data-dir', dataDir], { encoding: 'utf8' });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A bare process measured like the stack's: the floor under every Node.js service. */
async function floorOf(args: string[]): Promise<Memory> {
  const child = spawn(process.execPath, args, { stdio: 'ignore', cwd: repoRoot });
  try {
    await sleep(Math.min(IDLE_S, 30) * 1000);
    return memoryOf(child.pid!)!;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

const NODE_SERVICES = ['notification-sink', 'inference-gateway', 'ml-model-exporter', 'console', 'supervisor (mlmon up)'];
const results = new Map<string, Map<string, Memory>[]>(builds.map((b) => [b.name, []]));
console.log(
  `Idle memory of the stack after ${IDLE_S} s, ${RUNS} run(s) per build, node ${process.version}; builds: ${builds.map((b) => `${b.name} (${b.bin})`).join(', ')}`,
);
for (let run = 0; run < RUNS; run++) {
  for (const b of run % 2 === 0 ? builds : [...builds].reverse()) results.get(b.name)!.push(await stackOnce(b.bin));
}
const empty = await floorOf(['-e', 'setInterval(() => {}, 1e9)']);
const parser = await floorOf(['--input-type=module', '-e', "await import('commander'); setInterval(() => {}, 1e9)"]);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const figure = (build: string, name: string, key: keyof Memory): number =>
  median(results.get(build)!.map((r) => r.get(name)?.[key] ?? NaN));
const names = [...new Set([...results.values()].flatMap((rs) => rs.flatMap((r) => [...r.keys()])))];
const pad = (s: string, n: number) => s.padStart(n);
console.log(`\n${'process'.padEnd(24)}${builds.map((b) => pad(`${b.name} RSS`, 14) + pad(`${b.name} PSS`, 14)).join('')}`);
for (const name of names) {
  console.log(
    `${name.padEnd(24)}${builds.map((b) => pad(figure(b.name, name, 'rss').toFixed(1), 14) + pad(figure(b.name, name, 'pss').toFixed(1), 14)).join('')}`,
  );
}
const total = (build: string, key: keyof Memory, only?: string[]) =>
  names.filter((n) => !only || only.includes(n)).reduce((s, n) => s + (figure(build, n, key) || 0), 0);
console.log(
  `${'whole stack'.padEnd(24)}${builds.map((b) => pad(total(b.name, 'rss').toFixed(1), 14) + pad(total(b.name, 'pss').toFixed(1), 14)).join('')}`,
);
console.log(
  `${'the five Node.js ones'.padEnd(24)}${builds.map((b) => pad(total(b.name, 'rss', NODE_SERVICES).toFixed(1), 14) + pad(total(b.name, 'pss', NODE_SERVICES).toFixed(1), 14)).join('')}`,
);
console.log(
  `\nfloor: an empty Node.js process RSS ${empty.rss.toFixed(1)} MiB, PSS ${empty.pss.toFixed(1)} MiB; with the command parser (commander) RSS ${parser.rss.toFixed(1)} MiB, PSS ${parser.pss.toFixed(1)} MiB (MiB throughout)`,
);
