/** Counter values by label values, as plain data that survives a checkpoint.
 * The label names live with the metric definition; this only holds values. */
export class LabelledCounts {
  private readonly values = new Map<string, number>();

  inc(labelValues: readonly string[], by = 1): void {
    const key = keyOf(labelValues);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** For hot paths: a key made once with `LabelledCounts.key` and reused. */
  incKey(key: string, by = 1): void {
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  static key(labelValues: readonly string[]): string {
    return keyOf(labelValues);
  }

  get(labelValues: readonly string[]): number {
    return this.values.get(keyOf(labelValues)) ?? 0;
  }

  *entries(): IterableIterator<[string[], number]> {
    for (const [k, v] of this.values) yield [k === '' ? [] : k.split(SEP), v];
  }

  toJSON(): [string[], number][] {
    return [...this.entries()];
  }

  static fromJSON(rows: readonly (readonly [readonly string[], number])[]): LabelledCounts {
    const c = new LabelledCounts();
    for (const [labels, v] of rows) c.inc(labels, v);
    return c;
  }
}

// A separator that cannot appear in model, feature or class names we accept.
const SEP = '\u001f';
function keyOf(labelValues: readonly string[]): string {
  return labelValues.join(SEP);
}
