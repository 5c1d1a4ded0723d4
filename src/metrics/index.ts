// The metrics room: plain-number metric families (live ones for hot paths,
// snapshot ones for computed figures) shared by the gateway and the exporter,
// rendered through prom-client's Registry.
export { CounterFamily, GaugeFamily, HistogramFamily, SnapshotFamily, CounterCell, GaugeCell, HistogramCell } from './families.js';
export type { MetricType, FamilySnapshot, FamilyOptions } from './families.js';
export { emptyHistogram, observe, cumulative, histogramSamples } from './histogram.js';
export type { HistogramData, Sample } from './histogram.js';
