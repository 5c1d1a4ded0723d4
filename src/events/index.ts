// The inference event spool: the gateway appends, the ML exporter reads at its own pace.
export { openEventWriter, SpoolWriteError } from './writer.js';
export type { EventWriter, EventWriterOptions, EventWriterStats } from './writer.js';
export { readEvents, releaseSegmentsBefore } from './reader.js';
export type { ReadResult } from './reader.js';
export { listSegments, segmentFileName, streamDir } from './segments.js';
export { SPOOL_START, SPOOL_STREAMS } from './types.js';
export type { InferenceEvent, PredictionEvent, FeedbackEvent, SpoolPosition, SpoolStream } from './types.js';
