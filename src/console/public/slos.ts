// SLO list: every SLO with SLI, budget, time left, burn rates and alert state;
// filter by service and state, sort by any column. Filters live in the URL.
import type { AlertState, SloListAnswer, SloRow } from '../api-types.js';
import { api, coverageNote, el, filterSelect, fmt, gapNote, params, render, setParam, startPage } from './console.js';

const STATE_RANK: Record<AlertState, number> = { ok: 0, ticket: 1, page: 2 };
const STATES = Object.keys(STATE_RANK) as AlertState[];

interface Column {
  key: string;
  label: string;
  value: (r: SloRow) => string | number | null;
}

const COLUMNS: Column[] = [
  { key: 'service', label: 'Service', value: (r) => r.service },
  { key: 'slo', label: 'SLO', value: (r) => r.slo },
  { key: 'objective', label: 'Objective', value: (r) => r.objective },
  { key: 'period', label: 'Period', value: (r) => r.periodSeconds },
  { key: 'sli', label: 'SLI (period)', value: (r) => r.sli },
  { key: 'budget', label: 'Budget left', value: (r) => r.budgetRemaining },
  { key: 'timeleft', label: 'Time left at current burn', value: (r) => r.budgetTimeLeftSeconds ?? Infinity },
  { key: 'burn', label: 'Burn rate by window', value: (r) => Math.max(...r.burnRates.map((b) => b.value ?? 0)) },
  { key: 'state', label: 'State', value: (r) => STATE_RANK[r.alertState] },
];

let last: SloListAnswer | null = null;

function budgetCell(r: SloRow): HTMLTableCellElement {
  if (r.budgetRemaining === null) return el('td', { class: 'num' }, '–');
  const share = Math.max(0, Math.min(1, r.budgetRemaining));
  const cls = r.budgetRemaining <= 0 ? 'out' : r.budgetRemaining < 0.25 ? 'low' : '';
  const young = coverageNote(r);
  const gaps = gapNote(r);
  return el(
    'td',
    { class: 'num', 'data-value': r.budgetRemaining },
    fmt.pct(r.budgetRemaining, 1),
    el('span', { class: `bar ${cls}` }, el('span', { style: `width:${share * 100}%` })),
    young ? el('div', { class: 'muted coverage' }, young) : null,
    gaps ? el('div', { class: 'muted gaps', title: 'tiles of the period Prometheus never evaluated' }, `⚠ ${gaps}`) : null,
  );
}

function timeLeftCell(r: SloRow): HTMLTableCellElement {
  let text: string;
  if (r.budgetRemaining !== null && r.budgetRemaining <= 0) text = 'exhausted';
  else if (r.budgetTimeLeftSeconds === null) text = r.budgetRemaining === null ? '–' : 'not burning';
  else text = fmt.duration(r.budgetTimeLeftSeconds);
  return el('td', { class: 'num', title: `at the ${r.currentBurnWindow} burn rate` }, text);
}

function burnCell(r: SloRow): HTMLTableCellElement {
  return el(
    'td',
    {},
    el(
      'div',
      { class: 'burns' },
      r.burnRates.map((b) => {
        const value = b.value;
        const over = value !== null && b.thresholds.some((t) => value > t);
        const maxT = b.thresholds.length ? Math.max(...b.thresholds) : null;
        const cls = value !== null && maxT !== null && value > maxT ? 'hot' : over ? 'warm' : '';
        return el(
          'span',
          { class: cls, 'data-window': b.window, title: b.thresholds.length ? `alert thresholds ${b.thresholds.join(', ')}×` : '' },
          `${b.window} ${fmt.burn(b.value)}`,
        );
      }),
    ),
  );
}

function rowOf(r: SloRow): HTMLTableRowElement {
  return el(
    'tr',
    { 'data-id': r.id, 'data-state': r.alertState },
    el('td', {}, r.service),
    el('td', {}, el('a', { href: r.detailUrl }, r.slo), el('div', { class: 'muted' }, r.description)),
    el('td', { class: 'num' }, `${r.objectivePercent}%`),
    el('td', { class: 'num' }, r.period),
    el('td', { class: 'num', 'data-value': r.sli ?? '' }, fmt.pct(r.sli, 3)),
    budgetCell(r),
    timeLeftCell(r),
    burnCell(r),
    el('td', {}, el('span', { class: `badge ${r.alertState}`, title: r.firing.map((a) => a.alertname).join(', ') }, r.alertState)),
  );
}

function sorted(rows: readonly SloRow[]): SloRow[] {
  const key = params().get('sort') ?? 'state';
  const dir = params().get('dir') ?? (key === 'state' ? 'desc' : 'asc');
  const col = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0]!;
  const sign = dir === 'desc' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = col.value(a),
      y = col.value(b);
    if (x === y) return a.id.localeCompare(b.id);
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}

function view(data: SloListAnswer): void {
  const service = params().get('service') ?? '';
  const state = params().get('state') ?? '';
  const rows = data.slos.filter((r) => (!service || r.service === service) && (!state || r.alertState === state));
  const counts = Object.fromEntries(STATES.map((s) => [s, data.slos.filter((r) => r.alertState === s).length])) as Record<
    AlertState,
    number
  >;
  const sortKey = params().get('sort') ?? 'state';
  const sortDir = params().get('dir') ?? (sortKey === 'state' ? 'desc' : 'asc');
  const rerender = () => view(last ?? data);
  render(
    el('h1', {}, 'SLOs'),
    el('p', { class: 'muted' }, `${data.slos.length} SLOs · ${counts.page} paging · ${counts.ticket} ticket · ${counts.ok} ok`),
    el(
      'div',
      { class: 'filters' },
      filterSelect({
        label: 'Service',
        id: 'filter-service',
        param: 'service',
        choices: data.services,
        current: service,
        all: true,
        changed: rerender,
      }),
      filterSelect({ label: 'State', id: 'filter-state', param: 'state', choices: STATES, current: state, all: true, changed: rerender }),
      el('span', { class: 'muted', id: 'shown' }, `${rows.length} shown`),
    ),
    el(
      'table',
      { id: 'slo-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          COLUMNS.map((c) =>
            el(
              'th',
              {
                'data-sort': c.key,
                'aria-sort': c.key === sortKey ? (sortDir === 'desc' ? 'descending' : 'ascending') : null,
                onclick: () => {
                  setParam('dir', c.key === sortKey && sortDir === 'asc' ? 'desc' : 'asc');
                  setParam('sort', c.key);
                  rerender();
                },
              },
              c.label,
            ),
          ),
        ),
      ),
      el('tbody', {}, sorted(rows).map(rowOf)),
    ),
  );
}

startPage(async () => {
  const data = await api<SloListAnswer>('/api/slos');
  last = data;
  view(data);
  return data.fetchedAt;
});
