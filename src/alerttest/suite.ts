/** One run of the alert tests: find or start the stack, warm it up, run the
 * chosen scenarios, put everything back. Used by the CLI and by npm test. */
import { join } from 'node:path';
import { buildSloModels, loadSloSpecFile, type Slo } from '../slo/index.js';
import { dataDirFrom, type Profile } from '../definition/index.js';
import { faultRequest } from '../gateway/index.js';
import { startOwnStack, type OwnStack } from './own-stack.js';
import { runScenarios, undoAll, warmUp, type ScenarioResult } from './runner.js';
import type { Scenario } from './scenarios.js';
import { targetFromDataDir } from './stack.js';
import { stackTimings } from './theory.js';
import { Traffic } from './traffic.js';
import type { Voice } from './wait.js';

export interface SuiteOptions {
  scenarios: readonly Scenario[];
  voice: Voice;
  /** Start a test-profile stack of our own (and stop it afterwards) instead of using `dataDir`'s. */
  start: boolean;
  dataDir?: string;
  /** Predictions per second of the background traffic. */
  rate?: number;
  /** Keep the data directory of our own stack (to read its logs). */
  keep?: boolean;
}

export interface SuiteResult {
  profile: Profile;
  warmedUp: boolean;
  results: ScenarioResult[];
  totalSeconds: number;
  passed: boolean;
}

export function slosOf(configDir: string, profile: Profile): Slo[] {
  try {
    return buildSloModels(loadSloSpecFile(join(configDir, 'slos.yaml')), profile);
  } catch {
    // Theory columns stay empty; the checks do not depend on it.
    return [];
  }
}

export async function runAlertTests(opts: SuiteOptions): Promise<SuiteResult> {
  const t0 = Date.now();
  let own: OwnStack | undefined;
  let traffic: Traffic | undefined;
  try {
    if (opts.start) own = await startOwnStack(opts.voice, { profile: 'test', keep: opts.keep ?? false });
    const target = targetFromDataDir(own?.dataDir ?? dataDirFrom(opts.dataDir));
    const s = target.settings;
    const timings = stackTimings(s.profile, s.scrapeInterval, s.evaluationInterval);
    opts.voice.say(
      `stack: ${s.profile} profile, Prometheus ${target.prometheus}, Alertmanager ${target.alertmanager}, notifications in ${target.sinkDir}`,
    );
    // Before minutes of warm-up: can we inject what the scenarios inject? A
    // stack started without --fault-injection answers here, with what to do.
    if (opts.scenarios.some((sc) => sc.fault.kind === 'gateway')) {
      await faultRequest(target.gateway, 'GET', undefined, { dataDir: s.dataDir });
      opts.voice.say("fault control: reachable with the stack's admin token");
    }
    traffic = new Traffic(target.gateway, { rate: opts.rate ?? 30, feedbackRatio: 0.2 });
    const ctx = { target, voice: opts.voice, traffic, slos: slosOf(s.configDir, s.profile), timings };
    const warmedUp = await warmUp(ctx);
    const results = warmedUp ? await runScenarios(opts.scenarios, ctx) : [];
    const passed = warmedUp && results.every((r) => r.passed);
    return { profile: s.profile, warmedUp, results, totalSeconds: (Date.now() - t0) / 1000, passed };
  } finally {
    await undoAll();
    await traffic?.stop();
    await own?.stop();
  }
}
