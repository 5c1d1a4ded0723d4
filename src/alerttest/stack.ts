/** The running stack as the alert tests see it: URLs and pids from its
 * state.json, and the few API calls the checks need. The only module here that
 * talks to Prometheus, Alertmanager, the sink's records and processes. */
import { MlmonError } from '../errors.js';
import { readNotifications, type NotificationRecord } from '../sink/index.js';
import { stackPaths, urlOf, type StackSettings } from '../definition/index.js';
import { pidAlive, pidCommandLine, readState } from '../definition/index.js';

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
}

export interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface StackTarget {
  settings: StackSettings;
  prometheus: string;
  alertmanager: string;
  gateway: string;
  sinkDir: string;
  /** Pid of a component as recorded now (the supervisor rewrites it on restart). */
  pidOf(component: string): number | undefined;
}

/** Reads state.json of a stack; says what to do when there is none running. */
export function targetFromDataDir(dataDir: string): StackTarget {
  const p = stackPaths(dataDir);
  const first = readState(p.stateFile);
  if (!first || !pidAlive(first.supervisorPid)) {
    throw new MlmonError('no_stack', `no stack is running from ${p.dataDir}`, {
      location: p.stateFile,
      hint: 'Start one with `mlmon up --detach --profile test`, or let `mlmon test-alerts --start` run its own.',
    });
  }
  const s = first.settings;
  return {
    settings: s,
    prometheus: urlOf(s, 'prometheus'),
    alertmanager: urlOf(s, 'alertmanager'),
    gateway: urlOf(s, 'inference-gateway'),
    sinkDir: p.sinkDir,
    pidOf(component) {
      const c = readState(p.stateFile)?.components.find((x) => x.name === component);
      return c?.pid ?? undefined;
    },
  };
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (!res.ok) throw new MlmonError('http_failed', `HTTP ${res.status}: ${text.slice(0, 200)}`, { location: url });
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function prometheusAlerts(t: StackTarget): Promise<PromAlert[]> {
  const body = await getJson<{ data: { alerts: PromAlert[] } }>(`${t.prometheus}/api/v1/alerts`);
  return body.data.alerts;
}

/** One instant query; the value of the first sample or undefined. */
export async function queryValue(t: StackTarget, promql: string): Promise<number | undefined> {
  const u = new URL(`${t.prometheus}/api/v1/query`);
  u.searchParams.set('query', promql);
  const body = await getJson<{ data: { result: Array<{ value: [number, string] }> } }>(u.toString());
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/** Every alert Alertmanager holds, suppressed ones included. */
export async function alertmanagerAlerts(t: StackTarget): Promise<AmAlert[]> {
  return getJson<AmAlert[]>(`${t.alertmanager}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
}

export async function createSilence(t: StackTarget, labels: Record<string, string>, minutes: number, comment: string): Promise<string> {
  const now = Date.now();
  const body = {
    matchers: Object.entries(labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + minutes * 60_000).toISOString(),
    createdBy: 'mlmon test-alerts',
    comment,
  };
  const res = await getJson<{ silenceID: string }>(`${t.alertmanager}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.silenceID;
}

export async function expireSilence(t: StackTarget, id: string): Promise<void> {
  await getJson<unknown>(`${t.alertmanager}/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function notificationsSince(t: StackTarget, sinceMs: number): Promise<NotificationRecord[]> {
  return readNotifications(t.sinkDir, { sinceMs });
}

/** SIGSTOP / SIGCONT a component of the stack, after making sure the recorded
 * pid still runs the program the supervisor started (pids get reused). */
export function signalComponent(t: StackTarget, component: string, signal: 'SIGSTOP' | 'SIGCONT'): number {
  const pid = t.pidOf(component);
  if (!pid || !pidAlive(pid)) {
    throw new MlmonError('component_not_running', `${component} is not running`, { hint: 'Check `mlmon status`.' });
  }
  const cmd = pidCommandLine(pid) ?? '';
  if (!cmd.includes('mlmon')) {
    throw new MlmonError('pid_mismatch', `pid ${pid} recorded for ${component} runs "${cmd}", not mlmon`, {
      hint: 'The state file is stale; restart the stack.',
    });
  }
  process.kill(pid, signal);
  return pid;
}
