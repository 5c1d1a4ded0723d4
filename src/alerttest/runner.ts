/** Runs scenarios against a live stack: inject, watch the alert travel from
 * Prometheus through Alertmanager to the sink, check the quiet ones stayed
 * quiet, clean up. Timing is measured from the moment the fault went in. */
import { faultRequest } from '../gateway/index.js';
import type { Slo } from '../slo/index.js';
import {
  breaksQuiet,
  describeDelivery,
  describeNotification,
  describeRef,
  labelsMatch,
  matchesDelivery,
  subjectOf,
} from './notifications.js';
import { scenarioNumber, type AlertRef, type Fault, type Scenario } from './scenarios.js';
import {
  alertmanagerAlerts,
  createSilence,
  expireSilence,
  notificationsSince,
  prometheusAlerts,
  queryValue,
  signalComponent,
  type StackTarget,
} from './stack.js';
import { theoryFor, type StackTimings, type TheoryFigure } from './theory.js';
import type { Traffic } from './traffic.js';
import { hold, waitFor, type Voice } from './wait.js';

export interface CheckResult {
  what: string;
  ok: boolean;
  /** Seconds after the fault (or after the silence expired, for deliveries that waited on it). */
  seconds?: number;
  detail?: string;
}

export interface ScenarioResult {
  id: string;
  /** The scenario's number (its place in the run order). */
  number: number;
  title: string;
  passed: boolean;
  checks: CheckResult[];
  /** Fault → the last expected alert firing in Prometheus. */
  fireSeconds: number | undefined;
  /** Fault (or silence expiry) → the last expected notification at the sink. */
  notifySeconds: number | undefined;
  theory: TheoryFigure;
  notes: string[];
  durationSeconds: number;
}

export interface RunContext {
  target: StackTarget;
  voice: Voice;
  traffic: Traffic;
  slos: readonly Slo[];
  timings: StackTimings;
}

class StepFailed extends Error {}

/** Undo actions of faults in force, so an interrupted run (Ctrl-C) can still put the stack back. */
const undoActions = new Map<string, () => Promise<void>>();

export async function undoAll(): Promise<void> {
  for (const [key, undo] of [...undoActions]) {
    undoActions.delete(key);
    await undo().catch(() => undefined);
  }
}

function describeFault(f: Fault): string {
  if (f.kind === 'none') return 'no fault: normal traffic only';
  if (f.kind === 'freeze') return `${f.component} frozen (SIGSTOP)`;
  const parts = Object.entries(f.fault).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`);
  return `gateway fault ${parts.join(' ')}`;
}

async function inject(ctx: RunContext, f: Fault): Promise<void> {
  if (f.kind === 'gateway') {
    // The fault control wants the stack's admin token, kept in its data directory.
    const auth = { dataDir: ctx.target.settings.dataDir };
    undoActions.set('gateway-fault', async () => void (await faultRequest(ctx.target.gateway, 'DELETE', undefined, auth)));
    await faultRequest(ctx.target.gateway, 'PUT', f.fault, auth);
  } else if (f.kind === 'freeze') {
    undoActions.set(`freeze:${f.component}`, async () => void signalComponent(ctx.target, f.component, 'SIGCONT'));
    signalComponent(ctx.target, f.component, 'SIGSTOP');
  }
}

async function clear(f: Fault): Promise<void> {
  const key = f.kind === 'gateway' ? 'gateway-fault' : f.kind === 'freeze' ? `freeze:${f.component}` : '';
  const undo = undoActions.get(key);
  undoActions.delete(key);
  if (undo) await undo();
}

/** How long to wait for something the theory says takes `expected` seconds. */
export function budgetSeconds(t: StackTimings, expected: number | undefined): number {
  const e = (expected ?? 0) + t.scrapeSeconds + t.evaluationSeconds + t.groupWaitSeconds;
  return t.profile === 'test' ? Math.max(60, Math.ceil(3 * e)) : Math.max(300, Math.ceil(2 * e + 120));
}

/** Host-level resource alerts (a busy CI machine) say nothing about the stack under test. */
export function isHostAlert(labels: Record<string, string>): boolean {
  return labels.category === 'resource' && labels.service === undefined;
}

const sameRef = (a: AlertRef, b: AlertRef) =>
  a.alertname === b.alertname && JSON.stringify(a.labels ?? {}) === JSON.stringify(b.labels ?? {});

async function alignToTile(ctx: RunContext, series: string): Promise<void> {
  const first = await queryValue(ctx.target, `timestamp(${series})`).catch(() => undefined);
  if (first === undefined) return;
  await waitFor(
    ctx.voice,
    `a fresh ${series} tile (faults go in right after one)`,
    30,
    async () => {
      const now = await queryValue(ctx.target, `timestamp(${series})`);
      return now !== undefined && now !== first;
    },
    { intervalMs: 200 },
  );
}

export async function runScenario(sc: Scenario, ctx: RunContext): Promise<ScenarioResult> {
  const { target, voice, timings } = ctx;
  const theory = theoryFor(sc.theory, ctx.slos, timings);
  const result: ScenarioResult = {
    id: sc.id,
    number: scenarioNumber(sc),
    title: sc.title,
    passed: true,
    checks: [],
    fireSeconds: undefined,
    notifySeconds: undefined,
    theory,
    notes: [],
    durationSeconds: 0,
  };
  const started = Date.now();
  const check = (c: CheckResult, fatal = true) => {
    result.checks.push(c);
    voice.say(
      `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}${c.seconds !== undefined ? ` (${c.seconds.toFixed(1)}s)` : ''}${c.detail ? `: ${c.detail}` : ''}`,
    );
    if (!c.ok) {
      result.passed = false;
      if (fatal) throw new StepFailed(c.what);
    }
  };
  const budget = budgetSeconds(timings, theory.seconds);
  const quietHold = timings.profile === 'test' ? 5 : timings.groupWaitSeconds + 2 * timings.evaluationSeconds + 5;
  const traffic0 = ctx.traffic.shape;
  let silenceId: string | undefined;
  let tFault = Date.now();

  voice.say(`\n[${result.number}] ${sc.id}: ${sc.title}`);
  try {
    if (sc.silence) {
      silenceId = await createSilence(target, sc.silence, 30, `mlmon test-alerts scenario ${sc.id}`);
      const id = silenceId;
      undoActions.set('silence', () => expireSilence(target, id));
      // Whether it holds is checked below: the alert must show as silenced by this id.
      voice.say(`  silence ${id} created for ${JSON.stringify(sc.silence)}`);
    }
    if (sc.alignToTile && timings.profile === 'test') await alignToTile(ctx, sc.alignToTile);
    if (sc.feedbackRatioDuringFault !== undefined) ctx.traffic.set({ feedbackRatio: sc.feedbackRatioDuringFault });
    tFault = Date.now();
    voice.say(`  inject: ${describeFault(sc.fault)}`);
    await inject(ctx, sc.fault);

    // 1. Prometheus evaluates the rule and the alert fires.
    for (const ref of sc.fires) {
      const w = await waitFor(voice, `${describeRef(ref)} to fire in Prometheus`, budget, async () =>
        (await prometheusAlerts(target)).find((a) => a.state === 'firing' && labelsMatch(a.labels, ref)),
      );
      const s = (Date.now() - tFault) / 1000;
      // Without a fault there is nothing to time: the alert was already there.
      if (w.ok && sc.fault.kind !== 'none') result.fireSeconds = Math.max(result.fireSeconds ?? 0, s);
      check({
        what: `${describeRef(ref)} fires in Prometheus`,
        ok: w.ok,
        seconds: s,
        detail: w.ok ? undefined : (w.lastError ?? 'not firing'),
      });
    }

    // 2. Alertmanager has it, active, unless a silence is meant to hold it.
    for (const ref of sc.fires) {
      const silenced = sc.suppressed.some((x) => x.by === 'silence' && sameRef(x.alert, ref));
      const w = await waitFor(voice, `${describeRef(ref)} in Alertmanager`, budget, async () =>
        (await alertmanagerAlerts(target)).find((a) => labelsMatch(a.labels, ref) && (silenced || a.status.state === 'active')),
      );
      check({
        what: `${describeRef(ref)} reaches Alertmanager${silenced ? '' : ' (active)'}`,
        ok: w.ok,
        seconds: (Date.now() - tFault) / 1000,
      });
    }

    // 3. Alerts that must be held back: present, suppressed, for the right reason.
    for (const s of sc.suppressed) {
      const w = await waitFor(
        voice,
        `${describeRef(s.alert)} ${s.by === 'silence' ? 'silenced' : 'inhibited'} in Alertmanager`,
        budget,
        async () =>
          (await alertmanagerAlerts(target)).find(
            (a) =>
              labelsMatch(a.labels, s.alert) &&
              a.status.state === 'suppressed' &&
              (s.by === 'silence' ? a.status.silencedBy.includes(silenceId ?? '') : a.status.inhibitedBy.length > 0),
          ),
      );
      check({
        what: `${describeRef(s.alert)} is ${s.by === 'silence' ? 'silenced' : 'inhibited'} in Alertmanager`,
        ok: w.ok,
        seconds: (Date.now() - tFault) / 1000,
      });
    }

    // 4. A silence holds every notification back until it expires.
    let deliverFrom = tFault;
    if (silenceId) {
      await hold(voice, 'notifications of the silenced alert must not arrive', quietHold);
      const leaked = (await notificationsSince(target, tFault)).filter((r) => sc.delivers.some((d) => matchesDelivery(r, d)));
      check({
        what: 'nothing delivered while silenced',
        ok: leaked.length === 0,
        detail: leaked.map(describeNotification).join('; ') || undefined,
      });
      await expireSilence(target, silenceId);
      undoActions.delete('silence');
      silenceId = undefined;
      deliverFrom = Date.now();
      voice.say('  silence expired through the API');
    }

    // 5. The notifications arrive where the routing table says.
    for (const d of sc.delivers) {
      let since = deliverFrom;
      let measuredFrom = deliverFrom;
      if (sc.deliveryLookbackSeconds !== undefined) {
        // A repeating notification: measure from when the alert became active.
        const active = (await prometheusAlerts(target)).find((a) => a.labels.alertname === d.alertname);
        measuredFrom = active ? Date.parse(active.activeAt) : deliverFrom;
        since = Math.min(measuredFrom, deliverFrom - sc.deliveryLookbackSeconds * 1000);
      }
      const w = await waitFor(voice, `${describeDelivery(d)}`, budget, async () =>
        (await notificationsSince(target, since)).find(
          (r) => matchesDelivery(r, d) && Date.parse(r.time) >= Math.min(measuredFrom, deliverFrom),
        ),
      );
      const s = w.value ? (Date.parse(w.value.time) - measuredFrom) / 1000 : undefined;
      if (s !== undefined) result.notifySeconds = Math.max(result.notifySeconds ?? 0, s);
      if (sc.deliveryLookbackSeconds !== undefined && w.value) {
        const latest = (await notificationsSince(target, since)).filter((r) => matchesDelivery(r, d)).at(-1);
        if (latest)
          result.notes.push(
            `latest ${d.alertname} notification ${((Date.now() - Date.parse(latest.time)) / 1000).toFixed(0)}s ago (repeat_interval 5m)`,
          );
      }
      check({ what: `${describeDelivery(d)} delivered`, ok: w.ok, seconds: s, detail: w.ok ? undefined : 'nothing arrived' });
    }

    // 5b. One outage, one page: all PagerDuty notifications of the service are one incident.
    if (sc.pagesOnce !== undefined) {
      const pages = (await notificationsSince(target, tFault)).filter(
        (r) => r.integration === 'pagerduty' && subjectOf(r).service === sc.pagesOnce && subjectOf(r).status === 'firing',
      );
      const incidents = new Set(pages.map((r) => String((r.payload as { dedup_key?: unknown }).dedup_key)));
      check({
        what: `one page for the outage of ${sc.pagesOnce} (one PagerDuty incident)`,
        ok: pages.length > 0 && incidents.size === 1,
        detail: `${pages.length} notifications, ${incidents.size} incidents: ${pages.map(describeNotification).join('; ')}`,
      });
    }

    // 6. Whatever must stay quiet stayed quiet.
    if (sc.observe) {
      const seen = new Map<string, string>();
      const host = new Set<string>();
      await waitFor(
        voice,
        `anything but ${sc.observe.allowed.join(', ')} to fire (it must not)`,
        sc.observe.seconds,
        async () => {
          for (const a of await prometheusAlerts(target)) {
            if (a.state !== 'firing') continue;
            if (isHostAlert(a.labels)) host.add(a.labels.alertname ?? '?');
            else if (!sc.observe?.allowed.includes(a.labels.alertname ?? '')) seen.set(a.labels.alertname ?? '?', JSON.stringify(a.labels));
          }
          return false;
        },
        { intervalMs: 1000 },
      );
      if (host.size > 0) result.notes.push(`ignored host resource alerts (this machine, not the stack): ${[...host].join(', ')}`);
      check(
        {
          what: `only ${sc.observe.allowed.join(', ')} fired in ${sc.observe.seconds}s of normal traffic`,
          ok: seen.size === 0,
          detail: [...seen.values()].join('; ') || undefined,
        },
        false,
      );
    } else if (sc.quiet.length > 0) {
      await hold(voice, 'watching for notifications that must not come', quietHold);
    }
    if (sc.quiet.length > 0) {
      const records = await notificationsSince(target, tFault);
      for (const q of sc.quiet) {
        const bad = records.filter((r) => breaksQuiet(r, q) && !(sc.observe && isHostNotification(r.summary)));
        check({ what: `quiet: ${q.why}`, ok: bad.length === 0, detail: bad.map(describeNotification).join('; ') || undefined }, false);
      }
    }
  } catch (e) {
    if (!(e instanceof StepFailed)) check({ what: 'scenario ran', ok: false, detail: (e as Error).message }, false);
  } finally {
    await cleanup(sc, ctx, result, check, traffic0.feedbackRatio);
  }
  result.durationSeconds = (Date.now() - started) / 1000;
  return result;
}

/** Host alerts reach #infra by title; recognised so the baseline can ignore them. */
function isHostNotification(summary: string): boolean {
  return /\] \w+ Node(CPU|Memory|Disk)\w*/.test(summary);
}

async function cleanup(
  sc: Scenario,
  ctx: RunContext,
  result: ScenarioResult,
  check: (c: CheckResult, fatal?: boolean) => void,
  feedbackRatio: number,
): Promise<void> {
  const { target, voice, timings } = ctx;
  const undoSilence = undoActions.get('silence');
  undoActions.delete('silence');
  await undoSilence?.().catch(() => undefined);
  const tClear = Date.now();
  try {
    await clear(sc.fault);
  } catch (e) {
    check({ what: 'fault cleared', ok: false, detail: (e as Error).message }, false);
  }
  if (ctx.traffic.shape.feedbackRatio !== feedbackRatio) ctx.traffic.set({ feedbackRatio });
  if (sc.fault.kind !== 'none') voice.say('  fault cleared');
  const budget = timings.profile === 'test' ? 150 : budgetSeconds(timings, 900);
  for (const d of sc.recovers ?? []) {
    const w = await waitFor(voice, describeDelivery(d), budget, async () =>
      (await notificationsSince(target, tClear)).find((r) => matchesDelivery(r, d)),
    );
    check(
      {
        what: `${describeDelivery(d)} delivered after recovery`,
        ok: w.ok,
        seconds: w.value ? (Date.parse(w.value.time) - tClear) / 1000 : undefined,
      },
      false,
    );
  }
  if (sc.flushPredictions) {
    voice.say(`  sending ${sc.flushPredictions} normal predictions to push shifted rows out of the drift window`);
    await ctx.traffic.burst(sc.flushPredictions);
  }
  const names = new Set(sc.clears ?? sc.fires.map((f) => f.alertname));
  names.delete('Watchdog');
  if (names.size === 0) return;
  // Only the scenario's own alerts: ServiceDown of another service is not ours to wait for.
  const ours = (labels: Record<string, string>) => {
    const name = labels.alertname ?? '';
    if (!names.has(name)) return false;
    const refs = sc.fires.filter((f) => f.alertname === name);
    return refs.length === 0 || refs.some((r) => labelsMatch(labels, r));
  };
  const w = await waitFor(
    voice,
    `${[...names].join(', ')} to resolve in Prometheus`,
    budget,
    async () => (await prometheusAlerts(target)).every((a) => !ours(a.labels)),
    { intervalMs: 500 },
  );
  check({ what: `cleanup: ${[...names].join(', ')} no longer active`, ok: w.ok, seconds: (Date.now() - tClear) / 1000 }, false);
  const lingering = (await prometheusAlerts(target).catch(() => [])).filter(
    (a) => a.state === 'firing' && a.labels.alertname !== 'Watchdog' && !isHostAlert(a.labels),
  );
  const names2 = new Set(
    lingering.map((a) =>
      describeRef({ alertname: a.labels.alertname ?? '?', labels: a.labels.service ? { service: a.labels.service } : {} }),
    ),
  );
  if (names2.size > 0) result.notes.push(`still firing after cleanup: ${[...names2].join(', ')}`);
}

export interface WarmupOptions {
  /** Predictions the exporter must hold before drift is judged (its alert floor is 200). */
  driftSamples: number;
}

/** Traffic on, and the stack seeing it, before any scenario judges anything. */
export async function warmUp(ctx: RunContext, opts: WarmupOptions = { driftSamples: 200 }): Promise<boolean> {
  const { target, voice, timings } = ctx;
  voice.say(`warming up: ${ctx.traffic.shape.rate} predictions/s, ${Math.round(ctx.traffic.shape.feedbackRatio * 100)}% labelled`);
  ctx.traffic.set();
  const budget = timings.profile === 'test' ? 90 : 300;
  const steps: Array<[string, string]> = [
    ['Prometheus to see /predict traffic', 'sum(rate(http_requests_total{job="inference-gateway",route="/predict"}[1m]))'],
    [`the exporter to hold ${opts.driftSamples} predictions`, `max(ml_drift_window_samples) >= ${opts.driftSamples}`],
    ['the Watchdog to fire', 'count(ALERTS{alertname="Watchdog",alertstate="firing"})'],
  ];
  for (const [what, q] of steps) {
    const w = await waitFor(voice, what, budget, async () => ((await queryValue(target, q)) ?? 0) > 0);
    if (!w.ok) {
      voice.say(`warm-up failed: no ${what} after ${budget}s${w.lastError ? ` (${w.lastError})` : ''}`);
      return false;
    }
  }
  return true;
}

export async function runScenarios(list: readonly Scenario[], ctx: RunContext): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const sc of list) out.push(await runScenario(sc, ctx));
  return out;
}
