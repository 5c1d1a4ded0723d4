// The local notification sink: speaks Slack webhooks, PagerDuty Events v2 and
// SMTP, records what arrives under the data directory, lists it.
import type { NotificationSink, NotificationSinkOptions } from './server.js';
export type { NotificationSink, NotificationSinkOptions } from './server.js';

/** Start the sink. Its servers (SMTP, mail parsing) load here, on first use: the
 * rooms that only read its records or constants never load them. */
export async function startNotificationSink(opts: NotificationSinkOptions): Promise<NotificationSink> {
  return (await import('./server.js')).startNotificationSink(opts);
}
export { NOTIFICATIONS_FILE, readNotifications, SEGMENT_BYTES, type NotificationFilter } from './store.js';
export { SINK_INTEGRATIONS, type NotificationRecord, type SinkIntegration } from './records.js';
export { parseSince } from './since.js';
export { registerNotificationCommands } from './cli.js';
