/** One line of the spool. Field names are the contract with the ML exporter. */
export interface PredictionEvent {
  type: 'prediction';
  /** Request id the client can send feedback for. */
  id: string;
  /** Unix time in milliseconds. */
  ts: number;
  model: string;
  version: string;
  /** The features the model saw (after any injected shift). */
  features: Record<string, number>;
  prediction: string;
  confidence: number;
}

export interface FeedbackEvent {
  type: 'feedback';
  /** Request id of the prediction this label belongs to. */
  id: string;
  ts: number;
  label: string;
  model: string;
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
