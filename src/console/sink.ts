/** Client of the local notification sink's listing (`GET /notifications`). */
import type { NotificationRecord } from '../sink/index.js';
import { requestJson, type RequestLog } from '../upstream/index.js';

export async function fetchNotifications(
  sinkUrl: string,
  filter: { since?: string; integration?: string },
  log?: RequestLog,
): Promise<NotificationRecord[]> {
  const q = new URLSearchParams();
  if (filter.since) q.set('since', filter.since);
  if (filter.integration) q.set('integration', filter.integration);
  const qs = q.toString();
  return (await requestJson('sink', sinkUrl, `/notifications${qs ? `?${qs}` : ''}`, {}, log)) as NotificationRecord[];
}
