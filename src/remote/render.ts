import { DEFAULT_QUEUE, DEFAULT_REMOTE_NAME, DEFAULT_REMOTE_TIMEOUT, FORWARDED_SERIES } from './conventions.js';
import type { RemoteWriteAuth, RemoteWriteSettings } from './settings.js';

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
