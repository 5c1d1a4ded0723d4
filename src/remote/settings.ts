/** How a stack forwards samples to long-term storage (Thanos Receive, Mimir,
 * Cortex, VictoriaMetrics, ...). Part of the typed stack definition
 * (`StackSettings.remoteWrite`); rendered by `renderRemoteWrite`. */

/** Credentials are always read from files, so no secret enters a rendered config. */
export type RemoteWriteAuth =
  | { kind: 'bearer'; credentialsFile: string }
  | { kind: 'basic'; username: string; passwordFile: string };

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
