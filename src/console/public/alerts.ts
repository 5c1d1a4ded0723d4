// Alerts from Alertmanager (silenced and inhibited ones marked), a silence
// button per alert, and the notifications the local sink received.
import type {
  AlertDisplayState,
  AlertsAnswer,
  AlertView,
  NotificationIntegration,
  NotificationsAnswer,
  NotificationView,
  SilenceAnswer,
  SilenceRequest,
} from '../api-types.js';
import { api, ApiError, dataTable, el, filterSelect, fmt, labelList, params, render, startPage } from './console.js';

/** The sink's integrations, each once (the compiler holds this to the API's list). */
const INTEGRATIONS = Object.keys({ slack: 1, pagerduty: 1, email: 1, webhook: 1 } satisfies Record<NotificationIntegration, 1>);
const SINCE_CHOICES = ['1h', '6h', '24h', '7d'];

let lastAlerts: AlertsAnswer | null = null;
let lastNotes: NotificationsAnswer | null = null;
let notesError: string | null = null;
let message: HTMLElement | null = null;

async function silence(alert: AlertView, duration: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const request: SilenceRequest = { labels: alert.labels, duration };
    const res = await api<SilenceAnswer>('/api/silences', { method: 'POST', body: JSON.stringify(request) });
    message = el(
      'div',
      { class: 'card', id: 'silence-result' },
      `Silenced ${alert.alertname} for ${duration} (until ${fmt.time(res.endsAt)}). `,
      el('a', { href: res.alertmanagerUrl, target: '_blank', rel: 'noopener' }, `silence ${res.silenceId}`),
    );
    await reload();
  } catch (e) {
    message = el(
      'div',
      { class: 'card hot', id: 'silence-result' },
      `The silence was not created: ${e instanceof Error ? e.message : String(e)}`,
    );
    view();
  } finally {
    button.disabled = false;
  }
}

function silenceControl(a: AlertView, durations: readonly string[]): HTMLElement {
  if (a.state === 'silenced') return el('span', { class: 'muted' }, `silenced by ${a.silencedBy.join(', ')}`);
  const select = el(
    'select',
    { 'aria-label': 'silence duration', class: 'silence-duration' },
    durations.map((d) => el('option', { value: d, selected: d === '1h' }, d)),
  );
  const button = el('button', { class: 'silence', onclick: () => void silence(a, select.value, button) }, 'Silence');
  return el('span', {}, select, ' ', button);
}

function alertsTable(d: AlertsAnswer): HTMLElement {
  if (d.alerts.length === 0) return el('p', { class: 'muted', id: 'alerts-empty' }, 'Alertmanager holds no alert.');
  return dataTable('alert-table', ['State', 'Severity', 'Alert', 'Labels', 'Since', 'Receivers', ''], d.alerts, (a) =>
    el(
      'tr',
      { 'data-fingerprint': a.fingerprint, 'data-alertname': a.alertname, 'data-state': a.state },
      el('td', {}, el('span', { class: `badge ${a.state}` }, a.state)),
      el('td', {}, el('span', { class: `badge ${a.severity}` }, a.severity)),
      el(
        'td',
        {},
        el('strong', {}, a.alertname),
        el('div', {}, a.summary),
        el(
          'div',
          {},
          a.consoleUrl ? el('a', { href: a.consoleUrl }, 'details') : null,
          a.consoleUrl && a.runbookUrl ? ' · ' : null,
          a.runbookUrl ? el('a', { href: a.runbookUrl, target: '_blank', rel: 'noopener' }, 'runbook') : null,
        ),
      ),
      el('td', {}, labelList(a.labels, ['alertname', 'severity'])),
      el('td', {}, fmt.time(a.startsAt)),
      el('td', {}, a.receivers.join(', ')),
      el('td', {}, silenceControl(a, d.silenceDurations)),
    ),
  );
}

function receiverOf(n: NotificationView): string {
  const receiver = n.payload && typeof n.payload === 'object' ? (n.payload as { receiver?: unknown }).receiver : undefined;
  return typeof receiver === 'string' ? receiver : '–';
}

function notesPart(notes: NotificationsAnswer | null): Array<HTMLElement> {
  const since = params().get('since') ?? '24h';
  const integration = params().get('integration') ?? '';
  const filters = el(
    'div',
    { class: 'filters' },
    filterSelect({
      label: 'Since',
      id: 'notes-since',
      param: 'since',
      choices: SINCE_CHOICES,
      current: since,
      changed: () => void refresh(),
    }),
    filterSelect({
      label: 'Integration',
      id: 'notes-integration',
      param: 'integration',
      choices: INTEGRATIONS,
      current: integration,
      all: true,
      changed: () => void refresh(),
    }),
  );
  if (notesError || !notes) return [filters, el('p', { class: 'hot', id: 'notes-error' }, notesError ?? 'no answer')];
  if (!notes.configured) return [filters, el('p', { class: 'muted' }, 'No notification sink configured (start the console with --sink).')];
  if (notes.notifications.length === 0)
    return [filters, el('p', { class: 'muted', id: 'notes-empty' }, `No notification received in the last ${since}.`)];
  return [
    filters,
    dataTable('notes-table', ['Time', 'Integration', 'Channel', 'Receiver', 'Status', 'Summary', 'Payload'], notes.notifications, (n) =>
      el(
        'tr',
        { 'data-id': n.id },
        el('td', {}, fmt.time(n.time)),
        el('td', {}, n.integration),
        el('td', {}, n.channel),
        el('td', {}, receiverOf(n)),
        el('td', {}, n.status ?? '–'),
        el('td', {}, n.summary),
        el('td', {}, el('details', {}, el('summary', {}, 'payload'), el('pre', {}, JSON.stringify(n.payload, null, 2)))),
      ),
    ),
  ];
}

function view(): void {
  if (!lastAlerts) return;
  const counts: Partial<Record<AlertDisplayState, number>> = { firing: 0, silenced: 0, inhibited: 0 };
  for (const a of lastAlerts.alerts) counts[a.state] = (counts[a.state] ?? 0) + 1;
  render(
    el('h1', {}, 'Alerts and notifications'),
    message,
    el(
      'h2',
      {},
      `Alertmanager: ${counts.firing} firing · ${counts.silenced} silenced · ${counts.inhibited} inhibited `,
      el('a', { href: lastAlerts.alertmanagerUrl, target: '_blank', rel: 'noopener' }, 'open Alertmanager'),
    ),
    alertsTable(lastAlerts),
    el('h2', {}, 'Notifications received by the local sink'),
    notesPart(lastNotes),
  );
}

async function reload(): Promise<string> {
  const since = params().get('since') ?? '24h';
  const integration = params().get('integration') ?? '';
  const q = new URLSearchParams({ since });
  if (integration) q.set('integration', integration);
  const [alerts, notes] = await Promise.all([
    api<AlertsAnswer>('/api/alerts'),
    api<NotificationsAnswer>(`/api/notifications?${q.toString()}`).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
  ]);
  lastAlerts = alerts;
  if (notes instanceof ApiError) {
    notesError = notes.message;
  } else if (notes instanceof Error) {
    throw notes;
  } else {
    notesError = null;
    lastNotes = notes;
  }
  view();
  return alerts.fetchedAt;
}

// Filter changes reload through the page loop, so a failure shows in the banner.
const refresh = startPage(reload);
