const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `since` as people write it: a duration back from now (`10m`, `1h30m`), an
 * ISO 8601 time, or milliseconds since the epoch. Returns ms since the epoch,
 * or undefined when it is none of those. */
export function parseSince(since: string, now: number = Date.now()): number | undefined {
  const s = since.trim();
  if (/^\d{10,}$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    matched += m[0].length;
  }
  if (s.length > 0 && matched === s.length) return now - total;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
