/** Client of the local notification sink's listing (`GET /notifications`). */
import type { NotificationRecord, SinkIntegration } from '../sink/index.js';
import type { NotificationIntegration, NotificationView } from './api-types.js';
import { requestJson, type BasicCredentials, type RequestLog } from '../upstream/index.js';

// The page offers the sink's integrations as a filter: the two lists are one set
// (a compile error here when they part). Records themselves must fit the view,
// which the return type below checks.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _IntegrationsAgree = Holds<Same<SinkIntegration, NotificationIntegration>>;

export async function fetchNotifications(
  sinkUrl: string,
  filter: { since?: string; integration?: string },
  log?: RequestLog,
  auth?: BasicCredentials,
): Promise<NotificationView[]> {
  const q = new URLSearchParams();
  if (filter.since) q.set('since', filter.since);
  if (filter.integration) q.set('integration', filter.integration);
  const qs = q.toString();
  const records = (await requestJson('sink', sinkUrl, `/notifications${qs ? `?${qs}` : ''}`, { auth }, log)) as NotificationRecord[];
  return records;
}
