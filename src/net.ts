import { createServer } from 'node:net';

/** A port that was free on `host` a moment ago (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Several distinct free ports at once (held together, so none repeats). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((res, rej) => {
          const s = createServer();
          s.on('error', rej);
          s.listen(0, host, () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Resolves true when `port` on `host` can be bound right now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, host, () => srv.close(() => res(true)));
  });
}

/** GET `url` until it answers 2xx or `timeoutMs` passes. Returns the last status or error text. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  opts: { intervalMs?: number; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<{ ok: boolean; detail: string }> {
  const deadline = Date.now() + timeoutMs;
  let detail = 'not tried';
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) return { ok: false, detail: 'aborted' };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), ...(opts.headers ? { headers: opts.headers } : {}) });
      await res.arrayBuffer();
      if (res.ok) return { ok: true, detail: `HTTP ${res.status}` };
      detail = `HTTP ${res.status}`;
    } catch (e) {
      detail = (e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  return { ok: false, detail };
}
