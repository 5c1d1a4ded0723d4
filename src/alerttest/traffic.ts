/** Steady, realistic traffic to the gateway for as long as the tests run: the
 * SLOs need requests to judge, the exporter needs predictions for drift and
 * labels for accuracy, and "no predictions" is an alert of its own. */
import { runLoad } from '../gateway/index.js';

export interface TrafficShape {
  rate: number;
  feedbackRatio: number;
}

export class Traffic {
  private abort: AbortController | undefined;
  private runs = new Set<Promise<unknown>>();
  private shapeNow: TrafficShape;

  constructor(
    private readonly gateway: string,
    shape: TrafficShape,
  ) {
    this.shapeNow = { ...shape };
  }

  get shape(): TrafficShape {
    return { ...this.shapeNow };
  }

  /** (Re)starts sending with this shape; requests in flight finish on their own. */
  set(shape: Partial<TrafficShape> = {}): void {
    this.abort?.abort();
    this.shapeNow = { ...this.shapeNow, ...shape };
    const ctl = new AbortController();
    this.abort = ctl;
    // Short timeouts: while the gateway is frozen, requests must not pile up for long.
    const run = runLoad({
      gateway: this.gateway,
      rate: this.shapeNow.rate,
      durationMs: 24 * 3600_000,
      feedbackRatio: this.shapeNow.feedbackRatio,
      requestTimeoutMs: 3000,
      signal: ctl.signal,
    }).catch(() => undefined);
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
  }

  /** A burst of normal predictions on top of the steady flow, waited for. */
  async burst(count: number, rate = 300): Promise<void> {
    await runLoad({ gateway: this.gateway, rate, durationMs: (count / rate) * 1000, feedbackRatio: 0, requestTimeoutMs: 5000 }).catch(
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.abort = undefined;
    await Promise.allSettled([...this.runs]);
  }
}
