/** Multiwindow, multi-burn-rate alerts (SRE workbook): one rule per tier, so the
 * labels say which window pair fired and Alertmanager can inhibit the slow alert
 * while the fast one fires; and the alerts that say an SLO cannot be measured.
 * Pure. */
import { TEST_PROFILE_FACTOR } from '../definition/index.js';
import {
  ALERT_CATEGORY,
  bucketMissingAlertName,
  burnAlertName,
  GROUP_NAMES,
  HISTOGRAM,
  noDataAlertName,
  runbookUrl,
  SLO_LABELS,
  sloSeries,
} from './conventions.js';
import type { Slo } from './model.js';
import {
  countedSeries,
  countedSince,
  num,
  recorded,
  requestsIn,
  sloLabels,
  thresholdBucket,
  type AlertingRule,
  type RuleGroup,
} from './rules.js';
import { secondsText, type ScaledTier } from './windows.js';

/** How long an SLI must be missing before its no-data alert fires: a scrape that
 * fails once, or a restart, is not worth a ticket (divided by 60 in the test profile). */
export const NO_DATA_FOR_SECONDS = 600;

/** The long window's burn as the alert reads it. A ticket's long window spans
 * up to days: on a younger stack it holds only minutes of data, and a few minutes
 * of errors would read as days of them. So a ticket scales the burn by the share
 * of the window that holds data: it fires once the budget it names is really
 * spent (given the missing part was clean), not on a few minutes of data. A page
 * reads the burn as it is: a new service failing hard pages at once. */
function longBurn(slo: Slo, tier: ScaledTier): string {
  const long = recorded(sloSeries.burnRate(slo.kind, tier.long.name), slo);
  if (tier.severity === 'critical') return long;
  return `${long} * on (${SLO_LABELS.service}, ${SLO_LABELS.slo}) clamp_max((time() - ${countedSince(slo)}) / ${num(tier.long.seconds)}, 1)`;
}

function tierRule(slo: Slo, tier: ScaledTier): AlertingRule {
  const name = burnAlertName(slo.kind, tier.speed);
  const threshold = num(tier.burnRate);
  const op = tier.orEqual ? '>=' : '>';
  const short = recorded(sloSeries.burnRate(slo.kind, tier.short.name), slo);
  const on = `on (${SLO_LABELS.service}, ${SLO_LABELS.slo})`;
  const page = tier.severity === 'critical';
  const expr = [
    `${longBurn(slo, tier)} ${op} ${threshold}`,
    `and ${on}`,
    `${short} ${op} ${threshold}`,
    // Low-traffic guard: a handful of requests with one failure is no emergency.
    'and on ()',
    `${requestsIn(slo, tier.long)} >= ${slo.alerting.minRequests}`,
  ].join('\n');
  const period = slo.windows.period;
  const exhaustion = secondsText(period.seconds / tier.burnRate);
  const pct = `${Number((tier.budgetSpent * 100).toPrecision(3))}%`;
  const what = slo.kind === 'latency' ? `requests slower than ${num(slo.latency?.thresholdSeconds ?? 0)}s` : 'failed requests';
  // Only a spec's own burn rates (OpenSLO alertAfter) wait: the workbook's two
  // windows already demand that the burn is both real and current.
  const waits = tier.forSeconds !== undefined && tier.forSeconds > 0 ? { for: secondsText(tier.forSeconds) } : {};
  // A page holds for one short window after its condition last held: a burn
  // hovering around the threshold (blocks of 20x and 10x around 14.4x) is one
  // page, not a page every few minutes.
  const holds = page ? { keep_firing_for: tier.short.name } : {};
  return {
    alert: name,
    expr,
    ...waits,
    ...holds,
    labels: {
      [SLO_LABELS.severity]: tier.severity,
      [SLO_LABELS.category]: ALERT_CATEGORY,
      ...sloLabels(slo),
      ...slo.alerting.labels,
      ...tier.labels,
      [SLO_LABELS.longWindow]: tier.long.name,
      [SLO_LABELS.shortWindow]: tier.short.name,
    },
    annotations: {
      // Static text on purpose: promtool tests compare annotations exactly, and the
      // burn rate itself is one click away in the alert's expression.
      summary: `${slo.service} ${slo.name} SLO: error budget burning over ${threshold}x the sustainable rate (${tier.long.name} and ${tier.short.name})`,
      description:
        `${slo.service} is spending the error budget of its ${slo.name} SLO (${num(slo.objectivePercent)}% over ${period.name}; ${what} are bad events) ` +
        `${tier.orEqual ? 'at least' : 'more than'} ${threshold}x faster than sustainable over the last ${tier.long.name}, and still over the last ${tier.short.name}. ` +
        `At ${threshold}x the whole budget is gone in ${exhaustion}; this pair fires once ${pct} of it is spent` +
        (page
          ? ', and keeps firing for one short window after the burn last held.'
          : ` (while less than ${tier.long.name} of data has been counted, the burn is scaled by the share of the window that holds data).`),
      runbook_url: runbookUrl(slo.runbookBaseUrl, name),
      ...slo.annotations,
      ...slo.alerting.annotations,
    },
  };
}

export function burnRateAlertGroup(slo: Slo): RuleGroup<AlertingRule> {
  return { name: GROUP_NAMES.sloAlerts(slo.service, slo.name), rules: slo.windows.tiers.map((t) => tierRule(slo, t)) };
}

/** Alerts that say the SLO cannot be measured: no SLI series at all (a renamed
 * metric or route, a relabelling, or the target gone: every burn alert is then
 * silent), and (latency SLIs) histogram series without the threshold's bucket,
 * which the SLI leaves out. */
export function dataAlertGroup(slo: Slo): RuleGroup<AlertingRule> {
  const forSeconds = slo.profile === 'test' ? Math.max(1, Math.round(NO_DATA_FOR_SECONDS / TEST_PROFILE_FACTOR)) : NO_DATA_FOR_SECONDS;
  const labels = {
    [SLO_LABELS.severity]: 'warning',
    [SLO_LABELS.category]: ALERT_CATEGORY,
    ...sloLabels(slo),
    ...slo.alerting.labels,
  };
  const total = countedSeries(slo).total.selector;
  const noData = noDataAlertName(slo.kind);
  const rules: AlertingRule[] = [
    {
      alert: noData,
      expr: `absent(${total})`,
      for: secondsText(forSeconds),
      labels,
      annotations: {
        summary: `${slo.service} ${slo.name} SLO has no data`,
        description:
          `No series matches ${total}, so the ${slo.name} SLO of ${slo.service} cannot be measured and none of its burn-rate alerts can fire. ` +
          'The metric or a label was renamed, relabelling dropped it, or the target itself is gone.',
        runbook_url: runbookUrl(slo.runbookBaseUrl, noData),
        ...slo.annotations,
        ...slo.alerting.annotations,
      },
    },
  ];
  if (slo.latency) {
    const missing = bucketMissingAlertName(slo.kind);
    rules.push({
      alert: missing,
      expr: `${total} unless ignoring (${HISTOGRAM.le}) ${thresholdBucket(slo)}`,
      for: secondsText(forSeconds),
      labels,
      annotations: {
        summary: `A ${slo.latency.metric} series of ${slo.service} has no ${num(slo.latency.thresholdSeconds)}s bucket`,
        description:
          `A ${slo.latency.metric} series of job {{ $labels.job }} at {{ $labels.instance }} (the alert's labels name it) has no bucket at the ` +
          `${slo.name} SLO's threshold of ${num(slo.latency.thresholdSeconds)}s, so its requests are left out of the SLI (neither good nor bad). ` +
          'Give the histogram that bucket.',
        runbook_url: runbookUrl(slo.runbookBaseUrl, missing),
        ...slo.annotations,
        ...slo.alerting.annotations,
      },
    });
  }
  return { name: GROUP_NAMES.sloDataAlerts(slo.service, slo.name), rules };
}

export function alertRuleGroups(slos: readonly Slo[]): RuleGroup<AlertingRule>[] {
  return slos.filter((s) => s.alerting.enabled).flatMap((s) => [burnRateAlertGroup(s), dataAlertGroup(s)]);
}
