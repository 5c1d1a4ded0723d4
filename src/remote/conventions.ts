import type { QueueSettings } from './settings.js';

/** Series forwarded to long-term storage by default, as RE2 patterns over
 * `__name__`: the SLO recording series (budgets and burn rates over 30 days are
 * what long-term storage is for), the generic RED series, the alert history,
 * and `up` so availability of each target stays answerable. Raw series stay
 * local: they are many, and every question long-term storage answers is
 * asked of the recorded ones. */
export const FORWARDED_SERIES: readonly string[] = ['slo:.*', 'http:.*', 'ALERTS', 'ALERTS_FOR_STATE', 'up'];

/** Queue defaults. Prometheus's own, written out so the docs can point at
 * them; max_backoff bounds how long after the remote end returns the first
 * retry lands (the measured recovery time follows from it). */
export const DEFAULT_QUEUE: Readonly<QueueSettings> = {
  capacity: 10000,
  minShards: 1,
  maxShards: 50,
  maxSamplesPerSend: 2000,
  batchSendDeadline: '5s',
  minBackoff: '30ms',
  maxBackoff: '5s',
};

export const DEFAULT_REMOTE_NAME = 'long-term';
export const DEFAULT_REMOTE_TIMEOUT = '30s';

/** Series that `/federate` exposes to a global Prometheus: the SLO recording
 * series and the firing alerts of each stack. */
export const FEDERATION_MATCHERS: readonly string[] = ['{__name__=~"slo:.*"}', '{__name__="ALERTS"}'];
