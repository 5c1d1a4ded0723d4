/** Real Prometheus and VictoriaMetrics processes for the scale-out tests:
 * loopback, free ports, their own data folders, stopped by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitForHttp } from '../../src/net.js';

export interface Proc {
  child: ChildProcess;
  pid: number;
  log: string;
}

export function startProc(cmd: string, args: string[], log: string): Proc {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  return { child, pid: child.pid, log };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProc(p: Proc | undefined, graceMs = 10_000): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
  process.kill(p.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

export async function startPrometheus(
  dir: string,
  port: number,
  config: Record<string, unknown>,
  files: Record<string, string> = {},
): Promise<Proc> {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config, { lineWidth: 0 }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const p = startProc(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.format=json',
    ],
    join(dir, 'prometheus.log'),
  );
  const ready = await waitForHttp(`http://127.0.0.1:${port}/-/ready`, 30_000);
  if (!ready.ok) {
    await stopProc(p);
    throw new Error(`prometheus on ${port} not ready: ${ready.detail} (log ${p.log})`);
  }
  return p;
}

export interface Victoria {
  port: number;
  storage: string;
  auth: { username: string; password: string };
}

export async function startVictoria(v: Victoria, log: string): Promise<Proc> {
  const p = startProc(
    'victoria-metrics',
    [
      `-storageDataPath=${v.storage}`,
      '-retentionPeriod=1d',
      `-httpListenAddr=127.0.0.1:${v.port}`,
      // Queries otherwise hide the newest 30 s, which would only slow the test down.
      '-search.latencyOffset=1s',
      `-httpAuth.username=${v.auth.username}`,
      `-httpAuth.password=${v.auth.password}`,
    ],
    log,
  );
  const basic = Buffer.from(`${v.auth.username}:${v.auth.password}`).toString('base64');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${v.port}/health`, { headers: { authorization: `Basic ${basic}` } });
      await r.arrayBuffer();
      if (r.ok) return p;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopProc(p);
  throw new Error(`victoria-metrics on ${v.port} not ready (log ${log})`);
}

export async function vmGet(v: Victoria, path: string, params: Record<string, string>): Promise<string> {
  const u = new URL(`http://127.0.0.1:${v.port}${path}`);
  for (const [k, val] of Object.entries(params)) u.searchParams.set(k, val);
  const basic = Buffer.from(`${v.auth.username}:${v.auth.password}`).toString('base64');
  const r = await fetch(u, { headers: { authorization: `Basic ${basic}` }, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${u.pathname}: HTTP ${r.status} ${text}`);
  return text;
}

/** Instant query through the Prometheus-compatible API. */
export async function promApiQuery(
  base: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const u = new URL(`${base}/api/v1/query`);
  u.searchParams.set('query', query);
  const r = await fetch(u, { headers, signal: AbortSignal.timeout(10_000) });
  const body = (await r.json()) as {
    status: string;
    data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`query ${query}: ${body.error ?? r.status}`);
  return body.data?.result ?? [];
}

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
