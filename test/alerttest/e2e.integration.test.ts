import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsTable, runAlertTests, SCENARIOS, type Voice } from '../../src/alerttest/index.js';

// The whole of `mlmon test-alerts --all --start`: a test-profile stack of its
// own on free ports, every scenario with real faults, then the stack is stopped.
test('every injected fault becomes the right notifications (test profile, end to end)', { timeout: 15 * 60_000 }, async (t) => {
  const lines: string[] = [];
  // Progress goes to stderr (stdout belongs to the test runner's protocol).
  const voice: Voice = {
    say: (line) => {
      lines.push(line);
      process.stderr.write(`${line}\n`);
    },
    live: false,
  };
  const r = await runAlertTests({ scenarios: SCENARIOS, voice, start: true });
  const table = resultsTable(r.results, r.profile);
  for (const line of table.split('\n')) t.diagnostic(line);
  t.diagnostic(`total ${(r.totalSeconds / 60).toFixed(1)} min`);
  assert.ok(r.warmedUp, `the stack never warmed up:\n${lines.slice(-10).join('\n')}`);
  assert.equal(r.results.length, SCENARIOS.length);
  const failed = r.results.filter((x) => !x.passed);
  assert.deepEqual(
    failed.map(
      (x) =>
        `${x.id}: ${x.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.what}${c.detail ? ` (${c.detail})` : ''}`)
          .join('; ')}`,
    ),
    [],
    table,
  );
  // Every scenario with a fault measured its way to a notification.
  for (const x of r.results) {
    const sc = SCENARIOS.find((s) => s.id === x.id);
    if (sc && sc.delivers.length > 0) assert.ok(x.notifySeconds !== undefined, `${x.id} has no notification time`);
  }
});
