/** The exporter's engine thread: runs the engine (engine.ts) for the service on the main thread. */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { startEngine } from './engine.js';
import type { EngineInfo, EngineRequest, EngineWorkerData, IngestCounts, NewText } from './protocol.js';
import { serveThread } from './threads.js';

const data = workerData as EngineWorkerData;
const log = pino({ level: data.logLevel, base: { component: 'ml-model-exporter' } });
lowerThreadPriority();

await serveThread<EngineRequest, null, IngestCounts, NewText, EngineInfo>(async (send) => {
  const engine = await startEngine({
    config: data.config,
    dataDir: data.dataDir,
    releaseSpool: data.releaseSpool,
    log,
    publish: (text, gzip) => send({ text, gzip }, [text.buffer as ArrayBuffer, gzip.buffer as ArrayBuffer]),
  });
  return {
    info: { contentType: engine.contentType },
    onRequest: async (r) => {
      if (r.type === 'refresh') await engine.refresh();
      else await engine.close();
      return { result: null };
    },
    onNote: (c) => engine.countIngest(c.endpoint, c.accepted, c.rejected),
  };
});

/** Compute is background work: on a busy machine the thread that answers
 * scrapes and the ingest API goes first. Linux gives each thread its own nice
 * value, and /proc/thread-self names this thread's id; elsewhere this does nothing. */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 5);
  } catch {
    // not Linux, or not allowed: the default priority
  }
}
