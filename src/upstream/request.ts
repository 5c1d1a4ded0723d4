/** JSON over HTTP to Prometheus, Alertmanager and the notification sink, with
 * the stack's credentials, and failures turned into errors a person can act on. */
import { authHeaders, type BasicCredentials } from './credentials.js';

export type UpstreamName = 'prometheus' | 'alertmanager' | 'sink';

const DISPLAY: Record<UpstreamName, string> = {
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  sink: 'The notification sink',
};

/** An upstream that could not be reached or refused a request. The API answers
 * it as 502/503 with this message; pages show it as a banner, never a stack trace. */
export class UpstreamError extends Error {
  readonly upstream: UpstreamName;
  readonly url: string;
  /** HTTP status the upstream answered, undefined when it could not be reached. */
  readonly status: number | undefined;

  constructor(upstream: UpstreamName, url: string, message: string, status?: number) {
    super(message);
    this.name = 'UpstreamError';
    this.upstream = upstream;
    this.url = url;
    this.status = status;
  }

  get reachable(): boolean {
    return this.status !== undefined;
  }
}

/** Counts and times the requests made for one page load (the benchmark reports them). */
export interface RequestLog {
  count: number;
  totalMs: number;
}

export function newRequestLog(): RequestLog {
  return { count: 0, totalMs: 0 };
}

function networkReason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'no answer within the timeout';
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return err.cause?.message ?? err.message;
}

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Form fields (Prometheus accepts POSTed queries, which keeps long ones out of the URL). */
  form?: Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
  /** Basic-auth credentials the upstream demands. */
  auth?: BasicCredentials | undefined;
}

/** Calls `base + path` and returns the parsed JSON body; throws UpstreamError. */
export async function requestJson(
  upstream: UpstreamName,
  base: string,
  path: string,
  req: UpstreamRequest = {},
  log?: RequestLog,
): Promise<unknown> {
  const url = base.replace(/\/+$/, '') + path;
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(req.auth) };
  let body: string | undefined;
  if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  } else if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  }
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: req.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: AbortSignal.timeout(req.timeoutMs ?? 15_000),
    });
    text = await res.text();
  } catch (e) {
    throw new UpstreamError(
      upstream,
      base,
      `${DISPLAY[upstream]} cannot be reached at ${base} (${networkReason(e)}). Is the stack up? \`mlmon status\` shows it.`,
    );
  } finally {
    if (log) {
      log.count += 1;
      log.totalMs += performance.now() - started;
    }
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const detail =
      res.status === 401
        ? `credentials ${req.auth ? 'refused' : 'missing'} (the stack's admin user and password are in <data>/secrets/, \`mlmon status --json\` names them)`
        : ((parsed as { error?: unknown } | undefined)?.error ?? (typeof parsed === 'string' ? parsed : text.trim().slice(0, 300)));
    throw new UpstreamError(
      upstream,
      base,
      `${DISPLAY[upstream]} answered HTTP ${res.status} to ${path.split('?')[0]}: ${String(detail)}`,
      res.status,
    );
  }
  if (parsed === undefined) {
    throw new UpstreamError(
      upstream,
      base,
      `${DISPLAY[upstream]} answered ${path.split('?')[0]} with something that is not JSON`,
      res.status,
    );
  }
  return parsed;
}
