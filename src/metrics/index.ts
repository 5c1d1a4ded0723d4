// The metrics room: plain-number metric bookkeeping shared by the gateway and
// the exporter, rendered through prom-client's Registry.
export { CounterFamily, GaugeFamily, HistogramFamily, CounterCell, GaugeCell, HistogramCell } from './families.js';
export type { MetricType, Sample, FamilySnapshot, FamilyOptions } from './families.js';
export { emptyHistogram, observe, cumulative } from './histogram.js';
export type { HistogramData } from './histogram.js';
