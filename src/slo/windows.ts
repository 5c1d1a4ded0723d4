/** Burn-rate windows and thresholds of the Google SRE workbook ("Alerting on
 * SLOs", multiwindow multi-burn-rate alerts), scaled with the SLO period. */
import type { BurnSpeed } from './conventions.js';

export type Profile = 'production' | 'test';

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
 * evaluation, so the page pair sees the newest scrape. Longer ones are summed from
 * recorded tiles: at most one tile stale, which is at most 1.4% of a 6h window. */
export const LONGEST_RAW_BASE_WINDOW_SECONDS = 2 * HOUR;

/** The test profile divides every period by this factor: 30d becomes 12h and the
 * 1h/5m page pair becomes 1m/20s, so alerts fire within minutes. */
export const TEST_PROFILE_FACTOR = 60;

/** Shortest rate window: production scrapes every 15s, so 1m still holds 4
 * samples; test stacks scrape every few seconds, so 20s holds several. */
export const WINDOW_FLOOR_SECONDS: Readonly<Record<Profile, number>> = { production: 60, test: 20 };

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, y: 365 * DAY };

/** Parses a Prometheus duration (`30d`, `1h30m`, `300ms`) into seconds. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    const unit = UNITS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
  }
  return total > 0 ? total : undefined;
}

/** Seconds as the shortest Prometheus duration: 259200 → `3d`, 4320 → `1h12m`. */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  let rest = Math.round(seconds);
  if (rest <= 0) return '0s';
  let out = '';
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
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

export type WindowSource = 'raw' | 'tiles';

export interface RateWindow {
  seconds: number;
  /** Prometheus duration, also used in series names (`burn_rate:1h`). */
  name: string;
  source: WindowSource;
}

export interface ScaledTier {
  speed: BurnSpeed;
  burnRate: number;
  long: RateWindow;
  short: RateWindow;
  /** Share of the period's budget spent when the long window just reaches the threshold. */
  budgetSpent: number;
}

export interface SloWindows {
  period: RateWindow;
  /** Length of one tile, equal to the shortest (5m) window. */
  tile: RateWindow;
  /** Every distinct burn-rate window, shortest first. */
  windows: RateWindow[];
  tiers: ScaledTier[];
}

/** All windows an SLO of `periodSeconds` needs in `profile`. Pure. */
export function burnRateWindows(periodSeconds: number, profile: Profile): SloWindows {
  const period = profilePeriodSeconds(periodSeconds, profile);
  const bySeconds = new Map<number, RateWindow>();
  const windowOf = (base: number): RateWindow => {
    const seconds = scaleWindow(base, periodSeconds, profile);
    const source: WindowSource = base <= LONGEST_RAW_BASE_WINDOW_SECONDS ? 'raw' : 'tiles';
    const known = bySeconds.get(seconds);
    if (known) {
      // Floors can make a short and a long base window equal; raw wins, it is always exact.
      if (source === 'raw') known.source = 'raw';
      return known;
    }
    const w: RateWindow = { seconds, name: formatDuration(seconds), source };
    bySeconds.set(seconds, w);
    return w;
  };
  const tiers = WORKBOOK_TIERS.map((t) => ({
    speed: t.speed,
    burnRate: t.burnRate,
    long: windowOf(t.longSeconds),
    short: windowOf(t.shortSeconds),
    budgetSpent: (t.burnRate * t.longSeconds) / WORKBOOK_PERIOD_SECONDS,
  }));
  const tileSeconds = scaleWindow(5 * MINUTE, periodSeconds, profile);
  return {
    period: { seconds: period, name: formatDuration(period), source: 'tiles' },
    tile: { seconds: tileSeconds, name: formatDuration(tileSeconds), source: 'raw' },
    windows: [...bySeconds.values()].sort((a, b) => a.seconds - b.seconds),
    tiers,
  };
}

/** Workbook detection time of a steady error ratio: budget × long window × burn / error ratio. */
export function detectionSeconds(tier: ScaledTier, errorBudget: number, errorRatio: number): number {
  return (errorBudget * tier.long.seconds * tier.burnRate) / errorRatio;
}
