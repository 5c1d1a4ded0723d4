/** The sliding window of one model's most recent predictions: the sample that
 * drift is measured on. A ring buffer, so adding a prediction costs O(features)
 * and memory is fixed at capacity × features numbers. */
export class PredictionWindow {
  readonly version: string;
  readonly features: readonly string[];
  readonly capacity: number;
  /** One column per feature; NaN marks a value the client did not send. */
  private readonly columns: Float64Array[];
  private readonly predicted: string[];
  private head = 0;
  private count = 0;

  constructor(version: string, features: readonly string[], capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`window capacity must be at least 1, got ${capacity}`);
    this.version = version;
    this.features = features;
    this.capacity = capacity;
    this.columns = features.map(() => new Float64Array(capacity));
    this.predicted = new Array<string>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** `values[i]` belongs to `features[i]`. */
  push(values: readonly number[], predictedClass: string): void {
    for (let i = 0; i < this.columns.length; i++) (this.columns[i] as Float64Array)[this.head] = values[i] ?? Number.NaN;
    this.predicted[this.head] = predictedClass;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Present values of one feature in the window (order irrelevant to the tests). */
  sample(featureIndex: number): number[] {
    const col = this.columns[featureIndex];
    if (!col) return [];
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const v = col[i] as number;
      if (!Number.isNaN(v)) out.push(v);
    }
    return out;
  }

  classCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < this.count; i++) {
      const c = this.predicted[i] as string;
      counts[c] = (counts[c] ?? 0) + 1;
    }
    return counts;
  }

  /** Oldest first, for the checkpoint; missing values as null (JSON has no NaN). */
  toJSON(): SerializedWindow {
    const rows: (number | null)[][] = [];
    const predicted: string[] = [];
    const start = this.count < this.capacity ? 0 : this.head;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.capacity;
      rows.push(
        this.columns.map((c) => {
          const v = c[i] as number;
          return Number.isNaN(v) ? null : v;
        }),
      );
      predicted.push(this.predicted[i] as string);
    }
    return { version: this.version, features: [...this.features], rows, predicted };
  }

  /** Rebuild from a checkpoint; with a smaller capacity only the newest rows are kept. */
  static fromJSON(s: SerializedWindow, capacity: number): PredictionWindow {
    const w = new PredictionWindow(s.version, s.features, capacity);
    const from = Math.max(0, s.rows.length - capacity);
    for (let k = from; k < s.rows.length; k++) {
      w.push(
        (s.rows[k] ?? []).map((v) => (v === null ? Number.NaN : v)),
        s.predicted[k] ?? 'unknown',
      );
    }
    return w;
  }
}

export interface SerializedWindow {
  version: string;
  features: string[];
  rows: (number | null)[][];
  predicted: string[];
}
