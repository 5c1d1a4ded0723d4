// Alerts from Alertmanager (silenced and inhibited ones marked), a silence
// button per alert, and the notifications the local sink received.
import { api, ApiError, el, fmt, labelList, params, render, setParam, startPage } from './console.js';

let lastAlerts = null;
let lastNotes = null;
let notesError = null;
let message = null;

async function silence(alert, duration, button) {
  button.disabled = true;
  try {
    const res = await api('/api/silences', { method: 'POST', body: JSON.stringify({ labels: alert.labels, duration }) });
    message = el(
      'div',
      { class: 'card', id: 'silence-result' },
      `Silenced ${alert.alertname} for ${duration} (until ${fmt.time(res.endsAt)}). `,
      el('a', { href: res.alertmanagerUrl, target: '_blank', rel: 'noopener' }, `silence ${res.silenceId}`),
    );
    await reload();
  } catch (e) {
    message = el('div', { class: 'card hot', id: 'silence-result' }, `The silence was not created: ${e.message}`);
    view();
  } finally {
    button.disabled = false;
  }
}

function silenceControl(a, durations) {
  if (a.state === 'silenced') return el('span', { class: 'muted' }, `silenced by ${a.silencedBy.join(', ')}`);
  const select = el(
    'select',
    { 'aria-label': 'silence duration', class: 'silence-duration' },
    durations.map((d) => el('option', { value: d, selected: d === '1h' }, d)),
  );
  const button = el('button', { class: 'silence', onclick: () => silence(a, select.value, button) }, 'Silence');
  return el('span', {}, select, ' ', button);
}

function alertsTable(d) {
  if (d.alerts.length === 0) return el('p', { class: 'muted', id: 'alerts-empty' }, 'Alertmanager holds no alert.');
  return el(
    'table',
    { id: 'alert-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['State', 'Severity', 'Alert', 'Labels', 'Since', 'Receivers', ''].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      d.alerts.map((a) =>
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
      ),
    ),
  );
}

function receiverOf(n) {
  return n.payload && typeof n.payload === 'object' && typeof n.payload.receiver === 'string' ? n.payload.receiver : '–';
}

function notesPart() {
  const since = params().get('since') ?? '24h';
  const integration = params().get('integration') ?? '';
  const filters = el(
    'div',
    { class: 'filters' },
    el(
      'label',
      {},
      'Since ',
      el(
        'select',
        {
          id: 'notes-since',
          onchange: (e) => {
            setParam('since', e.target.value);
            refresh();
          },
        },
        ['1h', '6h', '24h', '7d'].map((s) => el('option', { value: s, selected: s === since }, s)),
      ),
    ),
    el(
      'label',
      {},
      'Integration ',
      el(
        'select',
        {
          id: 'notes-integration',
          onchange: (e) => {
            setParam('integration', e.target.value);
            refresh();
          },
        },
        el('option', { value: '' }, 'all'),
        ['slack', 'pagerduty', 'email', 'webhook'].map((s) => el('option', { value: s, selected: s === integration }, s)),
      ),
    ),
  );
  if (notesError) return [filters, el('p', { class: 'hot', id: 'notes-error' }, notesError)];
  if (!lastNotes.configured)
    return [filters, el('p', { class: 'muted' }, 'No notification sink configured (start the console with --sink).')];
  if (lastNotes.notifications.length === 0)
    return [filters, el('p', { class: 'muted', id: 'notes-empty' }, `No notification received in the last ${since}.`)];
  return [
    filters,
    el(
      'table',
      { id: 'notes-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Time', 'Integration', 'Channel', 'Receiver', 'Status', 'Summary', 'Payload'].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        lastNotes.notifications.map((n) =>
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
      ),
    ),
  ];
}

function view() {
  const counts = { firing: 0, silenced: 0, inhibited: 0 };
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
    notesPart(),
  );
}

async function reload() {
  const since = params().get('since') ?? '24h';
  const integration = params().get('integration') ?? '';
  const q = new URLSearchParams({ since });
  if (integration) q.set('integration', integration);
  const [alerts, notes] = await Promise.all([api('/api/alerts'), api(`/api/notifications?${q}`).catch((e) => e)]);
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
