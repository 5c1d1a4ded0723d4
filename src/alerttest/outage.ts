/** The total-outage page measured on the production profile: a production
 * stack of our own serves normal traffic for a warm-up, then every /predict
 * fails; we time the page against the workbook.
 *
 * The warm-up matters. rate() over 1h on a stack that has been up for 10
 * minutes divides by 10 minutes of traffic, so a young stack detects faster
 * than the workbook's full-window figure. The 1h window needs about 56 minutes
 * of history before it behaves as the workbook assumes; the 6h window of the
 * 6x pair needs six hours, and until then that pair can page first. We
 * therefore time both the first page and the 1h/5m pair itself (its own alert
 * instance, label long_window), each next to the theory for the history the
 * windows held. */
import { faultRequest } from '../gateway/index.js';
import { describeDelivery, matchesDelivery } from './notifications.js';
import { startOwnStack } from './own-stack.js';
import { undoAll } from './runner.js';
import type { Delivery } from './scenarios.js';
import { notificationsSince, prometheusAlerts, queryValue, targetFromDataDir } from './stack.js';
import { slosOf } from './suite.js';
import { burnDetection, burnDetections, formatSeconds, stackTimings } from './theory.js';
import { Traffic } from './traffic.js';
import { hold, waitFor, type Voice } from './wait.js';

export interface OutageMeasurement {
  warmupSeconds: number;
  /** Fault → first SLOAvailabilityFastBurn firing (any pair) and its pair. */
  firstFireSeconds: number | undefined;
  firstPair: string | undefined;
  /** Fault → the page at PagerDuty. */
  pageSeconds: number | undefined;
  /** Workbook for the history present: first pair to fire. */
  firstTheorySeconds: number | undefined;
  firstTheoryPair: string | undefined;
  /** Fault → the 1h/5m pair firing in Prometheus. */
  hourPairFireSeconds: number | undefined;
  /** Workbook for the 1h/5m pair with the history present, and with full windows (0.005 × 14.4 × 1h ≈ 4.3 min). */
  hourPairTheorySeconds: number | undefined;
  hourPairFullWindowSeconds: number | undefined;
  pipelineSeconds: number;
  passed: boolean;
}

const PAGE: Delivery = { alertname: 'SLOAvailabilityFastBurn', service: 'inference-gateway', integration: 'pagerduty', status: 'firing' };
const FAST = 'SLOAvailabilityFastBurn';

export async function measureProductionOutage(
  voice: Voice,
  opts: { warmupSeconds: number; rate?: number; keep?: boolean },
): Promise<OutageMeasurement> {
  const own = await startOwnStack(voice, { profile: 'production', keep: opts.keep ?? false });
  const target = targetFromDataDir(own.dataDir);
  const traffic = new Traffic(target.gateway, { rate: opts.rate ?? 20, feedbackRatio: 0.2 });
  const auth = { dataDir: target.settings.dataDir };
  try {
    const s = target.settings;
    const timings = stackTimings(s.profile, s.scrapeInterval, s.evaluationInterval);
    const slo = slosOf(s.configDir, s.profile).find((x) => x.name === 'availability');
    traffic.set();
    const tTraffic = Date.now();
    await hold(voice, `warm-up: normal traffic fills the burn-rate windows (${formatSeconds(opts.warmupSeconds)})`, opts.warmupSeconds);
    const seen = await queryValue(target, 'sum(increase(http_requests_total{job="inference-gateway",route="/predict"}[1h]))').catch(
      () => undefined,
    );
    voice.say(`  Prometheus counted ${Math.round(seen ?? 0)} /predict requests in the last hour of warm-up`);
    const tFault = Date.now();
    const history = (tFault - tTraffic) / 1000;
    voice.say('  inject: total outage (every /predict answers 503)');
    await faultRequest(target.gateway, 'PUT', { error_ratio: 1 }, auth);

    const first = slo ? burnDetection(slo, 1, history) : undefined;
    const hourNow = slo ? burnDetections(slo, 1, history).find((d) => d.long === '1h') : undefined;
    const hourFull = slo ? burnDetections(slo, 1).find((d) => d.long === '1h') : undefined;
    const budget = Math.ceil((hourFull?.seconds ?? 600) * 2 + 300);
    const fastAlerts = async () => (await prometheusAlerts(target)).filter((a) => a.labels.alertname === FAST && a.state === 'firing');

    // These alerts have no for:, so activeAt is the evaluation at which they fired.
    const sinceFault = (a: { activeAt: string }) => (Date.parse(a.activeAt) - tFault) / 1000;
    const fired = await waitFor(
      voice,
      `${FAST} (any page pair) to fire in Prometheus`,
      budget,
      async () => (await fastAlerts()).sort((a, b) => Date.parse(a.activeAt) - Date.parse(b.activeAt))[0],
      { intervalMs: 1000 },
    );
    const firstFireSeconds = fired.value ? sinceFault(fired.value) : undefined;
    const firstPair = fired.value ? `${fired.value.labels.long_window}/${fired.value.labels.short_window}` : undefined;
    const paged = fired.ok
      ? await waitFor(
          voice,
          describeDelivery(PAGE),
          180,
          async () => (await notificationsSince(target, tFault)).find((r) => matchesDelivery(r, PAGE)),
          { intervalMs: 1000 },
        )
      : undefined;
    const pageSeconds = paged?.value ? (Date.parse(paged.value.time) - tFault) / 1000 : undefined;
    const hour = await waitFor(
      voice,
      `the 1h/5m pair of ${FAST} to fire in Prometheus`,
      budget,
      async () => (await fastAlerts()).find((a) => a.labels.long_window === '1h'),
      { intervalMs: 1000 },
    );
    const hourPairFireSeconds = hour.value ? sinceFault(hour.value) : undefined;
    return {
      warmupSeconds: history,
      firstFireSeconds,
      firstPair,
      pageSeconds,
      firstTheorySeconds: first?.seconds,
      firstTheoryPair: first ? `${first.long}/${first.short}` : undefined,
      hourPairFireSeconds,
      hourPairTheorySeconds: hourNow?.seconds,
      hourPairFullWindowSeconds: hourFull?.seconds,
      pipelineSeconds: timings.scrapeSeconds + timings.evaluationSeconds + timings.groupWaitSeconds,
      passed: pageSeconds !== undefined && hourPairFireSeconds !== undefined,
    };
  } finally {
    await faultRequest(target.gateway, 'DELETE', undefined, auth).catch(() => undefined);
    await undoAll();
    await traffic.stop();
    await own.stop();
  }
}

export function outageReport(m: OutageMeasurement): string {
  return [
    'total outage on the production profile (99.5% availability SLO over 30d):',
    `  history in the windows (warm-up): ${formatSeconds(m.warmupSeconds)}`,
    `  first page pair to fire: ${m.firstPair ?? '-'} after ${formatSeconds(m.firstFireSeconds)}; PagerDuty page after ${formatSeconds(m.pageSeconds)}`,
    `    workbook for this history: ${m.firstTheoryPair ?? '-'} after ${formatSeconds(m.firstTheorySeconds)} (+ up to ${formatSeconds(m.pipelineSeconds)} scrape, evaluation, group_wait; pairs read from 5m tiles can lag one tile)`,
    `  the 1h/5m pair (14.4x) fired after ${formatSeconds(m.hourPairFireSeconds)}`,
    `    workbook for this history: ${formatSeconds(m.hourPairTheorySeconds)}; with full windows: ${formatSeconds(m.hourPairFullWindowSeconds)} (0.005 × 14.4 × 60 min)`,
  ].join('\n');
}
