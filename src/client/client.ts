/** A small client for the ML model exporter's ingest API (POST /v1/events and
 * /v1/feedback). A model service calls `prediction()` and `feedback()` on its
 * request path: they only queue (never wait, never throw). A timer sends the
 * queue in batches; a failed send (network error, 429, 5xx) is retried with
 * exponential backoff and jitter, in order. The buffer is bounded: when the
 * exporter is away for long, the oldest items are dropped and counted, so the
 * service's memory never grows with the outage. */

/** Environment variable holding the ingest API's bearer token, for a client (and
 * the exporter itself) that is not given the token file: a Kubernetes Secret
 * reaches a pod this way. */
export const EXPORTER_TOKEN_ENV = 'MLMON_EXPORTER_TOKEN';

export interface PredictionInput {
  model: string;
  version: string;
  /** Request id; send feedback under the same id. */
  id: string;
  /** Numbers for numeric features, text for categorical ones, null when missing. */
  features: Record<string, number | string | null>;
  /** Predicted class, or value for a regression model. */
  prediction: string | number;
  /** Probability per class, when the model gives them. */
  scores?: Record<string, number>;
  /** Unix seconds or RFC 3339; default: when `prediction()` was called. */
  timestamp?: number | string;
}

export interface FeedbackInput {
  model: string;
  id: string;
  /** True class, or true value for a regression model. */
  label: string | number;
  timestamp?: number | string;
}

export interface MlmonClientOptions {
  /** Base URL of the ML model exporter, e.g. http://127.0.0.1:9101. */
  url: string;
  /** The bearer token (<data>/secrets/exporter-token of the stack). */
  token: string;
  /** Items per request (at most 10,000, the API's limit). */
  batchSize: number;
  /** How often queued items are sent. */
  flushIntervalMs: number;
  /** Items kept while the exporter cannot be reached; beyond this the oldest are dropped. */
  maxBuffered: number;
  /** Attempts per batch before it is dropped (counted in stats.dropped). */
  maxAttempts: number;
  /** First retry delay; doubled per attempt, with ±50% jitter, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Told about each failed attempt and each item the exporter refused. */
  onError?: (error: Error) => void;
  fetch?: typeof fetch;
}

export const DEFAULT_CLIENT_OPTIONS = Object.freeze({
  batchSize: 1000,
  flushIntervalMs: 1000,
  maxBuffered: 100_000,
  maxAttempts: 8,
  backoffMs: 200,
  maxBackoffMs: 10_000,
  timeoutMs: 10_000,
});

export interface ClientStats {
  /** Items handed to prediction() / feedback(). */
  queued: number;
  /** Items the exporter accepted. */
  accepted: number;
  /** Items the exporter refused (unknown model, bad value, ...): not retried. */
  rejected: number;
  /** Items lost: buffer full, or a batch that failed maxAttempts times, or refused as a whole (4xx). */
  dropped: number;
  /** Send attempts that failed and were retried. */
  retries: number;
  /** Items waiting now. */
  buffered: number;
}

export interface IngestAnswer {
  accepted: number;
  rejected: { index: number; reason: string; message?: string }[];
}

type Endpoint = 'events' | 'feedback';

class RetryableError extends Error {}

export class MlmonClient {
  readonly stats: ClientStats = { queued: 0, accepted: 0, rejected: 0, dropped: 0, retries: 0, buffered: 0 };
  private readonly opts: MlmonClientOptions;
  private readonly queues: Record<Endpoint, unknown[]> = { events: [], feedback: [] };
  private readonly timer: NodeJS.Timeout;
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(options: Partial<MlmonClientOptions> & Pick<MlmonClientOptions, 'url' | 'token'>) {
    this.opts = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    if (!(this.opts.batchSize >= 1 && this.opts.batchSize <= 10_000)) throw new RangeError('batchSize must be from 1 to 10000');
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.opts.flushIntervalMs);
    // The timer must not keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** Queue one prediction event. */
  prediction(p: PredictionInput): void {
    this.enqueue('events', { timestamp: Date.now() / 1000, ...p });
  }

  /** Queue one ground-truth label. */
  feedback(f: FeedbackInput): void {
    this.enqueue('feedback', { timestamp: Date.now() / 1000, ...f });
  }

  private enqueue(endpoint: Endpoint, item: unknown): void {
    this.stats.queued++;
    if (this.closed) {
      this.stats.dropped++;
      return;
    }
    this.queues[endpoint].push(item);
    this.stats.buffered++;
    // Bounded: the oldest item goes, so what arrives last (the freshest data) is kept.
    if (this.stats.buffered > this.opts.maxBuffered) {
      const q = this.queues.events.length >= this.queues.feedback.length ? this.queues.events : this.queues.feedback;
      q.shift();
      this.stats.buffered--;
      this.stats.dropped++;
    }
    if (this.queues[endpoint].length >= this.opts.batchSize) void this.flush().catch(() => undefined);
  }

  /** Send everything queued now, events before labels. Both queues are taken at
   * once: a label queued during the send waits for the next flush, so it never
   * reaches the exporter before its prediction (which would count it as unknown). */
  flush(): Promise<void> {
    const run = (this.sending ?? Promise.resolve()).then(async () => {
      const taken = { events: this.queues.events.splice(0), feedback: this.queues.feedback.splice(0) };
      this.stats.buffered -= taken.events.length + taken.feedback.length;
      for (const endpoint of ['events', 'feedback'] as const) {
        const items = taken[endpoint];
        for (let i = 0; i < items.length; i += this.opts.batchSize)
          await this.sendWithRetry(endpoint, items.slice(i, i + this.opts.batchSize));
      }
    });
    this.sending = run.finally(() => {
      if (this.sending === run) this.sending = undefined;
    });
    return run;
  }

  /** Send what is queued and stop the timer; later calls are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  private async sendWithRetry(endpoint: Endpoint, batch: unknown[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.send(endpoint, batch);
        this.stats.accepted += answer.accepted;
        this.stats.rejected += answer.rejected.length;
        for (const r of answer.rejected)
          this.opts.onError?.(new Error(`${endpoint}[${r.index}] refused: ${r.reason}${r.message ? ` (${r.message})` : ''}`));
        return;
      } catch (e) {
        const retryable = e instanceof RetryableError;
        this.opts.onError?.(e as Error);
        if (!retryable || attempt >= this.opts.maxAttempts) {
          this.stats.dropped += batch.length;
          return;
        }
        this.stats.retries++;
        const base = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, base * (0.5 + Math.random())));
      }
    }
  }

  private async send(endpoint: Endpoint, batch: unknown[]): Promise<IngestAnswer> {
    const f = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(`${this.opts.url.replace(/\/+$/, '')}/v1/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.token}` },
        body: JSON.stringify({ [endpoint]: batch }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      throw new RetryableError(`cannot reach ${this.opts.url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500) throw new RetryableError(`${endpoint}: HTTP ${res.status} ${text.trim()}`);
    if (res.status === 200 || res.status === 422) return JSON.parse(text) as IngestAnswer;
    // 400, 401, 413...: the same batch would be refused again.
    throw new Error(`${endpoint}: HTTP ${res.status} ${text.trim()}`);
  }
}
