import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type RouteHandlerMethod } from 'fastify';
import { stackPaths } from '../definition/index.js';
import { basicAuthorization, type BasicCredentials } from '../upstream/index.js';
import { sinkMetrics } from './metrics.js';
import {
  SINK_INTEGRATIONS,
  pagerdutyEvent,
  pagerdutyRecord,
  slackBody,
  slackRecord,
  webhookBody,
  webhookRecord,
  type NotificationRecord,
  type SinkIntegration,
} from './records.js';
import { parseSince } from './since.js';
import { startSmtpSink } from './smtp.js';
import { MAX_LIST_LIMIT, NotificationStore } from './store.js';

export interface NotificationSinkOptions {
  host: string;
  httpPort: number;
  smtpPort: number;
  /** The stack's data directory; records go to stackPaths(dataDir).sinkDir. */
  dataDir: string;
  /** pino logging of fastify (JSON lines on stdout); off by default for tests. */
  log?: boolean;
  /** The stack's admin login, demanded of every client (HTTP basic auth, SMTP
   * AUTH) but the probes and /metrics: the records are alert payloads, and a
   * forged one would pass for a page. Without it the sink is open. */
  login?: BasicCredentials | undefined;
}

/** Answered without the login: probes, and the metrics Prometheus scrapes as it scrapes the gateway's. */
const OPEN_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

function loginMatches(header: string | undefined, login: BasicCredentials): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(header ?? ''), digest(basicAuthorization(login)));
}

export interface NotificationSink {
  httpUrl: string;
  smtpPort: number;
  close(): Promise<void>;
}

function zodIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
}

type SinkMetrics = ReturnType<typeof sinkMetrics>;

function buildHttp(
  store: NotificationStore,
  metrics: SinkMetrics,
  log: boolean,
  login: BasicCredentials | undefined,
): { app: FastifyInstance; recorded(r: NotificationRecord): void } {
  const app = Fastify({ logger: log ? { base: { component: 'notification-sink' } } : false, bodyLimit: 5 * 1024 * 1024 });
  if (login) {
    app.addHook('onRequest', async (req, reply) => {
      if (OPEN_PATHS.has(req.url.split('?')[0] ?? '') || loginMatches(req.headers.authorization, login)) return;
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="mlmon", charset="UTF-8"')
        .type('text/plain')
        .send("log in with the stack's admin user\n");
    });
  }
  const recorded = (r: NotificationRecord) => {
    metrics.received(r.integration);
    app.log.info({ integration: r.integration, channel: r.channel, summary: r.summary }, 'notification recorded');
  };

  // Slack incoming webhooks: any path under /slack/; the optional last path
  // segment names the channel when the payload does not.
  const slack: RouteHandlerMethod = async (req, reply) => {
    const parsed = slackBody.safeParse(req.body);
    if (!parsed.success || (!parsed.data.text && !parsed.data.attachments?.length && !parsed.data.blocks?.length)) {
      metrics.rejected('slack');
      // Slack answers plain-text error codes.
      return reply
        .code(400)
        .type('text/plain')
        .send(parsed.success ? 'no_text' : 'invalid_payload');
    }
    const wildcard = (req.params as Record<string, string | undefined>)['*'] ?? '';
    const segments = wildcard.split('/').filter(Boolean);
    const pathChannel = segments.length > 0 && segments[0] !== 'webhook' ? segments[segments.length - 1] : undefined;
    recorded(await store.append(slackRecord(parsed.data, pathChannel)));
    return reply.code(200).type('text/plain').send('ok');
  };
  app.post('/slack', slack);
  app.post('/slack/*', slack);

  app.post('/v2/enqueue', async (req, reply) => {
    const parsed = pagerdutyEvent.safeParse(req.body);
    if (!parsed.success) {
      metrics.rejected('pagerduty');
      return reply.code(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: zodIssues(parsed.error) });
    }
    const e = parsed.data;
    // PagerDuty makes a key when a trigger has none; ours is stable for the same event.
    const dedupKey =
      e.dedup_key ??
      createHash('sha256')
        .update(JSON.stringify(e.payload ?? {}))
        .digest('hex')
        .slice(0, 32);
    recorded(await store.append(pagerdutyRecord(e, dedupKey)));
    return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });

  app.post('/heartbeat', async (req, reply) => {
    const parsed = webhookBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      metrics.rejected('webhook');
      return reply.code(400).send({ error: zodIssues(parsed.error) });
    }
    recorded(await store.append(webhookRecord(parsed.data, '/heartbeat')));
    return reply.code(200).send({ status: 'ok' });
  });

  app.get('/notifications', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const integration = q.integration || undefined;
    if (integration && !(SINK_INTEGRATIONS as readonly string[]).includes(integration)) {
      return reply.code(400).send({ error: `integration must be one of ${SINK_INTEGRATIONS.join(', ')}` });
    }
    let sinceMs: number | undefined;
    if (q.since) {
      sinceMs = parseSince(q.since);
      if (sinceMs === undefined)
        return reply.code(400).send({ error: 'since must be a duration such as 10m, an ISO time or epoch milliseconds' });
    }
    let limit: number | undefined;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
        return reply.code(400).send({ error: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}` });
    }
    // The newest `limit` records (oldest first); page back with since.
    return store.list({ integration: integration as SinkIntegration | undefined, sinceMs, limit });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  // The store is open before the server listens: serving is being ready.
  app.get('/ready', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return { app, recorded };
}

/** Starts the local notification sink: Slack webhooks, PagerDuty Events v2 and
 * a heartbeat webhook over HTTP, email over SMTP. Every notification is kept as
 * a JSON line under the data directory and listed at GET /notifications. */
export async function startNotificationSink(opts: NotificationSinkOptions): Promise<NotificationSink> {
  const metrics = sinkMetrics();
  const store = new NotificationStore(stackPaths(opts.dataDir).sinkDir, metrics.dropped);
  await store.init();
  const { app, recorded } = buildHttp(store, metrics, opts.log ?? false, opts.login);
  await app.listen({ host: opts.host, port: opts.httpPort });
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  try {
    smtp = await startSmtpSink({
      host: opts.host,
      port: opts.smtpPort,
      store,
      onRecord: recorded,
      ...(opts.login ? { login: opts.login } : {}),
    });
  } catch (e) {
    await app.close();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.httpPort;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    httpUrl: `http://${host}:${port}`,
    smtpPort: smtp.port,
    close: async () => {
      await Promise.all([app.close(), smtp.close()]);
    },
  };
}
