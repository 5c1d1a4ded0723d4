/** The routing table, as data: the renderer turns it into
 * Alertmanager routes, the docs and the amtool cases refer to its names. */

export const RECEIVERS = {
  /** Root receiver: whatever no row below matches. */
  fallback: 'email-fallback',
  /** Watchdog only: the dead man's switch. */
  heartbeat: 'heartbeat',
  /** PagerDuty + Slack on-call channel. */
  page: 'page-oncall',
  slackAlerts: 'slack-alerts',
  slackInfra: 'slack-infra',
  slackMlTeam: 'slack-ml-team',
  slackPlatform: 'slack-platform',
} as const;
export type ReceiverName = (typeof RECEIVERS)[keyof typeof RECEIVERS];

/** Every notification is grouped by alert name and service. */
export const GROUP_BY = ['alertname', 'service'];

export interface RouteRow {
  /** What the row is, in the words of the routing table. */
  description: string;
  matchers: string[];
  receiver: ReceiverName;
  repeatInterval: string;
  /** Overrides of the timing defaults (the heartbeat wants them short). */
  groupWait?: string;
  groupInterval?: string;
  /** Overrides GROUP_BY: alerts of one outage that must reach the on-call as one notification. */
  groupBy?: string[];
}

/** First match wins (no `continue`), so the order matters: Watchdog before
 * the monitoring row it would otherwise fall into. */
export const ROUTES: readonly RouteRow[] = [
  {
    description: "Watchdog heartbeat (dead man's switch)",
    matchers: ['alertname="Watchdog"'],
    receiver: RECEIVERS.heartbeat,
    // Sent promptly and often, so the heartbeat service notices a gap in minutes.
    groupWait: '0s',
    groupInterval: '1m',
    repeatInterval: '5m',
  },
  {
    // One outage pages once: the SLO's fast burn and HighErrorRate of a service go
    // out as one notification (one PagerDuty incident, the group's key), whichever
    // fires first; the other joins it as an update.
    description: 'SLO fast burn and high error rate (one page per service)',
    matchers: ['severity="critical"', 'category=~"slo|errors"'],
    receiver: RECEIVERS.page,
    groupBy: ['service'],
    repeatInterval: '15m',
  },
  {
    description: 'SLO slow burn (and an SLO without data)',
    matchers: ['category="slo"', 'severity="warning"'],
    receiver: RECEIVERS.slackAlerts,
    repeatInterval: '3h',
  },
  {
    description: 'Service down (a failed scrape or probe of the service)',
    matchers: ['alertname=~"ServiceDown|ProbeFailed"'],
    receiver: RECEIVERS.page,
    repeatInterval: '15m',
  },
  {
    description: 'Resource alerts',
    matchers: ['category="resource"'],
    receiver: RECEIVERS.slackInfra,
    repeatInterval: '6h',
  },
  {
    description: 'Model quality',
    matchers: ['category="model_quality"'],
    receiver: RECEIVERS.slackMlTeam,
    repeatInterval: '12h',
  },
  {
    description: 'Monitoring issues',
    matchers: ['category="monitoring"'],
    receiver: RECEIVERS.slackPlatform,
    repeatInterval: '4h',
  },
];

export const FALLBACK_REPEAT_INTERVAL = '12h';

export interface InhibitRule {
  description: string;
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

/** Each rule names `equal` labels so nothing is suppressed across services.
 * Alertmanager treats a label missing on both sides as equal, so every source
 * requires the equal labels to be non-empty. */
export const INHIBIT_RULES: readonly InhibitRule[] = [
  {
    // Scoped by slo too: a latency page must not hide the availability ticket of
    // the same service (alerts without an slo label, such as ServiceDown and
    // TargetMissing, match each other: a label missing on both sides is equal).
    description: 'a warning while a critical alert fires for the same service and SLO',
    source_matchers: ['severity="critical"', 'service=~".+"'],
    target_matchers: ['severity="warning"'],
    equal: ['service', 'slo'],
  },
  {
    description: 'the slow burn while the fast burn fires for the same SLO',
    source_matchers: ['alertname=~"SLO.+FastBurn"', 'service=~".+"', 'slo=~".+"'],
    target_matchers: ['alertname=~"SLO.+SlowBurn"'],
    equal: ['service', 'slo'],
  },
  {
    description: 'resource alerts while the service is down',
    source_matchers: ['alertname="ServiceDown"', 'service=~".+"'],
    target_matchers: ['category="resource"'],
    equal: ['service'],
  },
  {
    description: 'a failed probe and the SLOs without data while the service is down',
    source_matchers: ['alertname="ServiceDown"', 'service=~".+"'],
    target_matchers: ['alertname=~"ProbeFailed|SLO.+NoData"'],
    equal: ['service'],
  },
  {
    description: 'a high-usage alert while its critical twin fires',
    source_matchers: ['alertname="NodeMemoryCritical"', 'instance=~".+"'],
    target_matchers: ['alertname="NodeMemoryHigh"'],
    equal: ['instance'],
  },
];
