// Runs every compiled test file (dist/test/**/*.test.js) with Node's test runner.
// MLMON_TEST_FILTER=substring narrows the files; MLMON_TEST_CONCURRENCY sets parallel files (default 2).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

// A compiled test whose source is gone (moved or deleted) is stale: tsc never removes it.
const hasSource = (f) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts'));
const filter = process.env.MLMON_TEST_FILTER ?? '';
const files = walk(testDir)
  .filter((f) => relative(root, f).includes(filter) && hasSource(f))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files under ${relative(root, testDir)} match "${filter}"; run npm run build first`);
  process.exit(1);
}
const concurrency = process.env.MLMON_TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(res.status ?? 1);
