/** The sliding window of one model version's most recent predictions: the
 * sample that drift is measured on. A ring buffer of typed arrays, so adding a
 * prediction costs O(features), memory is fixed at capacity × (features + 1)
 * numbers, and a compute round (or a worker thread) reads plain Float64Arrays.
 *
 * Each cell is a number: a numeric feature's value, or a categorical feature's
 * bucket index in the version's reference (see CategoricalReference); the
 * prediction column holds the class index (classification) or the predicted
 * value (regression). NaN marks a value the client did not send.
 *
 * Windows live in the exporter's engine thread, next to the code that fills and
 * reads them: a compute round reads the columns in place, nothing is handed
 * between threads. */
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

  /** `columnsOf(c)`, when given, supplies the column memory (every feature, then the prediction), `capacity` long each. */
  constructor(model: string, version: string, features: readonly string[], capacity: number, columnsOf?: (c: number) => Float64Array) {
    if (!(capacity >= 1)) throw new RangeError(`window capacity must be at least 1, got ${capacity}`);
    this.model = model;
    this.version = version;
    this.features = features;
    this.capacity = capacity;
    const make = columnsOf ?? (() => new Float64Array(capacity));
    this.columns = features.map((_, c) => make(c));
    this.predictions = make(features.length);
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

  /** The filled rows oldest first, column by column (every feature, then the
   * prediction), as views of the ring (no copy): the checkpoint writes these bytes. */
  chunksOldestFirst(): Float64Array[] {
    const out: Float64Array[] = [];
    const full = this.count === this.capacity;
    for (const c of [...this.columns, this.predictions]) {
      if (full && this.head > 0) out.push(c.subarray(this.head), c.subarray(0, this.head));
      else out.push(c.subarray(0, this.count));
    }
    return out;
  }

  /** Rebuild from rows written by `chunksOldestFirst` (`size` rows, column by column);
   * with a smaller capacity only the newest rows are kept. */
  static fromColumns(shape: WindowShape, data: Float64Array, capacity: number): PredictionWindow {
    const columns = shape.features.length + 1;
    if (data.length !== shape.size * columns)
      throw new RangeError(`window ${shape.model}/${shape.version}: ${data.length} values for ${shape.size} rows`);
    // A full window of the same capacity takes the rows where they are (a restart
    // reads the windows file once, into memory the windows then keep).
    const adopt = shape.size === capacity;
    const column = (c: number) => data.subarray(c * shape.size, (c + 1) * shape.size);
    const w = new PredictionWindow(shape.model, shape.version, shape.features, capacity, adopt ? column : undefined);
    if (!adopt) {
      const keep = Math.min(shape.size, capacity);
      const from = shape.size - keep;
      const dst = [...w.columns, w.predictions];
      for (let c = 0; c < columns; c++) (dst[c] as Float64Array).set(column(c).subarray(from));
      w.count = keep;
      w.head = keep % capacity;
    } else w.count = capacity;
    w.lastTs = shape.last_ts;
    return w;
  }

  /** The same rows in a window of another capacity (the newest kept when it is smaller). */
  resized(capacity: number): PredictionWindow {
    const data = new Float64Array(this.count * (this.features.length + 1));
    let at = 0;
    for (const chunk of this.chunksOldestFirst()) {
      data.set(chunk, at);
      at += chunk.length;
    }
    return PredictionWindow.fromColumns(this.shape(), data, capacity);
  }

  shape(): WindowShape {
    return { model: this.model, version: this.version, features: [...this.features], size: this.count, last_ts: this.lastTs };
  }

  /** Oldest first, with missing values as null (JSON has no NaN): the rows of a
   * format-2 checkpoint, and a readable form for tests. */
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

  /** Rebuild from a format-2 checkpoint's rows; with a smaller capacity only the newest rows are kept. */
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

/** What the checkpoint records of a window beside its rows. */
export interface WindowShape {
  model: string;
  version: string;
  features: string[];
  /** Rows saved. */
  size: number;
  last_ts: number;
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
