/** Burn-rate windows and thresholds of the Google SRE workbook ("Alerting on
 * SLOs", multiwindow multi-burn-rate alerts), scaled with the SLO period, and the
 * tiling every long window is counted in. */
import { SEVERITY_OF, type BurnSpeed, type Severity } from './conventions.js';

import { TEST_PROFILE_FACTOR, type Profile } from '../definition/index.js';
import { formatDuration, tryParseDuration } from '../duration.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** The workbook's tiers are given for a 30-day period. */
export const WORKBOOK_PERIOD_SECONDS = 30 * DAY;

export interface BurnRateTier {
  speed: BurnSpeed;
  /** Multiple of the sustainable error rate (1× spends the budget exactly in one period). */
  burnRate: number;
  longSeconds: number;
  shortSeconds: number;
}

/** Page: 2% of the budget in 1h or 5% in 6h. Ticket: 10% in 1d or 10% in 3d. */
export const WORKBOOK_TIERS: readonly BurnRateTier[] = [
  { speed: 'fast', burnRate: 14.4, longSeconds: 1 * HOUR, shortSeconds: 5 * MINUTE },
  { speed: 'fast', burnRate: 6, longSeconds: 6 * HOUR, shortSeconds: 30 * MINUTE },
  { speed: 'slow', burnRate: 3, longSeconds: 1 * DAY, shortSeconds: 2 * HOUR },
  { speed: 'slow', burnRate: 1, longSeconds: 3 * DAY, shortSeconds: 6 * HOUR },
];

/** Base windows up to this length are read from the raw counters at every
 * evaluation, so the page pair sees the newest scrape. Longer windows (6h, 1d, 3d)
 * and the period are read from the SLO's event counts, which are at most one tile
 * late (1.4% of 6h). */
export const LONGEST_RAW_BASE_WINDOW_SECONDS = 2 * HOUR;

/** The workbook's 5-minute tile, scaled with the period like every window: 8 640
 * tiles per period. */
export const BASE_TILE_SECONDS = 5 * MINUTE;

/** How far back a tile looks for the values it last counted from (and the event
 * counts for their last value): a Prometheus that was stopped, or whose tile group
 * missed evaluations, for up to this long loses no event. Wall-clock time, the
 * same in every profile: an outage of a test stack lasts as long as one of a
 * production stack. */
export const CATCH_UP_SECONDS = 2 * HOUR;

/** Shortest rate window: production scrapes every 15s, so 1m still holds 4
 * samples; test stacks scrape every few seconds, so 20s holds several. */
export const WINDOW_FLOOR_SECONDS: Readonly<Record<Profile, number>> = { production: 60, test: 20 };

/** A rate() window needs several scrapes to give a rate at every evaluation:
 * Prometheus' own advice is four. The stack refuses a scrape interval that would
 * leave the shortest SLO window fewer. */
export const MIN_SCRAPES_PER_WINDOW = 4;

/** A long window is at least this many times its short window, so that floors
 * can never make a pair of equal windows (which would no longer tell a burn that
 * lasts from one that has just started). The workbook's ratio is 12. */
export const MIN_LONG_TO_SHORT = 3;

/** Seconds in a positive Prometheus duration (the SLO model counts in
 * seconds), or undefined for anything else, zero included. */
export function positiveSeconds(text: string): number | undefined {
  const ms = tryParseDuration(text);
  return ms !== undefined && ms > 0 ? ms / 1000 : undefined;
}

/** Seconds as the shortest Prometheus duration: 259200 → `3d`, 4320 → `1h12m`. */
export function secondsText(seconds: number): string {
  return formatDuration(seconds * 1000);
}

/** A range one millisecond shorter than `seconds` (3600 → `59m59s999ms`).
 * Prometheus 2.x ranges hold both ends, so `[1h]` over samples recorded every 5m
 * can hold 13 of them when the phases line up; `(t-1h, t]` holds exactly 12, and on
 * millisecond timestamps that is the closed range `[t-1h+1ms, t]`. */
export function rangeJustUnder(seconds: number): string {
  return formatDuration(Math.round(seconds * 1000) - 1);
}

/** Scaled windows are rounded to durations a person reads at a glance: to 10s
 * below 10 minutes, to the minute above. */
function roundClean(seconds: number): number {
  const step = seconds < 10 * MINUTE ? 10 : MINUTE;
  return Math.max(step, Math.round(seconds / step) * step);
}

/** The period an SLO is evaluated over in a profile. */
export function profilePeriodSeconds(periodSeconds: number, profile: Profile): number {
  return profile === 'test' ? Math.round(periodSeconds / TEST_PROFILE_FACTOR) : periodSeconds;
}

/** A workbook window scaled to an SLO period, in proportion, with the profile's floor. */
export function scaleWindow(baseSeconds: number, periodSeconds: number, profile: Profile): number {
  const scaled = (baseSeconds * profilePeriodSeconds(periodSeconds, profile)) / WORKBOOK_PERIOD_SECONDS;
  if (scaled === baseSeconds) return baseSeconds;
  return Math.max(WINDOW_FLOOR_SECONDS[profile], roundClean(scaled));
}

/** The tile length of a period in a profile: the workbook's 5 minutes scaled with
 * the period, or, when that does not divide the period, the whole number of
 * seconds nearest to it that does (a 7d1h period gets 72s tiles). Every long
 * window and the period are whole numbers of tiles, so each counts exactly the
 * tiles it spans. A period with no such tile between half and twice the scaled
 * one (not a whole number of seconds, or a prime number of them) is refused. */
export function periodTiling(periodSeconds: number, profile: Profile): { tileSeconds: number } | { error: string } {
  const period = profilePeriodSeconds(periodSeconds, profile);
  const what =
    profile === 'test' ? `the test profile's period ${secondsText(period)} (the period divided by ${TEST_PROFILE_FACTOR})` : 'the period';
  if (!Number.isInteger(period)) return { error: `${what} is not a whole number of seconds` };
  const wanted = scaleWindow(BASE_TILE_SECONDS, periodSeconds, profile);
  if (period % wanted === 0) return { tileSeconds: wanted };
  const floor = WINDOW_FLOOR_SECONDS[profile];
  let best: number | undefined;
  for (let d = Math.max(floor, Math.ceil(wanted / 2)); d <= wanted * 2; d++) {
    if (period % d === 0 && (best === undefined || Math.abs(d - wanted) < Math.abs(best - wanted))) best = d;
  }
  if (best !== undefined) return { tileSeconds: best };
  return {
    error:
      `${what} cannot be split into whole tiles of about ${secondsText(wanted)} (it has no divisor between ` +
      `${secondsText(Math.max(floor, Math.ceil(wanted / 2)))} and ${secondsText(wanted * 2)}), so long windows could not count whole tiles; ` +
      'use a period in whole hours or days, such as 30d, 28d or 7d',
  };
}

/** Why a period written in a spec cannot be used (in either profile), or undefined. */
export function periodProblem(text: string): string | undefined {
  const seconds = positiveSeconds(text);
  if (seconds === undefined) return undefined;
  for (const profile of ['production', 'test'] as const) {
    const tiling = periodTiling(seconds, profile);
    if ('error' in tiling) return `period ${text}: ${tiling.error}`;
  }
  return undefined;
}

/** Where a window's events are read from: the raw counters (rate over the window)
 * or the SLO's recorded event counts (the difference of two of them). */
export type WindowSource = 'raw' | 'counts';

export interface RateWindow {
  seconds: number;
  /** Prometheus duration, also used in series names (`burn_rate:1h`). */
  name: string;
  source: WindowSource;
}

export type { Severity } from './conventions.js';

export interface ScaledTier {
  speed: BurnSpeed;
  burnRate: number;
  long: RateWindow;
  short: RateWindow;
  /** Share of the period's budget spent when the long window just reaches the threshold. */
  budgetSpent: number;
  /** The workbook's tiers take the severity of their speed and fire above the
   * threshold, at once; a spec's own burn rates (OpenSLO alert conditions) may
   * differ in all three. */
  severity: Severity;
  /** Fires at the threshold itself (OpenSLO `op: gte`), not only above it. */
  orEqual: boolean;
  forSeconds?: number;
  /** Labels of this alert alone (an OpenSLO alert policy's labels). */
  labels?: Record<string, string>;
}

/** A burn-rate alert as a spec writes it (`alerting.burn_rates`, or an OpenSLO
 * burnrate condition): windows as written for the SLO's own period. */
export interface CustomTier {
  burnRate: number;
  longSeconds: number;
  /** Default: 1/12 of the long window, as in the workbook. */
  shortSeconds?: number;
  severity: Severity;
  orEqual: boolean;
  forSeconds?: number;
  labels?: Record<string, string>;
}

/** The workbook's short window is 1/12 of the long one. */
export const SHORT_WINDOW_DIVISOR = 12;

/** A window written for the real period, in a profile: as written in production
 * (to the second), divided like the periods in the test profile; never under the
 * profile's floor, where a rate would hold too few scrapes. */
export function profileSeconds(seconds: number, profile: Profile): number {
  const inProfile = profile === 'test' ? roundClean(seconds / TEST_PROFILE_FACTOR) : Math.round(seconds);
  return Math.max(WINDOW_FLOOR_SECONDS[profile], inProfile);
}

export interface SloWindows {
  period: RateWindow;
  /** Length of one tile: the SLO's event counts are recorded once per tile, and
   * every window read from them is a whole number of tiles. */
  tile: RateWindow;
  /** How far back a tile reaches for what it counted last (CATCH_UP_SECONDS). */
  catchUp: RateWindow;
  /** Every distinct burn-rate window, shortest first. */
  windows: RateWindow[];
  tiers: ScaledTier[];
}

/** All windows an SLO of `periodSeconds` needs in `profile`: the workbook's, and
 * when `custom` is given, its tiers instead of the workbook's (the workbook's
 * windows are still recorded: dashboards read them). Throws when the period
 * cannot be tiled (the spec refuses such periods first, with file:line). Pure. */
export function burnRateWindows(periodSeconds: number, profile: Profile, custom?: readonly CustomTier[]): SloWindows {
  const period = profilePeriodSeconds(periodSeconds, profile);
  const tiling = periodTiling(periodSeconds, profile);
  if ('error' in tiling) throw new Error(tiling.error);
  const tileSeconds = tiling.tileSeconds;
  const rawLimit = scaleWindow(LONGEST_RAW_BASE_WINDOW_SECONDS, periodSeconds, profile);
  const bySeconds = new Map<number, RateWindow>();
  const addWindow = (seconds: number, fromCounts: boolean): RateWindow => {
    const source: WindowSource = fromCounts ? 'counts' : 'raw';
    const known = bySeconds.get(seconds);
    if (known) {
      // Floors can make a short and a long base window equal; raw wins, it is always exact.
      if (source === 'raw') known.source = 'raw';
      return known;
    }
    const w: RateWindow = { seconds, name: secondsText(seconds), source };
    bySeconds.set(seconds, w);
    return w;
  };
  // Long base windows are read from the counts: a whole number of tiles, so each
  // counts exactly the tiles it spans (the scaled workbook windows already are).
  const baseWindow = (base: number, atLeast = 0): RateWindow => {
    const scaled = Math.max(scaleWindow(base, periodSeconds, profile), atLeast);
    if (base <= LONGEST_RAW_BASE_WINDOW_SECONDS) return addWindow(scaled, false);
    return addWindow(Math.max(1, Math.round(scaled / tileSeconds)) * tileSeconds, true);
  };
  // A spec's own window: read from the counts only when it is long and holds whole tiles.
  const customWindow = (written: number, atLeast = 0): RateWindow => {
    const seconds = Math.max(profileSeconds(written, profile), atLeast);
    return addWindow(seconds, seconds > rawLimit && seconds % tileSeconds === 0);
  };
  const workbook: ScaledTier[] = WORKBOOK_TIERS.map((t) => {
    const short = baseWindow(t.shortSeconds);
    return {
      speed: t.speed,
      burnRate: t.burnRate,
      long: baseWindow(t.longSeconds, MIN_LONG_TO_SHORT * short.seconds),
      short,
      budgetSpent: (t.burnRate * t.longSeconds) / WORKBOOK_PERIOD_SECONDS,
      severity: SEVERITY_OF[t.speed],
      orEqual: false,
    };
  });
  const tiers = custom
    ? custom.map((t): ScaledTier => {
        const short = customWindow(t.shortSeconds ?? t.longSeconds / SHORT_WINDOW_DIVISOR);
        const tier: ScaledTier = {
          // Pages are fast burns, tickets slow ones: the alert names say which.
          speed: t.severity === 'critical' ? 'fast' : 'slow',
          burnRate: t.burnRate,
          long: customWindow(t.longSeconds, MIN_LONG_TO_SHORT * short.seconds),
          short,
          budgetSpent: (t.burnRate * t.longSeconds) / periodSeconds,
          severity: t.severity,
          orEqual: t.orEqual,
        };
        if (t.labels !== undefined) tier.labels = t.labels;
        if (t.forSeconds !== undefined)
          tier.forSeconds = profile === 'test' ? Math.max(1, Math.round(t.forSeconds / TEST_PROFILE_FACTOR)) : t.forSeconds;
        return tier;
      })
    : workbook;
  return {
    period: { seconds: period, name: secondsText(period), source: 'counts' },
    tile: { seconds: tileSeconds, name: secondsText(tileSeconds), source: 'raw' },
    catchUp: { seconds: CATCH_UP_SECONDS, name: secondsText(CATCH_UP_SECONDS), source: 'counts' },
    windows: [...bySeconds.values()].sort((a, b) => a.seconds - b.seconds),
    tiers,
  };
}

/** Seconds until a window of `windowSeconds` holds a share of bad events above
 * `threshold` (budget × burn rate) once a steady `badRatio` starts: the workbook's
 * detection time, threshold × window / bad ratio, when the window held clean
 * traffic before; with only `historySeconds` of clean traffic before (a young
 * stack's windows are not full yet), sooner. Undefined when it never does. */
export function windowDetectionSeconds(
  windowSeconds: number,
  threshold: number,
  badRatio: number,
  historySeconds = Number.POSITIVE_INFINITY,
): number | undefined {
  if (badRatio <= threshold) return undefined;
  const full = (threshold * windowSeconds) / badRatio;
  const young = (threshold * historySeconds) / (badRatio - threshold);
  return Math.min(full, young);
}

/** When a tier fires for a steady bad ratio: both of its windows must cross the
 * threshold (the long one decides on a full history), then its `for:` waits. */
export function tierDetectionSeconds(
  tier: ScaledTier,
  errorBudget: number,
  badRatio: number,
  historySeconds = Number.POSITIVE_INFINITY,
): number | undefined {
  const threshold = errorBudget * tier.burnRate;
  const long = windowDetectionSeconds(tier.long.seconds, threshold, badRatio, historySeconds);
  const short = windowDetectionSeconds(tier.short.seconds, threshold, badRatio, historySeconds);
  if (long === undefined || short === undefined) return undefined;
  return Math.max(long, short) + (tier.forSeconds ?? 0);
}
