/** Burn-rate windows and thresholds of the Google SRE workbook ("Alerting on
 * SLOs", multiwindow multi-burn-rate alerts), scaled with the SLO period. */
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
 * evaluation, so the page pair sees the newest scrape. Longer burn-rate windows
 * (6h, 1d, 3d) are summed from the fine tiles: at most one tile stale, which is at
 * most 1.4% of a 6h window. They feed alerts, so they do not use the coarse tiles:
 * they would add up to an hour to a ticket's 21.6-minute detection of an outage. */
export const LONGEST_RAW_BASE_WINDOW_SECONDS = 2 * HOUR;

/** Coarse tiles are the workbook's hour (scaled with the period like every window),
 * summed from whole fine tiles. The period-long series read these: 720 samples per
 * 30 days instead of 8 640, at the price of being up to one coarse tile late. */
export const COARSE_TILE_BASE_SECONDS = 1 * HOUR;
/** At least this many fine tiles per coarse tile, so the test profile, whose
 * floors can make the scaled hour as short as one tile, still sums tiles. */
export const MIN_TILES_PER_COARSE_TILE = 2;

/** Shortest rate window: production scrapes every 15s, so 1m still holds 4
 * samples; test stacks scrape every few seconds, so 20s holds several. */
export const WINDOW_FLOOR_SECONDS: Readonly<Record<Profile, number>> = { production: 60, test: 20 };

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
 * millisecond timestamps that is the closed range `[t-1h+1ms, t]`. (Prometheus 3.x
 * leaves out the start itself: the same range is exact there unless two groups'
 * phases differ by exactly 1 ms.) */
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

/** Where a window's events are read from: the raw counters, the fine tiles, or the
 * coarse tiles (each a sum of whole fine tiles). */
export type WindowSource = 'raw' | 'tiles' | 'coarse-tiles';

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
  /** Length of one tile, equal to the shortest (5m) window. */
  tile: RateWindow;
  /** Length of one coarse tile (1h for a 30d period): a whole number of tiles. */
  coarseTile: RateWindow;
  /** Fine tiles per coarse tile (12 in production). */
  tilesPerCoarseTile: number;
  /** Every distinct burn-rate window, shortest first. */
  windows: RateWindow[];
  tiers: ScaledTier[];
}

/** All windows an SLO of `periodSeconds` needs in `profile`: the workbook's, and
 * when `custom` is given, its tiers instead of the workbook's (the workbook's
 * windows are still recorded: dashboards read them). Pure. */
export function burnRateWindows(periodSeconds: number, profile: Profile, custom?: readonly CustomTier[]): SloWindows {
  const period = profilePeriodSeconds(periodSeconds, profile);
  const tileSeconds = scaleWindow(5 * MINUTE, periodSeconds, profile);
  const rawLimit = scaleWindow(LONGEST_RAW_BASE_WINDOW_SECONDS, periodSeconds, profile);
  const bySeconds = new Map<number, RateWindow>();
  const addWindow = (seconds: number, tiled: boolean): RateWindow => {
    const source: WindowSource = tiled ? 'tiles' : 'raw';
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
  const windowOf = (base: number): RateWindow =>
    addWindow(scaleWindow(base, periodSeconds, profile), base > LONGEST_RAW_BASE_WINDOW_SECONDS);
  // A spec's own window: summed from tiles only when it is long and holds whole tiles.
  const customWindow = (written: number): RateWindow => {
    const seconds = profileSeconds(written, profile);
    return addWindow(seconds, seconds > rawLimit && seconds % tileSeconds === 0);
  };
  const workbook: ScaledTier[] = WORKBOOK_TIERS.map((t) => ({
    speed: t.speed,
    burnRate: t.burnRate,
    long: windowOf(t.longSeconds),
    short: windowOf(t.shortSeconds),
    budgetSpent: (t.burnRate * t.longSeconds) / WORKBOOK_PERIOD_SECONDS,
    severity: SEVERITY_OF[t.speed],
    orEqual: false,
  }));
  const tiers = custom
    ? custom.map((t): ScaledTier => {
        const shortSeconds = t.shortSeconds ?? t.longSeconds / SHORT_WINDOW_DIVISOR;
        const tier: ScaledTier = {
          // Pages are fast burns, tickets slow ones: the alert names say which.
          speed: t.severity === 'critical' ? 'fast' : 'slow',
          burnRate: t.burnRate,
          long: customWindow(t.longSeconds),
          short: customWindow(shortSeconds),
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
  // A whole number of tiles, so each fine tile lands in exactly one coarse tile.
  const tilesPerCoarseTile = Math.max(
    MIN_TILES_PER_COARSE_TILE,
    Math.round(scaleWindow(COARSE_TILE_BASE_SECONDS, periodSeconds, profile) / tileSeconds),
  );
  const coarseSeconds = tileSeconds * tilesPerCoarseTile;
  return {
    period: { seconds: period, name: secondsText(period), source: 'coarse-tiles' },
    tile: { seconds: tileSeconds, name: secondsText(tileSeconds), source: 'raw' },
    coarseTile: { seconds: coarseSeconds, name: secondsText(coarseSeconds), source: 'tiles' },
    tilesPerCoarseTile,
    windows: [...bySeconds.values()].sort((a, b) => a.seconds - b.seconds),
    tiers,
  };
}

/** Workbook detection time of a steady error ratio: budget × long window × burn / error ratio. */
export function detectionSeconds(tier: ScaledTier, errorBudget: number, errorRatio: number): number {
  return (errorBudget * tier.long.seconds * tier.burnRate) / errorRatio;
}
