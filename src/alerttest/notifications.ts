/** Reading what a recorded notification is about, whatever the protocol. Pure. */
import type { NotificationRecord } from '../sink/index.js';
import type { AlertRef, Delivery, QuietRule } from './scenarios.js';

export interface NotificationSubject {
  alertname: string | undefined;
  service: string | undefined;
  status: 'firing' | 'resolved' | undefined;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `[FIRING:2] CRITICAL ServiceDown (inference-gateway)`: the title every
 * mlmon template starts with (config/alertmanager/templates/common.tmpl). */
export function parseTitle(title: string): NotificationSubject {
  const m = /^\[(FIRING|RESOLVED)(?::\d+)?\]\s+(?:(?:CRITICAL|WARNING|INFO)\s+)?([A-Za-z_][A-Za-z0-9_+]*)(?:\s+\(([^)]+)\))?/.exec(
    title.trim(),
  );
  if (!m) return { alertname: undefined, service: undefined, status: undefined };
  return { alertname: m[2], service: m[3], status: m[1] === 'FIRING' ? 'firing' : 'resolved' };
}

/** Alert name, service and status of a notification. PagerDuty events carry
 * them as class/component/event_action (see the pagerduty_configs we render);
 * webhooks carry the group labels; Slack and email carry the title. */
export function subjectOf(r: NotificationRecord): NotificationSubject {
  const p = asRecord(r.payload);
  if (r.integration === 'pagerduty') {
    const inner = asRecord(p.payload);
    const action = str(p.event_action);
    return {
      alertname: str(inner.class),
      service: str(inner.component),
      status: action === 'resolve' ? 'resolved' : action === 'trigger' ? 'firing' : undefined,
    };
  }
  if (r.integration === 'webhook') {
    const group = asRecord(p.groupLabels);
    const common = asRecord(p.commonLabels);
    const status = str(p.status);
    return {
      alertname: str(group.alertname) ?? str(common.alertname),
      service: str(group.service) ?? str(common.service),
      status: status === 'firing' || status === 'resolved' ? status : undefined,
    };
  }
  return parseTitle(r.summary);
}

/** A notification of a group holding several alerts (the page of a service) names
 * them all, joined by "+" (the mlmon.alertnames template). */
function names(alertname: string | undefined, wanted: string): boolean {
  return alertname !== undefined && alertname.split('+').includes(wanted);
}

export function matchesDelivery(r: NotificationRecord, d: Delivery): boolean {
  if (r.integration !== d.integration) return false;
  if (d.channel !== undefined && r.channel !== d.channel) return false;
  const s = subjectOf(r);
  if (!names(s.alertname, d.alertname) || s.status !== d.status) return false;
  return d.service === undefined || s.service === d.service;
}

export function breaksQuiet(r: NotificationRecord, q: QuietRule): boolean {
  if (q.integration !== undefined && r.integration !== q.integration) return false;
  if (q.channel !== undefined && r.channel !== q.channel) return false;
  const s = subjectOf(r);
  if (q.alertname !== undefined && !names(s.alertname, q.alertname)) return false;
  if (q.service !== undefined && s.service !== q.service) return false;
  return q.status === undefined || s.status === q.status;
}

export function labelsMatch(labels: Record<string, string>, ref: AlertRef): boolean {
  if (labels.alertname !== ref.alertname) return false;
  return Object.entries(ref.labels ?? {}).every(([k, v]) => labels[k] === v);
}

export function describeRef(ref: AlertRef): string {
  const extra = Object.entries(ref.labels ?? {}).map(([k, v]) => `${k}="${v}"`);
  return extra.length > 0 ? `${ref.alertname}{${extra.join(',')}}` : ref.alertname;
}

export function describeDelivery(d: Delivery): string {
  const where =
    d.integration === 'slack' && d.channel
      ? `Slack ${d.channel}`
      : d.integration === 'pagerduty'
        ? 'PagerDuty'
        : d.channel
          ? `${d.integration} ${d.channel}`
          : d.integration;
  return `${d.status} ${d.alertname}${d.service ? ` (${d.service})` : ''} at ${where}`;
}

export function describeNotification(r: NotificationRecord): string {
  const s = subjectOf(r);
  return `${r.integration} ${r.channel}: ${s.status ?? '?'} ${s.alertname ?? r.summary}${s.service ? ` (${s.service})` : ''} at ${r.time}`;
}
