/** Multiwindow, multi-burn-rate alerts (SRE workbook): one rule per tier, so the
 * labels say which window pair fired and Alertmanager can inhibit the slow alert
 * while the fast one fires. Pure. */
import { ALERT_CATEGORY, burnAlertName, GROUP_NAMES, runbookUrl, SLO_LABELS, sloSeries } from './conventions.js';
import type { Slo } from './model.js';
import { num, rawTotalRate, recorded, sloLabels, sumOfTiles, tileOf, type AlertingRule, type RuleGroup } from './rules.js';
import { secondsText, type RateWindow, type ScaledTier } from './windows.js';

/** Requests in the long window, for the low-traffic guard. Tiles are rates over
 * one tile recorded once per tile, so their sum times the tile length counts
 * every request once. */
function requestsIn(slo: Slo, w: RateWindow): string {
  if (w.source === 'raw') return `${rawTotalRate(slo, w).replace(/^sum\(rate\(/, 'sum(increase(')}`;
  const tile = tileOf(slo, w);
  return `${sumOfTiles(recorded(sloSeries.totalEventsTile(slo.kind, tile.name), slo), w)} * ${num(tile.seconds)}`;
}

function tierRule(slo: Slo, tier: ScaledTier): AlertingRule {
  const name = burnAlertName(slo.kind, tier.speed);
  const threshold = num(tier.burnRate);
  const op = tier.orEqual ? '>=' : '>';
  const long = recorded(sloSeries.burnRate(slo.kind, tier.long.name), slo);
  const short = recorded(sloSeries.burnRate(slo.kind, tier.short.name), slo);
  const on = `on (${SLO_LABELS.service}, ${SLO_LABELS.slo})`;
  const expr = [
    `${long} ${op} ${threshold}`,
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
  return {
    alert: name,
    expr,
    ...waits,
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
        `At ${threshold}x the whole budget is gone in ${exhaustion}; this pair fires once ${pct} of it is spent.`,
      runbook_url: runbookUrl(slo.runbookBaseUrl, name),
      ...slo.annotations,
      ...slo.alerting.annotations,
    },
  };
}

export function burnRateAlertGroup(slo: Slo): RuleGroup<AlertingRule> {
  return { name: GROUP_NAMES.sloAlerts(slo.service, slo.name), rules: slo.windows.tiers.map((t) => tierRule(slo, t)) };
}

export function alertRuleGroups(slos: readonly Slo[]): RuleGroup<AlertingRule>[] {
  return slos.filter((s) => s.alerting.enabled).map(burnRateAlertGroup);
}
