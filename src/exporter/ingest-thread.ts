/** The exporter's ingest thread: parses an ingest API request body (the main
 * thread has checked the token, the content type and the size), checks every
 * item against the registry, appends the accepted ones to the spool's ingest
 * stream and waits for them to be synced, then answers. A 10,000-event body is
 * a few hundred milliseconds of parsing and checking: here, they hold up
 * neither scrapes nor the engine. */
import { workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { stackPaths } from '../definition/index.js';
import { openEventWriter, SpoolWriteError, streamDir } from '../events/index.js';
import { EMPTY_CATALOG, loadCatalog, versionKey, type Catalog } from './catalog.js';
import type { IngestEndpoint, IngestRejectReason } from './conventions.js';
import { checkEvents, checkFeedback, itemsOf } from './ingest.js';
import type { IngestAnswer, IngestRequest, IngestWorkerData } from './protocol.js';
import { serveThread } from './threads.js';

const data = workerData as IngestWorkerData;
const log = pino({ level: data.logLevel, base: { component: 'ml-model-exporter' } });
const paths = stackPaths(data.dataDir);

await serveThread<IngestRequest, IngestAnswer | null, never, never, null>(async () => {
  const writer = await openEventWriter({
    dir: streamDir(paths.eventsDir, 'ingest'),
    sync: true,
    onError: (err) => log.error({ err: err.message }, 'ingested events could not be written to the spool'),
  });

  // The registry without the training references (the engine holds those):
  // what exists, and each feature's type.
  let catalog: Catalog = EMPTY_CATALOG;
  const refreshCatalog = async (wanted?: ReadonlySet<string>): Promise<void> => {
    catalog = (await loadCatalog(paths.registryDir, catalog, wanted, { references: false })).catalog;
  };
  await refreshCatalog();
  const timer = setInterval(() => {
    refreshCatalog().catch((e: Error) => log.warn({ stage: 'registry', err: e.message }, 'cannot read the registry'));
  }, data.catalogRefreshMs);
  const knownVersions = (named: ReadonlySet<string>): boolean =>
    [...named].every((key) => {
      const [model, version] = key.split('\u001f') as [string, string];
      return catalog.models.get(model)?.loaded.has(version) === true;
    });
  let lastUnknownRefresh = 0;
  const ensureVersions = async (named: ReadonlySet<string>): Promise<void> => {
    if (knownVersions(named)) return;
    // Names nobody registered cost one registry scan a second at most.
    if (Date.now() - lastUnknownRefresh < 1000) return;
    lastUnknownRefresh = Date.now();
    await refreshCatalog(named);
  };

  const handle = async (endpoint: IngestEndpoint, bytes: Uint8Array): Promise<IngestAnswer> => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (e) {
      return { status: 400, body: { error: 'malformed_json', message: `the body is not JSON: ${(e as Error).message}` } };
    }
    const items = itemsOf(body, endpoint);
    if (!Array.isArray(items)) return { status: items.status, body: { error: 'bad_request', message: items.message } };
    const named = new Set<string>();
    for (const item of items) {
      const m = (item as { model?: unknown } | null)?.model;
      const v = endpoint === 'events' ? (item as { version?: unknown } | null)?.version : undefined;
      // Feedback names no version: only its model must be known.
      if (typeof m === 'string') named.add(versionKey(m, typeof v === 'string' ? v : (catalog.models.get(m)?.current ?? '')));
    }
    await ensureVersions(named);
    const outcome = endpoint === 'events' ? checkEvents(items, catalog, Date.now()) : checkFeedback(items, catalog, Date.now());
    const refused = new Map<IngestRejectReason, number>();
    for (const r of outcome.rejected) refused.set(r.reason, (refused.get(r.reason) ?? 0) + 1);
    const counts = (accepted: number) => ({ endpoint, accepted, rejected: [...refused] });
    if (outcome.events.length > 0) {
      try {
        await writer.appendDurable(outcome.events);
      } catch (e) {
        if (!(e instanceof SpoolWriteError)) throw e;
        return {
          status: 503,
          body: { error: 'spool_unavailable', message: `${e.message}; nothing of this request was kept` },
          headers: { 'retry-after': '1' },
          counts: counts(0),
        };
      }
    }
    const rejected = outcome.rejected.map(({ index, reason, message }) => ({ index, reason, message }));
    return {
      status: outcome.events.length === 0 && rejected.length > 0 ? 422 : 200,
      body: { accepted: outcome.events.length, rejected },
      counts: counts(outcome.events.length),
    };
  };

  return {
    info: null,
    onRequest: async (r) => {
      if (r.type === 'close') {
        clearInterval(timer);
        await writer.close();
        return { result: null };
      }
      return { result: await handle(r.endpoint, r.body) };
    },
  };
});
