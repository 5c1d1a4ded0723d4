/** The console's JSON API (/api/...). Every answer carries `fetchedAt` and how
 * many upstream requests it took; upstream failures answer 503 (unreachable)
 * or 502 (refused) with a message for people, never a stack trace. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {
  AlertsAnswer,
  ApiErrorBody,
  Meta,
  ModelDetailAnswer,
  ModelListAnswer,
  NotificationIntegration,
  NotificationsAnswer,
  SilenceAnswer,
  SilenceRequest,
  SloDetailAnswer,
  SloListAnswer,
} from './api-types.js';
import { alertViews, SILENCE_DURATIONS, silenceFor } from './alerts.js';
import type { CatalogSource } from './catalog-source.js';
import { ConsoleInputError } from './input.js';
import { loadModelDetail, loadModelList, parseModelRange } from './models.js';
import { SINK_INTEGRATIONS } from '../sink/index.js';
import { fetchNotifications } from './sink.js';
import { loadSloDetail, parseRange } from './slo-detail.js';
import { buildSloRows, sloListQueries } from './slo-list.js';
import {
  AlertmanagerClient,
  newRequestLog,
  PrometheusClient,
  UpstreamError,
  type BasicCredentials,
  type RequestLog,
} from '../upstream/index.js';

export interface ApiContext {
  prometheusUrl: string;
  alertmanagerUrl: string;
  sinkUrl: string | undefined;
  /** Base of links into Prometheus's and Alertmanager's own UIs (what the browser can reach). */
  prometheusPublicUrl: string;
  alertmanagerPublicUrl: string;
  registryDir: string | undefined;
  catalog: CatalogSource;
  refreshSeconds: number;
  /** Credentials Prometheus and Alertmanager demand (the stack's admin user). */
  auth?: BasicCredentials | undefined;
  /** Injected clock, for tests (unix seconds). */
  now?: () => number;
}

interface PageLogs {
  prometheus: RequestLog;
  alertmanager: RequestLog;
  sink: RequestLog;
}

function meta(logs: PageLogs, at: number): Meta {
  const round = (l: RequestLog) => ({ count: l.count, totalMs: Math.round(l.totalMs * 10) / 10 });
  return {
    fetchedAt: new Date(at * 1000).toISOString(),
    upstream: { prometheus: round(logs.prometheus), alertmanager: round(logs.alertmanager), sink: round(logs.sink) },
  };
}

export function errorBody(e: unknown): { status: number; body: ApiErrorBody } | undefined {
  if (e instanceof UpstreamError) {
    return { status: e.reachable ? 502 : 503, body: { error: { kind: 'upstream', upstream: e.upstream, message: e.message } } };
  }
  if (e instanceof ConsoleInputError) return { status: e.status, body: { error: { kind: 'input', message: e.message } } };
  return undefined;
}

const rangeQuery = {
  type: 'object',
  properties: { range: { type: 'string', pattern: '^[0-9a-z]{1,12}$' } },
  additionalProperties: false,
} as const;

const sloParams = {
  type: 'object',
  required: ['service', 'slo'],
  properties: { service: { type: 'string', minLength: 1, maxLength: 200 }, slo: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const silenceBody = {
  type: 'object',
  required: ['labels', 'duration'],
  additionalProperties: false,
  properties: {
    labels: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
    duration: { type: 'string', minLength: 2, maxLength: 12 },
    comment: { type: 'string', maxLength: 1000 },
    createdBy: { type: 'string', maxLength: 200 },
  },
} as const;

const notificationsQuery = {
  type: 'object',
  properties: {
    since: { type: 'string', maxLength: 40 },
    integration: { type: 'string', enum: SINK_INTEGRATIONS },
  },
  additionalProperties: false,
} as const;

/** The API routes, as a fastify plugin. */
export function registerApi(app: FastifyInstance, ctx: ApiContext): void {
  const now = ctx.now ?? (() => Date.now() / 1000);
  const clients = () => {
    const logs: PageLogs = { prometheus: newRequestLog(), alertmanager: newRequestLog(), sink: newRequestLog() };
    return {
      logs,
      prom: new PrometheusClient(ctx.prometheusUrl, { log: logs.prometheus, auth: ctx.auth }),
      am: new AlertmanagerClient(ctx.alertmanagerUrl, { log: logs.alertmanager, auth: ctx.auth }),
    };
  };

  app.setErrorHandler((e: unknown, _req, reply: FastifyReply) => {
    const known = errorBody(e);
    if (known) {
      if (e instanceof UpstreamError) app.log.warn({ upstream: e.upstream, status: e.status }, e.message);
      return reply.code(known.status).send(known.body);
    }
    const fe = e as { validation?: unknown; statusCode?: number; message?: string };
    if (fe.validation || (fe.statusCode && fe.statusCode < 500)) {
      const body: ApiErrorBody = { error: { kind: 'input', message: fe.message ?? 'bad request' } };
      return reply.code(fe.statusCode ?? 400).send(body);
    }
    app.log.error({ err: e }, 'console request failed');
    const body: ApiErrorBody = { error: { kind: 'internal', message: 'the console failed to answer; see its log' } };
    return reply.code(500).send(body);
  });

  app.get('/api', async () => ({
    endpoints: {
      'GET /api/slos': 'every SLO of the spec with SLI, budget, time left, burn rates and alert state',
      'GET /api/slos/:service/:slo?range=1d': 'one SLO: series over the range, thresholds, rules, alerts',
      'GET /api/models': 'every model: drift, accuracy, age, firing alerts',
      'GET /api/models/:model?range=1d': 'one model: feature drift over time, prediction mix, accuracy, label delay, freshness',
      'GET /api/alerts': "Alertmanager's alerts, silenced and inhibited ones marked",
      'GET /api/notifications?since=1h&integration=': 'notifications received by the local sink',
      'POST /api/silences': '{labels, duration, comment?, createdBy?}: silence exactly that alert in Alertmanager',
    },
    refreshSeconds: ctx.refreshSeconds,
    silenceDurations: SILENCE_DURATIONS,
  }));

  app.get('/api/slos', async (): Promise<SloListAnswer> => {
    const { logs, prom } = clients();
    const at = now();
    const catalog = ctx.catalog.current();
    const q = sloListQueries(catalog.slos);
    const [series, alerts, tiles] = await Promise.all([prom.query(q.series, at), prom.query(q.alerts, at), prom.query(q.tiles, at)]);
    const slos = buildSloRows(catalog.slos, { series, alerts, tiles, now: at });
    return {
      ...meta(logs, at),
      profile: catalog.profile,
      services: [...new Set(slos.map((s) => s.service))],
      slos,
    };
  });

  app.get('/api/slos/:service/:slo', { schema: { params: sloParams, querystring: rangeQuery } }, async (req): Promise<SloDetailAnswer> => {
    const { service, slo: name } = req.params as { service: string; slo: string };
    const slo = ctx.catalog.current().byId(service, name);
    if (!slo) throw new ConsoleInputError(`no SLO "${name}" of service "${service}" in the spec`, 404);
    const range = parseRange(slo, (req.query as { range?: string }).range);
    const { logs, prom } = clients();
    const at = now();
    const detail = await loadSloDetail(prom, slo, range, { now: at, prometheusPublicUrl: ctx.prometheusPublicUrl });
    return { ...meta(logs, at), ...detail };
  });

  app.get('/api/models', async (): Promise<ModelListAnswer> => {
    const { logs, prom } = clients();
    const at = now();
    const list = await loadModelList(prom, at);
    return { ...meta(logs, at), ...list };
  });

  app.get('/api/models/:model', { schema: { querystring: rangeQuery } }, async (req): Promise<ModelDetailAnswer> => {
    const { model } = req.params as { model: string };
    const range = parseModelRange((req.query as { range?: string }).range);
    const { logs, prom } = clients();
    const at = now();
    const detail = await loadModelDetail(prom, model, range, { now: at, ...(ctx.registryDir ? { registryDir: ctx.registryDir } : {}) });
    return { ...meta(logs, at), ...detail };
  });

  app.get('/api/alerts', async (): Promise<AlertsAnswer> => {
    const { logs, am } = clients();
    const at = now();
    const alerts = alertViews(await am.alerts());
    return { ...meta(logs, at), alertmanagerUrl: ctx.alertmanagerPublicUrl, silenceDurations: SILENCE_DURATIONS, alerts };
  });

  app.get('/api/notifications', { schema: { querystring: notificationsQuery } }, async (req): Promise<NotificationsAnswer> => {
    const q = req.query as { since?: string; integration?: NotificationIntegration };
    const at = now();
    const logs = clients().logs;
    if (!ctx.sinkUrl) return { ...meta(logs, at), configured: false, notifications: [] };
    const notifications = await fetchNotifications(
      ctx.sinkUrl,
      { since: q.since ?? '24h', ...(q.integration ? { integration: q.integration } : {}) },
      logs.sink,
      // The sink asks for the stack's login too (it holds alert payloads).
      ctx.auth,
    );
    // Newest first: the page reads top-down.
    notifications.sort((a, b) => b.time.localeCompare(a.time));
    return { ...meta(logs, at), configured: true, notifications };
  });

  app.post('/api/silences', { schema: { body: silenceBody } }, async (req, reply) => {
    const body = req.body as SilenceRequest;
    // Wall time, not the injected evaluation clock: Alertmanager moves a past start to now.
    const silence = silenceFor(body.labels, body.duration, new Date(), {
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
      ...(body.createdBy !== undefined ? { createdBy: body.createdBy } : {}),
    });
    const { logs, am } = clients();
    const silenceId = await am.createSilence(silence);
    app.log.info({ silenceId, matchers: silence.matchers, endsAt: silence.endsAt }, 'silence created');
    const answer: SilenceAnswer = {
      ...meta(logs, now()),
      silenceId,
      endsAt: silence.endsAt,
      alertmanagerUrl: `${ctx.alertmanagerPublicUrl.replace(/\/+$/, '')}/#/silences/${silenceId}`,
    };
    return reply.code(201).send(answer);
  });
}
