import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { MlmonError } from '../errors.js';
import { mlmonBin } from '../paths.js';
import { processSpecs } from './components.js';
import { prepareRunDir } from './rundir.js';
import {
  PROTECTED_COMPONENTS,
  stackPaths,
  withDotEnv,
  type ComponentName,
  type StackPaths,
  type StackSettings,
} from '../definition/index.js';
import { pidAlive, pidCommandLine, readState, type ComponentStatus, type StackState } from '../definition/index.js';
import { authHeaders, ensureAdminCredentials, readAdminCredentials, trustCertificate, type BasicCredentials } from '../upstream/index.js';
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

/** Components recorded in state.json whose process still lives although no
 * supervisor does (it was killed). `own`: the pid still runs the recorded
 * program with this data directory on its command line, so it is ours to stop;
 * `unproven`: the pid runs the program but nothing ties it to this data directory. */
export function orphansOf(dataDir: string): { own: ComponentStatus[]; unproven: ComponentStatus[] } {
  const p = stackPaths(dataDir);
  const st = readState(p.stateFile);
  const own: ComponentStatus[] = [];
  const unproven: ComponentStatus[] = [];
  for (const c of st?.components ?? []) {
    if (!c.pid || !pidAlive(c.pid)) continue;
    const cmd = pidCommandLine(c.pid);
    if (!cmd || !cmd.includes(c.program.split('/').pop() ?? c.program)) continue;
    (cmd.includes(p.dataDir) ? own : unproven).push(c);
  }
  return { own, unproven };
}

async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
  }
  const t0 = Date.now();
  while (pidAlive(pid) && Date.now() - t0 < graceMs) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
}

/** Before a start: the processes a killed supervisor left behind are stopped
 * when they are provably this stack's, and the start is refused (naming them)
 * when they are not. Nothing is written before this check, so the state file
 * that records them survives a refused start and `mlmon down` still finds them. */
async function cleanOrphans(dataDir: string, say: (line: string) => void): Promise<void> {
  const { own, unproven } = orphansOf(dataDir);
  if (unproven.length > 0) {
    throw new MlmonError(
      'orphans_running',
      `processes recorded by an earlier stack of ${dataDir} still run: ${unproven.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`,
      { hint: `check them with \`ps -p ${unproven.map((c) => c.pid).join(',')} -o pid,args\`, stop them, then start again` },
    );
  }
  for (const c of own) {
    say(`stopping ${c.name} (pid ${c.pid}) left running by a supervisor that was killed`);
    await stopPid(c.pid!);
  }
}

/** The data directory and what every process of the stack writes stay private:
 * the folder is 0700 (owned by this user), and the umask the children inherit
 * keeps their files owner-only (TSDB, logs, inference events, notifications). */
function makePrivate(p: StackPaths): void {
  mkdirSync(p.dataDir, { recursive: true, mode: 0o700 });
  const st = statSync(p.dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new MlmonError('foreign_data_dir', `${p.dataDir} is owned by uid ${st.uid}, not by this user (uid ${uid})`, {
      hint: 'use a data directory of your own (--data-dir)',
    });
  }
  chmodSync(p.dataDir, 0o700);
  process.umask(0o077);
}

/** The admin credentials of the protected programs (made on first start, or
 * from MLMON_ADMIN_USER/MLMON_ADMIN_PASSWORD in the environment or .env), recorded in the settings. */
function provideAccess(s: StackSettings, p: StackPaths): BasicCredentials {
  const env = withDotEnv(join(dirname(s.configDir), '.env'));
  const tls = s.access?.tls;
  for (const f of tls ? [tls.certFile, tls.keyFile] : []) {
    if (!existsSync(f))
      throw new MlmonError('missing_tls_file', `${f} does not exist`, { hint: 'check --tls-cert-file and --tls-key-file' });
  }
  const files = ensureAdminCredentials(p.secretsDir, env, tls);
  s.access = { username: files.username, passwordFile: files.passwordFile, webConfigFile: files.webConfigFile, ...(tls ? { tls } : {}) };
  trustCertificate(tls?.certFile);
  const creds = readAdminCredentials(p.secretsDir);
  if (!creds) throw new MlmonError('no_credentials', `cannot read back ${files.passwordFile}`);
  return creds;
}

function supervisorLogger(logsDir: string) {
  mkdirSync(logsDir, { recursive: true });
  return pino({ base: { logger: 'supervisor' } }, pino.destination({ dest: join(logsDir, 'supervisor.log'), sync: true, mkdir: true }));
}

/** Renders and validates the config, then starts and supervises the stack.
 * Resolves with the supervisor once every component is ready. `onSupervisor`
 * gets it before the first process starts, so a Ctrl-C during the start can
 * already stop what has been started. */
export async function startStack(
  s: StackSettings,
  say: (line: string) => void,
  onSupervisor: (sup: Supervisor) => void = () => undefined,
): Promise<Supervisor> {
  const p = stackPaths(s.dataDir);
  assertNotRunning(s.dataDir);
  await cleanOrphans(s.dataDir, say);
  makePrivate(p);
  const creds = provideAccess(s, p);
  mkdirSync(dirname(p.pushgatewayFile), { recursive: true });
  say(`rendering configuration into ${p.runDir}`);
  const { checks, notifications } = await prepareRunDir(s, p);
  say(`configuration valid (${checks.length} checks passed)`);
  say(notifications);
  const sup = new Supervisor(s, p, processSpecs(s, p, creds), supervisorLogger(p.logsDir), { say });
  onSupervisor(sup);
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

/** Where the credentials of a stack are, for people: one line under the services table. */
export function credentialsHint(state: Pick<StackState, 'settings'>): string {
  const a = state.settings.access;
  if (!a) return '';
  return `The console, Prometheus, Alertmanager, the Pushgateway and the node and blackbox exporters ask for a login: user "${a.username}", password in ${a.passwordFile} (cat it to log in from a browser)`;
}

/** The \`auth\` object of a component in \`mlmon status --json\`: where its
 * credentials are, never the secret itself. */
export function authOf(state: Pick<StackState, 'settings'>, component: string): { username: string; passwordFile: string } | undefined {
  const a = state.settings.access;
  // The console asks for the same login as the programs behind it.
  if (!a || ![...PROTECTED_COMPONENTS, 'console'].includes(component as ComponentName)) return undefined;
  return { username: a.username, passwordFile: a.passwordFile };
}

/** How long one health probe of `mlmon status` waits for an answer. */
const PROBE_TIMEOUT_MS = 3000;

/** Live health of every component of a state, probed now (with the stack's credentials). */
export async function probeComponents(state: StackState): Promise<Map<string, boolean>> {
  trustCertificate(state.settings.access?.tls?.certFile);
  const creds = state.settings.access ? readAdminCredentials(stackPaths(state.settings.dataDir).secretsDir) : undefined;
  const probe = async (url: string, headers: Record<string, string>): Promise<boolean | 'timeout'> => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), headers });
      await res.arrayBuffer();
      return res.ok;
    } catch (e) {
      return (e as Error).name === 'TimeoutError' ? 'timeout' : false;
    }
  };
  const entries = await Promise.all(
    state.components.map(async (c) => {
      const headers = authOf(state, c.name) ? authHeaders(creds) : {};
      // A busy machine can hold one answer back (a TLS handshake and a bcrypt
      // check per new connection); a component is unhealthy when it refuses, or
      // when it misses two deadlines in a row.
      let ok = await probe(c.readyUrl, headers);
      if (ok === 'timeout') ok = await probe(c.readyUrl, headers);
      return [c.name, ok === true] as const;
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
  await cleanOrphans(s.dataDir, say);
  makePrivate(p);
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
  const { own, unproven } = orphansOf(dataDir);
  let orphans = 0;
  for (const c of [...own, ...unproven]) {
    orphans += 1;
    say(`stopping orphaned ${c.name} (pid ${c.pid})`);
    await stopPid(c.pid!);
  }
  rmSync(p.supervisorPidFile, { force: true });
  return Boolean(pid) || orphans > 0;
}

/** What each reloadable program reports about its last reload (its own metrics). */
const RELOAD_METRICS = {
  prometheus: 'prometheus_config_last_reload',
  alertmanager: 'alertmanager_config_last_reload',
  'blackbox-exporter': 'blackbox_exporter_config_last_reload',
} as const;
type Reloadable = keyof typeof RELOAD_METRICS;

/** `<prefix>_successful` and `<prefix>_success_timestamp_seconds` from a /metrics page. */
export function reloadStatusOf(metricsText: string, prefix: string): { ok: boolean; at: number } | undefined {
  const ok = new RegExp(`^${prefix}_successful(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metricsText);
  const at = new RegExp(`^${prefix}_success_timestamp_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metricsText);
  if (!ok || !at) return undefined;
  return { ok: Number(ok[1]) === 1, at: Number(at[1]) };
}

async function reloadStatus(
  url: string,
  prefix: string,
  headers: Record<string, string>,
): Promise<{ ok: boolean; at: number } | undefined> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
    return res.ok ? reloadStatusOf(await res.text(), prefix) : undefined;
  } catch {
    return undefined;
  }
}

/** SIGHUP to one program (after checking its pid still runs it from this data
 * directory), then waits until its metrics show a reload newer than before.
 * Returns the problem, or undefined when it reloaded. */
async function reloadOne(
  state: StackState,
  name: Reloadable,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<string | undefined> {
  const c = state.components.find((x) => x.name === name);
  const dataDir = stackPaths(state.settings.dataDir).dataDir;
  if (!c?.pid || !pidAlive(c.pid)) return `${name} is not running`;
  const cmd = pidCommandLine(c.pid) ?? '';
  if (!cmd.includes(c.program.split('/').pop() ?? c.program) || !cmd.includes(dataDir)) return `${name}: pid ${c.pid} no longer runs it`;
  const url = c.url.replace(/\/+$/, '').replace(/\/metrics$/, '') + '/metrics';
  const before = await reloadStatus(url, RELOAD_METRICS[name], headers);
  process.kill(c.pid, 'SIGHUP');
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const now = await reloadStatus(url, RELOAD_METRICS[name], headers);
    if (now && (!before || now.at > before.at)) return undefined;
    if (now && before && !now.ok) return `${name} refused the new configuration (see its log: ${c.logFile})`;
    await new Promise((r) => setTimeout(r, 200));
  }
  return `${name} did not confirm the reload within ${timeoutMs / 1000}s (hung or overloaded? it reloads when it resumes; see \`mlmon status\`)`;
}

/** Re-renders and validates the config, then reloads Prometheus, Alertmanager
 * and the blackbox exporter in place with SIGHUP (none of them has an HTTP
 * lifecycle endpoint open). All three are signalled together, so one that hangs
 * does not keep the others on the old configuration; each must confirm the
 * reload through its own metrics. A bad config is refused (MlmonError) and the
 * running configuration stays in force. */
export async function reloadStack(dataDir: string, say: (line: string) => void, timeoutMs = 15_000): Promise<void> {
  const st = readState(stackPaths(dataDir).stateFile);
  if (!st || !runningSupervisor(dataDir)) {
    throw new MlmonError('not_running', `no stack is running from ${dataDir}`, { hint: 'start one with `mlmon up`' });
  }
  const s = st.settings;
  trustCertificate(s.access?.tls?.certFile);
  const { checks } = await prepareRunDir(s, stackPaths(s.dataDir), { reload: true });
  say(`configuration valid (${checks.length} checks passed); reloading`);
  const headers = authHeaders(s.access ? readAdminCredentials(stackPaths(s.dataDir).secretsDir) : undefined);
  const names = (Object.keys(RELOAD_METRICS) as Reloadable[]).filter((n) => s.components.includes(n));
  const outcomes = await Promise.all(names.map(async (n) => [n, await reloadOne(st, n, headers, timeoutMs)] as const));
  for (const [n, problem] of outcomes) if (!problem) say(`  reloaded ${n}`);
  const problems = outcomes.filter(([, p]) => p).map(([, p]) => p!);
  if (problems.length > 0) {
    throw new MlmonError('reload_failed', problems.join('; '), {
      hint: 'the new configuration is in place; the others run it',
    });
  }
}
