/** Durations as Prometheus writes them (`30d`, `1h30m`, `250ms`): one strict
 * parser, one command-line flag parser, one formatter, shared by every room.
 *
 * The grammar is Prometheus's own (`model.ParseDuration`): whole numbers, units
 * from largest to smallest, each at most once, `y` = 365d and `w` = 7d. `0` is
 * zero; anything else without a unit, a decimal, or units out of order is not a
 * duration, so a value accepted here is accepted by Prometheus too. */
import { MlmonError } from './errors.js';

export const MS_PER: Readonly<Record<DurationUnit, number>> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
export type DurationUnit = 'y' | 'w' | 'd' | 'h' | 'm' | 's' | 'ms';

const GRAMMAR = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER: readonly DurationUnit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Milliseconds in a Prometheus duration, or undefined when `text` is not one. */
export function tryParseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = GRAMMAR.exec(text);
  if (!m) return undefined;
  let ms = 0;
  ORDER.forEach((unit, i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * MS_PER[unit];
  });
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const EXAMPLES = 'e.g. 500ms, 15s, 5m, 1h30m, 7d';

/** Milliseconds in a Prometheus duration; throws a MlmonError naming `what`
 * (a flag, a file:line, a field) when `text` is not one, or is zero where
 * `positive` asks for more. */
export function parseDuration(text: string, what = 'duration', opts: { positive?: boolean } = {}): number {
  const t = text.trim();
  const ms = tryParseDuration(t);
  if (ms === undefined) {
    const hint = /^\d+(\.\d+)?$/.test(t)
      ? `A duration needs a unit: ${t}s, ${t}m, ... (${EXAMPLES}).`
      : /\d\.\d/.test(t)
        ? `Prometheus durations are whole numbers of each unit: write 1.5h as 1h30m (${EXAMPLES}).`
        : `Write a Prometheus duration, largest unit first (${EXAMPLES}).`;
    throw new MlmonError('bad_duration', `${what}: "${text}" is not a duration`, { hint });
  }
  if (opts.positive && ms <= 0) throw new MlmonError('bad_duration', `${what}: must be longer than zero, got "${text}"`);
  return ms;
}

/** Seconds in a Prometheus duration (a convenience over parseDuration). */
export function durationSeconds(text: string, what = 'duration'): number {
  return parseDuration(text, what) / 1000;
}

/** A commander argument parser for a duration flag: returns milliseconds and
 * refuses anything Prometheus would refuse, naming the flag once. */
export function durationFlag(flag: string, opts: { positive?: boolean } = { positive: true }): (value: string) => number {
  return (value: string) => parseDuration(value, flag, opts);
}

/** Milliseconds as the shortest Prometheus duration: 5_400_000 → `1h30m`,
 * 1500 → `1s500ms`, 0 → `0s`. Weeks and years are left out on purpose: `14d`
 * reads more plainly than `2w`. Fractions of a millisecond are rounded. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / MS_PER[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * MS_PER[unit];
    }
  }
  return out;
}
