/** Theoretical detection times, to print next to the measured ones. Pure.
 *
 * SLO pages follow the SRE workbook ("Alerting on SLOs"): a pair of windows
 * fires once the share of bad events in each exceeds budget × burn rate, so a
 * steady bad ratio e is detected after budget × burn × window / e (the long
 * window decides). A total outage on a 99.5% SLO with the 1h/14.4x page:
 * 0.005 × 14.4 × 60 min / 1 ≈ 4.3 min. Then the alert still has to travel:
 * one scrape, one rule evaluation and Alertmanager's group_wait. */
import { alertTimingOf, GROUP_TIMINGS } from '../alerting/index.js';
import { tierDetectionSeconds, type Slo } from '../slo/index.js';
import { TEST_RULE_SCALING } from '../definition/index.js';
import { durationSeconds, formatDuration } from '../duration.js';
import type { Profile } from '../definition/index.js';
import type { Theory } from './scenarios.js';

export interface TheoryFigure {
  /** Detection (alert firing) after the fault, in seconds; undefined when it does not apply. */
  seconds: number | undefined;
  /** Delay between firing and the notification at the receiver, at most. */
  pipelineSeconds: number;
  /** How the figure was reached, for the report. */
  basis: string;
}

export interface StackTimings {
  profile: Profile;
  scrapeSeconds: number;
  evaluationSeconds: number;
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
}

/** Timings a stack of this profile runs with: its own intervals, and the
 * group timings the Alertmanager configuration is rendered with. */
export function stackTimings(profile: Profile, scrapeInterval: string, evaluationInterval: string): StackTimings {
  const group = GROUP_TIMINGS[alertTimingOf(profile)];
  return {
    profile,
    scrapeSeconds: durationSeconds(scrapeInterval, 'scrape interval'),
    evaluationSeconds: durationSeconds(evaluationInterval, 'evaluation interval'),
    groupWaitSeconds: durationSeconds(group.groupWait, 'group_wait'),
    groupIntervalSeconds: durationSeconds(group.groupInterval, 'group_interval'),
  };
}

export interface BurnDetection {
  seconds: number;
  long: string;
  short: string;
  burnRate: number;
}

/** When each page pair of an SLO fires for a steady bad ratio (pairs that never fire are left out). */
export function burnDetections(slo: Slo, badRatio: number, historySeconds = Number.POSITIVE_INFINITY): BurnDetection[] {
  const out: BurnDetection[] = [];
  for (const tier of slo.windows.tiers) {
    if (tier.speed !== 'fast') continue;
    const seconds = tierDetectionSeconds(tier, slo.errorBudget, badRatio, historySeconds);
    if (seconds === undefined) continue;
    out.push({ seconds, long: tier.long.name, short: tier.short.name, burnRate: tier.burnRate });
  }
  return out;
}

/** The first page pair of an SLO to fire for a steady bad ratio. */
export function burnDetection(slo: Slo, badRatio: number, historySeconds = Number.POSITIVE_INFINITY): BurnDetection | undefined {
  let best: BurnDetection | undefined;
  for (const d of burnDetections(slo, badRatio, historySeconds)) if (!best || d.seconds < best.seconds) best = d;
  return best;
}

function scaledRule(seconds: number, profile: Profile, floor: number): number {
  if (profile !== 'test' || seconds === 0) return seconds;
  return Math.max(floor, Math.round(seconds / TEST_RULE_SCALING.factor));
}

/** The theoretical figure for a scenario on a stack. */
export function theoryFor(theory: Theory, slos: readonly Slo[], t: StackTimings): TheoryFigure {
  const pipeline = t.scrapeSeconds + t.evaluationSeconds + t.groupWaitSeconds;
  switch (theory.kind) {
    case 'none':
      return { seconds: undefined, pipelineSeconds: pipeline, basis: '-' };
    case 'group-interval':
      return {
        seconds: t.groupIntervalSeconds,
        pipelineSeconds: 0,
        basis: `next flush of the group (group_interval ${formatDuration(1000 * Math.round(t.groupIntervalSeconds))})`,
      };
    case 'rule': {
      const forS = scaledRule(theory.forSeconds, t.profile, TEST_RULE_SCALING.forFloorSeconds);
      const lead = scaledRule(theory.leadSeconds, t.profile, 0);
      return {
        seconds: forS + lead,
        pipelineSeconds: pipeline,
        basis: `${theory.alertname} for: ${formatDuration(1000 * Math.round(forS))}${lead ? ` after ${formatDuration(1000 * Math.round(lead))} to cross its threshold` : ''}${theory.note ? `, ${theory.note}` : ''}`,
      };
    }
    case 'burn': {
      const slo = slos.find((s) => s.name === theory.slo);
      if (!slo) return { seconds: undefined, pipelineSeconds: pipeline, basis: `no SLO named ${theory.slo}` };
      const d = burnDetection(slo, theory.badRatio);
      if (!d) return { seconds: undefined, pipelineSeconds: pipeline, basis: `a bad ratio of ${theory.badRatio} never pages` };
      return {
        seconds: d.seconds,
        pipelineSeconds: pipeline,
        basis: `workbook: ${slo.errorBudget} × ${d.burnRate} × ${d.long} / ${theory.badRatio} (page pair ${d.long}/${d.short})`,
      };
    }
  }
}

export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '-';
  if (s < 100) return `${s.toFixed(1)}s`;
  return `${(s / 60).toFixed(1)}m`;
}
