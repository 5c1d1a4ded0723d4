/** The console's HTTP server: pages, static assets and the JSON API. */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { basicAuthorization, type BasicCredentials } from '../upstream/index.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { stackPaths } from '../definition/index.js';
import { registerApi } from './api.js';
import { loadAssets } from './assets.js';
import { catalogFileFor } from './catalog.js';
import { watchedCatalog } from './catalog-source.js';
import { pageHtml, type PageName } from './pages.js';

export interface ConsoleOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The notification sink's HTTP base; without it the notifications panel says so. */
  sinkUrl?: string;
  /** Links into Prometheus/Alertmanager UIs; default: the URLs above. */
  prometheusPublicUrl?: string;
  alertmanagerPublicUrl?: string;
  /** Configuration folder: the SLO catalog is `prometheus/slo_catalog.json` in it
   * when the data directory has no run directory. */
  configDir: string;
  /** The stack's data directory: the SLO catalog of its running rules and the model registry are read from it. */
  dataDir?: string;
  /** An SLO catalog to read instead (a copy of the one beside the rules Prometheus loads). */
  sloCatalogFile?: string;
  /** How often pages refresh themselves. */
  refreshSeconds?: number;
  /** pino JSON logs on stdout. */
  log?: boolean | { level: string };
  /** Injected clock for tests (unix seconds). */
  now?: () => number;
  /** Credentials Prometheus and Alertmanager demand. */
  auth?: BasicCredentials | undefined;
  /** Credentials a person (or script) must give to use the console: the stack's
   * admin login, which the browser asks for once. Without them the console is open. */
  login?: BasicCredentials | undefined;
  /** Extra host names the console answers to (beside the bound address, localhost and 127.0.0.1). */
  allowedHosts?: string[];
}

export interface ConsoleServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const DEFAULT_REFRESH_SECONDS = 30;

const PAGES: Array<{ path: string; page: PageName; title: (p: Record<string, string>) => string }> = [
  { path: '/slos', page: 'slos', title: () => 'SLOs' },
  { path: '/slos/:service/:slo', page: 'slo', title: (p) => `${p.service ?? ''} · ${p.slo ?? ''}` },
  { path: '/models', page: 'models', title: () => 'Model health' },
  { path: '/models/:model', page: 'model', title: (p) => `Model ${p.model ?? ''}` },
  { path: '/alerts', page: 'alerts', title: () => 'Alerts and notifications' },
];

/** Liveness and readiness (Kubernetes probes, the supervisor): answered without
 * the login, and carrying nothing. The console serves only once its SLO spec
 * loaded, so being up is being ready. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/-/healthy', '/health', '/ready']);

export async function startConsole(opts: ConsoleOptions): Promise<ConsoleServer> {
  const logger = opts.log ? { level: typeof opts.log === 'object' ? opts.log.level : 'info', base: { component: 'console' } } : false;
  // Pages refresh every few seconds: one log line per request would drown the events that matter.
  const app = Fastify({ logger, logController: new LogController({ disableRequestLogging: true }) });
  // Throws MlmonError (naming the file) without a catalog: refuse to start rather than show nothing.
  const catalogFile = (): string => opts.sloCatalogFile ?? catalogFileFor(opts);
  const catalog = watchedCatalog(catalogFile, (message) =>
    app.log.warn({ message }, 'SLO catalog changed but cannot be read; keeping the last good one'),
  );
  const assets = loadAssets();
  const refreshSeconds = opts.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;

  const hosts = allowedHostNames(opts.host, opts.allowedHosts ?? []);
  // A page of another site that rebinds its own name to 127.0.0.1 reaches this
  // server with its own name in Host: refuse it (DNS rebinding). And no page may
  // frame the console (clickjacking its silence button).
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!hosts.has(hostName(req.headers.host))) {
      return reply.code(421).type('text/plain').send('unknown Host: the console answers only to its own address\n');
    }
    // The console can silence alerts: it asks for the same login as Alertmanager.
    if (opts.login && !PROBE_PATHS.has(req.url) && !authorizationMatches(req.headers.authorization, opts.login)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="mlmon", charset="UTF-8"')
        .type('text/plain')
        .send("log in with the stack's admin user; the password is in <data>/secrets/admin-password\n");
    }
  });

  for (const path of PROBE_PATHS) app.get(path, async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/', async (_req, reply) => reply.redirect('/slos'));
  for (const p of PAGES) {
    app.get(p.path, async (req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(pageHtml(p.page, { title: p.title(req.params as Record<string, string>), refreshSeconds })),
    );
  }
  app.get('/assets/*', async (req, reply) => {
    const name = (req.params as Record<string, string>)['*'] ?? '';
    const a = assets.get(name);
    if (!a) return reply.code(404).type('text/plain').send('no such asset');
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).header('etag', a.etag).header('cache-control', 'no-cache').send(a.body);
  });

  registerApi(app, {
    prometheusUrl: opts.prometheusUrl,
    alertmanagerUrl: opts.alertmanagerUrl,
    sinkUrl: opts.sinkUrl,
    prometheusPublicUrl: opts.prometheusPublicUrl ?? opts.prometheusUrl,
    alertmanagerPublicUrl: opts.alertmanagerPublicUrl ?? opts.alertmanagerUrl,
    registryDir: opts.dataDir ? stackPaths(opts.dataDir).registryDir : undefined,
    catalog,
    refreshSeconds,
    auth: opts.auth,
    ...(opts.now ? { now: opts.now } : {}),
  });

  const address = await app.listen({ host: opts.host, port: opts.port });
  const url = address.replace('[::1]', 'localhost');
  return { url, app, close: () => app.close() };
}

/** The host part of a Host header, lower-case, without the port ("[::1]:9099" -> "[::1]"). */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Names the console answers to: the address it binds, the loopback names, and
 * any the operator adds (a reverse proxy's name). A wildcard bind accepts only
 * the loopback names and the extra ones. */
export function allowedHostNames(bind: string, extra: readonly string[]): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', ...extra.map((e) => e.toLowerCase())]);
  if (bind !== '0.0.0.0' && bind !== '::') names.add(bind.includes(':') ? `[${bind.toLowerCase()}]` : bind.toLowerCase());
  return names;
}

/** Constant-time comparison of an Authorization header with the expected login. */
export function authorizationMatches(header: string | undefined, login: BasicCredentials): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(header ?? ''), digest(basicAuthorization(login)));
}
