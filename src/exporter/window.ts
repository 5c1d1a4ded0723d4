/** The sliding window of one model version's most recent predictions: the
 * sample that drift is measured on. A ring buffer of typed arrays, so adding a
 * prediction costs O(features), memory is fixed at capacity × (features + 1)
 * numbers, and a compute round (or a worker thread) reads plain Float64Arrays.
 *
 * Each cell is a number: a numeric feature's value, or a categorical feature's
 * bucket index in the version's reference (see CategoricalReference); the
 * prediction column holds the class index (classification) or the predicted
 * value (regression). NaN marks a value the client did not send. */
export class PredictionWindow {
  readonly model: string;
  readonly version: string;
  readonly features: readonly string[];
  readonly capacity: number;
  private readonly columns: Float64Array[];
  private readonly predictions: Float64Array;
  private head = 0;
  private count = 0;
  /** Event time of the newest prediction (unix ms). */
  lastTs = 0;

  constructor(model: string, version: string, features: readonly string[], capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`window capacity must be at least 1, got ${capacity}`);
    this.model = model;
    this.version = version;
    this.features = features;
    this.capacity = capacity;
    this.columns = features.map(() => new Float64Array(capacity));
    this.predictions = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** `values[i]` belongs to `features[i]`. */
  push(values: ArrayLike<number>, prediction: number, ts: number): void {
    for (let i = 0; i < this.columns.length; i++) (this.columns[i] as Float64Array)[this.head] = values[i] ?? Number.NaN;
    this.predictions[this.head] = prediction;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    if (ts > this.lastTs) this.lastTs = ts;
  }

  /** The filled part of the window as views (no copy): order within the window
   * does not matter to any statistic computed on it. */
  data(): WindowData {
    return {
      size: this.count,
      columns: this.columns.map((c) => c.subarray(0, this.count)),
      predictions: this.predictions.subarray(0, this.count),
    };
  }

  /** Oldest first, for the checkpoint; missing values as null (JSON has no NaN). */
  toJSON(): SerializedWindow {
    const rows: (number | null)[][] = [];
    const predictions: (number | null)[] = [];
    const start = this.count < this.capacity ? 0 : this.head;
    const nul = (v: number) => (Number.isNaN(v) ? null : v);
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.capacity;
      rows.push(this.columns.map((c) => nul(c[i] as number)));
      predictions.push(nul(this.predictions[i] as number));
    }
    return { model: this.model, version: this.version, features: [...this.features], rows, predictions, last_ts: this.lastTs };
  }

  /** Rebuild from a checkpoint; with a smaller capacity only the newest rows are kept. */
  static fromJSON(s: SerializedWindow, capacity: number): PredictionWindow {
    const w = new PredictionWindow(s.model, s.version, s.features, capacity);
    const from = Math.max(0, s.rows.length - capacity);
    for (let k = from; k < s.rows.length; k++) {
      w.push(
        (s.rows[k] ?? []).map((v) => (v === null ? Number.NaN : v)),
        s.predictions[k] ?? Number.NaN,
        0,
      );
    }
    w.lastTs = s.last_ts;
    return w;
  }
}

/** A window's content as plain typed arrays, each `size` long. */
export interface WindowData {
  size: number;
  columns: Float64Array[];
  predictions: Float64Array;
}

export interface SerializedWindow {
  model: string;
  version: string;
  features: string[];
  rows: (number | null)[][];
  predictions: (number | null)[];
  last_ts: number;
}
