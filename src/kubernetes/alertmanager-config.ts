import { FALLBACK_REPEAT_INTERVAL, GROUP_BY, INHIBIT_RULES, RECEIVERS, ROUTES } from '../alerting/index.js';
import { API, PART_OF, SECRET_KEYS, type KubernetesOptions } from './conventions.js';

export interface K8sMatcher {
  name: string;
  value: string;
  matchType: '=' | '!=' | '=~' | '!~';
}

/** `category="slo"` → `{ name: 'category', matchType: '=', value: 'slo' }`. */
export function parseMatcher(m: string): K8sMatcher {
  const r = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(m);
  if (!r) throw new Error(`matcher ${m}: expected name="value" with one of = != =~ !~`);
  return { name: r[1]!, matchType: r[2] as K8sMatcher['matchType'], value: r[3]!.replace(/\\(.)/g, '$1') };
}

const secret = (opts: KubernetesOptions, key: string) => ({ name: opts.secretName, key });

/** Receivers of the routing table. Our notification templates live in
 * Alertmanager's global config, which an AlertmanagerConfig cannot set, so
 * these use Alertmanager's default texts (see docs/ARCHITECTURE.md, "Containers and scale-out"). */
function receivers(opts: KubernetesOptions): Array<Record<string, unknown>> {
  const slack = (channel: string) => ({ apiURL: secret(opts, SECRET_KEYS.slackWebhookUrl), channel, sendResolved: true });
  const email = {
    to: opts.email.to,
    from: opts.email.from,
    smarthost: opts.email.smarthost,
    ...(opts.email.username ? { authUsername: opts.email.username, authPassword: secret(opts, SECRET_KEYS.smtpPassword) } : {}),
    sendResolved: true,
  };
  return [
    { name: RECEIVERS.fallback, emailConfigs: [email] },
    { name: RECEIVERS.heartbeat, webhookConfigs: [{ urlSecret: secret(opts, SECRET_KEYS.heartbeatUrl), sendResolved: false }] },
    {
      name: RECEIVERS.page,
      pagerdutyConfigs: [
        {
          routingKey: secret(opts, SECRET_KEYS.pagerdutyRoutingKey),
          sendResolved: true,
          severity: '{{ .CommonLabels.severity }}',
          class: '{{ .CommonLabels.alertname }}',
          component: '{{ .CommonLabels.service }}',
          group: '{{ .CommonLabels.category }}',
        },
      ],
      slackConfigs: [slack('#alerts')],
    },
    { name: RECEIVERS.slackAlerts, slackConfigs: [slack('#alerts')] },
    { name: RECEIVERS.slackInfra, slackConfigs: [slack('#infra')] },
    { name: RECEIVERS.slackMlTeam, slackConfigs: [slack('#ml-team')] },
    { name: RECEIVERS.slackPlatform, slackConfigs: [slack('#platform')] },
  ];
}

/** The routing table as an AlertmanagerConfig (pure): the same rows, order,
 * repeat intervals and inhibitions as the native Alertmanager config. The
 * operator adds a `namespace` matcher to the top route, so it applies to
 * alerts from this namespace's rules. */
export function renderAlertmanagerConfigResource(opts: KubernetesOptions): Record<string, unknown> {
  return {
    apiVersion: API.monitoringAlpha,
    kind: 'AlertmanagerConfig',
    metadata: { name: 'mlmon', namespace: opts.namespace, labels: { ...PART_OF, ...opts.selectorLabels } },
    spec: {
      route: {
        receiver: RECEIVERS.fallback,
        groupBy: [...GROUP_BY],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: FALLBACK_REPEAT_INTERVAL,
        routes: ROUTES.map((r) => ({
          receiver: r.receiver,
          matchers: r.matchers.map(parseMatcher),
          ...(r.groupWait ? { groupWait: r.groupWait } : {}),
          ...(r.groupInterval ? { groupInterval: r.groupInterval } : {}),
          repeatInterval: r.repeatInterval,
        })),
      },
      receivers: receivers(opts),
      inhibitRules: INHIBIT_RULES.map((r) => ({
        sourceMatch: r.source_matchers.map(parseMatcher),
        targetMatch: r.target_matchers.map(parseMatcher),
        equal: [...r.equal],
      })),
    },
  };
}
