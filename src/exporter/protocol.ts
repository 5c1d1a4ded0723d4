/** What the exporter's threads say to each other (threads.ts carries it). */
import type { IngestEndpoint, IngestRejectReason } from './conventions.js';
import type { ExporterConfig } from './options.js';

// ---- the engine thread (engine-thread.ts): spool, state, compute, checkpoints, rendering ----

export interface EngineWorkerData {
  config: ExporterConfig;
  dataDir: string;
  releaseSpool: boolean;
  logLevel: string;
}
export type EngineRequest = { type: 'refresh' } | { type: 'close' };
/** The ingest API's counts, kept with the rest of the state. */
export interface IngestCounts {
  endpoint: IngestEndpoint;
  accepted: number;
  rejected: [IngestRejectReason, number][];
}
/** A new exposition text, as it is and gzipped; the buffers are transferred, not copied. */
export interface NewText {
  text: Uint8Array;
  gzip: Uint8Array;
}
export interface EngineInfo {
  contentType: string;
}

// ---- the ingest thread (ingest-thread.ts): parse, check and durably spool ingest requests ----

export interface IngestWorkerData {
  dataDir: string;
  logLevel: string;
  /** How often the registry is re-read for models registered since. */
  catalogRefreshMs: number;
}
export type IngestRequest = { type: 'request'; endpoint: IngestEndpoint; body: Uint8Array } | { type: 'close' };
export interface IngestAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  counts?: IngestCounts;
}
