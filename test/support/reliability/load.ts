import { spawn } from 'node:child_process';
import { fromRepo } from '../../../src/paths.js';

export interface CannonOptions {
  url: string;
  /** Seconds of load. */
  durationSeconds: number;
  connections: number;
  /** Requests per second over all connections (autocannon -R); unset = as fast as it goes. */
  rate?: number;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

export interface CannonResult {
  requests: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

interface AutocannonJson {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
  duration: number;
}

/** Runs autocannon in its own process (so the load generator's CPU is not the
 * test runner's event loop) and returns its summary. */
export function runAutocannon(opts: CannonOptions, signal?: AbortSignal): Promise<CannonResult> {
  const args = [
    fromRepo('node_modules', 'autocannon', 'autocannon.js'),
    '--json',
    '--no-progress',
    '--renderStatusCodes',
    '-c',
    String(opts.connections),
    '-d',
    String(opts.durationSeconds),
    '-m',
    opts.method ?? 'GET',
  ];
  if (opts.rate) args.push('-R', String(opts.rate));
  if (opts.body !== undefined) args.push('-b', opts.body);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(-500)}`));
      try {
        const j = JSON.parse(out) as AutocannonJson;
        const statusCodes = Object.fromEntries(Object.entries(j.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
        resolve({
          requests: j.requests.total,
          throughputPerSecond: j.requests.total / Math.max(1, j.duration),
          latencyMs: { p50: j.latency.p50, p99: j.latency.p99, max: j.latency.max },
          errors: j.errors + j.timeouts + j.non2xx,
          non2xx: j.non2xx,
          statusCodes,
        });
      } catch (e) {
        reject(new Error(`autocannon printed no JSON summary: ${(e as Error).message}\n${out.slice(0, 500)}${err.slice(-500)}`));
      }
    });
  });
}
