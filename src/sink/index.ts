// The local notification sink: speaks Slack webhooks, PagerDuty Events v2 and
// SMTP, records what arrives under the data directory, lists it.
export { startNotificationSink, type NotificationSink, type NotificationSinkOptions } from './server.js';
export { NOTIFICATIONS_FILE, readNotifications, SEGMENT_BYTES, type NotificationFilter } from './store.js';
export { SINK_INTEGRATIONS, type NotificationRecord, type SinkIntegration } from './records.js';
export { parseSince } from './since.js';
export { registerNotificationCommands } from './cli.js';
