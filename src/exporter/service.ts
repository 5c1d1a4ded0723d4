import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { stackPaths } from '../definition/index.js';
import { readEvents, releaseSegmentsBefore } from '../events/index.js';
import { MlmonError } from '../errors.js';
import { EMPTY_CATALOG, loadCatalog, type Catalog } from './catalog.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { computeModelDrift, computeQuality, EMPTY_SNAPSHOT, type Snapshot } from './compute.js';
import { COMPUTE_DURATION_BUCKETS } from './conventions.js';
import { emptyHistogram, observe } from '../metrics/index.js';
import { ExporterMetrics, projectMetrics, type SelfStats } from './metrics.js';
import { DEFAULT_EXPORTER_CONFIG, type ExporterConfig } from './options.js';
import { applyEvents, countError, modelsNamedIn, trimOutcomes, type ExporterState } from './state.js';

export interface ExporterOptions extends Partial<ExporterConfig> {
  host: string;
  port: number;
  dataDir: string;
  /** Delete spool segments the checkpoint has moved past (default true: the exporter is the spool's consumer). */
  releaseSpool?: boolean;
  logger?: Logger;
}

export interface RunningExporter {
  url: string;
  /** Ingest everything in the spool, recompute and publish now (tests and tools; the timers do this on their own). */
  refresh(): Promise<void>;
  /** Stop the timers, save the state, close the port. */
  close(): Promise<void>;
}

/** Start the ML model exporter: restore the checkpoint, follow the event spool,
 * compute drift and quality on a timer, serve the cached metrics. */
export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const { host: _host, port: _port, dataDir: _dataDir, releaseSpool: _release, logger: _logger, ...overrides } = opts;
  const config: ExporterConfig = { ...DEFAULT_EXPORTER_CONFIG, ...stripUndefined(overrides) };
  const paths = stackPaths(opts.dataDir);
  const log = opts.logger ?? pino({ base: { component: 'ml-model-exporter' } });
  const release = opts.releaseSpool ?? true;

  const state: ExporterState = await loadCheckpoint(paths.exporterStateDir, config.windowSize);
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
  const refreshCatalog = async (): Promise<void> => {
    const res = await loadCatalog(paths.registryDir, catalog);
    // Counted at every refresh (a lasting problem keeps the error rate up), logged once.
    for (const problem of res.problems) {
      countError(state, 'registry');
      if (!reported.has(problem)) log.warn({ stage: 'registry', problem }, 'cannot load a model from the registry');
    }
    reported = new Set(res.problems);
    catalog = res.catalog;
  };

  const publish = (): void => metrics.publish(projectMetrics(state, catalog, snapshot, config, self));

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
    // A bounded number of batches per pass keeps compute and scrapes responsive under a backlog.
    for (let batch = 0; batch < 20; batch++) {
      let res;
      try {
        res = await readEvents(paths.eventsDir, state.position, config.batchSize);
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
        const named = modelsNamedIn(res.events);
        if ([...named].some((m) => !catalog.models.has(m))) await refreshCatalog();
        applyEvents(state, res.events, catalog, config);
        dirty = true;
        changed = true;
      }
      if (res.next.segment !== state.position.segment || res.next.offset !== state.position.offset) dirty = true;
      state.position = res.next;
      if (res.events.length < config.batchSize) {
        self.eventLagSeconds = 0;
        break;
      }
      self.eventLagSeconds = Math.max(0, (Date.now() - state.lastEventTs) / 1000);
    }
    // Publishing re-renders /metrics on the next scrape: only when something changed.
    if (changed || self.eventLagSeconds !== lagBefore) publish();
  };

  const compute = async (): Promise<void> => {
    await refreshCatalog();
    const started = process.hrtime.bigint();
    const now = Date.now();
    try {
      trimOutcomes(state, now, Math.max(...config.accuracyWindows.map((w) => w.ms)));
      const drift: Snapshot['drift'] = new Map();
      for (const entry of catalog.models.values()) {
        drift.set(entry.model, computeModelDrift(state, entry, config.thresholds));
        // Let scrapes through between models: a big registry must not stall /metrics.
        await new Promise((r) => setImmediate(r));
      }
      snapshot = { computedAtMs: now, drift, quality: computeQuality(state, catalog, config.accuracyWindows, now) };
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
        await releaseSegmentsBefore(paths.eventsDir, state.position);
      } catch (e) {
        log.warn({ stage: 'checkpoint', err: (e as Error).message }, 'cannot delete consumed spool segments');
      }
    }
    publish();
  };

  await refreshCatalog();
  await ingest();
  await compute();

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
    } else if (path === '/-/healthy' || path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('mlmon ML model exporter: metrics at /metrics\n');
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
      position: state.position,
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
      log.info({ position: state.position }, 'ml model exporter stopped, state saved');
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
