/** The validated domain model: one `Slo` per (service, SLO), defaults applied,
 * selectors parsed, windows computed for a profile. Everything downstream reads
 * only this. */
import { MlmonError } from '../errors.js';
import { DEFAULT_RUNBOOK_BASE_URL, HISTOGRAM, RESERVED_LABELS, type SliKind } from './conventions.js';
import { formatSelector, isSelector, parseSelector, withMatcher, withMetric, withoutLabel, type Selector } from './selector.js';
import { thresholdSeconds, type BurnRateSpec, type SloEntrySpec, type SloSpec } from './spec.js';
import { TEST_PROFILE_FACTOR, type Profile } from '../definition/index.js';
import { burnRateWindows, periodTiling, positiveSeconds, type CustomTier, type SloWindows } from './windows.js';

export const DEFAULT_PERIOD = '30d';
/** Low-traffic guard: with fewer requests than this in the long window, no alert
 * fires. 100 keeps one failure among a handful from paging, while a 1h window of
 * a service at 1 request per 30 s still qualifies. */
export const DEFAULT_MIN_REQUESTS = 100;

export interface LatencyHistogram {
  /** Base name: `http_request_duration_seconds`. */
  metric: string;
  /** The histogram's series selector without `le`, base name as metric. */
  selector: Selector;
  thresholdSeconds: number;
  /** Regular expression matching every way a client writes the threshold's `le`
   * ("1", "1.0", "0.3", "0.30"): the bucket is one bucket however it is printed. */
  thresholdLe: string;
  buckets: number[] | undefined;
}

export interface Slo {
  service: string;
  name: string;
  kind: SliKind;
  description: string;
  /** Objective as a ratio (0.995) and as written (99.5). */
  objective: number;
  objectivePercent: number;
  /** 1 − objective, rounded so it prints as a clean number (0.005, not 0.0050000000000000044). */
  errorBudget: number;
  /** Period as written in the spec (before the profile scales it). */
  specPeriod: string;
  /** Events: bad = `bad` when given, else total − good. */
  events: { mode: 'bad' | 'good'; selector: Selector; total: Selector };
  latency: LatencyHistogram | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  alerting: { enabled: boolean; minRequests: number; labels: Record<string, string>; annotations: Record<string, string> };
  windows: SloWindows;
  runbookBaseUrl: string;
  profile: Profile;
}

function fail(where: string, message: string): never {
  throw new MlmonError('slo-model-invalid', `${where}: ${message}`, { hint: 'Fix the SLO spec and run `mlmon generate` again.' });
}

function selectorOf(text: string, where: string): Selector {
  const sel = parseSelector(text);
  if (!isSelector(sel)) fail(where, `"${text}" ${sel.error}`);
  return sel;
}

/** The `le` values a bucket bound is written as. Client libraries print the
 * shortest decimal (0.3, 1, 2.5); Prometheus 3 rewrites whole numbers as "1.0". A
 * string match on one of them would miss the others and count those requests as
 * not fast enough; numerically they are one bucket. */
export function leRegex(seconds: number): string {
  const text = String(seconds);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text.replace(/[.+]/g, (c) => `\\${c}`);
  const [, whole = '', fraction] = m;
  return fraction === undefined ? `${whole}(\\.0*)?` : `${whole}\\.${fraction}0*`;
}

function checkLabels(labels: Record<string, string>, where: string): Record<string, string> {
  for (const key of Object.keys(labels)) {
    if (RESERVED_LABELS.includes(key)) fail(where, `label "${key}" is set by the generator; remove it`);
  }
  return labels;
}

/** A good/total pair over `<h>_bucket{le="t"}` and `<h>_count` is a latency SLI,
 * whichever way it was written (our `latency:` block or an OpenSLO ratio). */
function latencyFromEvents(good: Selector, total: Selector): LatencyHistogram | undefined {
  if (!good.metric.endsWith(HISTOGRAM.bucket) || !total.metric.endsWith(HISTOGRAM.count)) return undefined;
  const base = good.metric.slice(0, -HISTOGRAM.bucket.length);
  if (total.metric.slice(0, -HISTOGRAM.count.length) !== base) return undefined;
  const le = good.matchers.find((m) => m.label === HISTOGRAM.le && m.op === '=');
  const threshold = le ? Number(le.value) : NaN;
  if (!Number.isFinite(threshold)) return undefined;
  const selector = withMetric(withoutLabel(good, HISTOGRAM.le), base);
  if (formatSelector(selector) !== formatSelector(withMetric(total, base))) return undefined;
  return { metric: base, selector, thresholdSeconds: threshold, thresholdLe: leRegex(threshold), buckets: undefined };
}

/** Workbook page tiers burn 6x or faster; slower ones are tickets. */
const PAGE_BURN_RATE = 6;

function customTier(b: BurnRateSpec): CustomTier {
  const tier: CustomTier = {
    burnRate: b.burn_rate,
    longSeconds: positiveSeconds(b.long_window) ?? 0,
    severity: b.severity ?? (b.burn_rate >= PAGE_BURN_RATE ? 'critical' : 'warning'),
    orEqual: b.op === 'gte',
  };
  if (b.short_window !== undefined) tier.shortSeconds = positiveSeconds(b.short_window) ?? 0;
  if (b.for !== undefined) tier.forSeconds = positiveSeconds(b.for) ?? 0;
  if (b.labels !== undefined) tier.labels = b.labels;
  return tier;
}

function buildSlo(spec: SloSpec, service: SloSpec['services'][number], entry: SloEntrySpec, profile: Profile): Slo {
  const where = `service ${service.name}, SLO ${entry.name}`;
  const periodText = entry.period ?? DEFAULT_PERIOD;
  const periodSeconds = positiveSeconds(periodText) ?? fail(where, `period "${periodText}" is not a duration`);
  if (!(entry.objective > 0 && entry.objective < 100)) fail(where, 'objective must be between 0 and 100 (exclusive)');
  let events: Slo['events'];
  let latency: LatencyHistogram | undefined;
  if (entry.sli.latency) {
    const lat = entry.sli.latency;
    const hist = selectorOf(lat.histogram, where);
    const t = thresholdSeconds(lat.threshold) ?? fail(where, 'latency threshold is not a number of seconds or a duration');
    if (!lat.buckets.some((b) => Math.abs(b - t) < 1e-9)) fail(where, `latency threshold ${t}s is not one of the histogram's buckets`);
    latency = { metric: hist.metric, selector: hist, thresholdSeconds: t, thresholdLe: leRegex(t), buckets: lat.buckets };
    events = {
      mode: 'good',
      selector: withMatcher(withMetric(hist, hist.metric + HISTOGRAM.bucket), {
        label: HISTOGRAM.le,
        op: '=~',
        value: latency.thresholdLe,
      }),
      total: withMetric(hist, hist.metric + HISTOGRAM.count),
    };
  } else if (entry.sli.events) {
    const ev = entry.sli.events;
    const total = selectorOf(ev.total, where);
    if (ev.good !== undefined) {
      const good = selectorOf(ev.good, where);
      events = { mode: 'good', selector: good, total };
      latency = latencyFromEvents(good, total);
    } else if (ev.bad !== undefined) {
      events = { mode: 'bad', selector: selectorOf(ev.bad, where), total };
    } else {
      fail(where, 'events need "bad" or "good" beside "total"');
    }
  } else {
    fail(where, 'sli needs "events" or "latency"');
  }
  const tiling = periodTiling(periodSeconds, profile);
  if ('error' in tiling) fail(where, `period ${periodText}: ${tiling.error}`);
  const objective = entry.objective / 100;
  const errorBudget = Number((1 - objective).toPrecision(12));
  const alerting = entry.alerting ?? {};
  const windows = burnRateWindows(periodSeconds, profile, alerting.burn_rates?.map(customTier));
  return {
    service: service.name,
    name: entry.name,
    kind: latency ? 'latency' : 'availability',
    description: entry.description ?? `${entry.name} of ${service.name}`,
    objective: Number(objective.toPrecision(12)),
    objectivePercent: entry.objective,
    errorBudget,
    specPeriod: periodText,
    events,
    latency,
    labels: checkLabels({ ...(service.labels ?? {}), ...(entry.labels ?? {}) }, where),
    annotations: { ...(entry.annotations ?? {}) },
    alerting: {
      enabled: alerting.enabled ?? true,
      minRequests: minRequestsIn(profile, alerting.min_requests ?? DEFAULT_MIN_REQUESTS, errorBudget, windows),
      labels: checkLabels({ ...(alerting.labels ?? {}) }, where),
      annotations: { ...(alerting.annotations ?? {}) },
    },
    windows,
    runbookBaseUrl: spec.runbook_base_url ?? DEFAULT_RUNBOOK_BASE_URL,
    profile,
  };
}

/** The low-traffic guard in a profile. Test windows are 60 times shorter, so
 * they hold 60 times fewer requests; but never so few that a single failure is a
 * burn above the fastest tier's threshold (1 in 13 requests is 14.4x a 0.5%
 * budget): one failure alone must not page a test stack either. */
export function minRequestsIn(profile: Profile, written: number, errorBudget: number, windows: SloWindows): number {
  if (profile !== 'test') return written;
  const fastest = Math.max(...windows.tiers.map((t) => t.burnRate));
  const oneFailureFloor = Math.floor(1 / (fastest * errorBudget)) + 1;
  return Math.max(Math.ceil(written / TEST_PROFILE_FACTOR), oneFailureFloor);
}

/** Every SLO of the spec, validated, in spec order. Pure. */
export function buildSloModels(spec: SloSpec, profile: Profile): Slo[] {
  return spec.services.flatMap((svc) => svc.slos.map((entry) => buildSlo(spec, svc, entry, profile)));
}
