import { tryParseDuration } from '../duration.js';

/** `since` as people write it: a duration back from now (`10m`, `1h30m`), an
 * ISO 8601 time, or milliseconds since the epoch. Returns ms since the epoch,
 * or undefined when it is none of those. */
export function parseSince(since: string, now: number = Date.now()): number | undefined {
  const s = since.trim();
  if (/^\d{10,}$/.test(s)) return Number(s);
  const back = tryParseDuration(s);
  if (back !== undefined) return now - back;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
