/** The gateway's events sent to the ML model exporter's ingest API instead of
 * the spool: for a gateway that shares no disk with the exporter (another pod,
 * another machine). The MlmonClient batches, retries with backoff and keeps a
 * bounded buffer, so an exporter away for a while costs the gateway no memory
 * growth and no request latency; what it had to drop is counted where the
 * spool's drops are (`inference_events_dropped_total`). */
import { MlmonClient } from '../client/index.js';
import type { EventWriter, EventWriterStats, InferenceEvent } from '../events/index.js';

export interface ForwardOptions {
  /** Base URL of the exporter, e.g. http://ml-model-exporter.mlmon.svc:9101. */
  url: string;
  token: string;
  onError?: (err: Error) => void;
}

/** An EventWriter whose events go over HTTP. */
export function openEventForwarder(opts: ForwardOptions): EventWriter {
  const client = new MlmonClient({ url: opts.url, token: opts.token, ...(opts.onError ? { onError: opts.onError } : {}) });
  let appended = 0;
  const append = (e: InferenceEvent): void => {
    appended++;
    const timestamp = e.ts / 1000;
    if (e.type === 'prediction') {
      client.prediction({
        model: e.model,
        version: e.version,
        id: e.id,
        timestamp,
        features: e.features,
        prediction: e.prediction,
      });
    } else {
      client.feedback({ model: e.model, id: e.id, label: e.label, timestamp });
    }
  };
  return {
    append,
    async appendDurable(events) {
      for (const e of events) append(e);
      await client.flush();
    },
    flush: () => client.flush(),
    close: () => client.close(),
    get stats(): EventWriterStats {
      const s = client.stats;
      // Refused by the exporter (unknown model, bad value) counts as lost, as a spool write error does.
      return { appended, written: s.accepted, dropped: s.dropped + s.rejected, buffered: s.buffered, segment: 0 };
    },
  };
}
