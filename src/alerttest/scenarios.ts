/** The alert test scenarios, as data: the fault each injects, the alerts that
 * must fire, the notifications that must arrive where, and the ones that must
 * not. The runner (runner.ts) interprets them. */
import type { SinkIntegration } from '../sink/index.js';
import { sloSeries } from '../slo/index.js';

/** An alert by name, optionally narrowed by some of its labels. */
export interface AlertRef {
  alertname: string;
  labels?: Record<string, string>;
}

/** A notification that must reach the sink. */
export interface Delivery {
  alertname: string;
  service?: string;
  integration: SinkIntegration;
  /** Slack channel (`#alerts`), webhook receiver name, ... */
  channel?: string;
  status: 'firing' | 'resolved';
}

/** Notifications that must not arrive while the scenario runs (every field given must match). */
export interface QuietRule {
  why: string;
  integration?: SinkIntegration;
  alertname?: string;
  service?: string;
  channel?: string;
  status?: 'firing' | 'resolved';
}

export type GatewayFault = { error_ratio?: number; latency_ms?: number; feature_shift?: Record<string, number> };

export type Fault =
  | { kind: 'none' }
  /** Set through the gateway's loopback fault control (`mlmon fault set`). */
  | { kind: 'gateway'; fault: GatewayFault }
  /** SIGSTOP: the process stops answering (as a hung or dead one would) but
   * keeps its pid, so the supervisor does not restart it behind our back; SIGCONT brings it back. */
  | { kind: 'freeze'; component: 'inference-gateway' | 'ml-model-exporter' };

/** What the workbook (or the rule itself) says the detection time should be. */
export type Theory =
  | { kind: 'none' }
  /** Multiwindow burn-rate page of an SLO for a steady share of bad events. */
  | { kind: 'burn'; slo: string; badRatio: number }
  /** A hand-written rule: `for:` (production value) after its expression turns true,
   * which takes `leadSeconds` (production) for a windowed expression. */
  | { kind: 'rule'; alertname: string; forSeconds: number; leadSeconds: number; note?: string }
  /** Alertmanager lets a group through at its next flush (group_interval). */
  | { kind: 'group-interval' };

export interface Scenario {
  id: string;
  title: string;
  fault: Fault;
  /** Alerts that must be firing in Prometheus and reach Alertmanager. */
  fires: AlertRef[];
  delivers: Delivery[];
  /** Alerts that must reach Alertmanager yet be held back. */
  suppressed: Array<{ alert: AlertRef; by: 'inhibition' | 'silence' }>;
  quiet: QuietRule[];
  /** A silence on these labels is created before the fault and expired after
   * checking it holds; `delivers` are then expected after the expiry. */
  silence?: Record<string, string>;
  /** Notifications expected once the fault is gone. */
  recovers?: Delivery[];
  /** Baseline: watch normal traffic this long; nothing but these may fire. */
  observe?: { seconds: number; allowed: string[] };
  /** Accept deliveries from this long before the fault (the heartbeat repeats every 5m). */
  deliveryLookbackSeconds?: number;
  /** Inject just after this series, recorded once per tile, refreshes, so that the
   * windows read from the SLO's counts cannot see the fault before the raw ones do. */
  alignToTile?: string;
  /** One outage pages once: every PagerDuty notification of this service during the
   * fault belongs to one incident (one dedup key). */
  pagesOnce?: string;
  /** Traffic shape while the fault is on. */
  feedbackRatioDuringFault?: number;
  /** Cleanup: normal predictions sent to push shifted rows out of the drift window. */
  flushPredictions?: number;
  /** Cleanup waits until these are no longer firing (default: the names in `fires`). */
  clears?: string[];
  theory: Theory;
}

const GATEWAY = 'inference-gateway';

/** In the order `--all` runs them, which is also their numbering (1 to 7): the baseline while nothing has fired yet, and
 * the two SLO scenarios last, because a slow burn keeps firing for its short
 * window after the fault (1m20s for latency, 6m for availability on the test
 * profile), by design of the multiwindow alerts; they are left to resolve on
 * their own, and no later check looks at their names. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'baseline',
    title: 'Normal traffic only: nothing fires except the Watchdog',
    fault: { kind: 'none' },
    fires: [{ alertname: 'Watchdog' }],
    delivers: [],
    suppressed: [],
    quiet: [
      { why: 'no page under normal traffic', integration: 'pagerduty', status: 'firing' },
      { why: 'no Slack message under normal traffic', integration: 'slack', status: 'firing' },
      { why: 'no fallback email under normal traffic', integration: 'email', status: 'firing' },
    ],
    observe: { seconds: 20, allowed: ['Watchdog'] },
    theory: { kind: 'none' },
  },
  {
    id: 'watchdog',
    title: 'The Watchdog heartbeat arrives at its receiver',
    fault: { kind: 'none' },
    fires: [{ alertname: 'Watchdog' }],
    delivers: [{ alertname: 'Watchdog', integration: 'webhook', channel: 'heartbeat', status: 'firing' }],
    suppressed: [],
    quiet: [{ why: 'the heartbeat never goes to Slack', integration: 'slack', alertname: 'Watchdog' }],
    // repeat_interval of the heartbeat route is 5m: one must have come within it.
    deliveryLookbackSeconds: 330,
    theory: { kind: 'none' },
  },
  {
    id: 'drift',
    title: 'One input feature shifted: the drift alert reaches #ml-team, no page',
    fault: { kind: 'gateway', fault: { feature_shift: { petal_length: 2.5 } } },
    fires: [{ alertname: 'FeatureDrift', labels: { feature: 'petal_length' } }],
    delivers: [{ alertname: 'FeatureDrift', integration: 'slack', channel: '#ml-team', status: 'firing' }],
    suppressed: [],
    quiet: [
      { why: 'drift never pages', integration: 'pagerduty' },
      { why: 'drift is not for the on-call channel', integration: 'slack', channel: '#alerts' },
    ],
    // Labels would mark the shifted predictions wrong and hold the accuracy
    // alert for its whole 1h window; ground truth is late in practice anyway.
    feedbackRatioDuringFault: 0,
    // The exporter judges drift over its last 1000 predictions.
    flushPredictions: 1200,
    clears: ['FeatureDrift', 'PredictionDrift'],
    theory: {
      kind: 'rule',
      alertname: 'FeatureDrift',
      forSeconds: 600,
      leadSeconds: 0,
      note: 'once shifted rows dominate the drift window',
    },
  },
  {
    id: 'silence',
    title: "A silence made through Alertmanager's API holds a firing alert back; expiring it lets it through",
    fault: { kind: 'freeze', component: 'ml-model-exporter' },
    fires: [{ alertname: 'ServiceDown', labels: { service: 'ml-model-exporter' } }],
    silence: { alertname: 'ServiceDown', service: 'ml-model-exporter' },
    suppressed: [{ alert: { alertname: 'ServiceDown', labels: { service: 'ml-model-exporter' } }, by: 'silence' }],
    delivers: [
      { alertname: 'ServiceDown', service: 'ml-model-exporter', integration: 'pagerduty', status: 'firing' },
      { alertname: 'ServiceDown', service: 'ml-model-exporter', integration: 'slack', channel: '#alerts', status: 'firing' },
    ],
    quiet: [],
    recovers: [{ alertname: 'ServiceDown', service: 'ml-model-exporter', integration: 'pagerduty', status: 'resolved' }],
    theory: { kind: 'group-interval' },
  },
  {
    id: 'gateway-down',
    title: "The gateway stops: ServiceDown pages, the gateway's warnings are inhibited, it resolves",
    fault: { kind: 'freeze', component: 'inference-gateway' },
    fires: [{ alertname: 'ServiceDown', labels: { service: GATEWAY } }],
    delivers: [
      { alertname: 'ServiceDown', service: GATEWAY, integration: 'pagerduty', status: 'firing' },
      { alertname: 'ServiceDown', service: GATEWAY, integration: 'slack', channel: '#alerts', status: 'firing' },
    ],
    suppressed: [{ alert: { alertname: 'TargetMissing', labels: { service: GATEWAY } }, by: 'inhibition' }],
    quiet: [
      { why: 'the warning is inhibited by ServiceDown', alertname: 'TargetMissing', service: GATEWAY },
      { why: 'the failed probe is held back by ServiceDown: one page', alertname: 'ProbeFailed', integration: 'pagerduty' },
    ],
    recovers: [
      { alertname: 'ServiceDown', service: GATEWAY, integration: 'pagerduty', status: 'resolved' },
      { alertname: 'ServiceDown', service: GATEWAY, integration: 'slack', channel: '#alerts', status: 'resolved' },
    ],
    clears: ['ServiceDown', 'TargetMissing', 'ProbeFailed', 'SLOAvailabilityNoData', 'SLOLatencyNoData'],
    theory: { kind: 'rule', alertname: 'ServiceDown', forSeconds: 60, leadSeconds: 0 },
  },
  {
    id: 'latency',
    title: 'Added latency on /predict: the latency SLO burn alert fires and pages',
    fault: { kind: 'gateway', fault: { latency_ms: 400 } },
    fires: [{ alertname: 'SLOLatencyFastBurn', labels: { service: GATEWAY, slo: 'latency' } }],
    delivers: [
      { alertname: 'SLOLatencyFastBurn', service: GATEWAY, integration: 'pagerduty', status: 'firing' },
      { alertname: 'SLOLatencyFastBurn', service: GATEWAY, integration: 'slack', channel: '#alerts', status: 'firing' },
    ],
    suppressed: [],
    quiet: [
      { why: '400 ms is above the SLO threshold (300 ms) but below the p99 alert (1 s)', alertname: 'HighLatencyP99' },
      { why: 'latency is not an availability problem', alertname: 'SLOAvailabilityFastBurn' },
    ],
    alignToTile: sloSeries.eventsCounted('latency', 'total'),
    theory: { kind: 'burn', slo: 'latency', badRatio: 1 },
  },
  {
    id: 'error-burst',
    title: 'A burst of 5xx: HighErrorRate and the availability fast burn page once, together; the slow burn is inhibited',
    fault: { kind: 'gateway', fault: { error_ratio: 0.5 } },
    fires: [
      { alertname: 'HighErrorRate', labels: { service: GATEWAY } },
      { alertname: 'SLOAvailabilityFastBurn', labels: { service: GATEWAY, slo: 'availability' } },
    ],
    delivers: [
      { alertname: 'SLOAvailabilityFastBurn', service: GATEWAY, integration: 'pagerduty', status: 'firing' },
      { alertname: 'SLOAvailabilityFastBurn', service: GATEWAY, integration: 'slack', channel: '#alerts', status: 'firing' },
      { alertname: 'HighErrorRate', service: GATEWAY, integration: 'pagerduty', status: 'firing' },
      { alertname: 'HighErrorRate', service: GATEWAY, integration: 'slack', channel: '#alerts', status: 'firing' },
    ],
    suppressed: [{ alert: { alertname: 'SLOAvailabilitySlowBurn', labels: { service: GATEWAY, slo: 'availability' } }, by: 'inhibition' }],
    quiet: [{ why: 'the slow burn is inhibited while the fast burn fires', alertname: 'SLOAvailabilitySlowBurn', status: 'firing' }],
    alignToTile: sloSeries.eventsCounted('availability', 'total'),
    pagesOnce: GATEWAY,
    theory: { kind: 'burn', slo: 'availability', badRatio: 0.5 },
  },
];

/** A scenario's number: its place in the order `--all` runs them, from 1. */
export function scenarioNumber(sc: Scenario): number {
  return SCENARIOS.indexOf(sc) + 1;
}

export function findScenario(idOrNumber: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === idOrNumber || String(scenarioNumber(s)) === idOrNumber);
}
