import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { MlmonError } from '../errors.js';
import { mlmonBin } from '../paths.js';
import { processSpecs } from './components.js';
import { prepareRunDir } from './rundir.js';
import { stackPaths, type StackSettings } from '../definition/index.js';
import { pidAlive, pidCommandLine, readState, type StackState } from '../definition/index.js';
import { Supervisor } from './supervisor.js';
import { formatTable } from './table.js';

/** The pid of the supervisor running from this data dir, if any. */
export function runningSupervisor(dataDir: string): number | undefined {
  const p = stackPaths(dataDir);
  if (!existsSync(p.supervisorPidFile)) return undefined;
  const pid = Number(readFileSync(p.supervisorPidFile, 'utf8').trim());
  return pidAlive(pid) ? pid : undefined;
}

/** One stack per data directory: refuses to start a second one. */
function assertNotRunning(dataDir: string): void {
  const other = runningSupervisor(dataDir);
  if (other) {
    throw new MlmonError('already_running', `a stack is already running from ${dataDir} (supervisor pid ${other})`, {
      hint: 'use `mlmon status` to see it, `mlmon down` to stop it, or --data-dir for a second stack',
    });
  }
}

function supervisorLogger(logsDir: string) {
  mkdirSync(logsDir, { recursive: true });
  return pino({ base: { logger: 'supervisor' } }, pino.destination({ dest: join(logsDir, 'supervisor.log'), sync: true, mkdir: true }));
}

/** Renders and validates the config, then starts and supervises the stack.
 * Resolves with the supervisor once every component is ready. */
export async function startStack(s: StackSettings, say: (line: string) => void): Promise<Supervisor> {
  const p = stackPaths(s.dataDir);
  assertNotRunning(s.dataDir);
  mkdirSync(p.dataDir, { recursive: true });
  say(`rendering configuration into ${p.runDir}`);
  const { checks, notifications } = await prepareRunDir(s, p);
  say(`configuration valid (${checks.length} checks passed)`);
  say(notifications);
  const sup = new Supervisor(s, p, processSpecs(s, p), supervisorLogger(p.logsDir), { say });
  say(`starting ${s.components.join(', ')}`);
  await sup.start();
  return sup;
}

export function servicesTable(state: Pick<StackState, 'components'>, live?: Map<string, boolean>): string {
  return formatTable(
    ['SERVICE', 'URL', 'STATE', 'PID', 'RESTARTS'],
    state.components.map((c) => [
      c.name,
      c.url,
      live ? (live.get(c.name) ? 'healthy' : c.state === 'healthy' ? 'unhealthy' : c.state) : c.state,
      c.pid ? String(c.pid) : '-',
      String(c.restarts),
    ]),
  );
}

/** Live health of every component of a state, probed now. */
export async function probeComponents(state: StackState): Promise<Map<string, boolean>> {
  const entries = await Promise.all(
    state.components.map(async (c) => {
      try {
        const res = await fetch(c.readyUrl, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return [c.name, res.ok] as const;
      } catch {
        return [c.name, false] as const;
      }
    }),
  );
  return new Map(entries);
}

/** Starts `mlmon up` in the background and waits until it is ready or failed. */
export async function startDetached(
  s: StackSettings,
  argv: string[],
  say: (line: string) => void,
  timeoutMs = 180_000,
): Promise<StackState> {
  const p = stackPaths(s.dataDir);
  assertNotRunning(s.dataDir);
  mkdirSync(p.logsDir, { recursive: true });
  rmSync(p.stateFile, { force: true });
  const out = join(p.logsDir, 'supervisor.out');
  const fd = openSync(out, 'a');
  const child = spawn(process.execPath, [mlmonBin, 'up', ...argv.filter((a) => a !== '--detach' && a !== '-d')], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  child.unref();
  const t0 = Date.now();
  let lastSay = 0;
  for (;;) {
    const st = readState(p.stateFile);
    if (st && st.supervisorPid === child.pid && st.phase === 'running') return st;
    if (st && st.supervisorPid === child.pid && st.phase === 'failed') {
      throw new MlmonError('start_failed', st.error ?? 'the stack failed to start', { hint: `see ${out}` });
    }
    if (!pidAlive(child.pid)) {
      const tail = existsSync(out) ? readFileSync(out, 'utf8').trimEnd().split('\n').slice(-15).join('\n') : '';
      throw new MlmonError('start_failed', `the stack exited during start:\n${tail}`, { hint: `see ${out}` });
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new MlmonError('start_timeout', `the stack was not ready after ${timeoutMs / 1000}s`, {
        hint: `see ${out}; stop it with mlmon down`,
      });
    }
    if (Date.now() - lastSay > 5000) {
      const waiting = st?.components.filter((c) => c.state !== 'healthy').map((c) => c.name) ?? [];
      say(`starting... ${((Date.now() - t0) / 1000).toFixed(0)}s${waiting.length ? ` (waiting for ${waiting.join(', ')})` : ''}`);
      lastSay = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops the stack of a data directory. Returns false when nothing was running. */
export async function stopStack(dataDir: string, say: (line: string) => void, timeoutMs = 30_000): Promise<boolean> {
  const p = stackPaths(dataDir);
  const pid = runningSupervisor(dataDir);
  if (pid) {
    say(`stopping the stack (supervisor pid ${pid})`);
    process.kill(pid, 'SIGTERM');
    const t0 = Date.now();
    while (pidAlive(pid)) {
      if (Date.now() - t0 > timeoutMs) {
        say(`supervisor did not stop within ${timeoutMs / 1000}s; killing it and its children`);
        process.kill(pid, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Children left by a supervisor that was itself killed: stop those whose pid
  // still runs the program we recorded (a reused pid is left alone).
  const st = readState(p.stateFile);
  let orphans = 0;
  for (const c of st?.components ?? []) {
    if (!c.pid || !pidAlive(c.pid)) continue;
    const cmd = pidCommandLine(c.pid);
    if (!cmd || !cmd.includes(c.program.split('/').pop() ?? c.program)) continue;
    orphans += 1;
    say(`stopping orphaned ${c.name} (pid ${c.pid})`);
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    const t0 = Date.now();
    while (pidAlive(c.pid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    if (pidAlive(c.pid))
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  }
  rmSync(p.supervisorPidFile, { force: true });
  return Boolean(pid) || orphans > 0;
}

/** Re-renders and validates the config, then reloads Prometheus, Alertmanager
 * and the blackbox exporter in place. A bad config is refused (MlmonError) and
 * the running configuration stays in force. */
export async function reloadStack(dataDir: string, say: (line: string) => void): Promise<void> {
  const st = readState(stackPaths(dataDir).stateFile);
  if (!st || !runningSupervisor(dataDir)) {
    throw new MlmonError('not_running', `no stack is running from ${dataDir}`, { hint: 'start one with `mlmon up`' });
  }
  const s = st.settings;
  const { checks } = await prepareRunDir(s, stackPaths(s.dataDir), { reload: true });
  say(`configuration valid (${checks.length} checks passed); reloading`);
  const targets = [
    ['prometheus', `http://${s.host}:${s.ports.prometheus}/-/reload`],
    ['alertmanager', `http://${s.host}:${s.ports.alertmanager}/-/reload`],
    ['blackbox-exporter', `http://${s.host}:${s.ports['blackbox-exporter']}/-/reload`],
  ] as const;
  for (const [name, url] of targets) {
    if (!s.components.includes(name)) continue;
    const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    const body = (await res.text()).trim();
    if (!res.ok) throw new MlmonError('reload_failed', `${name} refused the reload (HTTP ${res.status}): ${body}`);
    say(`  reloaded ${name}`);
  }
}
