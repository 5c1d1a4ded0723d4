/** Predictions that may still receive feedback: the newest `capacity` request ids.
 * A bounded map (oldest evicted first, Map keeps insertion order) so memory does
 * not grow with traffic; feedback for an evicted or pre-restart id is refused
 * as unknown, which the client can see and the metrics count. */
export interface RecentPrediction {
  model: string;
  version: string;
  labelled: boolean;
}

export class RecentPredictions {
  private readonly entries = new Map<string, RecentPrediction>();
  constructor(private readonly capacity = 100_000) {}

  remember(id: string, model: string, version: string): void {
    this.entries.set(id, { model, version, labelled: false });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get(id: string): RecentPrediction | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
