// A real stack (test profile) whose Prometheus is stopped for minutes while the
// gateway answers every request with 503, then restarted: the SLO's counts take
// in the failures of the gap, so the budget read afterwards is the one the
// gateway's own counters give, exactly. MLMON_SLO_GAP_SECONDS sets the gap
// (default 150 s; the catch-up horizon is 2h).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runLoad, type LoadSummary } from '../../src/gateway/index.js';
import { pidAlive } from '../../src/definition/index.js';
import { buildSloModels, loadSloSpecFile, sloSeries, type Slo } from '../../src/slo/index.js';
import { join } from 'node:path';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const GAP_SECONDS = Number(process.env.MLMON_SLO_GAP_SECONDS ?? 150);
const RATE = 20;

/** The gateway's own count of /predict answers, by status class, from its /metrics. */
async function gatewayCounts(stack: TestStack): Promise<{ total: number; bad: number }> {
  const text = await (await fetch(`http://127.0.0.1:${stack.ports['inference-gateway']}/metrics`)).text();
  let total = 0;
  let bad = 0;
  for (const line of text.split('\n')) {
    const m = /^http_requests_total\{([^}]*)\} ([0-9.e+]+)$/.exec(line);
    if (!m || !m[1]!.includes('route="/predict"')) continue;
    const v = Number(m[2]);
    total += v;
    if (/status="5\d\d"/.test(m[1]!)) bad += v;
  }
  return { total, bad };
}

function load(stack: TestStack, seconds: number): Promise<LoadSummary> {
  return runLoad({
    gateway: `http://127.0.0.1:${stack.ports['inference-gateway']}`,
    rate: RATE,
    durationMs: seconds * 1000,
    feedbackRatio: 0,
  });
}

describe('SLO counts across a Prometheus outage (real stack, test profile)', { timeout: (GAP_SECONDS + 600) * 1000 }, () => {
  let stack: TestStack;
  let slo: Slo;
  const value = async (q: string): Promise<number | undefined> => {
    const r = await stack.promQuery(q);
    return r[0] ? Number(r[0].value[1]) : undefined;
  };
  const own = (name: string) => `${name}{service="${slo.service}",slo="${slo.name}"}`;

  before(async () => {
    stack = await startTestStack(['--profile', 'test', '--fault-injection']);
    const found = buildSloModels(loadSloSpecFile(join(stack.configDir, 'slos.yaml')), 'test').find((s) => s.kind === 'availability');
    assert.ok(found, 'the shipped spec has an availability SLO');
    slo = found;
  });

  after(async () => {
    await stack?.stop();
  });

  test(`the failures of a ${GAP_SECONDS}s outage of Prometheus are counted: budget and windows as the gateway's counters say`, async (t) => {
    // Counting starts from the first value a tile keeps of each raw series:
    // requests before the gateway's first scrape are before counting began (a
    // bound docs/SLO_TRACKING.md states), so the traffic waits for that value.
    await eventually(
      "the SLO counts to start from the gateway's series",
      async () =>
        (await value(own(sloSeries.eventsCounted('availability', 'total')))) !== undefined &&
        (await stack.promQuery(own(sloSeries.eventsLastSeen('availability', 'total')))).length > 0,
      60_000,
    );
    await load(stack, 20);

    const fault = stack.mlmon(['fault', 'set', '--error-ratio', '1', '--data-dir', stack.dataDir]);
    assert.equal(fault.code, 0, fault.stderr);
    const prometheus = stack.state().components.find((c) => c.name === 'prometheus');
    assert.ok(prometheus?.pid, 'Prometheus runs');
    // Stopped: no scrape, no rule evaluation, while every request fails.
    process.kill(prometheus.pid, 'SIGSTOP');
    let gap: LoadSummary;
    try {
      gap = await load(stack, GAP_SECONDS);
    } finally {
      // Restarted: killed, and started again by the supervisor (it replays its WAL).
      process.kill(prometheus.pid, 'SIGKILL');
    }
    assert.ok((gap.byStatus['503'] ?? 0) > GAP_SECONDS * RATE * 0.8, JSON.stringify(gap.byStatus));
    await eventually(
      'Prometheus restarted',
      async () => {
        const p = stack.state().components.find((c) => c.name === 'prometheus');
        if (!p?.pid || p.pid === prometheus.pid || !pidAlive(p.pid)) return undefined;
        return (await fetch(`http://127.0.0.1:${stack.ports.prometheus}/-/ready`, { headers: stack.auth() })).ok;
      },
      120_000,
    );
    assert.equal(stack.mlmon(['fault', 'clear', '--data-dir', stack.dataDir]).code, 0);
    await load(stack, 10);

    // Quiet now: the gateway's counters are final; wait for a scrape and a tile after them.
    const exact = await gatewayCounts(stack);
    assert.ok(exact.bad > 0 && exact.total > exact.bad);
    const counted = async () => ({
      total: await value(own(sloSeries.eventsCounted('availability', 'total'))),
      bad: await value(own(sloSeries.eventsCounted('availability', 'bad'))),
    });
    // A scrape, then a tile (20s); generous, for a loaded machine.
    await eventually(
      `the counts to reach the gateway counters ${JSON.stringify(exact)}`,
      async () => {
        const c = await counted();
        if (c.total !== exact.total) throw new Error(`counted ${JSON.stringify(c)}`);
        return c;
      },
      120_000,
    );
    assert.deepEqual(await counted(), exact, 'every request counted once, the failures of the gap too');
    t.diagnostic(`counted ${exact.total} requests and ${exact.bad} failures, as the gateway's counters say (gap ${GAP_SECONDS} s)`);

    // The budget over the period (the stack is younger than it: everything so far).
    const budget = 1 - exact.bad / exact.total / slo.errorBudget;
    const read = await eventually('the budget to take in the last tile', async () => {
      const b = await value(own(sloSeries.errorBudgetRemaining('availability')));
      return b !== undefined && Math.abs(b - budget) < 1e-9 ? b : undefined;
    });
    assert.ok(Math.abs(read - budget) < 1e-9, `budget ${read}, exact ${budget}`);
    // A window read from the counts agrees: the longest holds the whole run.
    const longest = slo.windows.windows.at(-1)!;
    assert.equal(longest.source, 'counts');
    const burn = await value(own(sloSeries.burnRate('availability', longest.name)));
    assert.ok(
      burn !== undefined && Math.abs(burn - exact.bad / exact.total / slo.errorBudget) < 1e-9,
      `burn over ${longest.name}: ${burn}`,
    );
  });
});
