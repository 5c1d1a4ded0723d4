/** How a stack forwards samples to long-term storage (Thanos Receive, Mimir,
 * Cortex, VictoriaMetrics, ...). Part of the typed stack definition
 * (`StackSettings.remoteWrite`), rendered into prometheus.yml here. */

/** Credentials are always read from files, so no secret enters a rendered config. */
export type RemoteWriteAuth = { kind: 'bearer'; credentialsFile: string } | { kind: 'basic'; username: string; passwordFile: string };

/** Prometheus's `queue_config`, in our names. */
export interface QueueSettings {
  /** Samples buffered per shard. */
  capacity: number;
  minShards: number;
  maxShards: number;
  maxSamplesPerSend: number;
  batchSendDeadline: string;
  minBackoff: string;
  maxBackoff: string;
}

export interface RemoteWriteSettings {
  /** Endpoint receiving the Prometheus remote-write protocol, e.g. http://vm:8428/api/v1/write. */
  url: string;
  /** Name of the queue in Prometheus's own metrics (`remote_name` label). */
  name?: string;
  auth?: RemoteWriteAuth;
  queue?: Partial<QueueSettings>;
  /** Metric names (or RE2 regexes over `__name__`) forwarded besides FORWARDED_SERIES. */
  keepSeries?: string[];
  remoteTimeout?: string;
}

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

/** The `__name__` regex of the keep rule. Prometheus anchors relabel regexes
 * (`^(?:...)$`), so a plain alternation keeps exactly these names. */
export function forwardedNameRegex(keepSeries: readonly string[] = []): string {
  const all = [...FORWARDED_SERIES, ...keepSeries.filter((k) => !FORWARDED_SERIES.includes(k))];
  return all.join('|');
}

function authBlock(auth: RemoteWriteAuth | undefined): Record<string, unknown> {
  if (!auth) return {};
  if (auth.kind === 'bearer') return { authorization: { type: 'Bearer', credentials_file: auth.credentialsFile } };
  return { basic_auth: { username: auth.username, password_file: auth.passwordFile } };
}

/** The `remote_write` section of prometheus.yml for one endpoint (pure). */
export function renderRemoteWrite(rw: RemoteWriteSettings): Array<Record<string, unknown>> {
  const q = { ...DEFAULT_QUEUE, ...(rw.queue ?? {}) };
  return [
    {
      url: rw.url,
      name: rw.name ?? DEFAULT_REMOTE_NAME,
      remote_timeout: rw.remoteTimeout ?? DEFAULT_REMOTE_TIMEOUT,
      ...authBlock(rw.auth),
      write_relabel_configs: [{ source_labels: ['__name__'], regex: forwardedNameRegex(rw.keepSeries), action: 'keep' }],
      queue_config: {
        capacity: q.capacity,
        min_shards: q.minShards,
        max_shards: q.maxShards,
        max_samples_per_send: q.maxSamplesPerSend,
        batch_send_deadline: q.batchSendDeadline,
        min_backoff: q.minBackoff,
        max_backoff: q.maxBackoff,
      },
    },
  ];
}
