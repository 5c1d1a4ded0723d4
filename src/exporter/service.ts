import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { stackPaths } from '../definition/index.js';
import { MlmonError } from '../errors.js';
import { bearerMatches, newToken, readSecretFile, writeSecretFile } from '../secrets.js';
import { EXPORTER_TOKEN_FILE, type IngestEndpoint } from './conventions.js';
import { DEFAULT_EXPORTER_CONFIG, type ExporterConfig } from './options.js';
import type {
  EngineInfo,
  EngineRequest,
  EngineWorkerData,
  IngestAnswer,
  IngestCounts,
  IngestRequest,
  IngestWorkerData,
  NewText,
} from './protocol.js';
import { startThread, type Thread } from './threads.js';

/** Largest request body of the ingest API: 10,000 events of about 50 features. */
export const MAX_INGEST_BODY_BYTES = 32 * 1024 * 1024;

export interface ExporterOptions extends Partial<ExporterConfig> {
  host: string;
  port: number;
  dataDir: string;
  /** Delete spool segments the checkpoint has moved past (default true: the exporter is the spool's consumer). */
  releaseSpool?: boolean;
  logger?: Logger;
  /** Bearer token of the ingest API; default: <data>/secrets/exporter-token, made when missing. */
  token?: string;
  /** Called once if a thread of the exporter fails (the process should exit and be restarted). */
  onFatal?: (e: Error) => void;
}

export interface RunningExporter {
  url: string;
  /** Ingest everything in the spool, recompute and render now (tests and tools; the timers do this on their own). */
  refresh(): Promise<void>;
  /** Close the port, then stop the engine, which saves the state. */
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

/** Start the ML model exporter: the engine (spool, state, drift, checkpoints,
 * rendering) and the ingest API's parsing and spooling each in a thread of their
 * own, and on this thread the HTTP server: a scrape gets the engine's latest
 * text at once, whatever the other two are doing (threads.ts). */
export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const {
    host: _host,
    port: _port,
    dataDir: _dataDir,
    releaseSpool: _release,
    logger: _logger,
    token: _token,
    onFatal,
    ...overrides
  } = opts;
  const config: ExporterConfig = { ...DEFAULT_EXPORTER_CONFIG, ...stripUndefined(overrides) };
  const paths = stackPaths(opts.dataDir);
  const log = opts.logger ?? pino({ base: { component: 'ml-model-exporter' } });
  const token = opts.token ?? exporterToken(paths.secretsDir);

  let text: NewText = { text: new Uint8Array(0), gzip: new Uint8Array(0) };
  let failed: Error | undefined;
  const fatal = (e: Error): void => {
    if (failed) return;
    failed = e;
    log.error({ err: e.message }, 'a thread of the exporter failed; /metrics keeps its last values and /-/healthy answers 503');
    onFatal?.(e);
  };
  const engineData: EngineWorkerData = { config, dataDir: opts.dataDir, releaseSpool: opts.releaseSpool ?? true, logLevel: log.level };
  const { thread: engine, info } = await startThread<EngineRequest, null, NewText, IngestCounts, EngineInfo>(
    new URL('./engine-thread.js', import.meta.url),
    engineData,
    { onNote: (n) => (text = n), onFatal: fatal },
  );
  let ingestThread: Thread<IngestRequest, IngestAnswer | null, never>;
  try {
    const ingestData: IngestWorkerData = { dataDir: opts.dataDir, logLevel: log.level, catalogRefreshMs: config.computeIntervalMs };
    ingestThread = (
      await startThread<IngestRequest, IngestAnswer | null, never, never, null>(
        new URL('./ingest-thread.js', import.meta.url),
        ingestData,
        {
          onFatal: fatal,
        },
      )
    ).thread;
  } catch (e) {
    await engine.ask({ type: 'close' }).catch(() => undefined);
    await engine.terminate();
    throw e;
  }

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
    // The body goes to the ingest thread as it is (moved, not copied).
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    const reply = (await ingestThread.ask({ type: 'request', endpoint, body }, [body.buffer])) as IngestAnswer;
    if (reply.counts && (reply.counts.accepted > 0 || reply.counts.rejected.length > 0)) engine.tell(reply.counts);
    answer(res, reply.status, reply.body, reply.headers);
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
      // The engine's latest text, as it is: nothing is computed, rendered or compressed on this thread.
      const gzip = acceptsGzip(req.headers['accept-encoding']);
      const body = gzip ? text.gzip : text.text;
      res
        .writeHead(200, {
          'content-type': info.contentType,
          'content-length': body.byteLength,
          vary: 'accept-encoding',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        })
        .end(req.method === 'HEAD' ? undefined : body);
    } else if (path === '/-/healthy' || path === '/healthz' || path === '/health' || path === '/ready') {
      // Liveness and readiness alike: the engine restores the state and reads the
      // registry before the server listens, so answering at all is being ready.
      if (failed) res.writeHead(503, { 'content-type': 'text/plain' }).end(`a thread of the exporter failed: ${failed.message}\n`);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
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
  }).catch(async (e: unknown) => {
    await stopThreads();
    throw e;
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;

  log.info(
    { url, dataDir: paths.dataDir, windowSize: config.windowSize, computeIntervalMs: config.computeIntervalMs },
    'ml model exporter listening',
  );

  let closed = false;
  return {
    url,
    refresh: async () => {
      await engine.ask({ type: 'refresh' });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stopThreads();
    },
  };

  /** The ingest thread closes its spool writer, the engine saves the state with its windows. */
  async function stopThreads(): Promise<void> {
    try {
      if (!ingestThread.failed) await ingestThread.ask({ type: 'close' });
      if (!engine.failed) await engine.ask({ type: 'close' });
    } finally {
      await ingestThread.terminate();
      await engine.terminate();
    }
  }
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip') return false;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
