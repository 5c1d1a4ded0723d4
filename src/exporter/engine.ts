/** The exporter's engine: follows the event spool and the registry, keeps the
 * state and the drift windows, computes drift and quality on a timer,
 * checkpoints, and renders the exposition text. It runs in a worker thread of
 * its own (worker.ts), so none of this ever runs on the event loop that answers
 * scrapes and the ingest API; the service only hands it counts and takes its text. */
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { stackPaths } from '../definition/index.js';
import { readEvents, releaseSegmentsBefore, streamDir, type SpoolStream } from '../events/index.js';
import { MlmonError } from '../errors.js';
import { emptyHistogram, observe } from '../metrics/index.js';
import { EMPTY_CATALOG, loadCatalog, type Catalog } from './catalog.js';
import { loadCheckpoint, saveCheckpoint, type WindowsCheckpoint } from './checkpoint.js';
import { EMPTY_SNAPSHOT, snapshotSteps, type Snapshot } from './compute.js';
import { COMPUTE_DURATION_BUCKETS, type IngestEndpoint, type IngestRejectReason } from './conventions.js';
import { ExporterMetrics, projectMetrics, type SelfStats } from './metrics.js';
import type { ExporterConfig } from './options.js';
import { applyEvents, countError, replayWindows, trimOutcomes, versionsNamedIn, type SpoolPosition } from './state.js';
import { loadTuning, tunedConfig } from './tuning.js';

const STREAMS: readonly SpoolStream[] = ['gateway', 'ingest'];
/** The exposition text is rendered at most this often while values change… */
const MIN_RENDER_INTERVAL_MS = 1000;
/** …and at most this share of the engine's time (a large fleet renders tens of thousands of series). */
const MAX_RENDER_SHARE = 0.2;

export interface EngineOptions {
  config: ExporterConfig;
  dataDir: string;
  /** Delete spool segments the checkpoints have moved past. */
  releaseSpool: boolean;
  log: Logger;
  /** Takes every newly rendered exposition text (UTF-8), and the same gzipped; each in a buffer of
   * its own, so they may be transferred. */
  publish(text: Uint8Array, gzip: Uint8Array): void;
}

export interface Engine {
  /** Content type of the exposition text. */
  readonly contentType: string;
  /** Ingest everything in the spool, recompute and render now. */
  refresh(): Promise<void>;
  /** The ingest API's counts: its counters live with the rest of the state. */
  countIngest(endpoint: IngestEndpoint, accepted: number, rejected: readonly (readonly [IngestRejectReason, number])[]): void;
  /** Stop the timers and save the state with the windows. */
  close(): Promise<void>;
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  const { config, log } = opts;
  const paths = stackPaths(opts.dataDir);

  // Per-model tuning: flags give the base, the file overrides per model. A bad
  // file at start is an error; a bad edit later keeps the last good tuning.
  let applyConfig = tunedConfig(config, await loadTuning(config.tuningFile));
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

  const restored = await loadCheckpoint(paths.exporterStateDir, (model) => applyConfig.tuning(model).windowSize);
  const state = restored.state;
  let savedWindows: WindowsCheckpoint = restored.windows;
  if (restored.problem) log.warn({ stage: 'checkpoint', problem: restored.problem }, 'drift windows not restored');
  let lastWindowsSaveMs = 0; // the first checkpoint saves the windows

  let catalog: Catalog = EMPTY_CATALOG;
  let snapshot: Snapshot = EMPTY_SNAPSHOT;
  const self: SelfStats = {
    computeDuration: emptyHistogram(COMPUTE_DURATION_BUCKETS),
    lastComputeMs: 0,
    lastCheckpointMs: 0,
    eventLagSeconds: 0,
  };
  const metrics = new ExporterMetrics();
  let dirty = false; // state changed since the last checkpoint

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
  const knownVersions = (named: ReadonlySet<string>): boolean =>
    [...named].every((key) => {
      const [model, version] = key.split('\u001f') as [string, string];
      return catalog.models.get(model)?.loaded.has(version) === true;
    });

  let closed = false;

  // ---- the exposition text, rendered here and handed to the service ----
  let lastRenderMs = 0;
  let lastRenderCost = 0;
  let renderTimer: NodeJS.Timeout | undefined;
  const render = async (): Promise<void> => {
    if (renderTimer) clearTimeout(renderTimer);
    renderTimer = undefined;
    const t = performance.now();
    metrics.publish(projectMetrics(state, catalog, snapshot, applyConfig, self));
    const text = new TextEncoder().encode(await metrics.text());
    // Prometheus asks for gzip: compressed once here, a large exposition (five MiB at
    // 200 models of 50 features) goes out in a seventh of the bytes. The fastest level
    // keeps most of that for a fraction of the time.
    opts.publish(text, ownBuffer(gzipSync(text, { level: 1 })));
    lastRenderCost = performance.now() - t;
    lastRenderMs = Date.now();
  };
  /** Something a scrape shows changed: render soon, within the render budget. */
  const changed = (): void => {
    if (renderTimer || closed) return;
    const gap = Math.max(MIN_RENDER_INTERVAL_MS, lastRenderCost / MAX_RENDER_SHARE);
    renderTimer = setTimeout(
      () => {
        renderTimer = undefined;
        render().catch((e: Error) => log.error({ stage: 'render', err: e.message }, 'cannot render the metrics'));
      },
      Math.max(0, lastRenderMs + gap - Date.now()),
    );
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
    let wasChanged = false;
    let backlog = false;
    for (const stream of STREAMS) {
      const r = await ingestStream(stream);
      wasChanged ||= r.changed;
      backlog ||= r.backlog;
    }
    self.eventLagSeconds = backlog ? Math.max(0, (Date.now() - state.lastEventTs) / 1000) : 0;
    if (wasChanged || self.eventLagSeconds !== lagBefore) changed();
  };

  const ingestStream = async (stream: SpoolStream): Promise<{ changed: boolean; backlog: boolean }> => {
    let wasChanged = false;
    const dir = streamDir(paths.eventsDir, stream);
    // A bounded number of batches per pass keeps compute and checkpoints going under a backlog.
    for (let batch = 0; batch < 10; batch++) {
      let res;
      try {
        res = await readEvents(dir, state.positions[stream], config.batchSize);
      } catch (e) {
        countError(state, 'read');
        log.error({ stage: 'read', err: (e as Error).message }, 'cannot read the event spool');
        wasChanged = true;
        break;
      }
      if (res.skippedCorrupt > 0) {
        wasChanged = true;
        countError(state, 'decode', res.skippedCorrupt);
        log.warn({ stage: 'decode', lines: res.skippedCorrupt }, 'skipped corrupt lines in the event spool');
      }
      if (res.events.length > 0) {
        const named = versionsNamedIn(res.events);
        if (!knownVersions(named)) await refreshCatalog(named);
        applyEvents(state, res.events, catalog, applyConfig);
        dirty = true;
        wasChanged = true;
      }
      const at = state.positions[stream];
      if (res.next.segment !== at.segment || res.next.offset !== at.offset) dirty = true;
      state.positions[stream] = res.next;
      if (res.events.length < config.batchSize) return { changed: wasChanged, backlog: false };
    }
    return { changed: wasChanged, backlog: true };
  };

  /** After a restart: the events between the saved windows and the saved state, into the windows only. */
  const replay = async (): Promise<void> => {
    let events = 0;
    for (const stream of STREAMS) {
      const dir = streamDir(paths.eventsDir, stream);
      const until = state.positions[stream];
      let from = savedWindows.positions[stream];
      while (before(from, until)) {
        const res = await readEvents(dir, from, config.batchSize, until);
        if (res.events.length > 0) {
          const named = versionsNamedIn(res.events);
          if (!knownVersions(named)) await refreshCatalog(named);
          replayWindows(state, res.events, catalog, applyConfig);
          events += res.events.length;
        }
        if (!before(from, res.next)) break; // nothing left before `until` (segments gone)
        from = res.next;
      }
    }
    if (events > 0) log.info({ events }, 'replayed the events since the last saved windows into the drift windows');
  };

  const compute = async (): Promise<void> => {
    await refreshCatalog();
    await refreshTuning();
    const started = process.hrtime.bigint();
    const now = Date.now();
    try {
      trimOutcomes(state, now, Math.max(...config.accuracyWindows.map((w) => w.ms)));
      // One step per model version; ingest and the service's messages get through between steps.
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
    changed();
  };

  const checkpoint = async (final = false): Promise<void> => {
    if (!dirty && self.lastCheckpointMs > 0 && !final) return;
    const now = Date.now();
    const withWindows = final || now - lastWindowsSaveMs >= config.windowCheckpointIntervalMs;
    try {
      savedWindows = await saveCheckpoint(paths.exporterStateDir, state, now, savedWindows, withWindows);
      if (withWindows) lastWindowsSaveMs = now;
      dirty = false;
      self.lastCheckpointMs = now;
    } catch (e) {
      countError(state, 'checkpoint');
      log.error({ stage: 'checkpoint', err: (e as Error).message }, 'cannot save the exporter state');
      return;
    }
    if (opts.releaseSpool) {
      try {
        // Segments the saved windows still need for their replay are kept.
        for (const stream of STREAMS) {
          await releaseSegmentsBefore(streamDir(paths.eventsDir, stream), earlier(state.positions[stream], savedWindows.positions[stream]));
        }
      } catch (e) {
        log.warn({ stage: 'checkpoint', err: (e as Error).message }, 'cannot delete consumed spool segments');
      }
    }
    changed();
  };

  await refreshCatalog();
  await replay();
  await ingest();
  await compute();
  await render();

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
  every(config.checkpointIntervalMs, () => checkpoint());

  return {
    contentType: metrics.contentType,
    refresh: () =>
      exclusive(async () => {
        await ingest();
        await compute();
        await render();
      }),
    countIngest: (endpoint, accepted, rejected) => {
      if (accepted > 0) state.counters.ingestAccepted.inc([endpoint], accepted);
      for (const [reason, n] of rejected) state.counters.ingestRejected.inc([endpoint, reason], n);
      dirty = true;
      changed();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (renderTimer) clearTimeout(renderTimer);
      await exclusive(() => checkpoint(true));
      log.info({ positions: state.positions }, 'ml model exporter stopped, state saved');
    },
  };
}

/** The bytes in an ArrayBuffer of their own (zlib may hand back a view of a larger one). */
function ownBuffer(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}

function before(a: SpoolPosition, b: SpoolPosition): boolean {
  return a.segment < b.segment || (a.segment === b.segment && a.offset < b.offset);
}

function earlier(a: SpoolPosition, b: SpoolPosition): SpoolPosition {
  return before(b, a) ? b : a;
}
