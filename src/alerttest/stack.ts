/** The running stack as the alert tests see it: URLs and pids from its
 * state.json, and the few API calls the checks need. The only module here that
 * talks to Prometheus, Alertmanager, the sink's records and processes. */
import { MlmonError } from '../errors.js';
import { readNotifications, type NotificationRecord } from '../sink/index.js';
import { stackPaths, urlOf, type StackSettings } from '../definition/index.js';
import { pidAlive, pidCommandLine, readState } from '../definition/index.js';
import {
  AlertmanagerClient,
  PrometheusClient,
  readAdminCredentials,
  trustCertificate,
  type AmAlert,
  type PrometheusAlert as PromAlert,
} from '../upstream/index.js';

export type { AmAlert, PromAlert };

export interface StackTarget {
  settings: StackSettings;
  prometheus: string;
  alertmanager: string;
  gateway: string;
  sinkDir: string;
  /** Clients of the stack's Prometheus and Alertmanager, with its credentials. */
  prom: PrometheusClient;
  am: AlertmanagerClient;
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
  const auth = readAdminCredentials(p.secretsDir);
  trustCertificate(s.access?.tls?.certFile);
  return {
    prom: new PrometheusClient(urlOf(s, 'prometheus'), { auth, timeoutMs: 5000 }),
    am: new AlertmanagerClient(urlOf(s, 'alertmanager'), { auth, timeoutMs: 5000 }),
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

export function prometheusAlerts(t: StackTarget): Promise<PromAlert[]> {
  return t.prom.alerts();
}

/** One instant query; the value of the first sample or undefined. */
export function queryValue(t: StackTarget, promql: string): Promise<number | undefined> {
  return t.prom.value(promql);
}

/** Every alert Alertmanager holds, suppressed ones included. */
export function alertmanagerAlerts(t: StackTarget): Promise<AmAlert[]> {
  return t.am.alerts();
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
  return t.am.createSilence(body);
}

export async function expireSilence(t: StackTarget, id: string): Promise<void> {
  await t.am.expireSilence(id);
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
