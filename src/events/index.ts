// The inference event spool: the gateway appends, the ML exporter reads at its own pace.
export { openEventWriter } from './writer.js';
export type { EventWriter, EventWriterOptions, EventWriterStats } from './writer.js';
export { readEvents, releaseSegmentsBefore } from './reader.js';
export type { ReadResult } from './reader.js';
export { listSegments, segmentFileName } from './segments.js';
export { SPOOL_START } from './types.js';
export type { InferenceEvent, PredictionEvent, FeedbackEvent, SpoolPosition } from './types.js';
