import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../src/net.js';
import { mlmonBin, repoRoot } from '../../src/paths.js';
import { DEFAULT_PORTS, type PortName } from '../../src/definition/index.js';
import { pidAlive, readState, type StackState } from '../../src/definition/index.js';
import { stackPaths } from '../../src/definition/index.js';
import { authHeaders, readAdminCredentials } from '../../src/upstream/index.js';

export interface TestStack {
  dataDir: string;
  configDir: string;
  ports: Record<PortName, number>;
  /** Extra CLI flags the stack was started with. */
  args: string[];
  state(): StackState;
  /** Headers carrying the stack's admin credentials (Prometheus, Alertmanager, Pushgateway, exporters demand them). */
  auth(): Record<string, string>;
  mlmon(args: string[], opts?: { allowFail?: boolean }): { code: number; stdout: string; stderr: string };
  promQuery(q: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** Runs the mlmon CLI synchronously (from the compiled tree). */
export function runMlmon(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [mlmonBin, ...args], { encoding: 'utf8', env, timeout: 240_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a whole stack (`mlmon up --detach`) on free loopback ports, with its
 * own data dir and a private copy of config/. `stop()` runs `mlmon down` and
 * then makes sure every recorded pid is gone. */
export async function startTestStack(
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  opts: { prepareConfig?: (configDir: string) => void } = {},
): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-stack-'));
  const configDir = join(dataDir, 'config');
  cpSync(join(repoRoot, 'config'), configDir, { recursive: true });
  opts.prepareConfig?.(configDir);
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, free[i]])) as Record<PortName, number>;
  const args = ['--data-dir', dataDir, '--config-dir', configDir, ...names.flatMap((n) => ['--port', `${n}=${ports[n]}`]), ...extra];
  const r = runMlmon(['up', '--detach', ...args], env);
  const stack: TestStack = {
    dataDir,
    configDir,
    ports,
    args,
    state() {
      const st = readState(stackPaths(dataDir).stateFile);
      if (!st) throw new Error('no state file');
      return st;
    },
    mlmon: (a) => runMlmon(a),
    auth: () => authHeaders(readAdminCredentials(stackPaths(dataDir).secretsDir)),
    async promQuery(q, time) {
      const u = new URL(`http://127.0.0.1:${ports.prometheus}/api/v1/query`);
      u.searchParams.set('query', q);
      if (time !== undefined) u.searchParams.set('time', String(time));
      const res = await fetch(u, { headers: stack.auth() });
      const body = (await res.json()) as {
        status: string;
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`query failed: ${q}`);
      return body.data.result;
    },
    async stop() {
      const st = readState(stackPaths(dataDir).stateFile);
      runMlmon(['down', '--data-dir', dataDir]);
      const pids = [st?.supervisorPid, ...(st?.components ?? []).map((c) => c.pid)].filter((p): p is number => Boolean(p));
      for (const pid of pids)
        if (pidAlive(pid))
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (r.code !== 0) {
    await stack.stop();
    throw new Error(`mlmon up failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return stack;
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export { spawn };
