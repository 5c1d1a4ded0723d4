/** A cumulative histogram as plain data, so it can be checkpointed and restored
 * exactly (prom-client's Histogram cannot be set back to saved counts). */
export interface HistogramData {
  /** Upper bounds, ascending, without +Inf. */
  bounds: number[];
  /** Observations per bucket (not cumulative); one more slot for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export function emptyHistogram(bounds: readonly number[]): HistogramData {
  return { bounds: [...bounds], counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

export function observe(h: HistogramData, value: number): void {
  let i = 0;
  while (i < h.bounds.length && value > (h.bounds[i] as number)) i++;
  h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.sum += value;
  h.count++;
}

/** One line of a metric family as prom-client's Registry renders it. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** For histogram parts: `<name>_bucket`, `_sum`, `_count`. */
  metricName?: string;
}

/** Cumulative counts per `le`, ending with +Inf, as the exposition format wants. */
export function cumulative(h: HistogramData): { le: string; count: number }[] {
  const out: { le: string; count: number }[] = [];
  let acc = 0;
  h.counts.forEach((c, i) => {
    acc += c;
    out.push({ le: i < h.bounds.length ? String(h.bounds[i]) : '+Inf', count: acc });
  });
  return out;
}

/** The exposition lines of one histogram series: a `_bucket` line per bound and
 * +Inf, then `_sum` and `_count`. `le` comes first among the labels, where
 * prom-client's own Histogram puts it, so the text is the same byte for byte. */
export function histogramSamples(name: string, labels: Record<string, string>, h: HistogramData, out: Sample[] = []): Sample[] {
  for (const b of cumulative(h)) out.push({ labels: { le: b.le, ...labels }, value: b.count, metricName: `${name}_bucket` });
  out.push({ labels, value: h.sum, metricName: `${name}_sum` });
  out.push({ labels, value: h.count, metricName: `${name}_count` });
  return out;
}
