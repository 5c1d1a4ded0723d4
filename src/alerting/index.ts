// The alerting room: where notifications go (real or the local sink), the
// credential files, and the Alertmanager configuration rendered from the
// routing table.
export {
  INTEGRATIONS,
  PAGERDUTY_EVENTS_URL,
  describeTargets,
  resolveNotificationTargets,
  sinkHttpUrl,
  type EmailTarget,
  type HeartbeatTarget,
  type Integration,
  type NotificationTargets,
  type PagerDutyTarget,
  type SlackChannels,
  type SlackTarget,
} from './targets.js';
export { CREDENTIAL_FILES, credentialPath, writeCredentialFiles } from './credentials.js';
export {
  ALERTMANAGER_CONFIG_FILE,
  GENERATE_HEADER,
  GROUP_TIMINGS,
  alertTimingOf,
  alertmanagerConfigObject,
  configHoldsSecrets,
  renderAlertmanagerConfig,
  renderDefaultAlertmanagerConfig,
  type AlertTiming,
  type GroupTiming,
  type AlertmanagerRenderOptions,
} from './render.js';
export {
  FALLBACK_REPEAT_INTERVAL,
  GROUP_BY,
  INHIBIT_RULES,
  RECEIVERS,
  ROUTES,
  type InhibitRule,
  type ReceiverName,
  type RouteRow,
} from './routing.js';
export { RUNBOOK_BASE_URL, githubAnchor, markdownAnchors, runbookAnchor } from './runbooks.js';
