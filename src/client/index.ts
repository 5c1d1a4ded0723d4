// The client of the ML model exporter's ingest API, exported by the package:
// `import { MlmonClient } from 'mlmon'`. It depends on nothing but Node's fetch.
export { MlmonClient, DEFAULT_CLIENT_OPTIONS, EXPORTER_TOKEN_ENV } from './client.js';
export type { MlmonClientOptions, PredictionInput, FeedbackInput, ClientStats, IngestAnswer } from './client.js';
