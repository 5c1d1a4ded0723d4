// Benchmark of the ingest API (POST /v1/events): events per second for batches
// of 1, 100 and 10,000, each answered only once the events are written and
// fdatasync'ed to the spool. The exporter runs as its own process pinned to one
// core (taskset -c 0), the load generator on another, both on loopback.
// Run: npm run build && node dist/bench/exporter/ingest.js [--seconds 5]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerModel } from '../../src/model/index.js';
import { seededRandom } from '../../src/model/random.js';
import { freePort, waitForHttp } from '../../src/net.js';
import { mlmonBin } from '../../src/paths.js';
import { stackPaths } from '../../src/definition/index.js';
import { readSecretFile } from '../../src/secrets.js';

const NUMERIC = 15;
const CATEGORICAL = 5;
const COLOURS = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow'];
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] ?? 5) || 5;
const random = seededRandom(11);

const numericNames = Array.from({ length: NUMERIC }, (_, i) => `n${i}`);
const categoricalNames = Array.from({ length: CATEGORICAL }, (_, i) => `c${i}`);
function features(): Record<string, number | string> {
  const f: Record<string, number | string> = {};
  for (const n of numericNames) f[n] = Math.round(random() * 1000) / 10;
  for (const c of categoricalNames) f[c] = COLOURS[Math.floor(random() * COLOURS.length)] as string;
  return f;
}

const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-bench-ingest-'));
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
try {
  const csv = [[...numericNames, ...categoricalNames, 'label'].join(',')];
  for (let i = 0; i < 2000; i++) {
    const f = features();
    csv.push([...numericNames.map((n) => f[n]), ...categoricalNames.map((c) => f[c]), random() < 0.5 ? 'yes' : 'no'].join(','));
  }
  const ref = join(dataDir, 'ref.csv');
  writeFileSync(ref, csv.join('\n') + '\n');
  await registerModel({ registryDir: stackPaths(dataDir).registryDir, model: 'bench', file: ref, target: 'label' });

  const port = await freePort();
  const args = [mlmonBin, 'serve', 'exporter', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--window', '10000'];
  const exporter = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: 'ignore' })
    : spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    if (!(await waitForHttp(`http://127.0.0.1:${port}/metrics`, 20_000)).ok) throw new Error('the exporter did not start');
    const token = readSecretFile(stackPaths(dataDir).secretsDir, 'exporter-token')!.trim();
    console.log(
      `ingest API, ${NUMERIC} numeric + ${CATEGORICAL} categorical features per event, every answer after fdatasync; ` +
        `exporter ${pinned ? 'pinned to core 0 (taskset)' : 'NOT pinned (taskset missing)'}, ${seconds} s per row, node ${process.version}`,
    );
    let n = 0;
    const body = (batch: number) =>
      JSON.stringify({
        events: Array.from({ length: batch }, () => ({
          model: 'bench',
          version: 'v1',
          id: `e${n++}`,
          features: features(),
          prediction: random() < 0.5 ? 'yes' : 'no',
        })),
      });
    const send = async (text: string): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: text,
      });
      const answer = (await res.json()) as { accepted: number };
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return answer.accepted;
    };
    for (const [batch, concurrency] of [
      [1, 1],
      [1, 16],
      [100, 1],
      [100, 8],
      [10_000, 1],
    ] as const) {
      // Bodies are made before the clock starts: the figure is the exporter's, not JSON.stringify's.
      const bodies = Array.from({ length: batch === 10_000 ? 20 : Math.ceil(20_000 / batch) }, () => body(batch));
      const latencies: number[] = [];
      let accepted = 0;
      let next = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const t = performance.now();
            const took = await send(bodies[next++ % bodies.length] as string);
            accepted += took;
            latencies.push(performance.now() - t);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] as number).toFixed(1);
      console.log(
        `batch ${String(batch).padStart(6)} × ${String(concurrency).padStart(2)} concurrent: ${Math.round(accepted / elapsed)
          .toString()
          .padStart(7)} events/s; per request p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${latencies.length} requests)`,
      );
    }
  } finally {
    exporter.kill('SIGTERM');
    await new Promise((r) => exporter.once('exit', r));
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
