/** Metric families kept as plain numbers and rendered by prom-client's Registry.
 *
 * Live families are for hot paths: each series is a plain object holding plain
 * numbers, looked up once and then updated with an addition. prom-client's own
 * Counter and Histogram hash and validate the label set on every inc/observe,
 * even through a `labels(...)` child; on the gateway that was most of the cost
 * of instrumentation (a CPU profile put prom-client at 7% of all samples at
 * 6,000 predictions/s). A snapshot family holds samples computed elsewhere and
 * replaced wholesale (the exporter's), read only at scrape time.
 *
 * Both keep prom-client's Registry (rendering, escaping, content type, default
 * metrics) and only replace the bookkeeping: they have the shape the Registry
 * collects, and `registerFamily` is the one place that hands them to it. */
import type { Registry } from 'prom-client';
import { emptyHistogram, histogramSamples, observe, type HistogramData, type Sample } from './histogram.js';

export type { Sample } from './histogram.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilySnapshot {
  name: string;
  help: string;
  type: MetricType;
  values: Sample[];
  aggregator: 'sum';
}

export interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry: Registry;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What prom-client's Registry collects from a metric: name, help, type and
 * `get()` (its documented custom-collector shape; its types only name its own classes). */
interface Collected {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  get(): FamilySnapshot;
  reset(): void;
}

function registerFamily(registry: Registry, family: Collected): void {
  registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
}

abstract class LiveFamily<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly cells = new Map<string, { labels: Record<string, string>; cell: S }>();

  constructor(
    readonly type: MetricType,
    opts: FamilyOptions,
  ) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
    for (const l of opts.labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || (type === 'histogram' && l === 'le')) {
        throw new Error(`metric ${opts.name}: invalid label name ${JSON.stringify(l)}`);
      }
    }
    registerFamily(opts.registry, this);
  }

  /** The series with these label values (in labelNames order), created at zero on
   * first use. Keep the handle on hot paths: the lookup joins the values. */
  series(...values: string[]): S {
    const key = values.join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) {
      if (values.length !== this.labelNames.length) {
        throw new Error(
          `metric ${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
        );
      }
      const labels: Record<string, string> = {};
      this.labelNames.forEach((l, i) => (labels[l] = values[i] as string));
      entry = { labels, cell: this.create() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  protected abstract create(): S;
  protected abstract samples(labels: Record<string, string>, cell: S, out: Sample[]): void;

  get(): FamilySnapshot {
    const values: Sample[] = [];
    for (const { labels, cell } of this.cells.values()) this.samples(labels, cell, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  /** Forget every series (prom-client's Registry.resetMetrics calls this). */
  reset(): void {
    this.cells.clear();
  }
}

export class CounterCell {
  value = 0;
  inc(by = 1): void {
    if (!(by >= 0) || by === Infinity) throw new Error(`a counter only goes up by a finite amount, not ${by}`);
    this.value += by;
  }
}

export class CounterFamily extends LiveFamily<CounterCell> {
  constructor(opts: FamilyOptions) {
    super('counter', opts);
  }
  protected create(): CounterCell {
    return new CounterCell();
  }
  protected samples(labels: Record<string, string>, cell: CounterCell, out: Sample[]): void {
    out.push({ labels, value: cell.value });
  }
}

export class GaugeCell {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class GaugeFamily extends LiveFamily<GaugeCell> {
  constructor(opts: FamilyOptions) {
    super('gauge', opts);
  }
  protected create(): GaugeCell {
    return new GaugeCell();
  }
  protected samples(labels: Record<string, string>, cell: GaugeCell, out: Sample[]): void {
    out.push({ labels, value: cell.value });
  }
}

export class HistogramCell {
  readonly data: HistogramData;
  constructor(bounds: readonly number[]) {
    this.data = emptyHistogram(bounds);
  }
  observe(value: number): void {
    // NaN would poison _sum for good; prom-client refuses it as well.
    if (!Number.isFinite(value)) throw new Error(`a histogram observes finite values only, not ${value}`);
    observe(this.data, value);
  }
}

export class HistogramFamily extends LiveFamily<HistogramCell> {
  readonly buckets: readonly number[];
  constructor(opts: FamilyOptions & { buckets: readonly number[] }) {
    super('histogram', opts);
    const b = opts.buckets;
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= (b[i - 1] as number)))) {
      throw new Error(`metric ${opts.name}: buckets must be finite and strictly increasing, got [${b.join(', ')}]`);
    }
    this.buckets = [...b];
  }
  protected create(): HistogramCell {
    return new HistogramCell(this.buckets);
  }
  protected samples(labels: Record<string, string>, cell: HistogramCell, out: Sample[]): void {
    histogramSamples(this.name, labels, cell.data, out);
  }
}

/** A family whose samples are computed elsewhere and replaced wholesale with
 * `set`; a scrape only reads them. Histogram series come from histogramSamples. */
export class SnapshotFamily {
  readonly name: string;
  readonly help: string;
  private samples: Sample[] = [];

  constructor(
    readonly type: MetricType,
    opts: Omit<FamilyOptions, 'labelNames'>,
  ) {
    this.name = opts.name;
    this.help = opts.help;
    registerFamily(opts.registry, this);
  }

  set(samples: Sample[]): void {
    this.samples = samples;
  }

  get(): FamilySnapshot {
    return { name: this.name, help: this.help, type: this.type, values: this.samples, aggregator: 'sum' };
  }

  reset(): void {
    this.samples = [];
  }
}
