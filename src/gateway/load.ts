import { irisRows, IRIS_FEATURES, type LabelledRow } from '../model/index.js';

export interface LoadOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8000. */
  gateway: string;
  /** Prediction requests per second. */
  rate: number;
  durationMs: number;
  /** Share of predictions followed by their true label on /feedback. */
  feedbackRatio: number;
  /** Ground truth arrives this long after the prediction (default 1 s). */
  feedbackDelayMs?: number;
  /** Standard deviation of the noise added to sampled rows, in cm (default 0.05: small
   * enough that normal traffic stays well below the PSI drift thresholds, ~0.03 on 1,000 rows). */
  noise?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface LoadSummary {
  sent: number;
  /** Answers by HTTP status; "network" for requests that got none. */
  byStatus: Record<string, number>;
  feedbackSent: number;
  feedbackAccepted: number;
  /** Share of labelled predictions that were right (NaN without feedback). */
  accuracy: number;
  durationSeconds: number;
  latencyMs: { p50: number; p99: number };
}

/** Box–Muller: a normal sample from two uniform ones. */
function gaussian(): number {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

/** An iris-like row: a real training row with a little measurement noise, rounded
 * to the dataset's 0.1 cm, so the model sees the distribution it was trained on. */
export function sampleRow(rows: readonly LabelledRow[], noise: number): { features: Record<string, number>; label: string } {
  const row = rows[Math.floor(Math.random() * rows.length)] as LabelledRow;
  const features: Record<string, number> = {};
  IRIS_FEATURES.forEach((name, i) => {
    const v = (row.features[i] as number) + gaussian() * noise;
    features[name] = Math.max(0.1, Math.round(v * 10) / 10);
  });
  return { features, label: row.label };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Send realistic traffic at a steady rate for a while; a share of predictions get
 * their true label as feedback after a delay, as ground truth arrives in practice. */
export async function runLoad(opts: LoadOptions): Promise<LoadSummary> {
  const base = opts.gateway.replace(/\/+$/, '');
  const rows = irisRows();
  const noise = opts.noise ?? 0.05;
  const timeout = opts.requestTimeoutMs ?? 5000;
  const summary: LoadSummary = {
    sent: 0,
    byStatus: {},
    feedbackSent: 0,
    feedbackAccepted: 0,
    accuracy: NaN,
    durationSeconds: 0,
    latencyMs: { p50: NaN, p99: NaN },
  };
  const latencies: number[] = [];
  const pending = new Set<Promise<unknown>>();
  let labelled = 0;
  let correct = 0;
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });

  const sendFeedback = async (requestId: string, label: string) => {
    summary.feedbackSent++;
    try {
      const res = await post('/feedback', { request_id: requestId, label });
      await res.arrayBuffer();
      if (res.status === 202) summary.feedbackAccepted++;
    } catch {
      /* counted as not accepted */
    }
  };

  const sendOne = async () => {
    const { features, label } = sampleRow(rows, noise);
    const t0 = performance.now();
    summary.sent++;
    try {
      const res = await post('/predict', { features });
      const body = (await res.json()) as { request_id?: string; prediction?: string };
      latencies.push(performance.now() - t0);
      summary.byStatus[String(res.status)] = (summary.byStatus[String(res.status)] ?? 0) + 1;
      if (res.status === 200 && body.request_id && Math.random() < opts.feedbackRatio) {
        labelled++;
        if (body.prediction === label) correct++;
        const id = body.request_id;
        track(new Promise<void>((resolve) => setTimeout(() => void sendFeedback(id, label).then(resolve), opts.feedbackDelayMs ?? 1000)));
      }
    } catch {
      summary.byStatus.network = (summary.byStatus.network ?? 0) + 1;
    }
  };

  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      if (elapsed >= opts.durationMs || opts.signal?.aborted) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsed / 1000) * opts.rate);
      while (summary.sent < due) track(sendOne());
    };
    const timer = setInterval(tick, Math.max(5, Math.min(100, 1000 / opts.rate)));
    tick();
  });
  while (pending.size > 0) await Promise.allSettled([...pending]);
  latencies.sort((a, b) => a - b);
  summary.durationSeconds = (performance.now() - started) / 1000;
  summary.latencyMs = { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  summary.accuracy = labelled === 0 ? NaN : correct / labelled;
  return summary;
}
