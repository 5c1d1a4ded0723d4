import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { stackPaths } from '../definition/index.js';
import { openEventWriter, readEvents, releaseSegmentsBefore, SpoolWriteError, streamDir, type SpoolStream } from '../events/index.js';
import { MlmonError } from '../errors.js';
import { bearerMatches, newToken, readSecretFile, writeSecretFile } from '../secrets.js';
import { EMPTY_CATALOG, loadCatalog, versionKey, type Catalog } from './catalog.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { EMPTY_SNAPSHOT, snapshotSteps, type Snapshot } from './compute.js';
import { COMPUTE_DURATION_BUCKETS, EXPORTER_TOKEN_FILE, type IngestEndpoint } from './conventions.js';
import { checkEvents, checkFeedback, itemsOf } from './ingest.js';
import { emptyHistogram, observe } from '../metrics/index.js';
import { ExporterMetrics, projectMetrics, type SelfStats } from './metrics.js';
import { DEFAULT_EXPORTER_CONFIG, type ExporterConfig } from './options.js';
import { applyEvents, countError, trimOutcomes, versionsNamedIn, type ExporterState } from './state.js';
import { loadTuning, tunedConfig, type ModelTuning } from './tuning.js';

/** Largest request body of the ingest API: 10,000 events of about 50 features. */
export const MAX_INGEST_BODY_BYTES = 32 * 1024 * 1024;
const STREAMS: readonly SpoolStream[] = ['gateway', 'ingest'];

export interface ExporterOptions extends Partial<ExporterConfig> {
  host: string;
  port: number;
  dataDir: string;
  /** Delete spool segments the checkpoint has moved past (default true: the exporter is the spool's consumer). */
  releaseSpool?: boolean;
  logger?: Logger;
  /** Bearer token of the ingest API; default: <data>/secrets/exporter-token, made when missing. */
  token?: string;
}

export interface RunningExporter {
  url: string;
  /** Ingest everything in the spool, recompute and publish now (tests and tools; the timers do this on their own). */
  refresh(): Promise<void>;
  /** Stop the timers, save the state, close the port. */
  close(): Promise<void>;
}

/** The ingest API's token: the one the stack wrote for this start, or a new one
 * when the exporter runs on its own (written where clients look for it). */
export function exporterToken(secretsDir: string): string {
  const existing = readSecretFile(secretsDir, EXPORTER_TOKEN_FILE)?.trim();
  if (existing) return existing;
  const token = newToken();
  writeSecretFile(secretsDir, EXPORTER_TOKEN_FILE, `${token}\n`);
  return token;
}

/** Start the ML model exporter: restore the checkpoint, follow the event spool,
 * compute drift and quality on a timer, serve the cached metrics. */
export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const { host: _host, port: _port, dataDir: _dataDir, releaseSpool: _release, logger: _logger, token: _token, ...overrides } = opts;
  const config: ExporterConfig = { ...DEFAULT_EXPORTER_CONFIG, ...stripUndefined(overrides) };
  const paths = stackPaths(opts.dataDir);
  const log = opts.logger ?? pino({ base: { component: 'ml-model-exporter' } });
  const release = opts.releaseSpool ?? true;
  const token = opts.token ?? exporterToken(paths.secretsDir);

  // Per-model tuning: flags give the base, the file overrides per model. A bad
  // file at start is an error; a bad edit later keeps the last good tuning.
  let applyConfig = tunedConfig(config, await loadTuning(config.tuningFile));
  const tuning = (model: string): ModelTuning => applyConfig.tuning(model);
  let tuningProblem: string | undefined;
  const refreshTuning = async (): Promise<void> => {
    try {
      applyConfig = tunedConfig(config, await loadTuning(config.tuningFile));
      tuningProblem = undefined;
    } catch (e) {
      countError(state, 'tuning');
      const message = e instanceof MlmonError ? e.format() : (e as Error).message;
      if (message !== tuningProblem)
        log.error({ stage: 'tuning', problem: message }, 'model tuning file rejected; the last good one stays in force');
      tuningProblem = message;
    }
  };

  const state: ExporterState = await loadCheckpoint(paths.exporterStateDir, (model) => tuning(model).windowSize);
  const ingestWriter = await openEventWriter({
    dir: streamDir(paths.eventsDir, 'ingest'),
    sync: true,
    onError: (err) => log.error({ err: err.message }, 'ingested events could not be written to the spool'),
  });
  let catalog: Catalog = EMPTY_CATALOG;
  let snapshot: Snapshot = EMPTY_SNAPSHOT;
  const self: SelfStats = {
    computeDuration: emptyHistogram(COMPUTE_DURATION_BUCKETS),
    lastComputeMs: 0,
    lastCheckpointMs: 0,
    eventLagSeconds: 0,
  };
  const metrics = new ExporterMetrics();
  let dirty = false; // events applied since the last checkpoint

  let reported = new Set<string>();
  const refreshCatalog = async (wanted?: ReadonlySet<string>): Promise<void> => {
    const res = await loadCatalog(paths.registryDir, catalog, wanted);
    // Counted at every refresh (a lasting problem keeps the error rate up), logged once.
    for (const problem of res.problems) {
      countError(state, 'registry');
      if (!reported.has(problem)) log.warn({ stage: 'registry', problem }, 'cannot load a model from the registry');
    }
    reported = new Set(res.problems);
    catalog = res.catalog;
  };

  const publish = (): void => metrics.publish(projectMetrics(state, catalog, snapshot, applyConfig, self));

  /** Load what a batch names that the catalog lacks: new models, versions not loaded yet. */
  const knownVersions = (named: ReadonlySet<string>): boolean =>
    [...named].every((key) => {
      const [model, version] = key.split('\u001f') as [string, string];
      const entry = catalog.models.get(model);
      return entry !== undefined && entry.loaded.has(version);
    });
  let lastUnknownRefresh = 0;
  const ensureVersions = async (named: ReadonlySet<string>): Promise<void> => {
    if (knownVersions(named)) return;
    // Names nobody registered cost one registry scan a second at most.
    if (Date.now() - lastUnknownRefresh < 1000) return;
    lastUnknownRefresh = Date.now();
    await refreshCatalog(named);
  };

  // One operation on the state at a time: ingest, compute, checkpoint and close
  // each await files, and must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const ingest = async (): Promise<void> => {
    const lagBefore = self.eventLagSeconds;
    let changed = false;
    let backlog = false;
    for (const stream of STREAMS) {
      const r = await ingestStream(stream);
      changed ||= r.changed;
      backlog ||= r.backlog;
    }
    self.eventLagSeconds = backlog ? Math.max(0, (Date.now() - state.lastEventTs) / 1000) : 0;
    // Publishing re-renders /metrics on the next scrape: only when something changed.
    if (changed || self.eventLagSeconds !== lagBefore) publish();
  };

  const ingestStream = async (stream: SpoolStream): Promise<{ changed: boolean; backlog: boolean }> => {
    let changed = false;
    const dir = streamDir(paths.eventsDir, stream);
    // A bounded number of batches per pass keeps compute and scrapes responsive under a backlog.
    for (let batch = 0; batch < 10; batch++) {
      let res;
      try {
        res = await readEvents(dir, state.positions[stream], config.batchSize);
      } catch (e) {
        countError(state, 'read');
        log.error({ stage: 'read', err: (e as Error).message }, 'cannot read the event spool');
        changed = true;
        break;
      }
      if (res.skippedCorrupt > 0) {
        changed = true;
        countError(state, 'decode', res.skippedCorrupt);
        log.warn({ stage: 'decode', lines: res.skippedCorrupt }, 'skipped corrupt lines in the event spool');
      }
      if (res.events.length > 0) {
        const named = versionsNamedIn(res.events);
        if (!knownVersions(named)) await refreshCatalog(named);
        applyEvents(state, res.events, catalog, applyConfig);
        dirty = true;
        changed = true;
      }
      const at = state.positions[stream];
      if (res.next.segment !== at.segment || res.next.offset !== at.offset) dirty = true;
      state.positions[stream] = res.next;
      if (res.events.length < config.batchSize) return { changed, backlog: false };
    }
    return { changed, backlog: true };
  };

  const compute = async (): Promise<void> => {
    await refreshCatalog();
    await refreshTuning();
    const started = process.hrtime.bigint();
    const now = Date.now();
    try {
      trimOutcomes(state, now, Math.max(...config.accuracyWindows.map((w) => w.ms)));
      // The same steps computeSnapshot runs in one go; here scrapes get through
      // between model versions, so a big registry does not stall /metrics.
      const steps = snapshotSteps(state, catalog, applyConfig, now);
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          snapshot = r.value;
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      self.lastComputeMs = now;
    } catch (e) {
      countError(state, 'compute');
      log.error({ stage: 'compute', err: (e as Error).message }, 'drift computation failed');
    }
    observe(self.computeDuration, Number(process.hrtime.bigint() - started) / 1e9);
    publish();
  };

  const checkpoint = async (): Promise<void> => {
    if (!dirty && self.lastCheckpointMs > 0) return;
    const now = Date.now();
    try {
      await saveCheckpoint(paths.exporterStateDir, state, now);
      dirty = false;
      self.lastCheckpointMs = now;
    } catch (e) {
      countError(state, 'checkpoint');
      log.error({ stage: 'checkpoint', err: (e as Error).message }, 'cannot save the exporter state');
      return;
    }
    if (release) {
      try {
        for (const stream of STREAMS) await releaseSegmentsBefore(streamDir(paths.eventsDir, stream), state.positions[stream]);
      } catch (e) {
        log.warn({ stage: 'checkpoint', err: (e as Error).message }, 'cannot delete consumed spool segments');
      }
    }
    publish();
  };

  await refreshCatalog();
  await ingest();
  await compute();

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body) + '\n');
  };

  /** POST /v1/events and /v1/feedback: checked, written to the ingest stream of
   * the spool and synced before the answer, so a 2xx survives a crash. */
  const handleIngest = async (endpoint: IngestEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!bearerMatches(req.headers.authorization, token)) {
      req.resume();
      return answer(
        res,
        401,
        {
          error: 'unauthorized',
          message: `send Authorization: Bearer <token>; the token is in ${paths.secretsDir}/${EXPORTER_TOKEN_FILE}`,
        },
        { 'www-authenticate': 'Bearer realm="mlmon-ingest"' },
      );
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return answer(res, 415, { error: 'unsupported_media_type', message: 'send the body as Content-Type: application/json' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_INGEST_BODY_BYTES) {
        answer(
          res,
          413,
          { error: 'body_too_large', message: `the body is larger than ${MAX_INGEST_BODY_BYTES} bytes; send smaller batches` },
          { connection: 'close' },
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      return answer(res, 400, { error: 'malformed_json', message: `the body is not JSON: ${(e as Error).message}` });
    }
    const items = itemsOf(body, endpoint);
    if (typeof items === 'string') return answer(res, items.includes('at most') ? 413 : 400, { error: 'bad_request', message: items });
    const named = new Set<string>();
    for (const item of items) {
      const m = (item as { model?: unknown } | null)?.model;
      const v = endpoint === 'events' ? (item as { version?: unknown } | null)?.version : undefined;
      // Feedback names no version: only its model must be known.
      if (typeof m === 'string') named.add(versionKey(m, typeof v === 'string' ? v : (catalog.models.get(m)?.current ?? '')));
    }
    await ensureVersions(named);
    const outcome = endpoint === 'events' ? checkEvents(items, catalog, Date.now()) : checkFeedback(items, catalog, Date.now());
    for (const r of outcome.rejected) state.counters.ingestRejected.inc([endpoint, r.reason]);
    if (outcome.events.length > 0) {
      try {
        await ingestWriter.appendDurable(outcome.events);
      } catch (e) {
        if (!(e instanceof SpoolWriteError)) throw e;
        return answer(
          res,
          503,
          { error: 'spool_unavailable', message: `${e.message}; nothing of this request was kept` },
          { 'retry-after': '1' },
        );
      }
      state.counters.ingestAccepted.inc([endpoint], outcome.events.length);
    }
    const rejected = outcome.rejected.map(({ index, reason, message }) => ({ index, reason, message }));
    answer(res, outcome.events.length === 0 && rejected.length > 0 ? 422 : 200, { accepted: outcome.events.length, rejected });
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/v1/events' || path === '/v1/feedback') {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      handleIngest(path === '/v1/events' ? 'events' : 'feedback', req, res).catch((e: Error) => {
        log.error({ err: e.message, path }, 'ingest request failed');
        if (!res.headersSent) answer(res, 500, { error: 'internal', message: 'internal error; see the exporter log' });
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      // Only reads the cached families: no statistics on the scrape path.
      metrics.text().then(
        (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
      );
    } else if (path === '/-/healthy' || path === '/healthz' || path === '/health' || path === '/ready') {
      // Liveness and readiness alike: the state is restored and the registry read
      // before the server listens, so answering at all is being ready.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/') {
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end('mlmon ML model exporter: metrics at /metrics; POST /v1/events and /v1/feedback with the bearer token\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new MlmonError('port_in_use', `cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}`, {
          location: 'ml-model-exporter',
          hint: 'Pick another port with --port, or stop what is using it.',
        }),
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;

  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const every = (ms: number, fn: () => Promise<void>): void => {
    // A chain of timeouts rather than an interval: a slow run never overlaps the next.
    const t = setTimeout(() => {
      timers.delete(t);
      exclusive(fn)
        .catch((e: Error) => log.error({ err: e.message }, 'exporter task failed'))
        .finally(() => {
          if (!closed) every(ms, fn);
        });
    }, ms);
    timers.add(t);
  };
  every(config.pollIntervalMs, ingest);
  every(config.computeIntervalMs, compute);
  every(config.checkpointIntervalMs, checkpoint);
  log.info(
    {
      url,
      dataDir: paths.dataDir,
      windowSize: config.windowSize,
      computeIntervalMs: config.computeIntervalMs,
      models: [...catalog.models.keys()],
      positions: state.positions,
    },
    'ml model exporter listening',
  );

  return {
    url,
    refresh: () =>
      exclusive(async () => {
        await ingest();
        await compute();
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await exclusive(async () => {
        dirty = true; // always leave a checkpoint behind
        await checkpoint();
      });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ingestWriter.close();
      log.info({ positions: state.positions }, 'ml model exporter stopped, state saved');
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
