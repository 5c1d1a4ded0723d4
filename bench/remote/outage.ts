/** Remote write through an outage of the remote end, with a real VictoriaMetrics:
 * what of the gap is backfilled from Prometheus's WAL, and how long after the
 * remote end returns. The figures of docs/ARCHITECTURE.md ("Remote write").
 *
 *   npm run build && node dist/bench/remote/outage.js [--gap 60] [--gap 300]
 */
import { measureRemoteWriteOutage, outageLine } from '../../test/remote/outage.js';

const gaps: number[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--gap') {
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n < 5) throw new Error(`--gap takes whole seconds (5 or more), got "${argv[i]}"`);
    gaps.push(n);
  } else throw new Error(`unknown argument "${argv[i]}"; usage: node dist/bench/remote/outage.js [--gap SECONDS]...`);
}
for (const gap of gaps.length > 0 ? gaps : [60]) {
  process.stdout.write(`outage of ${gap} s ...\n`);
  const f = await measureRemoteWriteOutage(gap);
  process.stdout.write(`${outageLine(f)}\n`);
}
