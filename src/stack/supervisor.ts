import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { MlmonError } from '../errors.js';
import { portIsFree, waitForHttp } from '../net.js';
import type { ProcessSpec } from './components.js';
import type { StackPaths, StackSettings } from '../definition/index.js';
import { writeState, type ComponentStatus, type StackPhase, type StackState } from '../definition/index.js';
import { findProgram } from '../definition/index.js';

interface Managed {
  spec: ProcessSpec;
  program: string;
  child: ChildProcess | null;
  status: ComponentStatus;
  consecutiveFailures: number;
  startedMs: number;
  restartTimer: NodeJS.Timeout | null;
  exited: Promise<void> | null;
}

export interface SupervisorOptions {
  /** How long a component may take to become ready at start. */
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL when stopping. */
  stopTimeoutMs?: number;
  /** Restart backoff: first delay, doubled per consecutive failure, capped. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A child that ran this long before dying starts its backoff afresh. */
  stableAfterMs?: number;
  /** Human progress lines (the CLI prints them). */
  say?: (line: string) => void;
}

/** The last lines of a log file, for error messages. */
export function tailFile(path: string, lines = 8): string {
  if (!existsSync(path)) return '(no log)';
  const text = readFileSync(path, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/** Starts the stack's processes, waits until each is ready, restarts a child
 * that dies (with exponential backoff), and stops them all on request.
 * Children run in their own process groups so that a Ctrl-C reaches only the
 * supervisor, which then stops them in order and leaves no orphan. */
export class Supervisor {
  private readonly managed: Managed[] = [];
  private phase: StackPhase = 'starting';
  private error: string | null = null;
  private readonly startedAt = new Date().toISOString();
  private readonly opts: Required<SupervisorOptions>;

  constructor(
    private readonly settings: StackSettings,
    private readonly paths: StackPaths,
    specs: ProcessSpec[],
    private readonly log: Logger,
    opts: SupervisorOptions = {},
  ) {
    this.opts = {
      readyTimeoutMs: opts.readyTimeoutMs ?? 90_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
      backoffInitialMs: opts.backoffInitialMs ?? 1_000,
      backoffMaxMs: opts.backoffMaxMs ?? 30_000,
      stableAfterMs: opts.stableAfterMs ?? 60_000,
      say: opts.say ?? (() => {}),
    };
    for (const spec of specs) {
      this.managed.push({
        spec,
        program: '',
        child: null,
        consecutiveFailures: 0,
        startedMs: 0,
        restartTimer: null,
        exited: null,
        status: {
          name: spec.name,
          state: 'stopped',
          pid: null,
          program: spec.candidates[0] ?? '',
          url: spec.url,
          readyUrl: spec.readyUrl,
          description: spec.description,
          logFile: spec.logFile,
          restarts: 0,
          startedAt: null,
          lastExit: null,
          ...(spec.auth ? { auth: spec.auth } : {}),
        },
      });
    }
  }

  state(): StackState {
    return {
      supervisorPid: process.pid,
      phase: this.phase,
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      error: this.error,
      settings: this.settings,
      components: this.managed.map((m) => ({ ...m.status })),
    };
  }

  private persist(): void {
    try {
      writeState(this.paths.stateFile, this.state());
    } catch (e) {
      this.log.error({ err: e }, 'cannot write state file');
    }
  }

  /** Fails fast, before anything starts, on a missing program or a busy port. */
  private async preflight(): Promise<void> {
    const missing: string[] = [];
    for (const m of this.managed) {
      const program = findProgram(m.spec.candidates);
      if (!program) missing.push(`${m.spec.name} (${m.spec.candidates.join(' or ')})`);
      else {
        m.program = program;
        m.status.program = program;
      }
    }
    if (missing.length > 0) {
      throw new MlmonError('missing_program', `programs not found on PATH: ${missing.join(', ')}`, {
        hint: 'run `bash scripts/setup.sh` to install them',
      });
    }
    const busy: string[] = [];
    for (const m of this.managed) {
      for (const port of m.spec.ports) {
        if (!(await portIsFree(port, this.settings.host))) busy.push(`${this.settings.host}:${port} (${m.spec.name})`);
      }
    }
    if (busy.length > 0) {
      throw new MlmonError('port_busy', `port already in use: ${busy.join(', ')}`, {
        hint: 'stop what holds it (`mlmon status` / `mlmon down` if it is another mlmon stack) or choose another port with --port NAME=PORT',
      });
    }
  }

  private spawnChild(m: Managed): void {
    mkdirSync(dirname(m.spec.logFile), { recursive: true });
    const fd = openSync(m.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(m.program, m.spec.args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...(m.spec.env ?? {}) },
      });
    } finally {
      closeSync(fd);
    }
    m.child = child;
    m.startedMs = Date.now();
    m.status.pid = child.pid ?? null;
    m.status.state = 'starting';
    m.status.startedAt = new Date().toISOString();
    this.log.info({ component: m.spec.name, pid: child.pid, program: m.program }, 'started');
    m.exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error) => {
        if (done) return;
        done = true;
        this.onExit(m, code, signal, err);
        resolve();
      };
      child.once('error', (err) => finish(null, null, err));
      child.once('exit', (code, signal) => finish(code, signal));
    });
  }

  private onExit(m: Managed, code: number | null, signal: NodeJS.Signals | null, err?: Error): void {
    const ranMs = Date.now() - m.startedMs;
    const how = err ? `spawn error: ${err.message}` : signal ? `signal ${signal}` : `exit code ${code}`;
    m.child = null;
    m.status.pid = null;
    m.status.lastExit = `${how} at ${new Date().toISOString()}`;
    if (this.phase === 'stopping' || this.phase === 'stopped') {
      m.status.state = 'stopped';
      this.log.info({ component: m.spec.name, exit: how }, 'stopped');
      this.persist();
      return;
    }
    if (ranMs >= this.opts.stableAfterMs) m.consecutiveFailures = 0;
    m.consecutiveFailures += 1;
    const delay = Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (m.consecutiveFailures - 1));
    m.status.state = 'restarting';
    m.status.restarts += 1;
    this.log.warn(
      { component: m.spec.name, exit: how, ranMs, restart: m.status.restarts, delayMs: delay },
      'component exited; restarting with backoff',
    );
    this.opts.say(
      `${m.spec.name} exited (${how}) after ${(ranMs / 1000).toFixed(1)}s; restart #${m.status.restarts} in ${(delay / 1000).toFixed(0)}s (log: ${m.spec.logFile})`,
    );
    this.persist();
    m.restartTimer = setTimeout(() => {
      m.restartTimer = null;
      if (this.phase !== 'running' && this.phase !== 'starting') return;
      this.spawnChild(m);
      this.persist();
      void this.watchReady(m, this.opts.readyTimeoutMs);
    }, delay);
  }

  private async watchReady(m: Managed, timeoutMs: number): Promise<boolean> {
    const pid = m.status.pid;
    const ctl = new AbortController();
    const res = await Promise.race([
      waitForHttp(m.spec.readyUrl, timeoutMs, { signal: ctl.signal, ...(m.spec.readyHeaders ? { headers: m.spec.readyHeaders } : {}) }),
      m.exited!.then(() => ({ ok: false, detail: 'exited' })),
    ]);
    ctl.abort();
    if (res.ok && m.status.pid === pid && m.child) {
      m.status.state = 'healthy';
      this.log.info({ component: m.spec.name, pid, readyMs: Date.now() - m.startedMs }, 'ready');
      this.persist();
      if (m.status.restarts > 0) this.opts.say(`${m.spec.name} is back (pid ${pid})`);
      return true;
    }
    return false;
  }

  /** Starts every component and resolves once all are ready; throws (after
   * stopping what it started) when one cannot start. */
  async start(): Promise<void> {
    this.phase = 'starting';
    mkdirSync(this.paths.logsDir, { recursive: true });
    writeFileSync(this.paths.supervisorPidFile, `${process.pid}\n`);
    this.persist();
    try {
      await this.preflight();
    } catch (e) {
      this.fail((e as Error).message);
      throw e;
    }
    // Stopped during the preflight: start nothing.
    if (this.stoppedByRequest()) return;
    const t0 = Date.now();
    for (const m of this.managed) this.spawnChild(m);
    this.persist();
    const pending = new Set(this.managed.map((m) => m.spec.name));
    const ticker = setInterval(() => {
      if (pending.size > 0) this.opts.say(`waiting for ${[...pending].join(', ')} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
    }, 5000);
    try {
      const outcomes = await Promise.all(
        this.managed.map(async (m) => {
          const ok = await this.watchReady(m, this.opts.readyTimeoutMs);
          pending.delete(m.spec.name);
          if (ok) this.opts.say(`  ready  ${m.spec.name.padEnd(18)} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
          return { m, ok };
        }),
      );
      // Stopped while starting (a Ctrl-C): not a failure to report, whoever stopped it reports.
      if (this.stoppedByRequest()) return;
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length > 0) {
        const why = failed
          .map(
            ({ m }) =>
              `${m.spec.name} did not become ready at ${m.spec.readyUrl}` +
              `${m.status.lastExit ? ` (${m.status.lastExit})` : ''}; last log lines of ${m.spec.logFile}:\n${tailFile(m.spec.logFile).replace(/^/gm, '    ')}`,
          )
          .join('\n');
        this.error = why;
        await this.stop();
        this.phase = 'failed';
        this.persist();
        throw new MlmonError('start_failed', `the stack did not start:\n${why}`);
      }
    } finally {
      clearInterval(ticker);
    }
    this.phase = 'running';
    this.persist();
    this.log.info({ ms: Date.now() - t0 }, 'stack ready');
  }

  /** True once stop() was called; read after every await of start(). */
  private stoppedByRequest(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped';
  }

  private fail(message: string): void {
    this.phase = 'failed';
    this.error = message;
    this.persist();
    rmSync(this.paths.supervisorPidFile, { force: true });
  }

  /** Stops every child: SIGTERM to its process group, SIGKILL after the grace period. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopping';
    this.persist();
    for (const m of this.managed) {
      if (m.restartTimer) clearTimeout(m.restartTimer);
      m.restartTimer = null;
    }
    await Promise.all(
      this.managed.map(async (m) => {
        const child = m.child;
        if (!child || child.pid === undefined) {
          m.status.state = 'stopped';
          return;
        }
        m.status.state = 'stopping';
        signalGroup(child.pid, 'SIGTERM');
        const killer = setTimeout(() => {
          this.log.warn({ component: m.spec.name }, 'did not stop in time; SIGKILL');
          signalGroup(child.pid!, 'SIGKILL');
        }, this.opts.stopTimeoutMs);
        await m.exited;
        clearTimeout(killer);
      }),
    );
    this.phase = 'stopped';
    this.persist();
    rmSync(this.paths.supervisorPidFile, { force: true });
    this.log.info('stack stopped');
  }

  /** Last resort when the supervisor itself is dying: kill every child now. */
  killAllNow(): void {
    for (const m of this.managed) if (m.child?.pid) signalGroup(m.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
