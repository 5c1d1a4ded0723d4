/** One line of the spool. Field names are the contract with the ML exporter. */
export interface PredictionEvent {
  type: 'prediction';
  /** Request id the client can send feedback for. */
  id: string;
  /** Unix time in milliseconds. */
  ts: number;
  model: string;
  version: string;
  /** The features the model saw (after any injected shift): numbers for numeric
   * features, text for categorical ones, null for a value the client lacked. */
  features: Record<string, number | string | null>;
  /** The predicted class (classification) or value (regression). */
  prediction: string | number;
  /** Probability of the predicted class, when the model gives one. */
  confidence?: number;
}

export interface FeedbackEvent {
  type: 'feedback';
  /** Request id of the prediction this label belongs to. */
  id: string;
  ts: number;
  /** The true class (classification) or value (regression). */
  label: string | number;
  model: string;
  /** The version that made the prediction when the writer knows it (the gateway); empty otherwise. */
  version: string;
}

export type InferenceEvent = PredictionEvent | FeedbackEvent;

/** Where a reader stands: a segment sequence number and a byte offset inside it.
 * `{ segment: 0, offset: 0 }` means the start of the spool. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export const SPOOL_START: SpoolPosition = Object.freeze({ segment: 0, offset: 0 });

/** The spool is a folder of streams, one per writer, each a sequence of
 * segments. One writer per stream keeps the reader's rule sound: a segment is
 * finished once a later one exists in the same stream. The gateway writes the
 * spool folder itself (the layout it always had); the ML exporter's ingest API
 * writes the `ingest` folder inside it. */
export const SPOOL_STREAMS = ['gateway', 'ingest'] as const;
export type SpoolStream = (typeof SPOOL_STREAMS)[number];
