// Runs every compiled test file (dist/test/**/*.test.js), each in its own
// `node --test` process, with a bounded number at once:
//   - heavy files (*.integration.test.js: they start whole stacks or several
//     upstream programs) at most MLMON_TEST_HEAVY_CONCURRENCY at a time (default 2);
//   - all files together at most MLMON_TEST_CONCURRENCY at a time (default 3);
//     one slot always stays for light files, so they never queue behind the
//     heavy ones, and the machine never holds more than two heavy files at once.
// Heavy files start first, longest first (their own timeouts say how long they
// may take): the longest, the alert tests, runs beside all the others. On a busy
// machine, MLMON_TEST_CONCURRENCY=1 runs one file at a time. Each file's report is printed
// whole when it ends, so parallel files never interleave their lines.
// MLMON_TEST_FILTER=substring narrows the files.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function positiveInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`run-tests: ${name} must be a whole number from 1 up, got "${text}"`);
    process.exit(2);
  }
  return n;
}

// A compiled test whose source is gone (moved or deleted) is stale: tsc never removes it.
const hasSource = (f) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts'));
const filter = process.env.MLMON_TEST_FILTER ?? '';
const files = existsSync(testDir) ? walk(testDir).filter((f) => relative(root, f).includes(filter) && hasSource(f)) : [];
if (files.length === 0) {
  console.error(`run-tests: no test files under ${relative(root, testDir)} match "${filter}"; run npm run build first`);
  process.exit(1);
}

const total = positiveInt('MLMON_TEST_CONCURRENCY', 3);
// At least one slot stays for light files when there are two or more slots.
const heavyAtOnce = Math.min(Math.max(1, total - 1), positiveInt('MLMON_TEST_HEAVY_CONCURRENCY', 2));
const isHeavy = (f) => f.endsWith('.integration.test.js');
/** The longest timeout a file declares (`timeout: 15 * 60_000`): a fair guess at which runs longest. */
function declaredTimeoutMs(f) {
  let longest = 0;
  for (const m of readFileSync(f, 'utf8').matchAll(/timeout:\s*([\d_]+)(?:\s*\*\s*([\d_]+))?/g)) {
    longest = Math.max(longest, Number(m[1].replaceAll('_', '')) * (m[2] ? Number(m[2].replaceAll('_', '')) : 1));
  }
  return longest;
}
const heavy = files.filter(isHeavy).sort((a, b) => declaredTimeoutMs(b) - declaredTimeoutMs(a) || a.localeCompare(b));
const light = files.filter((f) => !isHeavy(f)).sort();

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(COUNTS.map((k) => [k, 0]));
const timings = [];
const failed = [];
const running = new Map();
const t0 = Date.now();

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    running.set(child.pid, child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('close', (code, signal) => {
      running.delete(child.pid);
      const seconds = (Date.now() - started) / 1000;
      const name = relative(root, file);
      for (const k of COUNTS) {
        const m = new RegExp(`^ℹ ${k} (\\d+)$`, 'm').exec(out);
        if (m) totals[k] += Number(m[1]);
      }
      const ok = code === 0;
      if (!ok) failed.push(name);
      timings.push({ name, seconds });
      process.stdout.write(`\n── ${name}: ${ok ? 'pass' : `FAIL (${signal ?? `exit ${code}`})`} in ${seconds.toFixed(1)} s\n${out}`);
      resolve();
    });
  });
}

// Ctrl-C: stop the test processes this runner started, by pid, then leave.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const child of running.values()) child.kill('SIGTERM');
    process.exit(130);
  });
}

let heavyRunning = 0;
await new Promise((done) => {
  let active = 0;
  const next = () => {
    while (active < total) {
      const file = heavyRunning < heavyAtOnce && heavy.length > 0 ? heavy.shift() : light.shift();
      if (file === undefined) break;
      const h = isHeavy(file);
      active++;
      if (h) heavyRunning++;
      process.stdout.write(`run-tests: started ${relative(root, file)}${h ? ' (heavy)' : ''}\n`);
      void runFile(file).then(() => {
        active--;
        if (h) heavyRunning--;
        next();
      });
    }
    if (active === 0 && heavy.length === 0 && light.length === 0) done();
  };
  next();
});

const slowest = timings
  .sort((a, b) => b.seconds - a.seconds)
  .slice(0, 5)
  .map((t) => `${t.name} ${t.seconds.toFixed(0)} s`);
process.stdout.write(
  `\nrun-tests: ${files.length} files, ${total} at once (heavy ones ${heavyAtOnce} at a time), ${((Date.now() - t0) / 1000).toFixed(0)} s\n` +
    `${COUNTS.map((k) => `ℹ ${k} ${totals[k]}`).join('\n')}\n` +
    `slowest: ${slowest.join(', ')}\n` +
    (failed.length ? `failed files:\n${failed.map((f) => `  ${f}`).join('\n')}\n` : ''),
);
process.exit(failed.length ? 1 : 0);
