import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import { pino, type Logger } from 'pino';
import { stackPaths } from '../definition/index.js';
import { MlmonError } from '../errors.js';
import {
  ensureModel,
  listModels,
  loadModelVersion,
  readCurrentVersion,
  readDeployment,
  writeDeployment,
  DEFAULT_MODEL,
  type Deployment,
  type LoadedModel,
} from '../model/index.js';
import { openEventWriter, type EventWriter } from '../events/index.js';
import { GatewayMetrics, type VersionSeries } from './metrics.js';
import {
  predictSchemas,
  rejectionFromFastifyError,
  rejectionFromIssues,
  type PredictBody,
  type FeedbackBody,
  type Rejection,
} from './input.js';
import { faultFrom, faultSchema, isActive, isLoopback, NO_FAULT, type FaultState } from './fault.js';
import { RecentPredictions } from './recent.js';
import { bearerMatches } from './token.js';
import { openEventForwarder, type ForwardOptions } from './forward.js';

export interface GatewayOptions {
  host: string;
  port: number;
  dataDir: string;
  model?: string;
  /** Serve /admin/fault (loopback clients only). */
  admin?: boolean;
  /** When set, /admin/* also needs `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** Record request and inference metrics (off only to measure their cost). */
  instrument?: boolean;
  logLevel?: string;
  /** How often the deployment file is read for a change (default 500 ms). */
  deploymentPollMs?: number;
  /** Send the inference events to the exporter's ingest API instead of the spool
   * under the data directory (a gateway that shares no disk with the exporter). */
  forwardEvents?: ForwardOptions;
}

/** What answers requests now. Replaced whole when the deployment changes, so a
 * request keeps the version it started with and none sees half a switch. */
interface Serving {
  stable: LoadedModel;
  stableSeries: VersionSeries | undefined;
  canary: { model: LoadedModel; percent: number; series: VersionSeries | undefined } | undefined;
  /** The deployment file content this was built from. */
  source: string;
}

export interface Gateway {
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  /** The stable version served when the gateway started. */
  model: LoadedModel;
  /** Read the deployment file now and switch when it changed (the timer does this on its own). */
  reloadDeployment(): Promise<void>;
  events: EventWriter;
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

/** 64 KiB holds a full batch of 100 rows with room to spare; anything larger is not a prediction request. */
export const BODY_LIMIT = 64 * 1024;

/** Socket limits, so that slow or idle clients cannot hold the gateway's
 * connections: a whole request (headers and body) must arrive within
 * REQUEST_TIMEOUT_MS, headers within HEADERS_TIMEOUT_MS, a silent socket is
 * closed after CONNECTION_TIMEOUT_MS, and an idle keep-alive connection after
 * KEEP_ALIVE_TIMEOUT_MS (a scraper or client that comes back later simply
 * reconnects). The request timeout is far above the injected-latency faults the
 * alert tests use (a few seconds at most). */
export const GATEWAY_TIMEOUTS = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  connectionTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export type GatewayTimeouts = { -readonly [K in keyof typeof GATEWAY_TIMEOUTS]: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errorBody(r: Rejection) {
  return { error: r.reason, field: r.field, message: r.message };
}

/** Build the gateway without listening (tests use inject); startGateway adds the socket. */
export async function buildGateway(
  opts: Omit<GatewayOptions, 'host' | 'port'> & { logger?: Logger; timeouts?: Partial<GatewayTimeouts> },
): Promise<Gateway> {
  const log = opts.logger ?? pino({ level: opts.logLevel ?? 'info', base: { component: 'inference-gateway' } });
  const paths = stackPaths(opts.dataDir);
  const modelName = opts.model ?? DEFAULT_MODEL;
  const trained = await ensureModel(paths.registryDir, modelName);
  if (trained)
    log.info(
      { model: trained.model, version: trained.version, heldout_accuracy: trained.heldout_accuracy },
      'registry was empty: trained the first model version',
    );
  // What to serve comes from the deployment file; the first start deploys the current version.
  let deployment = await readDeployment(paths.registryDir, modelName);
  if (!deployment) {
    const current = await readCurrentVersion(paths.registryDir, modelName);
    if (current === undefined) {
      throw new MlmonError('model_missing', `model "${modelName}" has no current version`, {
        location: paths.registryDir,
        hint: 'Run `mlmon train --data-dir <dir>` first.',
      });
    }
    deployment = { stable: current, canary: null, previous: [], updated_at: new Date().toISOString() };
    await writeDeployment(paths.registryDir, modelName, deployment);
  }
  const model = await loadModelVersion(paths.registryDir, modelName, deployment.stable);
  // Features and classes are the stable version's; a version with others cannot take its place live.
  const { features, classes } = model.metadata;
  const events = opts.forwardEvents
    ? openEventForwarder({
        ...opts.forwardEvents,
        onError: (err) => log.warn({ err: err.message }, 'inference events could not be sent to the exporter'),
      })
    : await openEventWriter({
        dir: paths.eventsDir,
        onError: (err) => log.error({ err }, 'inference events could not be written'),
      });
  const instrument = opts.instrument !== false;
  const metrics = new GatewayMetrics({
    served: { model: modelName, version: model.metadata.version, classes },
    admin: opts.admin === true,
    droppedEvents: () => events.stats.dropped,
  });
  const m = instrument ? metrics : undefined;
  const seriesOf = (lm: LoadedModel) => (m ? m.version(lm.metadata.version, lm.metadata.classes) : undefined);

  const sameSchema = (a: LoadedModel) =>
    a.metadata.features.join('\u0000') === features.join('\u0000') && a.metadata.classes.join('\u0000') === classes.join('\u0000');
  const build = async (d: Deployment, source: string, known: Serving | undefined): Promise<Serving> => {
    const load = async (version: string): Promise<LoadedModel> => {
      if (known?.stable.metadata.version === version) return known.stable;
      if (known?.canary?.model.metadata.version === version) return known.canary.model;
      const lm = await loadModelVersion(paths.registryDir, modelName, version);
      if (!sameSchema(lm)) {
        throw new MlmonError(
          'deploy_schema_changed',
          `${modelName} ${version} has other features or classes than the version the gateway started with`,
          {
            location: paths.registryDir,
            hint: 'Restart the gateway to serve a model with another schema.',
          },
        );
      }
      return lm;
    };
    const stable = await load(d.stable);
    const canaryModel = d.canary ? await load(d.canary.version) : undefined;
    return {
      stable,
      stableSeries: seriesOf(stable),
      canary: canaryModel && d.canary ? { model: canaryModel, percent: d.canary.percent, series: seriesOf(canaryModel) } : undefined,
      source,
    };
  };
  let serving = await build(deployment, JSON.stringify(deployment), undefined);
  const announce = (s: Serving): void => {
    metrics.setServing(
      s.stable.metadata.version,
      s.canary ? { version: s.canary.model.metadata.version, percent: s.canary.percent } : undefined,
    );
    if (s.stableSeries) metrics.setStableSeries(s.stableSeries);
  };
  announce(serving);
  let lastProblem = '';
  const reloadDeployment = async (): Promise<void> => {
    try {
      const d = await readDeployment(paths.registryDir, modelName);
      if (!d || JSON.stringify(d) === serving.source) return;
      const next = await build(d, JSON.stringify(d), serving);
      // One assignment: requests already running finish on the models they took.
      serving = next;
      announce(next);
      lastProblem = '';
      log.info({ model: modelName, stable: d.stable, canary: d.canary }, 'deployment changed: now serving it');
    } catch (e) {
      const message = e instanceof MlmonError ? e.format() : (e as Error).message;
      if (message !== lastProblem)
        log.error({ model: modelName, err: message }, 'cannot switch to the new deployment; the current one keeps serving');
      lastProblem = message;
    }
  };
  let reloading: Promise<void> | undefined;
  const deploymentTimer = setInterval(() => {
    reloading ??= reloadDeployment().finally(() => (reloading = undefined));
  }, opts.deploymentPollMs ?? 500);
  deploymentTimer.unref();
  const schemas = predictSchemas(features, classes);
  const recent = new RecentPredictions();
  let fault: FaultState = NO_FAULT;
  let ready = true;

  const timeouts = { ...GATEWAY_TIMEOUTS, ...(opts.timeouts ?? {}) };
  const app = Fastify({
    loggerInstance: log,
    // One log line per request would cost more than the prediction; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node checks the request and header timeouts only every 30 s by default, which
    // would let a slow client keep its socket for up to 40 s; check every second.
    http: { headersTimeout: timeouts.headersTimeoutMs, connectionsCheckingInterval: 1000 },
  });
  // JSON only: fastify also parses text/plain by default, which would let a wrongly labelled body through.
  app.removeContentTypeParser('text/plain');

  function reject(request: FastifyRequest, reply: FastifyReply, r: Rejection) {
    const route = request.routeOptions.url;
    m?.rejectedInput(route, r.reason);
    if (route === '/predict') m?.inferenceOutcome('invalid_input');
    return reply.code(r.status).send(errorBody(r));
  }

  if (instrument) {
    // A callback hook, not an async one: no promise per request on the hot path.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeHttp(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, request, reply) => {
    const r = rejectionFromFastifyError(err);
    // A client that sends the whole body before reading (Python's urllib and
    // requests do; curl waits for 100-continue) would see "connection reset"
    // if we answered and closed with its body unread: read and discard it (up
    // to a bound) first, so it gets its 413.
    if (r?.reason === 'body_too_large') await discardBody(request.raw, DISCARD_LIMIT, timeouts.requestTimeoutMs);
    if (r) return reject(request, reply.header('connection', 'close'), r);
    request.log.error({ err, route: request.routeOptions.url }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the gateway log' });
  });

  app.setNotFoundHandler((request, reply) => {
    m?.rejectedInput(undefined, 'not_found');
    return reply.code(404).send({ error: 'not_found', field: 'path', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.post('/predict', async (request, reply) => {
    const parsed = schemas.predict.safeParse(request.body);
    if (!parsed.success) return reject(request, reply, rejectionFromIssues(parsed.error.issues, request.body));
    const body = parsed.data as PredictBody;
    const rows = body.features ? [body.features] : (body.instances ?? []);
    const started = process.hrtime.bigint();
    // The whole request goes to one version: the canary for its share of requests.
    const s = serving;
    const toCanary = s.canary !== undefined && Math.random() * 100 < s.canary.percent;
    const lm = toCanary ? s.canary!.model : s.stable;
    const vs = toCanary ? s.canary!.series : s.stableSeries;
    const served = { model: modelName, version: lm.metadata.version };
    if (vs) m?.inferenceStarted(vs);
    try {
      const f = fault;
      if (f.latency_ms > 0) await sleep(f.latency_ms);
      if (f.error_ratio > 0 && Math.random() < f.error_ratio) {
        if (vs) m?.inferenceOutcome('error', vs);
        return reply.code(503).send({ error: 'injected_fault', message: 'fault injection answered this request with 503' });
      }
      const shift = f.feature_shift;
      const matrix = rows.map((row) => features.map((name) => (row[name] as number) + (shift[name] ?? 0)));
      const predictions = lm.predict(matrix);
      const now = Date.now();
      const results = predictions.map((p, i) => {
        const id = randomUUID();
        const prediction = classes[p.classIndex] as string;
        const confidence = p.probabilities[p.classIndex] as number;
        const values = matrix[i] as number[];
        const featureMap: Record<string, number> = {};
        features.forEach((name, j) => (featureMap[name] = values[j] as number));
        events.append({ type: 'prediction', id, ts: now, ...served, features: featureMap, prediction, confidence });
        recent.remember(id, served.model, served.version);
        if (vs) m?.prediction(vs, p.classIndex, confidence);
        const probabilities: Record<string, number> = {};
        classes.forEach((c, j) => (probabilities[c] = p.probabilities[j] as number));
        return { request_id: id, ...served, prediction, probabilities };
      });
      if (vs) m?.inferenceOutcome('success', vs);
      return body.features ? results[0] : { predictions: results };
    } finally {
      if (m && vs) m.inferenceFinished(vs, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });

  app.post('/feedback', async (request, reply) => {
    const parsed = schemas.feedback.safeParse(request.body);
    if (!parsed.success) return reject(request, reply, rejectionFromIssues(parsed.error.issues, request.body));
    const { request_id, label } = parsed.data as FeedbackBody;
    const known = recent.get(request_id);
    if (!known) {
      return reject(request, reply, {
        status: 404,
        reason: 'unknown_request_id',
        field: 'request_id',
        message: `no recent prediction has request_id ${JSON.stringify(request_id)}`,
      });
    }
    if (known.labelled) {
      return reject(request, reply, {
        status: 409,
        reason: 'duplicate_feedback',
        field: 'request_id',
        message: `request ${request_id} already has a label`,
      });
    }
    known.labelled = true;
    events.append({ type: 'feedback', id: request_id, ts: Date.now(), label, model: known.model, version: known.version });
    return reply.code(202).send({ status: 'accepted', request_id });
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    if (!ready) return reply.code(503).send({ status: 'shutting_down' });
    return { status: 'ready', model: modelName, version: serving.stable.metadata.version };
  });

  app.get('/models', async () => {
    const s = serving;
    const info = (lm: LoadedModel) => ({
      model: modelName,
      version: lm.metadata.version,
      trained_at: lm.metadata.trained_at,
      heldout_accuracy: lm.metadata.heldout_accuracy,
      features,
      classes,
    });
    return {
      serving: info(s.stable),
      canary: s.canary ? { ...info(s.canary.model), percent: s.canary.percent } : null,
      registry: await listModels(paths.registryDir),
    };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  if (opts.admin) {
    const schema = faultSchema(features);
    const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isLoopback(request.socket.remoteAddress)) {
        return reject(request, reply, {
          status: 403,
          reason: 'forbidden',
          field: 'client',
          message: 'the fault control answers loopback clients only',
        });
      }
      if (opts.adminToken !== undefined && !bearerMatches(request.headers.authorization, opts.adminToken)) {
        reply.header('www-authenticate', 'Bearer realm="mlmon-gateway-admin"');
        return reject(request, reply, {
          status: 401,
          reason: 'unauthorized',
          field: 'authorization',
          message: 'the fault control needs Authorization: Bearer <token> (the token is in <data-dir>/secrets/admin-token)',
        });
      }
    };
    const show = () => ({ fault, active: isActive(fault) });
    app.get('/admin/fault', { onRequest }, async () => show());
    app.put('/admin/fault', { onRequest }, async (request, reply) => {
      const parsed = schema.safeParse(request.body);
      if (!parsed.success) return reject(request, reply, rejectionFromIssues(parsed.error.issues, request.body));
      fault = faultFrom(parsed.data);
      log.warn({ fault }, 'fault injection set');
      return show();
    });
    app.delete('/admin/fault', { onRequest }, async () => {
      fault = NO_FAULT;
      log.warn('fault injection cleared');
      return show();
    });
  }

  await app.ready();
  let closing: Promise<void> | undefined;
  return {
    app,
    model,
    reloadDeployment,
    events,
    metrics,
    close() {
      closing ??= (async () => {
        clearInterval(deploymentTimer);
        await reloading;
        ready = false;
        await app.close();
        await events.close();
      })();
      return closing;
    },
  };
}

/** The rule for turning the fault control on: with a token anywhere the
 * gateway binds; without one only on a loopback address (a gateway started by
 * hand with --admin for a test). The loopback-client check applies either way. */
export function assertAdminAllowed(opts: Pick<GatewayOptions, 'admin' | 'adminToken' | 'host'>): void {
  if (!opts.admin || opts.adminToken !== undefined) return;
  if (isLoopbackHost(opts.host)) return;
  throw new MlmonError('admin_needs_token', `the fault control without a token is allowed only on loopback, not on ${opts.host}`, {
    location: 'inference-gateway',
    hint: 'set MLMON_GATEWAY_ADMIN_TOKEN (the stack does this by itself), or bind to 127.0.0.1',
  });
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Load (or first train) the model, open the event spool and listen. */
export async function startGateway(
  opts: GatewayOptions & { timeouts?: Partial<GatewayTimeouts> },
): Promise<{ url: string; close(): Promise<void> }> {
  assertAdminAllowed(opts);
  const gw = await buildGateway(opts);
  try {
    await gw.app.listen({ host: opts.host, port: opts.port });
  } catch (e) {
    await gw.close();
    throw e;
  }
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const addr = gw.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  gw.app.log.info(
    { url: `http://${host}:${port}`, model: gw.model.metadata.model, version: gw.model.metadata.version },
    'inference gateway listening',
  );
  return { url: `http://${host}:${port}`, close: () => gw.close() };
}

/** Most bytes of an oversized body read and thrown away before its 413 is sent;
 * a client sending more is cut off (its bytes would cost us for nothing). */
export const DISCARD_LIMIT = 32 * 1024 * 1024;

/** Reads and discards what is left of a request body, up to `maxBytes` or `timeoutMs`. */
export function discardBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.readableEnded || req.destroyed) return resolve();
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, timeoutMs);
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}
